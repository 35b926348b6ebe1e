//! Reading `calendar.toml` into the working-day calendar: each year once, every date a real
//! date of its own year, a holiday's days in order, a make-up working day on a weekend and not
//! on a holiday. A policy folder without the file has an empty calendar (no day is guessed).

use super::*;
use crate::calendar::{Calendar, Year};
use crate::policy::files::CalendarFile;
use chrono::{Datelike, Weekday};

/// The calendar's file in the policy folder.
pub const CALENDAR_FILE: &str = "calendar.toml";

/// How many working days ahead the calendar should reach: past every deadline the procedure
/// can set from today.
pub const CALENDAR_AHEAD: u32 = 60;

/// What `check` and the console say when the calendar does not reach `CALENDAR_AHEAD`
/// working days after `today` (nothing when it does).
pub fn calendar_shortfall(calendar: &Calendar, today: chrono::NaiveDate) -> Option<Msg> {
    if calendar.covers(today, CALENDAR_AHEAD) {
        return None;
    }
    Some(match calendar.covered_through() {
        Some(last) => {
            let next = last.year() + 1;
            Msg::new(
                format!(
                    "工作日历只到 {last}，不够从今天起的 {CALENDAR_AHEAD} 个工作日：请添加 {next} 年的节假日安排"
                ),
                format!(
                    "The calendar ends on {last}, short of the next {CALENDAR_AHEAD} working days: add the holidays of {next}"
                ),
            )
        }
        None => Msg::new(
            "没有工作日历，期限无法按工作日计算",
            "No working-day calendar: deadlines cannot be counted in working days",
        ),
    })
}

impl Loader {
    pub(super) fn calendar(&mut self, src: &Source, names: &[String]) -> Calendar {
        let mut calendar = Calendar::default();
        if !names.iter().any(|n| n == CALENDAR_FILE) {
            return calendar;
        }
        let Some((file, read)) = read_file::<CalendarFile>(&mut self.d, src, CALENDAR_FILE) else {
            return calendar;
        };
        for y in &read.year {
            let at = y.year.span().start;
            let Some(number) = i32::try_from(*y.year.get_ref())
                .ok()
                .filter(|n| (2000..=2100).contains(n))
            else {
                self.d.error(
                    file,
                    at,
                    Msg::new("年份应在 2000 到 2100 之间", "a year between 2000 and 2100"),
                );
                continue;
            };
            if calendar.years.contains_key(&number) {
                self.d.error(
                    file,
                    at,
                    Msg::new(
                        format!("{number} 年重复列出"),
                        format!("the year {number} is listed twice"),
                    ),
                );
                continue;
            }
            let mut year = Year {
                source: y.source.clone(),
                ..Year::default()
            };
            let in_year = |this: &mut Loader, d: &Spanned<toml::value::Datetime>| {
                let day = to_date(d).filter(|day| day.year() == number);
                if day.is_none() {
                    this.d.error(
                        file,
                        d.span().start,
                        Msg::new(
                            format!("应为 {number} 年的日期（如 {number}-10-01）"),
                            format!("a date in {number} (such as {number}-10-01)"),
                        ),
                    );
                }
                day
            };
            for h in &y.holiday {
                let Some(from) = in_year(self, &h.from) else {
                    continue;
                };
                let to = match &h.to {
                    Some(t) => match in_year(self, t) {
                        Some(to) => to,
                        None => continue,
                    },
                    None => from,
                };
                if to < from {
                    let at =
                        h.to.as_ref()
                            .map_or(h.from.span().start, |t| t.span().start);
                    self.d.error(
                        file,
                        at,
                        Msg::new(
                            "假期的结束日早于开始日",
                            "the holiday ends before it starts",
                        ),
                    );
                    continue;
                }
                for day in from.iter_days().take_while(|d| *d <= to) {
                    year.holidays.insert(day, (h.zh.clone(), h.en.clone()));
                }
            }
            for m in &y.makeup {
                let Some(day) = in_year(self, m) else {
                    continue;
                };
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                if !weekend || year.holidays.contains_key(&day) {
                    self.d.error(
                        file,
                        m.span().start,
                        Msg::new(
                            format!("调休上班日 {day} 应是周六或周日，且不在假期内"),
                            format!("the make-up working day {day} must be a Saturday or Sunday outside the holidays"),
                        ),
                    );
                    continue;
                }
                year.makeup.insert(day);
            }
            calendar.years.insert(number, year);
        }
        calendar
    }
}
