//! How pages are answered: the Content-Security-Policy every page carries, the page's
//! language (asked for, remembered in a cookie, else Chinese), rendering a template with the
//! security headers, and the short message page that says one thing in both languages.
//!
//! Invariant: **every HTML answer goes through [`page`] or [`message`]**, so none lacks the
//! CSP or `Cache-Control: no-store`.

use crate::input::{FormValues, Lang};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// The language a page is shown in, and whether this request chose it (then a cookie
/// remembers the choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLang {
    pub lang: Lang,
    pub chosen: bool,
}

pub(crate) const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The page's language: `?lang=` (or the form's `lang`), then the cookie, then Chinese.
pub(crate) fn language(req: &HttpRequest, submitted: Option<&FormValues>) -> PageLang {
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok();
    let asked = query
        .as_ref()
        .and_then(|q| q.get("lang").and_then(|l| Lang::from_code(l)))
        .or_else(|| submitted.and_then(|f| Lang::from_code(f.get("lang"))));
    match asked {
        Some(lang) => PageLang { lang, chosen: true },
        None => PageLang {
            lang: req
                .cookie("lang")
                .and_then(|c| Lang::from_code(c.value()))
                .unwrap_or(Lang::Zh),
            chosen: false,
        },
    }
}

/// Renders a page with the security headers, remembering the language when it was chosen.
pub(crate) fn page(t: &impl Template, status: StatusCode, lang: PageLang) -> HttpResponse {
    match t.render() {
        Ok(html) => {
            let mut r = HttpResponse::build(status);
            r.insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
                .insert_header(("Content-Security-Policy", CSP))
                .insert_header((CACHE_CONTROL, "no-store"));
            if lang.chosen {
                r.cookie(
                    Cookie::build("lang", lang.lang.code())
                        .path("/")
                        .same_site(SameSite::Lax)
                        .max_age(actix_web::cookie::time::Duration::days(365))
                        .finish(),
                );
            }
            r.body(html)
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError().body("template error")
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub lang: Lang,
    pub zh: &'a str,
    pub en: &'a str,
}

/// A short page that says one thing in both languages (errors without a form to go back to).
pub fn message_html(zh: &str, en: &str) -> String {
    MessagePage {
        lang: Lang::Zh,
        zh,
        en,
    }
    .render()
    .unwrap_or_else(|_| format!("{zh} / {en}"))
}

/// A message page with the security headers.
pub fn message(status: StatusCode, zh: &str, en: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(message_html(zh, en))
}
