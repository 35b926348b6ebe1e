//! The app on port 0 with a real database, and a browser-like HTTP client: what the console
//! and security tests share.

use super::{PgDatabase, pg_database};
use actix_web::web;
use reqwest::redirect::Policy as Redirects;
use serde_json::Value;
use talent_subsidy::policy::PolicySource;
use talent_subsidy::secrets::hash_password;
use talent_subsidy::settings::Settings;
use talent_subsidy::store::{Role, Store};
use talent_subsidy::web::AppState;

pub const EXAMPLE: &str = talent_subsidy::EXAMPLE_PROFILE;
pub const PASSWORD: &str = "a long enough password";

pub struct Console {
    pub base: String,
    /// The database's URL: a second instance opens the same.
    pub url: String,
    pub store: Store,
    pub server: actix_web::dev::ServerHandle,
    pub state: web::Data<AppState>,
}

pub async fn console_with(url: &str, secure_cookies: bool) -> Console {
    console_on(url, secure_cookies, PolicySource::Dir("policy".into())).await
}

pub async fn console_on(url: &str, secure_cookies: bool, source: PolicySource) -> Console {
    console_set(url, secure_cookies, source, Settings::unlimited()).await
}

/// A console with these protections (rate limits, trusted proxies, body deadline).
pub async fn console_set(
    url: &str,
    secure_cookies: bool,
    source: PolicySource,
    settings: Settings,
) -> Console {
    let policy = source.load().expect("policy loads");
    let store = Store::open(url, &super::test_keys(url))
        .await
        .expect("database opens");
    let state = web::Data::new(
        AppState::new(policy, source)
            .with_store(store.clone(), secure_cookies)
            .with_settings(settings),
    );
    let (base, handle) = super::launch(state.clone());
    Console {
        base,
        url: url.to_string(),
        store,
        server: handle,
        state,
    }
}

/// A console on a new SQLite file (kept with its folder until the end of the test).
/// A console on this database, with the policy in `./policy` and no limits.
pub async fn plain_console(url: &str) -> Console {
    console_with(url, false).await
}

pub async fn sqlite_console() -> (Console, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("console.db");
    (console_with(url.to_str().unwrap(), false).await, dir)
}

/// A console on a PostgreSQL database of the test's own; `None` (said loudly) without a server.
pub async fn pg_console(test: &str) -> Option<(Console, PgDatabase)> {
    let db = pg_database(test)?;
    Some((console_with(&db.url, false).await, db))
}

impl Console {
    /// Stops the server and closes the pool, so that its database can be dropped.
    pub async fn shut_down(&self) {
        self.server.stop(false).await;
        self.store.close().await;
    }
}

/// A browser: keeps cookies, does not follow redirects (the tests look at them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Redirects::none())
        .build()
        .unwrap()
}

pub async fn add(c: &Console, name: &str, role: Role) {
    assert!(
        c.store
            .add_officer(name, role, &hash_password(PASSWORD).unwrap())
            .await
            .unwrap()
    );
}

