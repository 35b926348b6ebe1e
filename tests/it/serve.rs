//! The service as a process: it starts from the command line, reloads the policy on SIGHUP,
//! finishes in-flight requests on SIGTERM, and refuses to start on an invalid policy.

use crate::common;
use common::{free_port, policy_copy, wait_until};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Service {
    child: Child,
    base: String,
    /// The folder of the service's SQLite database.
    data: tempfile::TempDir,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `talent-subsidy ARGS --bind 127.0.0.1:PORT` with a database of its own and waits
/// until it answers.
fn launch(args: &[&str]) -> Service {
    launch_on(args, tempfile::tempdir().unwrap(), Stdio::null())
}

/// Starts the service on the SQLite file `service.db` in `data`, its log to `log`.
fn launch_on(args: &[&str], data: tempfile::TempDir, log: impl Into<Stdio>) -> Service {
    let port = free_port();
    // Spool files go here, where a test can look for leftovers.
    let spool = data.path().join("tmp");
    std::fs::create_dir_all(&spool).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .env("TMPDIR", &spool)
        .args(args)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .arg("--database-url")
        .arg(data.path().join("service.db"))
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = Service {
        child,
        base: format!("http://127.0.0.1:{port}"),
        data,
    };
    wait_until("the service to start", Duration::from_secs(20), || {
        reqwest::blocking_get(&format!("{}/healthz", s.base)).is_ok()
    });
    s
}

fn start(policy: &Path, extra: &[&str]) -> Service {
    let mut args = vec!["serve", "--policy", policy.to_str().unwrap()];
    args.extend_from_slice(extra);
    launch(&args)
}

mod reqwest {
    pub use ::reqwest::*;
    use std::time::Duration;

    /// Sends a request on a fresh runtime (the tests here are synchronous); status and body.
    fn send(request: RequestBuilder) -> Result<(u16, String)> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = request.send().await?;
            let status = r.status().as_u16();
            Ok((status, r.text().await?))
        })
    }

    pub fn blocking_get(url: &str) -> Result<(u16, String)> {
        send(Client::new().get(url).timeout(Duration::from_secs(5)))
    }

    pub fn blocking_post(url: &str, content_type: &str, body: String) -> Result<(u16, String)> {
        send(
            Client::new()
                .post(url)
                .header("Content-Type", content_type)
                // What a submission must carry (the privacy notice consented to); other
                // routes ignore it.
                .header(
                    "Consent-Notice-Version",
                    talent_subsidy::privacy::NOTICE_VERSION,
                )
                .body(body)
                .timeout(Duration::from_secs(60)),
        )
    }
}

fn rent(s: &Service) -> String {
    let (_, body) = reqwest::blocking_post(
        &format!("{}/api/v1/assessments", s.base),
        "application/json",
        talent_subsidy::EXAMPLE_PROFILE.into(),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "rent_subsidy")
        .unwrap()["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

fn signal(s: &Service, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &s.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} failed");
}

#[test]
fn sighup_reloads_the_policy() {
    let dir = policy_copy();
    let s = start(dir.path(), &["--no-watch"]);
    assert_eq!(rent(&s), "72000");
    let file = dir.path().join("doubling.toml");
    let text = common::raised_rent(&std::fs::read_to_string(&file).unwrap());
    std::fs::write(&file, text).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        rent(&s),
        "72000",
        "without a watcher nothing changes until SIGHUP"
    );
    signal(&s, "-HUP");
    wait_until("SIGHUP to reload", Duration::from_secs(10), || {
        rent(&s) == "90000"
    });
}

