//! The result as JSON (the contract of `talent-subsidy eval` and the API): money as decimal
//! strings, every program in order, every condition with its value, requirement and citation.

use super::{Assessment, ConditionOutcome, Observed, ProgramOutcome, ReducedBy, Requirement};
use crate::policy::model::{Condition, Rules};
use crate::policy::value::{Shown, ShownText};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use std::fmt;

pub const DISCLAIMER_ZH: &str = "估算结果，以园区正式审核为准";
pub const DISCLAIMER_EN: &str = "Estimate only; the park's review decides.";

/// A shown value written as text through a serializer, without an intermediate `String`.
struct Text<'a> {
    shown: &'a Shown,
    rules: &'a Rules,
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |d, i| self.rules.value_name(d, i);
        ShownText {
            shown: self.shown,
            names: &names,
        }
        .fmt(f)
    }
}

struct Value<'a> {
    observed: &'a Observed,
    condition: &'a Condition,
    rules: &'a Rules,
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.observed {
            Observed::One(Some(s)) => Text {
                shown: s,
                rules: self.rules,
            }
            .fmt(f),
            Observed::One(None) => Ok(()),
            Observed::Several(values) => {
                for (i, ((name, _), v)) in self.condition.leaves.iter().zip(values).enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    match v {
                        Some(s) => write!(
                            f,
                            "{name} = {}",
                            Text {
                                shown: s,
                                rules: self.rules
                            }
                        )?,
                        None => write!(f, "{name} = (not given)")?,
                    }
                }
                Ok(())
            }
        }
    }
}

struct Req<'a> {
    requirement: &'a Requirement,
    condition: &'a Condition,
    rules: &'a Rules,
}

impl fmt::Display for Req<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.requirement {
            Requirement::Compare(op, Some(s)) => write!(
                f,
                "{} {}",
                op.symbol(),
                Text {
                    shown: s,
                    rules: self.rules
                }
            ),
            Requirement::Compare(op, None) => {
                write!(f, "{} (depends on a value not given)", op.symbol())
            }
            Requirement::Is(b) => write!(f, "= {b}"),
            Requirement::Rule => f.write_str(&self.condition.source),
        }
    }
}

struct ConditionJson<'a> {
    outcome: &'a ConditionOutcome,
    condition: &'a Condition,
    rules: &'a Rules,
}

impl Serialize for ConditionJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Condition", 5)?;
        m.serialize_field("id", &*self.condition.id)?;
        m.serialize_field("met", &self.outcome.met)?;
        match &self.outcome.value {
            Observed::One(None) => m.serialize_field("value", &())?,
            observed => m.serialize_field(
                "value",
                &Collect(Value {
                    observed,
                    condition: self.condition,
                    rules: self.rules,
                }),
            )?,
        }
        m.serialize_field(
            "requirement",
            &Collect(Req {
                requirement: &self.outcome.requirement,
                condition: self.condition,
                rules: self.rules,
            }),
        )?;
        m.serialize_field("citation", &*self.condition.cite)?;
        m.end()
    }
}

/// Serializes anything `Display` as a JSON string.
struct Collect<T>(T);

impl<T: fmt::Display> Serialize for Collect<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

struct Seq<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(items) = self.0.borrow_mut().take() {
            for item in items {
                seq.serialize_element(&item)?;
            }
        }
        seq.end()
    }
}

fn seq<I: Iterator>(items: I) -> Seq<I> {
    Seq(std::cell::RefCell::new(Some(items)))
}

struct ProgramJson<'a, 'p> {
    outcome: &'a ProgramOutcome<'p>,
    rules: &'a Rules,
}

