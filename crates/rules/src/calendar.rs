//! Working days (工作日): Monday to Friday, less the public holidays, plus the make-up working
//! days (调休上班) of each year the office has entered from the State Council's notice
//! (`policy/calendar.toml`). The one place deadlines are counted.
//!
//! Invariant: **a day of a year the calendar does not hold is never guessed**: every question
//! about one answers `None`, so a deadline past the calendar is unknown, not wrong.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// One year's holidays and make-up working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Year {
    /// Each day off, with the holiday's name (zh, en).
    pub holidays: BTreeMap<NaiveDate, (String, String)>,
    /// Weekend days worked instead.
    pub makeup: BTreeSet<NaiveDate>,
    /// Where the dates come from (the notice), as written.
    pub source: String,
}

/// The years the office has entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub years: BTreeMap<i32, Year>,
}

impl Calendar {
    /// Whether `day` is a working day; `None` for a year the calendar does not hold.
    pub fn is_working_day(&self, day: NaiveDate) -> Option<bool> {
        let year = self.years.get(&day.year())?;
        if year.makeup.contains(&day) {
            return Some(true);
        }
        if year.holidays.contains_key(&day) {
            return Some(false);
        }
        Some(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The holiday `day` falls on, if any (zh, en).
    pub fn holiday(&self, day: NaiveDate) -> Option<&(String, String)> {
        self.years.get(&day.year())?.holidays.get(&day)
    }

    /// The `n`th working day after `from` (`from` itself not counted; `n` = 0 is `from`):
    /// "within 5 working days of 受理". `None` when the count runs past the calendar.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            day = day.checked_add_days(Days::new(1))?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Some(day)
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier): the
    /// days a step has taken, or has left. `None` when a day between is past the calendar.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Option<i64> {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0i64;
        let mut day = a;
        while day < b {
            day = day.checked_add_days(Days::new(1))?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Some(sign * count)
    }

    /// The last day the calendar answers for (31 December of its last year without a gap
    /// from the first), if it holds any year.
    pub fn covered_through(&self) -> Option<NaiveDate> {
        let first = *self.years.keys().next()?;
        let mut last = first;
        while self.years.contains_key(&(last + 1)) {
            last += 1;
        }
        NaiveDate::from_ymd_opt(last, 12, 31)
    }

    /// Whether the next `n` working days after `today` can be counted: the office enters the
    /// next year's notice before deadlines run into it.
    pub fn covers(&self, today: NaiveDate, n: u32) -> bool {
        self.add_working_days(today, n).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// 2026 as the State Council's notice of 2025-11-04 gives it.
    fn y2026() -> Calendar {
        let ranges = [
            ("2026-01-01", "2026-01-03"),
            ("2026-02-15", "2026-02-23"),
            ("2026-04-04", "2026-04-06"),
            ("2026-05-01", "2026-05-05"),
            ("2026-06-19", "2026-06-21"),
            ("2026-09-25", "2026-09-27"),
            ("2026-10-01", "2026-10-07"),
        ];
        let mut year = Year::default();
        for (from, to) in ranges {
            let mut day = d(from);
            while day <= d(to) {
                year.holidays.insert(day, ("假日".into(), "holiday".into()));
                day = day.succ_opt().unwrap();
            }
        }
        for m in [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ] {
            year.makeup.insert(d(m));
        }
        Calendar {
            years: BTreeMap::from([(2026, year)]),
        }
    }

    #[test]
    fn weekdays_holidays_and_make_up_days() {
        let c = y2026();
        assert_eq!(c.is_working_day(d("2026-01-05")), Some(true), "a Monday");
        assert_eq!(c.is_working_day(d("2026-01-10")), Some(false), "a Saturday");
        assert_eq!(
            c.is_working_day(d("2026-01-02")),
            Some(false),
            "New Year, a Friday"
        );
        assert_eq!(
            c.is_working_day(d("2026-01-04")),
            Some(true),
            "a make-up Sunday"
        );
        assert_eq!(
            c.is_working_day(d("2026-10-10")),
            Some(true),
            "a make-up Saturday"
        );
        assert_eq!(
            c.is_working_day(d("2026-02-16")),
            Some(false),
            "Spring Festival, a Monday"
        );
        assert_eq!(
            c.is_working_day(d("2027-01-04")),
            None,
            "2027 is not entered: not guessed"
        );
        assert_eq!(c.is_working_day(d("2025-12-31")), None);
    }

    #[test]
    fn adding_working_days_across_a_holiday_and_a_make_up_saturday() {
        let c = y2026();
        // Thursday 12 Feb: Fri 13, Sat 14 (make-up), then the Spring Festival to Mon 23, so
        // the third working day is Tue 24 and the fifth Thu 26.
        assert_eq!(
            c.add_working_days(d("2026-02-12"), 1),
            Some(d("2026-02-13"))
        );
        assert_eq!(
            c.add_working_days(d("2026-02-12"), 2),
            Some(d("2026-02-14"))
        );
        assert_eq!(
            c.add_working_days(d("2026-02-12"), 3),
            Some(d("2026-02-24"))
        );
        assert_eq!(
            c.add_working_days(d("2026-02-12"), 5),
            Some(d("2026-02-26"))
        );
        // National Day: Wed 30 Sep + 1 is Thu 8 Oct; + 3 is Sat 10 Oct (make-up), + 4 Mon 12.
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 1),
            Some(d("2026-10-08"))
        );
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 3),
            Some(d("2026-10-10"))
        );
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 4),
            Some(d("2026-10-12"))
        );
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 0),
            Some(d("2026-09-30"))
        );
    }

    #[test]
    fn a_count_into_a_year_not_entered_is_unknown() {
        let c = y2026();
        // From Tue 29 Dec 2026: Wed 30, Thu 31, then 2027, which is not entered.
        assert_eq!(
            c.add_working_days(d("2026-12-29"), 2),
            Some(d("2026-12-31"))
        );
        assert_eq!(c.add_working_days(d("2026-12-29"), 3), None);
        assert!(c.covers(d("2026-12-01"), 20));
        assert!(!c.covers(d("2026-12-04"), 60));
        assert_eq!(c.covered_through(), Some(d("2026-12-31")));
        assert_eq!(Calendar::default().covered_through(), None);
    }

    #[test]
    fn working_days_between_two_dates_either_way() {
        let c = y2026();
        // Over New Year: Wed 31 Dec 2025 is not entered, so start inside 2026.
        assert_eq!(
            c.working_days_between(d("2026-01-01"), d("2026-01-09")),
            Some(6)
        );
        assert_eq!(
            c.working_days_between(d("2026-01-09"), d("2026-01-01")),
            Some(-6)
        );
        assert_eq!(
            c.working_days_between(d("2026-05-01"), d("2026-05-01")),
            Some(0)
        );
        // 1–5 May are off, Sat 9 May is worked: Wed 6 to Sat 9 is four working days.
        assert_eq!(
            c.working_days_between(d("2026-04-30"), d("2026-05-09")),
            Some(4)
        );
        assert_eq!(
            c.working_days_between(d("2025-12-30"), d("2026-01-05")),
            None
        );
    }
}