#[test]
fn sigterm_lets_an_in_flight_batch_finish() {
    let s = start(Path::new("policy"), &[]);
    let line = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(talent_subsidy::EXAMPLE_PROFILE).unwrap(),
    )
    .unwrap();
    let body = format!("{line}\n").repeat(8_000);
    let url = format!("{}/api/v1/assessments/batch", s.base);
    // SIGTERM once the response has begun (headers received): the request is in flight.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, text) = rt.block_on(async {
        let response = ::reqwest::Client::new()
            .post(&url)
            .header("Content-Type", "application/x-ndjson")
            .body(body)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .expect("the batch starts");
        signal(&s, "-TERM");
        let status = response.status().as_u16();
        (
            status,
            response
                .text()
                .await
                .expect("the in-flight request completes"),
        )
    });
    assert_eq!(status, 200);
    assert_eq!(text.lines().count(), 8_000);
    assert!(text.lines().all(|l| l.contains("\"total\":\"4434000\"")));
    let mut s = s;
    let mut exit = None;
    wait_until("the service to stop", Duration::from_secs(15), || {
        exit = s.child.try_wait().unwrap();
        exit.is_some()
    });
    assert!(exit.unwrap().success(), "exit status {exit:?}");
}

#[test]
fn an_invalid_policy_stops_the_start_with_located_errors() {
    let dir = policy_copy();
    let file = dir.path().join("jinying.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen(">= 30", ">= thirty", 1);
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args([
            "serve",
            "--policy",
            dir.path().to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("jinying.toml:") && err.contains("unknown name `thirty`"),
        "{err}"
    );
}

#[test]
fn with_no_command_it_serves_and_takes_the_same_flags() {
    let s = launch(&["--policy", "policy"]);
    let (_, health) = reqwest::blocking_get(&format!("{}/healthz", s.base)).unwrap();
    // The folder was taken (not the built-in copy); its path is not shown.
    assert!(health.contains("\"policy_source\":\"folder\""), "{health}");
    let (status, page) = reqwest::blocking_get(&format!("{}/", s.base)).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("人才政策测算"));
}

/// Sends submissions with keys `{prefix}-0`, `{prefix}-1`, … until one fails; records each
/// key before sending and each acknowledged key with its reference after.
fn submit_until_refused(
    base: &str,
    prefix: &str,
    sent: &std::sync::Mutex<Vec<String>>,
    acked: &std::sync::Mutex<Vec<(String, String)>>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = ::reqwest::Client::new();
    for n in 0..5_000 {
        let key = format!("{prefix}-{n}");
        let body = talent_subsidy::EXAMPLE_PROFILE.replace("张三", &format!("申请人{key}"));
        sent.lock().unwrap().push(key.clone());
        let answer = rt.block_on(async {
            let r = client
                .post(format!("{base}/api/v1/applications"))
                .header(
                    "Consent-Notice-Version",
                    talent_subsidy::privacy::NOTICE_VERSION,
                )
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", &key)
                .body(body)
                .timeout(Duration::from_secs(10))
                .send()
                .await?;
            let status = r.status().as_u16();
            Ok::<_, ::reqwest::Error>((status, r.json::<serde_json::Value>().await?))
        });
        match answer {
            Ok((201, v)) => acked
                .lock()
                .unwrap()
                .push((key, v["reference"].as_str().unwrap().to_string())),
            _ => return,
        }
    }
}

/// Each saved application's `Idempotency-Key` (stored as `api:KEY`, keys being kept apart by
/// the client kind that sent them), reference and name.
fn rows(db: &Path) -> Vec<(String, String, String)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT substr(idempotency_key, 5), reference, applicant_name FROM applications \
             WHERE idempotency_key LIKE 'api:%'",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    })
}

