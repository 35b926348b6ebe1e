//! Reads a JSON value into a [`Profile`], recording a located, bilingual error for every
//! missing required field, wrong type, unknown value and unknown key. Where a required value
//! is missing, a placeholder stands in so the remaining fields can still be checked; the
//! caller never sees such a profile because the error list is then not empty.

use super::enums::{Domain, EnumValue};
use super::written::{parse_date, parse_decimal, parse_money};
use super::{
    Degree, Employment, FieldError, HomePurchase, Honors, Housing, IdType, Industry,
    InstitutionTier, Person, Profile, ProfileContext, Startup, Title,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Longest text we keep in an error message when echoing a bad value.
const ECHO_LIMIT: usize = 40;

struct ObjectReader<'v, 'e> {
    map: &'v Map<String, Value>,
    path: &'static str,
    known: &'static [&'static str],
    errors: &'e mut Vec<FieldError>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn echo(v: &Value) -> String {
    let s = match v {
        Value::String(s) => super::visible(s),
        other => super::visible(&other.to_string()),
    };
    if s.chars().count() > ECHO_LIMIT {
        let cut: String = s.chars().take(ECHO_LIMIT).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn type_error(field: String, zh: &str, en: &str, got: &Value) -> FieldError {
    FieldError::new(
        field,
        format!("应为{zh}，收到的是 {}", echo(got)),
        format!("must be {en}, got {}", echo(got)),
    )
}

impl<'v, 'e> ObjectReader<'v, 'e> {
    /// Opens `value` as the object at `path`; records an error and returns `None` when it is
    /// something else.
    fn open(
        value: &'v Value,
        path: &'static str,
        known: &'static [&'static str],
        errors: &'e mut Vec<FieldError>,
    ) -> Option<Self> {
        match value {
            Value::Object(map) => Some(ObjectReader {
                map,
                path,
                known,
                errors,
            }),
            other => {
                errors.push(type_error(
                    path.to_string(),
                    "一个对象（{…}）",
                    "an object ({…})",
                    other,
                ));
                None
            }
        }
    }

    fn field(&self, key: &str) -> String {
        join(self.path, key)
    }

    /// The value at `key`, with JSON `null` read as absent.
    fn get(&self, key: &str) -> Option<&'v Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn missing(&mut self, key: &str) {
        let f = self.field(key);
        self.errors
            .push(FieldError::new(f, "必填项，不能为空", "is required"));
    }

    /// Reads a required field with `read`; a missing (or blank) value is an error unless
    /// `read` already reported a worse one.
    fn required<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> Option<T> {
        let before = self.errors.len();
        let v = read(self, key);
        if v.is_none() && self.errors.len() == before {
            self.missing(key);
        }
        v
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => {
                let t = s.trim();
                if let Some(p) = super::unsafe_text(t, false) {
                    let f = self.field(key);
                    self.errors.push(FieldError::new(f, p.zh, p.en));
                    None
                } else if t.is_empty() {
                    None
                } else {
                    Some(t.to_string())
                }
            }
            other => {
                let f = self.field(key);
                self.errors.push(type_error(f, "文字", "text", other));
                None
            }
        }
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                let f = self.field(key);
                self.errors
                    .push(type_error(f, "true 或 false", "true or false", other));
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let v = self.get(key)?;
        let parsed = match v {
            Value::String(s) => parse_date(s.trim()),
            _ => None,
        };
        if parsed.is_none() {
            let f = self.field(key);
            self.errors.push(type_error(
                f,
                "真实存在的日期，如 2025-08-01、2025/8/1 或 2025年8月1日",
                "a real date, such as 2025-08-01, 2025/8/1 or 20250801",
                v,
            ));
        }
        parsed
    }

    fn decimal(&mut self, key: &str) -> Option<Decimal> {
        let v = self.get(key)?;
        let money = MONEY.contains(&key);
        let parsed = match v {
            Value::String(s) if money => parse_money(s),
            Value::String(s) => parse_decimal(s.trim()),
            Value::Number(n) => parse_decimal(n.as_str()),
            _ => None,
        };
        if parsed.is_none() {
            let f = self.field(key);
            let (zh, en) = if money {
                (
                    "金额（元），如 600000 或 60万",
                    "an amount in yuan, such as 600000 or 60万",
                )
            } else {
                ("数字，如 51 或 12.5", "a number, such as 51 or 12.5")
            };
            self.errors.push(type_error(f, zh, en, v));
        }
        parsed
    }

    /// A whole number of years, months…; a JSON number or a string of digits.
    fn count(&mut self, key: &str) -> Option<u32> {
        let v = self.get(key)?;
        // Where the field counts years (`contract_years`) or months, `36个月` or `3年` says so.
        let unit = if key.ends_with("_years") {
            super::written::Span::Years
        } else {
            super::written::Span::Months
        };
        let parsed = match v {
            Value::Number(n) => n.as_str().parse::<u32>().ok(),
            Value::String(s) => match super::written::parse_count(s, unit) {
                Ok(n) => Some(n),
                Err(super::written::CountProblem::NotWholeYears(months)) => {
                    let f = self.field(key);
                    let (y, m) = (months / 12, months % 12);
                    let plural = |n: u32, one: &str| {
                        if n == 1 {
                            format!("1 {one}")
                        } else {
                            format!("{n} {one}s")
                        }
                    };
                    let (that_zh, that_en) = if y == 0 {
                        (String::new(), String::new())
                    } else {
                        (
                            format!("，即 {y} 年 {m} 个月"),
                            format!(", that is {} and {}", plural(y, "year"), plural(m, "month")),
                        )
                    };
                    self.errors.push(FieldError::new(
                        f,
                        format!(
                            "“{}”按 {months} 个月理解{that_zh}；本项按整年计算，请填写整年数",
                            s.trim()
                        ),
                        format!(
                            "“{}” was read as {}{that_en}; this counts whole years: write a whole number of years",
                            s.trim(),
                            plural(months, "month")
                        ),
                    ));
                    return None;
                }
                Err(super::written::CountProblem::NotCount) => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            let f = self.field(key);
            self.errors.push(type_error(
                f,
                "不小于 0 的整数",
                "a whole number, 0 or more",
                v,
            ));
        }
        parsed
    }

    fn enumeration<T>(
        &mut self,
        key: &str,
        domain: Domain,
        from_id: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = self.get(key)?;
        let parsed = match v {
            Value::String(s) => from_id(s.trim()),
            _ => None,
        };
        if parsed.is_none() {
            let f = self.field(key);
            self.errors.push(enum_error(f, domain.values(), v));
        }
        parsed
    }

    /// A nested object at `key`, or `None` when absent or null.
    fn child(&self, key: &str) -> Option<&'v Value> {
        self.get(key)
    }
}

