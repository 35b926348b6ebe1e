//! The fast way to read a profile that is valid: typed deserialization straight from the
//! bytes, with no intermediate JSON tree. It gives up (returns `None`) at the first thing out of
//! the ordinary — a wrong type, an unknown key, a duplicate, an escaped string, an unknown value —
//! and the caller then reads the profile the general way, which reports every error. A profile
//! it does return is exactly the one the general reader builds (a property test checks).

use super::written::{parse_date, parse_decimal};
use super::{
    Degree, Employment, HomePurchase, Honor, Honors, Housing, IdType, Industry, InstitutionTier,
    Person, Profile, ProfileContext, Startup, Title,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile<'a> {
    application_date: Option<&'a str>,
    #[serde(borrow)]
    person: Option<RawPerson<'a>>,
    #[serde(borrow)]
    employment: Option<RawEmployment<'a>>,
    #[serde(borrow)]
    startup: Option<RawStartup<'a>>,
    #[serde(borrow)]
    housing: Option<RawHousing<'a>>,
    #[serde(borrow)]
    prior_awards: Option<Vec<&'a str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson<'a> {
    full_name: Option<&'a str>,
    id_type: Option<&'a str>,
    id_number: Option<&'a str>,
    birth_date: Option<&'a str>,
    highest_degree: Option<&'a str>,
    institution_tier: Option<&'a str>,
    institution_name: Option<&'a str>,
    graduation_date: Option<&'a str>,
    professional_title: Option<&'a str>,
    #[serde(borrow)]
    honors: Option<Vec<&'a str>>,
    #[serde(borrow)]
    overseas_work_years: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmployment<'a> {
    employer_name: Option<&'a str>,
    employer_uscc: Option<&'a str>,
    employer_in_park: Option<bool>,
    industry: Option<&'a str>,
    full_time: Option<bool>,
    start_date: Option<&'a str>,
    #[serde(borrow)]
    contract_years: Option<&'a RawValue>,
    #[serde(borrow)]
    annual_salary: Option<&'a RawValue>,
    #[serde(borrow)]
    social_insurance_months_in_park: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStartup<'a> {
    company_name: Option<&'a str>,
    company_uscc: Option<&'a str>,
    company_in_park: Option<bool>,
    industry: Option<&'a str>,
    registration_date: Option<&'a str>,
    #[serde(borrow)]
    paid_in_capital: Option<&'a RawValue>,
    #[serde(borrow)]
    founder_equity_pct: Option<&'a RawValue>,
    #[serde(borrow)]
    founder_cash_investment: Option<&'a RawValue>,
    owns_core_ip: Option<bool>,
    #[serde(borrow)]
    planned_rd_investment: Option<&'a RawValue>,
    #[serde(borrow)]
    office_area_sqm: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHousing<'a> {
    owns_home_in_city: Option<bool>,
    lives_in_talent_apartment: Option<bool>,
    #[serde(borrow)]
    home_purchase: Option<RawPurchase<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurchase<'a> {
    date: Option<&'a str>,
    #[serde(borrow)]
    price: Option<&'a RawValue>,
    in_park: Option<bool>,
    first_home: Option<bool>,
}

/// `None` (give up) unless the value is usable as given.
type Got<T> = Option<T>;

/// Optional text, trimmed; blank reads as not given.
fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn required_text(s: Option<&str>) -> Got<String> {
    text(s)
}

/// An optional value that, when given, must read: `Some(None)` not given, `None` give up.
fn optional<T>(s: Option<&str>, read: impl Fn(&str) -> Option<T>) -> Got<Option<T>> {
    match s {
        None => Some(None),
        Some(s) => read(s.trim()).map(Some),
    }
}

fn date(s: Option<&str>) -> Got<Option<NaiveDate>> {
    optional(s, parse_date)
}

/// The text of a JSON number, or of a string without escapes.
fn raw_text(raw: &RawValue) -> Option<&str> {
    let t = raw.get();
    match t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Some(inner.trim()),
        Some(_) => None,
        None if t.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) => Some(t),
        None => None,
    }
}

fn count(raw: Option<&RawValue>) -> Got<Option<u32>> {
    match raw {
        None => Some(None),
        Some(r) if r.get() == "null" => Some(None),
        Some(r) => raw_text(r)?.parse::<u32>().ok().map(Some),
    }
}

fn decimal(raw: Option<&RawValue>) -> Got<Option<Decimal>> {
    match raw {
        None => Some(None),
        Some(r) if r.get() == "null" => Some(None),
        Some(r) => parse_decimal(raw_text(r)?).map(Some),
    }
}

/// Whether any byte is one of those lead bytes (memchr's vector search, two passes).
fn has_unusual_lead(bytes: &[u8]) -> bool {
    memchr::memchr3(0xC2, 0xD8, 0xE2, bytes).is_some() || memchr::memchr(0x7F, bytes).is_some()
}

