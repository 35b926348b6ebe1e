//! End to end in a real headless Chromium (Debian's chromium and chromium-driver, which
//! `.ci/run` installs): a founder fills the form as a person would, reads the amounts and
//! submits; a reviewer signs in, finds the application and approves it; the applicant's status
//! page shows the decision; a wrong ID check digit shows its error at the field.

use crate::common;
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

/// The service (with a SQLite database holding one reviewer) and ChromeDriver, each on a
/// free port of 127.0.0.1; both stop when this is dropped.
struct Running {
    base: String,
    database: std::path::PathBuf,
    driver_port: u16,
    _app: Proc,
    _driver: Proc,
    _data: tempfile::TempDir,
}

impl Running {
    fn start(reviewer: &str, password: &str) -> Running {
        Running::start_as(reviewer, password, "reviewer")
    }

    /// Another officer account, made as an administrator would while the service runs.
    fn add_officer(&self, name: &str, password: &str, role: &str) {
        let mut add = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
            .args(["officer", "add", name, "--role", role, "--database-url"])
            .arg(&self.database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut add.stdin.take().unwrap(),
            format!("{password}\n").as_bytes(),
        )
        .unwrap();
        assert!(add.wait().unwrap().success());
    }

    /// The service with one officer account of the given role.
    fn start_as(officer: &str, password: &str, role: &str) -> Running {
        let reviewer = officer;
        let app_port = free_port();
        let data = tempfile::tempdir().unwrap();
        let database = data.path().join("browser.db");
        // A reviewer's account, made as an administrator would.
        let mut add = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
            .args(["officer", "add", reviewer, "--role", role, "--database-url"])
            .arg(&database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut add.stdin.take().unwrap(),
            format!("{password}\n").as_bytes(),
        )
        .unwrap();
        assert!(add.wait().unwrap().success());
        let app = Proc(
            Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
                .args(["serve", "--policy", "policy", "--bind"])
                .arg(format!("127.0.0.1:{app_port}"))
                .arg("--database-url")
                .arg(&database)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver_port = free_port();
        let driver = Proc(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_for_port(app_port, "the service");
        wait_for_port(driver_port, "chromedriver");
        Running {
            database,
            base: format!("http://127.0.0.1:{app_port}"),
            driver_port,
            _app: app,
            _driver: driver,
            _data: data,
        }
    }
}

async fn browser(driver_port: u16) -> Client {
    browser_sized(driver_port, true).await
}

/// A phone (375 CSS pixels wide, touch) or a desktop window (1280 × 1000).
async fn browser_sized(driver_port: u16, phone: bool) -> Client {
    let mut caps = serde_json::Map::new();
    let mut options = serde_json::json!({
        "binary": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", if phone { "--window-size=375,900" } else { "--window-size=1280,1000" },
            format!("--user-data-dir={}", std::env::temp_dir().join(format!("ts-chrome-{}-{driver_port}-{phone}", std::process::id())).display()),
        ]
    });
    if phone {
        options["mobileEmulation"] = serde_json::json!({ "deviceMetrics": { "width": 375, "height": 812, "pixelRatio": 2.0, "touch": true } });
    }
    caps.insert("goog:chromeOptions".into(), options);
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
    let run = Running::start("reviewer1", "reviewer password 1");
    let (base, driver_port) = (run.base.clone(), run.driver_port);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        c.goto(&format!("{base}/form")).await.unwrap();

        fill_founder(&c).await;
        click(&c, "#submit").await;

        assert_eq!(
            text_of(&c, "[data-program='jinying_startup']").await,
            "¥3,000,000"
        );
        assert_eq!(
            text_of(&c, "[data-program='jinying_office']").await,
            "¥162,000"
        );
        // What the founder does not get is folded away; opening it shows it.
        click(&c, "details.section > summary").await;
        assert_eq!(
            text_of(&c, "[data-program='scitech_major_project']").await,
            "¥0"
        );
        let total = text_of(&c, "#total").await;
        assert!(
            total.contains("¥3,162,000") && total.contains("316.2万元"),
            "{total}"
        );

        // Submitting: the privacy notice is shown first and the consent box is required (the
        // browser refuses to send the form without it); then the status page.
        assert!(
            text_of(&c, "#privacy-notice")
                .await
                .contains("敏感个人信息")
        );
        click(&c, "#submit-application").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/assess");
        click(&c, "#consent").await;
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

/// axe-core, as `.ci/run` fetches it from the npm registry (`npm pack axe-core@4.11.0`, into
/// `target/axe`): used by this test only, never served.
const AXE: &str = "target/axe/package/axe.min.js";

/// The WCAG 2.1 A and AA violations axe-core finds on the page shown, as `rule: targets`.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\nreturn true;"), vec![])
        .await
        .expect("axe-core loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })\
                .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn assert_accessible(c: &Client, axe: &str, what: &str) {
    let v = axe_violations(c, axe).await;
    assert!(v.is_empty(), "{what}: axe-core finds {v:#?}");
}

/// Clicks a button that loads a new page and waits until the new page is there.
async fn click_and_load(c: &Client, css: &str) {
    c.execute(
        "document.documentElement.dataset.old = '1'; return true;",
        vec![],
    )
    .await
    .unwrap();
    click(c, css).await;
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("html:not([data-old])"))
        .await
        .unwrap_or_else(|e| panic!("no new page after {css}: {e}"));
}

/// Nothing on the page is wider than the phone's screen (outside a scrolling table), a table
/// that scrolls sideways says so in words above it, no table cell with text is narrower than
/// two characters, and no short word in a cell or badge breaks across lines (不符/合).
async fn assert_fits_phone(c: &Client, what: &str) {
    let found = c
        .execute(
            "const w = window.innerWidth;\
             const em = parseFloat(getComputedStyle(document.body).fontSize);\
             const seen = e => { for (let a = e; a && a !== document.body; a = a.parentElement) {\
               const r = a.getBoundingClientRect(); if (r.width <= 1 || r.height <= 1) return false; } return true; };\
             const wide = [...document.querySelectorAll('body *')]\
               .filter(e => seen(e) && !e.closest('.scroll') && e.getBoundingClientRect().right > w + 1)\
               .map(e => 'wider than the screen: ' + e.tagName + '.' + e.className);\
             const narrow = [...document.querySelectorAll('td, th')]\
               .filter(e => seen(e) && e.textContent.trim().length > 1 && e.getBoundingClientRect().width < 2 * em)\
               .map(e => 'narrow cell: ' + e.textContent.trim().slice(0, 20));\
             const broken = [...document.querySelectorAll('td, th, .badge')]\
               .filter(e => seen(e) && e.textContent.trim().length > 1 && e.textContent.trim().length <= 6)\
               .filter(e => { const r = document.createRange(); r.selectNodeContents(e);\
                 const tops = [...r.getClientRects()].map(x => x.top).sort((a, b) => a - b);\
                 return tops.some((t, i) => i > 0 && t - tops[i - 1] > 0.6 * em); })\
               .map(e => 'a short word broken across lines: ' + e.textContent.trim());\
             const hidden = [...document.querySelectorAll('.scroll')]\
               .filter(e => seen(e) && e.scrollWidth > e.clientWidth + 1)\
               .filter(e => { const h = e.previousElementSibling;\
                 return !(h && h.classList.contains('scroll-hint') && h.getBoundingClientRect().height > 0); })\
               .map(e => 'a table scrolls sideways with nothing saying so: ' + e.getAttribute('aria-label'));\
             return wide.concat(narrow, broken, hidden);",
            vec![],
        )
        .await
        .unwrap();
    let found: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(found.is_empty(), "{what} at 375 px: {found:#?}");
}

/// The questions on an interview page, by the name the answer is sent under.
async fn interview_questions(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('input[name=shown]')].map(e => e.value);",
            vec![],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| match s.as_str().unwrap() {
            "employment" => "has_employment".to_string(),
            "startup" => "has_startup".to_string(),
            "housing" => "has_housing".to_string(),
            "housing.home_purchase" => "has_home_purchase".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// Chromium, ChromeDriver and axe-core, or `None` said loudly (a failure with `CI` set);
/// axe-core's script when they are all there.
fn browser_tools() -> Option<String> {
    let tools = [CHROMEDRIVER, CHROMIUM, AXE];
    if let Some(missing) = tools.iter().find(|t| !std::path::Path::new(t).exists()) {
        tool_absent(
            "browser",
            missing,
            "apt-get install chromium chromium-driver; npm pack axe-core@4.11.0 into target/axe (.ci/run does both)",
        );
        return None;
    }
    std::fs::read_to_string(AXE).ok()
}

#[test]
fn a_graduate_is_interviewed_on_a_phone_and_every_page_kind_passes_axe_core() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let run = Running::start("reviewer2", "reviewer password 2");
    let (base, driver_port) = (run.base.clone(), run.driver_port);
    let answers: std::collections::HashMap<&str, &str> = [
        ("person.birth_date", "1998-05-01"),
        ("person.highest_degree", "master"),
        ("person.professional_title", "none"),
        ("person.institution_name", "南通大学"),
        ("person.institution_tier", "other"),
        ("person.graduation_date", "2024/6/30"),
        ("person.overseas_work_years", "0"),
        ("has_employment", "1"),
        ("employment.employer_in_park", "true"),
        ("employment.full_time", "true"),
        ("employment.industry", "new_materials"),
        ("employment.start_date", "2024年8月1日"),
        ("employment.contract_years", "3"),
        ("employment.annual_salary", "18万"),
        ("employment.social_insurance_months_in_park", "27"),
        ("has_startup", "0"),
        ("has_housing", "1"),
        ("housing.owns_home_in_city", "false"),
        ("housing.lives_in_talent_apartment", "false"),
        ("has_home_purchase", "0"),
    ]
    .into_iter()
    .collect();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        // Not sure of one answer: the program it decides reads 信息不足, never 不符合.
        let mut unsure = answers.clone();
        unsure.remove("employment.social_insurance_months_in_park");
        walk(&c, &base, &unsure, None, &axe).await;
        let open = text_of(&c, ".card.open").await;
        assert!(
            open.contains("信息不足") && open.contains("安家补贴"),
            "{open}"
        );
        let page = c.source().await.unwrap();
        assert!(!page.contains(">不符合<"));
        assert_fits_phone(&c, "the interview's result").await;

        let ranges = walk(&c, &base, &answers, Some(3), &axe).await;
        // The range narrowed on the way and never widened.
        assert_eq!(ranges[0], "¥0 – ¥10,000,000");
        assert!(ranges.len() >= 3, "{ranges:?}");
        // The result leads with the answer; on a phone the first qualifying program is on the
        // first screen.
        let total = text_of(&c, ".answer .total").await;
        assert!(total.contains("¥133,200"), "{total}");
        let first = c
            .find(Locator::Css("ul.makeup li"))
            .await
            .expect("what makes up the total");
        let bottom = c
            .execute(
                "return arguments[0].getBoundingClientRect().bottom <= window.innerHeight;",
                vec![serde_json::to_value(&first).unwrap()],
            )
            .await
            .unwrap();
        assert_eq!(
            bottom,
            serde_json::json!(true),
            "the first program is below the fold"
        );
        assert_fits_phone(&c, "the interview's result in English").await;
        assert_accessible(&c, &axe, "the interview's result").await;

        // Applying from the result, never through the full form: only what the application
        // lacks — name, ID, and the university's category the interview never needed.
        click_and_load(&c, "#apply-start").await;
        assert!(
            c.find(Locator::Id("f-person-birth_date")).await.is_err(),
            "an answer given is not asked again"
        );
        assert_accessible(&c, &axe, "applying from the interview").await;
        assert_fits_phone(&c, "applying from the interview").await;
        shot(&c, "h1", "p15-apply-from-interview").await;
        // Every qualifying program is ticked; the graduate leaves the alliance bonus out.
        click(&c, "input[name='apply_for'][value='alliance_graduate_bonus']").await;
        type_into(&c, "f-person-full_name", "Wang Wu").await;
        click(&c, "input[name='person.id_type'][value='passport']").await;
        // Continue with the ID number missing: named at its field, focus on the summary.
        click_and_load(&c, "#apply-continue").await;
        c.find(Locator::Css("#error-summary a[href='#f-person-id_number']"))
            .await
            .expect("the missing ID number is named and linked");
        type_into(&c, "f-person-id_number", "E12345678").await;
        click(&c, "input[name='person.institution_tier'][value='other']").await;
        click_and_load(&c, "#apply-continue").await;
        assert!(
            c.find(Locator::Id("f-person-full_name")).await.is_err(),
            "the full form is never shown"
        );
        // One PDF with the application.
        let files = tempfile::tempdir().unwrap();
        let degree = files.path().join("学位证书.pdf");
        std::fs::write(&degree, "%PDF-1.4\n% degree\n%%EOF\n").unwrap();
        c.find(Locator::Css("input[name='material:degree_certificate']"))
            .await
            .unwrap()
            .send_keys(&degree.display().to_string())
            .await
            .unwrap();
        let total = text_of(&c, "#total").await;
        assert!(total.contains("133,200"), "{total}");
        assert_accessible(&c, &axe, "the full result").await;
        assert_fits_phone(&c, "the full result").await;
        // Printed on A4, the result with the answers takes at most two pages.
        let pdf = c
            .print(
                fantoccini::wd::PrintConfiguration::builder()
                    .size(fantoccini::wd::PrintSize::A4)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        let pages = pdf
            .windows(12)
            .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
            .count();
        assert!((1..=2).contains(&pages), "{pages} pages printed");
        // The choice made on the way is kept on the submission.
        c.find(Locator::Css(
            "input[name='apply_for'][value='alliance_graduate_bonus']:not(:checked)",
        ))
        .await
        .expect("the program left out stays unticked");
        c.find(Locator::Css("input[name='apply_for'][value='rent_subsidy']:checked"))
            .await
            .expect("the others stay ticked");
        click(&c, "#consent").await;
        click_and_load(&c, "#submit-application").await;
        let reference = text_of(&c, "#reference").await;
        let status_path = c.current_url().await.unwrap().path().to_string();
        let status = c.source().await.unwrap();
        assert!(
            status.contains("未申请") || status.contains("Not applied for"),
            "the status page says which program was not applied for"
        );
        assert_accessible(&c, &axe, "the status page").await;
        assert_fits_phone(&c, "the status page").await;

        for page in ["/policies", "/policies/jinying_startup", "/officer/login"] {
            c.goto(&format!("{base}{page}")).await.unwrap();
            assert_accessible(&c, &axe, page).await;
            assert_fits_phone(&c, page).await;
        }
        type_into(&c, "name", "reviewer2").await;
        type_into(&c, "password", "reviewer password 2").await;
        click_and_load(&c, "form.section button[type=submit]").await;
        c.goto(&format!("{base}/officer/applications"))
            .await
            .unwrap();
        text_of(&c, "table.list").await;
        assert_accessible(&c, &axe, "the applications list").await;
        assert_fits_phone(&c, "the applications list").await;
        // A reviewer on a phone sees each case's status and amount without scrolling.
        let off = c
            .execute(
                "const w = window.innerWidth; return [...document.querySelectorAll('#applications tbody tr')]\
                 .flatMap(r => [r.querySelector('.badge'), r.querySelector('td.num')])\
                 .filter(e => !e || e.getBoundingClientRect().right > w)\
                 .map(e => e ? e.textContent + ' ends at ' + e.getBoundingClientRect().right + ' of ' + w : 'missing');",
                vec![],
            )
            .await
            .unwrap();
        shot(&c, "#applications", "p0-list").await;
        assert_eq!(
            off,
            serde_json::json!([]),
            "status or amount off the phone's screen on the list"
        );
        c.goto(&format!("{base}/officer/applications/{reference}"))
            .await
            .unwrap();
        text_of(&c, "h1").await;
        assert!(
            c.source().await.unwrap().contains("学位证书.pdf"),
            "the PDF sent from the interview's path is with the application"
        );
        assert_accessible(&c, &axe, "an application").await;
        assert_fits_phone(&c, "an application").await;
        c.goto(&format!("{base}/officer/batch")).await.unwrap();
        assert_accessible(&c, &axe, "the batch page").await;
        assert_fits_phone(&c, "the batch page").await;
        // The same pages in the other language.
        for page in [
            "/policies?lang=zh",
            "/policies/jinying_startup",
            "/officer/applications",
            status_path.as_str(),
        ] {
            c.goto(&format!("{base}{page}")).await.unwrap();
            assert_fits_phone(&c, page).await;
        }
        c.close().await.unwrap();
    });
}

