//! Partial answers (brief §8): the properties of SCREENING-NOTES, over the generator's
//! profiles with random answers hidden. Each compares the screening with the exact assessment
//! of the full profile.

mod common;
use common::generator::{Rng, profile_json};
use common::shipped_policy as policy;

use proptest::prelude::*;
use rules::applicant::{PATHS, Partial, Profile};
use rules::engine::screen::{Screening, screen};
use rules::engine::{Assessment, Status, assess};
use rust_decimal::Decimal;
use serde_json::Value;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// The generator's profile with every section said: a section it left out does not apply.
fn complete(seed: u64) -> Option<Value> {
    let mut v = profile_json(seed);
    for s in ["employment", "startup", "housing"] {
        if v.get(s).is_none() {
            v[s] = Value::Null;
        }
    }
    if let Some(h) = v.get_mut("housing").and_then(Value::as_object_mut)
        && !h.contains_key("home_purchase")
    {
        h.insert("home_purchase".into(), Value::Null);
    }
    Profile::from_value(&v, policy()).ok().map(|_| v)
}

fn get<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |at, k| at.get(k))
}

fn remove(v: &mut Value, path: &str) {
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (p, k),
        None => ("", path),
    };
    let at = if parent.is_empty() {
        Some(&mut *v)
    } else {
        parent.split('.').try_fold(&mut *v, |at, k| at.get_mut(k))
    };
    if let Some(Value::Object(o)) = at {
        o.remove(key);
    }
}

/// Sets `path` to the full profile's answer; a section is answered "applies" (an empty
/// object, its fields still unknown) or "does not apply" (`null`).
fn answer(partial: &mut Value, full: &Value, path: &str) {
    let given = get(full, path).cloned().unwrap_or(Value::Null);
    let value = match given {
        Value::Object(_) => Value::Object(Default::default()),
        other => other,
    };
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    let at = if parent.is_empty() {
        Some(&mut *partial)
    } else {
        parent
            .split('.')
            .try_fold(&mut *partial, |at, k| at.get_mut(k))
    };
    if let Some(Value::Object(o)) = at {
        o.insert(key.to_string(), value);
    }
}

fn read(v: &Value) -> Partial {
    Partial::from_value(v, today(), policy()).unwrap_or_else(|e| panic!("{e}\n{v:#}"))
}

fn tier_index(s: &Screening<'_>, a: &Assessment<'_>) -> usize {
    let tiers = &s.version.rules.tiers;
    a.tier
        .and_then(|(t, _)| tiers.iter().position(|x| x.id == t.id))
        .unwrap_or(tiers.len())
}

/// Every outcome of the full assessment lies inside the screening's ranges.
fn assert_inside(s: &Screening<'_>, a: &Assessment<'_>, what: &str) {
    assert!(
        s.tiers >> tier_index(s, a) & 1 == 1,
        "{what}: tier {}",
        a.tier_id()
    );
    assert!(
        s.total.0 <= a.total && a.total <= s.total.1,
        "{what}: total {} not in {:?}",
        a.total,
        s.total
    );
    for (r, o) in s.programs.iter().zip(&a.programs) {
        assert!(
            r.statuses.has(o.status),
            "{what}: {} {:?} not in {:?}",
            o.program.id,
            o.status,
            r.statuses
        );
        assert!(
            r.amount.0 <= o.amount && o.amount <= r.amount.1,
            "{what}: {} amount {} not in {:?}",
            o.program.id,
            o.amount,
            r.amount
        );
        if o.review_required {
            assert!(r.review.yes, "{what}: {} review", o.program.id);
        }
    }
}

