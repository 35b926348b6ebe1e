//! What people read, shared by the pages and the spreadsheets: money as `¥1,234,567`, a
//! policy value in words, and a hint as a sentence ("在园区缴纳社保月数由 4 提高到 6，合计增加
//! ¥80,000：…"). Nothing here decides anything; it words what the engine returned.

use crate::applicant::Domain;
use crate::engine::Status;
use crate::engine::hints::{Change, Hint};
use crate::input::{self as form, Lang};
use crate::policy::model::Rules;
use crate::policy::value::{Shown, ShownText};
use rust_decimal::Decimal;

/// `¥1,234,567` for whole yuan, with cents when there are any.
pub fn yuan(d: &Decimal) -> String {
    let n = grouped(d);
    match n.strip_prefix('-') {
        Some(rest) => format!("-¥{rest}"),
        None => format!("¥{n}"),
    }
}

/// A change of money: `+¥600,000`, `-¥300,000`, `¥0`.
pub fn signed_yuan(d: Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{}", yuan(&d))
    } else {
        yuan(&d)
    }
}

/// A number as written in a policy file with its thousands grouped (`2500000` is
/// `2,500,000`); a value that is not a plain number (`30%`) as written.
pub fn grouped_text(v: &str) -> String {
    v.parse::<Decimal>()
        .map_or_else(|_| v.to_string(), |d| grouped(&d))
}

/// `1,234,567` (a count, or an amount without its sign of yuan), decimals kept.
pub fn grouped(d: &Decimal) -> String {
    let d = d.normalize();
    let text = d.abs().to_string();
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A value as a person reads it: enumeration values by name, yes/no in words.
pub fn show(shown: &Shown, rules: &Rules, lang: Lang) -> String {
    match shown {
        Shown::Bool(b) => lang
            .t(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .into(),
        Shown::Enum(Domain::Tier, i) => rules.value_name(Domain::Tier, *i).to_string(),
        // Large amounts read better grouped: 20,000,000.
        Shown::Num(n) if n.abs() >= Decimal::from(10_000) => yuan(n).replacen('¥', "", 1),
        other => {
            let names = |d: Domain, i: u8| -> &str {
                if d == Domain::Tier {
                    return rules.value_name(d, i);
                }
                d.values()
                    .get(i as usize)
                    .map_or("?", |v| form::value_name(v, lang.en()))
            };
            ShownText {
                shown: other,
                names: &names,
            }
            .to_string()
        }
    }
}

/// One change in words: "本人持股比例由 25% 提高到 30%".
fn change_words(c: &Change<'_>, rules: &Rules, lang: Lang) -> String {
    let spec = form::field(c.field);
    let label = spec.map_or(c.field, |f| lang.t(f.zh, f.en));
    // "本人持股比例（%）" reads "本人持股比例" in a sentence that says the unit itself.
    let label = label.split(['（', '(']).next().unwrap_or(label).trim_end();
    // In an English sentence the label is not at its start: "raise your equity share".
    let label = match (lang, label.chars().next()) {
        (Lang::En, Some(first)) => {
            first.to_lowercase().collect::<String>() + &label[first.len_utf8()..]
        }
        _ => label.to_string(),
    };
    let (uzh, uen) = spec.map_or(("", ""), |f| form::unit(f.kind));
    let unit = lang.t(uzh, uen);
    match (&c.to, &c.from) {
        (Shown::Bool(_), _) => match lang {
            Lang::Zh => format!("做到“{label}”"),
            Lang::En => format!("“{label}” becomes yes"),
        },
        (to, Some(from)) => {
            let up = match (from, to) {
                (Shown::Num(a), Shown::Num(b)) => b > a,
                _ => true,
            };
            let (from, to) = (show(from, rules, lang), show(to, rules, lang));
            match (lang, up) {
                (Lang::Zh, true) => format!("{label}由 {from}{unit} 提高到 {to}{unit}"),
                (Lang::Zh, false) => format!("{label}由 {from}{unit} 降低到 {to}{unit}"),
                (Lang::En, true) => format!("raise {label} from {from}{unit} to {to}{unit}"),
                (Lang::En, false) => format!("lower {label} from {from}{unit} to {to}{unit}"),
            }
        }
        (to, None) => {
            let to = show(to, rules, lang);
            match lang {
                Lang::Zh => format!("{label}达到 {to}{unit}"),
                Lang::En => format!("{label} of {to}{unit}"),
            }
        }
    }
}

/// "人才本人持股比例由 25% 提高到 30%，合计增加 ¥3,162,000：金英计划·创业类项目资助
/// ¥3,000,000、金英计划·创业场地租金补贴 ¥162,000".
pub fn hint_sentence(h: &Hint<'_>, rules: &Rules, lang: Lang) -> String {
    let changes: Vec<String> = h
        .changes
        .iter()
        .map(|c| change_words(c, rules, lang))
        .collect();
    let moved: Vec<String> = h
        .moved
        .iter()
        .map(|(p, from, to)| {
            let name = lang.t(&p.zh, &p.en);
            if to >= from {
                format!("{name} {}", yuan(to))
            } else {
                format!("{name} {} → {}", yuan(from), yuan(to))
            }
        })
        .collect();
    match lang {
        Lang::Zh => format!(
            "{}，合计增加 {}：{}",
            changes.join("，并且"),
            yuan(&h.gained),
            moved.join("、")
        ),
        Lang::En => {
            let mut text = changes.join(", and ");
            if let Some(first) = text.get(..1) {
                text = first.to_uppercase() + &text[1..];
            }
            format!(
                "{text}: your total rises by {} ({})",
                yuan(&h.gained),
                moved.join("; ")
            )
        }
    }
}

/// A program's status in words.
pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Eligible => lang.t("符合", "Eligible"),
        Status::Ineligible => lang.t("不符合", "Not eligible"),
        Status::NotApplicable => lang.t("不适用", "Not applicable"),
        Status::Excluded => lang.t("不重复享受", "Not combined"),
        Status::Declined => lang.t("未申请", "Not applied for"),
    }
}

/// `jinying 第五条` → 《“金英计划”实施办法》第五条 (the document's name in the language).
pub fn citation(policy: &crate::policy::Policy, cite: &str, lang: Lang) -> String {
    let (doc, article) = cite.split_once(' ').unwrap_or((cite, ""));
    match policy.documents.iter().find(|d| &*d.id == doc) {
        Some(d) => match lang {
            Lang::Zh => format!("{}{}", d.zh, article),
            Lang::En => format!("{}, {}", d.en, article_en(article)),
        },
        None => cite.to_string(),
    }
}

/// `第十三条` → `Article 13`; anything else as written.
fn article_en(article: &str) -> String {
    let Some(n) = article
        .strip_prefix('第')
        .and_then(|a| a.strip_suffix('条'))
    else {
        return article.to_string();
    };
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let number = match n.chars().collect::<Vec<_>>().as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => digit(*u).map(|u| 10 + u),
        [t, '十'] => digit(*t).map(|t| t * 10),
        [t, '十', u] => digit(*t).zip(digit(*u)).map(|(t, u)| t * 10 + u),
        _ => None,
    };
    number.map_or(article.to_string(), |n| format!("Article {n}"))
}
