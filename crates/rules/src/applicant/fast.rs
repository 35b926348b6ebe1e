//! The fast way to read a profile that is valid: one pass of `scan.rs` over the bytes straight
//! into the profile's fields, strings borrowed, no intermediate JSON tree. It gives up (returns
//! `None`) at the first thing out of the ordinary — a wrong type, an unknown key, a duplicate, an
//! escaped string, an unknown value, anything that is not JSON — and the caller then reads the
//! profile the general way (serde_json, `read.rs`), which reports every error. A profile it
//! does return is exactly the one the general reader builds (property tests check it, on
//! generated profiles and on texts with a byte changed, removed or added).

use super::scan::{Scalar, Scan};
use super::written::{parse_date, parse_decimal};
use super::{
    Degree, Employment, HomePurchase, Honor, Honors, Housing, IdType, Industry, InstitutionTier,
    Person, Profile, ProfileContext, Startup, Title,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A key's value as read: `None` while the key has not come, `Some(None)` for `null`. A key
/// that comes twice is given up on (the general reader says which value counts).
type Slot<T> = Option<Option<T>>;

#[derive(Default)]
struct RawProfile<'a> {
    application_date: Slot<&'a str>,
    person: Slot<RawPerson<'a>>,
    employment: Slot<RawEmployment<'a>>,
    startup: Slot<RawStartup<'a>>,
    housing: Slot<RawHousing<'a>>,
    prior_awards: Slot<Vec<&'a str>>,
}

#[derive(Default)]
struct RawPerson<'a> {
    full_name: Slot<&'a str>,
    id_type: Slot<&'a str>,
    id_number: Slot<&'a str>,
    birth_date: Slot<&'a str>,
    highest_degree: Slot<&'a str>,
    institution_tier: Slot<&'a str>,
    institution_name: Slot<&'a str>,
    graduation_date: Slot<&'a str>,
    professional_title: Slot<&'a str>,
    honors: Slot<Vec<&'a str>>,
    /// Numbers are kept as their text (a JSON number's, or a string's).
    overseas_work_years: Slot<&'a str>,
}

#[derive(Default)]
struct RawEmployment<'a> {
    employer_name: Slot<&'a str>,
    employer_uscc: Slot<&'a str>,
    employer_in_park: Slot<bool>,
    industry: Slot<&'a str>,
    full_time: Slot<bool>,
    start_date: Slot<&'a str>,
    contract_years: Slot<&'a str>,
    annual_salary: Slot<&'a str>,
    social_insurance_months_in_park: Slot<&'a str>,
}

#[derive(Default)]
struct RawStartup<'a> {
    company_name: Slot<&'a str>,
    company_uscc: Slot<&'a str>,
    company_in_park: Slot<bool>,
    industry: Slot<&'a str>,
    registration_date: Slot<&'a str>,
    paid_in_capital: Slot<&'a str>,
    founder_equity_pct: Slot<&'a str>,
    founder_cash_investment: Slot<&'a str>,
    owns_core_ip: Slot<bool>,
    planned_rd_investment: Slot<&'a str>,
    office_area_sqm: Slot<&'a str>,
}

#[derive(Default)]
struct RawHousing<'a> {
    owns_home_in_city: Slot<bool>,
    lives_in_talent_apartment: Slot<bool>,
    home_purchase: Slot<RawPurchase<'a>>,
}

#[derive(Default)]
struct RawPurchase<'a> {
    date: Slot<&'a str>,
    price: Slot<&'a str>,
    in_park: Slot<bool>,
    first_home: Slot<bool>,
}

/// Fills a slot the first time its key comes; `None` (give up) the second time, or when the
/// value did not read.
fn put<T>(slot: &mut Slot<T>, value: Option<Option<T>>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

/// A string or `null`.
fn string<'a>(s: &mut Scan<'a>) -> Option<Option<&'a str>> {
    match s.scalar()? {
        Scalar::Str(t) => Some(Some(t)),
        Scalar::Null => Some(None),
        _ => None,
    }
}

/// `true`, `false` or `null`.
fn flag(s: &mut Scan<'_>) -> Option<Option<bool>> {
    match s.scalar()? {
        Scalar::Bool(b) => Some(Some(b)),
        Scalar::Null => Some(None),
        _ => None,
    }
}

/// A number, or a string holding one (its text trimmed), or `null`.
fn number<'a>(s: &mut Scan<'a>) -> Option<Option<&'a str>> {
    match s.scalar()? {
        Scalar::Num(t) => Some(Some(t)),
        Scalar::Str(t) => Some(Some(trim(t))),
        Scalar::Null => Some(None),
        Scalar::Bool(_) => None,
    }
}

/// An array of strings, or `null`.
fn strings<'a>(s: &mut Scan<'a>) -> Option<Option<Vec<&'a str>>> {
    if s.null() {
        return Some(None);
    }
    s.strings().map(Some)
}