/// Hides each answer of the full profile with a chance of `percent` (sections as a whole
/// sometimes), never the application date.
fn hide(full: &Value, r: &mut Rng, percent: u64) -> Value {
    let mut v = full.clone();
    for path in PATHS.iter().skip(1) {
        if r.chance(percent) {
            remove(&mut v, path);
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Degenerate case: nothing unknown, every program decided, and exactly the assessment.
    #[test]
    fn a_complete_profile_screens_to_its_assessment(seed in any::<u64>()) {
        let Some(full) = complete(seed) else { return Ok(()) };
        let profile = Profile::from_value(&full, policy()).unwrap();
        let a = assess(policy(), &profile).unwrap();
        let s = screen(policy(), &read(&full)).unwrap();
        prop_assert!(s.is_complete(), "{:#}", full);
        prop_assert!(s.questions.is_empty());
        prop_assert_eq!(s.tier_ids(), vec![a.tier_id()]);
        prop_assert_eq!(s.total, (a.total, a.total));
        for (r, o) in s.programs.iter().zip(&a.programs) {
            prop_assert_eq!(r.status(), Some(o.status), "{}", o.program.id);
            prop_assert_eq!(r.amount, (o.amount, o.amount), "{}", o.program.id);
            prop_assert_eq!(r.review.yes, o.review_required);
        }
    }

    /// Soundness and monotone narrowing: the full assessment lies inside the screening of any
    /// part of it, and answering more never widens a range.
    #[test]
    fn hidden_answers_give_ranges_that_hold_the_assessment_and_narrow(seed in any::<u64>(), percent in 5u64..95) {
        let Some(full) = complete(seed) else { return Ok(()) };
        let a = assess(policy(), &Profile::from_value(&full, policy()).unwrap()).unwrap();
        let mut r = Rng(seed.rotate_left(17) | 1);
        let wide = hide(&full, &mut r, percent);
        // A narrower profile: some of the hidden answers given back.
        let mut narrow = wide.clone();
        for path in PATHS.iter().skip(1) {
            if get(&narrow, path).is_none() && get(&full, path).is_some() && r.chance(50) {
                answer(&mut narrow, &full, path);
            }
        }
        let sw = screen(policy(), &read(&wide)).unwrap();
        let sn = screen(policy(), &read(&narrow)).unwrap();
        assert_inside(&sw, &a, "wide");
        assert_inside(&sn, &a, "narrow");
        prop_assert_eq!(sn.tiers & !sw.tiers, 0, "tiers widened");
        prop_assert!(sw.total.0 <= sn.total.0 && sn.total.1 <= sw.total.1, "total widened: {:?} → {:?}", sw.total, sn.total);
        for (w, n) in sw.programs.iter().zip(&sn.programs) {
            prop_assert!(w.amount.0 <= n.amount.0 && n.amount.1 <= w.amount.1, "{} widened: {:?} → {:?}", w.program.id, w.amount, n.amount);
            for st in n.statuses.iter() {
                prop_assert!(w.statuses.has(st), "{} gained {:?}", w.program.id, st);
            }
        }
    }

    /// Only what matters is asked: an unknown answer that is not asked (and not inside a
    /// section still to be asked) changes nothing when given.
    #[test]
    fn an_answer_not_asked_for_changes_nothing(seed in any::<u64>(), percent in 20u64..90) {
        let Some(full) = complete(seed) else { return Ok(()) };
        let mut r = Rng(seed.rotate_left(29) | 1);
        let partial = hide(&full, &mut r, percent);
        let p = read(&partial);
        let s = screen(policy(), &p).unwrap();
        let asked: Vec<&str> = s.questions.iter().map(|q| q.path).collect();
        for path in p.unknown_paths() {
            let inside_unknown = PATHS.iter().any(|sec| path.len() > sec.len() && path.starts_with(&format!("{sec}.")) && p.is_unknown(sec))
                || (path.starts_with("person.institution") || path == "person.graduation_date") && p.is_unknown("person.highest_degree");
            if asked.contains(&path) || inside_unknown || get(&full, path).is_none() {
                continue;
            }
            let mut more = partial.clone();
            answer(&mut more, &full, path);
            let t = screen(policy(), &read(&more)).unwrap();
            prop_assert_eq!(t.total, s.total, "answering {} moved the total", path);
            for (x, y) in s.programs.iter().zip(&t.programs) {
                prop_assert_eq!(x.amount, y.amount, "answering {} moved {}", path, x.program.id);
                prop_assert_eq!(x.statuses.has(Status::Eligible), y.statuses.has(Status::Eligible), "answering {} changed {}", path, x.program.id);
            }
        }
    }
}

/// An interview with the full profile answering: ask the first question until nothing is
/// asked. Returns the number of answers given and the final screening's agreement.
fn interview(full: &Value) -> (usize, bool) {
    let mut partial =
        serde_json::json!({ "application_date": full["application_date"], "person": {} });
    let mut asked = 0;
    loop {
        let s = screen(policy(), &read(&partial)).unwrap();
        let Some(q) = s.asks().into_iter().next() else {
            let a = assess(policy(), &Profile::from_value(full, policy()).unwrap()).unwrap();
            // The same money from the same programs; a program that pays nothing may still
            // be either ineligible or not applicable (see `ProgramRange::is_decided`).
            let same = s.is_complete()
                && s.total == (a.total, a.total)
                && s.programs.iter().zip(&a.programs).all(|(r, o)| {
                    let eligible = |s: Option<Status>| s == Some(Status::Eligible);
                    eligible(r.status()) == eligible(Some(o.status))
                        && r.amount == (o.amount, o.amount)
                });
            return (asked, same);
        };
        if q.settles.len() > 1 {
            // "Which of these describe you": one answer, each section it settles.
            for s in &q.settles {
                answer(&mut partial, full, s);
            }
        } else {
            answer(&mut partial, full, q.path);
        }
        asked += 1;
        assert!(
            asked <= PATHS.len(),
            "the interview does not end: {partial:#}"
        );
    }
}

#[test]
fn an_interview_asks_far_fewer_questions_than_the_form_and_ends_at_the_assessment() {
    let mut counts = Vec::new();
    let mut shares = Vec::new();
    for seed in 1..=400u64 {
        let Some(full) = complete(seed * 7919) else {
            continue;
        };
        let (asked, same) = interview(&full);
        assert!(
            same,
            "the interview's result differs from the assessment: {full:#}"
        );
        counts.push(asked);
        // The share of this person's own answers (every path the full profile gives, sections
        // included) that the interview asked for.
        let held = PATHS
            .iter()
            .skip(1)
            .filter(|p| get(&full, p).is_some_and(|v| !v.is_null()))
            .count();
        shares.push(Decimal::from(asked) / Decimal::from(held.max(1)));
    }
    shares.sort_unstable();
    let median_share = shares[shares.len() / 2];
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    let p90 = counts[counts.len() * 9 / 10];
    let form_fields = rules::input::fields::FIELDS.len();
    // README records these (`cargo test --test screening interview -- --nocapture`).
    eprintln!(
        "interview: {} people, answers median {median}, 90th percentile {p90}, most {}; the full form has {form_fields} fields; median share of a person's own answers asked {}",
        counts.len(),
        counts[counts.len() - 1],
        median_share.round_dp(2)
    );
    assert!(median <= 12, "median {median} answers (goal: 12 at most)");
    assert!(
        median_share <= Decimal::new(55, 2),
        "median share {} of a person's answers asked (goal: 0.55 at most)",
        median_share.round_dp(2)
    );
    assert!(
        median * 2 < form_fields,
        "median {median} answers against {form_fields} form fields"
    );
}

#[test]
fn an_empty_profile_is_all_possible_and_asks_first_what_decides_the_most() {
    let s = screen(policy(), &read(&serde_json::json!({}))).unwrap();
    assert!(!s.is_complete());
    assert!(s.programs.iter().all(|p| p.status().is_none()));
    assert_eq!(s.total.0, Decimal::ZERO);
    assert_eq!(s.total.1, Decimal::from(10_000_000));
    let first = &s.questions[0];
    assert!(first.at_stake > Decimal::ZERO);
    // In the order of the money expected to settle, each at most its stake.
    assert!(
        s.questions
            .windows(2)
            .all(|w| w[0].expected >= w[1].expected)
    );
    assert!(s.questions.iter().all(|q| q.expected <= q.at_stake));
    let paths: Vec<&str> = s.questions.iter().map(|q| q.path).collect();
    for never in [
        "person.full_name",
        "person.id_number",
        "employment.employer_name",
    ] {
        assert!(!paths.contains(&never), "{never} asked: {paths:?}");
    }
    assert!(
        !paths.iter().any(|p| p.starts_with("startup.")),
        "a section's fields before the section: {paths:?}"
    );
}

/// "Which of these describe you": with several sections open, they are one question that
/// settles them all, asked where the first of them stood; with one open, it is asked alone.
#[test]
fn open_sections_are_asked_as_one_question_that_settles_them_all() {
    let s = screen(policy(), &read(&serde_json::json!({}))).unwrap();
    let asks = s.asks();
    let sections: Vec<_> = asks.iter().filter(|q| q.path == "sections").collect();
    assert_eq!(sections.len(), 1, "one question");
    assert_eq!(
        sections[0].settles,
        ["employment", "startup", "housing", "housing.home_purchase"]
    );
    assert!(
        asks.iter()
            .all(|q| !["employment", "startup", "housing"].contains(&q.path)),
        "no section asked twice"
    );
    assert!(
        sections[0].decides.len()
            >= s.questions
                .iter()
                .filter(|q| q.path == "startup")
                .map(|q| q.decides.len())
                .sum::<usize>()
    );
    // Employment and startup said: housing (with the home purchase inside) is one question
    // with two choices.
    let s = screen(
        policy(),
        &read(&serde_json::json!({ "employment": {}, "startup": null })),
    )
    .unwrap();
    let asks = s.asks();
    let q = asks
        .iter()
        .find(|q| q.path == "sections")
        .expect("housing asked");
    assert_eq!(q.settles, ["housing", "housing.home_purchase"]);
    // Housing said to apply: the home purchase alone is a section's own question.
    let s = screen(
        policy(),
        &read(&serde_json::json!({ "employment": {}, "startup": null, "housing": {} })),
    )
    .unwrap();
    let asks = s.asks();
    assert!(asks.iter().all(|q| q.path != "sections"));
    assert!(asks.iter().any(|q| q.path == "housing.home_purchase"));
}

/// The questions are weighed by the prior: an answer that is rare settles little in
/// expectation. Seeing many people with a Nobel-level honour (which rules out nothing) makes
/// the honours question weigh less; seeing many without one makes it weigh more.
#[test]
fn questions_are_weighed_by_how_likely_each_answer_is() {
    let p = read(&serde_json::json!({ "employment": {}, "startup": {}, "housing": null }));
    let version = policy().version_on(p.profile.application_date()).unwrap();
    let honours = |prior: &rules::policy::prior::Prior| {
        let s = rules::engine::screen::screen_version(version, &p, prior);
        let q = s
            .questions
            .iter()
            .find(|q| q.path == "person.honors")
            .cloned()
            .expect("asked");
        assert!(q.expected <= q.at_stake);
        q.expected
    };
    let shipped = policy().prior();
    let common_nobel = shipped.with_seen([("person.honors", "nobel_or_equivalent", 1_000_000)]);
    let common_none = shipped.with_seen([("person.honors", "none", 1_000_000)]);
    let (a, b, c) = (
        honours(&common_nobel),
        honours(&shipped),
        honours(&common_none),
    );
    assert!(a < b && b < c, "{a} < {b} < {c}");
    // Without a prior, each honour weighs the same as none: in between.
    let even = honours(&rules::policy::prior::Prior::default());
    assert!(a < even && even < c, "{a} < {even} < {c}");
}
