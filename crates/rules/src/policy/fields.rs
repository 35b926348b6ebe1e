//! The profile fields and derived values a policy expression may name, with their types.
//! This is the one list that ties policy files to the applicant profile.

use super::value::{Ty, Val};
use crate::applicant::{Domain, Profile};
use rust_decimal::Decimal;

/// The optional parts of a profile a program can need (a program's `needs` in its policy
/// file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Employment,
    Startup,
    Housing,
    HomePurchase,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Employment,
        Section::Startup,
        Section::Housing,
        Section::HomePurchase,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Section::Employment => "employment",
            Section::Startup => "startup",
            Section::Housing => "housing",
            Section::HomePurchase => "housing.home_purchase",
        }
    }

    pub fn from_path(p: &str) -> Option<Section> {
        Self::ALL.into_iter().find(|s| s.path() == p)
    }

    pub fn is_present(self, p: &Profile) -> bool {
        match self {
            Section::Employment => p.employment.is_some(),
            Section::Startup => p.startup.is_some(),
            Section::Housing => p.housing.is_some(),
            Section::HomePurchase => p
                .housing
                .as_ref()
                .is_some_and(|h| h.home_purchase.is_some()),
        }
    }

    /// The section this one lies inside, if any.
    pub fn parent(self) -> Option<Section> {
        (self == Section::HomePurchase).then_some(Section::Housing)
    }
}

/// Each expression field's unit, by its index in [`FIELDS`], looked up once from the field
/// table (the engine's explanations read it per amount).
static UNITS: std::sync::LazyLock<Vec<Option<crate::units::Unit>>> =
    std::sync::LazyLock::new(|| {
        FIELDS
            .iter()
            .map(|f| crate::input::fields::unit_of(f.path))
            .collect()
    });

/// The unit of the field at `index` in [`FIELDS`].
pub fn unit_at(index: usize) -> Option<crate::units::Unit> {
    UNITS.get(index).copied().flatten()
}

/// A profile field an expression can read.
pub struct FieldDef {
    pub path: &'static str,
    pub ty: Ty,
    /// The optional section the field lies in; `None` for `person.*` and top-level fields.
    pub section: Option<Section>,
    /// For numeric fields: the smallest step an applicant can change it by (1 for counts,
    /// 0.01 for money, percentages and areas). Hints move a value by whole steps.
    pub step: Option<Decimal>,
    pub get: for<'a> fn(&'a Profile) -> Option<Val<'a>>,
    /// Sets the field (used by hints on a copy of the profile, through [`revised`]); `None`
    /// when the field cannot be changed by the applicant.
    pub(crate) set: Option<fn(&mut Profile, Val<'_>) -> Option<()>>,
}

impl FieldDef {
    /// Whether an applicant can change this field (a hint may suggest it).
    pub fn can_change(&self) -> bool {
        self.set.is_some()
    }
}

/// `profile` with each field set to its value, checked against every rule again: `None` when
/// a field cannot be changed or a value does not fit it, else the new profile or why it is
/// not valid.
pub fn revised(
    profile: &Profile,
    changes: &[(&FieldDef, Val<'_>)],
    ctx: &dyn crate::applicant::ProfileContext,
) -> Option<Result<Profile, crate::applicant::InvalidProfile>> {
    profile.revised(ctx, |p| {
        for (field, value) in changes {
            (field.set?)(p, *value)?;
        }
        Some(())
    })
}

fn as_num(v: Val<'_>) -> Option<Decimal> {
    match v {
        Val::Num(n) => Some(n),
        _ => None,
    }
}
fn as_count(v: Val<'_>) -> Option<u32> {
    use rust_decimal::prelude::ToPrimitive;
    as_num(v)
        .filter(|n| n.fract().is_zero())
        .and_then(|n| n.to_u32())
}
fn as_flag(v: Val<'_>) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(b),
        _ => None,
    }
}

fn num(d: Option<Decimal>) -> Option<Val<'static>> {
    d.map(Val::Num)
}
fn count(n: Option<u32>) -> Option<Val<'static>> {
    n.map(|n| Val::Num(Decimal::from(n)))
}
fn flag(b: Option<bool>) -> Option<Val<'static>> {
    b.map(Val::Bool)
}
fn date(d: Option<chrono::NaiveDate>) -> Option<Val<'static>> {
    d.map(Val::Date)
}

