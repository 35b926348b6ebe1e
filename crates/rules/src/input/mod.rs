//! What people type and read, shared by every front end (the pages, the spreadsheet batch,
//! the console): the field table with its labels and help, reading people's ways of writing
//! answers into a profile; the two languages (`Lang`, from `text`).
//!
//! Invariant: **nothing here knows HTTP**; `web`, `batch` and `cli` all take it from here.

pub mod fields;
pub mod form;
mod section;

pub use crate::text::Lang;
pub use fields::{
    FIELDS, FieldSpec, FormSection, Kind, error_field, field, input_id, unit, value_name,
};
pub use form::{
    FormValues, normalize_money, to_estimate_json, to_partial_json, to_profile_json, unsure_paths,
};
