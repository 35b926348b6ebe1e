//! How the service is to run: where it listens, which policy and database it uses, and its
//! protections (rate limits, trusted proxies, body deadlines, password checks, retention).
//! The command line fills these in; `web::startup::serve` runs them.

use rules::policy::PolicySource;
use std::net::IpAddr;
use std::time::Duration;

/// Everything `talent-subsidy serve` needs.
#[derive(Debug, Clone)]
pub struct Serve {
    /// Address to listen on.
    pub bind: String,
    pub source: PolicySource,
    /// Log lines as JSON.
    pub log_json: bool,
    /// Reload the policy when its folder changes (SIGHUP reloads either way).
    pub watch: bool,
    pub database_url: String,
    /// Where the key that encrypts personal information comes from.
    pub keys: store::KeySource,
    /// Mark cookies `Secure` (the service is reached over HTTPS).
    pub secure_cookies: bool,
    pub settings: Settings,
}

/// The protections' settings: `talent-subsidy serve` sets them from its flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Submissions (`POST /applications`, `POST /api/v1/applications`) per minute from one
    /// address; 0 turns the limit off.
    pub submissions_per_minute: u32,
    /// Assessments (`POST /assess`, `POST /api/v1/assessments`, `…/batch`) per minute.
    pub assessments_per_minute: u32,
    /// Status look-ups (`/status/…`, `/api/v1/status/…`) per minute.
    pub status_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// A body may take this long before it must keep up `body_min_rate`.
    pub body_grace: Duration,
    /// Bytes per second a body must arrive at, on average, after the grace period.
    pub body_min_rate: u32,
    /// Password checks that may run at once (each holds argon2's 19 MiB).
    pub password_checks: usize,
    /// Days a batch check's results are kept.
    pub batch_retention_days: u32,
    /// Years a decided application's personal information is kept (from its decision or its
    /// last payment, whichever is later).
    pub retention_decided_years: u32,
    /// Days a withdrawn application's personal information is kept.
    pub retention_withdrawn_days: u32,
    /// Largest uploaded file, in bytes.
    pub upload_file_limit: u64,
    /// Largest total of the files one submission or supplement brings, in bytes.
    pub upload_total_limit: u64,
    /// The secret `/metrics` asks for; `None`: only clients on this machine (loopback).
    pub metrics_token: Option<String>,
    /// Where messages to applicants go besides their status page.
    pub delivery: Delivery,
    /// A Redis every instance shares (`redis://host:port`): rate limits are counted there,
    /// assessments included; without one, or while it fails, each instance counts its own
    /// (submissions and status look-ups in a shared PostgreSQL database as well).
    pub redis_url: Option<String>,
}

/// The channels messages are delivered through, and how hard each is tried.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The park's SMS gateway: a URL that takes a JSON POST per message.
    pub sms_webhook: Option<String>,
    /// Sent in `X-Talent-Subsidy-Secret` with each SMS request.
    pub sms_secret: Option<String>,
    /// SMTP server as a URL (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`).
    pub smtp_url: Option<String>,
    /// The sender's address.
    pub smtp_from: String,
    /// The service's address as applicants reach it (`https://rencai.example.cn`): a message
    /// that may carry the status link needs it.
    pub public_url: Option<String>,
    /// The first retry waits this long; each next one twice as long (at most an hour).
    pub retry_base: Duration,
    /// Attempts before a delivery is given up and listed for a person.
    pub max_attempts: u32,
    /// How often each instance looks for messages due.
    pub every: Duration,
    /// How long a claimed message is this instance's before another may take it.
    pub lease: Duration,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            sms_webhook: None,
            sms_secret: None,
            smtp_url: None,
            smtp_from: "rencai@sxt-park.invalid".into(),
            public_url: None,
            retry_base: Duration::from_secs(30),
            max_attempts: 6,
            every: Duration::from_secs(5),
            lease: Duration::from_secs(120),
        }
    }
}

impl Delivery {
    /// How long to wait before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.clamp(1, 12) - 1).unwrap_or(0);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(Duration::from_secs(3600))
    }
}

impl Settings {
    /// The retention the privacy notice states.
    pub fn retention(&self) -> crate::privacy::Retention {
        crate::privacy::Retention {
            decided_years: self.retention_decided_years,
            withdrawn_days: self.retention_withdrawn_days,
        }
    }

    /// What `talent-subsidy serve` applies unless told otherwise.
    pub fn production() -> Settings {
        Settings {
            submissions_per_minute: 20,
            assessments_per_minute: 600,
            status_per_minute: 60,
            ..Settings::unlimited()
        }
    }

    /// No rate limits (the other protections stay): for a service embedded in tests and
    /// benchmarks, which send more than any one person would.
    pub fn unlimited() -> Settings {
        Settings {
            submissions_per_minute: 0,
            assessments_per_minute: 0,
            status_per_minute: 0,
            trusted_proxies: Vec::new(),
            body_grace: Duration::from_secs(10),
            body_min_rate: 1024,
            password_checks: 2,
            batch_retention_days: 30,
            retention_decided_years: 5,
            retention_withdrawn_days: 30,
            upload_file_limit: 10 * 1024 * 1024,
            upload_total_limit: 50 * 1024 * 1024,
            metrics_token: None,
            delivery: Delivery::default(),
            redis_url: None,
        }
    }
}