const CENT: Option<Decimal> = Some(Decimal::from_parts(1, 0, 0, false, 2));
const ONE: Option<Decimal> = Some(Decimal::ONE);
const E: Option<Section> = Some(Section::Employment);
const S: Option<Section> = Some(Section::Startup);
const H: Option<Section> = Some(Section::Housing);
const HP: Option<Section> = Some(Section::HomePurchase);

macro_rules! field {
    ($path:literal, $ty:expr, $section:expr, $step:expr, |$p:ident| $get:expr) => {
        FieldDef { path: $path, ty: $ty, section: $section, step: $step, get: |$p| $get, set: None }
    };
    ($path:literal, $ty:expr, $section:expr, $step:expr, |$p:ident| $get:expr, $conv:ident => $($place:tt)+) => {
        FieldDef {
            path: $path,
            ty: $ty,
            section: $section,
            step: $step,
            get: |$p| $get,
            set: Some(|$p, v| {
                $($place)+ = Some($conv(v)?);
                Some(())
            }),
        }
    };
}

pub static FIELDS: &[FieldDef] = &[
    field!("application_date", Ty::Date, None, None, |p| Some(
        Val::Date(p.application_date)
    )),
    field!("person.full_name", Ty::Text, None, None, |p| Some(
        Val::Text(&p.person.full_name)
    )),
    field!(
        "person.id_type",
        Ty::Enum(Domain::IdType),
        None,
        None,
        |p| Some(Val::Enum(Domain::IdType, p.person.id_type.index()))
    ),
    field!("person.birth_date", Ty::Date, None, None, |p| Some(
        Val::Date(p.person.birth_date)
    )),
    field!(
        "person.highest_degree",
        Ty::Enum(Domain::Degree),
        None,
        None,
        |p| Some(Val::Enum(Domain::Degree, p.person.highest_degree.index()))
    ),
    field!(
        "person.institution_tier",
        Ty::Enum(Domain::InstitutionTier),
        None,
        None,
        |p| p
            .person
            .institution_tier
            .map(|t| Val::Enum(Domain::InstitutionTier, t.index()))
    ),
    field!("person.institution_name", Ty::Text, None, None, |p| p
        .person
        .institution_name
        .as_deref()
        .map(Val::Text)),
    field!("person.graduation_date", Ty::Date, None, None, |p| date(
        p.person.graduation_date
    )),
    field!(
        "person.professional_title",
        Ty::Enum(Domain::Title),
        None,
        None,
        |p| Some(Val::Enum(
            Domain::Title,
            p.person.professional_title.index()
        ))
    ),
    field!("person.honors", Ty::Set(Domain::Honor), None, None, |p| {
        Some(Val::Set(Domain::Honor, p.person.honors.bits()))
    }),
    field!("person.overseas_work_years", Ty::Num, None, ONE, |p| count(p.person.overseas_work_years), as_count => p.person.overseas_work_years),
    field!("employment.employer_in_park", Ty::Bool, E, None, |p| flag(p.employment.as_ref()?.employer_in_park), as_flag => p.employment.as_mut()?.employer_in_park),
    field!(
        "employment.industry",
        Ty::Enum(Domain::Industry),
        E,
        None,
        |p| p
            .employment
            .as_ref()?
            .industry
            .map(|i| Val::Enum(Domain::Industry, i.index()))
    ),
    field!("employment.full_time", Ty::Bool, E, None, |p| flag(p.employment.as_ref()?.full_time), as_flag => p.employment.as_mut()?.full_time),
    field!("employment.start_date", Ty::Date, E, None, |p| date(
        p.employment.as_ref()?.start_date
    )),
    field!("employment.contract_years", Ty::Num, E, ONE, |p| count(p.employment.as_ref()?.contract_years), as_count => p.employment.as_mut()?.contract_years),
    field!("employment.annual_salary", Ty::Num, E, CENT, |p| num(p.employment.as_ref()?.annual_salary), as_num => p.employment.as_mut()?.annual_salary),
    field!("employment.social_insurance_months_in_park", Ty::Num, E, ONE, |p| count(p.employment.as_ref()?.social_insurance_months_in_park), as_count => p.employment.as_mut()?.social_insurance_months_in_park),
    field!("startup.company_in_park", Ty::Bool, S, None, |p| flag(p.startup.as_ref()?.company_in_park), as_flag => p.startup.as_mut()?.company_in_park),
    field!(
        "startup.industry",
        Ty::Enum(Domain::Industry),
        S,
        None,
        |p| p
            .startup
            .as_ref()?
            .industry
            .map(|i| Val::Enum(Domain::Industry, i.index()))
    ),
    field!("startup.registration_date", Ty::Date, S, None, |p| date(
        p.startup.as_ref()?.registration_date
    )),
    field!("startup.paid_in_capital", Ty::Num, S, CENT, |p| num(p.startup.as_ref()?.paid_in_capital), as_num => p.startup.as_mut()?.paid_in_capital),
    field!("startup.founder_equity_pct", Ty::Num, S, CENT, |p| num(p.startup.as_ref()?.founder_equity_pct), as_num => p.startup.as_mut()?.founder_equity_pct),
    field!("startup.founder_cash_investment", Ty::Num, S, CENT, |p| num(p.startup.as_ref()?.founder_cash_investment), as_num => p.startup.as_mut()?.founder_cash_investment),
    field!("startup.owns_core_ip", Ty::Bool, S, None, |p| flag(p.startup.as_ref()?.owns_core_ip), as_flag => p.startup.as_mut()?.owns_core_ip),
    field!("startup.planned_rd_investment", Ty::Num, S, CENT, |p| num(p.startup.as_ref()?.planned_rd_investment), as_num => p.startup.as_mut()?.planned_rd_investment),
    field!("startup.office_area_sqm", Ty::Num, S, CENT, |p| num(p.startup.as_ref()?.office_area_sqm), as_num => p.startup.as_mut()?.office_area_sqm),
    field!("housing.owns_home_in_city", Ty::Bool, H, None, |p| flag(p.housing.as_ref()?.owns_home_in_city), as_flag => p.housing.as_mut()?.owns_home_in_city),
    field!("housing.lives_in_talent_apartment", Ty::Bool, H, None, |p| flag(p.housing.as_ref()?.lives_in_talent_apartment), as_flag => p.housing.as_mut()?.lives_in_talent_apartment),
    field!("housing.home_purchase.date", Ty::Date, HP, None, |p| date(
        p.housing.as_ref()?.home_purchase.as_ref()?.date
    )),
    field!("housing.home_purchase.price", Ty::Num, HP, CENT, |p| num(p.housing.as_ref()?.home_purchase.as_ref()?.price), as_num => p.housing.as_mut()?.home_purchase.as_mut()?.price),
    field!("housing.home_purchase.in_park", Ty::Bool, HP, None, |p| flag(p.housing.as_ref()?.home_purchase.as_ref()?.in_park), as_flag => p.housing.as_mut()?.home_purchase.as_mut()?.in_park),
    field!("housing.home_purchase.first_home", Ty::Bool, HP, None, |p| flag(p.housing.as_ref()?.home_purchase.as_ref()?.first_home), as_flag => p.housing.as_mut()?.home_purchase.as_mut()?.first_home),
];

