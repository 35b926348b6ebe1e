//! Wiring: the app's routes and middleware, the server on a bound listener, the policy
//! watcher and SIGHUP, logging. `serve` is what `talent-subsidy` (no command) runs.

use super::AppState;
use super::api;
use super::officer;
use super::openapi::{ApiDoc, document_json, openapi_with_example};
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use notify::{RecursiveMode, Watcher};
use rules::policy::PolicySource;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Each request's log span names its route pattern (`/status/{token}`), never the path
/// itself: paths hold status-link secrets and batch tokens.
pub struct RouteSpan;

impl tracing_actix_web::RootSpanBuilder for RouteSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %id,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    /// Records the status; only a server error is logged as an error. A refusal (a redirect
    /// to sign in, a 404, a 429) is the service working as meant, and its error's `Debug`
    /// names only its kind.
    fn on_request_end<B: MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(r) => r.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        span.record("http.status_code", status.as_u16());
        if status.is_server_error() {
            span.record("otel.status_code", "ERROR");
            let _enter = span.enter();
            tracing::error!(status = status.as_u16(), "request failed");
        } else {
            span.record("otel.status_code", "OK");
        }
    }
}

/// Each path of a document with the methods it answers.
fn methods_of(doc: &utoipa::openapi::OpenApi) -> Vec<(String, Vec<&'static str>)> {
    doc.paths
        .paths
        .iter()
        .map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
            .into_iter()
            .filter_map(|(m, has)| has.then_some(m))
            .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// The pages people use: served by the app but kept out of the API document, so a client
/// generated from it has no methods for web pages. This one list registers them, and their
/// `utoipa::path` annotations give the method table its pages (405 and `Allow` on a known
/// path) and [`pages`] its list.
fn page_routes<T, B>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    B: MessageBody,
    T: actix_web::dev::ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        >,
{
    app.service(super::interview::start)
        .service(super::interview::next)
        .service(super::interview_apply::apply_from_interview)
        .service(super::pages::form_page_route)
        .service(super::pages::edit)
        .service(super::pages::submit)
        .service(super::pages::policies)
        .service(super::pages::program)
        .service(super::pages::asset)
        .service(super::pages::favicon)
        .service(super::privacy::privacy_page)
        .service(super::notices::gongshi)
        .service(super::notices::object)
        .service(super::apply::submit_form)
        .service(super::status::status_page)
        .service(super::status::reply)
        .service(super::status::withdraw)
        .service(super::status::status_file)
        .service(super::letters::status_letter)
        .service(super::letters::officer_letter)
        .service(super::letters::payment_notice)
        .service(officer::login_form)
        .service(officer::login)
        .service(officer::logout)
        .service(officer::home)
        .service(officer::list)
        .service(officer::export)
        .service(officer::application)
        .service(officer::new_link)
        .service(officer::show_full_id)
        .service(officer::access_log)
        .service(officer::access_log_csv)
        .service(officer::policy_files)
        .service(officer::drafts_list)
        .service(officer::new_draft)
        .service(officer::draft_form)
        .service(officer::save_draft)
        .service(officer::draft_diff)
        .service(officer::simulate_draft)
        .service(officer::simulate_upload)
        .service(officer::simulation)
        .service(officer::simulation_csv)
        .service(officer::decide)
        .service(officer::review_program)
        .service(officer::take_step)
        .service(officer::take_case)
        .service(officer::hand_over)
        .service(officer::assign)
        .service(officer::report)
        .service(officer::report_csv)
        .service(officer::find_objection)
        .service(officer::objection_file)
        .service(officer::record_agreement)
        .service(officer::application_file)
        .service(officer::payments)
        .service(officer::payments_csv)
        .service(officer::mark_paid)
        .service(officer::record_trigger)
        .service(officer::reverse_payment)
        .service(super::notices::notices)
        .service(super::notices::publish)
        .service(officer::batch_form)
        .service(officer::batch_template)
        .service(officer::batch_template_xlsx)
        .service(officer::batch_upload)
        .service(officer::batch_result)
        .service(officer::batch_results)
        .service(officer::batch_results_xlsx)
}

/// The HTML pages with their methods, from [`page_routes`].
pub fn pages() -> Vec<(String, Vec<&'static str>)> {
    let (_, doc) = page_routes(App::new().into_utoipa_app()).split_for_parts();
    methods_of(&doc)
}

/// Every known path with the methods it answers: a request to a known path with another
/// method gets 405 and `Allow`, not 404.
struct MethodTable(Vec<(actix_web::dev::ResourceDef, String)>);

impl MethodTable {
    fn new(docs: &[&utoipa::openapi::OpenApi]) -> MethodTable {
        MethodTable(
            docs.iter()
                .flat_map(|doc| methods_of(doc))
                .map(|(path, methods)| {
                    (
                        actix_web::dev::ResourceDef::new(path.as_str()),
                        methods.join(", "),
                    )
                })
                .collect(),
        )
    }

    /// 405 with `Allow` for a known path, 404 otherwise; JSON under `/api/`, a page elsewhere.
    fn refuse(&self, req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        use actix_web::http::StatusCode;
        let api =
            req.path().starts_with("/api/") || req.path() == "/healthz" || req.path() == "/metrics";
        match self.0.iter().find(|(def, _)| def.is_match(req.path())) {
            Some((_, allow)) => {
                let mut resp = super::guard::refusal(
                    api,
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("此地址不接受 {} 请求，可用：{allow}", req.method()),
                    &format!("{} is not allowed here; allowed: {allow}", req.method()),
                );
                if let Ok(v) = actix_web::http::header::HeaderValue::from_str(allow) {
                    resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
                }
                resp
            }
            None => super::guard::refusal(
                api,
                StatusCode::NOT_FOUND,
                "没有这个页面",
                "There is no such page",
            ),
        }
    }
}

/// The Content-Security-Policy of the API documentation (Swagger UI): its own scripts only;
/// inline styles, which its components set.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
                        base-uri 'none'; form-action 'none'";

/// Adds the documentation's CSP to its pages (every other page sets its own).
async fn docs_csp(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/api/docs");
    let mut res = next.call(req).await?;
    if docs {
        res.headers_mut().insert(
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            actix_web::http::header::HeaderValue::from_static(DOCS_CSP),
        );
    }
    Ok(res)
}

/// Counts every response by route pattern (never the raw path), method and status.
async fn count_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let res = next.call(req).await?;
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state
            .metrics
            .request(&route, &method, res.status().as_u16());
    }
    Ok(res)
}

