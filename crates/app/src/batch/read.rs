//! A file as a table of people: what kind of file it is (by its first bytes), a CSV's rows
//! read while they stay within the limit, and what each column of the header holds.

use super::*;

/// A file as a table: an .xlsx workbook or a CSV; any other kind of file (a PDF, a picture, a
/// Word document, an old .xls) is refused by name before its bytes are read as text.
pub(super) fn read_table(bytes: &[u8], max_rows: Option<usize>) -> Result<Table, FileError> {
    if let Some((zh, en)) = not_a_table(bytes) {
        return Err(FileError::new(
            format!(
                "这不是表格文件：它看起来是{zh}。请上传 Excel 工作簿（.xlsx）或 CSV 文件，可先下载模板填写"
            ),
            format!(
                "This is not a spreadsheet: it looks like {en}. Upload an Excel workbook (.xlsx) or a CSV file; the template is a good start"
            ),
        ));
    }
    if xlsx::is_xlsx(bytes) {
        xlsx::read(bytes, max_rows)
    } else {
        csv_table(bytes, max_rows)
    }
}

/// What a file is when its first bytes say it is not a table: (zh, en).
fn not_a_table(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let kinds: [(&[u8], &str, &str); 8] = [
        (b"%PDF", " PDF 文档", "a PDF document"),
        (b"\x89PNG", "一张 PNG 图片", "a PNG picture"),
        (b"\xFF\xD8\xFF", "一张 JPEG 图片", "a JPEG picture"),
        (b"GIF8", "一张 GIF 图片", "a GIF picture"),
        (
            b"\xD0\xCF\x11\xE0",
            "旧版 Excel（.xls）或 Word（.doc）文件",
            "an old Excel (.xls) or Word (.doc) file",
        ),
        (b"{\\rtf", " RTF 文档", "an RTF document"),
        (b"Rar!", " RAR 压缩包", "a RAR archive"),
        (b"\x1F\x8B", " gzip 压缩包", "a gzip archive"),
    ];
    if let Some((_, zh, en)) = kinds.iter().find(|(magic, _, _)| bytes.starts_with(magic)) {
        return Some((zh, en));
    }
    // A zip is read as a workbook (`xlsx::read` names a Word document or other archive once
    // it has checked what the zip unpacks to).
    if xlsx::is_xlsx(bytes) {
        return None;
    }
    // Text has few control bytes: one in a cell is that cell's error, many make a binary file
    // (UTF-16 is not what Excel's “CSV” writes).
    let head = &bytes[..bytes.len().min(4096)];
    let control = head
        .iter()
        .filter(|b| **b < 0x09 || (0x0E..0x20).contains(*b) && **b != 0x1B)
        .count();
    (control >= 8 && control * 50 > head.len()).then_some(("二进制文件", "a binary file"))
}

/// The error for a file with more people than `max_rows`.
pub(super) fn too_many_rows(max_rows: usize) -> FileError {
    FileError::new(
        format!("一次最多 {max_rows} 人：请把文件分成几份"),
        format!("At most {max_rows} people per file: split the file"),
    )
}

/// Reads a CSV's rows, stopping as soon as it holds more than `max_rows` rows that are not
/// blank (or more than twice as many rows in all): a file over the limit is refused without
/// being read whole.
pub(super) fn csv_table(bytes: &[u8], max_rows: Option<usize>) -> Result<Table, FileError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| {
            FileError::new(
                format!("表头无法读取：{e}"),
                format!("The header row cannot be read: {e}"),
            )
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    let mut rows = Vec::new();
    let mut filled = 0usize;
    for record in reader.records() {
        let row = match record {
            Ok(r) => {
                if r.iter().any(|c| !c.trim().is_empty()) {
                    filled += 1;
                }
                (
                    lines.of(r.position()),
                    Ok(r.iter().map(str::to_string).collect()),
                )
            }
            Err(e) => {
                filled += 1;
                (
                    lines.of(e.position()),
                    Err(FieldError::new(
                        "",
                        format!("该行无法读取：{e}"),
                        format!("The row cannot be read: {e}"),
                    )),
                )
            }
        };
        rows.push(row);
        // One row more than the limit may be the template's example row.
        if let Some(max) = max_rows
            && (filled > max + 1 || rows.len() > 2 * max + 100)
        {
            return Err(too_many_rows(max));
        }
    }
    Ok(Table { header, rows })
}

/// The field each column of a header row holds (`None`: a blank header); a header that is
/// not a field of the template, or two columns for one field, refuse the file.
pub(super) fn columns(headers: &[String]) -> Result<Vec<Option<&'static FieldSpec>>, FileError> {
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(FileError::new(
            "文件为空或没有表头：请使用模板",
            "The file is empty or has no header row: start from the template",
        ));
    }
    let mut columns = Vec::with_capacity(headers.len());
    let mut unknown = Vec::new();
    for h in headers {
        if h.trim().is_empty() || is_pass_through(h) {
            columns.push(None);
            continue;
        }
        match column_field(h) {
            Some(f)
                if columns
                    .iter()
                    .flatten()
                    .any(|c: &&FieldSpec| c.path == f.path) =>
            {
                return Err(FileError::new(
                    format!("“{h}”与另一列都是“{}”：请删去一列", f.zh),
                    format!("“{h}” and another column are both “{}”: remove one", f.en),
                ));
            }
            Some(f) => columns.push(Some(f)),
            None => unknown.push(h.trim().to_string()),
        }
    }
    if !unknown.is_empty() {
        let names = unknown.join("、");
        return Err(FileError::new(
            format!("无法识别的列：{names}。列名应为模板中的列名（表单上的中文名称）"),
            format!(
                "Columns not recognised: {names}. Use the template's column names (the form's labels)"
            ),
        ));
    }
    Ok(columns)
}
