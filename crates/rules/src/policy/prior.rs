//! How likely each answer is: the prior the interview weighs its questions with (brief §8,
//! "what to ask next"). Shipped in `policy/prior.toml` as counts per answer; the service adds
//! what it has seen since (saved applications and batch checks, counted by bucket, nothing
//! personal kept) with [`Prior::with_seen`].
//!
//! Invariants: a bucket is an answer of its path's type (a section applies or not, a yes/no,
//! a value of the field's list, a number, a date as years before the application date);
//! counts are whole and at least 0; a path without buckets has no prior (the screening then
//! weighs its answers evenly).

use crate::Msg;
use crate::applicant::{Domain, PATHS, Profile};
use crate::policy::fields::{FIELDS, Section};
use crate::policy::value::{Ty, Val};
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

/// One answer a path may have, for weighing.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A section applies (`yes`) or not (`no`).
    Section(bool),
    /// A field's value (a yes/no, a list value, a set of at most one value, a number).
    Value(Val<'static>),
    /// A date this many months before the application date.
    MonthsBefore(u32),
    /// Programs already received: none (`None`), or this one.
    Received(Option<String>),
}

/// An answer and how often it is seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// As written in `prior.toml` (`master`, `300000`, `3`, `yes`…).
    pub key: String,
    pub answer: Answer,
    /// As shipped in `prior.toml`.
    pub count: u64,
    /// As the service has seen since ([`Prior::with_seen`]).
    pub seen: u64,
}

impl Bucket {
    /// How much the answer weighs: shipped and seen together.
    pub fn weight(&self) -> u64 {
        self.count.saturating_add(self.seen)
    }
}

/// The buckets of each path that has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prior {
    pub paths: Vec<(&'static str, Vec<Bucket>)>,
}

impl Prior {
    /// The buckets of a path, when the prior has any with a count.
    pub fn of(&self, path: &str) -> Option<&[Bucket]> {
        self.paths
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, b)| b.as_slice())
            .filter(|b| b.iter().any(|x| x.weight() > 0))
    }

    /// This prior with what the service has seen: `seen` (path, bucket key, count) replaces
    /// any seen before; a path or key it does not have is left out.
    pub fn with_seen<'a>(&self, seen: impl IntoIterator<Item = (&'a str, &'a str, u64)>) -> Prior {
        let mut out = self.clone();
        for (_, buckets) in &mut out.paths {
            for b in buckets {
                b.seen = 0;
            }
        }
        for (path, key, count) in seen {
            if let Some(b) = out
                .paths
                .iter_mut()
                .find(|(p, _)| *p == path)
                .and_then(|(_, bs)| bs.iter_mut().find(|b| b.key == key))
            {
                b.seen = b.seen.saturating_add(count);
            }
        }
        out
    }

    /// The bucket each answer of a full profile falls in (the nearest one for numbers and
    /// dates), as (path, key): what the service counts, nothing else of the person.
    pub fn buckets_of<'s>(&'s self, profile: &Profile) -> Vec<(&'static str, &'s str)> {
        let mut out = Vec::new();
        for (path, buckets) in &self.paths {
            if let Some(key) = bucket_of(path, buckets, profile) {
                out.push((*path, key));
            }
        }
        out
    }
}

fn bucket_of<'s>(path: &str, buckets: &'s [Bucket], p: &Profile) -> Option<&'s str> {
    let is = |a: &Answer| buckets.iter().find(|b| b.answer == *a).map(|b| &*b.key);
    if let Some(s) = Section::ALL.iter().find(|s| s.path() == path) {
        return is(&Answer::Section(s.is_present(p)));
    }
    if path == "prior_awards" {
        return is(&Answer::Received(
            p.prior_awards.first().map(|a| a.to_string()),
        ));
    }
    let f = FIELDS.iter().find(|f| f.path == path)?;
    let value = (f.get)(p)?;
    let nearest = |distance: &dyn Fn(&Answer) -> Option<Decimal>| {
        buckets
            .iter()
            .filter_map(|b| distance(&b.answer).map(|d| (d, &*b.key)))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    };
    match value {
        Val::Num(n) => nearest(&|a| match a {
            Answer::Value(Val::Num(m)) => Some((n - m).abs()),
            _ => None,
        }),
        Val::Date(d) => {
            let months = months_before(d, p.application_date);
            nearest(&|a| match a {
                Answer::MonthsBefore(m) => Some(Decimal::from((i64::from(*m) - months).abs())),
                _ => None,
            })
        }
        Val::Set(dom, bits) => {
            // A set counts under its first value (or "none").
            let first = if bits == 0 {
                0
            } else {
                1u64 << bits.trailing_zeros()
            };
            is(&Answer::Value(Val::Set(dom, first)))
        }
        Val::Bool(_) | Val::Enum(..) | Val::Months(_) => is(&Answer::Value(value_static(value)?)),
        Val::Text(_) => None,
    }
}

