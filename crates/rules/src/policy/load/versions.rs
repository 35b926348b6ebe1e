//! The shared file's lists: the documents it names and the versions with their dates.

use super::*;

impl Loader {
    /// Reads each document the shared file lists (a file of that name).
    pub(super) fn documents(
        &mut self,
        src: &Source,
        sf: usize,
        shared: &SharedFile,
    ) -> Vec<(usize, DocumentFile)> {
        // Documents: each listed id is a file of that name.
        let mut docs: Vec<(usize, DocumentFile)> = Vec::new();
        for id in &shared.documents {
            let name = id.get_ref();
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid || docs.iter().any(|(_, d)| d.id.get_ref() == name) {
                self.d.error(
                    sf,
                    id.span().start,
                    Msg::new(
                        format!("`{name}` 不是有效且不重复的政策文件编号"),
                        format!("`{name}` is not a valid, distinct document id"),
                    ),
                );
                continue;
            }
            if let Some((f, doc)) =
                read_file::<DocumentFile>(&mut self.d, src, &format!("{name}.toml"))
            {
                if doc.id.get_ref() != name {
                    self.d.error(
                        f,
                        doc.id.span().start,
                        Msg::new(
                            format!(
                                "此文件按 `{name}` 列出，但其中写的是 id = \"{}\"",
                                doc.id.get_ref()
                            ),
                            format!(
                                "this file is listed as `{name}` but says id = \"{}\"",
                                doc.id.get_ref()
                            ),
                        ),
                    );
                }
                self.documents.push(Document {
                    id: Arc::from(name.as_str()),
                    zh: doc.zh.clone(),
                    en: doc.en.clone(),
                });
                docs.push((f, doc));
            }
        }
        docs
    }

    /// The versions, dated, in order and not overlapping; `None` when any is wrong.
    pub(super) fn versions<'s>(
        &mut self,
        sf: usize,
        shared: &'s SharedFile,
    ) -> Option<Vec<Dated<'s>>> {
        // Versions: dated, in order, not overlapping.
        let mut versions: Vec<Dated> = Vec::new();
        for v in &shared.versions {
            let from = to_date(&v.from);
            let until = v.until.as_ref().map(|u| (to_date(u), u.span().start));
            if from.is_none() {
                self.d.error(
                    sf,
                    v.from.span().start,
                    Msg::new(
                        "`from` 应为日期，如 2021-07-01",
                        "`from` must be a date such as 2021-07-01",
                    ),
                );
            }
            if let Some((None, at)) = until {
                self.d.error(
                    sf,
                    at,
                    Msg::new(
                        "`until` 应为日期，如 2025-12-31",
                        "`until` must be a date such as 2025-12-31",
                    ),
                );
            }
            if self.version_ids.iter().any(|x| **x == **v.id.get_ref()) {
                self.d.error(
                    sf,
                    v.id.span().start,
                    Msg::new(
                        format!("版本 `{}` 重复定义", v.id.get_ref()),
                        format!("version `{}` is defined twice", v.id.get_ref()),
                    ),
                );
            }
            self.version_ids.push(Arc::from(v.id.get_ref().as_str()));
            if let (Some(f), Some((Some(u), at))) = (from, until)
                && u < f
            {
                self.d.error(
                    sf,
                    at,
                    Msg::new(
                        format!("版本 `{}` 的截止日期早于起始日期", v.id.get_ref()),
                        format!("version `{}` ends before it starts", v.id.get_ref()),
                    ),
                );
            }
            if let Some(f) = from {
                versions.push(Dated {
                    id: self.version_ids.last()?.clone(),
                    from: f,
                    until: until.and_then(|u| u.0),
                    zh: &v.zh,
                    en: &v.en,
                });
            }
        }
        if versions.len() != shared.versions.len() {
            return None;
        }
        if versions.is_empty() {
            self.d.error(
                sf,
                0,
                Msg::new("没有定义任何版本 [[version]]", "no [[version]] is defined"),
            );
            return None;
        }
        // Version ids are in file order; dates must follow the same order without overlap.
        for (i, w) in versions.windows(2).enumerate() {
            let (prev, next) = (&w[0], &w[1]);
            if prev.until.is_none_or(|u| u >= next.from) {
                let at = shared.versions[i + 1].from.span().start;
                self.d.error(sf, at, Msg::new(format!("版本 `{}` 与版本 `{}` 重叠（或列在其前）：版本按日期顺序列出，每个在前一个结束后开始", next.id, prev.id), format!("version `{}` overlaps version `{}` (or is listed before it): versions are listed in date order, each starting after the previous one ends", next.id, prev.id)));
            }
        }
        Some(versions)
    }

    pub(super) fn warn_unlisted_files(
        &mut self,
        src: &Source,
        names: &[String],
        shared: &SharedFile,
    ) {
        for n in names {
            let listed = n == SHARED_FILE
                || n == COMBINING_FILE
                || n == super::CALENDAR_FILE
                || n == super::PROCEDURE_FILE
                || n == super::LETTERS_FILE
                || n == super::PRIOR_FILE
                || shared
                    .documents
                    .iter()
                    .any(|d| format!("{}.toml", d.get_ref()) == *n);
            if !listed {
                self.d
                    .files
                    .push(SourceFile::new(src.path(n), String::new()));
                let i = self.d.files.len() - 1;
                self.d.at(
                    i,
                    0,
                    Severity::Warning,
                    Msg::new(
                        format!("`{n}` 未被读取：请在 {SHARED_FILE} 的 `documents` 中列出它的编号"),
                        format!("`{n}` is not read: list its id in `documents` of {SHARED_FILE}"),
                    ),
                );
            }
        }
    }

    pub(super) fn version_ref(&mut self, file: usize, v: Option<&Text>) -> Option<usize> {
        let v = v?;
        let i = self.version_ids.iter().position(|x| **x == **v.get_ref());
        if i.is_none() {
            self.d.error(
                file,
                v.span().start,
                Msg::new(
                    format!(
                        "`{}` 不是版本编号（版本：{}）",
                        v.get_ref(),
                        self.version_list()
                    ),
                    format!(
                        "`{}` is not a version id (versions: {})",
                        v.get_ref(),
                        self.version_list()
                    ),
                ),
            );
        }
        i
    }
}
