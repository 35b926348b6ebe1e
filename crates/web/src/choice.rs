//! Which programs the person applies for: every program whose conditions hold is offered
//! ticked (on the interview's apply page and in the result page's submit section); the page
//! sends each program it offered (`offered`) and each one ticked (`apply_for`), and the ones
//! left unticked are declined when the application is saved.

use rules::input::FormValues;

/// Which of the programs offered on the result page the person applies for: the page sends
/// each program it offered (`offered`) and each one ticked (`apply_for`); a program never
/// offered (newly eligible after a change of answers) counts as ticked, as on the page.
pub(crate) struct Choice<'a> {
    offered: &'a [String],
    ticked: &'a [String],
}

impl<'a> Choice<'a> {
    pub(crate) fn of(values: &'a FormValues) -> Choice<'a> {
        Choice {
            offered: values.all("offered"),
            ticked: values.all("apply_for"),
        }
    }

    /// Whether the page shows `id` ticked.
    pub(crate) fn applies_for(&self, id: &str) -> bool {
        !self.offered.iter().any(|o| o == id) || self.ticked.iter().any(|t| t == id)
    }

    /// The programs offered and left unticked.
    pub(crate) fn declined(&self) -> Vec<&'a str> {
        self.offered
            .iter()
            .filter(|o| !self.ticked.contains(o))
            .map(String::as_str)
            .collect()
    }

    /// Programs were offered and none of them is ticked.
    pub(crate) fn none_chosen(&self) -> bool {
        !self.offered.is_empty() && self.offered.iter().all(|o| !self.ticked.contains(o))
    }
}

/// A program the result page offers to apply for.
pub struct ChoiceLine {
    pub id: String,
    /// Its name and amount.
    pub name: String,
    pub checked: bool,
    /// For one that gives way to another (no double funding): when it would be paid.
    pub note: String,
}

/// The programs whose conditions all hold, as the submit section offers them: the granted
/// ones with their amounts, and the ones that give way to another, paid only if that one is
/// left out.
pub(crate) fn choice_lines(
    a: &rules::engine::Assessment<'_>,
    values: &FormValues,
    lang: rules::input::Lang,
) -> Vec<ChoiceLine> {
    use rules::engine::{ReducedBy, Status};
    let choice = Choice::of(values);
    a.programs
        .iter()
        .filter(|p| matches!(p.status, Status::Eligible | Status::Excluded))
        .map(|p| {
            let winner = p.reductions.iter().find_map(|r| match r.by {
                ReducedBy::Exclusive(_, w) => Some(w),
                _ => None,
            });
            ChoiceLine {
                id: p.program.id.to_string(),
                name: format!(
                    "{} {}",
                    lang.t(&p.program.zh, &p.program.en),
                    super::view::yuan(if winner.is_some() {
                        &p.computed_amount
                    } else {
                        &p.amount
                    })
                ),
                checked: choice.applies_for(&p.program.id),
                note: winner.map_or_else(String::new, |w| match lang {
                    rules::input::Lang::Zh => {
                        format!("与“{}”不重复享受：只在不申请“{}”时发放", w.zh, w.zh)
                    }
                    rules::input::Lang::En => format!(
                        "not combined with {}: paid only if you leave {} out",
                        w.en, w.en
                    ),
                }),
            }
        })
        .collect()
}
