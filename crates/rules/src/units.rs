//! What a number measures, declared once: parameters name their unit (`unit = "yuan"`), and
//! each profile field's kind in the field table (`input::fields`) gives its own. The policy's
//! unit check, the engine's arithmetic, the forms and the spreadsheets read it from there.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Yuan,
    YuanPerMonth,
    YuanPerSqmPerMonth,
    Sqm,
    Months,
    Years,
    Percent,
    /// A multiplier such as an uplift of 1.2.
    Factor,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Yuan,
        Unit::YuanPerMonth,
        Unit::YuanPerSqmPerMonth,
        Unit::Sqm,
        Unit::Months,
        Unit::Years,
        Unit::Percent,
        Unit::Factor,
    ];

    /// As written in a policy file; `m2` is accepted for `m²`.
    pub fn id(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::YuanPerMonth => "yuan/month",
            Unit::YuanPerSqmPerMonth => "yuan/m²/month",
            Unit::Sqm => "m²",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::Percent => "%",
            Unit::Factor => "factor",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        let t = text.trim().replace("m2", "m²");
        Self::ALL.into_iter().find(|u| u.id() == t)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::YuanPerMonth => "元/月",
            Unit::YuanPerSqmPerMonth => "元/平方米/月",
            Unit::Sqm => "平方米",
            Unit::Months => "个月",
            Unit::Years => "年",
            Unit::Percent => "%",
            Unit::Factor => "倍",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::YuanPerMonth => "yuan a month",
            Unit::YuanPerSqmPerMonth => "yuan per m² a month",
            Unit::Sqm => "m²",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::Percent => "%",
            Unit::Factor => "times",
        }
    }

    /// Every unit, for the message that refuses an unknown one.
    pub fn list() -> String {
        Self::ALL.map(Unit::id).join(", ")
    }
}
