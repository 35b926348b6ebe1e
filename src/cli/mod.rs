//! The command line: `eval`, `check` and `test` (a contract other tools use: keep it stable).

use app::settings::Serve;
use rules::policy::{self, Diagnostic, Policy, Severity};

mod eval;
mod officer;
mod simulate;

use clap::{Parser, Subcommand};
use eval::eval;
pub use eval::{EvalOptions, eval_one, eval_stream};
use officer::officer;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "talent-subsidy",
    version,
    about = "Talent subsidy eligibility for the Su-Xi-Tong park: 苏锡通园区人才政策测算"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub policy: PolicyArg,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArg {
    /// The policy folder [default: ./policy, or the built-in copy when it does not exist]
    #[arg(long, value_name = "DIR", env = "TALENT_SUBSIDY_POLICY")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", env = "TALENT_SUBSIDY_BIND")]
    pub bind: String,
    /// Write logs as JSON lines
    #[arg(long, env = "TALENT_SUBSIDY_LOG_JSON")]
    pub log_json: bool,
    /// Do not watch the policy folder (reload on SIGHUP only)
    #[arg(long)]
    pub no_watch: bool,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Mark cookies Secure: set this when people reach the service over HTTPS
    #[arg(long, env = "TALENT_SUBSIDY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A reverse proxy in front of the service (repeatable): from its address only, the client
    /// address is read from X-Forwarded-For (for rate limits and sign-in lockout)
    #[arg(
        long = "trusted-proxy",
        value_name = "ADDR",
        env = "TALENT_SUBSIDY_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Submissions per minute from one address (0: no limit)
    #[arg(long, value_name = "N", default_value_t = app::settings::Settings::production().submissions_per_minute, env = "TALENT_SUBSIDY_LIMIT_SUBMISSIONS")]
    pub limit_submissions: u32,
    /// Assessments (result page and API) per minute from one address (0: no limit)
    #[arg(long, value_name = "N", default_value_t = app::settings::Settings::production().assessments_per_minute, env = "TALENT_SUBSIDY_LIMIT_ASSESSMENTS")]
    pub limit_assessments: u32,
    /// Status-link look-ups per minute from one address (0: no limit)
    #[arg(long, value_name = "N", default_value_t = app::settings::Settings::production().status_per_minute, env = "TALENT_SUBSIDY_LIMIT_STATUS")]
    pub limit_status: u32,
    /// Days a batch check's results are kept
    #[arg(long, value_name = "DAYS", default_value_t = app::settings::Settings::production().batch_retention_days, env = "TALENT_SUBSIDY_BATCH_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub batch_retention_days: u32,
    /// Years a decided application's personal information is kept (from the decision, or the
    /// last payment when later); then it is erased, the figures kept
    #[arg(long, value_name = "YEARS", default_value_t = 5, env = "TALENT_SUBSIDY_RETENTION_DECIDED_YEARS", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub retention_decided_years: u32,
    /// Days a withdrawn application's personal information is kept
    #[arg(long, value_name = "DAYS", default_value_t = 30, env = "TALENT_SUBSIDY_RETENTION_WITHDRAWN_DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_withdrawn_days: u32,
    /// Largest uploaded file, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 10, env = "TALENT_SUBSIDY_UPLOAD_FILE_MIB", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub upload_file_mib: u64,
    /// Largest total of the files one submission or supplement brings, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 50, env = "TALENT_SUBSIDY_UPLOAD_TOTAL_MIB", value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub upload_total_mib: u64,
    /// A secret that `/metrics` asks for (`Authorization: Bearer …`); without one, `/metrics`
    /// answers only requests from this machine (loopback) and refuses every other client
    #[arg(long, value_name = "SECRET", env = "TALENT_SUBSIDY_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// The park's SMS gateway: each message is POSTed there as JSON (see README)
    #[arg(long, value_name = "URL", env = "TALENT_SUBSIDY_SMS_WEBHOOK")]
    pub sms_webhook: Option<String>,
    /// A secret sent with each SMS request in `X-Talent-Subsidy-Secret`
    #[arg(long, value_name = "SECRET", env = "TALENT_SUBSIDY_SMS_SECRET")]
    pub sms_secret: Option<String>,
    /// SMTP server for e-mail: smtp://host:25, smtp://user:pass@host:587?tls=required,
    /// smtps://host:465
    #[arg(long, value_name = "URL", env = "TALENT_SUBSIDY_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of e-mail messages
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "TALENT_SUBSIDY_SMTP_FROM",
        default_value = "rencai@sxt-park.invalid"
    )]
    pub smtp_from: String,
    /// The address applicants reach the service at (https://…): messages carry the status
    /// link only with it, and only to applicants who asked
    #[arg(long, value_name = "URL", env = "TALENT_SUBSIDY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds before a failed delivery's first retry (doubling after each, at most an hour)
    #[arg(long, value_name = "SECONDS", default_value_t = 30, env = "TALENT_SUBSIDY_DELIVERY_RETRY_SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub delivery_retry_secs: u64,
    /// A Redis every instance shares (redis://host:port): rate limits, assessments included,
    /// are counted there; a Redis that is missing or fails never stops the service
    #[arg(long, value_name = "URL", env = "TALENT_SUBSIDY_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Attempts before a delivery is given up and listed for an officer
    #[arg(long, value_name = "N", default_value_t = 6, env = "TALENT_SUBSIDY_DELIVERY_ATTEMPTS", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub delivery_attempts: u32,
}

