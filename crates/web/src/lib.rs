//! The HTTP service: the applicant's pages, the officer console, the JSON API, operational
//! endpoints, policy hot reload.
//!
//! Invariants: **a request uses one policy from start to end** — handlers take one
//! `Arc<Loaded>` snapshot and assess with it, so a reload in between is never half seen.
//! **A policy that fails to load never replaces the one in use.** **No personal data
//! (names, ID numbers) is logged**: logs carry route patterns, statuses, timings, request ids
//! and reference numbers. Outside an application's own page an ID number is shown masked.

pub mod api;
pub mod apply;
pub mod auth;
pub mod case_view;
pub mod catalog;
pub mod choice;
pub mod counter;
pub mod delivery;
pub mod guard;
pub mod html;
pub mod http;
pub mod interview;
pub mod interview_apply;
pub mod interview_result;
pub mod letters;
pub mod message_view;
pub mod metrics;
pub mod notices;
pub mod officer;
pub mod openapi;
pub mod pages;
pub mod privacy;
pub mod result_view;
pub mod schema;
pub mod startup;
pub mod status;
pub mod uploads;
pub mod view;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use rules::policy::Policy;
use rules::policy::PolicySource;
use std::sync::{Arc, Mutex};

/// A policy in use, and when it was loaded.
pub struct Loaded {
    pub policy: Policy,
    pub loaded_at: DateTime<Utc>,
}

/// A reload that was refused, kept for `/healthz`.
#[derive(Debug, Clone)]
pub struct ReloadFailure {
    pub at: DateTime<Utc>,
    pub diagnostics: Vec<String>,
}

/// Reads the counts of answers seen and gives them to the policy's prior.
async fn set_seen(store: &store::Store, loaded: &Loaded) {
    match store.answer_counts().await {
        Ok(counts) => loaded
            .policy
            .set_seen(counts.iter().map(|(p, k, n)| (p.as_str(), k.as_str(), *n))),
        Err(e) => tracing::warn!(error = %e, "the answers seen could not be read"),
    }
}

pub struct AppState {
    pub current: ArcSwap<Loaded>,
    pub source: PolicySource,
    pub last_failure: Mutex<Option<ReloadFailure>>,
    pub metrics: metrics::Metrics,
    /// Saved applications and officers; `None` in a service started without a database
    /// (some tests), which then answers 503 on the routes that need one.
    pub store: Option<store::Store>,
    /// Mark cookies `Secure` (set when the service is reached over HTTPS).
    pub secure_cookies: bool,
    /// Rate limits, trusted proxies, body deadlines, password checks, retention.
    pub settings: app::settings::Settings,
    pub limits: guard::Limits,
    pub passwords: store::secrets::PasswordChecker,
    /// Where the history of policy loads is written from (the watcher's thread has none).
    pub runtime: Option<tokio::runtime::Handle>,
    /// The channels messages are delivered through (none: status page only).
    pub channels: std::sync::Arc<delivery::Channels>,
    /// The shared counters of rate limits, when a Redis is configured.
    pub redis: Option<counter::Redis>,
}

/// One line of a load's history: the versions and programs loaded.
/// In Chinese, then on a second line in English.
pub fn summary(p: &Policy) -> String {
    let zh: Vec<String> = p
        .versions
        .iter()
        .map(|v| format!("{}（{}起）", v.zh, v.from))
        .collect();
    let en: Vec<String> = p
        .versions
        .iter()
        .map(|v| format!("{} (from {})", v.en, v.from))
        .collect();
    format!("{}\n{}", zh.join("，"), en.join(", "))
}

