//! Files that come with a submission or a supplement: a multipart body read part by part,
//! each file streamed into an unnamed spool file (hashed as it arrives, never whole in
//! memory), recognised by its first bytes, and only then kept in the database; and files
//! going back out, to an officer or to their own applicant, as downloads a browser will not
//! run.
//!
//! Invariants: a file is accepted only when its bytes say PDF, JPEG or PNG (its name and
//! declared type are ignored); no file is larger than the file limit and no body's files add
//! up to more than the total limit (413, and nothing is kept); a spool file has no name on
//! disk, so a process killed mid-upload leaves nothing anyone can see; a download names its
//! file as an attachment, with `nosniff` and a sandboxing CSP.

use super::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use rules::Msg;
use rules::input::Lang;
use sha2::{Digest, Sha256};
use std::io::Write;
use store::{FileKind, NewUpload, Stage, Store, Upload};

/// The longest text of a multipart body: its text parts' data and every part's name (the
/// answers and a reply fit many times over).
const TEXT_LIMIT: usize = 256 * 1024;
/// The most files one body may bring.
const FILES_LIMIT: usize = 40;
/// The most parts one body may hold (the full form has about a hundred fields).
const PARTS_LIMIT: usize = 400;
/// The longest part name (a field's name, `material:ID`).
const NAME_LIMIT: usize = 200;
/// What a body may add to its text and files: part headers and boundaries.
const OVERHEAD_LIMIT: u64 = 1024 * 1024;

/// The most a multipart body may hold in all, for these file limits: larger bodies are
/// refused from their `Content-Length`, or cut off when they reach it.
fn body_limit(total_files: u64) -> u64 {
    total_files + TEXT_LIMIT as u64 + OVERHEAD_LIMIT
}

fn too_large_body() -> Refused {
    Refused::TooLarge(Msg::new("提交的内容过大", "The form is too large"))
}

fn too_much_text() -> Refused {
    Refused::TooLarge(Msg::new("表单文字部分过大", "The form's text is too large"))
}

fn too_many_parts() -> Refused {
    Refused::Invalid(Msg::new(
        format!("表单的组成部分过多（最多 {PARTS_LIMIT} 个）"),
        format!("The form has too many parts (at most {PARTS_LIMIT})"),
    ))
}

/// The body as a stream that ends in an error once it passes `limit` bytes (whatever its
/// `Content-Length` said): `over` records that it did.
fn bounded(
    payload: actix_web::web::Payload,
    limit: u64,
    over: std::rc::Rc<std::cell::Cell<bool>>,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>>
{
    let mut seen = 0u64;
    payload.map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len() as u64;
        if seen > limit {
            over.set(true);
            return Err(actix_web::error::PayloadError::Overflow);
        }
        Ok(chunk)
    })
}

/// Whether the request says its body is longer than `limit`.
fn declared_over(req: &HttpRequest, limit: u64) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit)
}

/// A file received and spooled, not yet kept.
pub struct Spooled {
    pub upload: NewUpload,
    pub file: std::fs::File,
}

/// A multipart body read: its text parts in order and its files.
#[derive(Default)]
pub struct Received {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Spooled>,
}