/// Answers an interview from `answers` ("not sure" where there is none) until the result;
/// switches to English at step `switch_at`. Returns the running range of each page.
async fn walk(
    c: &Client,
    base: &str,
    answers: &std::collections::HashMap<&str, &str>,
    switch_at: Option<usize>,
    axe: &str,
) -> Vec<String> {
    c.goto(&format!("{base}/")).await.unwrap();
    let mut ranges = Vec::new();
    let mut step = 0;
    while c.find(Locator::Id("iv")).await.is_ok() {
        step += 1;
        assert!(step < 15, "the interview does not end");
        ranges.push(text_of(c, ".range strong").await);
        if step == 1 {
            assert_accessible(c, axe, "an interview step").await;
        }
        for name in interview_questions(c).await {
            match (name.as_str(), answers.get(name.as_str())) {
                // "Which of these describe you": tick what applies, else "none of these".
                ("sections", _) => {
                    let offered = c
                        .execute(
                            "return [...document.querySelectorAll(\"input[name='sections']\")].map(e => e.value)",
                            vec![],
                        )
                        .await
                        .unwrap();
                    let mut ticked = false;
                    for v in offered.as_array().into_iter().flatten() {
                        let v = v.as_str().unwrap_or_default();
                        let toggle = match v {
                            "housing.home_purchase" => "has_home_purchase".to_string(),
                            other => format!("has_{other}"),
                        };
                        if answers.get(toggle.as_str()) == Some(&"1") {
                            click(c, &format!("input[name='sections'][value='{v}']")).await;
                            ticked = true;
                        }
                    }
                    if !ticked {
                        click(c, "input[name='none_of'][value='sections']").await;
                    }
                }
                // Lists: nothing ticked is unknown; the person says "none of these".
                ("person.honors" | "prior_awards", _) => {
                    click(c, &format!("input[name='none_of'][value='{name}']")).await;
                }
                (_, Some(value)) => {
                    let radio = format!("input[name='{name}'][value='{value}']");
                    if c.find(Locator::Css(&radio)).await.is_ok() {
                        click(c, &radio).await;
                    } else {
                        let id = format!("f-{}", name.replace('.', "-"));
                        type_into(c, &id, value).await;
                    }
                }
                (_, None) => click(c, &format!("input[name='unsure'][value='{name}']")).await,
            }
        }
        // Mid-interview the applicant switches to English: every answer is kept.
        if Some(step) == switch_at {
            click_and_load(c, "header button.lang").await;
            c.wait()
                .at_most(Duration::from_secs(15))
                .for_element(Locator::Css("html[lang='en']"))
                .await
                .expect("the page in English");
            let kept = c
                    .execute(
                        "return (document.querySelector(\"input[type=hidden][name='person.highest_degree']\") || document.querySelector(\"input[name='person.highest_degree']:checked\")).value",
                        vec![],
                    )
                    .await
                    .unwrap();
            assert_eq!(kept, serde_json::json!("master"));
            continue;
        }
        click_and_load(c, "#next").await;
    }
    ranges
}

