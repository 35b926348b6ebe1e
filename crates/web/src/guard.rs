//! What protects the service from clients that ask too much: the client's address (through
//! a trusted reverse proxy too), rate limits on anonymous work, and a deadline on reading
//! request bodies.
//!
//! Invariants: **a client's address comes from `X-Forwarded-For` only when the connection
//! comes from a proxy named in the settings** (anyone else could write that header);
//! **anonymous POSTs and status look-ups are counted per address before a handler runs**,
//! and a client over its limit gets 429 with `Retry-After` and a message in both languages;
//! **a body that arrives more slowly than [`Settings::body_min_rate`] after a grace period is
//! cut off** (408), so slow senders cannot hold connections open.

use super::AppState;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use app::settings::Settings;

/// The address a request comes from: the connection's, or — when the connection comes from
/// a trusted proxy — the last address in `X-Forwarded-For` that is not itself a trusted
/// proxy (each proxy appends the address it was reached from, so the earlier entries are the
/// client's own claims).
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("X-Forwarded-For")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|a| a.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
}

/// The work a rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Submission,
    Assessment,
    StatusLookup,
}

impl Work {
    /// Which limit a request falls under, by method and path.
    pub fn of(method: &Method, path: &str) -> Option<Work> {
        match (method, path) {
            (&Method::POST, "/applications" | "/api/v1/applications") => Some(Work::Submission),
            (&Method::POST, p) if p.starts_with("/status/") => Some(Work::Submission),
            (&Method::POST, "/gongshi/objections") => Some(Work::Submission),
            (
                &Method::POST,
                "/assess"
                | "/interview"
                | "/api/v1/assessments"
                | "/api/v1/assessments/batch"
                | "/api/v1/screenings",
            ) => Some(Work::Assessment),
            (&Method::GET, p) if p.starts_with("/status/") || p.starts_with("/api/v1/status/") => {
                Some(Work::StatusLookup)
            }
            _ => None,
        }
    }
}

type Limiter = DefaultKeyedRateLimiter<IpAddr>;

/// The rate limiters, one per kind of work (`None` where the limit is off).
pub struct Limits {
    submissions: Option<Limiter>,
    assessments: Option<Limiter>,
    status: Option<Limiter>,
}

impl Limits {
    pub fn new(s: &Settings) -> Limits {
        let limiter = |per_minute: u32| {
            NonZeroU32::new(per_minute).map(|n| Limiter::keyed(Quota::per_minute(n)))
        };
        Limits {
            submissions: limiter(s.submissions_per_minute),
            assessments: limiter(s.assessments_per_minute),
            status: limiter(s.status_per_minute),
        }
    }