/// An object read by `fields` straight into its slot (not built aside and moved in), or
/// `null`; like `put`, `None` the second time its key comes.
fn object<'a, T: Default>(
    slot: &mut Slot<T>,
    s: &mut Scan<'a>,
    fields: impl Fn(&mut T, &mut Scan<'a>, &str) -> Option<()>,
) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    if s.null() {
        *slot = Some(None);
        return Some(());
    }
    let raw = slot.insert(Some(T::default())).as_mut()?;
    s.object(|s, key| fields(raw, s, key))
}

/// The whole text as one profile object.
fn raw_profile<'a>(s: &mut Scan<'a>, r: &mut RawProfile<'a>) -> Option<()> {
    s.object(|s, key| match key {
        "application_date" => put(&mut r.application_date, string(s)),
        "person" => object(&mut r.person, s, person),
        "employment" => object(&mut r.employment, s, employment),
        "startup" => object(&mut r.startup, s, startup),
        "housing" => object(&mut r.housing, s, housing),
        "prior_awards" => put(&mut r.prior_awards, strings(s)),
        _ => None,
    })?;
    s.at_end().then_some(())
}

fn person<'a>(r: &mut RawPerson<'a>, s: &mut Scan<'a>, key: &str) -> Option<()> {
    match key {
        "full_name" => put(&mut r.full_name, string(s)),
        "id_type" => put(&mut r.id_type, string(s)),
        "id_number" => put(&mut r.id_number, string(s)),
        "birth_date" => put(&mut r.birth_date, string(s)),
        "highest_degree" => put(&mut r.highest_degree, string(s)),
        "institution_tier" => put(&mut r.institution_tier, string(s)),
        "institution_name" => put(&mut r.institution_name, string(s)),
        "graduation_date" => put(&mut r.graduation_date, string(s)),
        "professional_title" => put(&mut r.professional_title, string(s)),
        "honors" => put(&mut r.honors, strings(s)),
        "overseas_work_years" => put(&mut r.overseas_work_years, number(s)),
        _ => None,
    }
}

fn employment<'a>(r: &mut RawEmployment<'a>, s: &mut Scan<'a>, key: &str) -> Option<()> {
    match key {
        "employer_name" => put(&mut r.employer_name, string(s)),
        "employer_uscc" => put(&mut r.employer_uscc, string(s)),
        "employer_in_park" => put(&mut r.employer_in_park, flag(s)),
        "industry" => put(&mut r.industry, string(s)),
        "full_time" => put(&mut r.full_time, flag(s)),
        "start_date" => put(&mut r.start_date, string(s)),
        "contract_years" => put(&mut r.contract_years, number(s)),
        "annual_salary" => put(&mut r.annual_salary, number(s)),
        "social_insurance_months_in_park" => put(&mut r.social_insurance_months_in_park, number(s)),
        _ => None,
    }
}

fn startup<'a>(r: &mut RawStartup<'a>, s: &mut Scan<'a>, key: &str) -> Option<()> {
    match key {
        "company_name" => put(&mut r.company_name, string(s)),
        "company_uscc" => put(&mut r.company_uscc, string(s)),
        "company_in_park" => put(&mut r.company_in_park, flag(s)),
        "industry" => put(&mut r.industry, string(s)),
        "registration_date" => put(&mut r.registration_date, string(s)),
        "paid_in_capital" => put(&mut r.paid_in_capital, number(s)),
        "founder_equity_pct" => put(&mut r.founder_equity_pct, number(s)),
        "founder_cash_investment" => put(&mut r.founder_cash_investment, number(s)),
        "owns_core_ip" => put(&mut r.owns_core_ip, flag(s)),
        "planned_rd_investment" => put(&mut r.planned_rd_investment, number(s)),
        "office_area_sqm" => put(&mut r.office_area_sqm, number(s)),
        _ => None,
    }
}

fn housing<'a>(r: &mut RawHousing<'a>, s: &mut Scan<'a>, key: &str) -> Option<()> {
    match key {
        "owns_home_in_city" => put(&mut r.owns_home_in_city, flag(s)),
        "lives_in_talent_apartment" => put(&mut r.lives_in_talent_apartment, flag(s)),
        "home_purchase" => object(&mut r.home_purchase, s, purchase),
        _ => None,
    }
}

fn purchase<'a>(r: &mut RawPurchase<'a>, s: &mut Scan<'a>, key: &str) -> Option<()> {
    match key {
        "date" => put(&mut r.date, string(s)),
        "price" => put(&mut r.price, number(s)),
        "in_park" => put(&mut r.in_park, flag(s)),
        "first_home" => put(&mut r.first_home, flag(s)),
        _ => None,
    }
}

/// `str::trim`, after a quick look at both ends: most text has no space to trim.
fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// `None` (give up) unless the value is usable as given.
type Got<T> = Option<T>;

