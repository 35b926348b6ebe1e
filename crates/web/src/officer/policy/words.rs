//! A draft in words for the policy office: what it changes ("安家补贴·硕士（2026年版起）：¥80,000
//! → ¥100,000"), and what the loader found, as sentences naming the program and the
//! description — the file, line and column kept aside for whoever commits the change (and, as
//! they are, for `talent-subsidy check` on the command line).

use super::*;
use rules::policy::load::draft::{Change, TextSlot};
use rules::units::Unit;

/// A value with its unit, as an officer reads it: `¥100,000`, `1.3 倍`, `55 年`.
fn value_words(value: &str, unit: Option<Unit>, l: Lang) -> String {
    let shown = rules::words::grouped_text(value);
    match unit {
        Some(Unit::Yuan) => format!("¥{shown}"),
        Some(u) => format!("{shown} {}", l.t(u.zh(), u.en())),
        None => shown,
    }
}

/// Which description a text slot is: `人才倍增计划·安家补贴的金额说明（中文）`.
pub(super) fn text_words(t: &TextSlot, l: Lang) -> String {
    let part = match t.part {
        "review" => l.t("一事一议说明", "note on committee review"),
        _ => l.t("金额说明", "amount description"),
    };
    let lang = match t.lang {
        "en" => l.t("英文", "English"),
        _ => l.t("中文", "Chinese"),
    };
    match l {
        Lang::Zh => format!("{}的{part}（{lang}）", t.program_zh),
        Lang::En => format!("the {part} ({lang}) of {}", t.program_en),
    }
}

/// The day a draft applies from, in words, for a value it changes from then.
fn from_words(change: &Change, new_id: &str, l: Lang) -> Option<String> {
    change.from.map(|d| match l {
        Lang::Zh => format!("自 {d} 起（新增 {new_id}年版）"),
        Lang::En => format!("from {d} (a new {new_id} edition)"),
    })
}

/// Each thing the draft changes, as a sentence.
pub(super) fn change_words(
    change: &Change,
    files: &[(String, String)],
    slots: &[Slot],
    l: Lang,
) -> Vec<String> {
    let order = draft::version_ids(files);
    let ids: Vec<&str> = order.iter().map(String::as_str).collect();
    let new_id = change
        .from
        .map(|d| draft::new_version_id(&ids, d))
        .unwrap_or_default();
    let mut out = Vec::new();
    if let (Some(d), Some(last)) = (change.from, order.last()) {
        let until = d.pred_opt().unwrap_or(d);
        out.push(match l {
            Lang::Zh => format!(
                "新增 {new_id}年版，自 {d} 起施行；{last}年版至 {until} 止，此前的申请仍按原版本测算"
            ),
            Lang::En => format!(
                "A new {new_id} edition in force from {d}; the {last} edition ends on {until}, and earlier applications keep their edition"
            ),
        });
    }
    for e in &change.edits {
        let Some(slot) = slots.iter().find(|s| s.key == e.slot) else {
            continue;
        };
        let (name, which) = slot_words(slot, l);
        let which = match (
            from_words(change, &new_id, l),
            draft::in_force_last(slot, slots, &order),
        ) {
            // A value changed from the new version on: its tier, then the day.
            (Some(from), true) => [tier_words(slot, l), Some(from)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(l.t("，", ", ")),
            _ => which,
        };
        let which = if which.is_empty() {
            String::new()
        } else {
            format!("{}{which}{}", l.t("（", " ("), l.t("）", ")"))
        };
        out.push(format!(
            "{name}{which}{}{} → {}",
            l.colon(),
            value_words(&slot.value, slot.unit, l),
            value_words(&e.value, slot.unit, l)
        ));
    }
    let texts = draft::text_slots(files);
    for t in &change.texts {
        if let Some(slot) = texts.iter().find(|s| s.key == t.slot) {
            out.push(format!(
                "{}{}“{}”",
                text_words(slot, l),
                l.t("改为：", " becomes: "),
                t.value.trim()
            ));
        }
    }
    out
}

/// What the loader found in a draft, as an officer reads it.
pub struct Finding {
    pub warning: bool,
    /// A sentence naming the program and what to do.
    pub words: String,
    /// `doubling.toml:107:40`, for whoever commits the change.
    pub place: String,
    /// The description it is about, when it is one (its editor is on the form).
    pub text_key: Option<String>,
}

/// The first “quoted” words of a message: the number a description check names.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('“')? + '“'.len_utf8();
    let end = start + message[start..].find('”')?;
    Some(&message[start..end])
}

/// The findings of a draft's files (`after`): a description whose numbers no longer match
/// names its program and the draft's values; anything else says what the loader said, in the
/// page's language.
pub(super) fn findings(
    diags: &[Diagnostic],
    after: &[(String, String)],
    changed: &[String],
    l: Lang,
) -> Vec<Finding> {
    let texts = draft::text_slots(after);
    diags
        .iter()
        .map(|d| {
            let name = d
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let place = format!("{name}:{}:{}", d.line, d.column);
            let said = if l == Lang::Zh && !d.zh.is_empty() {
                d.zh.as_str()
            } else {
                d.message.as_str()
            };
            let slot = after
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| draft::offset_of(text, d.line, d.column))
                .and_then(|at| texts.iter().find(|t| t.holds(&name, at)));
            let (words, text_key) = match (slot, quoted(said)) {
                (Some(t), Some(number)) => {
                    let values = if changed.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "{}{}{}",
                            l.t("（草案：", " (the draft: "),
                            changed.join(l.t("；", "; ")),
                            l.t("）", ")")
                        )
                    };
                    let words = match l {
                        Lang::Zh => format!(
                            "{}仍写着“{number}”，与草案的数值不一致{values}。请在下面改正这段说明，提交前须改正。",
                            text_words(t, l)
                        ),
                        Lang::En => format!(
                            "{} still says “{number}”, which is not a value of the draft{values}. Correct the description below before the change is committed.",
                            capitalised(&text_words(t, l))
                        ),
                    };
                    (words, Some(t.key.clone()))
                }
                _ => (said.to_string(), None),
            };
            Finding {
                warning: d.severity == Severity::Warning,
                words,
                place,
                text_key,
            }
        })
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// A description on the draft's form: its words now (the draft's, else the files'), and what
/// was found in it.
pub struct TextLine {
    pub key: String,
    pub label: String,
    pub text: String,
    pub note: String,
}

/// The descriptions the form offers to rewrite: those with a finding, and those the draft
/// already rewrote.
pub(super) fn text_lines(
    change: &Change,
    files: &[(String, String)],
    found: &[Finding],
    l: Lang,
) -> Vec<TextLine> {
    draft::text_slots(files)
        .into_iter()
        .filter_map(|t| {
            let edited = change.texts.iter().find(|e| e.slot == t.key);
            let notes: Vec<&str> = found
                .iter()
                .filter(|f| f.text_key.as_deref() == Some(t.key.as_str()))
                .map(|f| f.words.as_str())
                .collect();
            (edited.is_some() || !notes.is_empty()).then(|| TextLine {
                label: capitalised(&text_words(&t, l)),
                text: edited.map_or_else(|| t.text.clone(), |e| e.value.clone()),
                note: notes.join(" "),
                key: t.key,
            })
        })
        .collect()
}