impl Drop for ObjectReader<'_, '_> {
    fn drop(&mut self) {
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                let f = join(self.path, key);
                self.errors.push(FieldError::new(
                    f,
                    format!("未知字段（本部分可用字段：{}）", self.known.join("、")),
                    format!("unknown field (fields here: {})", self.known.join(", ")),
                ));
            }
        }
    }
}

fn enum_error(field: String, values: &[EnumValue], got: &Value) -> FieldError {
    let zh: Vec<String> = values
        .iter()
        .map(|v| format!("{}（{}）", v.id, v.zh))
        .collect();
    let en: Vec<&str> = values.iter().map(|v| v.id).collect();
    FieldError::new(
        field,
        format!("不是可选值之一：{}；收到的是 {}", zh.join("、"), echo(got)),
        format!("must be one of {}; got {}", en.join(", "), echo(got)),
    )
}

/// The money fields (read by [`parse_money`]).
const MONEY: &[&str] = &[
    "annual_salary",
    "paid_in_capital",
    "founder_cash_investment",
    "planned_rd_investment",
    "price",
];

const TOP: &[&str] = &[
    "application_date",
    "person",
    "employment",
    "startup",
    "housing",
    "prior_awards",
];
const PERSON: &[&str] = &[
    "full_name",
    "id_type",
    "id_number",
    "birth_date",
    "highest_degree",
    "institution_tier",
    "institution_name",
    "graduation_date",
    "professional_title",
    "honors",
    "overseas_work_years",
];
const EMPLOYMENT: &[&str] = &[
    "employer_name",
    "employer_uscc",
    "employer_in_park",
    "industry",
    "full_time",
    "start_date",
    "contract_years",
    "annual_salary",
    "social_insurance_months_in_park",
];
const STARTUP: &[&str] = &[
    "company_name",
    "company_uscc",
    "company_in_park",
    "industry",
    "registration_date",
    "paid_in_capital",
    "founder_equity_pct",
    "founder_cash_investment",
    "owns_core_ip",
    "planned_rd_investment",
    "office_area_sqm",
];
const HOUSING: &[&str] = &[
    "owns_home_in_city",
    "lives_in_talent_apartment",
    "home_purchase",
];
const HOME_PURCHASE: &[&str] = &["date", "price", "in_park", "first_home"];

