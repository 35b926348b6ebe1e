//! The form's sections: the parts a person fills in, the box that says an optional one applies,
//! and where each part's answers go in the profile.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSection {
    Basic,
    Education,
    Employment,
    Startup,
    Housing,
    HomePurchase,
    Prior,
}

impl FormSection {
    pub const ALL: [FormSection; 7] = [
        FormSection::Basic,
        FormSection::Education,
        FormSection::Employment,
        FormSection::Startup,
        FormSection::Housing,
        FormSection::HomePurchase,
        FormSection::Prior,
    ];

    pub fn id(self) -> &'static str {
        match self {
            FormSection::Basic => "basic",
            FormSection::Education => "education",
            FormSection::Employment => "employment",
            FormSection::Startup => "startup",
            FormSection::Housing => "housing",
            FormSection::HomePurchase => "home_purchase",
            FormSection::Prior => "prior",
        }
    }

    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            FormSection::Basic => ("基本信息", "Basic information"),
            FormSection::Education => ("学历与职称", "Education and title"),
            FormSection::Employment => ("就业", "Employment"),
            FormSection::Startup => ("创业", "Startup"),
            FormSection::Housing => ("住房", "Housing"),
            FormSection::HomePurchase => ("购房", "Home purchase"),
            FormSection::Prior => ("已享受的政策", "Support already received"),
        }
    }

    /// The checkbox that says an optional section applies, and its label.
    pub fn toggle(self) -> Option<(&'static str, &'static str, &'static str)> {
        Some(match self {
            FormSection::Employment => (
                "has_employment",
                "我在园区（或拟在园区）就业",
                "I work (or will work) in the park",
            ),
            FormSection::Startup => (
                "has_startup",
                "我创办了（或拟创办）企业",
                "I founded (or will found) a company",
            ),
            FormSection::Housing => ("has_housing", "填写住房情况", "Tell us about housing"),
            FormSection::HomePurchase => (
                "has_home_purchase",
                "我在园区购买了住房",
                "I bought a home in the park",
            ),
            _ => return None,
        })
    }

    /// The profile path of an optional section (`housing.home_purchase`); empty for the
    /// others.
    pub fn profile_path(self) -> &'static str {
        match self {
            FormSection::Employment => "employment",
            FormSection::Startup => "startup",
            FormSection::Housing => "housing",
            FormSection::HomePurchase => "housing.home_purchase",
            _ => "",
        }
    }

    /// The section whose profile path is `path`.
    pub fn from_profile_path(path: &str) -> Option<FormSection> {
        Self::ALL
            .into_iter()
            .find(|s| !s.profile_path().is_empty() && s.profile_path() == path)
    }

    /// The question that asks whether an optional section applies (the interview's and the
    /// screening API's wording).
    pub fn question(self) -> (&'static str, &'static str) {
        match self {
            FormSection::Employment => (
                "您是否在园区就业（或即将入职园区企业）？",
                "Do you work in the park (or are about to join a company there)?",
            ),
            FormSection::Startup => (
                "您是否在园区创办了企业（或正在创办）？",
                "Have you founded a company in the park (or are founding one)?",
            ),
            FormSection::Housing => (
                "您是否想了解住房补贴（租房或购房）？",
                "Would you like to check the housing subsidies (renting or buying)?",
            ),
            FormSection::HomePurchase => (
                "您是否已在园区购买住房？",
                "Have you bought a home in the park?",
            ),
            other => other.title(),
        }
    }

    /// The section as one choice of "which of these describe you" (the question that settles
    /// several sections at once).
    pub fn choice(self) -> (&'static str, &'static str) {
        match self {
            FormSection::Employment => (
                "在园区企业工作（或即将入职）",
                "I work at a company in the park (or am about to join one)",
            ),
            FormSection::Startup => (
                "在园区创办了企业（或正在创办）",
                "I founded a company in the park (or am founding one)",
            ),
            FormSection::Housing => (
                "在园区租房居住，或想了解住房补贴",
                "I rent in the park, or want to check the housing subsidies",
            ),
            FormSection::HomePurchase => (
                "已在园区购买住房（或即将购买）",
                "I bought a home in the park (or am about to)",
            ),
            other => other.title(),
        }
    }

    /// Where its fields go in the profile JSON.
    pub(crate) fn json_path(self) -> &'static [&'static str] {
        match self {
            FormSection::Basic | FormSection::Education => &["person"],
            FormSection::Employment => &["employment"],
            FormSection::Startup => &["startup"],
            FormSection::Housing => &["housing"],
            FormSection::HomePurchase => &["housing", "home_purchase"],
            FormSection::Prior => &[],
        }
    }
}