/// The profile, if it reads without a single problem (validation rules are not checked here).
pub(super) fn read(bytes: &[u8], ctx: &dyn ProfileContext) -> Option<Profile> {
    // Lead bytes of DEL, the C1 controls and the direction marks (U+061C, U+200E–U+206F):
    // text that may hold one goes to the general reader, which says where.
    if has_unusual_lead(bytes) {
        return None;
    }
    // One UTF-8 check of the whole line, then strings borrowed without checking each again.
    let line = std::str::from_utf8(bytes).ok()?;
    let raw: RawProfile = serde_json::from_str(line).ok()?;
    let p = raw.person?;
    let honors = {
        let mut set = Honors::default();
        for h in p.honors.unwrap_or_default() {
            set.insert(Honor::from_id(h.trim())?);
        }
        set
    };
    let person = Person {
        full_name: required_text(p.full_name)?,
        id_type: IdType::from_id(p.id_type?.trim())?,
        id_number: required_text(p.id_number)?.to_uppercase(),
        birth_date: parse_date(p.birth_date?.trim())?,
        highest_degree: Degree::from_id(p.highest_degree?.trim())?,
        institution_tier: optional(p.institution_tier, InstitutionTier::from_id)?,
        institution_name: text(p.institution_name),
        graduation_date: date(p.graduation_date)?,
        professional_title: optional(p.professional_title, Title::from_id)?.unwrap_or(Title::None),
        honors,
        overseas_work_years: count(p.overseas_work_years)?,
    };
    let employment = match raw.employment {
        None => None,
        Some(e) => Some(Employment {
            employer_name: text(e.employer_name),
            employer_uscc: text(e.employer_uscc).map(|t| t.to_uppercase()),
            employer_in_park: e.employer_in_park,
            industry: optional(e.industry, Industry::from_id)?,
            full_time: e.full_time,
            start_date: date(e.start_date)?,
            contract_years: count(e.contract_years)?,
            annual_salary: decimal(e.annual_salary)?,
            social_insurance_months_in_park: count(e.social_insurance_months_in_park)?,
        }),
    };
    let startup = match raw.startup {
        None => None,
        Some(s) => Some(Startup {
            company_name: text(s.company_name),
            company_uscc: text(s.company_uscc).map(|t| t.to_uppercase()),
            company_in_park: s.company_in_park,
            industry: optional(s.industry, Industry::from_id)?,
            registration_date: date(s.registration_date)?,
            paid_in_capital: decimal(s.paid_in_capital)?,
            founder_equity_pct: decimal(s.founder_equity_pct)?,
            founder_cash_investment: decimal(s.founder_cash_investment)?,
            owns_core_ip: s.owns_core_ip,
            planned_rd_investment: decimal(s.planned_rd_investment)?,
            office_area_sqm: decimal(s.office_area_sqm)?,
        }),
    };
    let housing = match raw.housing {
        None => None,
        Some(h) => Some(Housing {
            owns_home_in_city: h.owns_home_in_city,
            lives_in_talent_apartment: h.lives_in_talent_apartment,
            home_purchase: match h.home_purchase {
                None => None,
                Some(hp) => Some(HomePurchase {
                    date: date(hp.date)?,
                    price: decimal(hp.price)?,
                    in_park: hp.in_park,
                    first_home: hp.first_home,
                }),
            },
        }),
    };
    let mut prior_awards: Vec<Arc<str>> = Vec::new();
    for id in raw.prior_awards.unwrap_or_default() {
        let id = id.trim();
        if !ctx.is_known_program(id) {
            return None;
        }
        if !prior_awards.iter().any(|a| &**a == id) {
            prior_awards.push(Arc::from(id));
        }
    }
    Some(Profile {
        application_date: parse_date(raw.application_date?.trim())?,
        person,
        employment,
        startup,
        housing,
        prior_awards,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx;
    impl ProfileContext for Ctx {
        fn is_known_program(&self, id: &str) -> bool {
            id == "rent_subsidy"
        }
        fn has_version_on(&self, _: NaiveDate) -> bool {
            true
        }
        fn first_day(&self) -> Option<NaiveDate> {
            None
        }
    }

    #[test]
    fn a_well_formed_profile_takes_the_fast_path_and_anything_odd_does_not() {
        let example = crate::EXAMPLE_PROFILE;
        let p = read(example.as_bytes(), &Ctx).expect("the example reads fast");
        assert_eq!(
            p.startup.as_ref().unwrap().paid_in_capital,
            Some(Decimal::from(2_000_000))
        );
        assert_eq!(p.person.id_number, "32068219880315001X");
        let with_number = example.replace(
            r#""annual_salary": "600000""#,
            r#""annual_salary": 600000.10"#,
        );
        let p = read(with_number.as_bytes(), &Ctx).unwrap();
        assert_eq!(
            p.employment.unwrap().annual_salary.unwrap().to_string(),
            "600000.10"
        );
        for odd in [
            example.replace(r#""prior_awards": []"#, r#""prior_awards": ["unknown"]"#),
            example.replace(r#""full_name": "张三""#, r#""full_name": "\u5f20三""#),
            example.replace(r#""contract_years": 5"#, r#""contract_years": 5.5"#),
            example.replace(
                r#""honors": ["provincial_talent_program"]"#,
                r#""honors": ["nobody"]"#,
            ),
            example.replace(r#""prior_awards": []"#, r#""prior_awards": [], "x": 1"#),
            example.replace(r#""full_name": "张三""#, r#""full_name": "  ""#),
        ] {
            assert!(read(odd.as_bytes(), &Ctx).is_none(), "{odd}");
        }
    }
}
