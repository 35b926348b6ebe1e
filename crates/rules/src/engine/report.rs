//! The result as JSON (the contract of `talent-subsidy eval` and the API): money as decimal
//! strings, every program in order, every condition with its value, requirement and citation.
//!
//! The JSON is written straight into a byte buffer by [`Assessment::write_json`], the one
//! implementation of the format (`Serialize` wraps it): a result is about 10 KB, and `eval`
//! writes hundreds of thousands of them.

use super::hints::Hint;
use super::json_out::{boolean, comma, display, escaped, key, money, plain_shown, string};
use super::{
    Assessment, ConditionOutcome, Observed, ProgramOutcome, ReducedBy, Reduction, Requirement,
};
use crate::policy::model::{Condition, ConditionParts, JsonParts, Program, Rules};
use crate::policy::value::{Shown, ShownText};
use serde::Serialize;
use std::fmt;

pub const DISCLAIMER_ZH: &str = "估算结果，以园区正式审核为准";
pub const DISCLAIMER_EN: &str = "Estimate only; the park's review decides.";

/// A shown value as text, enumeration values by id.
pub struct ValueText<'a> {
    pub shown: &'a Shown,
    pub rules: &'a Rules,
}

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |d, i| self.rules.value_name(d, i);
        ShownText {
            shown: self.shown,
            names: &names,
        }
        .fmt(f)
    }
}

/// What the profile showed for a condition, as one line of text (empty when not given).
pub struct ObservedText<'a> {
    pub observed: &'a Observed,
    pub condition: &'a Condition,
    pub rules: &'a Rules,
}