/// The app, for one worker. `web::Data` is shared across workers.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api_doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(api::query_error))
        .service(api::assess_one)
        .service(api::assess_batch)
        .service(api::screen_one)
        .service(api::programs)
        .service(api::versions)
        .service(api::healthz)
        .service(api::metrics)
        .service(super::apply::submit_api)
        .service(super::privacy::privacy_api)
        .service(super::status::status_api)
        .service(officer::list_api)
        .service(officer::application_api)
        .service(officer::batch_api)
        .split_for_parts();
    // The pages people use are served but not in the API document (`page_routes`).
    let (app, page_doc) = page_routes(
        app.app_data(web::PayloadConfig::new(super::pages::FORM_LIMIT))
            .into_utoipa_app(),
    )
    .split_for_parts();
    let methods = std::sync::Arc::new(MethodTable::new(&[&api_doc, &page_doc]));
    let document = std::sync::Arc::new(document_json(openapi_with_example(api_doc)));
    // Middleware runs outside in: the request log, the headers every answer carries, the
    // request count, the rate limits (before anything is read), the body's deadline.
    app.service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
    )
    .route(
        "/api/v1/openapi.json",
        web::get().to(move || {
            let document = document.clone();
            async move {
                actix_web::HttpResponse::Ok()
                    .content_type("application/json")
                    .body(document.as_ref().clone())
            }
        }),
    )
    .default_service(web::to(move |req: actix_web::HttpRequest| {
        let methods = methods.clone();
        async move { methods.refuse(&req) }
    }))
    .wrap(from_fn(super::guard::body_deadline))
    .wrap(from_fn(super::guard::rate_limit))
    .wrap(from_fn(super::guard::refuse_nul))
    .wrap(from_fn(super::html::localize))
    .wrap(from_fn(count_requests))
    .wrap(from_fn(docs_csp))
    .wrap(
        // Answers hold personal data (results, applications, status pages): nothing is kept
        // in caches unless a route says otherwise (the static assets do).
        DefaultHeaders::new()
            .add(("X-Content-Type-Options", "nosniff"))
            .add(("X-Frame-Options", "DENY"))
            .add(("Referrer-Policy", "no-referrer"))
            .add(("Cache-Control", "no-store")),
    )
    .wrap(tracing_actix_web::TracingLogger::<RouteSpan>::new())
}

/// Starts the server on an already bound listener (port 0 in tests) and returns it running.
pub fn run(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let server = HttpServer::new(move || app(state.clone()))
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
    Ok(server)
}

/// Watches the policy folder and reloads (after a short quiet period, so that an editor's
/// save of several files is one reload). Returns the watcher, which must be kept alive.
pub fn watch_policy(
    dir: PathBuf,
    state: web::Data<AppState>,
) -> notify::Result<notify::RecommendedWatcher> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event
            && !e.kind.is_access()
            && e.paths
                .iter()
                .any(|p| p.extension().is_some_and(|x| x == "toml"))
        {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    std::thread::spawn(move || {
        while rx.recv().is_ok() {
            // Let a burst of events settle, then reload once.
            std::thread::sleep(Duration::from_millis(150));
            while rx.try_recv().is_ok() {}
            state.reload();
        }
    });
    Ok(watcher)
}