/// Text given, trimmed; blank reads as not given.
fn given(s: Slot<&str>) -> Option<&str> {
    s.flatten().map(trim).filter(|t| !t.is_empty())
}

/// Optional text, as given.
fn text(s: Slot<&str>) -> Option<String> {
    given(s).map(str::to_string)
}

/// The same in capitals (an ID number, a credit code).
fn upper(s: Slot<&str>) -> Option<String> {
    given(s).map(str::to_uppercase)
}

/// An optional value that, when given, must read: `Some(None)` not given, `None` give up.
fn optional<T>(s: Slot<&str>, read: impl Fn(&str) -> Option<T>) -> Got<Option<T>> {
    match s.flatten() {
        None => Some(None),
        Some(s) => read(trim(s)).map(Some),
    }
}

/// A value that must be given and read.
fn required<T>(s: Slot<&str>, read: impl Fn(&str) -> Option<T>) -> Got<T> {
    read(trim(s.flatten()?))
}

fn date(s: Slot<&str>) -> Got<Option<NaiveDate>> {
    optional(s, parse_date)
}

fn count(s: Slot<&str>) -> Got<Option<u32>> {
    optional(s, |t| t.parse::<u32>().ok())
}

fn decimal(s: Slot<&str>) -> Got<Option<Decimal>> {
    optional(s, parse_decimal)
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
    let line = simdutf8::basic::from_utf8(bytes).ok()?;
    let mut raw = RawProfile::default();
    raw_profile(&mut Scan::new(line)?, &mut raw)?;
    let p = raw.person.flatten()?;
    let honors = {
        let mut set = Honors::default();
        for h in p.honors.flatten().unwrap_or_default() {
            set.insert(Honor::from_id(trim(h))?);
        }
        set
    };
    let person = Person {
        full_name: text(p.full_name)?,
        id_type: required(p.id_type, IdType::from_id)?,
        id_number: upper(p.id_number)?,
        birth_date: required(p.birth_date, parse_date)?,
        highest_degree: required(p.highest_degree, Degree::from_id)?,
        institution_tier: optional(p.institution_tier, InstitutionTier::from_id)?,
        institution_name: text(p.institution_name),
        graduation_date: date(p.graduation_date)?,
        professional_title: optional(p.professional_title, Title::from_id)?.unwrap_or(Title::None),
        honors,
        overseas_work_years: count(p.overseas_work_years)?,
    };
    let employment = match raw.employment.flatten() {
        None => None,
        Some(e) => Some(Employment {
            employer_name: text(e.employer_name),
            employer_uscc: upper(e.employer_uscc),
            employer_in_park: e.employer_in_park.flatten(),
            industry: optional(e.industry, Industry::from_id)?,
            full_time: e.full_time.flatten(),
            start_date: date(e.start_date)?,
            contract_years: count(e.contract_years)?,
            annual_salary: decimal(e.annual_salary)?,
            social_insurance_months_in_park: count(e.social_insurance_months_in_park)?,
        }),
    };
    let startup = match raw.startup.flatten() {
        None => None,
        Some(s) => Some(Startup {
            company_name: text(s.company_name),
            company_uscc: upper(s.company_uscc),
            company_in_park: s.company_in_park.flatten(),
            industry: optional(s.industry, Industry::from_id)?,
            registration_date: date(s.registration_date)?,
            paid_in_capital: decimal(s.paid_in_capital)?,
            founder_equity_pct: decimal(s.founder_equity_pct)?,
            founder_cash_investment: decimal(s.founder_cash_investment)?,
            owns_core_ip: s.owns_core_ip.flatten(),
            planned_rd_investment: decimal(s.planned_rd_investment)?,
            office_area_sqm: decimal(s.office_area_sqm)?,
        }),
    };
    let housing = match raw.housing.flatten() {
        None => None,
        Some(h) => Some(Housing {
            owns_home_in_city: h.owns_home_in_city.flatten(),
            lives_in_talent_apartment: h.lives_in_talent_apartment.flatten(),
            home_purchase: match h.home_purchase.flatten() {
                None => None,
                Some(hp) => Some(HomePurchase {
                    date: date(hp.date)?,
                    price: decimal(hp.price)?,
                    in_park: hp.in_park.flatten(),
                    first_home: hp.first_home.flatten(),
                }),
            },
        }),
    };
    let mut prior_awards: Vec<Arc<str>> = Vec::new();
    for id in raw.prior_awards.flatten().unwrap_or_default() {
        let id = trim(id);
        if !ctx.is_known_program(id) {
            return None;
        }
        if !prior_awards.iter().any(|a| &**a == id) {
            prior_awards.push(Arc::from(id));
        }
    }
    Some(Profile {
        application_date: required(raw.application_date, parse_date)?,
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
