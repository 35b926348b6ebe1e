//! Where policy files come from (a folder, the copy built into the binary, or a draft held in
//! memory), reading and parsing one, and the diagnostics collected against the files read.

use super::*;

/// Collects diagnostics against the files read so far.
#[derive(Default)]
pub(super) struct Diags {
    pub(super) files: Vec<SourceFile>,
    pub(super) list: Vec<Diagnostic>,
    /// What `list` holds (file, line, column, message), to leave out repeats in constant time.
    pub(super) seen: std::collections::HashSet<(usize, usize, usize, String)>,
    /// Problems left out past `MAX_DIAGNOSTICS`, and whether one of them was an error.
    pub(super) dropped: usize,
    pub(super) dropped_error: bool,
}

/// The most problems one load reports: past them a file is not worth reading line by line,
/// and a folder with thousands of errors is refused as quickly as one with a hundred.
pub const MAX_DIAGNOSTICS: usize = 100;

impl Diags {
    pub(super) fn at(
        &mut self,
        file: usize,
        offset: usize,
        severity: Severity,
        message: impl Into<Msg>,
    ) {
        let Msg { zh, en } = message.into();
        let f = &self.files[file];
        let (line, column) = f.locate(offset);
        if !self.seen.insert((file, line, column, en.clone())) {
            return;
        }
        if self.list.len() >= MAX_DIAGNOSTICS {
            self.dropped += 1;
            self.dropped_error |= severity == Severity::Error;
            return;
        }
        self.list.push(Diagnostic {
            severity,
            file: f.path.clone(),
            line,
            column,
            message: en,
            zh,
        });
    }

    /// The problems found, with a last one saying how many more were left out.
    pub(super) fn finish(mut self) -> Vec<Diagnostic> {
        if self.dropped > 0
            && let Some(last) = self.list.last()
        {
            let (file, line, column) = (last.file.clone(), last.line, last.column);
            self.list.push(Diagnostic {
                severity: if self.dropped_error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                file,
                line,
                column,
                message: format!(
                    "{} more problems are not shown: correct these first",
                    self.dropped
                ),
                zh: format!("另有 {} 个问题未列出：请先改正以上问题", self.dropped),
            });
        }
        self.list
    }
    pub(super) fn error(&mut self, file: usize, offset: usize, message: impl Into<Msg>) {
        self.at(file, offset, Severity::Error, message);
    }
    pub(super) fn has_errors(&self) -> bool {
        self.dropped_error || self.list.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Where policy files come from: a folder, or the copy built into the binary.
pub enum Source<'a> {
    Dir(&'a Path),
    Embedded,
    /// Files held in memory (a draft): name and text, shown under the label's folder.
    Memory(&'a Path, &'a [(String, String)]),
}

/// The `.toml` files of a policy source, each with its text, sorted by name: what a draft
/// starts from.
pub fn source_files(src: &Source) -> Vec<(String, String)> {
    src.toml_files()
        .into_iter()
        .filter_map(|n| src.read(&n).ok().map(|t| (n, t)))
        .collect()
}

/// The default policy, built into the binary so that it runs on a machine without the
/// `policy/` folder: every `.toml` file at the folder's top (its `tests/` are not part of it).
/// `build.rs` makes a change to the folder rebuild this crate.
static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../policy");

/// The built-in files: name and text.
fn embedded() -> impl Iterator<Item = (&'static str, &'static str)> {
    EMBEDDED.files().filter_map(|f| {
        let name = f.path().to_str()?;
        (name.ends_with(".toml") && !name.contains('/')).then_some((name, f.contents_utf8()?))
    })
}

impl Source<'_> {
    pub(super) fn path(&self, name: &str) -> PathBuf {
        match self {
            Source::Dir(d) => d.join(name),
            Source::Embedded => Path::new("(built-in)/policy").join(name),
            Source::Memory(label, _) => label.join(name),
        }
    }
    pub(super) fn read(&self, name: &str) -> std::io::Result<String> {
        match self {
            Source::Dir(d) => std::fs::read_to_string(d.join(name)),
            Source::Embedded => embedded()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not built in")),
            Source::Memory(_, files) => files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "not in the draft")
                }),
        }
    }
    /// The `.toml` files present, sorted.
    pub(super) fn toml_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match self {
            Source::Dir(d) => std::fs::read_dir(d)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.ends_with(".toml"))
                        .collect()
                })
                .unwrap_or_default(),
            Source::Embedded => embedded().map(|(n, _)| n.to_string()).collect(),
            Source::Memory(_, files) => files
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| n.ends_with(".toml"))
                .collect(),
        };
        names.sort();
        names
    }
}

/// Reads and parses one file; on a syntax or shape error records it and returns `None`.
pub(super) fn read_file<T: DeserializeOwned>(
    d: &mut Diags,
    src: &Source,
    name: &str,
) -> Option<(usize, T)> {
    let path = src.path(name);
    let text = match src.read(name) {
        Ok(t) => t,
        Err(e) => {
            d.files.push(SourceFile::new(path, String::new()));
            let i = d.files.len() - 1;
            d.error(
                i,
                0,
                Msg::new(
                    format!("无法读取文件：{e}"),
                    format!("cannot read the file: {e}"),
                ),
            );
            return None;
        }
    };
    d.files.push(SourceFile::new(path, text));
    let i = d.files.len() - 1;
    let text = d.files[i].text.clone();
    let (table, errors) = toml::de::DeTable::parse_recoverable(&text);
    if !errors.is_empty() {
        for e in errors {
            let at = e.span().map_or(0, |s| s.start);
            let said = e.message().trim().to_string();
            d.error(i, at, Msg::new(format!("TOML 语法错误：{said}"), said));
        }
        return None;
    }
    match T::deserialize(toml::de::Deserializer::from(table)) {
        Ok(v) => Some((i, v)),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let said = e.message().trim().to_string();
            d.error(
                i,
                at,
                Msg::new(
                    format!("文件结构有误（键写错、缺少或类型不对）：{said}"),
                    said,
                ),
            );
            None
        }
    }
}