/// The whole of `/metrics`.
pub async fn metrics_text(c: &Console) -> String {
    reqwest::get(format!("{}/metrics", c.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// One counter of `/metrics`.
pub async fn metric(c: &Console, name: &str) -> u64 {
    metrics_text(c)
        .await
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} not in /metrics"))
        .parse()
        .unwrap()
}

/// The value of the first `name="…" value="…"` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + key.len();
    html[at..].split('"').next().unwrap().to_string()
}

pub async fn get(b: &reqwest::Client, url: String) -> (u16, String, reqwest::header::HeaderMap) {
    let r = b.get(url).send().await.unwrap();
    let (s, h) = (r.status().as_u16(), r.headers().clone());
    (s, r.text().await.unwrap(), h)
}

pub async fn post_form(
    b: &reqwest::Client,
    url: String,
    form: &[(&str, &str)],
) -> (u16, String, reqwest::header::HeaderMap) {
    let r = b.post(url).form(form).send().await.unwrap();
    let (s, h) = (r.status().as_u16(), r.headers().clone());
    (s, r.text().await.unwrap(), h)
}

pub fn location(h: &reqwest::header::HeaderMap) -> String {
    h.get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Signs in through the login page; returns the status of the login POST.
pub async fn sign_in(
    c: &Console,
    b: &reqwest::Client,
    name: &str,
    password: &str,
) -> (u16, String) {
    let (status, page, _) = get(b, format!("{}/officer/login", c.base)).await;
    assert_eq!(status, 200);
    let token = hidden(&page, "form_token");
    let (status, body, h) = post_form(
        b,
        format!("{}/officer/login", c.base),
        &[
            ("form_token", &token),
            ("name", name),
            ("password", password),
            ("next", "/officer/applications"),
        ],
    )
    .await;
    (status, if status == 303 { location(&h) } else { body })
}

pub async fn signed_in(c: &Console, name: &str, role: Role) -> reqwest::Client {
    add(c, name, role).await;
    let b = browser();
    let (status, body) = sign_in(c, &b, name, PASSWORD).await;
    assert_eq!(status, 303, "{body}");
    b
}

/// A CSRF token of a signed-in officer, from a console page.
pub async fn csrf(c: &Console, b: &reqwest::Client) -> String {
    let (status, page, _) = get(b, format!("{}/officer/batch", c.base)).await;
    assert_eq!(status, 200);
    hidden(&page, "csrf")
}

/// Submits a profile through the API; the reference and the status link.
pub async fn submit_json(c: &Console, profile: &str, key: Option<&str>) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
        .header("Content-Type", "application/json")
        .body(profile.to_string());
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub fn profile_named(name: &str) -> String {
    EXAMPLE.replace("张三", name)
}

/// A master's graduate of 南通大学 working in the park and renting: the web form's answers.
pub fn applicant_form() -> Vec<(String, String)> {
    vec![
        ("application_date", "2026-03-01"),
        ("person.full_name", "陈静"),
        ("person.id_type", "resident_id"),
        ("person.id_number", "32068219880315001X"),
        ("person.birth_date", "1988-03-15"),
        ("person.highest_degree", "master"),
        ("person.institution_tier", "double_first_class"),
        ("person.institution_name", "南通大学"),
        ("person.graduation_date", "2015-06-30"),
        ("has_employment", "1"),
        ("employment.employer_name", "某某科技有限公司"),
        ("employment.employer_in_park", "true"),
        ("employment.industry", "electronic_information"),
        ("employment.full_time", "true"),
        ("employment.start_date", "2025-09-01"),
        ("employment.contract_years", "5"),
        ("employment.social_insurance_months_in_park", "6"),
        ("has_housing", "1"),
        ("housing.owns_home_in_city", "false"),
        ("housing.lives_in_talent_apartment", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Two tests running one scenario `async fn(&Console)`: one on a new SQLite file, one on a
/// PostgreSQL database of the test's own (said loudly when there is no server, failed on CI).
/// The console is made by `make` (`async fn(&str) -> Console`, given the database's URL), by
/// default [`plain_console`]: the one both-databases macro of the tests.
#[macro_export]
macro_rules! on_both_databases {
    ($scenario:ident: $sqlite:ident, $postgres:ident) => {
        $crate::on_both_databases!(
            $crate::common::console::plain_console => $scenario: $sqlite, $postgres
        );
    };
    ($make:path => $scenario:ident: $sqlite:ident, $postgres:ident) => {
        #[actix_web::test]
        async fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            let url = dir.path().join("console.db");
            let c = $make(url.to_str().unwrap()).await;
            $scenario(&c).await;
        }

        #[actix_web::test]
        async fn $postgres() {
            let Some(db) = $crate::common::pg_database(stringify!($scenario)) else {
                return;
            };
            let c = $make(&db.url).await;
            $scenario(&c).await;
            c.shut_down().await;
        }
    };
}

/// Sends a multipart form to the console's batch upload.
pub async fn post_batch_form(
    c: &Console,
    b: &reqwest::Client,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    b.post(format!("{}/officer/batch", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads a file as the console's page does: the session's token first, then the file.
pub async fn upload_batch(
    c: &Console,
    b: &reqwest::Client,
    bytes: Vec<u8>,
    file_name: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf(c, b).await)
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
    post_batch_form(c, b, form).await
}

/// Every row of every table of a PostgreSQL database as text (bytea as hex), with its table:
/// what a copy of the database would show.
pub async fn every_pg_row(url: &str) -> Vec<(String, String)> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 10, "{tables:?}");
    let mut out = Vec::new();
    for t in &tables {
        let rows = sqlx::query(&format!("SELECT t::text AS row FROM \"{t}\" t"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        out.extend(rows.iter().map(|r| (t.clone(), r.get::<String, _>("row"))));
    }
    conn.close().await.unwrap();
    out
}

/// The policy folder with a calendar that also holds the five years after 2026 (weekends
/// only, no holidays): the procedure's deadlines and notices then count the same whatever
/// day the tests run on. Made once per test binary.
pub fn policy_years_ahead() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir("policy").unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
            }
        }
        let mut calendar = std::fs::read_to_string("policy/calendar.toml").unwrap();
        for year in 2027..=2031 {
            calendar.push_str(&format!(
                "\n[[year]]\nyear = {year}\nsource = \"tests: weekends only\"\n"
            ));
        }
        std::fs::write(dir.path().join("calendar.toml"), calendar).unwrap();
        dir
    })
    .path()
    .to_path_buf()
}

/// The next working day after today in that calendar.
pub fn next_working_day() -> chrono::NaiveDate {
    let policy = PolicySource::Dir(policy_years_ahead()).load().unwrap();
    policy
        .calendar
        .add_working_days(talent_subsidy::store::today(), 1)
        .unwrap()
}

/// A signed-in officer's CSRF token, read from `page` (one their role may open).
pub async fn csrf_on(c: &Console, b: &reqwest::Client, page: &str) -> String {
    let (status, html, _) = get(b, format!("{}{page}", c.base)).await;
    assert_eq!(status, 200, "{page}");
    hidden(&html, "csrf")
}

/// Posts a form of owned pairs (a form built in a test).
pub async fn post_pairs(
    b: &reqwest::Client,
    url: &str,
    form: &[(String, String)],
) -> (u16, String, reqwest::header::HeaderMap) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_form(b, url.to_string(), &pairs).await
}

