//! Messages to the applicant, black-box with real receivers: an SMTP server (Debian's
//! aiosmtpd, started here) and an HTTP receiver standing in for the park's SMS gateway. Each
//! step that concerns the applicant makes one message on the status page and one delivery per
//! channel given; a receiver that fails twice gets the message once, on the third try; two
//! instances sharing the database send each message once; a delivery whose sender stopped
//! mid-way is sent when its claim lapses; without a channel the console says nothing was sent.

use super::*;
use std::sync::{Arc, Mutex};
use talent_subsidy::settings::Delivery;

/// An HTTP receiver on 127.0.0.1 for the SMS webhook: it keeps each request it accepted (its
/// idempotency key, secret and body), and refuses the first `fail_first` with 503.
struct Gateway {
    url: String,
    accepted: Arc<Mutex<Vec<(String, String, serde_json::Value)>>>,
    requests: Arc<std::sync::atomic::AtomicUsize>,
    server: actix_web::dev::ServerHandle,
}

impl Gateway {
    fn start(fail_first: usize) -> Gateway {
        use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
        let accepted: Arc<Mutex<Vec<(String, String, serde_json::Value)>>> = Arc::default();
        let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (a, r) = (accepted.clone(), requests.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let (a, r) = (a.clone(), r.clone());
            App::new().route(
                "/sms",
                web::post().to(
                    move |req: HttpRequest, body: web::Json<serde_json::Value>| {
                        let (a, r) = (a.clone(), r.clone());
                        async move {
                            let n = r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            if n < fail_first {
                                return HttpResponse::ServiceUnavailable().finish();
                            }
                            let header = |h: &str| {
                                req.headers()
                                    .get(h)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            a.lock().unwrap().push((
                                header("Idempotency-Key"),
                                header("X-Talent-Subsidy-Secret"),
                                body.into_inner(),
                            ));
                            HttpResponse::Ok().finish()
                        }
                    },
                ),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Gateway {
            url: format!("http://127.0.0.1:{port}/sms"),
            accepted,
            requests,
            server: handle,
        }
    }

    /// The idempotency keys accepted, in order.
    fn keys(&self) -> Vec<String> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(k, ..)| k.clone())
            .collect()
    }
}

/// A real SMTP server on 127.0.0.1 keeping each message in a maildir.
struct Smtp {
    url: String,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    fn start() -> Option<Smtp> {
        const PYTHON: &str = "/usr/bin/python3";
        let ok = std::process::Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            common::tool_absent(
                "messages",
                "aiosmtpd",
                "apt-get install python3-aiosmtpd (.ci/run does)",
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = common::free_port();
        let child = std::process::Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        common::wait_until(
            "the SMTP receiver",
            std::time::Duration::from_secs(20),
            || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        );
        Some(Smtp {
            url: format!("smtp://127.0.0.1:{port}"),
            dir,
            child,
        })
    }

    /// The messages received, as text.
    fn received(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let mut out: Vec<String> = std::fs::read_dir(new)
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

/// Another instance on the same database delivering through these channels.
async fn messaging_console(url: &str, delivery: Delivery) -> Console {
    console_set(
        url,
        false,
        PolicySource::Dir(policy_years_ahead()),
        Settings {
            delivery,
            ..Settings::unlimited()
        },
    )
    .await
}

/// Submits the example with contact details through the API; returns reference and link.
async fn submit_with_contact(c: &Console, mobile: &str, email: &str) -> (String, String) {
    submit_asking(c, mobile, email, false).await
}

async fn submit_asking(c: &Console, mobile: &str, email: &str, link: bool) -> (String, String) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header("Content-Type", "application/json")
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
        .header("Applicant-Mobile", mobile)
        .header("Applicant-Email", email)
        .header("Applicant-Send-Link", if link { "true" } else { "false" })
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["reference"].as_str().unwrap().to_string(),
        format!("{}{}", c.base, v["status_url"].as_str().unwrap()),
    )
}

/// Delivers until nothing is due (each round as `claim`), at most `rounds` rounds.
async fn deliver_all(c: &Console, claim: &str, rounds: usize) -> usize {
    let mut sent = 0;
    for _ in 0..rounds {
        let n = c.state.channels.deliver_due(&c.store, claim).await;
        sent += n;
        if n == 0 {
            break;
        }
    }
    sent
}

pub async fn every_step_sends_one_message_per_channel(c: &Console) {
    let Some(smtp) = Smtp::start() else { return };
    let gateway = Gateway::start(0);
    let m = messaging_console(
        &c.url,
        Delivery {
            sms_webhook: Some(gateway.url.clone()),
            sms_secret: Some("gateway secret".into()),
            smtp_url: Some(smtp.url.clone()),
            ..Delivery::default()
        },
    )
    .await;
    // A bad address is refused at the field, in both languages; giving none is fine.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/applications", c.base))
        .header("Content-Type", "application/json")
        .header(
            "Consent-Notice-Version",
            talent_subsidy::privacy::NOTICE_VERSION,
        )
        .header("Applicant-Mobile", "12345")
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "Applicant-Mobile");
    assert!(
        v["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("11 位")
    );

    let (reference, link) = submit_with_contact(c, "138 0000 0000", "zhang@example.cn").await;
    let sun = signed_in(c, "sun", Role::Reviewer).await;
    let ts = csrf(c, &sun).await;
    // 补正 before acceptance, the applicant's reply, 受理.
    ask_for_more(
        c,
        &sun,
        &ts,
        &reference,
        "请上传社保缴纳证明",
        "social_insurance_record",
    )
    .await;
    let applicant = browser();
    let (_, page, _) = get(&applicant, link.clone()).await;
    let form = reqwest::multipart::Form::new()
        .text("form_token", hidden(&page, "form_token"))
        .text("reply", "已在线下补交");
    let r = applicant
        .post(format!("{link}/reply"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    step(c, &sun, &ts, &reference, "accept", "").await;
    // Every program refused: 复审 agrees, and the decision is in force without a notice.
    for p in [
        "jinying_startup",
        "jinying_office",
        "jinying_innovation",
        "rent_subsidy",
        "home_purchase",
    ] {
        let (status, body) = review(
            c,
            &sun,
            &ts,
            &reference,
            p,
            &[
                ("all_checks", "failed"),
                ("decision", "refuse"),
                ("reason", "材料核验不符"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{p}: {body}");
    }
    let wu = signed_in(c, "wu", Role::Reviewer).await;
    let tw = csrf(c, &wu).await;
    step(c, &wu, &tw, &reference, "agree", "").await;

    // Four steps concerned the applicant: four messages on the status page, newest first.
    let (_, page, _) = get(&applicant, link.clone()).await;
    let listed = page.split("id=\"messages\"").nth(1).unwrap_or_default();
    let listed = listed.split("</ul>").next().unwrap_or_default();
    assert_eq!(listed.matches("<li>").count(), 4, "{listed}");
    let order: Vec<usize> = ["已作出决定", "已受理", "已收到您补正的材料", "需要补正材料"]
        .iter()
        .map(|w| listed.find(w).unwrap_or_else(|| panic!("{w} in {listed}")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first: {listed}"
    );
    // Nothing sent yet by the instance without channels; the console says why.
    let (_, case, _) = get(&sun, format!("{}/officer/applications/{reference}", c.base)).await;
    assert!(
        case.contains("未发送（未配置短信/邮件）"),
        "this instance has no channel"
    );

    // The instance with channels sends each message once per channel.
    assert_eq!(deliver_all(&m, "one", 5).await, 8);
    assert_eq!(deliver_all(&m, "one", 5).await, 0, "nothing twice");
    let keys = gateway.keys();
    assert_eq!(keys.len(), 4, "{keys:?}");
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "each message once: {keys:?}");
    for (_, secret, body) in gateway.accepted.lock().unwrap().iter() {
        assert_eq!(secret, "gateway secret");
        assert_eq!(body["to"], "13800000000");
        assert_eq!(body["reference"], reference.as_str());
        let text = body["text"].as_str().unwrap();
        assert!(
            text.contains(&reference) && !text.contains("张三"),
            "no name: {text}"
        );
        assert!(
            !text.contains("/status/"),
            "no link unless asked for: {text}"
        );
    }
    let mail = smtp.received();
    assert_eq!(mail.len(), 4, "four e-mails");
    assert!(
        mail.iter()
            .all(|m| m.contains("zhang@example.cn") && m.contains("Message-ID: <msg-"))
    );
    let (_, case, _) = get(&sun, format!("{}/officer/applications/{reference}", m.base)).await;
    assert!(
        case.contains("短信 已发送") && case.contains("邮件 已发送"),
        "{case}"
    );
    m.shut_down().await;
    gateway.server.stop(false).await;
}

/// A gateway that fails twice gets the message on the third attempt, once; a message whose
/// attempts run out is listed for a person.
pub async fn a_failing_receiver_gets_the_message_once_after_retries(c: &Console) {
    let gateway = Gateway::start(2);
    let quick = Delivery {
        sms_webhook: Some(gateway.url.clone()),
        retry_base: std::time::Duration::from_millis(20),
        public_url: Some("https://rencai.example.cn".into()),
        ..Delivery::default()
    };
    let m = messaging_console(&c.url, quick.clone()).await;
    // This applicant asked for the status link in messages: it is sent, to their number only.
    let (reference, link) = submit_asking(c, "13900000000", "", true).await;
    let token = link.rsplit('/').next().unwrap().to_string();
    let sun = signed_in(c, "sun", Role::Reviewer).await;
    let ts = csrf(c, &sun).await;
    step(c, &sun, &ts, &reference, "accept", "").await;
    let mut sent = 0;
    for _ in 0..50 {
        sent += m.state.channels.deliver_due(&m.store, "retrying").await;
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    assert_eq!(sent, 1);
    assert_eq!(
        gateway.requests.load(std::sync::atomic::Ordering::SeqCst),
        3
    );
    assert_eq!(gateway.keys().len(), 1, "accepted once");
    let text = gateway.accepted.lock().unwrap()[0].2["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains(&format!("https://rencai.example.cn/status/{token}")),
        "{text}"
    );
    let app = c.store.application(&reference).await.unwrap().unwrap();
    let messages = c.store.messages(app.summary.id).await.unwrap();
    assert_eq!(messages[0].deliveries[0].state, "sent");
    assert_eq!(messages[0].deliveries[0].attempts, 3);
    // A new status link replaces the old in later messages.
    let fresh = c
        .store
        .new_status_link(&reference, "sun")
        .await
        .unwrap()
        .unwrap();
    ask_for_more(
        c,
        &sun,
        &ts,
        &reference,
        "请补充",
        "social_insurance_record",
    )
    .await;
    assert_eq!(m.state.channels.deliver_due(&m.store, "retrying").await, 1);
    let text = gateway.accepted.lock().unwrap()[1].2["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains(&fresh) && !text.contains(&token), "{text}");
    m.shut_down().await;
    gateway.server.stop(false).await;

    // A gateway that never answers: after the last attempt the delivery is given up and the
    // applications list names it for a person to call.
    let dead = Delivery {
        sms_webhook: Some(format!("http://127.0.0.1:{}/sms", common::free_port())),
        max_attempts: 2,
        retry_base: std::time::Duration::from_millis(10),
        ..Delivery::default()
    };
    let m = messaging_console(&c.url, dead).await;
    let (lost, _) = submit_with_contact(c, "13700000000", "").await;
    step(c, &sun, &ts, &lost, "accept", "").await;
    for _ in 0..20 {
        m.state.channels.deliver_due(&m.store, "dead").await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let failed = c.store.failed_deliveries(10).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(
        (failed[0].reference.as_str(), failed[0].attempts),
        (lost.as_str(), 2)
    );
    let (_, list, _) = get(&sun, format!("{}/officer/applications", c.base)).await;
    assert!(list.contains("id=\"failed-messages\"") && list.contains(&lost));
    m.shut_down().await;
}

/// Two instances deliver at once from one outbox: each message reaches the gateway once. A
/// sender that stopped after claiming (a restart mid-delivery) loses nothing: once its claim
/// lapses, another instance sends what it held.
pub async fn two_instances_send_each_message_once(c: &Console) {
    let gateway = Gateway::start(0);
    let delivery = Delivery {
        sms_webhook: Some(gateway.url.clone()),
        ..Delivery::default()
    };
    let a = messaging_console(&c.url, delivery.clone()).await;
    let b = messaging_console(&c.url, delivery).await;
    let sun = signed_in(c, "sun", Role::Reviewer).await;
    let ts = csrf(c, &sun).await;
    let mut references = Vec::new();
    for i in 0..6 {
        let (reference, _) = submit_with_contact(c, &format!("1360000000{i}"), "").await;
        step(c, &sun, &ts, &reference, "accept", "").await;
        references.push(reference);
    }
    // One "instance" claims two rows and stops before sending them.
    let held = c
        .store
        .claim_outbox(
            "sms",
            chrono::Utc::now(),
            chrono::Duration::seconds(1),
            2,
            "crashed",
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    let (x, y) = tokio::join!(
        a.state.channels.deliver_due(&a.store, "instance-a"),
        b.state.channels.deliver_due(&b.store, "instance-b"),
    );
    assert_eq!(x + y, 4, "the held two wait for their claim to lapse");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (x, y) = tokio::join!(
        a.state.channels.deliver_due(&a.store, "instance-a"),
        b.state.channels.deliver_due(&b.store, "instance-b"),
    );
    assert_eq!(x + y, 2, "taken over after the claim lapsed");
    let mut keys = gateway.keys();
    assert_eq!(keys.len(), 6, "{keys:?}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 6, "each once");
    a.shut_down().await;
    b.shut_down().await;
    gateway.server.stop(false).await;
}
