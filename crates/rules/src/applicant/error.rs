//! Field errors: every problem with an applicant's input names the field and says what is
//! wrong in Chinese and in English.

use serde::Serialize;

/// One problem with one field of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path in the profile, as `startup.founder_equity_pct` or `person.honors[2]`;
    /// empty for the profile as a whole.
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// The message in `lang` (the JSON keeps both, as `message_zh` and `message_en`).
    pub fn message(&self, lang: crate::text::Lang) -> &str {
        lang.t(&self.message_zh, &self.message_en)
    }
}

/// All the problems found in one profile, in the order of the profile's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} field error(s), first: {}: {}", errors.len(), errors.first().map(|e| e.field.as_str()).unwrap_or(""), errors.first().map(|e| e.message_en.as_str()).unwrap_or(""))]
pub struct InvalidProfile {
    pub errors: Vec<FieldError>,
}
