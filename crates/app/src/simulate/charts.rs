//! A simulation's charts as data: rows of bars with their words, which the console's template
//! (`officer/bars.html`) draws — labels and numbers as HTML text that wraps on a phone, each bar
//! a rectangle whose length is a share of the longest. No markup is written here, so nothing
//! here escapes anything: the template does.
//!
//! The programs' chart shows the change (a bar per program whose amount moves, gains and losses
//! told apart, with before → after in words) and names the programs left out because they do
//! not move; the cash chart pairs in force and draft per year, told apart by fill and legend.

use super::Simulation;
use rules::input::Lang;
use rules::words::{grouped, yuan};
use rust_decimal::Decimal;

/// Bar lengths are out of this (the longest bar is this long).
pub const FULL: i64 = 1000;

/// One bar: its length (0..=`FULL`), its kind (`current`, `draft`, `gain`, `loss`, `count`),
/// and its number in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub length: i64,
    pub kind: &'static str,
    pub words: String,
}

/// A row: its label and one or two bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// A chart: its id (for the page's anchors and tests), its title, the legend (kind, words),
/// its rows, and a note on what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub id: &'static str,
    pub title: String,
    pub legend: Vec<(&'static str, String)>,
    pub rows: Vec<BarRow>,
    pub note: String,
}

/// Lengths of `values`, each as a share of the largest magnitude among `all`.
fn length(v: &Decimal, max: &Decimal) -> i64 {
    if max.is_zero() {
        return 0;
    }
    use rust_decimal::prelude::ToPrimitive;
    let l = (v.abs() * Decimal::from(FULL) / max).round();
    // A change too small to see still shows a sliver.
    l.to_i64()
        .unwrap_or(FULL)
        .min(FULL)
        .max(i64::from(!v.is_zero()) * 4)
}

/// The change per program: only programs whose amount moves, each with before → after.
pub fn programs(sim: &Simulation, lang: Lang) -> BarChart {
    let changed: Vec<_> = sim
        .programs
        .iter()
        .filter(|p| p.draft_amount != p.current_amount)
        .collect();
    let max = changed
        .iter()
        .map(|p| (p.draft_amount - p.current_amount).abs())
        .max()
        .unwrap_or_default();
    let rows: Vec<BarRow> = changed
        .iter()
        .map(|p| {
            let change = p.draft_amount - p.current_amount;
            BarRow {
                label: lang.t(&p.zh, &p.en).to_string(),
                bars: vec![Bar {
                    length: length(&change, &max),
                    kind: if change.is_sign_negative() {
                        "loss"
                    } else {
                        "gain"
                    },
                    words: format!(
                        "{}{}{} → {}{}",
                        rules::words::signed_yuan(change),
                        lang.t("（", " ("),
                        yuan(&p.current_amount),
                        yuan(&p.draft_amount),
                        lang.t("）", ")")
                    ),
                }],
            }
        })
        .collect();
    let unchanged: Vec<String> = sim
        .programs
        .iter()
        .filter(|p| p.draft_amount == p.current_amount)
        .map(|p| lang.t(&p.zh, &p.en).to_string())
        .collect();
    let note = match (changed.is_empty(), unchanged.is_empty()) {
        (true, _) => lang
            .t("没有项目的资助总额变化。", "No program's amount changes.")
            .to_string(),
        (false, true) => String::new(),
        (false, false) => format!(
            "{}{}{}",
            lang.t(
                &format!("其余 {} 个项目金额不变，未画出：", unchanged.len()),
                &format!(
                    "{} programs whose amount does not change are left out: ",
                    unchanged.len()
                ),
            ),
            unchanged.join(lang.t("、", "; ")),
            lang.t("。", ".")
        ),
    };
    BarChart {
        id: "chart-programs",
        title: lang
            .t(
                "各项目资助总额的变化（草案减现行）",
                "Change in each program's amount (draft less in force)",
            )
            .to_string(),
        // Only the kinds drawn.
        legend: [
            ("gain", lang.t("增加", "More").to_string()),
            ("loss", lang.t("减少", "Less").to_string()),
        ]
        .into_iter()
        .filter(|(kind, _)| {
            rows.iter()
                .any(|r: &BarRow| r.bars.iter().any(|b| b.kind == *kind))
        })
        .collect(),
        rows,
        note,
    }
}

/// What falls due each year, in force and under the draft, side by side.
pub fn cash(sim: &Simulation, lang: Lang) -> BarChart {
    let max = sim
        .cash
        .iter()
        .flat_map(|y| [y.current_total(), y.draft_total()])
        .max()
        .unwrap_or_default();
    let rows = sim
        .cash
        .iter()
        .map(|y| {
            let (now, draft) = (y.current_total(), y.draft_total());
            let change = if now == draft {
                String::new()
            } else {
                format!(
                    "{}{}{}",
                    lang.t("（", " ("),
                    rules::words::signed_yuan(draft - now),
                    lang.t("）", ")")
                )
            };
            BarRow {
                label: lang
                    .t(&format!("{} 年", y.year), &y.year.to_string())
                    .to_string(),
                bars: vec![
                    Bar {
                        length: length(&now, &max),
                        kind: "current",
                        words: format!("{} {}", lang.t("现行", "In force"), yuan(&now)),
                    },
                    Bar {
                        length: length(&draft, &max),
                        kind: "draft",
                        words: format!("{} {}{change}", lang.t("草案", "Draft"), yuan(&draft)),
                    },
                ],
            }
        })
        .collect();
    BarChart {
        id: "chart-cash",
        title: lang
            .t(
                "每年拨付：现行与草案",
                "Paid out each year: in force and draft",
            )
            .to_string(),
        legend: vec![
            ("current", lang.t("现行", "In force").to_string()),
            ("draft", lang.t("草案", "Draft").to_string()),
        ],
        rows,
        note: String::new(),
    }
}

/// How many people's totals changed by how much.
pub fn bands(sim: &Simulation, lang: Lang) -> BarChart {
    let max = sim
        .bands
        .iter()
        .map(|b| Decimal::from(b.count))
        .max()
        .unwrap_or_default();
    BarChart {
        id: "chart-bands",
        title: lang
            .t("总额变化的分布（人数）", "How totals change (people)")
            .to_string(),
        legend: Vec::new(),
        rows: sim
            .bands
            .iter()
            .map(|b| BarRow {
                label: lang.t(&b.zh, &b.en).to_string(),
                bars: vec![Bar {
                    length: length(&Decimal::from(b.count), &max),
                    kind: "count",
                    words: format!(
                        "{}{}",
                        grouped(&Decimal::from(b.count)),
                        lang.t(" 人", " people")
                    ),
                }],
            })
            .collect(),
        note: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_shares_of_the_longest_and_a_small_change_still_shows() {
        let max = Decimal::from(600_000);
        assert_eq!(length(&Decimal::from(600_000), &max), FULL);
        assert_eq!(length(&Decimal::from(-300_000), &max), FULL / 2);
        assert_eq!(length(&Decimal::from(1), &max), 4);
        assert_eq!(length(&Decimal::ZERO, &max), 0);
        assert_eq!(length(&Decimal::ONE, &Decimal::ZERO), 0);
    }
}
