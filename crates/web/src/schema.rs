//! Types that describe the API's JSON for the OpenAPI document. The service reads and writes
//! this JSON through the applicant and engine modules (the result through the engine's fast
//! writer); these types only document it. `tests/it/schema.rs` keeps the two one contract: every
//! key real results carry is documented here and every key documented here occurs, and the
//! enumerations below are exactly those the profile reader accepts.

#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// Money, a percentage or an area, as the profile reader takes it: a decimal string
/// (`"600000"`, `"51.5"`) or a JSON number (read exactly); null or absent when not given.
fn decimal() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .description(Some(
            "A decimal: a string such as \"600000\" or \"51.5\", or a JSON number (read exactly); money may also be written \"60万\"",
        ))
        .build()
}

/// A whole number as the profile reader takes it: a JSON integer or a string of digits; null
/// or absent when not given.
fn count() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Integer,
            Type::String,
            Type::Null,
        ]))
        .description(Some(
            "A whole number, 0 or more: a JSON integer or a string of digits",
        ))
        .build()
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    ResidentId,
    Passport,
    HmtPermit,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Degree {
    None,
    Associate,
    Bachelor,
    Master,
    Doctorate,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionTier {
    DoubleFirstClass,
    #[serde(rename = "qs_top200")]
    QsTop200,
    Other,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Title {
    None,
    Junior,
    Intermediate,
    AssociateSenior,
    Senior,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Honor {
    NobelOrEquivalent,
    Academician,
    NationalTalentProgram,
    ProvincialTalentProgram,
    MunicipalTalentProgram,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    ElectronicInformation,
    AdvancedEquipment,
    NewMaterials,
    Biomedicine,
    NewEnergy,
    DigitalEconomy,
    ModernServices,
    Other,
}

/// An applicant profile. Money, percentages and areas are decimal
/// strings (JSON numbers are read exactly too); dates are `YYYY-MM-DD`. Unknown fields are
/// errors.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProfileDoc {
    #[schema(format = Date, example = "2026-03-01")]
    pub application_date: String,
    pub person: PersonDoc,
    pub employment: Option<EmploymentDoc>,
    pub startup: Option<StartupDoc>,
    pub housing: Option<HousingDoc>,
    /// Program ids already received.
    #[schema(example = json!([]))]
    pub prior_awards: Option<Vec<String>>,
}

/// A partial profile for a screening: every field may be left out (unknown). A section
/// given as null does not apply (no job, no company, no home purchase); a section left out is
/// unknown. `application_date` defaults to today in China. Unknown keys are errors.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartialProfileDoc {
    #[schema(format = Date, example = "2026-03-01")]
    pub application_date: Option<String>,
    pub person: Option<PartialPersonDoc>,
    pub employment: Option<EmploymentDoc>,
    pub startup: Option<StartupDoc>,
    pub housing: Option<HousingDoc>,
    /// Program ids already received; left out: unknown.
    pub prior_awards: Option<Vec<String>>,
}

/// The person, every answer optional: names and ID numbers never change an estimate; a
/// resident ID number gives the birth date.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartialPersonDoc {
    #[schema(example = "张三", min_length = 1, max_length = 50)]
    pub full_name: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<String>,
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    pub highest_degree: Option<Degree>,
    pub institution_tier: Option<InstitutionTier>,
    pub institution_name: Option<String>,
    #[schema(format = Date)]
    pub graduation_date: Option<String>,
    pub professional_title: Option<Title>,
    pub honors: Option<Vec<Honor>>,
    #[schema(schema_with = count)]
    pub overseas_work_years: Option<u32>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PersonDoc {
    #[schema(example = "张三", min_length = 1, max_length = 50)]
    pub full_name: String,
    pub id_type: IdType,
    /// Resident ID: 18 characters with a GB 11643 check digit and the birth date inside.
    #[schema(example = "32068219880315001X")]
    pub id_number: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub highest_degree: Degree,
    /// Required unless highest_degree is none.
    pub institution_tier: Option<InstitutionTier>,
    pub institution_name: Option<String>,
    #[schema(format = Date)]
    pub graduation_date: Option<String>,
    pub professional_title: Option<Title>,
    pub honors: Option<Vec<Honor>>,
    #[schema(schema_with = count)]
    pub overseas_work_years: Option<u32>,
}

/// Every field may be left out; a condition on a missing value does not hold.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EmploymentDoc {
    pub employer_name: Option<String>,
    /// Unified social credit code with its GB 32100 check character.
    pub employer_uscc: Option<String>,
    pub employer_in_park: Option<bool>,
    pub industry: Option<Industry>,
    pub full_time: Option<bool>,
    #[schema(format = Date)]
    pub start_date: Option<String>,
    /// An open-ended contract counts as 20.
    #[schema(schema_with = count)]
    pub contract_years: Option<u32>,
    #[schema(schema_with = decimal, example = "600000")]
    pub annual_salary: Option<String>,
    #[schema(schema_with = count)]
    pub social_insurance_months_in_park: Option<u32>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StartupDoc {
    pub company_name: Option<String>,
    pub company_uscc: Option<String>,
    pub company_in_park: Option<bool>,
    pub industry: Option<Industry>,
    #[schema(format = Date)]
    pub registration_date: Option<String>,
    #[schema(schema_with = decimal, example = "2000000")]
    pub paid_in_capital: Option<String>,
    #[schema(schema_with = decimal, example = "51")]
    pub founder_equity_pct: Option<String>,
    #[schema(schema_with = decimal, example = "800000")]
    pub founder_cash_investment: Option<String>,
    pub owns_core_ip: Option<bool>,
    #[schema(schema_with = decimal, example = "0")]
    pub planned_rd_investment: Option<String>,
    #[schema(schema_with = decimal, example = "150")]
    pub office_area_sqm: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct HousingDoc {
    pub owns_home_in_city: Option<bool>,
    pub lives_in_talent_apartment: Option<bool>,
    pub home_purchase: Option<HomePurchaseDoc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct HomePurchaseDoc {
    #[schema(format = Date)]
    pub date: Option<String>,
    #[schema(schema_with = decimal, example = "1800000")]
    pub price: Option<String>,
    pub in_park: Option<bool>,
    pub first_home: Option<bool>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FieldErrorDoc {
    /// The field's path, such as `startup.founder_equity_pct`; empty for the body as a whole.
    #[schema(example = "person.id_number")]
    pub field: String,
    #[schema(example = "身份证号校验位不正确，请核对")]
    pub message_zh: String,
    #[schema(example = "the ID number's check digit is wrong: please check the number")]
    pub message_en: String,
}

/// An application with its materials' files (multipart/form-data): the profile, as the same
/// JSON an application/json body holds, in the part `profile`; each file in a part named
/// `material:ID`, where ID is one of the policy's materials (`GET /api/v1/policy` lists them).
/// Files are PDF, JPEG or PNG, recognised by their content.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ApplicationFilesDoc {
    /// The profile as JSON text (not JSON, or not a valid profile: 422).
    #[schema(example = json!(rules::EXAMPLE_PROFILE))]
    pub profile: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorsDoc {
    pub errors: Vec<FieldErrorDoc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TierRuleDoc {
    pub tier_name_zh: String,
    pub tier_name_en: String,
    #[schema(example = "C1")]
    pub row: String,
    pub label_zh: String,
    pub label_en: String,
    pub citation: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConditionDoc {
    #[schema(example = "founder_equity")]
    pub id: String,
    pub met: bool,
    /// The applicant's value; null when not given.
    #[schema(example = "51")]
    pub value: Option<String>,
    #[schema(example = "≥ 30")]
    pub requirement: String,
    #[schema(example = "jinying 第五条")]
    pub citation: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReductionDoc {
    #[schema(example = "startup_support")]
    pub rule: String,
    /// `no_double_funding` or `cap`.
    pub kind: String,
    /// For no double funding: the program granted instead.
    pub winner: Option<String>,
    /// For a cap: its amount.
    pub max: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    pub citation: String,
    #[schema(example = "216000")]
    pub from: String,
    #[schema(example = "0")]
    pub to: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct InstallmentDoc {
    #[schema(example = "1500000")]
    pub amount: String,
    #[schema(example = "50%")]
    pub share: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    Ineligible,
    NotApplicable,
    Excluded,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProgramResultDoc {
    #[schema(example = "jinying_startup")]
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: Status,
    /// Granted, whole yuan, after no double funding and caps.
    #[schema(example = "3000000")]
    pub amount: String,
    /// By the program's own rule, before combining.
    pub computed_amount: String,
    /// 一事一议: committee review required.
    pub review_required: bool,
    pub missing_sections: Vec<String>,
    pub conditions: Vec<ConditionDoc>,
    pub reductions: Vec<ReductionDoc>,
    pub installments: Vec<InstallmentDoc>,
    pub amount_citation: String,
}

/// One change a hint asks for.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct HintChangeDoc {
    #[schema(example = "founder_equity")]
    pub condition: String,
    #[schema(example = "startup.founder_equity_pct")]
    pub field: String,
    #[schema(example = "25")]
    pub from: Option<String>,
    #[schema(example = "30")]
    pub to: String,
}

/// A program's amount a hint moves.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct HintMoveDoc {
    #[schema(example = "jinying_office")]
    pub program: String,
    #[schema(example = "0")]
    pub from: String,
    #[schema(example = "162000")]
    pub to: String,
}

/// What would change a missed program: one to three changes made together (each the smallest
/// that meets its condition), what the total gains and every program it moves. `condition`,
/// `field`, `from` and `to` repeat the first change.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct HintDoc {
    #[schema(example = "jinying_startup")]
    pub program: String,
    #[schema(example = "founder_equity")]
    pub condition: String,
    #[schema(example = "startup.founder_equity_pct")]
    pub field: String,
    #[schema(example = "25")]
    pub from: Option<String>,
    #[schema(example = "30")]
    pub to: String,
    pub changes: Vec<HintChangeDoc>,
    #[schema(example = "3000000")]
    pub amount: String,
    pub total: String,
    /// Always more than 0.
    #[schema(example = "3162000")]
    pub gained: String,
    pub moved: Vec<HintMoveDoc>,
}

/// An assessment: the same JSON `talent-subsidy eval` prints.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AssessmentDoc {
    #[schema(example = "2026")]
    pub policy_version: String,
    #[schema(format = Date)]
    pub application_date: String,
    /// `A`…`F`, or `none`.
    #[schema(example = "C")]
    pub talent_tier: String,
    pub tier_rule: Option<TierRuleDoc>,
    /// All programs of the version, in the policy's order.
    pub programs: Vec<ProgramResultDoc>,
    #[schema(example = "4434000")]
    pub total: String,
    pub disclaimer_zh: String,
    pub disclaimer_en: String,
    /// Only with `?hints=true`.
    pub hints: Option<Vec<HintDoc>>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct HealthDoc {
    /// `ok`, or `degraded` when the last reload was refused (the previous policy still serves)
    /// or the database does not answer.
    #[schema(example = "ok")]
    pub status: String,
    /// `ok`, `unavailable`, or `none` for a service started without one.
    #[schema(example = "ok")]
    pub database: String,
    /// `folder` (policy files read from a folder) or `built-in` (the copy inside the binary);
    /// the folder's path is not shown.
    #[schema(example = "folder")]
    pub policy_source: String,
    pub policy_versions: Vec<String>,
    pub policy_loaded_at: String,
    pub last_reload_error: Option<ReloadErrorDoc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReloadErrorDoc {
    pub at: String,
    /// Each `file:line:column: error: message`.
    pub diagnostics: Vec<String>,
}

/// The privacy notice in force (its version, as `GET /api/v1/privacy-notice` gives it). A unit
/// test keeps this name equal to `privacy::NOTICE_VERSION`.
#[derive(Serialize, Deserialize, ToSchema)]
pub enum NoticeVersionDoc {
    #[serde(rename = "2026-12-05")]
    Current,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_notice_version_is_the_one_in_force() {
        assert_eq!(
            serde_json::to_value(super::NoticeVersionDoc::Current).unwrap(),
            serde_json::json!(app::privacy::NOTICE_VERSION)
        );
    }
}

/// A string parameter whose values are ids the code defines, listed from the code itself so
/// that a status the procedure adds appears in the document without anyone editing it.
fn id_choices(ids: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ids))
        .description(Some(description))
        .build()
}

/// The application list's `status` filter: every status an application can have.
pub struct AppStatusParam;

impl utoipa::PartialSchema for AppStatusParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let words: Vec<String> = store::AppStatus::ALL
            .iter()
            .map(|s| format!("{} ({})", s.id(), s.en()))
            .collect();
        id_choices(
            store::AppStatus::ALL.iter().map(|s| s.id()),
            &format!("An application's status: {}", words.join(", ")),
        )
        .into()
    }
}
impl ToSchema for AppStatusParam {}

/// The application list's `step` filter: every step of the park's procedure.
pub struct CaseStepParam;

impl utoipa::PartialSchema for CaseStepParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let words: Vec<String> = store::CaseStep::ALL
            .iter()
            .map(|s| format!("{} ({})", s.id(), s.en()))
            .collect();
        id_choices(
            store::CaseStep::ALL.iter().map(|s| s.id()),
            &format!("A step of the procedure: {}", words.join(", ")),
        )
        .into()
    }
}
impl ToSchema for CaseStepParam {}

/// The application list's `handler` filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HandlerParam {
    /// Cases no officer has taken.
    Unassigned,
    /// Cases the signed-in officer holds.
    Mine,
}