/// The full form as a founder with a provincial honour fills it (on `/form`): basic
/// information, degree, and the startup section opened, said to apply and filled in.
async fn fill_founder(c: &Client) {
    type_into(c, "f-application_date", "2026-03-01").await;
    type_into(c, "f-person-full_name", "张三").await;
    choose(c, "f-person-id_type", "resident_id").await;
    type_into(c, "f-person-id_number", "32068219880315001X").await;
    type_into(c, "f-person-birth_date", "1988-03-15").await;
    choose(c, "f-person-highest_degree", "doctorate").await;
    choose(c, "f-person-institution_tier", "double_first_class").await;
    type_into(c, "f-person-institution_name", "南京大学").await;
    type_into(c, "f-person-graduation_date", "2015-06-30").await;
    click(
        c,
        "input[name='person.honors'][value='provincial_talent_program']",
    )
    .await;
    click(c, "#s-startup > summary").await;
    click(c, "#t-has_startup").await;
    choose(c, "f-startup-company_in_park", "true").await;
    choose(c, "f-startup-industry", "new_materials").await;
    type_into(c, "f-startup-registration_date", "2024-05-20").await;
    type_into(c, "f-startup-paid_in_capital", "200万").await;
    type_into(c, "f-startup-founder_equity_pct", "51").await;
    type_into(c, "f-startup-founder_cash_investment", "800,000").await;
    choose(c, "f-startup-owns_core_ip", "true").await;
    type_into(c, "f-startup-office_area_sqm", "150").await;
}

