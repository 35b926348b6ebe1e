//! The profile generator the property tests share: deterministic from a seed, so a failing
//! case is reproduced from it.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// A small deterministic generator, so that a failing case is reproduced from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A money amount up to `max` yuan, often round, sometimes with cents.
    pub fn money(&mut self, max: u64) -> Decimal {
        let yuan = match self.below(3) {
            0 => self.below(max / 10_000 + 1) * 10_000,
            1 => self.below(max + 1),
            _ => return Decimal::new(self.below(max * 100 + 1) as i64, 2),
        };
        Decimal::from(yuan)
    }
}

const INDUSTRIES: &[&str] = &[
    "electronic_information",
    "advanced_equipment",
    "new_materials",
    "biomedicine",
    "new_energy",
    "digital_economy",
    "modern_services",
    "other",
];
const DEGREES: &[&str] = &["none", "associate", "bachelor", "master", "doctorate"];
const TITLES: &[&str] = &[
    "none",
    "junior",
    "intermediate",
    "associate_senior",
    "senior",
];
const HONORS: &[&str] = &[
    "nobel_or_equivalent",
    "academician",
    "national_talent_program",
    "provincial_talent_program",
    "municipal_talent_program",
];
const SCHOOLS: &[&str] = &["南通大学", "南通理工学院", "南京大学", "MIT"];

pub fn date(d: NaiveDate) -> Value {
    Value::String(d.to_string())
}

/// A valid profile most of the time (see `the_generator_mostly_makes_valid_profiles`),
/// reaching every program; the same seed gives the same profile.
pub fn profile_json(seed: u64) -> Value {
    let mut r = Rng(seed | 1);
    let start = NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
    let app = start + Days::new(r.below(365 * 9));
    let birth = app - Months::new(12 * (18 + r.below(60) as u32)) - Days::new(r.below(365));
    let degree = r.pick(DEGREES);
    let mut person = json!({
        "full_name": "测试",
        "id_type": "passport",
        "id_number": format!("T{:08}", r.below(100_000_000)),
        "birth_date": date(birth),
        "highest_degree": degree,
        "professional_title": r.pick(TITLES),
        "honors": HONORS.iter().filter(|_| r.chance(12)).collect::<Vec<_>>(),
        "overseas_work_years": r.below(12),
    });
    if degree != "none" {
        let grad = (birth + Months::new(12 * (16 + r.below(20) as u32))).min(app);
        person["institution_tier"] = json!(r.pick(&["double_first_class", "qs_top200", "other"]));
        person["institution_name"] = json!(r.pick(SCHOOLS));
        person["graduation_date"] = date(grad);
    }
    let mut v = json!({ "application_date": date(app), "person": person });
    if r.chance(75) {
        v["employment"] = json!({
            "employer_in_park": r.chance(85),
            "industry": r.pick(INDUSTRIES),
            "full_time": r.chance(85),
            "start_date": date(app - Months::new(r.below(80) as u32)),
            "contract_years": r.below(7),
            "annual_salary": r.money(2_000_000).to_string(),
            "social_insurance_months_in_park": r.below(24),
        });
    }
    if r.chance(55) {
        let paid_in = r.money(30_000_000);
        let cash = (paid_in * Decimal::new(r.below(101) as i64, 2)).round_dp(2);
        v["startup"] = json!({
            "company_in_park": r.chance(85),
            "industry": r.pick(INDUSTRIES),
            "registration_date": date(app - Months::new(r.below(60) as u32)),
            "paid_in_capital": paid_in.to_string(),
            "founder_equity_pct": Decimal::new(r.below(10_001) as i64, 2).to_string(),
            "founder_cash_investment": cash.to_string(),
            "owns_core_ip": r.chance(70),
            "planned_rd_investment": r.money(60_000_000).to_string(),
            "office_area_sqm": Decimal::new(r.below(40_001) as i64, 2).to_string(),
        });
    }
    if r.chance(60) {
        v["housing"] =
            json!({ "owns_home_in_city": r.chance(20), "lives_in_talent_apartment": r.chance(15) });
        if r.chance(50) {
            v["housing"]["home_purchase"] = json!({
                "date": date(app - Months::new(r.below(50) as u32)),
                "price": (r.money(6_000_000) + Decimal::ONE).to_string(),
                "in_park": r.chance(80),
                "first_home": r.chance(80),
            });
        }
    }
    let ids: Vec<&str> = super::shipped_policy()
        .program_ids
        .iter()
        .map(|s| &**s)
        .filter(|_| r.chance(8))
        .collect();
    v["prior_awards"] = json!(ids);
    v
}
