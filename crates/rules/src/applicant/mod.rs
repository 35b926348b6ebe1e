//! The applicant profile: domain types, and the one way to build them,
//! [`Profile::from_json`], which reads, validates and reports every problem at once.
//!
//! Invariant: **a `Profile` value has passed every validation rule** (`rules.rs`); code past
//! this module never re-checks input. The struct is `#[non_exhaustive]`, so other crates
//! (and the binary) cannot build one by hand.

pub mod checksum;
pub mod enums;
mod error;
mod fast;
mod partial;
mod read;
mod rules;
mod scan;
pub(crate) mod written;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;
use validator::Validate;

pub use enums::{Degree, Domain, EnumValue, Honor, IdType, Industry, InstitutionTier, Title};
pub use error::{FieldError, InvalidProfile};
pub use partial::{PATHS, Partial, path_bit};

/// Whether a character may not stand in text we keep or show: a control character (NUL, an
/// escape; a line break or tab only where `multiline`), or an invisible mark that changes the
/// direction text is shown in (U+202E can make one name read as another in a list).
pub fn is_unsafe_char(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// What is wrong with text holding an unsafe character, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextProblem {
    pub zh: &'static str,
    pub en: &'static str,
}

/// `Some` when `text` holds a character [`is_unsafe_char`] refuses.
pub fn unsafe_text(text: &str, multiline: bool) -> Option<TextProblem> {
    text.chars()
        .any(|c| is_unsafe_char(c, multiline))
        .then_some(TextProblem {
            zh: "不能含有控制字符或改变文字方向的隐藏字符",
            en: "must not contain control characters or hidden characters that change the direction of text",
        })
}

/// Text with unsafe characters written as `\u{…}`, to quote it back in a message.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c, false) {
            out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}
pub use written::{
    CountProblem, Span, half_width, parse_count, parse_date, parse_decimal, parse_money,
};

/// The error for a body that is not JSON at all, with where it stops being JSON.
pub fn not_json(e: &serde_json::Error) -> InvalidProfile {
    InvalidProfile {
        errors: vec![FieldError::new(
            "",
            format!("不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column()),
            format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )],
    }
}

/// What the policy contributes to reading a profile: the program ids `prior_awards` may name,
/// and the dates for which a policy version is in force.
pub trait ProfileContext {
    fn is_known_program(&self, id: &str) -> bool;
    fn has_version_on(&self, date: NaiveDate) -> bool;
    /// The first day any version is in force.
    fn first_day(&self) -> Option<NaiveDate>;
}

/// The set of honors, folded (duplicates count once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Honors(u8);

impl Honors {
    pub fn insert(&mut self, h: Honor) {
        self.0 |= 1 << h.index();
    }
    pub fn contains(self, h: Honor) -> bool {
        self.0 & (1 << h.index()) != 0
    }
    /// The set as a bit mask over the honor value list.
    pub fn bits(self) -> u64 {
        u64::from(self.0)
    }
}

/// Each part with field rules derives `Validate`; `rules::check` runs them part by part.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Profile {
    pub(crate) application_date: NaiveDate,
    pub(crate) person: Person,
    pub(crate) employment: Option<Employment>,
    pub(crate) startup: Option<Startup>,
    pub(crate) housing: Option<Housing>,
    /// Program ids, each known to the policy, without duplicates.
    pub(crate) prior_awards: Vec<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Validate)]
#[non_exhaustive]
pub struct Person {
    #[validate(custom(function = "rules::full_name"))]
    pub full_name: String,
    pub id_type: IdType,
    /// Upper case; for a resident ID the check digit and birth date have been verified.
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub highest_degree: Degree,
    pub institution_tier: Option<InstitutionTier>,
    pub institution_name: Option<String>,
    pub graduation_date: Option<NaiveDate>,
    pub professional_title: Title,
    pub honors: Honors,
    #[validate(range(max = 60))]
    pub overseas_work_years: Option<u32>,
}