/// With `TS_SCREENSHOTS=DIR` set, saves what the phone shows, scrolled to `css`, as
/// `DIR/NAME.png`, for a person to look at; otherwise nothing.
async fn shot(c: &Client, css: &str, name: &str) {
    let Ok(dir) = std::env::var("TS_SCREENSHOTS") else {
        return;
    };
    c.execute(
        "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView(); return true;",
        vec![css.into()],
    )
    .await
    .unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

/// Sets every `<select>` matching `css` to `value`.
async fn set_selects(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelectorAll(arguments[0]).forEach(s => { s.value = arguments[1]; }); return true;",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap();
}

#[test]
fn a_founder_uploads_supplies_what_is_asked_and_is_paid_in_chromium() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let run = Running::start("reviewer3", "reviewer password 3");
    let (base, driver_port) = (run.base.clone(), run.driver_port);
    let files = tempfile::tempdir().unwrap();
    let pdf = |name: &str, body: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, format!("%PDF-1.4\n% {body}\n%%EOF\n")).unwrap();
        path.display().to_string()
    };
    let licence = pdf("营业执照.pdf", "licence");
    let articles = pdf("公司章程.pdf", "articles");
    let lease = pdf("租赁合同.pdf", "lease");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        c.goto(&format!("{base}/form")).await.unwrap();
        fill_founder(&c).await;
        click_and_load(&c, "#submit").await;

        // The checklist names what to prepare; the founder uploads two PDFs with it.
        let checklist = text_of(&c, "section.materials").await;
        assert!(
            checklist.contains("营业执照") && checklist.contains("租赁合同"),
            "{checklist}"
        );
        c.find(Locator::Css("input[name='material:business_licence']"))
            .await
            .unwrap()
            .send_keys(&licence)
            .await
            .unwrap();
        c.find(Locator::Css("input[name='material:articles_and_equity']"))
            .await
            .unwrap()
            .send_keys(&articles)
            .await
            .unwrap();
        assert_fits_phone(&c, "the result with its uploads").await;
        shot(&c, "fieldset.uploads", "1-result-uploads").await;
        // The founder asks to be told by text message when the application moves.
        type_into(&c, "contact-mobile", "13800000000").await;
        assert_accessible(&c, &axe, "the result with the contact fields").await;
        shot(&c, "#contact", "p12-result-contact").await;
        click(&c, "#consent").await;
        click_and_load(&c, "#submit-application").await;
        let reference = text_of(&c, "#reference").await;
        let status_path = c.current_url().await.unwrap().path().to_string();
        let sent = text_of(&c, "#files").await;
        assert!(
            sent.contains("营业执照.pdf") && sent.contains("公司章程.pdf"),
            "{sent}"
        );

        // The reviewer asks for the lease.
        c.goto(&format!("{base}/officer/login")).await.unwrap();
        type_into(&c, "name", "reviewer3").await;
        type_into(&c, "password", "reviewer password 3").await;
        click_and_load(&c, "form.section button[type=submit]").await;
        c.goto(&format!("{base}/officer/applications/{reference}"))
            .await
            .unwrap();
        let page_files = text_of(&c, "#files").await;
        assert!(page_files.contains("营业执照.pdf"), "{page_files}");
        assert_accessible(&c, &axe, "an application with its programs").await;
        assert_fits_phone(&c, "an application with its programs").await;
        shot(&c, "#p-jinying_startup", "2-application-program").await;
        click(&c, "input[name=decision][value=more_info]").await;
        c.execute(
            "document.querySelectorAll('input[name=missing]').forEach(b => { b.checked = b.value === 'office_lease'; }); return true;",
            vec![],
        )
        .await
        .unwrap();
        type_into(&c, "note", "请上传办公场地租赁合同").await;
        click_and_load(&c, "#decide").await;
        assert_eq!(text_of(&c, "#status").await, "需补充材料");

        // The applicant supplies it through the status link.
        c.goto(&format!("{base}{status_path}")).await.unwrap();
        let missing = text_of(&c, "#missing").await;
        assert!(missing.contains("租赁合同"), "{missing}");
        assert_accessible(&c, &axe, "the status page asking for more").await;
        assert_fits_phone(&c, "the status page asking for more").await;
        shot(&c, "#h-reply", "3-status-supplement").await;
        c.find(Locator::Css("input[name='material:office_lease']"))
            .await
            .unwrap()
            .send_keys(&lease)
            .await
            .unwrap();
        click_and_load(&c, "#send-reply").await;
        assert_eq!(text_of(&c, "#status").await, "待审核");
        assert!(text_of(&c, "#files").await.contains("租赁合同.pdf"));

        // The reviewer approves the startup funding and refuses the office subsidy.
        c.goto(&format!("{base}/officer/applications/{reference}"))
            .await
            .unwrap();
        set_selects(&c, "#p-jinying_startup select", "verified").await;
        click(&c, "#p-jinying_startup input[name=decision][value=approve]").await;
        click_and_load(&c, "#save-jinying_startup").await;
        assert_eq!(text_of(&c, "#status").await, "部分批准");
        click(&c, "#p-jinying_office input[name=decision][value=refuse]").await;
        type_into(&c, "reason-jinying_office", "场地由园区免费提供").await;
        click_and_load(&c, "#save-jinying_office").await;
        assert_eq!(text_of(&c, "#status").await, "已办结");

        // The schedule lists the first installment.
        c.goto(&format!("{base}/officer/payments")).await.unwrap();
        let schedule = text_of(&c, "#payments").await;
        assert!(
            schedule.contains("¥1,500,000") && schedule.contains("签订资助协议后拨付"),
            "{schedule}"
        );
        assert!(!schedule.contains("¥162,000"));
        assert_accessible(&c, &axe, "the payment schedule").await;
        assert_fits_phone(&c, "the payment schedule").await;
        shot(&c, "h1", "4-payments").await;
        shot(&c, "#h-payments", "5-payments-each").await;

        // The applicant sees both decisions.
        c.goto(&format!("{base}{status_path}")).await.unwrap();
        let decisions = text_of(&c, "#decisions").await;
        assert!(
            decisions.contains("¥3,000,000") && decisions.contains("场地由园区免费提供"),
            "{decisions}"
        );
        shot(&c, "#decisions", "6-status-decisions").await;
        // The procedure: the first reviewer may not take 复审 (four eyes); another reviewer
        // agrees, a leader signs off (¥3,000,000 is above the threshold), the case goes on a
        // public notice, the notice passes, a reviewer records the agreement's date and
        // finance registers the first installment after a confirmation.
        run.add_officer("reviewer4", "reviewer password 4", "reviewer");
        run.add_officer("leader1", "leader password 1", "approver");
        run.add_officer("cashier1", "cashier password 1", "finance");
        let case_url = format!("{base}/officer/applications/{reference}");
        c.goto(&case_url).await.unwrap();
        assert_eq!(text_of(&c, "#step").await, "复审");
        assert!(text_of(&c, "#four-eyes").await.contains("四眼原则"));
        let switch_to = |name: &'static str, password: &'static str| {
            let (c, base) = (&c, &base);
            async move {
                c.goto(&format!("{base}/officer/payments")).await.unwrap();
                click_and_load(c, "#logout").await;
                c.goto(&format!("{base}/officer/login")).await.unwrap();
                type_into(c, "name", name).await;
                type_into(c, "password", password).await;
                click_and_load(c, "form.section button[type=submit]").await;
            }
        };
        switch_to("reviewer4", "reviewer password 4").await;
        c.goto(&case_url).await.unwrap();
        assert_accessible(&c, &axe, "a case at the second review").await;
        assert_fits_phone(&c, "a case at the second review").await;
        shot(&c, "#h-step", "p1-second-review").await;
        click_and_load(&c, "#step-agree").await;
        assert_eq!(text_of(&c, "#step").await, "审批");
        switch_to("leader1", "leader password 1").await;
        c.goto(&case_url).await.unwrap();
        click_and_load(&c, "#step-sign_off").await;
        assert_eq!(text_of(&c, "#step").await, "待公示");
        assert!(text_of(&c, "#timeline").await.contains("审批同意"));
        shot(&c, "#h-timeline", "p2-timeline").await;
        c.goto(&format!("{base}/officer/notices")).await.unwrap();
        assert!(text_of(&c, "#h-ready").await.contains("待公示"));
        assert!(c.source().await.unwrap().contains(&reference));
        assert_accessible(&c, &axe, "the notices page").await;
        assert_fits_phone(&c, "the notices page").await;
        shot(&c, "h1", "p3-notices").await;
        // The notice opens today (the console offers the next working day, on which the
        // public page would show it), straight through the store, and ends as the sweep ends
        // it the day after its last day.
        let store = talent_subsidy::store::Store::open(
            run.database.to_str().unwrap(),
            &talent_subsidy::store::KeySource::Beside,
        )
        .await
        .unwrap();
        let app = store.application(&reference).await.unwrap().unwrap();
        let today = talent_subsidy::store::today();
        let shown = talent_subsidy::procedure::notice_case(&app);
        store
            .publish_notice("leader1", today, today, &[(shown, app.summary.version)])
            .await
            .unwrap();
        c.goto(&format!("{base}/gongshi")).await.unwrap();
        let notice = text_of(&c, "#n-1").await;
        assert!(notice.contains(&today.to_string()), "{notice}");
        let listed = c.source().await.unwrap();
        assert!(listed.contains("¥3,000,000") && !listed.contains("张三"), "the name masked");
        assert_accessible(&c, &axe, "the public notice").await;
        assert_fits_phone(&c, "the public notice").await;
        shot(&c, "#h-current", "p4-gongshi").await;
        // Someone objects under their real name; the first reviewer dismisses it after
        // looking into it; until then the notice cannot pass.
        c.execute(
            "const s = document.querySelector('#entry'); s.selectedIndex = 1; return true;",
            vec![],
        )
        .await
        .unwrap();
        type_into(&c, "objector-name", "李四").await;
        type_into(&c, "objector-phone", "13800000000").await;
        type_into(&c, "statement", "该项目并未实际开展").await;
        click_and_load(&c, "#send-objection").await;
        assert!(text_of(&c, "#objection-received").await.contains("已收到"));
        assert_accessible(&c, &axe, "the public notice with the objection form").await;
        shot(&c, "#h-object", "p5-objection-form").await;
        assert!(
            store
                .close_notices(today.succ_opt().unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        switch_to("reviewer3", "reviewer password 3").await;
        c.goto(&case_url).await.unwrap();
        assert!(text_of(&c, "#objections").await.contains("李四"));
        assert_accessible(&c, &axe, "a case with an objection").await;
        assert_fits_phone(&c, "a case with an objection").await;
        shot(&c, "#h-objections", "p6-objection-finding").await;
        // The objection holds: the case comes off the notice and back to 复审 in a new round.
        click(&c, "#objections input[name=finding][value=upheld]").await;
        c.execute(
            "document.querySelector('#objections textarea').value = '经核实，项目尚未在园区开展'; return true;",
            vec![],
        )
        .await
        .unwrap();
        click_and_load(&c, "#objections button[type=submit]").await;
        assert!(text_of(&c, "#objections").await.contains("异议成立"));
        assert_eq!(text_of(&c, "#step").await, "复审");
        assert!(text_of(&c, "#timeline").await.contains("异议成立"));
        shot(&c, "#h-timeline", "p6b-objection-upheld").await;
        c.goto(&format!("{base}/gongshi")).await.unwrap();
        assert!(
            !c.source().await.unwrap().contains("<option value=\"1-"),
            "off the notice"
        );
        // 复审 again by the second reviewer, sign-off again, and a second notice that passes.
        switch_to("reviewer4", "reviewer password 4").await;
        c.goto(&case_url).await.unwrap();
        click_and_load(&c, "#step-agree").await;
        assert_eq!(text_of(&c, "#step").await, "审批");
        switch_to("leader1", "leader password 1").await;
        c.goto(&case_url).await.unwrap();
        click_and_load(&c, "#step-sign_off").await;
        assert_eq!(text_of(&c, "#step").await, "待公示");
        let app = store.application(&reference).await.unwrap().unwrap();
        let shown = talent_subsidy::procedure::notice_case(&app);
        store
            .publish_notice("leader1", today, today, &[(shown, app.summary.version)])
            .await
            .unwrap();
        c.goto(&format!("{base}/gongshi")).await.unwrap();
        assert!(text_of(&c, "#n-2").await.contains(&today.to_string()), "the second notice");
        assert_accessible(&c, &axe, "the public notice, a second time").await;
        assert_eq!(
            store.close_notices(today.succ_opt().unwrap()).await.unwrap(),
            vec![reference.clone()]
        );
        switch_to("reviewer3", "reviewer password 3").await;
        // The first reviewer records the funding agreement with the payee's account: the
        // signing installment falls due.
        c.goto(&case_url).await.unwrap();
        type_into(&c, "signed-jinying_startup", &today.to_string()).await;
        type_into(&c, "bank-jinying_startup", "中国银行南通分行").await;
        type_into(&c, "account-jinying_startup", "6217000012345678").await;
        assert_accessible(&c, &axe, "a case with its agreement form").await;
        shot(&c, "#h-agreements", "p7a-agreement").await;
        click_and_load(&c, "#record-agreement-jinying_startup").await;
        assert!(text_of(&c, "#agreement-jinying_startup").await.contains("****5678"));
        switch_to("cashier1", "cashier password 1").await;
        c.goto(&format!("{base}/officer/payments")).await.unwrap();
        click_and_load(&c, "form[action$='/paid'] button").await;
        let confirm = text_of(&c, "#payment-to-confirm").await;
        assert!(confirm.contains("¥1,500,000"), "{confirm}");
        assert!(confirm.contains("6217000012345678"), "{confirm}");
        assert_accessible(&c, &axe, "the payment confirmation").await;
        assert_fits_phone(&c, "the payment confirmation").await;
        shot(&c, "h1", "p7-confirm-payment").await;
        click_and_load(&c, "#confirm-paid").await;
        assert!(text_of(&c, "#payments").await.contains("已拨付"));
        c.goto(&format!("{base}{status_path}")).await.unwrap();
        assert_eq!(text_of(&c, "#step").await, "决定生效");
        // The letters: each issued when its step was taken, the applicant's listed on the
        // status page (never finance's payment notice), each fitting two A4 pages in print.
        // The status page's messages, newest first: the decision, 受理, the reply, 补正.
        let messages = text_of(&c, "#messages").await;
        assert!(
            messages.find("已作出决定").unwrap_or(usize::MAX)
                < messages.find("已受理").unwrap_or(0),
            "{messages}"
        );
        assert!(messages.contains("需要补正材料") && messages.contains("拨付"), "{messages}");
        shot(&c, "#h-messages", "p13-status-messages").await;
        assert_accessible(&c, &axe, "the status page with messages and letters").await;
        assert_fits_phone(&c, "the status page with messages and letters").await;
        let listed = text_of(&c, "#letters").await;
        for kind in ["受理通知书", "补正材料通知书", "资助决定书"] {
            assert!(listed.contains(kind), "{kind} in {listed}");
        }
        assert!(!listed.contains("拨付通知"), "{listed}");
        let hrefs = c
            .execute(
                "return Array.from(document.querySelectorAll('#letters a')).map(a => a.getAttribute('href'));",
                vec![],
            )
            .await
            .unwrap();
        let mut hrefs: Vec<String> = hrefs
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        let app = store.application(&reference).await.unwrap().unwrap();
        let paid_letter = store
            .letters(app.summary.id)
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.kind == "payment")
            .expect("the payment notice is issued with the registration");
        hrefs.push(format!(
            "/officer/applications/{reference}/letters/{}",
            paid_letter.id
        ));
        for (i, href) in hrefs.iter().enumerate() {
            c.goto(&format!("{base}{href}")).await.unwrap();
            let title = text_of(&c, "#letter-title").await;
            assert_accessible(&c, &axe, &title).await;
            assert_fits_phone(&c, &title).await;
            let pdf = c
                .print(
                    fantoccini::wd::PrintConfiguration::builder()
                        .size(fantoccini::wd::PrintSize::A4)
                        .build()
                        .unwrap(),
                )
                .await
                .unwrap();
            let pages = pdf
                .windows(12)
                .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
                .count();
            assert!((1..=2).contains(&pages), "{title}: {pages} pages printed");
            shot(&c, "#letter-title", &format!("p11-letter-{i}")).await;
        }
        store.close().await;
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            // The same pages in English, on the phone.
            c.goto(&format!("{base}{status_path}?lang=en")).await.unwrap();
            shot(&c, "#decisions", "6-en-status-decisions").await;
            c.goto(&format!("{base}/officer/payments?lang=en")).await.unwrap();
            shot(&c, "h1", "4-en-payments").await;
            c.goto(&format!("{base}/officer/applications/{reference}?lang=en"))
                .await
                .unwrap();
            shot(&c, "#p-jinying_startup", "2-en-application-program").await;
        }
        c.close().await.unwrap();
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            // The console as a desktop shows it, for a person to look at.
            let d = browser_sized(driver_port, false).await;
            d.goto(&format!("{base}/officer/login")).await.unwrap();
            type_into(&d, "name", "reviewer3").await;
            type_into(&d, "password", "reviewer password 3").await;
            click_and_load(&d, "form.section button[type=submit]").await;
            d.goto(&format!("{base}/officer/applications/{reference}")).await.unwrap();
            shot(&d, "#h-programs", "7-desktop-application").await;
            d.goto(&format!("{base}/officer/payments")).await.unwrap();
            shot(&d, "h1", "8-desktop-payments").await;
            d.goto(&format!("{base}/officer/payments?lang=en")).await.unwrap();
            shot(&d, "h1", "8-en-desktop-payments").await;
            d.goto(&format!("{base}/officer/applications/{reference}?lang=en"))
                .await
                .unwrap();
            shot(&d, "#h-programs", "7-en-desktop-application").await;
            shot(&d, "#h-timeline", "p8-en-desktop-timeline").await;
            d.goto(&format!("{base}/officer/applications/{reference}")).await.unwrap();
            shot(&d, "#h-messages", "p14-desktop-case-messages").await;
            d.goto(&format!("{base}/gongshi?lang=en")).await.unwrap();
            shot(&d, "h1", "p9-en-desktop-gongshi").await;
            d.goto(&format!("{base}/officer/applications?lang=en")).await.unwrap();
            shot(&d, "h1", "p10-en-desktop-list").await;
            d.goto(&format!("{base}/officer/batch?lang=en")).await.unwrap();
            shot(&d, "h1", "10-en-desktop-batch").await;
            d.close().await.unwrap();
        }
    });
}

