//! Properties that hold for every valid profile: installments add up to amounts, the total is
//! the sum, no cap is exceeded, at most one program of a no-double-funding group is granted,
//! statuses agree with conditions, the same input gives the same result, nothing panics.

use proptest::prelude::*;
use rules::applicant::Profile;
use rules::engine::{Detail, ReducedBy, Status, assess, assess_declining, hints::hints};
use rules::policy::Policy;
use rules::policy::fields::{FIELDS, revised};
use rules::policy::value::{Shown, Val};
use rust_decimal::Decimal;
use serde_json::json;

mod common;
use common::generator::profile_json;

fn policy() -> &'static Policy {
    common::shipped_policy()
}

fn yuan(n: i64) -> Decimal {
    Decimal::from(n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Leaving programs out of an application: each left out whose conditions hold is
    /// `declined` at 0; a program that gave way to one left out is granted instead; the
    /// others keep their status; the total never grows and is still the sum; leaving out
    /// nothing is the plain assessment.
    #[test]
    fn declining_programs_frees_what_they_held(seed in any::<u64>(), mask in 0u8..=255) {
        let json = profile_json(seed);
        let Ok(profile) = Profile::from_value(&json, policy()) else { return Ok(()) };
        let all = assess(policy(), &profile).unwrap();
        let declined: Vec<&str> = all.programs.iter().enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, p)| &*p.program.id)
            .collect();
        let some = assess_declining(policy(), &profile, Detail::Explained, &declined).unwrap();
        let none = assess_declining(policy(), &profile, Detail::Explained, &[]).unwrap();
        prop_assert_eq!(serde_json::to_string(&none).unwrap(), serde_json::to_string(&all).unwrap());
        prop_assert!(some.total <= all.total);
        prop_assert_eq!(some.total, some.programs.iter().map(|p| p.amount).sum::<Decimal>());
        for (s, a) in some.programs.iter().zip(&all.programs) {
            let met = matches!(a.status, Status::Eligible | Status::Excluded);
            if declined.contains(&&*a.program.id) && met {
                prop_assert_eq!(s.status, Status::Declined);
                prop_assert!(s.amount.is_zero() && s.installments.iter().all(|i| i.is_zero()));
            } else if a.status == Status::Excluded {
                let gave_way_to_declined = a.reductions.iter().any(|r| matches!(r.by,
                    ReducedBy::Exclusive(_, winner) if declined.contains(&&*winner.id)));
                prop_assert!(!gave_way_to_declined || s.status == Status::Eligible,
                    "{} still gives way to a program not applied for", a.program.id);
            } else {
                prop_assert_eq!(s.status, a.status, "{}", a.program.id);
            }
            prop_assert_eq!(s.installments.iter().copied().sum::<Decimal>(), s.amount);
            prop_assert!(s.amount <= s.computed_amount);
        }
        for group in [["scitech_major_project", "jinying_startup"], ["housing_allowance", "home_purchase"]] {
            let granted = group.iter().filter(|id| some.program(id).unwrap().status == Status::Eligible).count();
            prop_assert!(granted <= 1, "both of {:?} granted", group);
        }
    }

    #[test]
    fn assessments_keep_every_invariant(seed in any::<u64>()) {
        let json = profile_json(seed);
        let profile = match Profile::from_value(&json, policy()) {
            Ok(p) => p,
            // The generator aims at valid profiles; the few it misses are still never a panic.
            Err(_) => return Ok(()),
        };
        let a = assess(policy(), &profile).expect("every generated date has a version");
        prop_assert_eq!(a.programs.len(), 8);
        let mut sum = Decimal::ZERO;
        let mut startup_support = Decimal::ZERO;
        for p in &a.programs {
            prop_assert_eq!(p.installments.iter().copied().sum::<Decimal>(), p.amount, "{} installments", p.program.id);
            prop_assert_eq!(p.installments.len(), p.program.installments.len());
            prop_assert!(p.amount >= Decimal::ZERO && p.amount.fract().is_zero(), "{} amount {}", p.program.id, p.amount);
            prop_assert!(p.amount <= p.computed_amount);
            let all_met = p.conditions.iter().all(|c| c.met);
            match p.status {
                Status::NotApplicable => prop_assert!(p.amount.is_zero() && !p.missing_sections.is_empty() && p.conditions.is_empty()),
                Status::Ineligible => prop_assert!(p.amount.is_zero() && !all_met),
                Status::Eligible => prop_assert!(all_met),
                Status::Excluded => {
                    prop_assert!(all_met && p.amount.is_zero());
                    prop_assert!(p.reductions.iter().any(|r| matches!(r.by, ReducedBy::Exclusive(..))));
                }
                Status::Declined => prop_assert!(false, "an assessment that declines nothing declined {}", p.program.id),
            }
            if p.amount < p.computed_amount {
                prop_assert!(!p.reductions.is_empty(), "{} reduced without a reason", p.program.id);
            }
            if ["jinying_startup", "jinying_office"].contains(&&*p.program.id) {
                startup_support += p.amount;
            }
            if &*p.program.id == "jinying_innovation" {
                prop_assert!(p.amount <= yuan(3_000_000));
            }
            sum += p.amount;
        }
        prop_assert_eq!(a.total, sum);
        prop_assert!(a.total <= yuan(10_000_000));
        prop_assert!(startup_support <= yuan(5_000_000));
        for group in [["scitech_major_project", "jinying_startup"], ["housing_allowance", "home_purchase"]] {
            let granted = group.iter().filter(|id| a.program(id).unwrap().status == Status::Eligible).count();
            prop_assert!(granted <= 1, "both of {:?} granted", group);
        }
        // The JSON's requirements (some cached per condition on first use) are what each
        // condition's own requirement says for this profile.
        let json: serde_json::Value = serde_json::to_value(&a).unwrap();
        for (pj, p) in json["programs"].as_array().unwrap().iter().zip(&a.programs) {
            for ((cj, c), o) in pj["conditions"].as_array().unwrap().iter().zip(&p.program.conditions).zip(&p.conditions) {
                let want = rules::engine::RequirementText { requirement: &o.requirement, condition: c, rules: &a.version.rules }.to_string();
                prop_assert_eq!(cj["requirement"].as_str().unwrap(), want.as_str(), "{} {}", p.program.id, c.id);
                let value = rules::engine::ObservedText { observed: &o.value, condition: c, rules: &a.version.rules }.to_string();
                match cj["value"].as_str() {
                    Some(v) => prop_assert_eq!(v, value.as_str()),
                    None => prop_assert!(value.is_empty()),
                }
            }
        }
        // Same input, same result.
        let again = assess(policy(), &profile).unwrap();
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&again).unwrap());
        // Every hint keeps its promise: its changes, applied together, give exactly the total
        // and the program amounts it states, and the total gains; each change is the
        // smallest (one step less on any field and the program is missed again).
        let hs = hints(&a, &profile, policy());
        prop_assert!(hs.windows(2).all(|w| {
            let per = |h: &rules::engine::hints::Hint<'_>| h.gained / Decimal::from(h.changes.len());
            per(&w[0]) >= per(&w[1])
        }), "hints ranked by what they gain per change");
        for h in &hs {
            prop_assert_eq!(a.program(&h.program.id).unwrap().status, Status::Ineligible);
            prop_assert!(!h.changes.is_empty() && h.changes.len() <= 3);
            prop_assert!(h.gained > Decimal::ZERO, "a hint that gains nothing");
            let mut values = Vec::new();
            for c in &h.changes {
                prop_assert!(c.condition.actionable);
                let field = FIELDS.iter().find(|f| f.path == c.field).unwrap();
                let value = match &c.to { Shown::Num(n) => Val::Num(*n), Shown::Bool(b) => Val::Bool(*b), _ => unreachable!() };
                prop_assert!(field.can_change());
                values.push((field, value));
            }
            let changed = revised(&profile, &values, policy());
            prop_assert!(matches!(changed, Some(Ok(_))), "a hint's changes make a valid profile");
            let changed = changed.unwrap().unwrap();
            let after = assess(policy(), &changed).unwrap();
            prop_assert_eq!(after.total, h.total);
            prop_assert_eq!(after.total - a.total, h.gained);
            prop_assert_eq!(after.program(&h.program.id).unwrap().amount, h.amount);
            for (p, from, to) in &h.moved {
                prop_assert_eq!(a.program(&p.id).unwrap().amount, *from);
                prop_assert_eq!(after.program(&p.id).unwrap().amount, *to);
            }
            let moved_elsewhere = a.programs.iter().zip(&after.programs)
                .filter(|(x, y)| x.amount != y.amount)
                .count();
            prop_assert_eq!(moved_elsewhere, h.moved.len(), "every program that moves is named");
            for c in &h.changes {
                let field = FIELDS.iter().find(|f| f.path == c.field).unwrap();
                if let (Shown::Num(to), Some(Shown::Num(from)), Some(step)) = (&c.to, &c.from, field.step) {
                    let short = if to > from { *to - step } else { *to + step };
                    if short == *from {
                        continue;
                    }
                    if let Some(Ok(less)) = revised(&changed, &[(field, Val::Num(short))], policy()) {
                        let again = assess(policy(), &less).unwrap();
                        prop_assert_eq!(again.program(&h.program.id).unwrap().status, Status::Ineligible, "{} at {}", c.field, short);
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// The fast reader and the general one agree: the same profile, or the same errors.
    #[test]
    fn reading_bytes_and_reading_a_value_agree(seed in any::<u64>(), mutation in 0usize..12, pretty in any::<bool>()) {
        let mut json = profile_json(seed);
        // Some inputs the fast reader must hand over to the general one.
        match mutation {
            0 => json["person"]["full_name"] = json!("  名字  "),
            1 => json["person"]["honors"] = json!(["academician", "academician", " municipal_talent_program "]),
            2 => json["extra"] = json!(1),
            3 => json["person"]["id_number"] = json!("T1234\\5678"),
            4 => json["person"]["overseas_work_years"] = json!("7"),
            5 => json["person"]["overseas_work_years"] = json!(7.5),
            6 => json["prior_awards"] = json!(["rent_subsidy", "nope"]),
            7 => json["person"]["institution_name"] = json!("南通\"大学"),
            8 => json["person"]["highest_degree"] = json!(null),
            9 => json["application_date"] = json!(" 2026-03-01 "),
            _ => {}
        }
        let bytes = if pretty { serde_json::to_vec_pretty(&json).unwrap() } else { serde_json::to_vec(&json).unwrap() };
        let general = Profile::from_value(&serde_json::from_slice(&bytes).unwrap(), policy());
        let fast_or_general = Profile::from_json(&bytes, policy());
        prop_assert_eq!(fast_or_general, general);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Whatever a byte edit does to the text of a profile (a byte replaced, removed or put
    /// in, a key written twice), the fast reader never accepts what the general one refuses
    /// nor reads it differently: it gives the same profile, or hands over.
    #[test]
    fn an_edited_text_reads_as_the_general_reader_reads_it(
        seed in any::<u64>(),
        at in any::<prop::sample::Index>(),
        edit in 0usize..4,
        byte in prop::sample::select(b"\"\\{}[],: \t\n0123456789.-+eEntrufalsx\x01\x7f\xe5\xc2".to_vec()),
        pretty in any::<bool>(),
    ) {
        let json = profile_json(seed);
        let mut bytes = if pretty { serde_json::to_vec_pretty(&json).unwrap() } else { serde_json::to_vec(&json).unwrap() };
        let i = at.index(bytes.len());
        match edit {
            0 => bytes[i] = byte,
            1 => { bytes.remove(i); }
            2 => bytes.insert(i, byte),
            _ => {
                // The key at or after `i` written again just before it.
                if let Some(q) = bytes[i..].iter().position(|&b| b == b'"') {
                    let from = i + q;
                    if let Some(len) = bytes[from + 1..].iter().position(|&b| b == b'"') {
                        let key = bytes[from..from + len + 2].to_vec();
                        if bytes.get(from + len + 2) == Some(&b':') {
                            let mut twice = key.clone();
                            twice.extend_from_slice(b":null,");
                            bytes.splice(from..from, twice);
                        }
                    }
                }
            }
        }
        let general = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) => Some(Profile::from_value(&value, policy())),
            Err(_) => None,
        };
        match (Profile::from_json(&bytes, policy()), general) {
            (read, Some(general)) => prop_assert_eq!(read, general),
            (read, None) => prop_assert!(read.is_err(), "not JSON, yet read: {}", String::from_utf8_lossy(&bytes)),
        }
    }
}

#[test]
fn the_generator_mostly_makes_valid_profiles() {
    let valid = (1..=500u64)
        .filter(|s| Profile::from_value(&profile_json(*s * 7919), policy()).is_ok())
        .count();
    assert!(
        valid >= 400,
        "only {valid} of 500 generated profiles are valid"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Deciding without explanations gives every program the same status, amounts,
    /// reductions and installments as the explained assessment, and the same tier and total.
    #[test]
    fn deciding_without_explanations_agrees_with_the_explained_assessment(seed in any::<u64>()) {
        let policy = policy();
        let json = profile_json(seed);
        let Ok(profile) = Profile::from_value(&json, policy) else { return Ok(()) };
        let full = rules::engine::assess(policy, &profile).unwrap();
        let decided = rules::engine::assess_as(
            policy,
            &profile,
            rules::engine::Detail::DecisionOnly,
        )
        .unwrap();
        prop_assert_eq!(full.tier_id(), decided.tier_id());
        prop_assert_eq!(full.total, decided.total);
        for (f, d) in full.programs.iter().zip(&decided.programs) {
            prop_assert_eq!(f.status, d.status, "{}", f.program.id);
            prop_assert_eq!(f.amount, d.amount);
            prop_assert_eq!(f.computed_amount, d.computed_amount);
            prop_assert_eq!(&f.installments, &d.installments);
            prop_assert_eq!(f.reductions.len(), d.reductions.len());
            prop_assert_eq!(f.review_required, d.review_required);
            prop_assert!(d.conditions.is_empty());
        }
        // A summary's figures are the same too; it builds no installments.
        let summary = rules::engine::assess_as(policy, &profile, rules::engine::Detail::Summary).unwrap();
        prop_assert_eq!(full.tier_id(), summary.tier_id());
        prop_assert_eq!(full.total, summary.total);
        for (f, s) in full.programs.iter().zip(&summary.programs) {
            prop_assert_eq!(f.status, s.status, "{}", f.program.id);
            prop_assert_eq!(f.amount, s.amount);
            prop_assert!(s.installments.is_empty() && s.conditions.is_empty());
        }
    }
}