impl ServeArgs {
    /// The protections these flags ask for.
    pub fn settings(&self) -> app::settings::Settings {
        app::settings::Settings {
            submissions_per_minute: self.limit_submissions,
            assessments_per_minute: self.limit_assessments,
            status_per_minute: self.limit_status,
            trusted_proxies: self.trusted_proxies.clone(),
            batch_retention_days: self.batch_retention_days,
            retention_decided_years: self.retention_decided_years,
            retention_withdrawn_days: self.retention_withdrawn_days,
            upload_file_limit: self.upload_file_mib * 1024 * 1024,
            upload_total_limit: self.upload_total_mib * 1024 * 1024,
            metrics_token: self.metrics_token.clone().filter(|t| !t.is_empty()),
            delivery: app::settings::Delivery {
                sms_webhook: self.sms_webhook.clone().filter(|t| !t.is_empty()),
                sms_secret: self.sms_secret.clone().filter(|t| !t.is_empty()),
                smtp_url: self.smtp_url.clone().filter(|t| !t.is_empty()),
                smtp_from: self.smtp_from.clone(),
                public_url: self
                    .public_url
                    .clone()
                    .map(|u| u.trim_end_matches('/').to_string())
                    .filter(|t| !t.is_empty()),
                retry_base: std::time::Duration::from_secs(self.delivery_retry_secs),
                max_attempts: self.delivery_attempts,
                ..app::settings::Delivery::default()
            },
            redis_url: self.redis_url.clone().filter(|u| !u.is_empty()),
            ..app::settings::Settings::production()
        }
    }
}

/// How much of each result `eval` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputArg {
    /// Every condition explained, with requirements and citations
    Full,
    /// Statuses, amounts and the total only
    Summary,
}

/// The language of what a command writes for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// 中文
    Zh,
    /// English
    En,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArg {
    /// sqlite://FILE or postgres://USER@HOST/DB; several instances share state through PostgreSQL
    #[arg(long, global = true, value_name = "URL", env = "DATABASE_URL", default_value = store::DEFAULT_SQLITE)]
    pub database_url: String,
    /// The file holding the key that encrypts personal information (64 hex digits) [default:
    /// beside the SQLite database, DB.key, created on first start; PostgreSQL needs it named].
    /// Back it up apart from the database: without it the data cannot be read
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "TALENT_SUBSIDY_DATA_KEY_FILE"
    )]
    pub data_key_file: Option<PathBuf>,
}