impl fmt::Display for ObservedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.observed {
            Observed::One(Some(s)) => ValueText {
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
                            ValueText {
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

/// What a condition requires, as one line of text (`≥ 30`, `= true`, or the rule itself).
pub struct RequirementText<'a> {
    pub requirement: &'a Requirement,
    pub condition: &'a Condition,
    pub rules: &'a Rules,
}

impl fmt::Display for RequirementText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.requirement {
            Requirement::Compare(op, Some(s)) => write!(
                f,
                "{} {}",
                op.symbol(),
                ValueText {
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

/// The parts of a program's JSON that depend only on the policy.
fn parts(p: &Program) -> JsonParts {
    JsonParts {
        head: format!(
            "{{\"id\":{},\"name_zh\":{},\"name_en\":{},\"status\":",
            escaped(&p.id),
            escaped(&p.zh),
            escaped(&p.en)
        ),
        conditions: p
            .conditions
            .iter()
            .map(|c| ConditionParts {
                head: format!("{{\"id\":{},\"met\":", escaped(&c.id)),
                tail: format!(",\"citation\":{}}}", escaped(&c.cite)),
                fixed_requirement: super::requirement_is_fixed(c).then(std::sync::OnceLock::new),
            })
            .collect(),
        installments: p
            .installments
            .iter()
            .map(|i| format!(",\"share\":{}}}", escaped(&i.share)))
            .collect(),
        tail: format!(",\"amount_citation\":{}}}", escaped(&p.amount.cite)),
    }
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    scratch: String,
    rules: &'a Rules,
}

impl Writer<'_> {
    fn condition(&mut self, c: &Condition, o: &ConditionOutcome, parts: &ConditionParts) {
        let rules = self.rules;
        self.out.extend_from_slice(parts.head.as_bytes());
        boolean(self.out, o.met);
        self.out.extend_from_slice(b",\"value\":");
        match &o.value {
            Observed::One(None) => self.out.extend_from_slice(b"null"),
            // The common values, without going through `fmt`.
            Observed::One(Some(Shown::Bool(b))) => {
                self.out
                    .extend_from_slice(if *b { b"\"true\"" } else { b"\"false\"" })
            }
            Observed::One(Some(Shown::Enum(d, i))) => string(self.out, rules.value_name(*d, *i)),
            Observed::One(Some(s)) if plain_shown(self.out, "", s) => {}
            observed => display(
                self.out,
                &mut self.scratch,
                ObservedText {
                    observed,
                    condition: c,
                    rules,
                },
            ),
        }
        self.out.extend_from_slice(b",\"requirement\":");
        let requirement = RequirementText {
            requirement: &o.requirement,
            condition: c,
            rules,
        };
        match &parts.fixed_requirement {
            Some(cell) => {
                let json = cell.get_or_init(|| {
                    let mut buf = Vec::new();
                    display(&mut buf, &mut String::new(), &requirement);
                    String::from_utf8(buf).unwrap_or_default()
                });
                self.out.extend_from_slice(json.as_bytes());
            }
            None => match &o.requirement {
                Requirement::Compare(op, Some(s)) if plain_shown(self.out, op.symbol(), s) => {}
                _ => display(self.out, &mut self.scratch, requirement),
            },
        }
        self.out.extend_from_slice(parts.tail.as_bytes());
    }

    fn reduction(&mut self, r: &Reduction<'_>) {
        let out = &mut *self.out;
        out.push(b'{');
        let (id, kind, zh, en, cite) = match r.by {
            ReducedBy::Exclusive(g, _) => (&g.id, "no_double_funding", &g.zh, &g.en, &g.cite),
            ReducedBy::Cap(c) => (&c.id, "cap", &c.zh, &c.en, &c.cite),
        };
        key(out, "rule");
        string(out, id);
        out.extend_from_slice(b",");
        key(out, "kind");
        string(out, kind);
        match r.by {
            ReducedBy::Exclusive(_, winner) => {
                out.push(b',');
                key(out, "winner");
                string(out, &winner.id);
            }
            ReducedBy::Cap(c) => {
                out.push(b',');
                key(out, "max");
                money(out, &mut self.scratch, &c.max);
            }
        }
        out.push(b',');
        key(out, "label_zh");
        string(out, zh);
        out.push(b',');
        key(out, "label_en");
        string(out, en);
        out.push(b',');
        key(out, "citation");
        string(out, cite);
        out.push(b',');
        key(out, "from");
        money(out, &mut self.scratch, &r.from);
        out.push(b',');
        key(out, "to");
        money(out, &mut self.scratch, &r.to);
        out.push(b'}');
    }

    fn program(&mut self, o: &ProgramOutcome<'_>) {
        let p = o.program;
        let parts = p.json_parts.get_or_init(|| parts(p));
        self.out.extend_from_slice(parts.head.as_bytes());
        string(self.out, o.status.id());
        self.out.extend_from_slice(b",\"amount\":");
        money(self.out, &mut self.scratch, &o.amount);
        self.out.extend_from_slice(b",\"computed_amount\":");
        money(self.out, &mut self.scratch, &o.computed_amount);
        self.out.extend_from_slice(b",\"review_required\":");
        boolean(self.out, o.review_required);
        self.out.extend_from_slice(b",\"missing_sections\":[");
        for (i, s) in o.missing_sections.iter().enumerate() {
            comma(self.out, i);
            string(self.out, s.path());
        }
        self.out.extend_from_slice(b"],\"conditions\":[");
        for (i, ((c, co), cp)) in p
            .conditions
            .iter()
            .zip(&o.conditions)
            .zip(&parts.conditions)
            .enumerate()
        {
            comma(self.out, i);
            self.condition(c, co, cp);
        }
        self.out.extend_from_slice(b"],\"reductions\":[");
        for (i, r) in o.reductions.iter().enumerate() {
            comma(self.out, i);
            self.reduction(r);
        }
        self.out.extend_from_slice(b"],\"installments\":[");
        for (i, (amount, tail)) in o.installments.iter().zip(&parts.installments).enumerate() {
            comma(self.out, i);
            self.out.extend_from_slice(b"{\"amount\":");
            money(self.out, &mut self.scratch, amount);
            self.out.extend_from_slice(tail.as_bytes());
        }
        self.out.push(b']');
        self.out.extend_from_slice(parts.tail.as_bytes());
    }
}

impl Assessment<'_> {
    /// Appends the result as one line of compact JSON (without the newline).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let rules = &self.version.rules;
        let mut w = Writer {
            out,
            scratch: String::with_capacity(64),
            rules,
        };
        w.out.push(b'{');
        key(w.out, "policy_version");
        string(w.out, &self.version.id);
        w.out.push(b',');
        key(w.out, "application_date");
        display(w.out, &mut w.scratch, self.application_date);
        w.out.push(b',');
        key(w.out, "talent_tier");
        string(w.out, self.tier_id());
        w.out.push(b',');
        key(w.out, "tier_rule");
        match self.tier {
            Some((t, row)) => {
                w.out.push(b'{');
                for (i, (k, v)) in [
                    ("tier_name_zh", &*t.zh),
                    ("tier_name_en", &*t.en),
                    ("row", &*row.id),
                    ("label_zh", &*row.zh),
                    ("label_en", &*row.en),
                    ("citation", &*row.cite),
                ]
                .into_iter()
                .enumerate()
                {
                    comma(w.out, i);
                    key(w.out, k);
                    string(w.out, v);
                }
                w.out.push(b'}');
            }
            None => w.out.extend_from_slice(b"null"),
        }
        w.out.push(b',');
        key(w.out, "programs");
        w.out.push(b'[');
        for (i, p) in self.programs.iter().enumerate() {
            comma(w.out, i);
            w.program(p);
        }
        w.out.extend_from_slice(b"],");
        key(w.out, "total");
        money(w.out, &mut w.scratch, &self.total);
        w.out.push(b',');
        key(w.out, "disclaimer_zh");
        string(w.out, DISCLAIMER_ZH);
        w.out.push(b',');
        key(w.out, "disclaimer_en");
        string(w.out, DISCLAIMER_EN);
        w.out.push(b'}');
    }
}

impl Assessment<'_> {
    /// Appends the result with a `hints` member (see [`super::hints`]).
    pub fn write_json_with_hints(&self, hints: &[Hint<'_>], out: &mut Vec<u8>) {
        self.write_json(out);
        out.pop();
        out.extend_from_slice(b",\"hints\":");
        let _ = serde_json::to_writer(&mut *out, &hints_json(hints, self));
        out.push(b'}');
    }
}

impl Assessment<'_> {
    /// Appends the decision without its explanation, for checking many people at once: the
    /// version, the tier, each program's status and amount (by program id), the total, and —
    /// when `hints` is given — each hint as `[program, field, value to reach, new total]` (a
    /// hint of several changes adds `field, value` pairs after the total).
    /// About 400 bytes without hints.
    pub fn write_summary(&self, hints: Option<&[Hint<'_>]>, out: &mut Vec<u8>) {
        let mut scratch = String::new();
        out.extend_from_slice(b"{\"policy_version\":");
        string(out, &self.version.id);
        out.extend_from_slice(b",\"talent_tier\":");
        string(out, self.tier_id());
        out.extend_from_slice(b",\"programs\":{");
        for (i, p) in self.programs.iter().enumerate() {
            comma(out, i);
            string(out, &p.program.id);
            out.extend_from_slice(b":[");
            string(out, p.status.id());
            out.push(b',');
            money(out, &mut scratch, &p.amount);
            out.push(b']');
        }
        out.extend_from_slice(b"},\"total\":");
        money(out, &mut scratch, &self.total);
        if let Some(hints) = hints {
            out.extend_from_slice(b",\"hints\":[");
            for (i, h) in hints.iter().enumerate() {
                comma(out, i);
                out.push(b'[');
                string(out, &h.program.id);
                out.push(b',');
                string(out, h.first().field);
                out.push(b',');
                string(out, &self.version.rules.render(&h.first().to));
                out.push(b',');
                money(out, &mut scratch, &h.total);
                for c in &h.changes[1..] {
                    out.push(b',');
                    string(out, c.field);
                    out.push(b',');
                    string(out, &self.version.rules.render(&c.to));
                }
                out.push(b']');
            }
            out.push(b']');
        }
        out.push(b'}');
    }
}

/// Hints as JSON, rendering values with the assessment's rules.
pub fn hints_json(hints: &[Hint<'_>], a: &Assessment<'_>) -> serde_json::Value {
    let rules = &a.version.rules;
    hints
        .iter()
        .map(|h| {
            let first = h.first();
            serde_json::json!({
                "program": &*h.program.id,
                "condition": &*first.condition.id,
                "field": first.field,
                "from": first.from.as_ref().map(|v| rules.render(v)),
                "to": rules.render(&first.to),
                "changes": h.changes.iter().map(|c| serde_json::json!({
                    "condition": &*c.condition.id,
                    "field": c.field,
                    "from": c.from.as_ref().map(|v| rules.render(v)),
                    "to": rules.render(&c.to),
                })).collect::<Vec<_>>(),
                "amount": h.amount,
                "total": h.total,
                "gained": h.gained,
                "moved": h.moved.iter().map(|(p, from, to)| serde_json::json!({
                    "program": &*p.id,
                    "from": from,
                    "to": to,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

impl Serialize for Assessment<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Vec::with_capacity(12 * 1024);
        self.write_json(&mut buf);
        let text = String::from_utf8(buf).map_err(serde::ser::Error::custom)?;
        let raw =
            serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}