fn value_static(v: Val<'_>) -> Option<Val<'static>> {
    Some(match v {
        Val::Bool(b) => Val::Bool(b),
        Val::Num(n) => Val::Num(n),
        Val::Date(d) => Val::Date(d),
        Val::Months(m) => Val::Months(m),
        Val::Enum(d, i) => Val::Enum(d, i),
        Val::Set(d, s) => Val::Set(d, s),
        Val::Text(_) => return None,
    })
}

/// Whole months from `d` back from `on` (negative when `d` is later).
pub fn months_before(d: NaiveDate, on: NaiveDate) -> i64 {
    use chrono::Datelike;
    let m = |x: NaiveDate| i64::from(x.year()) * 12 + i64::from(x.month0());
    m(on) - m(d)
}

/// The date `months` before `on` (`on` itself when it cannot be counted back).
pub fn date_before(on: NaiveDate, months: u32) -> NaiveDate {
    on.checked_sub_months(Months::new(months)).unwrap_or(on)
}

/// Reads one bucket key of `path`: the answer it stands for, or what is wrong with it
/// (Chinese, English).
pub fn read_key(path: &str, key: &str) -> Result<Answer, Msg> {
    if Section::ALL.iter().any(|s| s.path() == path) {
        return match key {
            "yes" => Ok(Answer::Section(true)),
            "no" => Ok(Answer::Section(false)),
            _ => Err(expected("yes 或 no", "yes or no", key)),
        };
    }
    if path == "prior_awards" {
        return Ok(Answer::Received((key != "none").then(|| key.to_string())));
    }
    let Some(f) = FIELDS.iter().find(|f| f.path == path) else {
        let known: Vec<&str> = PATHS
            .iter()
            .skip(1)
            .copied()
            .filter(|p| {
                FIELDS.iter().find(|f| f.path == *p).is_none_or(|f| {
                    !matches!(f.ty, Ty::Text | Ty::TextSet | Ty::Months)
                        && f.path != "person.id_type"
                })
            })
            .collect();
        return Err(Msg::new(
            format!("没有“{path}”这一项；可写的项为：{}", known.join("、")),
            format!("no answer `{path}`; the answers are {}", known.join(", ")),
        ));
    };
    let in_domain = |d: Domain, zh: &str, en: &str| {
        d.values()
            .iter()
            .position(|v| v.id == key)
            .map(|i| i as u8)
            .ok_or_else(|| {
                let ids: Vec<&str> = d.values().iter().map(|v| v.id).collect();
                expected(
                    &format!("{zh}：{}", ids.join("、")),
                    &format!("{en}: {}", ids.join(", ")),
                    key,
                )
            })
    };
    let number = || {
        key.parse::<Decimal>()
            .ok()
            .filter(|n| !n.is_sign_negative())
    };
    match f.ty {
        Ty::Bool => match key {
            "true" => Ok(Answer::Value(Val::Bool(true))),
            "false" => Ok(Answer::Value(Val::Bool(false))),
            _ => Err(expected("true 或 false", "true or false", key)),
        },
        Ty::Enum(d) => Ok(Answer::Value(Val::Enum(
            d,
            in_domain(d, "取值之一", "one of")?,
        ))),
        Ty::Set(d) if key == "none" => Ok(Answer::Value(Val::Set(d, 0))),
        Ty::Set(d) => Ok(Answer::Value(Val::Set(
            d,
            1u64 << in_domain(d, "none 或取值之一", "none or one of")?,
        ))),
        Ty::Num => number()
            .map(|n| Answer::Value(Val::Num(n)))
            .ok_or_else(|| expected("不小于 0 的数", "a number, 0 or more", key)),
        Ty::Date => number()
            .and_then(|years| (years * Decimal::from(12)).round().try_into().ok())
            .map(Answer::MonthsBefore)
            .ok_or_else(|| {
                expected(
                    "申请日之前的年数（如 3 或 0.5）",
                    "years before the application date (such as 3 or 0.5)",
                    key,
                )
            }),
        Ty::Months | Ty::Text | Ty::TextSet => Err(Msg::new(
            format!("“{path}”不按答案加权"),
            format!("`{path}` is not weighed by its answers"),
        )),
    }
}

fn expected(zh: &str, en: &str, key: &str) -> Msg {
    Msg::new(
        format!("“{key}”不是此项的答案：应为{zh}"),
        format!("`{key}` is not an answer here: expected {en}"),
    )
}
