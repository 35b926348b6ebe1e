//! How pages are answered: the Content-Security-Policy every page carries, the page's
//! language (asked for, remembered in a cookie, else Chinese), rendering a template with the
//! security headers, and the short message page that says one thing in both languages.
//!
//! Invariant: **every HTML answer goes through [`page`] or [`message`]**, so none lacks the
//! CSP or `Cache-Control: no-store`.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rules::input::{FormValues, Lang};

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
    pub text: &'a str,
    /// Where the language switch goes: this page again when it was a GET, else home.
    pub switch_href: String,
}

/// A message's two texts, kept on its response so that [`localize`] can show it in the
/// visitor's language.
#[derive(Debug, Clone)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

/// A short page that says one thing, in one language, with the switch.
pub fn message_html(lang: Lang, zh: &str, en: &str, switch_href: String) -> String {
    MessagePage {
        lang,
        text: lang.t(zh, en),
        switch_href,
    }
    .render()
    .unwrap_or_else(|_| format!("{zh} / {en}"))
}

fn message_response(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(html)
}

/// A message page with the security headers. It is written in Chinese here; [`localize`]
/// rewrites it in the visitor's language on the way out.
pub fn message(status: StatusCode, zh: &str, en: &str) -> HttpResponse {
    let mut r = message_response(status, message_html(Lang::Zh, zh, en, "/?lang=en".into()));
    r.extensions_mut().insert(Message {
        zh: zh.to_string(),
        en: en.to_string(),
    });
    r
}

/// Middleware: a message page (404, 403, 405, a refused form…) is shown in the visitor's
/// language (`?lang=`, else the cookie, else Chinese), with a switch to the other.
pub async fn localize(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(m) = res.response().extensions().get::<Message>().cloned() else {
        return Ok(res);
    };
    let lang = language(res.request(), None).lang;
    let other = lang.other().code();
    let switch_href = if res.request().method() == actix_web::http::Method::GET {
        // Relative: this page again, in the other language.
        format!("?lang={other}")
    } else {
        format!("/?lang={other}")
    };
    let mut page = message_response(res.status(), message_html(lang, &m.zh, &m.en, switch_href));
    // Every other header stays (Allow, Retry-After, cookies…).
    let set: Vec<_> = page.headers().keys().cloned().collect();
    for (name, value) in res.headers() {
        if name != CONTENT_TYPE
            && name != actix_web::http::header::CONTENT_LENGTH
            && !set.contains(name)
        {
            page.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(res.into_response(page))
}
