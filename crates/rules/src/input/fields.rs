//! The one list of the profile's fields as people see them: path, section, kind, Chinese and
//! English labels and help. The web form is drawn from it and read with it, the spreadsheet
//! template's columns and headers come from it, and a profile error finds its way back to
//! the field it names through it.
//!
//! Invariant: **every field a person can answer is here once**; the form, the batch columns
//! and the officer's view of an application all list these, in this order.

use crate::applicant::{Domain, EnumValue};
use crate::units::Unit;

pub use super::section::FormSection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Select(Domain),
    /// A yes/no answer (是 / 否 / 未填).
    YesNo,
    /// A whole number of years.
    Years,
    /// A whole number of months.
    Months,
    /// Money in yuan: `1200000`, `1,200,000`, `120万`.
    Money,
    Percent,
    Area,
    /// Checkboxes, one per value of the domain.
    Checks(Domain),
    /// Checkboxes, one per program of the policy.
    Programs,
}

pub struct FieldSpec {
    /// The profile path, also the input's `name`.
    pub path: &'static str,
    pub section: FormSection,
    pub kind: Kind,
    pub zh: &'static str,
    pub en: &'static str,
    pub help_zh: &'static str,
    pub help_en: &'static str,
    pub need: Need,
}

/// When a field must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Optional,
    /// Always, for an estimate too.
    Always,
    /// To apply (identity): an estimate goes without it.
    ToApply,
    /// When the highest degree is not `none`.
    WithDegree,
}

impl FieldSpec {
    /// A whole profile (an application, a batch row) cannot go without it.
    pub fn required(&self) -> bool {
        matches!(self.need, Need::Always | Need::ToApply)
    }
}

macro_rules! f {
    ($path:literal, $section:ident, $kind:expr, $zh:literal, $en:literal) => {
        f!($path, $section, $kind, $zh, $en, "", "", Need::Optional)
    };
    ($path:literal, $section:ident, $kind:expr, $zh:literal, $en:literal, required) => {
        f!($path, $section, $kind, $zh, $en, "", "", Need::Always)
    };
    ($path:literal, $section:ident, $kind:expr, $zh:literal, $en:literal, to_apply) => {
        f!($path, $section, $kind, $zh, $en, "", "", Need::ToApply)
    };
    ($path:literal, $section:ident, $kind:expr, $zh:literal, $en:literal, $hzh:expr, $hen:expr, $req:expr) => {
        FieldSpec {
            path: $path,
            section: FormSection::$section,
            kind: $kind,
            zh: $zh,
            en: $en,
            help_zh: $hzh,
            help_en: $hen,
            need: $req,
        }
    };
}

const MONEY_HELP_ZH: &str = "单位：元。可写 1200000、1,200,000 或 120万";
const MONEY_HELP_EN: &str = "In yuan. 1200000, 1,200,000 and 120万 are all accepted";