#[test]
fn a_killed_service_keeps_every_acknowledged_submission_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("service.log");
    let log = std::fs::File::create(&log_path).unwrap();
    // Four clients send far more than a person would: the rate limit is off here (its own
    // test is `the_service_limits_submissions_by_default`).
    let mut s = launch_on(
        &["--policy", "policy", "--limit-submissions", "0"],
        data,
        log,
    );
    let sent = std::sync::Mutex::new(Vec::new());
    let acked = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (base, sent, acked) = (&s.base, &sent, &acked);
            scope.spawn(move || submit_until_refused(base, &format!("t{t}"), sent, acked));
        }
        wait_until(
            "100 acknowledged submissions",
            Duration::from_secs(60),
            || acked.lock().unwrap().len() >= 100,
        );
        s.child.kill().unwrap(); // SIGKILL, in the middle of the stream
        s.child.wait().unwrap();
    });
    let acked = acked.into_inner().unwrap();
    let sent = sent.into_inner().unwrap();
    let db = s.data.path().join("service.db");
    let saved = rows(&db);
    for (key, reference) in &acked {
        let found: Vec<_> = saved.iter().filter(|(k, _, _)| k == key).collect();
        assert_eq!(found.len(), 1, "{key} is saved exactly once");
        assert_eq!(&found[0].1, reference, "{key} kept its reference");
    }
    let mut names: Vec<&String> = saved.iter().map(|(_, _, n)| n).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), saved.len(), "no submission saved twice");

    // Restarted on the same file: every submission sent again (as a client retries) is
    // either the saved one or saved now, once.
    let data = std::mem::replace(&mut s.data, tempfile::tempdir().unwrap());
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_path)
        .unwrap();
    let s2 = launch_on(
        &["--policy", "policy", "--limit-submissions", "0"],
        data,
        log,
    );
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for key in &sent {
        let body = talent_subsidy::EXAMPLE_PROFILE.replace("张三", &format!("申请人{key}"));
        let (status, v) = client_rt.block_on(async {
            let r = ::reqwest::Client::new()
                .post(format!("{}/api/v1/applications", s2.base))
                .header(
                    "Consent-Notice-Version",
                    talent_subsidy::privacy::NOTICE_VERSION,
                )
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .body(body)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        });
        match acked.iter().find(|(k, _)| k == key) {
            Some((_, reference)) => {
                assert_eq!(status, 200, "{key} was saved before");
                assert_eq!(v["reference"], reference.as_str());
            }
            None => assert!(status == 200 || status == 201, "{key}: {status}"),
        }
    }
    let saved = rows(&s2.data.path().join("service.db"));
    assert_eq!(saved.len(), sent.len(), "one row per submission");
    let mut refs: Vec<&String> = saved.iter().map(|(_, r, _)| r).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), sent.len(), "distinct reference numbers");
    let log = std::fs::read_to_string(&log_path).unwrap();
    drop(s2);
    assert!(log.contains("application submitted"), "{log}");
    assert!(
        log.contains("route=/api/v1/applications"),
        "spans name the route: {log}"
    );
    assert!(
        !log.contains("32068219880315001X") && !log.contains("申请人"),
        "no ID number or name in the logs"
    );
}

