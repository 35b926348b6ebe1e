//! Charts drawn on the server as SVG: they need no JavaScript, scale to a phone's width,
//! print in black and white (the draft's bars are dark, the current ones light with an
//! outline), and carry their numbers as text (`<title>`, `<desc>`, and a label on every bar)
//! for screen readers. Geometry is computed in decimals like the money it shows.

use super::Simulation;
use rules::input::Lang;
use rules::words::{grouped, yuan};
use rust_decimal::Decimal;
use std::fmt::Write;

/// One row of a chart: its label and one or two values.
struct Row {
    label: String,
    values: Vec<Decimal>,
}

const WIDTH: i64 = 400;
/// Room at the right of the longest bar for its number.
const VALUE_ROOM: i64 = 130;
const BAR: i64 = 16;
const LINE: i64 = 20;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The label's lines: one, or two when it would not fit the chart's width (estimated: a
/// Chinese character is about a font size wide, a Latin letter about half).
fn label_lines(label: &str) -> Vec<String> {
    let width = |s: &str| -> i64 { s.chars().map(|c| if c.is_ascii() { 8 } else { 15 }).sum() };
    if width(label) <= WIDTH {
        return vec![label.to_string()];
    }
    let mut first = String::new();
    let mut rest = label;
    for (i, c) in label.char_indices() {
        if width(&first) + width(&c.to_string()) > WIDTH {
            // Break at the last space (English) when there is one.
            if let Some(sp) = first.rfind(' ') {
                rest = &label[sp + 1..];
                first.truncate(sp);
            } else {
                rest = &label[i..];
            }
            break;
        }
        first.push(c);
    }
    vec![first, rest.to_string()]
}

/// Horizontal bars: each row's label on a line of its own (long program names fit a
/// phone), then one bar per series with its number.
fn hbars(
    id: &str,
    title: &str,
    desc: &str,
    series: &[&str],
    rows: &[Row],
    show: fn(&Decimal) -> String,
) -> String {
    let n = series.len().max(1) as i64;
    let labels: Vec<Vec<String>> = rows.iter().map(|r| label_lines(&r.label)).collect();
    let group = |lines: usize| LINE * lines as i64 + n * (BAR + 2) + 12;
    let top_margin = if series.len() > 1 { 28 } else { 4 };
    let height = top_margin + labels.iter().map(|l| group(l.len())).sum::<i64>();
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().map(|v| v.abs()))
        .max()
        .unwrap_or(Decimal::ZERO);
    let room = Decimal::from(WIDTH - VALUE_ROOM);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    if series.len() > 1 {
        let mut x = 0;
        for (i, s) in series.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="4" width="14" height="14" class="s{i}"/><text x="{}" y="16" class="legend">{}</text>"#,
                x + 20,
                esc(s)
            );
            x += 20 + 15 * s.chars().count() as i64 + 24;
        }
    }
    let mut top = top_margin;
    for (r, lines) in rows.iter().zip(&labels) {
        for (li, line) in lines.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<text x="0" y="{}" class="label">{}</text>"#,
                top + 15 + LINE * li as i64,
                esc(line)
            );
        }
        let bars = top + LINE * lines.len() as i64;
        top += group(lines.len());
        for (si, v) in r.values.iter().enumerate() {
            let y = bars + si as i64 * (BAR + 2);
            let w = if max.is_zero() {
                Decimal::ZERO
            } else {
                (v.abs() * room / max).round_dp(1)
            };
            let _ = write!(
                svg,
                r#"<rect x="0" y="{y}" width="{w}" height="{BAR}" class="s{si}"/><text x="{}" y="{}" class="value">{}</text>"#,
                w + Decimal::from(6),
                y + BAR - 3,
                show(v)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Bars of money now and under the draft, described as “label: before → after”.
fn before_after(id: &str, title: &str, rows: &[Row], lang: Lang) -> String {
    let desc = rows
        .iter()
        .map(|r| {
            format!(
                "{}{}{} → {}",
                r.label,
                lang.colon(),
                yuan(&r.values[0]),
                yuan(&r.values[1])
            )
        })
        .collect::<Vec<_>>()
        .join(lang.t("；", "; "));
    hbars(
        id,
        title,
        &desc,
        &[lang.t("现行", "In force"), lang.t("草案", "Draft")],
        rows,
        yuan,
    )
}

/// The amount per program, now and under the draft.
pub fn programs(sim: &Simulation, lang: Lang) -> String {
    let rows: Vec<Row> = sim
        .programs
        .iter()
        .map(|p| Row {
            label: lang.t(&p.zh, &p.en).to_string(),
            values: vec![p.current_amount, p.draft_amount],
        })
        .collect();
    let title = lang.t(
        "各项目资助总额：现行与草案",
        "Amount per program: in force and draft",
    );
    before_after("chart-programs", title, &rows, lang)
}

/// What falls due each year, now and under the draft.
pub fn cash(sim: &Simulation, lang: Lang) -> String {
    let rows: Vec<Row> = sim
        .cash
        .iter()
        .map(|y| Row {
            label: lang
                .t(&format!("{} 年", y.year), &y.year.to_string())
                .to_string(),
            values: vec![y.current_total(), y.draft_total()],
        })
        .collect();
    let title = lang.t(
        "每年拨付：现行与草案（元）",
        "Paid out each year: in force and draft (yuan)",
    );
    before_after("chart-cash", title, &rows, lang)
}

/// How many people's totals changed by how much.
pub fn bands(sim: &Simulation, lang: Lang) -> String {
    let rows: Vec<Row> = sim
        .bands
        .iter()
        .map(|b| Row {
            label: lang.t(&b.zh, &b.en).to_string(),
            values: vec![Decimal::from(b.count)],
        })
        .collect();
    let desc = rows
        .iter()
        .map(|r| format!("{}{}{}", r.label, lang.colon(), grouped(&r.values[0])))
        .collect::<Vec<_>>()
        .join(lang.t("；", "; "));
    hbars(
        "chart-bands",
        lang.t("总额变化的分布（人数）", "How totals change (people)"),
        &desc,
        &[lang.t("人数", "People")],
        &rows,
        grouped,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_label_takes_two_lines_broken_at_a_space() {
        let long = "Science policy: major innovation project funding for top talent";
        let lines = label_lines(long);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.join(" "), long);
        assert_eq!(label_lines("金英计划·创业类项目资助").len(), 1);
    }
}
