//! End to end in a real headless Chromium (Debian's chromium and chromium-driver, which
//! `.ci/run` installs): a founder fills the form as a person would, reads the amounts and
//! submits; a reviewer signs in, finds the application and approves it; the applicant's status
//! page shows the decision; a wrong ID check digit shows its error at the field.

mod common;
use common::{free_port, tool_absent, wait_until};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, what: &str) {
    wait_until(what, Duration::from_secs(30), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
}

async fn browser(driver_port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            // A phone: 375 CSS pixels wide.
            "mobileEmulation": { "deviceMetrics": { "width": 375, "height": 812, "pixelRatio": 2.0, "touch": true } },
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=375,900",
                format!("--user-data-dir={}", std::env::temp_dir().join(format!("ts-chrome-{}", std::process::id())).display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session with headless Chromium")
}

async fn type_into(c: &Client, id: &str, text: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn choose(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[test]
fn a_founder_fills_the_form_submits_and_a_reviewer_approves_in_chromium() {
    if !(std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists()) {
        tool_absent(
            "browser",
            "Chromium with ChromeDriver",
            "apt-get install chromium chromium-driver",
        );
        return;
    }
    let app_port = free_port();
    let data = tempfile::tempdir().unwrap();
    let database = data.path().join("browser.db");
    // A reviewer's account, made as an administrator would.
    let mut add = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args([
            "officer",
            "add",
            "reviewer1",
            "--role",
            "reviewer",
            "--database-url",
        ])
        .arg(&database)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), b"reviewer password 1\n").unwrap();
    assert!(add.wait().unwrap().success());
    let _app = Proc(
        Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
            .args([
                "serve",
                "--policy",
                "policy",
                "--bind",
                &format!("127.0.0.1:{app_port}"),
                "--database-url",
                database.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let driver_port = free_port();
    let _driver = Proc(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(app_port, "the service");
    wait_for_port(driver_port, "chromedriver");
    let base = format!("http://127.0.0.1:{app_port}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        c.goto(&format!("{base}/form")).await.unwrap();

        // 基本信息
        type_into(&c, "f-application_date", "2026-03-01").await;
        type_into(&c, "f-person-full_name", "张三").await;
        choose(&c, "f-person-id_type", "resident_id").await;
        type_into(&c, "f-person-id_number", "32068219880315001X").await;
        type_into(&c, "f-person-birth_date", "1988-03-15").await;
        // 学历与职称
        choose(&c, "f-person-highest_degree", "doctorate").await;
        choose(&c, "f-person-institution_tier", "double_first_class").await;
        type_into(&c, "f-person-institution_name", "南京大学").await;
        type_into(&c, "f-person-graduation_date", "2015-06-30").await;
        click(
            &c,
            "input[name='person.honors'][value='provincial_talent_program']",
        )
        .await;
        // 创业: open the section, say it applies, fill it in.
        click(&c, "#s-startup > summary").await;
        click(&c, "#t-has_startup").await;
        choose(&c, "f-startup-company_in_park", "true").await;
        choose(&c, "f-startup-industry", "new_materials").await;
        type_into(&c, "f-startup-registration_date", "2024-05-20").await;
        type_into(&c, "f-startup-paid_in_capital", "200万").await;
        type_into(&c, "f-startup-founder_equity_pct", "51").await;
        type_into(&c, "f-startup-founder_cash_investment", "800,000").await;
        choose(&c, "f-startup-owns_core_ip", "true").await;
        type_into(&c, "f-startup-office_area_sqm", "150").await;
        click(&c, "#submit").await;

        assert_eq!(
            text_of(&c, "[data-program='jinying_startup']").await,
            "¥3,000,000"
        );
        assert_eq!(
            text_of(&c, "[data-program='jinying_office']").await,
            "¥162,000"
        );
        assert_eq!(
            text_of(&c, "[data-program='scitech_major_project']").await,
            "¥0"
        );
        let total = text_of(&c, "#total").await;
        assert!(
            total.contains("¥3,162,000") && total.contains("316.2万元"),
            "{total}"
        );

        // Submitting: the status page with the reference number.
        click(&c, "#submit-application").await;
        let reference = text_of(&c, "#reference").await;
        assert!(reference.starts_with("SXT-2026-"), "{reference}");
        assert_eq!(text_of(&c, "#status").await, "待审核");
        assert!(
            c.current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/status/")
        );

        // A wrong check digit: the error stands at the field, and the field points to it.
        c.goto(&format!("{base}/form")).await.unwrap();
        type_into(&c, "f-person-full_name", "李四").await;
        type_into(&c, "f-person-id_number", "320682198803150011").await;
        type_into(&c, "f-person-birth_date", "1988-03-15").await;
        choose(&c, "f-person-highest_degree", "none").await;
        click(&c, "#submit").await;
        let err = text_of(&c, "#f-person-id_number-error").await;
        assert!(err.contains("校验位"), "{err}");
        let input = c.find(Locator::Id("f-person-id_number")).await.unwrap();
        assert_eq!(
            input.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        assert!(
            input
                .attr("aria-describedby")
                .await
                .unwrap()
                .unwrap_or_default()
                .contains("f-person-id_number-error")
        );
        assert_eq!(
            input.prop("value").await.unwrap().as_deref(),
            Some("320682198803150011"),
            "the typed value is kept"
        );
        // The summary links to the field.
        click(&c, "#error-summary a[href='#f-person-id_number']").await;

        // Nothing on the page is wider than a phone.
        let width = c.execute("return window.innerWidth", vec![]).await.unwrap();
        assert!(
            width.as_u64().is_some_and(|w| w <= 400),
            "the window is {width} px wide, not a phone's"
        );
        let wide = c
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            wide,
            serde_json::Value::Bool(false),
            "horizontal scrolling at 375 px"
        );

        // Keyboard only: Tab walks the form in order, Enter on a section's summary opens it,
        // Space ticks its box, and Tab then reaches the fields inside.
        c.goto(&format!("{base}/form")).await.unwrap();
        let mut path: Vec<String> = Vec::new();
        for _ in 0..60 {
            press(&c, Key::Tab.into()).await;
            let id = focused(&c).await;
            if id == "summary:s-startup" {
                press(&c, Key::Enter.into()).await;
                press(&c, Key::Tab.into()).await;
                assert_eq!(
                    focused(&c).await,
                    "t-has_startup",
                    "the box is next after opening"
                );
                press(&c, ' ').await;
                let ticked = c
                    .execute(
                        "return document.getElementById('t-has_startup').checked",
                        vec![],
                    )
                    .await
                    .unwrap();
                assert_eq!(ticked, serde_json::Value::Bool(true));
                press(&c, Key::Tab.into()).await;
                path.push(focused(&c).await);
                continue;
            }
            path.push(id.clone());
            if id == "submit" {
                break;
            }
        }
        let at = |id: &str| {
            path.iter()
                .position(|p| p == id)
                .unwrap_or_else(|| panic!("{id} never focused: {path:?}"))
        };
        assert!(at("f-application_date") < at("f-person-full_name"));
        assert!(at("f-person-full_name") < at("f-person-highest_degree"));
        assert!(
            at("f-person-highest_degree") < at("f-startup-company_name"),
            "{path:?}"
        );
        assert!(at("f-startup-company_name") < at("submit"));
        c.close().await.unwrap();
    });
}

async fn press(c: &Client, k: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Up { value: k });
    c.perform_actions(keys).await.unwrap();
}

/// The focused element's id, or `summary:<section id>` for a section's summary.
async fn focused(c: &Client) -> String {
    let v = c
        .execute(
            "const e = document.activeElement; \
             return e.tagName === 'SUMMARY' ? 'summary:' + e.parentElement.id : (e.id || e.tagName);",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}