impl Received {
    /// The text parts as a form (`key=value&…`), for the readers of forms.
    pub fn form_bytes(&self) -> Vec<u8> {
        serde_html_form::to_string(&self.fields)
            .unwrap_or_default()
            .into_bytes()
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a body's files were not accepted.
#[derive(Debug)]
pub enum Refused {
    /// 413: a file or the files together are too large.
    TooLarge(Msg),
    /// 422: not an accepted kind, an unknown material, too many files.
    Invalid(Msg),
    /// 400: the body is not multipart or stopped in the middle.
    Broken,
    /// 403: a file came before the form's valid token.
    Token,
    /// 503: the spool or the database failed.
    Unavailable,
}

impl Refused {
    pub fn status(&self) -> StatusCode {
        match self {
            Refused::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refused::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refused::Broken => StatusCode::BAD_REQUEST,
            Refused::Token => StatusCode::FORBIDDEN,
            Refused::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The message in Chinese and English.
    pub fn words(&self) -> Msg {
        match self {
            Refused::TooLarge(m) | Refused::Invalid(m) => m.clone(),
            Refused::Broken => Msg::new(
                "文件没有完整上传，请重新提交",
                "The files did not arrive whole: send them again",
            ),
            Refused::Token => Msg::new(
                "页面已过期，请刷新后重新提交",
                "The page has expired: reload it and send again",
            ),
            Refused::Unavailable => Msg::new(
                "暂时无法保存文件，请稍后再试",
                "The files cannot be kept just now; try again shortly",
            ),
        }
    }
}

/// A multipart body that stops short, or is not multipart at all, is broken (400); one whose
/// part headers cannot be read (a name with a line break, a nested multipart) holds a part
/// that cannot be taken (422).
fn unreadable(e: &actix_multipart::MultipartError) -> Refused {
    use actix_multipart::MultipartError as E;
    match e {
        E::Incomplete
        | E::Payload(_)
        | E::ContentTypeMissing
        | E::ContentTypeParse
        | E::ContentTypeIncompatible
        | E::BoundaryMissing => Refused::Broken,
        _ => Refused::Invalid(Msg::new(
            "表单的某一部分无法读取（名称或格式不正确）",
            "A part of the form cannot be read (its name or headers are malformed)",
        )),
    }
}

/// Whether a content type is multipart/form-data.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The material a file part is for: its field is `material:ID` (or `material.ID`).
fn material_of(field: &str) -> Option<&str> {
    field
        .strip_prefix("material:")
        .or_else(|| field.strip_prefix("material."))
}

/// A file name fit to show: the last part of any path, without control or direction
/// characters, at most 120 characters.
pub fn display_name(name: &str, kind: FileKind) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| rules::applicant::unsafe_text(&c.to_string(), false).is_none())
        .take(120)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        format!("file.{}", kind.id())
    } else {
        clean.to_string()
    }
}

fn mib(bytes: u64) -> String {
    format!("{}", bytes.div_ceil(1024 * 1024))
}

/// Reads a multipart body: text parts (to `TEXT_LIMIT`) and files spooled and checked.
/// `token_ok` is asked, before the first file is read, whether the text parts so far hold the
/// form's valid token (`None` for callers that check otherwise). `materials` are the ids a
/// file may be for.
pub async fn receive(
    state: &AppState,
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    stage: Stage,
    materials: &[String],
    token_ok: Option<&dyn Fn(&Received) -> bool>,
) -> Result<Received, Refused> {
    let file_limit = state.settings.upload_file_limit;
    let total_limit = state.settings.upload_total_limit;
    let limit = body_limit(total_limit);
    if declared_over(req, limit) {
        return Err(too_large_body());
    }
    let over = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut form =
        actix_multipart::Multipart::new(req.headers(), bounded(payload, limit, over.clone()));
    let mut got = Received::default();
    let (mut text_bytes, mut total, mut parts) = (0usize, 0u64, 0usize);
    let mut token_checked = token_ok.is_none();
    let broken = |over: &std::cell::Cell<bool>| {
        if over.get() {
            too_large_body()
        } else {
            Refused::Broken
        }
    };
    while let Some(field) = form.next().await {
        let mut field = match field {
            Ok(f) => f,
            Err(_) if over.get() => return Err(too_large_body()),
            Err(e) => return Err(unreadable(&e)),
        };
        parts += 1;
        if parts > PARTS_LIMIT {
            return Err(too_many_parts());
        }
        let name = field.name().unwrap_or_default().to_string();
        if name.len() > NAME_LIMIT {
            return Err(Refused::Invalid(Msg::new(
                format!("表单某一部分的名称过长（最多 {NAME_LIMIT} 个字符）"),
                format!("A part of the form has too long a name (at most {NAME_LIMIT} characters)"),
            )));
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        text_bytes += name.len() + file_name.as_ref().map_or(0, String::len);
        if text_bytes > TEXT_LIMIT {
            return Err(too_much_text());
        }
        let Some(file_name) = file_name else {
            let mut data = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| broken(&over))?;
                text_bytes += chunk.len();
                if text_bytes > TEXT_LIMIT {
                    return Err(too_much_text());
                }
                data.extend_from_slice(&chunk);
            }
            got.fields
                .push((name, String::from_utf8_lossy(&data).into_owned()));
            continue;
        };
        if !token_checked {
            if !token_ok.is_some_and(|ok| ok(&got)) {
                return Err(Refused::Token);
            }
            token_checked = true;
        }
        let material = material_of(&name).unwrap_or_default().to_string();
        let mut spool = tempfile::tempfile().map_err(|e| {
            tracing::error!(error = %e, "cannot make a spool file");
            Refused::Unavailable
        })?;
        let mut hash = Sha256::new();
        let mut head: Vec<u8> = Vec::with_capacity(FileKind::HEAD);
        let mut size = 0u64;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| broken(&over))?;
            size += chunk.len() as u64;
            total += chunk.len() as u64;
            if size > file_limit {
                return Err(Refused::TooLarge(Msg::new(
                    format!(
                        "文件“{}”超过 {} MB",
                        display_name(&file_name, FileKind::Pdf),
                        mib(file_limit)
                    ),
                    format!(
                        "The file \"{}\" is larger than {} MB",
                        display_name(&file_name, FileKind::Pdf),
                        mib(file_limit)
                    ),
                )));
            }
            if total > total_limit {
                return Err(Refused::TooLarge(Msg::new(
                    format!("所有文件合计超过 {} MB", mib(total_limit)),
                    format!("The files together are larger than {} MB", mib(total_limit)),
                )));
            }
            let want = FileKind::HEAD.saturating_sub(head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..want]);
            hash.update(&chunk);
            spool.write_all(&chunk).map_err(|e| {
                tracing::error!(error = %e, "writing a spool file failed");
                Refused::Unavailable
            })?;
        }
        // An empty file input sends an empty part with no name: nothing was chosen.
        if size == 0 && file_name.is_empty() {
            continue;
        }
        let shown = display_name(&file_name, FileKind::Pdf);
        if !materials.contains(&material) {
            return Err(Refused::Invalid(Msg::new(
                format!("文件“{shown}”：没有说明是哪一项材料，或材料不在本政策的清单中"),
                format!(
                    "The file \"{shown}\": it does not say which material it is, or the policy lists no such material"
                ),
            )));
        }
        let Some(kind) = FileKind::sniff(&head) else {
            return Err(Refused::Invalid(Msg::new(
                format!(
                    "文件“{shown}”：只接受 PDF、JPEG、PNG 文件（按文件内容识别，与文件名无关）"
                ),
                format!(
                    "The file \"{shown}\": only PDF, JPEG and PNG files are accepted (recognised by their content, not their name)"
                ),
            )));
        };
        if got.files.len() >= FILES_LIMIT {
            return Err(Refused::Invalid(Msg::new(
                format!("一次最多上传 {FILES_LIMIT} 个文件"),
                format!("At most {FILES_LIMIT} files at a time"),
            )));
        }
        got.files.push(Spooled {
            upload: NewUpload {
                material,
                file_name: display_name(&file_name, kind),
                kind,
                size,
                sha256: store::secrets::hex(&hash.finalize()),
                stage,
            },
            file: spool,
        });
    }
    Ok(got)
}