/// What a link on the page serves, fetched by the page itself (with its cookies): the media
/// type, the length, and whether it starts as a zip (an .xlsx) does.
async fn fetch_link(c: &Client, css: &str) -> (String, u64, bool) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(document.querySelector(arguments[0]).href)\
               .then(r => r.arrayBuffer().then(b => { const u = new Uint8Array(b);\
                 done([r.headers.get('content-type') || '', b.byteLength, u[0] === 0x50 && u[1] === 0x4B]); }))\
               .catch(e => done(['failed: ' + e, 0, false]));",
            vec![css.into()],
        )
        .await
        .unwrap();
    (
        v[0].as_str().unwrap_or_default().to_string(),
        v[1].as_u64().unwrap_or_default(),
        v[2].as_bool().unwrap_or_default(),
    )
}

#[test]
fn an_hr_officer_checks_staff_from_an_excel_workbook_in_chromium() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let run = Running::start_as("hr-acme", "hr officer password 1", "hr");
    let (base, driver_port) = (run.base.clone(), run.driver_port);
    let dir = tempfile::tempdir().unwrap();
    let staff = dir.path().join("员工名单.xlsx");
    let mut bad: serde_json::Value = serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    bad["person"]["id_number"] = "320682198803150011".into();
    let good: serde_json::Value = serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).unwrap();
    let rows: Vec<Vec<String>> = [good.clone(), bad, good]
        .iter()
        .map(talent_subsidy::batch::csv_row)
        .collect();
    std::fs::write(&staff, talent_subsidy::batch::xlsx::people(&rows).unwrap()).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        c.goto(&format!("{base}/officer/login")).await.unwrap();
        type_into(&c, "name", "hr-acme").await;
        type_into(&c, "password", "hr officer password 1").await;
        click_and_load(&c, "form.section button[type=submit]").await;
        c.goto(&format!("{base}/officer/batch")).await.unwrap();
        assert_accessible(&c, &axe, "the batch page").await;
        assert_fits_phone(&c, "the batch page").await;
        let (kind, len, zip) = fetch_link(&c, "#template").await;
        assert!(
            kind.contains("spreadsheetml") && zip && len > 5_000,
            "{kind} {len}"
        );
        c.find(Locator::Id("file"))
            .await
            .unwrap()
            .send_keys(&staff.display().to_string())
            .await
            .unwrap();
        click_and_load(&c, "form.section button[type=submit]").await;
        assert_eq!(text_of(&c, "#rows").await, "3");
        let page = c.source().await.unwrap();
        assert!(
            page.contains("证件号码：") && !page.contains("person."),
            "errors in words"
        );
        assert_accessible(&c, &axe, "the batch results").await;
        assert_fits_phone(&c, "the batch results").await;
        shot(&c, "h1", "9-batch-results").await;
        let (kind, len, zip) = fetch_link(&c, "#results-xlsx").await;
        assert!(
            kind.contains("spreadsheetml") && zip && len > 5_000,
            "{kind} {len}"
        );
        c.close().await.unwrap();
    });
}

