//! The closed enumerations of the applicant profile, each value with its
//! stable id (used in JSON, CSV and policy files) and its Chinese and English names.

/// One value of an enumeration as the outside world sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    pub id: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The enumerations a profile field can hold. Policy expressions compare against their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    IdType,
    Degree,
    InstitutionTier,
    Title,
    Honor,
    Industry,
    /// Talent tiers come from the policy files, not from this list.
    Tier,
}

impl Domain {
    pub fn name(self) -> &'static str {
        match self {
            Domain::IdType => "id_type",
            Domain::Degree => "highest_degree",
            Domain::InstitutionTier => "institution_tier",
            Domain::Title => "professional_title",
            Domain::Honor => "honors",
            Domain::Industry => "industry",
            Domain::Tier => "talent_tier",
        }
    }

    /// The fixed values of the domain; empty for `Tier`, whose values the policy defines.
    pub fn values(self) -> &'static [EnumValue] {
        match self {
            Domain::IdType => ID_TYPES,
            Domain::Degree => DEGREES,
            Domain::InstitutionTier => INSTITUTION_TIERS,
            Domain::Title => TITLES,
            Domain::Honor => HONORS,
            Domain::Industry => INDUSTRIES,
            Domain::Tier => &[],
        }
    }

    /// Ordinal domains are listed from lowest to highest and may be compared with `<`, `>=`…
    pub fn is_ordinal(self) -> bool {
        matches!(self, Domain::Degree | Domain::Title)
    }

    pub fn index_of(self, id: &str) -> Option<u8> {
        self.values()
            .iter()
            .position(|v| v.id == id)
            .map(|i| i as u8)
    }
}

const fn v(id: &'static str, zh: &'static str, en: &'static str) -> EnumValue {
    EnumValue { id, zh, en }
}

pub const ID_TYPES: &[EnumValue] = &[
    v("resident_id", "居民身份证", "Resident ID card"),
    v("passport", "护照", "Passport"),
    v(
        "hmt_permit",
        "港澳台居民居住证/通行证",
        "HK/Macao/Taiwan residence permit or pass",
    ),
];

pub const DEGREES: &[EnumValue] = &[
    v("none", "无学位", "None"),
    v("associate", "专科", "Associate (zhuanke)"),
    v("bachelor", "本科", "Bachelor"),
    v("master", "硕士", "Master"),
    v("doctorate", "博士", "Doctorate"),
];

pub const INSTITUTION_TIERS: &[EnumValue] = &[
    v(
        "double_first_class",
        "双一流",
        "Double First-Class university",
    ),
    v("qs_top200", "海外QS前200", "Overseas QS top 200"),
    v("other", "其他", "Other"),
];

pub const TITLES: &[EnumValue] = &[
    v("none", "无", "None"),
    v("junior", "初级", "Junior"),
    v("intermediate", "中级", "Intermediate"),
    v("associate_senior", "副高级", "Associate senior"),
    v("senior", "正高级", "Senior"),
];

pub const HONORS: &[EnumValue] = &[
    v(
        "nobel_or_equivalent",
        "诺贝尔奖等国际大奖",
        "Nobel Prize or equivalent",
    ),
    v("academician", "两院院士或同等", "Academician or equivalent"),
    v(
        "national_talent_program",
        "国家级重大人才工程入选者",
        "National talent program",
    ),
    v(
        "provincial_talent_program",
        "省级人才计划",
        "Provincial talent program",
    ),
    v(
        "municipal_talent_program",
        "市级人才计划",
        "Municipal talent program",
    ),
];

pub const INDUSTRIES: &[EnumValue] = &[
    v(
        "electronic_information",
        "电子信息",
        "Electronic information",
    ),
    v("advanced_equipment", "高端装备", "Advanced equipment"),
    v("new_materials", "新材料", "New materials"),
    v("biomedicine", "生物医药", "Biomedicine"),
    v("new_energy", "新能源", "New energy"),
    v("digital_economy", "数字经济", "Digital economy"),
    v("modern_services", "现代服务业", "Modern services"),
    v("other", "其他", "Other"),
];

/// Generates a Rust enum whose discriminants are the indexes into a value list above.
macro_rules! indexed_enum {
    ($name:ident, $domain:expr, [$($variant:ident),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const DOMAIN: Domain = $domain;

            pub fn index(self) -> u8 {
                self as u8
            }

            pub fn id(self) -> &'static str {
                Self::DOMAIN.values()[self as usize].id
            }

            pub fn from_id(id: &str) -> Option<Self> {
                Self::DOMAIN.index_of(id).map(|i| Self::ALL[i as usize])
            }
        }
    };
}

indexed_enum!(IdType, Domain::IdType, [ResidentId, Passport, HmtPermit]);
indexed_enum!(
    Degree,
    Domain::Degree,
    [None, Associate, Bachelor, Master, Doctorate]
);
indexed_enum!(
    InstitutionTier,
    Domain::InstitutionTier,
    [DoubleFirstClass, QsTop200, Other]
);
indexed_enum!(
    Title,
    Domain::Title,
    [None, Junior, Intermediate, AssociateSenior, Senior]
);
indexed_enum!(
    Honor,
    Domain::Honor,
    [Nobel, Academician, National, Provincial, Municipal]
);
indexed_enum!(
    Industry,
    Domain::Industry,
    [
        ElectronicInformation,
        AdvancedEquipment,
        NewMaterials,
        Biomedicine,
        NewEnergy,
        DigitalEconomy,
        ModernServices,
        Other
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_variants_line_up_with_the_value_lists() {
        for d in Degree::ALL {
            assert_eq!(Degree::from_id(d.id()), Some(*d));
        }
        assert_eq!(Degree::Doctorate.id(), "doctorate");
        assert_eq!(Title::AssociateSenior.id(), "associate_senior");
        assert_eq!(Honor::Municipal.id(), "municipal_talent_program");
        assert_eq!(Industry::Other.id(), "other");
        assert_eq!(Industry::ALL.len(), INDUSTRIES.len());
        assert_eq!(IdType::HmtPermit.id(), "hmt_permit");
        assert_eq!(InstitutionTier::QsTop200.id(), "qs_top200");
        assert_eq!(Degree::from_id("phd"), None);
    }
}