pub static FIELDS: &[FieldSpec] = &[
    f!(
        "application_date",
        Basic,
        Kind::Date,
        "申请日期",
        "Application date",
        "按申请日适用的政策版本测算",
        "The policy in force on this date applies",
        Need::Always
    ),
    f!(
        "person.full_name",
        Basic,
        Kind::Text,
        "姓名",
        "Full name",
        to_apply
    ),
    f!(
        "person.id_type",
        Basic,
        Kind::Select(Domain::IdType),
        "证件类型",
        "ID type",
        to_apply
    ),
    f!(
        "person.id_number",
        Basic,
        Kind::Text,
        "证件号码",
        "ID number",
        "居民身份证为18位，末位可为X",
        "A resident ID has 18 characters; the last may be X",
        Need::ToApply
    ),
    f!(
        "person.birth_date",
        Basic,
        Kind::Date,
        "出生日期",
        "Date of birth",
        required
    ),
    f!(
        "person.highest_degree",
        Education,
        Kind::Select(Domain::Degree),
        "最高学历",
        "Highest degree",
        required
    ),
    f!(
        "person.institution_tier",
        Education,
        Kind::Select(Domain::InstitutionTier),
        "毕业院校类别",
        "Type of university",
        "有学历时必填",
        "Required with a degree",
        Need::WithDegree
    ),
    f!(
        "person.institution_name",
        Education,
        Kind::Text,
        "毕业院校名称",
        "University name",
        "有学历时必填；政校企合作联盟院校请按名单全称填写（如“南通大学”）",
        "Required with a degree; for an alliance institution write its full listed name (e.g. 南通大学)",
        Need::WithDegree
    ),
    f!(
        "person.graduation_date",
        Education,
        Kind::Date,
        "毕业日期",
        "Graduation date",
        "有学历时必填",
        "Required with a degree",
        Need::WithDegree
    ),
    f!(
        "person.professional_title",
        Education,
        Kind::Select(Domain::Title),
        "专业技术职称",
        "Professional title"
    ),
    f!(
        "person.honors",
        Education,
        Kind::Checks(Domain::Honor),
        "人才称号",
        "Talent honours"
    ),
    f!(
        "person.overseas_work_years",
        Education,
        Kind::Years,
        "海外工作年限",
        "Years of work abroad",
        "整数年",
        "Whole years",
        Need::Optional
    ),
    f!(
        "employment.employer_name",
        Employment,
        Kind::Text,
        "用人单位名称",
        "Employer"
    ),
    f!(
        "employment.employer_uscc",
        Employment,
        Kind::Text,
        "用人单位统一社会信用代码",
        "Employer's unified social credit code",
        "18位",
        "18 characters",
        Need::Optional
    ),
    f!(
        "employment.employer_in_park",
        Employment,
        Kind::YesNo,
        "用人单位在园区",
        "The employer is in the park"
    ),
    f!(
        "employment.industry",
        Employment,
        Kind::Select(Domain::Industry),
        "用人单位所属产业",
        "Employer's industry"
    ),
    f!(
        "employment.full_time",
        Employment,
        Kind::YesNo,
        "全职",
        "Full time"
    ),
    f!(
        "employment.start_date",
        Employment,
        Kind::Date,
        "入职日期",
        "Start date"
    ),
    f!(
        "employment.contract_years",
        Employment,
        Kind::Years,
        "劳动合同期限（年）",
        "Contract length (years)",
        "无固定期限合同填20",
        "An open-ended contract counts as 20",
        Need::Optional
    ),
    f!(
        "employment.annual_salary",
        Employment,
        Kind::Money,
        "年薪（元）",
        "Annual salary (yuan)",
        MONEY_HELP_ZH,
        MONEY_HELP_EN,
        Need::Optional
    ),
    f!(
        "employment.social_insurance_months_in_park",
        Employment,
        Kind::Months,
        "在园区缴纳社保月数",
        "Months of social insurance paid in the park"
    ),
    f!(
        "startup.company_name",
        Startup,
        Kind::Text,
        "企业名称",
        "Company name"
    ),
    f!(
        "startup.company_uscc",
        Startup,
        Kind::Text,
        "企业统一社会信用代码",
        "Company's unified social credit code",
        "18位",
        "18 characters",
        Need::Optional
    ),
    f!(
        "startup.company_in_park",
        Startup,
        Kind::YesNo,
        "企业注册在园区",
        "The company is registered in the park"
    ),
    f!(
        "startup.industry",
        Startup,
        Kind::Select(Domain::Industry),
        "企业所属产业",
        "Company's industry"
    ),
    f!(
        "startup.registration_date",
        Startup,
        Kind::Date,
        "企业注册日期",
        "Registration date"
    ),
    f!(
        "startup.paid_in_capital",
        Startup,
        Kind::Money,
        "实缴注册资本（元）",
        "Paid-in capital (yuan)",
        MONEY_HELP_ZH,
        MONEY_HELP_EN,
        Need::Optional
    ),
    f!(
        "startup.founder_equity_pct",
        Startup,
        Kind::Percent,
        "本人持股比例（%）",
        "Your equity share (%)",
        "如 30 或 30%",
        "Such as 30 or 30%",
        Need::Optional
    ),
    f!(
        "startup.founder_cash_investment",
        Startup,
        Kind::Money,
        "本人现金出资（元）",
        "Your cash investment (yuan)",
        MONEY_HELP_ZH,
        MONEY_HELP_EN,
        Need::Optional
    ),
    f!(
        "startup.owns_core_ip",
        Startup,
        Kind::YesNo,
        "拥有核心自主知识产权",
        "Owns the core intellectual property"
    ),
    f!(
        "startup.planned_rd_investment",
        Startup,
        Kind::Money,
        "计划研发投入（元）",
        "Planned R&D investment (yuan)",
        MONEY_HELP_ZH,
        MONEY_HELP_EN,
        Need::Optional
    ),
    f!(
        "startup.office_area_sqm",
        Startup,
        Kind::Area,
        "在园区租用办公面积（平方米）",
        "Office area rented in the park (m²)"
    ),
    f!(
        "housing.owns_home_in_city",
        Housing,
        Kind::YesNo,
        "在本市已有自有住房",
        "Owns a home in the city"
    ),
    f!(
        "housing.lives_in_talent_apartment",
        Housing,
        Kind::YesNo,
        "已入住人才公寓",
        "Lives in a talent apartment"
    ),
    f!(
        "housing.home_purchase.date",
        HomePurchase,
        Kind::Date,
        "购房日期",
        "Purchase date"
    ),
    f!(
        "housing.home_purchase.price",
        HomePurchase,
        Kind::Money,
        "房价（元）",
        "Price (yuan)",
        MONEY_HELP_ZH,
        MONEY_HELP_EN,
        Need::Optional
    ),
    f!(
        "housing.home_purchase.in_park",
        HomePurchase,
        Kind::YesNo,
        "住房位于园区",
        "The home is in the park"
    ),
    f!(
        "housing.home_purchase.first_home",
        HomePurchase,
        Kind::YesNo,
        "首套住房",
        "First home"
    ),
    f!(
        "prior_awards",
        Prior,
        Kind::Programs,
        "已享受过的项目",
        "Programs already received"
    ),
];