impl DatabaseArg {
    /// Where the data key comes from: `TALENT_SUBSIDY_DATA_KEY` (64 hex digits), else the
    /// file named, else the file beside the SQLite database.
    pub fn keys(&self) -> Result<store::KeySource, String> {
        use store::KeySource;
        if let Ok(text) = std::env::var("TALENT_SUBSIDY_DATA_KEY") {
            return store::crypto::DataKey::parse(&text)
                .map(|k| KeySource::Given(Box::new(k)))
                .ok_or_else(|| {
                    "TALENT_SUBSIDY_DATA_KEY is not a key (64 hexadecimal digits) / \
                     TALENT_SUBSIDY_DATA_KEY 不是密钥（64 位十六进制数）"
                        .to_string()
                });
        }
        Ok(match &self.data_key_file {
            Some(f) => KeySource::File(f.clone()),
            None => KeySource::Beside,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// The park's talent office: sees and decides applications, runs batch checks
    Reviewer,
    /// A company's HR: runs batch checks only
    Hr,
    /// Reads the access log (who saw which personal information) only
    Auditor,
    /// The policy office: policy files, drafts of parameter changes and simulations only
    Policy,
    /// A leader (分管领导): signs off cases at or above the threshold, opens public notices
    Approver,
    /// Finance: registers payments; sees payments and payees, not the answers
    Finance,
}

#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Create an account; the password is read from the terminal (or one line of stdin)
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Disable an account and end its sessions
    Disable { name: String },
    /// Enable a disabled account
    Enable { name: String },
    /// Set a new password (read like `add`) and end the account's sessions
    Password { name: String },
    /// List the accounts
    List,
}

#[derive(Debug, Subcommand)]
pub enum DataKeyCommand {
    /// Re-encrypt everything with a new key, in one transaction; the new key replaces the key
    /// file and the old one is kept beside it as FILE.retired-TIME (for backups made before)
    Rotate,
    /// Check that the key opens this database (prints its fingerprint, never the key)
    Check,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web form and the JSON API (the default when no command is given)
    Serve {
        #[command(flatten)]
        policy: PolicyArg,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Assess profiles: one JSON profile, or JSON Lines; one JSON result per line, in order
    Eval {
        #[command(flatten)]
        policy: PolicyArg,
        /// Add "what would change it" hints to each result
        #[arg(long)]
        hints: bool,
        /// full: every condition explained (the default); summary: per person the version,
        /// tier, each program's status and amount and the total, one short line
        #[arg(long, value_enum, default_value = "full")]
        output: OutputArg,
        /// Input file, or - for standard input
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Check the policy files; print every problem with file, line and column
    Check {
        #[command(flatten)]
        policy: PolicyArg,
    },
    /// Officer accounts of the console
    Officer {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// Check a sheet of people (.xlsx, or CSV in UTF-8 or GBK; the template's columns); write one result row each
    /// Exit 0: every row assessed; 1: some rows have errors (see OUT); 2: the file was refused
    Batch {
        #[command(flatten)]
        policy: PolicyArg,
        /// Language of the results' headers and messages
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        /// People: an Excel workbook (.xlsx) or a CSV, told apart by content
        input: PathBuf,
        /// Results: a workbook when the name ends in .xlsx, else CSV
        output: PathBuf,
    },
    /// The key that encrypts personal information in the database
    DataKey {
        #[command(flatten)]
        database: DatabaseArg,
        #[command(subcommand)]
        command: DataKeyCommand,
    },
    /// Try a change before it takes effect: a draft of the policy against the policy in force,
    /// on people from a file and/or the saved applications — per program, who gains and who
    /// loses, and what falls due each year
    Simulate {
        #[command(flatten)]
        policy: PolicyArg,
        #[command(flatten)]
        args: simulate::SimulateArgs,
    },
    /// Run the policy's test cases (policy/tests/*.toml)
    Test {
        #[command(flatten)]
        policy: PolicyArg,
        /// Folder of test cases [default: POLICY/tests]
        #[arg(long, value_name = "DIR")]
        cases: Option<PathBuf>,
    },
}

/// Loads the policy named on the command line (or the default).
pub fn load_policy(arg: &PolicyArg) -> Result<Policy, Vec<Diagnostic>> {
    policy_source(arg).load()
}

/// Every diagnostic with its source line and a caret under the place, in Chinese and in
/// English.
fn print_diagnostics(diags: &[Diagnostic]) {
    let mut texts: std::collections::HashMap<&Path, Option<String>> = Default::default();
    for d in diags {
        let text = texts
            .entry(d.file.as_path())
            .or_insert_with(|| std::fs::read_to_string(&d.file).ok());
        eprintln!("{}", d.render(text.as_deref()));
    }
}

/// Runs a command; `serve` is what runs the web service (`web::startup::serve`), passed in so
/// that the command line does not depend on the web layer.
/// What the command line is handed by the web layer, so that it depends on none of it: the
/// function that runs the service, and the one that draws a simulation's charts as a page.
pub struct Web {
    pub serve: fn(Serve) -> std::io::Result<()>,
    pub charts: fn(&app::simulate::Simulation, rules::input::Lang) -> String,
}

pub fn run(cli: Cli, web: Web) -> ExitCode {
    let serve = web.serve;
    match cli.command {
        Some(Command::Eval {
            policy,
            hints,
            output,
            file,
        }) => with_policy(&policy, |p| {
            let output = match output {
                OutputArg::Full => app::service::Output::Full,
                OutputArg::Summary => app::service::Output::Summary,
            };
            eval(
                p,
                &file,
                EvalOptions {
                    with_hints: hints,
                    output,
                },
            )
        }),
        Some(Command::Check { policy }) => check(&policy),
        Some(Command::Test { policy, cases }) => with_policy(&policy, |p| {
            let dir = cases.clone().unwrap_or_else(|| {
                policy
                    .policy
                    .clone()
                    .unwrap_or_else(|| "policy".into())
                    .join("tests")
            });
            test(p, &dir)
        }),
        Some(Command::Serve {
            policy,
            serve: args,
        }) => serve_command(serve, &policy, &args),
        Some(Command::Officer { database, command }) => officer(&database, command),
        Some(Command::Simulate { policy, args }) => {
            with_policy(&policy, |p| simulate::run(p, args, web.charts))
        }
        Some(Command::DataKey { database, command }) => officer::data_key(&database, command),
        Some(Command::Batch {
            policy,
            lang,
            input,
            output,
        }) => with_policy(&policy, |p| batch(p, lang, &input, &output)),
        None => serve_command(serve, &cli.policy, &cli.serve),
    }
}

fn with_policy(arg: &PolicyArg, f: impl FnOnce(&Policy) -> ExitCode) -> ExitCode {
    match load_policy(arg) {
        Ok(p) => {
            print_diagnostics(&p.warnings);
            f(&p)
        }
        Err(diags) => {
            print_diagnostics(&diags);
            eprintln!("the policy has errors: nothing was assessed");
            ExitCode::from(2)
        }
    }
}

/// Deadlines are counted in working days: says so when the calendar does not reach far
/// enough ahead (the office enters each year when its notice comes out).
fn warn_short_calendar(p: &rules::policy::Policy, today: chrono::NaiveDate) {
    if let Some(m) = rules::policy::load::calendar_shortfall(&p.calendar, today) {
        let file = p.source.join(rules::policy::load::CALENDAR_FILE);
        eprintln!("{}: 警告 warning: {} / {}", file.display(), m.zh, m.en);
    }
}

fn check(arg: &PolicyArg) -> ExitCode {
    match load_policy(arg) {
        Ok(p) => {
            print_diagnostics(&p.warnings);
            let versions: Vec<String> = p
                .versions
                .iter()
                .map(|v| {
                    format!(
                        "{} from {} ({} programs)",
                        v.id,
                        v.from,
                        v.rules.programs.len()
                    )
                })
                .collect();
            println!(
                "policy OK: {} documents, {} versions: {}; {} warnings",
                p.documents.len(),
                p.versions.len(),
                versions.join(", "),
                p.warnings.len()
            );
            warn_short_calendar(&p, store::today());
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print_diagnostics(&diags);
            let errors = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            eprintln!("{errors} 个错误，政策未加载 / {errors} errors: the policy was not loaded");
            ExitCode::from(1)
        }
    }
}

fn test(policy: &Policy, dir: &Path) -> ExitCode {
    match app::cases::run_dir(policy, dir) {
        Ok(report) => {
            for f in &report.failures {
                println!("FAIL {f}");
            }
            println!("{} passed, {} failed", report.passed, report.failures.len());
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Where the service reads its policy: `--policy`, else `./policy`, else the built-in copy.
pub fn policy_source(arg: &PolicyArg) -> rules::policy::PolicySource {
    match &arg.policy {
        Some(dir) => rules::policy::PolicySource::Dir(dir.clone()),
        None if Path::new("policy").join(policy::load::SHARED_FILE).exists() => {
            rules::policy::PolicySource::Dir("policy".into())
        }
        None => rules::policy::PolicySource::BuiltIn,
    }
}

fn serve_command(
    serve: fn(Serve) -> std::io::Result<()>,
    policy: &PolicyArg,
    args: &ServeArgs,
) -> ExitCode {
    let keys = match args.database.keys() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("talent-subsidy: {e}");
            return ExitCode::from(2);
        }
    };
    match serve(Serve {
        keys,
        bind: args.bind.clone(),
        source: policy_source(policy),
        log_json: args.log_json,
        watch: !args.no_watch,
        database_url: args.database.database_url.clone(),
        secure_cookies: args.secure_cookies,
        settings: args.settings(),
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("talent-subsidy: {e}");
            ExitCode::from(2)
        }
    }
}

fn batch(policy: &Policy, lang: LangArg, input: &Path, output: &Path) -> ExitCode {
    let lang = match lang {
        LangArg::Zh => rules::input::Lang::Zh,
        LangArg::En => rules::input::Lang::En,
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("talent-subsidy: {}: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let b = match app::batch::run(policy, &bytes, None) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("talent-subsidy: {}: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    // The results in the format the output's name asks for (the input is told by content).
    let workbook = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let results = if workbook {
        match b.results_xlsx(lang) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("talent-subsidy: {}: {e}", output.display());
                return ExitCode::from(2);
            }
        }
    } else {
        b.results_csv(lang).into_bytes()
    };
    if let Err(e) = std::fs::write(output, results) {
        eprintln!("talent-subsidy: {}: {e}", output.display());
        return ExitCode::from(2);
    }
    let s = &b.summary;
    println!(
        "{} rows: {} assessed, {} with errors; total {} yuan ({} ms)",
        s.rows,
        s.assessed,
        s.invalid,
        s.total,
        started.elapsed().as_millis()
    );
    for p in &s.programs {
        println!("  {}\t{} eligible\t{} yuan", p.id, p.eligible, p.amount);
    }
    if s.invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