/// Inside a section every field may be left out; a condition on a missing value does not hold.
#[derive(Debug, Clone, Default, PartialEq, Validate)]
#[non_exhaustive]
pub struct Employment {
    pub employer_name: Option<String>,
    #[validate(custom(function = "rules::uscc"))]
    pub employer_uscc: Option<String>,
    pub employer_in_park: Option<bool>,
    pub industry: Option<Industry>,
    pub full_time: Option<bool>,
    pub start_date: Option<NaiveDate>,
    /// An open-ended contract counts as 20 years.
    #[validate(range(max = 20))]
    pub contract_years: Option<u32>,
    #[validate(custom(function = "rules::money"))]
    pub annual_salary: Option<Decimal>,
    #[validate(range(max = 600))]
    pub social_insurance_months_in_park: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Validate)]
#[non_exhaustive]
pub struct Startup {
    pub company_name: Option<String>,
    #[validate(custom(function = "rules::uscc"))]
    pub company_uscc: Option<String>,
    pub company_in_park: Option<bool>,
    pub industry: Option<Industry>,
    pub registration_date: Option<NaiveDate>,
    #[validate(custom(function = "rules::money"))]
    pub paid_in_capital: Option<Decimal>,
    #[validate(custom(function = "rules::percent"))]
    pub founder_equity_pct: Option<Decimal>,
    #[validate(custom(function = "rules::money"))]
    pub founder_cash_investment: Option<Decimal>,
    pub owns_core_ip: Option<bool>,
    #[validate(custom(function = "rules::money"))]
    pub planned_rd_investment: Option<Decimal>,
    #[validate(custom(function = "rules::area"))]
    pub office_area_sqm: Option<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Housing {
    pub owns_home_in_city: Option<bool>,
    pub lives_in_talent_apartment: Option<bool>,
    pub home_purchase: Option<HomePurchase>,
}

#[derive(Debug, Clone, Default, PartialEq, Validate)]
#[non_exhaustive]
pub struct HomePurchase {
    pub date: Option<NaiveDate>,
    #[validate(custom(function = "rules::price"))]
    pub price: Option<Decimal>,
    pub in_park: Option<bool>,
    pub first_home: Option<bool>,
}

impl Profile {
    /// Reads one profile from JSON text. Every problem is reported at once, each with its
    /// field path and a Chinese and an English message; nothing panics on any input.
    pub fn from_json(text: &[u8], ctx: &dyn ProfileContext) -> Result<Profile, InvalidProfile> {
        // Most profiles are well formed: read those without building a JSON tree.
        if let Some(p) = fast::read(text, ctx) {
            let mut errors = Vec::new();
            rules::check(&p, ctx, &mut errors);
            if errors.is_empty() {
                return Ok(p);
            }
        }
        let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| not_json(&e))?;
        Self::from_value(&value, ctx)
    }

    /// Reads one profile from a parsed JSON value (numbers must keep their text: the crate
    /// builds serde_json with `arbitrary_precision`).
    pub fn from_value(
        value: &serde_json::Value,
        ctx: &dyn ProfileContext,
    ) -> Result<Profile, InvalidProfile> {
        let mut errors = Vec::new();
        let profile = read::read_profile(value, ctx, &mut errors);
        if let Some(p) = &profile {
            rules::check(p, ctx, &mut errors);
        }
        match profile {
            Some(p) if errors.is_empty() => Ok(p),
            _ => {
                rules::sort_errors(&mut errors);
                Err(InvalidProfile { errors })
            }
        }
    }

    /// A copy changed by `change` and checked against every rule again: outside this crate,
    /// the only way to a changed profile (its fields cannot be written from outside), so a
    /// `Profile` has always passed validation. `None` when `change` could not be made.
    pub(crate) fn revised(
        &self,
        ctx: &dyn ProfileContext,
        change: impl FnOnce(&mut Profile) -> Option<()>,
    ) -> Option<Result<Profile, InvalidProfile>> {
        let mut changed = self.clone();
        change(&mut changed)?;
        let mut errors = Vec::new();
        rules::check(&changed, ctx, &mut errors);
        Some(if errors.is_empty() {
            Ok(changed)
        } else {
            rules::sort_errors(&mut errors);
            Err(InvalidProfile { errors })
        })
    }

