//! One full assessment, explanation included, of a profile that reaches every program; and
//! the steps around it (reading the JSON, writing the result).
//!
//! cargo bench --bench assess

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use talent_subsidy::applicant::Profile;
use talent_subsidy::engine::{assess, hints::hints};

fn benches(c: &mut Criterion) {
    let policy = talent_subsidy::policy::load(Path::new("policy")).expect("policy loads");
    let input = talent_subsidy::EXAMPLE_PROFILE.as_bytes();
    let profile = Profile::from_json(input, &policy).expect("example is valid");

    c.bench_function(
        "assess (tier, 8 programs, every condition explained, combination, installments)",
        |b| b.iter(|| assess(black_box(&policy), black_box(&profile)).unwrap()),
    );
    c.bench_function("assess + write result JSON", |b| {
        let mut buf = Vec::with_capacity(16 * 1024);
        b.iter(|| {
            buf.clear();
            assess(black_box(&policy), black_box(&profile))
                .unwrap()
                .write_json(&mut buf);
            buf.len()
        })
    });
    c.bench_function("read JSON profile + validate", |b| {
        b.iter(|| Profile::from_json(black_box(input), &policy).unwrap())
    });
    c.bench_function("read JSON profile + validate + assess + write JSON", |b| {
        let mut buf = Vec::with_capacity(16 * 1024);
        b.iter(|| {
            buf.clear();
            talent_subsidy::cli::eval_one(&policy, black_box(input), false, &mut buf)
        })
    });
    c.bench_function("hints for a near-miss profile", |b| {
        let near = String::from_utf8_lossy(input).replace(
            r#""founder_equity_pct": "51""#,
            r#""founder_equity_pct": "25""#,
        );
        let p = Profile::from_json(near.as_bytes(), &policy).unwrap();
        b.iter(|| {
            let a = assess(&policy, black_box(&p)).unwrap();
            hints(&a, &p, &policy).len()
        })
    });
    // One screening step: a partial profile (the graduate halfway through the interview) →
    // statuses, ranges and the questions worth asking, in order.
    let halfway = serde_json::json!({
        "application_date": "2026-11-26",
        "person": { "birth_date": "1998-05-01", "highest_degree": "master", "professional_title": "none",
                    "honors": [], "institution_name": "南通大学", "graduation_date": "2024-06-30" },
        "employment": { "employer_in_park": true, "full_time": true }
    });
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let partial = talent_subsidy::applicant::Partial::from_value(&halfway, today, &policy).unwrap();
    c.bench_function(
        "screen a partial profile (ranges + ordered questions)",
        |b| {
            b.iter(|| {
                talent_subsidy::engine::screen::screen(black_box(&policy), black_box(&partial))
                    .unwrap()
                    .questions
                    .len()
            })
        },
    );
    let halfway_text = halfway.to_string();
    c.bench_function(
        "screening step: read partial JSON + screen + write the answer JSON",
        |b| {
            b.iter(|| {
                talent_subsidy::service::screening::screen_json(
                    black_box(&policy),
                    black_box(halfway_text.as_bytes()),
                    today,
                )
                .unwrap()
                .len()
            })
        },
    );
    c.bench_function("load and check the policy folder", |b| {
        b.iter(|| talent_subsidy::policy::load(black_box(Path::new("policy"))).unwrap())
    });
}

/// A spreadsheet of 10,000 people (the upload limit): read, every row assessed, results CSV
/// written — what an officer's upload does between receiving the file and storing the results.
fn batch(c: &mut Criterion) {
    let policy = talent_subsidy::policy::load(Path::new("policy")).expect("policy loads");
    let example: serde_json::Value =
        serde_json::from_str(talent_subsidy::EXAMPLE_PROFILE).expect("example");
    let mut w = csv::Writer::from_writer(Vec::new());
    for i in 0..talent_subsidy::batch::MAX_ROWS {
        let mut p = example.clone();
        p["person"]["id_type"] = "passport".into();
        p["person"]["id_number"] = format!("E{i:08}").into();
        p["startup"]["founder_equity_pct"] = format!("{}", 20 + i % 60).into();
        w.write_record(talent_subsidy::batch::csv_row(&p))
            .expect("row");
    }
    let mut file = talent_subsidy::batch::template_csv().into_bytes();
    file.extend(w.into_inner().expect("csv"));
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.bench_function("10,000-row CSV: read, assess, write results", |b| {
        b.iter(|| {
            let batch = talent_subsidy::batch::run(black_box(&policy), black_box(&file), None)
                .expect("reads");
            batch.results_csv(talent_subsidy::input::Lang::Zh)
        })
    });
    g.finish();
}

criterion_group!(assessment, benches, batch);
criterion_main!(assessment);