impl Serialize for ProgramJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.outcome;
        let p = o.program;
        let mut m = s.serialize_struct("Program", 12)?;
        m.serialize_field("id", &*p.id)?;
        m.serialize_field("name_zh", &p.zh)?;
        m.serialize_field("name_en", &p.en)?;
        m.serialize_field("status", o.status.id())?;
        m.serialize_field("amount", &o.amount)?;
        m.serialize_field("computed_amount", &o.computed_amount)?;
        m.serialize_field("review_required", &o.review_required)?;
        m.serialize_field(
            "missing_sections",
            &seq(o.missing_sections.iter().map(|s| s.path())),
        )?;
        m.serialize_field(
            "conditions",
            &seq(p
                .conditions
                .iter()
                .zip(&o.conditions)
                .map(|(condition, outcome)| ConditionJson {
                    outcome,
                    condition,
                    rules: self.rules,
                })),
        )?;
        m.serialize_field("reductions", &seq(o.reductions.iter().map(ReductionJson)))?;
        m.serialize_field(
            "installments",
            &seq(p
                .installments
                .iter()
                .zip(&o.installments)
                .map(|(i, amount)| InstallmentJson { i, amount })),
        )?;
        m.serialize_field(
            "amount_rule",
            &RuleJson {
                zh: &p.amount.zh,
                en: &p.amount.en,
                cite: &p.amount.cite,
            },
        )?;
        m.end()
    }
}

struct RuleJson<'a> {
    zh: &'a str,
    en: &'a str,
    cite: &'a str,
}

impl Serialize for RuleJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Rule", 3)?;
        m.serialize_field("label_zh", self.zh)?;
        m.serialize_field("label_en", self.en)?;
        m.serialize_field("citation", self.cite)?;
        m.end()
    }
}

struct InstallmentJson<'a> {
    i: &'a crate::policy::model::Installment,
    amount: &'a rust_decimal::Decimal,
}

impl Serialize for InstallmentJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Installment", 4)?;
        m.serialize_field("amount", self.amount)?;
        m.serialize_field("share", &self.i.share)?;
        m.serialize_field("label_zh", &self.i.zh)?;
        m.serialize_field("label_en", &self.i.en)?;
        m.end()
    }
}

struct ReductionJson<'a, 'p>(&'a super::Reduction<'p>);

impl Serialize for ReductionJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        match r.by {
            ReducedBy::Exclusive(g, winner) => {
                m.serialize_entry("rule", &*g.id)?;
                m.serialize_entry("kind", "no_double_funding")?;
                m.serialize_entry("winner", &*winner.id)?;
                m.serialize_entry("label_zh", &g.zh)?;
                m.serialize_entry("label_en", &g.en)?;
                m.serialize_entry("citation", &*g.cite)?;
            }
            ReducedBy::Cap(c) => {
                m.serialize_entry("rule", &*c.id)?;
                m.serialize_entry("kind", "cap")?;
                m.serialize_entry("max", &c.max)?;
                m.serialize_entry("label_zh", &c.zh)?;
                m.serialize_entry("label_en", &c.en)?;
                m.serialize_entry("citation", &*c.cite)?;
            }
        }
        m.serialize_entry("from", &r.from)?;
        m.serialize_entry("to", &r.to)?;
        m.end()
    }
}

impl Serialize for Assessment<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rules = &self.version.rules;
        let mut m = s.serialize_struct("Assessment", 8)?;
        m.serialize_field("policy_version", &*self.version.id)?;
        m.serialize_field("application_date", &self.application_date)?;
        m.serialize_field("talent_tier", self.tier_id())?;
        match self.tier {
            Some((t, row)) => m.serialize_field(
                "tier_rule",
                &TierJson {
                    name_zh: &t.zh,
                    name_en: &t.en,
                    row,
                },
            )?,
            None => m.serialize_field("tier_rule", &())?,
        }
        m.serialize_field(
            "programs",
            &seq(self
                .programs
                .iter()
                .map(|outcome| ProgramJson { outcome, rules })),
        )?;
        m.serialize_field("total", &self.total)?;
        m.serialize_field("disclaimer_zh", DISCLAIMER_ZH)?;
        m.serialize_field("disclaimer_en", DISCLAIMER_EN)?;
        m.end()
    }
}

struct TierJson<'a> {
    name_zh: &'a str,
    name_en: &'a str,
    row: &'a crate::policy::model::TierRow,
}

impl Serialize for TierJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("TierRule", 6)?;
        m.serialize_field("tier_name_zh", self.name_zh)?;
        m.serialize_field("tier_name_en", self.name_en)?;
        m.serialize_field("row", &*self.row.id)?;
        m.serialize_field("label_zh", &self.row.zh)?;
        m.serialize_field("label_en", &self.row.en)?;
        m.serialize_field("citation", &*self.row.cite)?;
        m.end()
    }
}