    /// The same answers on another application date (a simulation assesses everyone on one
    /// day), checked again: a date before one of the answers' own dates is refused.
    pub fn redated(
        &self,
        date: NaiveDate,
        ctx: &dyn ProfileContext,
    ) -> Result<Profile, InvalidProfile> {
        self.revised(ctx, |p| {
            p.application_date = date;
            Some(())
        })
        .unwrap_or_else(|| Ok(self.clone()))
    }

    pub fn application_date(&self) -> NaiveDate {
        self.application_date
    }
    pub fn person(&self) -> &Person {
        &self.person
    }
    pub fn employment(&self) -> Option<&Employment> {
        self.employment.as_ref()
    }
    pub fn startup(&self) -> Option<&Startup> {
        self.startup.as_ref()
    }
    pub fn housing(&self) -> Option<&Housing> {
        self.housing.as_ref()
    }
    /// Programs already received, each known to the policy, without duplicates.
    pub fn prior_awards(&self) -> &[Arc<str>] {
        &self.prior_awards
    }

    /// Annual salary, 0 when there is no employment or it was not given (what the policy files call `annual_salary`).
    pub fn annual_salary(&self) -> Decimal {
        self.employment
            .as_ref()
            .and_then(|e| e.annual_salary)
            .unwrap_or(Decimal::ZERO)
    }

    /// Age in full years (周岁) at the application date; someone born on 29 February becomes
    /// a year older on 1 March in common years.
    pub fn age(&self) -> u32 {
        age_on(self.person.birth_date, self.application_date)
    }
}

/// Full years from `birth` to `on` (0 when `on` is before `birth`).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn age_counts_full_years_and_leap_day_birthdays_turn_on_the_first_of_march() {
        assert_eq!(age_on(d("1988-03-15"), d("2026-03-14")), 37);
        assert_eq!(age_on(d("1988-03-15"), d("2026-03-15")), 38);
        assert_eq!(age_on(d("2000-02-29"), d("2026-02-28")), 25);
        assert_eq!(age_on(d("2000-02-29"), d("2026-03-01")), 26);
        assert_eq!(age_on(d("2000-02-29"), d("2028-02-29")), 28);
        assert_eq!(age_on(d("2030-01-01"), d("2026-03-01")), 0);
    }

    /// A policy whose first version starts in 2027.
    struct From2027;

    impl ProfileContext for From2027 {
        fn is_known_program(&self, _: &str) -> bool {
            true
        }
        fn has_version_on(&self, date: NaiveDate) -> bool {
            date >= d("2027-01-01")
        }
        fn first_day(&self) -> Option<NaiveDate> {
            Some(d("2027-01-01"))
        }
    }

    #[test]
    fn a_date_before_the_policy_names_the_policys_own_first_day() {
        let mut v: serde_json::Value = serde_json::from_str(crate::EXAMPLE_PROFILE).unwrap();
        v["application_date"] = "2026-06-01".into();
        let errors = Profile::from_json(v.to_string().as_bytes(), &From2027)
            .unwrap_err()
            .errors;
        let e = errors
            .iter()
            .find(|e| e.field == "application_date")
            .unwrap_or_else(|| panic!("{errors:?}"));
        assert!(e.message_zh.contains("政策自 2027-01-01 起施行"), "{e:?}");
        assert!(e.message_en.contains("from 2027-01-01"), "{e:?}");
    }

    #[test]
    fn unsafe_characters_are_named_and_shown_as_escapes() {
        assert!(unsafe_text("张三", false).is_none());
        assert!(unsafe_text("张\u{0}三", false).is_some());
        assert!(unsafe_text("abc\u{202E}fed", false).is_some());
        assert!(unsafe_text("第一行\r\n第二行", true).is_none());
        assert!(unsafe_text("第一行\r\n第二行", false).is_some());
        assert_eq!(visible("a\u{0}b\u{202E}"), "a\\u{0000}b\\u{202E}");
    }
}