impl Kind {
    /// What a number of this kind measures: the one place a field's unit is declared.
    pub fn unit(self) -> Option<Unit> {
        match self {
            Kind::Money => Some(Unit::Yuan),
            Kind::Percent => Some(Unit::Percent),
            Kind::Area => Some(Unit::Sqm),
            Kind::Years => Some(Unit::Years),
            Kind::Months => Some(Unit::Months),
            _ => None,
        }
    }

    /// A whole number (of years or months).
    pub fn is_count(self) -> bool {
        matches!(self, Kind::Years | Kind::Months)
    }
}

pub fn field(path: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.path == path)
}

/// What the field at `path` measures, as the table declares it (`None`: not a field, or not a
/// quantity).
pub fn unit_of(path: &str) -> Option<Unit> {
    field(path)?.kind.unit()
}

/// The unit a hint or a value is shown with.
pub fn unit(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Money => ("元", " yuan"),
        Kind::Percent => ("%", "%"),
        Kind::Area => ("平方米", " m²"),
        _ => ("", ""),
    }
}

/// The input's `id` for a field path (`person.full_name` → `f-person-full_name`).
pub fn input_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

/// The form field an error's path belongs to (`person.honors[2]` → `person.honors`); `None`
/// for an error about the form as a whole.
pub fn error_field(path: &str) -> Option<&'static FieldSpec> {
    let base = path.split('[').next().unwrap_or(path);
    field(base)
}

/// The Chinese or English name of a value of a domain.
pub fn value_name(v: &EnumValue, en: bool) -> &'static str {
    if en { v.en } else { v.zh }
}