/// Signs in through the login page.
async fn sign_in_as(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/officer/login")).await.unwrap();
    type_into(c, "name", name).await;
    type_into(c, "password", password).await;
    click_and_load(c, "form.section button[type=submit]").await;
}

#[test]
fn an_applicant_consents_and_withdraws_and_an_auditor_sees_who_looked_in_chromium() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let run = Running::start_as("audit-li", "auditor password 1", "auditor");
    run.add_officer("reviewer5", "reviewer password 5", "reviewer");
    let (base, driver_port) = (run.base.clone(), run.driver_port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(driver_port).await;
        // The notice before submitting, the consent box required.
        c.goto(&format!("{base}/form")).await.unwrap();
        fill_founder(&c).await;
        click_and_load(&c, "#submit").await;
        let notice = text_of(&c, "#privacy-notice").await;
        assert!(
            notice.contains("保存多久") && notice.contains("5 年") && notice.contains("撤回"),
            "{notice}"
        );
        assert_accessible(&c, &axe, "the result with the privacy notice").await;
        assert_fits_phone(&c, "the result with the privacy notice").await;
        shot(&c, "#privacy-notice", "11-result-privacy-notice").await;
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            // The same in English, then back (the switch posts the answers).
            click_and_load(&c, "form.inline button.lang").await;
            shot(&c, "#privacy-notice", "11-en-result-privacy-notice").await;
            click_and_load(&c, "form.inline button.lang").await;
        }
        click(&c, "#consent").await;
        click_and_load(&c, "#submit-application").await;
        let reference = text_of(&c, "#reference").await;
        let status_path = c.current_url().await.unwrap().path().to_string();

        // A reviewer opens it and asks for the full ID number.
        sign_in_as(&c, &base, "reviewer5", "reviewer password 5").await;
        c.goto(&format!("{base}/officer/applications/{reference}"))
            .await
            .unwrap();
        assert_eq!(text_of(&c, "#id-number").await, "3206**********001X");
        shot(&c, "h1", "11b-application-masked-id").await;
        click_and_load(&c, "#show-full-id").await;
        assert_eq!(text_of(&c, "#id-number").await, "32068219880315001X");
        assert_accessible(&c, &axe, "an application with its full ID number").await;
        click_and_load(&c, "#logout").await;

        // The auditor sees who looked.
        sign_in_as(&c, &base, "audit-li", "auditor password 1").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/officer/access-log");
        let log = text_of(&c, "#access").await;
        assert!(
            log.contains("reviewer5") && log.contains("查看完整证件号") && log.contains(&reference),
            "{log}"
        );
        assert_accessible(&c, &axe, "the access log").await;
        assert_fits_phone(&c, "the access log").await;
        shot(&c, "h1", "12-access-log").await;
        click_and_load(&c, "#logout").await;

        // The applicant withdraws through the status link.
        c.goto(&format!("{base}{status_path}")).await.unwrap();
        click(&c, "#withdraw > summary").await;
        assert_accessible(&c, &axe, "the status page with withdrawal open").await;
        assert_fits_phone(&c, "the status page with withdrawal open").await;
        shot(&c, "#withdraw", "13-status-withdraw").await;
        type_into(&c, "withdraw-reason", "已在别处申请").await;
        click(&c, "#withdraw-confirm").await;
        click_and_load(&c, "#withdraw-button").await;
        assert_eq!(text_of(&c, "#status").await, "已撤回");
        assert!(text_of(&c, "#withdrawn").await.contains("撤回"));

        // The notice on its own page, in both languages.
        c.goto(&format!("{base}/privacy")).await.unwrap();
        assert_accessible(&c, &axe, "the privacy notice").await;
        assert_fits_phone(&c, "the privacy notice").await;
        shot(&c, "h1", "14-privacy").await;
        c.goto(&format!("{base}/privacy?lang=en")).await.unwrap();
        assert!(text_of(&c, "main").await.contains("How long"));
        shot(&c, "h1", "14-en-privacy").await;
        c.close().await.unwrap();
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            let d = browser_sized(driver_port, false).await;
            sign_in_as(&d, &base, "audit-li", "auditor password 1").await;
            shot(&d, "h1", "15-desktop-access-log").await;
            d.goto(&format!("{base}/officer/access-log?lang=en"))
                .await
                .unwrap();
            shot(&d, "h1", "15-en-desktop-access-log").await;
            d.goto(&format!("{base}{status_path}?lang=en"))
                .await
                .unwrap();
            shot(&d, "#withdrawn", "16-en-desktop-status-withdrawn").await;
            d.goto(&format!("{base}/privacy")).await.unwrap();
            shot(&d, "h1", "17-desktop-privacy").await;
            d.close().await.unwrap();
        }
    });
}

