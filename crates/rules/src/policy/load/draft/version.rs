//! A draft that applies from a day: the new `[[version]]` after the latest, and which values
//! it takes over.

use super::*;

/// The version a draft adds from its day: its id, and where the shared file takes it.
pub(super) struct NewVersion {
    pub(super) id: String,
    /// The first version's id (a value written once for every version keeps it from there).
    pub(super) first: String,
    /// (offset, text) insertions into the shared file.
    pub(super) inserts: Vec<(usize, String)>,
}

fn to_naive(d: &toml::value::Datetime) -> Option<chrono::NaiveDate> {
    let d = d.date?;
    chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// The end of the line holding `at` (the offset of its `\n`, or the text's end).
fn line_end(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i)
}

/// The id a new version from `from` takes: its year, or its day when the year is taken.
pub fn new_version_id(ids: &[&str], from: chrono::NaiveDate) -> String {
    let year = from.format("%Y").to_string();
    if ids.contains(&year.as_str()) {
        from.format("%Y-%m-%d").to_string()
    } else {
        year
    }
}

/// A new version from `from`, after the last one: refused when it would not come after it.
pub(super) fn new_version(
    files: &[(String, String)],
    from: chrono::NaiveDate,
) -> Result<NewVersion, EditError> {
    let refuse = |zh: String, en: String| EditError {
        slot: "@from".into(),
        zh,
        en,
    };
    let text = files
        .iter()
        .find(|(n, _)| n == SHARED_FILE)
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    let shared: SharedFile = toml::from_str(text).map_err(|_| {
        refuse(
            "共用文件无法读取".into(),
            "the shared file cannot be read".into(),
        )
    })?;
    let (Some(first), Some(last)) = (shared.versions.first(), shared.versions.last()) else {
        return Err(refuse("没有版本".into(), "there is no version".into()));
    };
    let last_from = to_naive(last.from.get_ref()).unwrap_or(from);
    if from <= last_from {
        return Err(refuse(
            format!(
                "生效日期应晚于现行最新版本（{}）的开始日期 {last_from}",
                last.zh
            ),
            format!(
                "the day it applies from must come after {last_from}, when the latest version ({}) began",
                last.en
            ),
        ));
    }
    let mut inserts = Vec::new();
    let mut block_end = [last.id.span().end, last.from.span().end]
        .into_iter()
        .chain(last.until.as_ref().map(|u| u.span().end))
        .max()
        .unwrap_or(0);
    match last.until.as_ref().and_then(|u| to_naive(u.get_ref())) {
        Some(u) if u >= from => {
            return Err(refuse(
                format!("生效日期应晚于现行最新版本的结束日期 {u}"),
                format!(
                    "the day it applies from must come after {u}, when the latest version ends"
                ),
            ));
        }
        Some(_) => {}
        None => {
            let day_before = from.pred_opt().unwrap_or(from);
            inserts.push((
                line_end(text, last.from.span().end),
                format!("\nuntil = {day_before}"),
            ));
        }
    }
    // The version's block goes on while its lines are `key = value`.
    loop {
        let end = line_end(text, block_end);
        let next = text[(end + 1).min(text.len())..]
            .lines()
            .next()
            .unwrap_or("");
        let t = next.trim_start();
        if end >= text.len()
            || t.is_empty()
            || t.starts_with('[')
            || t.starts_with('#')
            || !t.contains('=')
        {
            block_end = end;
            break;
        }
        block_end = end + 1;
    }
    let ids: Vec<&str> = shared
        .versions
        .iter()
        .map(|v| v.id.get_ref().as_str())
        .collect();
    let id = new_version_id(&ids, from);
    let block = format!(
        "\n\n[[version]]\nid = \"{id}\"\nzh = \"{id}年版\"\nen = \"{id} edition\"\nfrom = {from}"
    );
    match inserts.first_mut() {
        Some((at, until)) if *at == block_end => until.push_str(&block),
        _ => inserts.push((block_end, block)),
    }
    Ok(NewVersion {
        id,
        first: first.id.get_ref().clone(),
        inserts,
    })
}

/// Whether a slot holds the value in force in the latest version (so a new version takes its
/// place from there).
pub fn in_force_last(slot: &Slot, all: &[Slot], order: &[String]) -> bool {
    let Some(v) = &slot.version else { return true };
    let rank = |v: &str| order.iter().position(|o| o == v);
    all.iter()
        .filter(|s| s.file == slot.file && s.param == slot.param && s.tier == slot.tier)
        .filter_map(|s| s.version.as_deref())
        .filter_map(rank)
        .max()
        == rank(v)
}

/// The version ids of the files, in order.
pub fn version_ids(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .find(|(n, _)| n == SHARED_FILE)
        .and_then(|(_, t)| toml::from_str::<SharedFile>(t).ok())
        .map(|s| s.versions.iter().map(|v| v.id.get_ref().clone()).collect())
        .unwrap_or_default()
}