/// Takes a case whose first review is done through the rest of the procedure by the store's
/// moves, as the officers' forms would (another reviewer agrees, a leader puts it on a notice
/// starting today, the notice ends): its decision is then in force and its payments due.
pub async fn put_in_force(c: &Console, reference: &str) {
    use talent_subsidy::store::{CaseStep, Move, Signed};
    let today = talent_subsidy::store::today();
    let app = c.store.application(reference).await.unwrap().unwrap();
    assert_eq!(
        app.summary.step,
        CaseStep::SecondReview,
        "the first review is done"
    );
    c.store
        .advance(&Move {
            reference,
            seen_version: app.summary.version,
            from: CaseStep::SecondReview,
            to: CaseStep::NoticeReady,
            actor: "second-reviewer",
            action: "agree",
            note: "",
            signs: Some(Signed::SecondReview),
            back_to_first_review: false,
            reopen: false,
            status: None,
            day: today,
        })
        .await
        .unwrap();
    let app = c.store.application(reference).await.unwrap().unwrap();
    let case = talent_subsidy::store::NoticeCase {
        reference: reference.to_string(),
        masked_name: "张*".into(),
        employer: String::new(),
    };
    c.store
        .publish_notice("leader", today, today, &[(case, app.summary.version)])
        .await
        .unwrap();
    let ended = c
        .store
        .close_notices(today.succ_opt().unwrap())
        .await
        .unwrap();
    assert!(ended.iter().any(|r| r == reference));
}