pub fn init_logging(json: bool) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Colours only for a person at a terminal, not in files and journals.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Keeps data no longer than needed, at start and then every day: deletes batch checks older
/// than the retention setting, spent sign-in counters and expired sessions, and erases the
/// personal information of applications past their retention; every minute, ends the public
/// notices whose last day has passed and forgets addresses whose rate limits have refilled.
async fn upkeep(state: web::Data<AppState>) {
    let mut minutes = 0u32;
    loop {
        if minutes.is_multiple_of(24 * 60)
            && let Some(store) = &state.store
        {
            match store
                .purge(chrono::Utc::now(), state.settings.batch_retention_days)
                .await
            {
                Ok(n) => tracing::info!(batch_checks_deleted = n, "old data deleted"),
                Err(e) => {
                    tracing::warn!(error = %e, "deleting old data failed; tried again tomorrow")
                }
            }
            match store
                .erase_expired(chrono::Utc::now(), state.settings.retention())
                .await
            {
                Ok(n) => tracing::info!(
                    applications_erased = n,
                    "personal information past its retention erased"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "erasing personal information failed; tried again tomorrow")
                }
            }
        }
        if let Some(store) = &state.store {
            // Every minute: notices whose period has ended (each case once, whichever
            // instance gets there first).
            match store.close_notices(crate::http::today()).await {
                Ok(ended) if !ended.is_empty() => {
                    tracing::info!(cases = ended.len(), "public notice periods ended")
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "ending notice periods failed; tried again in a minute")
                }
            }
            // The letters steps owe and no request issued (a notice that ended, a request
            // that failed after its step): each once, whichever instance gets there first.
            match app::messages::sweep(store, 100).await {
                Ok(n) if n > 0 => tracing::info!(messages = n, "messages recorded by the sweep"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "recording messages failed; tried again in a minute")
                }
            }
            let loaded = state.snapshot();
            match app::letters::sweep(store, &loaded.policy, 100).await {
                Ok(n) if n > 0 => tracing::info!(letters = n, "letters issued by the sweep"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "issuing letters failed; tried again in a minute")
                }
            }
        }
        state.limits.forget_idle();
        tokio::time::sleep(Duration::from_secs(60)).await;
        minutes = minutes.wrapping_add(1);
    }
}

/// Runs the service until SIGTERM or Ctrl-C (in-flight requests finish).
pub fn serve(config: app::settings::Serve) -> std::io::Result<()> {
    let app::settings::Serve {
        bind,
        source,
        log_json,
        watch,
        database_url,
        keys,
        secure_cookies,
        settings,
    } = config;
    init_logging(log_json);
    let policy = match source.load() {
        Ok(p) => p,
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            return Err(std::io::Error::other("the policy has errors: not starting"));
        }
    };
    if let Err(e) = super::delivery::Channels::new(&settings.delivery) {
        return Err(std::io::Error::other(format!(
            "cannot deliver messages: {e}"
        )));
    }
    let listener = TcpListener::bind(bind)?;
    let addr = listener.local_addr()?;
    actix_web::rt::System::new().block_on(async move {
        let store = store::Store::open(&database_url, &keys)
            .await
            .map_err(|e| std::io::Error::other(format!("cannot open the database: {e}")))?;
        tracing::info!(backend = ?store.backend(), "database ready");
        let state = web::Data::new(
            AppState::new(policy, source.clone())
                .with_store(store, secure_cookies)
                .with_settings(settings),
        );
        actix_web::rt::spawn(upkeep(state.clone()));
        if let Some(store) = state.store.clone() {
            actix_web::rt::spawn(super::delivery::run(state.channels.clone(), store));
        }
        let _watcher = match &source {
            PolicySource::Dir(dir) if watch => match watch_policy(dir.clone(), state.clone()) {
                Ok(w) => Some(w),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch the policy folder; reload with SIGHUP");
                    None
                }
            },
            _ => None,
        };
        #[cfg(unix)]
        {
            let state = state.clone();
            actix_web::rt::spawn(async move {
                use tokio::signal::unix::{SignalKind, signal};
                if let Ok(mut hup) = signal(SignalKind::hangup()) {
                    while hup.recv().await.is_some() {
                        tracing::info!("SIGHUP: reloading the policy");
                        let s = state.clone();
                        let _ = tokio::task::spawn_blocking(move || s.reload()).await;
                    }
                }
            });
        }
        tracing::info!(address = %addr, policy = %source.describe(), "talent-subsidy listening on http://{addr}");
        run(listener, state)?.await
    })
}
