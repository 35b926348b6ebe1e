//! Why a simulation moved what it moved: the parameters the draft changes, and for each person
//! whose result changed, the tier and the conditions that decided it on each side.

use super::*;

/// The parameters whose values differ between the two versions (or exist in one only).
pub(super) fn parameter_changes(current: &Version, draft: &Version) -> Vec<ParamChange> {
    let show = |v: &Version, name: &str| {
        v.rules
            .parameters
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, val)| v.rules.render(&(*val).into()))
            .unwrap_or_else(|| "—".into())
    };
    let mut names: Vec<&str> = current
        .rules
        .parameters
        .iter()
        .chain(&draft.rules.parameters)
        .map(|(n, _)| &**n)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| ParamChange {
            name: n.to_string(),
            zh: String::new(),
            en: String::new(),
            current: show(current, n),
            draft: show(draft, n),
        })
        .filter(|c| c.current != c.draft)
        .collect()
}

/// Why one person's total changed: their tier, and each program whose outcome moved.
pub(super) fn explain(
    s: &Sides,
    person: &Person,
    as_of: NaiveDate,
    ctx: &population::EitherPolicy,
) -> Change {
    // Only people whose answers were valid on `as_of` are counted, hence among the largest.
    let profile = person
        .profile
        .redated(as_of, ctx)
        .unwrap_or_else(|_| person.profile.clone());
    let a = assess_version_as(s.current, &profile, Detail::Explained);
    let b = assess_version_as(s.draft, &profile, Detail::Explained);
    let mut reasons = Vec::new();
    let (ta, tb) = (a.tier_id(), b.tier_id());
    if ta != tb {
        reasons.push((
            format!("人才层次 {} → {}", tier_zh(&a), tier_zh(&b)),
            format!("talent tier {} → {}", tier_en(&a), tier_en(&b)),
        ));
    }
    for pb in &b.programs {
        let pa = a.program(&pb.program.id);
        let (sa, aa) = pa.map_or((Status::NotApplicable, Decimal::ZERO), |p| {
            (p.status, p.amount)
        });
        if sa == pb.status && aa == pb.amount {
            continue;
        }
        let name = (&pb.program.zh, &pb.program.en);
        let money = |d: Decimal| rules::words::yuan(&d);
        let (zh, en) = match (sa == Status::Eligible, pb.status == Status::Eligible) {
            (true, true) => {
                let why = if pa.is_some_and(|p| p.computed_amount != pb.computed_amount) {
                    ("按金额规则", "by the amount rule")
                } else {
                    (
                        "因合并规则（不重复资助或总额上限）",
                        "by the combining rules (no double funding, caps)",
                    )
                };
                (
                    format!(
                        "{}：{} → {}，{}",
                        name.0,
                        money(aa),
                        money(pb.amount),
                        why.0
                    ),
                    format!(
                        "{}: {} → {}, {}",
                        name.1,
                        money(aa),
                        money(pb.amount),
                        why.1
                    ),
                )
            }
            (false, true) => {
                let now_met = changed_conditions(pa, pb, true);
                (
                    format!(
                        "{}：现在符合（{}），{}",
                        name.0,
                        now_met.0,
                        money(pb.amount)
                    ),
                    format!(
                        "{}: now eligible ({}), {}",
                        name.1,
                        now_met.1,
                        money(pb.amount)
                    ),
                )
            }
            (true, false) => {
                let failed = changed_conditions(pa, pb, false);
                (
                    format!("{}：不再符合（{}），原为 {}", name.0, failed.0, money(aa)),
                    format!(
                        "{}: no longer eligible ({}), was {}",
                        name.1,
                        failed.1,
                        money(aa)
                    ),
                )
            }
            (false, false) => continue,
        };
        reasons.push((zh, en));
    }
    for pa in &a.programs {
        if b.program(&pa.program.id).is_none() && pa.status == Status::Eligible {
            reasons.push((
                format!(
                    "{}：草案中没有此项目，原为 {}",
                    pa.program.zh,
                    rules::words::yuan(&pa.amount)
                ),
                format!(
                    "{}: not in the draft, was {}",
                    pa.program.en,
                    rules::words::yuan(&pa.amount)
                ),
            ));
        }
    }
    Change {
        label: person.label.clone(),
        current_total: a.total,
        draft_total: b.total,
        reasons,
    }
}

fn tier_zh(a: &Assessment) -> String {
    a.tier
        .map_or("无".into(), |(t, _)| format!("{}（{}）", t.id, t.zh))
}

fn tier_en(a: &Assessment) -> String {
    a.tier
        .map_or("none".into(), |(t, _)| format!("{} ({})", t.id, t.en))
}

/// The conditions whose outcome moved between the sides: those now met (`now_met`) or
/// those now failing, by name; when none moved, what else did (the tier, the section).
fn changed_conditions(
    before: Option<&rules::engine::ProgramOutcome>,
    after: &rules::engine::ProgramOutcome,
    now_met: bool,
) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (c, o) in after.program.conditions.iter().zip(&after.conditions) {
        let was = before
            .and_then(|p| {
                p.program
                    .conditions
                    .iter()
                    .position(|x| x.id == c.id)
                    .and_then(|j| p.conditions.get(j))
            })
            .map(|x| x.met);
        let moved = if now_met {
            o.met && was != Some(true)
        } else {
            !o.met && was != Some(false)
        };
        if moved {
            zh.push(format!("“{}”", c.zh));
            en.push(format!("“{}”", c.en));
        }
    }
    if zh.is_empty() {
        return (
            "条件或合并规则变化".into(),
            "a condition or combining rule changed".into(),
        );
    }
    let verb = if now_met {
        ("满足", "meets")
    } else {
        ("不满足", "fails")
    };
    (
        format!("{}{}", verb.0, zh.join("、")),
        format!("{} {}", verb.1, en.join(", ")),
    )
}