/// Fields every valid profile has (required, or defaulted when left out).
pub const ALWAYS_PRESENT: [&str; 7] = [
    "application_date",
    "person.full_name",
    "person.id_type",
    "person.birth_date",
    "person.highest_degree",
    "person.professional_title",
    "person.honors",
];

pub fn field_index(path: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.path == path)
}

/// Values the engine derives (`age`, `tier`, `annual_salary`, …) or knows from context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// Full years at the application date.
    Age,
    /// The talent tier (an index into the policy's tiers; `none` when no row holds).
    Tier,
    /// `employment.annual_salary`, 0 without employment.
    AnnualSalary,
    /// The program's own id is not in `prior_awards`.
    FirstTime,
    /// The program's amount after combination (only in a review rule).
    Amount,
}

impl Var {
    pub fn from_name(name: &str) -> Option<Var> {
        Some(match name {
            "age" => Var::Age,
            "tier" => Var::Tier,
            "annual_salary" => Var::AnnualSalary,
            "first_time" => Var::FirstTime,
            "amount" => Var::Amount,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Var::Age => "age",
            Var::Tier => "tier",
            Var::AnnualSalary => "annual_salary",
            Var::FirstTime => "first_time",
            Var::Amount => "amount",
        }
    }

    pub fn ty(self) -> Ty {
        match self {
            Var::Age | Var::AnnualSalary | Var::Amount => Ty::Num,
            Var::Tier => Ty::Enum(Domain::Tier),
            Var::FirstTime => Ty::Bool,
        }
    }
}