fn diagnostic_lines(diags: &[rules::policy::Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl AppState {
    pub fn new(policy: Policy, source: PolicySource) -> Self {
        AppState {
            current: ArcSwap::from_pointee(Loaded {
                policy,
                loaded_at: Utc::now(),
            }),
            source,
            last_failure: Mutex::new(None),
            metrics: metrics::Metrics::default(),
            store: None,
            runtime: None,
            secure_cookies: false,
            limits: guard::Limits::new(&app::settings::Settings::unlimited()),
            passwords: store::secrets::PasswordChecker::new(
                app::settings::Settings::unlimited().password_checks,
            ),
            settings: app::settings::Settings::unlimited(),
            channels: std::sync::Arc::new(delivery::Channels::none()),
            redis: None,
        }
    }

    /// The same state with these protections (the service's own flags, or a test's).
    pub fn with_settings(mut self, settings: app::settings::Settings) -> Self {
        self.limits = guard::Limits::new(&settings);
        self.passwords = store::secrets::PasswordChecker::new(settings.password_checks);
        // `serve` refuses to start with a channel it cannot use; a test's settings are right.
        self.channels = std::sync::Arc::new(
            delivery::Channels::new(&settings.delivery).unwrap_or_else(|e| {
                tracing::error!(error = %e, "messages are not delivered");
                delivery::Channels::none()
            }),
        );
        self.redis = settings.redis_url.as_deref().and_then(|u| {
            counter::Redis::new(u)
                .map_err(|e| tracing::error!(error = %e, "rate limits are counted per instance"))
                .ok()
        });
        self.settings = settings;
        self
    }

    /// The same state, saving to `store`.
    pub fn with_store(mut self, store: store::Store, secure_cookies: bool) -> Self {
        self.store = Some(store);
        self.secure_cookies = secure_cookies;
        self.runtime = tokio::runtime::Handle::try_current().ok();
        let p = &self.current.load().policy;
        self.record_load("started", summary(p), String::new());
        self.refresh_prior();
        self
    }

    /// Adds answers seen (a submission's, a batch's) to the counts, then weighs the
    /// interview's questions with them — without making the request wait.
    pub fn count_seen(&self, tally: app::seen::Tally) {
        let (Some(store), Some(rt)) = (self.store.clone(), self.runtime.as_ref()) else {
            return;
        };
        if tally.is_empty() {
            return;
        }
        let policy = self.snapshot();
        rt.spawn(async move {
            if let Err(e) = store.count_answers(&tally.rows()).await {
                tracing::warn!(error = %e, "the answers seen were not counted");
                return;
            }
            set_seen(&store, &policy).await;
        });
    }

    /// Weighs the policy in use with every answer counted so far (at start and after a
    /// reload, whose new policy starts from the shipped prior alone).
    pub fn refresh_prior(&self) {
        let (Some(store), Some(rt)) = (self.store.clone(), self.runtime.as_ref()) else {
            return;
        };
        let policy = self.snapshot();
        rt.spawn(async move { set_seen(&store, &policy).await });
    }

    /// Keeps a load of the policy in the database's history (the policy office's page
    /// shows it), without waiting for the write: a reload must not wait for the database.
    fn record_load(&self, outcome: &str, summary: String, diagnostics: String) {
        let (Some(store), Some(rt)) = (self.store.clone(), self.runtime.as_ref()) else {
            return;
        };
        let r = store::Reload {
            at: store::stamp(Utc::now()),
            outcome: outcome.to_string(),
            source: self.source.describe(),
            summary,
            diagnostics,
        };
        rt.spawn(async move {
            if let Err(e) = store.log_reload(&r).await {
                tracing::warn!(error = %e, "the policy load was not recorded");
            }
        });
    }

    /// The policy in use, for the whole of one request.
    pub fn snapshot(&self) -> Arc<Loaded> {
        self.current.load_full()
    }

    /// Compiles the policy files again and switches to them atomically; on any error keeps
    /// the policy in use and records the located errors. Returns whether it switched.
    pub fn reload(&self) -> bool {
        match self.source.load() {
            Ok(policy) => {
                let versions: Vec<String> =
                    policy.versions.iter().map(|v| v.id.to_string()).collect();
                let said = summary(&policy);
                let warnings = diagnostic_lines(&policy.warnings);
                self.current.store(Arc::new(Loaded {
                    policy,
                    loaded_at: Utc::now(),
                }));
                if let Ok(mut f) = self.last_failure.lock() {
                    *f = None;
                }
                self.metrics.reloads.inc();
                self.record_load("reloaded", said, warnings);
                self.refresh_prior();
                tracing::info!(source = %self.source.describe(), versions = ?versions, "policy reloaded");
                true
            }
            Err(diags) => {
                let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
                for l in &lines {
                    tracing::warn!(diagnostic = %l, "policy reload refused");
                }
                // `/healthz` shows them to anyone: the files by name, not the folder's path.
                let public = diags
                    .iter()
                    .map(|d| {
                        let mut d = d.clone();
                        d.file = d.file.file_name().map(Into::into).unwrap_or_default();
                        d.to_string()
                    })
                    .collect();
                if let Ok(mut f) = self.last_failure.lock() {
                    *f = Some(ReloadFailure {
                        at: Utc::now(),
                        diagnostics: public,
                    });
                }
                self.metrics.reload_failures.inc();
                self.record_load(
                    "refused",
                    format!(
                        "{} 个问题，仍使用原政策\n{} problems; the policy in use is kept",
                        diags.len(),
                        diags.len()
                    ),
                    diagnostic_lines(&diags),
                );
                false
            }
        }
    }

    pub fn last_failure(&self) -> Option<ReloadFailure> {
        self.last_failure.lock().ok().and_then(|f| f.clone())
    }
}
