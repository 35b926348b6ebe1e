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
}

impl Access {
    pub const ALL: [Access; 6] = [
        Access::View,
        Access::ViewApi,
        Access::FullId,
        Access::Export,
        Access::ExportFullIds,
        Access::Download,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::ViewApi => "view_api",
            Access::FullId => "full_id",
            Access::Export => "export",
            Access::ExportFullIds => "export_full_ids",
            Access::Download => "download",
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
        }
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
    pub detail: String,
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