/// The text a link leads to, fetched by the page (with its session).
async fn fetch_text(c: &Client, css: &str) -> String {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(document.querySelector(arguments[0]).href)\
               .then(r => r.text().then(done)).catch(e => done('failed: ' + e));",
            vec![css.into()],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

#[test]
fn a_policy_officer_tries_a_raise_on_the_saved_applications_in_chromium() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let run = Running::start_as("policy-zhou", "policy password 1", "policy");
    let (base, driver_port) = (run.base.clone(), run.driver_port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // One saved application: the example founder, tier C, 3,000,000 of startup funding.
        let r = reqwest::Client::new()
            .post(format!("{base}/api/v1/applications"))
            .header(
                "Consent-Notice-Version",
                talent_subsidy::privacy::NOTICE_VERSION,
            )
            .header("Content-Type", "application/json")
            .body(talent_subsidy::EXAMPLE_PROFILE)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let saved: serde_json::Value = r.json().await.unwrap();
        let reference = saved["reference"].as_str().unwrap().to_string();

        let c = browser(driver_port).await;
        sign_in_as(&c, &base, "policy-zhou", "policy password 1").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/officer/policy");
        let params = text_of(&c, "#parameters").await;
        assert!(
            params.contains("创业类项目资助额度") && params.contains("C类"),
            "{params}"
        );
        assert_accessible(&c, &axe, "the policy files").await;
        assert_fits_phone(&c, "the policy files").await;
        shot(&c, "h1", "18-policy-files").await;

        // A draft: tier C's 2026 startup funding to 3,000,000.
        c.goto(&format!("{base}/officer/policy/drafts"))
            .await
            .unwrap();
        assert_accessible(&c, &axe, "the drafts").await;
        type_into(&c, "draft-name", "C类创业资助提高到300万").await;
        click_and_load(&c, "#new-draft button[type=submit]").await;
        let input = c
            .find(Locator::Css(
                "input[name=\"v:jinying.toml:startup_amount[C][2026]\"]",
            ))
            .await
            .unwrap();
        assert_eq!(
            input.prop("value").await.unwrap().as_deref(),
            Some("2,500,000")
        );
        input.clear().await.unwrap();
        // Written as the forms take money.
        input.send_keys("300万").await.unwrap();
        click_and_load(&c, "#save-draft").await;
        assert_eq!(text_of(&c, "#saved").await, "已保存");
        // The change in words; the file diff folded away for whoever commits it.
        let changes = text_of(&c, "#draft-changes").await;
        assert!(
            changes.contains("创业类项目资助额度（C类，2026 年版起）：¥2,500,000 → ¥3,000,000"),
            "{changes}"
        );
        click(&c, "#diff-details summary").await;
        let diff = text_of(&c, "#diff").await;
        assert!(diff.contains("\"2026\" = \"3000000\""), "{diff}");
        // The description still says 250万: named by its program, with its words to correct
        // beside the value — no file, line or compiler words.
        let note = text_of(&c, ".text-edit .warn").await;
        assert!(
            note.contains("金英计划·创业类项目资助的金额说明（中文）仍写着“250万”"),
            "{note}"
        );
        assert!(
            !note.contains(".toml") && !note.contains("warning"),
            "{note}"
        );
        let change = fetch_text(&c, "#download-diff").await;
        assert!(
            change.starts_with("--- a/policy/jinying.toml\n+++ b/policy/jinying.toml\n@@ -"),
            "{change}"
        );
        assert_eq!(
            change.lines().filter(|l| l.starts_with("+value")).count(),
            1
        );
        assert_accessible(&c, &axe, "a draft of parameters").await;
        assert_fits_phone(&c, "a draft of parameters").await;
        shot(&c, "#draft-params", "19-draft").await;
        shot(&c, "#h-texts", "19b-draft-descriptions").await;

        // Simulated on the saved application: +600,000 (3,600,000 with the core-industry uplift).
        click_and_load(&c, "#run-simulation").await;
        assert_eq!(text_of(&c, "#winners").await, "1");
        assert_eq!(text_of(&c, "#total-change").await, "+¥600,000");
        for chart in ["#chart-programs", "#chart-cash", "#chart-bands"] {
            let figure = c.find(Locator::Css(chart)).await.unwrap();
            let caption = figure.find(Locator::Css("figcaption")).await.unwrap();
            assert!(!caption.text().await.unwrap().is_empty(), "{chart}");
        }
        // The programs' chart shows the one change, says which programs it leaves out, and
        // uses the page's width.
        let bars = text_of(&c, "#chart-programs").await;
        assert!(
            bars.contains("+¥600,000（¥3,000,000 → ¥3,600,000）"),
            "{bars}"
        );
        assert!(bars.contains("金额不变，未画出"), "{bars}");
        let widths = c
            .execute(
                "return [document.querySelector('#chart-programs').getBoundingClientRect().width,\
                 document.querySelector('main').getBoundingClientRect().width];",
                vec![],
            )
            .await
            .unwrap();
        let (chart_w, main_w) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
        assert!(
            chart_w > 0.8 * main_w - 40.0,
            "the chart is {chart_w} px of {main_w}"
        );
        let top = text_of(&c, "#sim-top").await;
        assert!(
            top.contains(&reference) && top.contains("按金额规则"),
            "{top}"
        );
        assert!(text_of(&c, "#sim-cash").await.contains("+¥300,000"));
        let (kind, size, _) = fetch_link(&c, "#csv-cash").await;
        assert!(kind.starts_with("text/csv") && size > 50, "{kind} {size}");
        assert_accessible(&c, &axe, "a simulation").await;
        assert_fits_phone(&c, "a simulation").await;
        shot(&c, "h1", "20-simulation").await;
        shot(&c, "#chart-cash", "20b-simulation-cash").await;
        let sim_path = c.current_url().await.unwrap().path().to_string();
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            c.goto(&format!("{base}/officer/policy/drafts"))
                .await
                .unwrap();
            shot(&c, "h1", "24-drafts").await;
            c.goto(&format!("{base}/policies?lang=en")).await.unwrap();
            shot(&c, "#parameters", "25-en-policies-parameters").await;
        }
        c.close().await.unwrap();
        if std::env::var("TS_SCREENSHOTS").is_ok() {
            let d = browser_sized(driver_port, false).await;
            sign_in_as(&d, &base, "policy-zhou", "policy password 1").await;
            shot(&d, "h1", "21-desktop-policy-files").await;
            d.goto(&format!("{base}{sim_path}")).await.unwrap();
            shot(&d, "h1", "22-desktop-simulation").await;
            shot(&d, "#chart-cash", "22b-desktop-simulation-cash").await;
            d.goto(&format!("{base}{sim_path}?lang=en")).await.unwrap();
            shot(&d, "h1", "22-en-desktop-simulation").await;
            d.goto(&format!("{base}/policies")).await.unwrap();
            shot(&d, "#parameters", "26-desktop-policies-parameters").await;
            d.goto(&format!("{base}/officer/policy/drafts?lang=en"))
                .await
                .unwrap();
            shot(&d, "h1", "27-en-desktop-drafts").await;
            d.goto(&format!("{base}/officer/policy?lang=en"))
                .await
                .unwrap();
            shot(&d, "#reloads", "28-en-desktop-policy-files").await;
            d.goto(&format!("{base}/officer/policy/drafts/1?lang=en"))
                .await
                .unwrap();
            shot(&d, "#draft-params", "23-en-desktop-draft").await;
            d.close().await.unwrap();
        }
    });
}