/// Every field path in the profile's order (as `input::FIELDS` and the form list them);
/// errors are sorted by it.
pub(crate) fn field_order() -> impl Iterator<Item = String> {
    let sections: [(&str, &[&str]); 5] = [
        ("person", PERSON),
        ("employment", EMPLOYMENT),
        ("startup", STARTUP),
        ("housing", HOUSING),
        ("housing.home_purchase", HOME_PURCHASE),
    ];
    std::iter::once("application_date".to_string())
        .chain(
            sections
                .into_iter()
                .flat_map(|(s, keys)| keys.iter().map(move |k| format!("{s}.{k}"))),
        )
        .chain(std::iter::once("prior_awards".to_string()))
}

/// Placeholder for a missing required date; never seen outside this module.
fn placeholder_date() -> NaiveDate {
    NaiveDate::MIN
}

pub(super) fn read_profile(
    value: &Value,
    ctx: &dyn ProfileContext,
    errors: &mut Vec<FieldError>,
) -> Option<Profile> {
    let mut top = ObjectReader::open(value, "", TOP, errors)?;
    let application_date = top
        .required("application_date", ObjectReader::date)
        .unwrap_or_else(placeholder_date);

    let person_value = top.child("person");
    let employment_value = top.child("employment");
    let startup_value = top.child("startup");
    let housing_value = top.child("housing");
    let prior_value = top.child("prior_awards");
    let person = match person_value {
        Some(v) => read_person(v, top.errors),
        None => {
            top.missing("person");
            None
        }
    };
    let employment = employment_value.and_then(|v| read_employment(v, top.errors));
    let startup = startup_value.and_then(|v| read_startup(v, top.errors));
    let housing = housing_value.and_then(|v| read_housing(v, top.errors));
    let prior_awards = prior_value
        .map(|v| read_prior_awards(v, ctx, top.errors))
        .unwrap_or_default();
    drop(top);
    Some(Profile {
        application_date,
        person: person?,
        employment,
        startup,
        housing,
        prior_awards,
    })
}

fn read_person(value: &Value, errors: &mut Vec<FieldError>) -> Option<Person> {
    let mut s = ObjectReader::open(value, "person", PERSON, errors)?;
    let full_name = s.required("full_name", ObjectReader::text);
    let id_type = s.required("id_type", |s, k| {
        s.enumeration(k, Domain::IdType, IdType::from_id)
    });
    let id_number = s.required("id_number", |s, k| s.text(k).map(|t| t.to_uppercase()));
    let birth_date = s.required("birth_date", ObjectReader::date);
    let highest_degree = s.required("highest_degree", |s, k| {
        s.enumeration(k, Domain::Degree, Degree::from_id)
    });
    let institution_tier = s.enumeration(
        "institution_tier",
        Domain::InstitutionTier,
        InstitutionTier::from_id,
    );
    let institution_name = s.text("institution_name");
    let graduation_date = s.date("graduation_date");
    let professional_title = s
        .enumeration("professional_title", Domain::Title, Title::from_id)
        .unwrap_or(Title::None);
    let honors = match s.get("honors") {
        None => Honors::default(),
        Some(Value::Array(items)) => {
            let mut set = Honors::default();
            for (i, item) in items.iter().enumerate() {
                let parsed = item.as_str().and_then(|t| super::Honor::from_id(t.trim()));
                match parsed {
                    Some(h) => set.insert(h),
                    None => s.errors.push(enum_error(
                        format!("person.honors[{i}]"),
                        Domain::Honor.values(),
                        item,
                    )),
                }
            }
            set
        }
        Some(other) => {
            s.errors.push(type_error(
                "person.honors".into(),
                "一个列表（[…]）",
                "a list ([…])",
                other,
            ));
            Honors::default()
        }
    };
    let overseas_work_years = s.count("overseas_work_years");
    drop(s);
    Some(Person {
        full_name: full_name.unwrap_or_default(),
        id_type: id_type.unwrap_or(IdType::Passport),
        id_number: id_number.unwrap_or_default(),
        birth_date: birth_date.unwrap_or_else(placeholder_date),
        highest_degree: highest_degree.unwrap_or(Degree::None),
        institution_tier,
        institution_name,
        graduation_date,
        professional_title,
        honors,
        overseas_work_years,
    })
}

