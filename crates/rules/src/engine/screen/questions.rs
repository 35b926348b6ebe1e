//! The questions worth asking: the unknown paths an undecided program reads, ordered by what
//! they could change, each asked only once what encloses it is answered.

use super::*;

/// The sections a path lies in (`housing.home_purchase.price` → home purchase, housing),
/// and the degree for [`NEEDS_DEGREE`]: what must be answered before it is asked.
pub(super) fn enclosing(path: &str) -> u64 {
    let mut m = 0;
    if NEEDS_DEGREE.contains(&path) {
        m |= path_bit("person.highest_degree");
    }
    for s in Section::ALL {
        if path.len() > s.path().len() && path.starts_with(s.path()) {
            m |= path_bit(s.path());
        }
    }
    m
}

/// What to ask instead of `path` while it cannot be asked yet: the outermost unknown section
/// it lies in (or the degree), else the path itself.
pub(super) fn ask_first(path: &'static str, unknown: u64) -> &'static str {
    let before = enclosing(path) & unknown;
    [
        "employment",
        "startup",
        "housing",
        "housing.home_purchase",
        "person.highest_degree",
    ]
    .into_iter()
    .find(|p| before & path_bit(p) != 0)
    .unwrap_or(path)
}

pub(super) fn questions(
    programs: &[ProgramRange<'_>],
    total: (Decimal, Decimal),
    unknown: u64,
) -> Vec<Question> {
    let read = programs.iter().fold(0u64, |m, p| m | p.reads);
    // Each path read, under the question that must come first.
    let mut asks: Vec<(&'static str, u64)> = Vec::new();
    for (i, path) in PATHS.iter().enumerate() {
        if read >> i & 1 == 1 {
            let target = ask_first(path, unknown);
            match asks.iter_mut().find(|(t, _)| *t == target) {
                Some((_, bits)) => *bits |= 1 << i,
                None => asks.push((target, 1 << i)),
            }
        }
    }
    asks.sort_by_key(|(t, _)| PATHS.iter().position(|p| p == t));
    let width = total.1 - total.0;
    let mut out: Vec<(Decimal, Question)> = asks
        .into_iter()
        .map(|(path, bits)| {
            let decides: Vec<usize> = programs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.reads & bits != 0)
                .map(|(j, _)| j)
                .collect();
            let stake: Decimal = decides
                .iter()
                .map(|&j| programs[j].amount.1 - programs[j].amount.0)
                .sum();
            // A section asked first settles the sections inside it that its fields need.
            let settles: Vec<&'static str> = Section::ALL
                .iter()
                .map(|s| s.path())
                .filter(|s| {
                    *s == path
                        || (s.len() > path.len()
                            && s.starts_with(path)
                            && unknown & path_bit(s) != 0
                            && PATHS.iter().enumerate().any(|(i, p)| {
                                bits >> i & 1 == 1 && (p == s || p.starts_with(&format!("{s}.")))
                            }))
                })
                .collect();
            (
                stake,
                Question {
                    path,
                    at_stake: stake.min(width),
                    decides,
                    expected: stake.min(width),
                    settles,
                },
            )
        })
        .collect();
    // Largest stake first; where the total's width caps several, the one reaching more money
    // in all; then the profile's order (the sort is stable). `expect::weigh` then orders by the
    // money expected, keeping this order among equals.
    out.sort_by_key(|(reach, q)| std::cmp::Reverse((q.at_stake, *reach)));
    out.into_iter().map(|(_, q)| q).collect()
}

/// The questions as asked: two or more sections' questions become one "which of these
/// describe you" question (path `sections`) where the first of them stood, settling them all.
pub(super) fn asked(questions: &[Question], width: Decimal) -> Vec<Question> {
    let sections: Vec<&Question> = questions.iter().filter(|q| !q.settles.is_empty()).collect();
    if sections.iter().map(|q| q.settles.len()).sum::<usize>() < 2 {
        return questions.to_vec();
    }
    let mut settles: Vec<&'static str> = sections.iter().flat_map(|q| q.settles.clone()).collect();
    settles.sort_by_key(|s| Section::ALL.iter().position(|x| x.path() == *s));
    settles.dedup();
    let mut decides: Vec<usize> = sections.iter().flat_map(|q| q.decides.clone()).collect();
    decides.sort_unstable();
    decides.dedup();
    let merged = Question {
        path: SECTIONS,
        at_stake: sections
            .iter()
            .map(|q| q.at_stake)
            .sum::<Decimal>()
            .min(width),
        decides,
        expected: sections
            .iter()
            .map(|q| q.expected)
            .sum::<Decimal>()
            .min(width),
        settles,
    };
    let mut out = Vec::with_capacity(questions.len());
    let mut merged = Some(merged);
    for q in questions {
        if q.settles.is_empty() {
            out.push(q.clone());
        } else if let Some(m) = merged.take() {
            out.push(m);
        }
    }
    out
}

/// The path of the question that settles several sections at once.
pub const SECTIONS: &str = "sections";
