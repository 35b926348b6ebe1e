//! The access log's entries: who looked at what, and the filters an auditor reads it by.

use super::*;

/// What an officer did with personal information, as the access log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Opened an application's page.
    View,
    /// Read an application through the officers' JSON API.
    ViewApi,
    /// Asked for an application's full ID number.
    FullId,
    /// Exported the list (ID numbers masked).
    Export,
    /// Exported the list with full ID numbers.
    ExportFullIds,
    /// Downloaded an uploaded material.
    Download,
    /// Opened the payment schedule (payees, banks, amounts).
    Payments,
    /// Exported the payment schedule.
    PaymentsExport,
    /// Searched the applications (how many were found, never the words searched for).
    Search,
    /// Ran a draft's simulation over the saved applications.
    Simulation,
    /// Ran a batch check (staff's ID numbers and answers).
    Batch,
}

impl Access {
    pub const ALL: [Access; 11] = [
        Access::View,
        Access::ViewApi,
        Access::FullId,
        Access::Export,
        Access::ExportFullIds,
        Access::Download,
        Access::Payments,
        Access::PaymentsExport,
        Access::Search,
        Access::Simulation,
        Access::Batch,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::ViewApi => "view_api",
            Access::FullId => "full_id",
            Access::Export => "export",
            Access::ExportFullIds => "export_full_ids",
            Access::Download => "download",
            Access::Payments => "payments",
            Access::PaymentsExport => "payments_export",
            Access::Search => "search",
            Access::Simulation => "simulation",
            Access::Batch => "batch",
        }
    }

    pub fn from_id(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Access::View => "查看申请",
            Access::ViewApi => "通过接口读取申请",
            Access::FullId => "查看完整证件号",
            Access::Export => "导出申请列表（证件号遮盖）",
            Access::ExportFullIds => "导出申请列表（完整证件号）",
            Access::Download => "下载申报材料",
            Access::Payments => "查看拨付计划",
            Access::PaymentsExport => "导出拨付计划",
            Access::Search => "搜索申请",
            Access::Simulation => "用已提交的申请测算草案",
            Access::Batch => "批量检查",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Access::View => "Viewed an application",
            Access::ViewApi => "Read an application through the API",
            Access::FullId => "Viewed a full ID number",
            Access::Export => "Exported the list (ID numbers masked)",
            Access::ExportFullIds => "Exported the list with full ID numbers",
            Access::Download => "Downloaded a material",
            Access::Payments => "Viewed the payment schedule",
            Access::PaymentsExport => "Exported the payment schedule",
            Access::Search => "Searched the applications",
            Access::Simulation => "Simulated a draft on the saved applications",
            Access::Batch => "Ran a batch check",
        }
    }

    /// Views that one officer repeats while working on a case; the page folds them.
    pub fn folds(self) -> bool {
        matches!(self, Access::View | Access::ViewApi)
    }
}

/// What a line of the access log says besides its kind: a few words in each language (the file
/// downloaded, the filter of an export) and how many records were read, where that is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessDetail {
    pub zh: String,
    pub en: String,
    pub items: Option<i64>,
}

impl AccessDetail {
    pub fn words(zh: impl Into<String>, en: impl Into<String>) -> AccessDetail {
        AccessDetail {
            zh: zh.into(),
            en: en.into(),
            items: None,
        }
    }

    /// How many records (applications, rows, payments) were read.
    pub fn items(mut self, n: usize) -> AccessDetail {
        self.items = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub at: String,
    pub officer: String,
    pub role: String,
    pub action: Access,
    /// The application's reference (empty for a list export).
    pub reference: String,
    /// What else: the file downloaded, the rows exported and their filter.
    pub detail: AccessDetail,
    /// Repeated views folded into this line (1 for a line of its own), and the first of them
    /// (`at` is the latest).
    pub times: u32,
    pub first_at: String,
}

/// Views of one application by one officer this close together read as one sitting.
pub const FOLD_WITHIN_SECS: i64 = 5 * 60;

/// Folds repeated views, newest first as read: a view joins the line of the same officer, kind
/// and application when it came at most `FOLD_WITHIN_SECS` before the earliest view already in
/// that line; any other line stands alone. The order of lines is that of their latest entry.
pub fn fold_views(entries: Vec<AccessEntry>) -> Vec<AccessEntry> {
    let mut out: Vec<AccessEntry> = Vec::with_capacity(entries.len());
    // (officer, action, reference) → index in `out` of the open line
    let mut open: std::collections::HashMap<(String, &'static str, String), usize> =
        std::collections::HashMap::new();
    for e in entries {
        if e.action.folds() && !e.reference.is_empty() {
            let key = (e.officer.clone(), e.action.id(), e.reference.clone());
            if let Some(&i) = open.get(&key)
                && within(&e.at, &out[i].first_at)
            {
                out[i].times += 1;
                out[i].first_at = e.at;
                continue;
            }
            open.insert(key, out.len());
        }
        out.push(e);
    }
    out
}

/// Whether `earlier` is at most `FOLD_WITHIN_SECS` before `later` (stamps as stored).
fn within(earlier: &str, later: &str) -> bool {
    match (
        DateTime::parse_from_rfc3339(earlier),
        DateTime::parse_from_rfc3339(later),
    ) {
        (Ok(a), Ok(b)) => (b - a).num_seconds() <= FOLD_WITHIN_SECS && b >= a,
        _ => false,
    }
}

/// Which lines of the access log to read.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub officer: Option<String>,
    pub reference: Option<String>,
    pub action: Option<Access>,
    /// On or after / on or before (dates at UTC+8).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}