/// Keeps spooled files in the database; returns their ids, in order.
pub async fn keep(store: &Store, files: &mut [Spooled]) -> Result<Vec<String>, Refused> {
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        let id = store
            .put_upload(&f.upload, &mut f.file)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "keeping an upload failed");
                Refused::Unavailable
            })?;
        ids.push(id);
    }
    Ok(ids)
}

/// The policy's material ids.
pub fn material_ids(state: &AppState) -> Vec<String> {
    state
        .snapshot()
        .policy
        .materials
        .iter()
        .map(|m| m.id.to_string())
        .collect()
}

/// The material's name in `lang` (its id only if the policy no longer lists it).
pub fn material_name(state: &AppState, id: &str, lang: Lang) -> String {
    state
        .snapshot()
        .policy
        .materials
        .iter()
        .find(|m| &*m.id == id)
        .map_or_else(
            || lang.t("其他材料", "Other material").to_string(),
            |m| lang.t(&m.zh, &m.en).to_string(),
        )
}

/// The name a download is saved under: the applicant's name with the extension of the kind
/// its bytes were recognised as (`x.html` holding a PDF is saved as `x.pdf`), so no browser
/// saves an accepted file as something it would run.
pub fn download_name(name: &str, kind: FileKind) -> String {
    let fits = |ext: &str| match kind {
        FileKind::Pdf => ext == "pdf",
        FileKind::Jpeg => ext == "jpg" || ext == "jpeg",
        FileKind::Png => ext == "png",
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && fits(&ext.to_ascii_lowercase()) => {
            return name.to_string();
        }
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let stem = if stem.is_empty() { "file" } else { stem };
    format!("{stem}.{}", kind.id())
}

/// A kept file as a download: streamed a chunk at a time, as an attachment a browser will
/// neither sniff nor run.
pub fn download(store: &Store, upload: Upload) -> HttpResponse {
    let store = store.clone();
    let id = upload.id.clone();
    let chunks = futures_util::stream::unfold(Some(0i64), move |seq| {
        let store = store.clone();
        let id = id.clone();
        async move {
            let seq = seq?;
            match store.upload_chunk(&id, seq).await {
                Ok(Some(bytes)) => Some((
                    Ok::<_, actix_web::Error>(actix_web::web::Bytes::from(bytes)),
                    Some(seq + 1),
                )),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "reading an upload failed");
                    Some((
                        Err(actix_web::error::ErrorServiceUnavailable("storage")),
                        None,
                    ))
                }
            }
        }
    });
    let encoded: String = download_name(&upload.file_name, upload.kind)
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type(upload.kind.media_type())
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"file.{}\"; filename*=UTF-8''{encoded}",
                upload.kind.id()
            ),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            "Content-Security-Policy",
            "sandbox; default-src 'none'; frame-ancestors 'none'",
        ))
        .body(actix_web::body::SizedStream::new(
            u64::try_from(upload.size).unwrap_or_default(),
            chunks,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_named_by_what_its_bytes_are() {
        assert_eq!(download_name("x.html", FileKind::Pdf), "x.pdf");
        assert_eq!(download_name("学位证书.PDF", FileKind::Pdf), "学位证书.PDF");
        assert_eq!(download_name("photo.jpg", FileKind::Jpeg), "photo.jpg");
        assert_eq!(download_name("photo.svg", FileKind::Png), "photo.png");
        assert_eq!(download_name("noext", FileKind::Jpeg), "noext.jpeg");
        assert_eq!(download_name(".html", FileKind::Pdf), ".html.pdf");
        assert_eq!(download_name("", FileKind::Pdf), "file.pdf");
    }
}
