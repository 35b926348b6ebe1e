//! A saved application's result, as far as summaries, comparisons and casework read it: the
//! policy version, tier, each program's status and amount, the total.

use rules::input::Lang;
use rust_decimal::Decimal;
use serde::Deserialize;

/// The parts of a saved result that summaries and comparisons use.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredResult {
    pub policy_version: String,
    pub application_date: String,
    pub talent_tier: String,
    /// The tier's names (absent when no tier was reached).
    #[serde(default)]
    pub tier_rule: Option<StoredTier>,
    pub programs: Vec<StoredProgram>,
    pub total: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredTier {
    pub tier_name_zh: String,
    pub tier_name_en: String,
}

impl StoredResult {
    /// The tier in words: its name, or that none was reached.
    pub fn tier_words(&self, lang: Lang) -> String {
        match &self.tier_rule {
            Some(t) => lang.t(&t.tier_name_zh, &t.tier_name_en).to_string(),
            None => lang
                .t("未达到人才层次认定条件", "No talent tier reached")
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredProgram {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: String,
    pub amount: Decimal,
}

impl StoredResult {
    pub fn parse(json: &str) -> Option<StoredResult> {
        serde_json::from_str(json).ok()
    }

    /// The same parts of an assessment made now.
    pub fn of(a: &rules::engine::Assessment<'_>) -> StoredResult {
        StoredResult {
            policy_version: a.version.id.to_string(),
            application_date: a.application_date.to_string(),
            talent_tier: a.tier_id().to_string(),
            tier_rule: a.tier.map(|(t, _)| StoredTier {
                tier_name_zh: t.zh.to_string(),
                tier_name_en: t.en.to_string(),
            }),
            programs: a
                .programs
                .iter()
                .map(|p| StoredProgram {
                    id: p.program.id.to_string(),
                    name_zh: p.program.zh.clone(),
                    name_en: p.program.en.clone(),
                    status: p.status.id().to_string(),
                    amount: p.amount,
                })
                .collect(),
            total: a.total,
        }
    }
}