#[test]
fn the_service_limits_submissions_by_default() {
    let s = launch(&["--policy", "policy"]);
    let started = std::time::Instant::now();
    let statuses: Vec<u16> = (0..25)
        .map(|_| {
            reqwest::blocking_post(
                &format!("{}/api/v1/applications", s.base),
                "application/json",
                talent_subsidy::EXAMPLE_PROFILE.into(),
            )
            .unwrap()
            .0
        })
        .collect();
    // 20 a minute: the first 20 at once, then one more every 3 seconds the run took.
    let refilled = (started.elapsed().as_secs() / 3) as usize;
    assert!(statuses[..20].iter().all(|s| *s == 201), "{statuses:?}");
    let saved = statuses.iter().filter(|s| **s == 201).count();
    assert!(saved <= 20 + refilled, "{saved} saved: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 429),
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// The attack that once took the service to 1.7 GB: 200 sign-ins at once on one account.
#[test]
fn a_burst_of_two_hundred_sign_ins_checks_five_passwords_in_little_memory() {
    let data = tempfile::tempdir().unwrap();
    let mut add = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args([
            "officer",
            "add",
            "zhou",
            "--role",
            "reviewer",
            "--database-url",
        ])
        .arg(data.path().join("service.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), b"the right password 1\n").unwrap();
    assert!(add.wait().unwrap().success());
    let s = launch_on(&["--policy", "policy"], data, Stdio::null());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let statuses: Vec<u16> = rt.block_on(async {
        let b = ::reqwest::Client::builder()
            .cookie_store(true)
            .redirect(::reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = b
            .get(format!("{}/officer/login", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let key = "name=\"form_token\" value=\"";
        let at = page.find(key).unwrap() + key.len();
        let token = page[at..at + 64].to_string();
        // 100 wrong passwords at once; once five checks have been made, the right password
        // in the middle of 100 more wrong ones (sent all at once, it could be among the first
        // five counted: that is what a lockout allows, not what this test is about).
        let burst = |from: usize, right_at: Option<usize>| {
            (from..from + 100)
                .map(|i| {
                    let (b, url, token) = (
                        b.clone(),
                        format!("{}/officer/login", s.base),
                        token.clone(),
                    );
                    let password = if Some(i) == right_at {
                        "the right password 1".to_string()
                    } else {
                        format!("guess {i}")
                    };
                    tokio::spawn(async move {
                        b.post(url)
                            .form(&[
                                ("form_token", token.as_str()),
                                ("name", "zhou"),
                                ("password", &password),
                            ])
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    })
                })
                .collect::<Vec<_>>()
        };
        let first = burst(0, None);
        let metrics_url = format!("{}/metrics", s.base);
        let started = std::time::Instant::now();
        loop {
            let text = ::reqwest::get(&metrics_url)
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let checks: u64 = text
                .lines()
                .find_map(|l| l.strip_prefix("password_checks_total "))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if checks >= 5 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no checks began"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let second = burst(100, Some(150));
        let mut out = Vec::new();
        for t in first.into_iter().chain(second) {
            out.push(t.await.unwrap());
        }
        out
    });
    assert!(!statuses.contains(&303), "nobody signed in: {statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 401).count() <= 4,
        "{statuses:?}"
    );
    let (_, metrics) = reqwest::blocking_get(&format!("{}/metrics", s.base)).unwrap();
    let checks: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("password_checks_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(checks <= 5, "{checks} passwords checked");
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(peak_kb < 100 * 1024, "peak memory {peak_kb} kB");
}

#[test]
fn refusals_are_not_logged_as_errors_and_logs_hold_no_batch_token() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("service.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut s = launch_on(&["--policy", "policy"], data, log);
    let token = "0123456789abcdef".repeat(4);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = ::reqwest::Client::builder()
            .redirect(::reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for (path, want) in [
            (format!("/officer/batch/{token}"), 303),
            ("/api/v1/applications".to_string(), 401),
        ] {
            let r = b.get(format!("{}{path}", s.base)).send().await.unwrap();
            assert_eq!(r.status().as_u16(), want, "{path}");
        }
    });
    signal(&s, "-TERM");
    let _ = s.child.wait();
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(text.contains("listening"), "the log was written: {text}");
    assert!(!text.contains(&token), "{text}");
    assert!(!text.contains("ERROR"), "{text}");
}

/// A PDF of `n` bytes, different for each `seed`.
fn pdf_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while v.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(n);
    v
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    talent_subsidy::secrets::hex(&sha2::Sha256::digest(bytes))
}

/// Sends applications with two files each until the service stops answering; records each
/// acknowledged one's key, reference and the SHA-256 of its files.
fn upload_until_refused(
    base: &str,
    prefix: &str,
    acked: &std::sync::Mutex<Vec<(String, String, Vec<String>)>>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = ::reqwest::Client::new();
    for n in 0..2_000u64 {
        let key = format!("{prefix}-{n}");
        let files = [
            pdf_bytes(400_000, n * 2 + prefix.len() as u64 * 7919),
            pdf_bytes(250_000, n * 2 + 1 + prefix.len() as u64 * 7919),
        ];
        let hashes: Vec<String> = files.iter().map(|f| sha256_hex(f)).collect();
        let mut form = ::reqwest::multipart::Form::new().text(
            "profile",
            talent_subsidy::EXAMPLE_PROFILE.replace("张三", &format!("申请人{key}")),
        );
        for (material, f) in ["degree_certificate", "labour_contract"].iter().zip(files) {
            form = form.part(
                format!("material:{material}"),
                ::reqwest::multipart::Part::bytes(f).file_name(format!("{material}.pdf")),
            );
        }
        let answer = rt.block_on(async {
            let r = client
                .post(format!("{base}/api/v1/applications"))
                .header(
                    "Consent-Notice-Version",
                    talent_subsidy::privacy::NOTICE_VERSION,
                )
                .header("Idempotency-Key", &key)
                .multipart(form)
                .timeout(Duration::from_secs(20))
                .send()
                .await?;
            let status = r.status().as_u16();
            Ok::<_, ::reqwest::Error>((status, r.json::<serde_json::Value>().await?))
        });
        match answer {
            Ok((201, v)) => acked.lock().unwrap().push((
                key,
                v["reference"].as_str().unwrap().to_string(),
                hashes,
            )),
            _ => return,
        }
    }
}

#[test]
fn a_service_killed_during_uploads_keeps_every_acknowledged_file_whole() {
    let mut s = launch(&["--policy", "policy", "--limit-submissions", "0"]);
    let acked = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (base, acked) = (&s.base, &acked);
            scope.spawn(move || upload_until_refused(base, &format!("u{t}"), acked));
        }
        wait_until(
            "30 acknowledged applications with files",
            Duration::from_secs(120),
            || acked.lock().unwrap().len() >= 30,
        );
        s.child.kill().unwrap(); // SIGKILL, with uploads in flight
        s.child.wait().unwrap();
    });
    let acked = acked.into_inner().unwrap();
    let db = s.data.path().join("service.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (files, chunks) = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let files = sqlx::query_as::<_, (String, Option<String>, i64, String)>(
            "SELECT u.id, a.reference, u.size, u.sha256 FROM uploads u \
             LEFT JOIN applications a ON a.id = u.application_id",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let ids = sqlx::query_as::<_, (String, i64)>(
            "SELECT upload_id, seq FROM upload_chunks ORDER BY upload_id, seq",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        drop(c);
        // The bytes are encrypted: read them back through the store, with the key beside the
        // database, each chunk checked for its place and tag as it opens.
        let store = talent_subsidy::store::Store::open(
            db.to_str().unwrap(),
            &talent_subsidy::store::KeySource::Beside,
        )
        .await
        .unwrap();
        let mut chunks = Vec::new();
        for (id, seq) in ids {
            let bytes = store.upload_chunk(&id, seq).await.unwrap().unwrap();
            chunks.push((id, seq, bytes));
        }
        store.close().await;
        (files, chunks)
    });
    // Every acknowledged application has its two files, whole.
    for (key, reference, hashes) in &acked {
        let mine: Vec<&String> = files
            .iter()
            .filter(|(_, r, _, _)| r.as_deref() == Some(reference.as_str()))
            .map(|(_, _, _, h)| h)
            .collect();
        assert_eq!(mine.len(), 2, "{key}: both files kept");
        for h in hashes {
            assert!(mine.contains(&h), "{key}: a file is missing");
        }
    }
    // Every file row the database holds, claimed or not, is whole: its chunks are all there,
    // in order, and hash to its SHA-256. A file being written when the process died is not
    // there at all.
    for (id, _, size, sha) in &files {
        let bytes: Vec<u8> = chunks
            .iter()
            .filter(|(u, _, _)| u == id)
            .flat_map(|(_, _, b)| b.iter().copied())
            .collect();
        assert_eq!(bytes.len() as i64, *size, "{id}: every byte");
        assert_eq!(&sha256_hex(&bytes), sha, "{id}: the bytes it was sent with");
    }
    assert!(
        chunks
            .iter()
            .all(|(u, _, _)| files.iter().any(|(id, ..)| id == u)),
        "no chunk without its file"
    );
    // Spool files have no name on disk: nothing is left in the spool folder.
    let left: Vec<_> = std::fs::read_dir(s.data.path().join("tmp"))
        .unwrap()
        .collect();
    assert!(left.is_empty(), "spool files left: {left:?}");
}
