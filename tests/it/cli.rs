//! The command-line contract: `eval`, `check`, `test`, `batch` and `officer`, run as a
//! separate process.

use crate::common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = talent_subsidy::EXAMPLE_PROFILE;

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn one_line(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn eval_reads_json_lines_and_answers_each_line_in_order() {
    let good = one_line(EXAMPLE);
    let invalid = good.replace("32068219880315001X", "320682198803150011");
    let input = format!("{good}\nnot json at all\n\n{invalid}\n{good}\n");
    let out = run(&["eval", "--policy", "policy", "-"], &input);
    assert_eq!(out.status.code(), Some(1), "not every profile was assessed");
    let results = lines(&out);
    assert_eq!(results.len(), 4, "one line per non-blank input line");
    assert_eq!(results[0]["policy_version"], "2026");
    assert_eq!(results[0]["talent_tier"], "C");
    assert_eq!(results[0]["total"], "4434000");
    assert_eq!(results[0]["programs"].as_array().unwrap().len(), 8);
    assert_eq!(results[1]["errors"][0]["field"], "");
    assert_eq!(results[2]["errors"][0]["field"], "person.id_number");
    assert!(
        results[2]["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("校验位")
    );
    assert_eq!(results[3]["total"], "4434000");
}

#[test]
fn eval_exits_0_when_every_profile_is_assessed_and_reads_a_pretty_printed_file() {
    let out = run(&["eval", "examples/profile.json"], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = lines(&out);
    assert_eq!(results.len(), 1);
    let p = &results[0]["programs"][1];
    assert_eq!(p["id"], "jinying_startup");
    assert_eq!(p["status"], "eligible");
    assert_eq!(p["amount"], "3000000");
    assert_eq!(p["installments"][0]["amount"], "1500000");
    assert_eq!(p["conditions"][2]["requirement"], "≥ 2023-03-01");
    assert_eq!(p["conditions"][2]["citation"], "jinying 第五条");
}

#[test]
fn eval_keeps_input_order_across_batches() {
    let base: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let mut input = String::new();
    let mut want = Vec::new();
    let first = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    for i in 0..5000u64 {
        let mut v = base.clone();
        let d = first + chrono::Days::new(i % 300);
        v["application_date"] = serde_json::Value::String(d.to_string());
        want.push(d.to_string());
        input.push_str(&serde_json::to_string(&v).unwrap());
        input.push('\n');
    }
    let out = run(&["eval"], &input);
    assert_eq!(out.status.code(), Some(0));
    let got: Vec<String> = lines(&out)
        .iter()
        .map(|r| r["application_date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn eval_with_hints_names_the_smallest_change() {
    let near = one_line(&EXAMPLE.replace(
        r#""founder_equity_pct": "51""#,
        r#""founder_equity_pct": "25""#,
    ));
    let out = run(&["eval", "--hints"], &near);
    let r = &lines(&out)[0];
    let hint = r["hints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["program"] == "jinying_startup")
        .expect("a hint for the startup funding");
    assert_eq!(hint["field"], "startup.founder_equity_pct");
    assert_eq!(hint["from"], "25");
    assert_eq!(hint["to"], "30");
    assert_eq!(hint["amount"], "3000000");
}

#[test]
fn check_says_ok_for_the_real_policy_and_locates_errors_in_a_broken_one() {
    let out = run(&["check"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("policy OK: 3 documents, 2 versions"));

    let dir = common::policy_copy();
    common::edit(dir.path(), "doubling.toml", "age <= (if", "agee <= (if");
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // In both languages, with the line and a caret under the place.
    assert!(err.contains("错误 error: 未知名称 `agee`"), "{err}");
    assert!(err.contains("= note: unknown name `agee`"), "{err}");
    assert!(err.contains("doubling.toml:104:11\n"), "{err}");
    assert!(
        err.contains("104 |   when = \"agee <= (if person.highest_degree == doctorate then 40 else 35)\"\n    |           ^^^^\n"),
        "{err}"
    );

    // eval refuses to run on a broken policy, saying why.
    let out = run(&["eval", "--policy", dir.path().to_str().unwrap()], EXAMPLE);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// Deadlines are counted on the working-day calendar: `check` warns (and still passes) when
/// it does not reach the next 60 working days, naming the year to add; never guesses one.
#[test]
fn check_warns_when_the_calendar_stops_short() {
    let dir = common::policy_copy();
    for (from, to) in [
        ("year = 2026", "year = 2020"),
        (
            "2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10",
            "2020-01-04",
        ),
    ] {
        common::edit(dir.path(), "calendar.toml", from, to);
    }
    let text = std::fs::read_to_string(dir.path().join("calendar.toml")).unwrap();
    std::fs::write(
        dir.path().join("calendar.toml"),
        text.split("\n  [[year.holiday]]").next().unwrap(),
    )
    .unwrap();
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("calendar.toml: 警告 warning: 工作日历只到 2020-12-31"),
        "{err}"
    );
    assert!(err.contains("add the holidays of 2021"), "{err}");

    std::fs::remove_file(dir.path().join("calendar.toml")).unwrap();
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No working-day calendar"), "{err}");
}

#[test]
fn check_refuses_a_description_whose_number_no_parameter_has() {
    let dir = common::policy_copy();
    // The policy office raises tier C's 2026 startup funding but not what people read.
    common::edit(
        dir.path(),
        "jinying.toml",
        r#"C = { "2021" = "2_000_000", "2026" = "2_500_000" }"#,
        r#"C = { "2021" = "2_000_000", "2026" = "2_800_000" }"#,
    );
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(dir.path().join("jinying.toml")).unwrap();
    let place = |needle: &str| {
        let at = text.find(needle).unwrap();
        let line = text[..at].matches('\n').count() + 1;
        let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
        format!("jinying.toml:{line}:{column}")
    };
    // Both descriptions, each at its number, each in both languages.
    let zh_at = place("250万元）");
    let en_at = place("2,500,000 from 2026");
    assert!(err.contains(&zh_at), "{zh_at}: {err}");
    assert!(err.contains(&en_at), "{en_at}: {err}");
    assert!(
        err.contains("错误 error: 说明中的“250万”不是这条规则所用的数值"),
        "{err}"
    );
    assert!(
        err.contains("= note: “250万” in this description is not a number the rule uses"),
        "{err}"
    );
    assert!(
        err.contains("说明中的“2,500,000”不是这条规则所用的数值"),
        "{err}"
    );
    assert!(err.contains("^^^^^^^^^"), "a caret under 2,500,000: {err}");
    assert!(err.contains("2 个错误，政策未加载 / 2 errors"), "{err}");

    // Corrected, it loads.
    common::edit(
        dir.path(),
        "jinying.toml",
        "2026年起250万元",
        "2026年起280万元",
    );
    common::edit(
        dir.path(),
        "jinying.toml",
        "(2,500,000 from 2026)",
        "(2,800,000 from 2026)",
    );
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn simulate_compares_a_draft_folder_with_the_policy_in_force() {
    let draft = common::policy_copy();
    common::edit(
        draft.path(),
        "jinying.toml",
        r#"C = { "2021" = "2_000_000", "2026" = "2_500_000" }"#,
        r#"C = { "2021" = "2_000_000", "2026" = "3_000_000" }"#,
    );
    let people = tempfile::NamedTempFile::new().unwrap();
    let biomedicine = EXAMPLE.replace("\"new_materials\"", "\"biomedicine\"");
    let lines = [
        EXAMPLE.replace('\n', ""),
        biomedicine.replace('\n', ""),
        "{\"not\": 1}".into(),
    ];
    std::fs::write(people.path(), lines.join("\n")).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "simulate",
            "--draft",
            draft.path().to_str().unwrap(),
            "--population",
            people.path().to_str().unwrap(),
            "--as-of",
            "2027-01-01",
            "--out",
            out_dir.path().to_str().unwrap(),
            "--json",
        ],
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The draft's descriptions still say 250万: warned about, not refused.
    assert!(stderr.contains("警告 warning: 说明中的“250万”"), "{stderr}");
    let sim: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sim["people"], 2);
    assert_eq!(sim["skipped_count"], 1);
    assert_eq!(
        (sim["winners"].as_u64(), sim["losers"].as_u64()),
        (Some(2), Some(0))
    );
    // 3,000,000 → 3,600,000 (core industry) and 2,500,000 → 3,000,000.
    assert_eq!(
        sim["current_total"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            + 1_100_000,
        sim["draft_total"].as_str().unwrap().parse::<i64>().unwrap()
    );
    for f in [
        "programs.csv",
        "cash.csv",
        "bands.csv",
        "top.csv",
        "parameters.csv",
        "charts.zh.html",
        "charts.en.html",
    ] {
        assert!(out_dir.path().join(f).exists(), "{f}");
    }
    let page = std::fs::read_to_string(out_dir.path().join("charts.en.html")).unwrap();
    assert!(
        page.starts_with("<!doctype html>") && page.contains("<figcaption id=\"chart-cash-t\">"),
        "{page}"
    );
    assert!(page.contains("ul.bars"), "the page carries its styles");
    // Without people it says what is missing.
    let out = run(&["simulate", "--draft", draft.path().to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--population"));
}

#[test]
fn test_runs_the_policy_cases() {
    let out = run(&["test"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("passed, 0 failed"), "{text}");
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn officer_accounts_are_added_listed_disabled_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("officers.db");
    let db = db.to_str().unwrap();
    let officer = |args: &[&str], stdin: &str| {
        let mut all = vec!["officer", "--database-url", db];
        all.extend_from_slice(args);
        run(&all, stdin)
    };
    let out = officer(
        &["add", "wang", "--role", "reviewer"],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "added wang (reviewer)");
    let out = officer(&["add", "li", "--role", "hr"], "short\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("at least 10 characters"));
    let out = officer(&["add", "wang", "--role", "hr"], "another long password\n");
    assert_eq!(out.status.code(), Some(1), "a name is taken once");
    let out = officer(&["add", "li", "--role", "hr"], "hr password 123\n");
    assert!(out.status.success());
    let out = officer(&["disable", "li"], "");
    assert!(out.status.success());
    let out = officer(&["disable", "nobody"], "");
    assert_eq!(out.status.code(), Some(1));
    let list = text(&officer(&["list"], "").stdout);
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert_eq!(rows[0][..3], ["li", "hr", "disabled"]);
    assert_eq!(rows[1][..3], ["wang", "reviewer", "enabled"]);
    // The password is kept as an argon2id hash that verifies, never as text.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hash = rt.block_on(async {
        let store =
            talent_subsidy::store::Store::open(db, &talent_subsidy::store::KeySource::Beside)
                .await
                .unwrap();
        store
            .officer_by_name("wang")
            .await
            .unwrap()
            .unwrap()
            .password_hash
    });
    let hash = hash.expose();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(talent_subsidy::secrets::verify_password(
        "a long enough password",
        hash
    ));
}

#[test]
fn batch_writes_one_result_row_per_person_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("staff.csv");
    let output = dir.path().join("results.csv");
    let good = "2026-03-01,赵一,resident_id,32068219880315001X,1988-03-15,bachelor,other,南通大学,2012-06-30";
    let csv = format!(
        "application_date,person.full_name,person.id_type,person.id_number,person.birth_date,person.highest_degree,person.institution_tier,person.institution_name,person.graduation_date\n{good}\n2026-03-01,钱二,resident_id,1,1988-03-15,bachelor,other,南通大学,2012-06-30\n"
    );
    std::fs::write(&input, csv).unwrap();
    let out = run(
        &[
            "batch",
            "--lang",
            "en",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad row: exit 1, the rest done"
    );
    assert!(
        text(&out.stdout).starts_with("2 rows: 1 assessed, 1 with errors"),
        "{}",
        text(&out.stdout)
    );
    let results = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = results.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].starts_with("2,赵一,3206**********001X,2026,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("3,钱二,")
            && lines[2].contains("ID number: ")
            && !lines[2].contains("person."),
        "{}",
        lines[2]
    );
    std::fs::write(&input, "nonsense,columns\n1,2\n").unwrap();
    let out = run(
        &["batch", input.to_str().unwrap(), output.to_str().unwrap()],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nonsense"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_language_the_batch_does_not_speak_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
        .args(["batch", "--lang", "fr", "in.csv", "out.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'fr'") && err.contains("zh") && err.contains("en"),
        "{err}"
    );
}

#[test]
fn officer_add_refuses_a_password_easy_to_guess() {
    let dir = tempfile::tempdir().unwrap();
    for weak in ["aaaaaaaaaa", "1234567890", "password2026"] {
        let mut add = Command::new(env!("CARGO_BIN_EXE_talent-subsidy"))
            .args(["officer", "add", "ma", "--role", "hr", "--database-url"])
            .arg(dir.path().join("o.db"))
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut add.stdin.take().unwrap(),
            format!("{weak}\n").as_bytes(),
        )
        .unwrap();
        let out = add.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{weak}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("too easy to guess") && err.contains("太容易猜到"),
            "{err}"
        );
    }
}

/// The summary of each person agrees with the full result: version, tier, every program's
/// status and amount, total; a line stays short; a bad line gets its errors as always.
#[test]
fn eval_summary_gives_the_decision_of_the_full_result_in_a_short_line() {
    let people: Vec<String> = (0..40)
        .map(|i| {
            let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
            v["startup"]["founder_equity_pct"] =
                serde_json::Value::String(format!("{}", 5 + i * 2));
            v["employment"]["contract_years"] = serde_json::json!(1 + i % 5);
            v.to_string()
        })
        .chain(["{\"not\": \"a profile\"}".to_string()])
        .collect();
    let input = people.join("\n");
    let full = run(&["eval", "--hints", "-"], &input);
    let summary = run(&["eval", "--hints", "--output", "summary", "-"], &input);
    assert_eq!(summary.status.code(), Some(1), "one line is not a profile");
    let (full, text) = (
        lines(&full),
        String::from_utf8(summary.stdout.clone()).unwrap(),
    );
    let summary = lines(&summary);
    assert_eq!(full.len(), summary.len());
    for (line, (f, s)) in text.lines().zip(full.iter().zip(&summary)) {
        if f.get("errors").is_some() {
            assert_eq!(f, s);
            continue;
        }
        assert!(line.len() <= 600, "{} bytes: {line}", line.len());
        assert_eq!(s["policy_version"], f["policy_version"]);
        assert_eq!(s["talent_tier"], f["talent_tier"]);
        assert_eq!(s["total"], f["total"]);
        for p in f["programs"].as_array().unwrap() {
            let id = p["id"].as_str().unwrap();
            assert_eq!(
                s["programs"][id],
                serde_json::json!([p["status"], p["amount"]]),
                "{id}"
            );
        }
        let hints = f["hints"].as_array().unwrap();
        assert_eq!(s["hints"].as_array().unwrap().len(), hints.len());
        for (h, sh) in hints.iter().zip(s["hints"].as_array().unwrap()) {
            assert_eq!(
                sh,
                &serde_json::json!([h["program"], h["field"], h["to"], h["total"]])
            );
        }
    }
    let bad = run(&["eval", "--output", "short", "-"], EXAMPLE);
    assert_eq!(bad.status.code(), Some(2));
}