    /// `Err(wait)` when the address is over its limit for this work.
    pub fn check(&self, work: Work, ip: IpAddr) -> Result<(), Duration> {
        let limiter = match work {
            Work::Submission => &self.submissions,
            Work::Assessment => &self.assessments,
            Work::StatusLookup => &self.status,
        };
        let Some(l) = limiter else { return Ok(()) };
        l.check_key(&ip).map_err(|not_until| {
            use governor::clock::Clock;
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }

    /// Forgets addresses whose limits have refilled, so the tables do not grow without end.
    pub fn forget_idle(&self) {
        for l in [&self.submissions, &self.assessments, &self.status]
            .into_iter()
            .flatten()
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// An error answer in the form the route speaks: JSON under `/api/`, a page elsewhere.
pub fn refusal(api: bool, status: StatusCode, zh: &str, en: &str) -> HttpResponse {
    if api {
        HttpResponse::build(status).json(serde_json::json!({
            "errors": [{ "field": "", "message_zh": zh, "message_en": en }]
        }))
    } else {
        super::html::message(status, zh, en)
    }
}

/// The address this service is reached at, for a link a page shows (`https://host`): the
/// scheme and host a trusted proxy reports (`Forwarded`, `X-Forwarded-Proto`/`-Host`), and
/// from anyone else the connection's own scheme and the `Host` they asked for — never a
/// forwarded header a client wrote itself.
pub fn public_origin(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let from_proxy = req.peer_addr().is_some_and(|a| trusted.contains(&a.ip()));
    let (scheme, host) = if from_proxy {
        let info = req.connection_info();
        (info.scheme().to_string(), info.host().to_string())
    } else {
        let scheme = if req.app_config().secure() {
            "https"
        } else {
            "http"
        };
        let host = req
            .headers()
            .get(actix_web::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_else(|| req.app_config().host())
            .to_string();
        (scheme.to_string(), host)
    };
    // A host is letters, digits, dots, dashes, a port or an IPv6 literal; anything else is
    // left out of the link.
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(*c))
        .collect();
    format!("{scheme}://{host}")
}

/// Whether a part of an address holds a NUL byte, raw or written `%00`: no route takes one,
/// and PostgreSQL refuses it in text, so it never reaches a handler.
fn holds_nul(part: &str) -> bool {
    part.contains('\0') || part.contains("%00")
}

/// Middleware: a request whose address holds a NUL byte is refused before routing — in the
/// path it names nothing there is (404), in the query it is a bad request (400).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let uri = req.uri();
    let api = req.path().starts_with("/api/");
    let resp = if holds_nul(uri.path()) {
        refusal(
            api,
            StatusCode::NOT_FOUND,
            "没有这个页面：地址中含有不允许的空字符（%00）",
            "Nothing is here: the address holds a character that is not allowed (%00)",
        )
    } else if uri.query().is_some_and(holds_nul) {
        refusal(
            api,
            StatusCode::BAD_REQUEST,
            "查询条件中含有不允许的空字符（%00）",
            "The query holds a character that is not allowed (%00)",
        )
    } else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    Ok(req.into_response(resp).map_into_right_body())
}

/// The limit every instance sees: counted in Redis when one is configured (assessments
/// included), else — for submissions and status look-ups — in a shared PostgreSQL database,
/// per address and minute, so that two instances do not each allow the whole limit.
/// Assessments without Redis stay counted by each instance (a database round trip would cost
/// their microseconds); on SQLite there is one instance. A Redis or database that does not
/// answer does not stop the request here.
async fn shared_limit(state: &AppState, work: Work, ip: IpAddr) -> Option<Duration> {
    let (per_minute, name) = match work {
        Work::Submission => (state.settings.submissions_per_minute, "submission"),
        Work::StatusLookup => (state.settings.status_per_minute, "status"),
        Work::Assessment => (state.settings.assessments_per_minute, "assessment"),
    };
    if per_minute == 0 {
        return None;
    }
    if let Some(redis) = &state.redis
        && let Some((hits, left)) = redis
            .hit(&format!("talent-subsidy:limit:{name}:{ip}"))
            .await
    {
        return (hits > i64::from(per_minute)).then_some(left);
    }
    if work == Work::Assessment {
        return None;
    }
    let store = state.store.as_ref().filter(|s| s.shared())?;
    let minute = chrono::Duration::seconds(60);
    match store.count_hit(&format!("limit:{name}:{ip}"), minute).await {
        Ok((hits, since)) if hits > i64::from(per_minute) => {
            let left = (since + minute).signed_duration_since(chrono::Utc::now());
            Some(left.to_std().unwrap_or(Duration::from_secs(1)))
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the shared rate limit could not be counted");
            None
        }
    }
}

/// Middleware: refuses anonymous work beyond the address's limit, before the handler runs.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let refused = match (
        Work::of(req.method(), req.path()),
        req.app_data::<web::Data<AppState>>(),
    ) {
        (Some(work), Some(state)) => {
            match client_ip(req.request(), &state.settings.trusted_proxies) {
                Some(ip) => match state.limits.check(work, ip) {
                    Err(wait) => Some(wait),
                    Ok(()) => shared_limit(state, work, ip).await,
                },
                None => None,
            }
        }
        _ => None,
    };
    let Some(wait) = refused else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let api = req.path().starts_with("/api/");
    let mut resp = refusal(
        api,
        StatusCode::TOO_MANY_REQUESTS,
        &format!("请求过于频繁，请 {secs} 秒后再试"),
        &format!("Too many requests from your address: try again in {secs} seconds"),
    );
    if let Ok(v) = secs.to_string().parse() {
        resp.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    Ok(req.into_response(resp).map_into_right_body())
}

/// Middleware: gives the request body a deadline — the grace period, plus one second for
/// every `body_min_rate` bytes received. A body that falls behind ends with an error for the
/// handler, and whatever the handler made of it, the client gets 408 and the connection is
/// closed.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let (grace, rate) = req.app_data::<web::Data<AppState>>().map_or_else(
        || {
            let d = Settings::unlimited();
            (d.body_grace, d.body_min_rate.max(1))
        },
        |s| (s.settings.body_grace, s.settings.body_min_rate.max(1)),
    );
    let start = tokio::time::Instant::now();
    let late = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = late.clone();
    let payload = req.take_payload();
    let stream = futures_util::stream::unfold(
        (payload, 0u64, false),
        move |(mut payload, received, ended)| {
            let flag = flag.clone();
            async move {
                if ended {
                    return None;
                }
                let deadline = start + grace + Duration::from_secs(received / u64::from(rate));
                match tokio::time::timeout_at(deadline, payload.next()).await {
                    Ok(Some(Ok(chunk))) => {
                        let n = received + chunk.len() as u64;
                        Some((Ok::<Bytes, PayloadError>(chunk), (payload, n, false)))
                    }
                    Ok(Some(Err(e))) => Some((Err(e), (payload, received, true))),
                    Ok(None) => None,
                    Err(_) => {
                        flag.set(true);
                        Some((
                            Err(PayloadError::Io(std::io::Error::new(
                                std::io::ErrorKind::TimedOut,
                                "the request body arrived too slowly",
                            ))),
                            (payload, received, true),
                        ))
                    }
                }
            }
        },
    );
    let boxed: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(stream.fuse());
    req.set_payload(Payload::from(boxed));
    let res = next.call(req).await?;
    if !late.get() {
        return Ok(res.map_into_left_body());
    }
    let api = res.request().path().starts_with("/api/");
    let mut resp = refusal(
        api,
        StatusCode::REQUEST_TIMEOUT,
        "请求内容发送过慢，已中断，请重试",
        "The request body arrived too slowly and was cut off: try again",
    );
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    Ok(res.into_response(resp).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let req = |peer: &str, xff: &str| {
            TestRequest::default()
                .peer_addr(format!("{peer}:5000").parse().unwrap())
                .insert_header(("X-Forwarded-For", xff))
                .to_http_request()
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // Anyone else's header is ignored.
        assert_eq!(
            client_ip(&req("203.0.113.9", "1.2.3.4"), &[proxy]),
            ip("203.0.113.9")
        );
        // From the proxy: the last address it appended, not what the client claimed first.
        assert_eq!(
            client_ip(&req("10.0.0.5", "1.2.3.4, 198.51.100.7"), &[proxy]),
            ip("198.51.100.7")
        );
        // A header that does not parse: the proxy's own address.
        assert_eq!(
            client_ip(&req("10.0.0.5", "not an address"), &[proxy]),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn anonymous_work_is_classified_by_method_and_path() {
        assert_eq!(
            Work::of(&Method::POST, "/api/v1/applications"),
            Some(Work::Submission)
        );
        assert_eq!(
            Work::of(&Method::POST, "/api/v1/assessments/batch"),
            Some(Work::Assessment)
        );
        assert_eq!(
            Work::of(&Method::GET, "/status/abc"),
            Some(Work::StatusLookup)
        );
        assert_eq!(Work::of(&Method::GET, "/api/v1/applications"), None);
        assert_eq!(Work::of(&Method::GET, "/"), None);
    }

    #[test]
    fn a_limit_refuses_the_request_after_its_burst_and_names_the_wait() {
        let limits = Limits::new(&Settings {
            submissions_per_minute: 3,
            ..Settings::unlimited()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limits.check(Work::Submission, a), Ok(()));
        }
        let wait = limits.check(Work::Submission, a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(limits.check(Work::Submission, b), Ok(()), "per address");
        assert_eq!(limits.check(Work::Assessment, a), Ok(()), "off");
    }
}