fn read_employment(value: &Value, errors: &mut Vec<FieldError>) -> Option<Employment> {
    let mut s = ObjectReader::open(value, "employment", EMPLOYMENT, errors)?;
    Some(Employment {
        employer_name: s.text("employer_name"),
        employer_uscc: s.text("employer_uscc").map(|t| t.to_uppercase()),
        employer_in_park: s.boolean("employer_in_park"),
        industry: s.enumeration("industry", Domain::Industry, Industry::from_id),
        full_time: s.boolean("full_time"),
        start_date: s.date("start_date"),
        contract_years: s.count("contract_years"),
        annual_salary: s.decimal("annual_salary"),
        social_insurance_months_in_park: s.count("social_insurance_months_in_park"),
    })
}

fn read_startup(value: &Value, errors: &mut Vec<FieldError>) -> Option<Startup> {
    let mut s = ObjectReader::open(value, "startup", STARTUP, errors)?;
    Some(Startup {
        company_name: s.text("company_name"),
        company_uscc: s.text("company_uscc").map(|t| t.to_uppercase()),
        company_in_park: s.boolean("company_in_park"),
        industry: s.enumeration("industry", Domain::Industry, Industry::from_id),
        registration_date: s.date("registration_date"),
        paid_in_capital: s.decimal("paid_in_capital"),
        founder_equity_pct: s.decimal("founder_equity_pct"),
        founder_cash_investment: s.decimal("founder_cash_investment"),
        owns_core_ip: s.boolean("owns_core_ip"),
        planned_rd_investment: s.decimal("planned_rd_investment"),
        office_area_sqm: s.decimal("office_area_sqm"),
    })
}

fn read_housing(value: &Value, errors: &mut Vec<FieldError>) -> Option<Housing> {
    let mut s = ObjectReader::open(value, "housing", HOUSING, errors)?;
    let owns_home_in_city = s.boolean("owns_home_in_city");
    let lives_in_talent_apartment = s.boolean("lives_in_talent_apartment");
    let purchase_value = s.child("home_purchase");
    let home_purchase = purchase_value.and_then(|v| {
        let mut p = ObjectReader::open(v, "housing.home_purchase", HOME_PURCHASE, s.errors)?;
        Some(HomePurchase {
            date: p.date("date"),
            price: p.decimal("price"),
            in_park: p.boolean("in_park"),
            first_home: p.boolean("first_home"),
        })
    });
    Some(Housing {
        owns_home_in_city,
        lives_in_talent_apartment,
        home_purchase,
    })
}

fn read_prior_awards(
    value: &Value,
    ctx: &dyn ProfileContext,
    errors: &mut Vec<FieldError>,
) -> Vec<Arc<str>> {
    let Value::Array(items) = value else {
        errors.push(type_error(
            "prior_awards".into(),
            "项目编号的列表（[…]）",
            "a list of program ids ([…])",
            value,
        ));
        return Vec::new();
    };
    let mut out: Vec<Arc<str>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(str::trim) {
            Some(id) if ctx.is_known_program(id) => {
                if !out.iter().any(|o| &**o == id) {
                    out.push(Arc::from(id));
                }
            }
            _ => errors.push(FieldError::new(
                format!("prior_awards[{i}]"),
                format!("不是已知的项目编号：{}", echo(item)),
                format!("is not a known program id: {}", echo(item)),
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests;
