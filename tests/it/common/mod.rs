//! Helpers the integration tests share.
#![allow(dead_code)]

pub mod console;
#[path = "../../../crates/rules/tests/common/files.rs"]
mod files;
#[path = "../../../crates/rules/tests/common/generator.rs"]
pub mod generator;
pub use files::*;

use std::path::Path;

/// `doubling.toml` with the doctorate rent subsidy raised from 2,000 to 2,500 a month: the
/// rule and both descriptions (a description that kept 2,000 would be refused).
pub fn raised_rent(text: &str) -> String {
    let out = text
        .replacen("then 2_000 else if", "then 2_500 else if", 1)
        .replacen("博士2000元", "博士2500元", 1)
        .replacen("doctorate 2,000", "doctorate 2,500", 1);
    assert_ne!(out, text, "the rent rule is not in the text");
    out
}

/// Raises the doctorate rent subsidy in a copied policy, in one write.
pub fn raise_rent(dir: &Path) {
    let path = dir.join("doubling.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let tmp = dir.join(".doubling.toml.swp");
    std::fs::write(&tmp, raised_rent(&text)).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The app on 127.0.0.1 with a port of its own, running on the test's runtime: the one way
/// integration tests start the service in-process. Returns its base URL and handle.
pub fn launch(
    state: actix_web::web::Data<talent_subsidy::web::AppState>,
) -> (String, actix_web::dev::ServerHandle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = talent_subsidy::web::startup::run(listener, state).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}"), handle)
}

/// The service in-process on 127.0.0.1 with a client: the one test app of the HTTP tests
/// (each test file adds the helpers of its own endpoints with `impl common::TestApp`).
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: actix_web::web::Data<talent_subsidy::web::AppState>,
}

impl TestApp {
    /// The app with this state.
    pub fn start(state: actix_web::web::Data<talent_subsidy::web::AppState>) -> TestApp {
        let (base, _) = launch(state.clone());
        TestApp {
            base,
            client: reqwest::Client::new(),
            state,
        }
    }

    /// The app with the policy from `source` and no database.
    pub fn of_source(source: talent_subsidy::policy::PolicySource) -> TestApp {
        TestApp::start(state_of(source))
    }

    /// The app with the policy in `./policy` and no database.
    pub fn with_policy() -> TestApp {
        TestApp::start(policy_state())
    }

    /// `GET path`: status and body.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let (status, body, _) = self.get(path, None).await;
        (status, body)
    }

    /// `GET path` with a cookie: status, body and headers.
    pub async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (u16, String, reqwest::header::HeaderMap) {
        let mut r = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            r = r.header("Cookie", c);
        }
        let r = r.send().await.unwrap();
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    /// `POST path` with a form of these pairs.
    pub async fn post_form(
        &self,
        path: &str,
        pairs: &(impl serde::Serialize + ?Sized),
    ) -> (u16, String) {
        let body = serde_html_form::to_string(pairs).unwrap();
        self.post_raw(path, body.into_bytes()).await
    }

    /// `POST path` with this body as a form.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// The state of a service with the policy in `./policy` and no database.
pub fn policy_state() -> actix_web::web::Data<talent_subsidy::web::AppState> {
    state_of(talent_subsidy::policy::PolicySource::Dir("policy".into()))
}

/// The state of a service with the policy from `source` and no database.
pub fn state_of(
    source: talent_subsidy::policy::PolicySource,
) -> actix_web::web::Data<talent_subsidy::web::AppState> {
    let policy = source.load().expect("policy loads");
    actix_web::web::Data::new(talent_subsidy::web::AppState::new(policy, source))
}

/// Polls `ready` every 50 ms on the test's runtime until it holds; fails after `limit`.
pub async fn eventually(
    what: &str,
    limit: std::time::Duration,
    mut ready: impl AsyncFnMut() -> bool,
) {
    let start = std::time::Instant::now();
    while !ready().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Polls `ready` every 50 ms until it holds; fails the test after `limit` (for tests that
/// drive a process from plain threads).
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// What a test does when a tool it needs is not on the machine: on CI (`CI` set), where
/// `.ci/run` installs every tool, it fails; elsewhere it says loudly that it did not run and
/// why. Every such test (the browser, PostgreSQL) goes through here, so they behave alike.
pub fn tool_absent(test: &str, what: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {what} is required on CI but is not available: {why}"
    );
    // Written to the process's stderr directly, past the test harness's capture, so that it
    // shows even though the test passes.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "\n!!!!!!!! {test}: {what} is not available ({why}); \
             THIS PART OF THE TEST DID NOT RUN — .ci/run installs it !!!!!!!!\n\n"
        )
        .as_bytes(),
    );
}

/// A PostgreSQL database of a test's own, dropped when this is dropped.
pub struct PgDatabase {
    pub url: String,
    /// The server's own database, to run statements about this one from.
    pub admin: String,
    pub name: String,
}

/// The server tests use: `TEST_DATABASE_URL`, else the one the development and CI machines
/// run. Its database is only used to create and drop each test's own.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs SQL on a connection of its own, on a thread of its own (callers may be inside an
/// async runtime).
pub fn pg_exec(url: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || pg_exec_here(&url, &sql))
        .join()
        .unwrap_or_else(|_| Err("panicked".into()))
}

fn pg_exec_here(url: &str, sql: &str) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            sqlx::PgConnection::connect(url),
        )
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql)
            .execute(&mut c)
            .await
            .map_err(|e| e.to_string())?;
        let _ = c.close().await;
        Ok(())
    })
}

/// A fresh database on the test PostgreSQL server, or `None` when no server is reachable —
/// which the test reports loudly, and which fails it on CI (`CI` set), where one must run.
pub fn pg_database(test: &str) -> Option<PgDatabase> {
    let admin = pg_admin_url();
    let name = format!(
        "ts_{}_{}",
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect::<String>(),
        std::process::id()
    );
    let _ = pg_exec(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    match pg_exec(&admin, &format!("CREATE DATABASE {name}")) {
        Ok(()) => {
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            Some(PgDatabase {
                url: format!("{base}/{name}"),
                admin,
                name,
            })
        }
        Err(e) => {
            tool_absent(test, &format!("PostgreSQL at {admin}"), &e);
            None
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // On a thread of its own: this may run inside a test's async runtime.
        let _ = std::thread::spawn(move || {
            pg_exec(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
        })
        .join();
    }
}

/// Where a test's database finds its data key: beside a SQLite file (created on first open,
/// as the service does); for PostgreSQL, a key derived from the URL, so that every open of the
/// same test database uses the same key.
pub fn test_keys(url: &str) -> talent_subsidy::store::KeySource {
    use talent_subsidy::store::{DataKey, KeySource};
    if url.starts_with("postgres") {
        let digest = talent_subsidy::secrets::sha256_hex(format!("test key for {url}"));
        KeySource::Given(Box::new(DataKey::parse(&digest).expect("64 hex digits")))
    } else {
        KeySource::Beside
    }
}

/// The shipped policy files, name and text, with `from` replaced by `to` once in `file`.
pub fn policy_files_with(file: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir("policy").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".toml") {
            continue;
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        if name == file {
            assert!(text.contains(from), "{from} in {name}");
            text = text.replacen(from, to, 1);
        }
        files.push((name, text));
    }
    files
}

/// The policy folder as a zip (under `policy/`), with one edit in one file.
pub fn zipped_policy(file: &str, from: &str, to: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in policy_files_with(file, from, to) {
        out.start_file(format!("policy/{name}"), options).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}
