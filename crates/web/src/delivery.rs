//! Delivering messages from the outbox: SMS through the park's gateway (an HTTP webhook) and
//! e-mail through SMTP, by every instance, every few seconds.
//!
//! Invariants: a row is sent only while this instance holds its claim (see
//! `store::messages`), and marked sent only after the channel said it took it (a 2xx from
//! the gateway, the SMTP server's acceptance); a failure is tried again after a backoff that
//! doubles, and after the last attempt listed for a person; each request carries the message's
//! idempotency key (`Idempotency-Key: msg-ID`, the e-mail's `Message-ID`), so a receiver that
//! got it before a crash can tell it is the same message. Without a channel configured nothing
//! is claimed for it: the messages stay on the status page, and the console says so.
//!
//! The webhook's body, one message per request:
//! `{"id": "msg-12", "to": "13800000000", "reference": "SXT-2026-000001", "text": "…"}`,
//! with `Idempotency-Key: msg-12` and, when configured, `X-Talent-Subsidy-Secret: …`.

use app::messages::{Kind, text};
use app::settings::Delivery;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use store::{Claimed, Store};

/// The channels this instance delivers through.
pub struct Channels {
    sms: Option<Sms>,
    email: Option<Email>,
    settings: Delivery,
}

struct Sms {
    url: String,
    secret: Option<String>,
    client: reqwest::Client,
}

struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Channels {
    /// The channels the settings name; `Err` says which setting is wrong (the service does
    /// not start with a channel it cannot use).
    pub fn new(settings: &Delivery) -> Result<Channels, String> {
        let sms = match &settings.sms_webhook {
            Some(url) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!(
                        "--sms-webhook: {url} is not an http:// or https:// address"
                    ));
                }
                Some(Sms {
                    url: url.clone(),
                    secret: settings.sms_secret.clone(),
                    client: reqwest::Client::builder()
                        .timeout(std::time::Duration::from_secs(15))
                        .build()
                        .map_err(|e| format!("--sms-webhook: {e}"))?,
                })
            }
            None => None,
        };
        let email = match &settings.smtp_url {
            Some(url) => Some(Email {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("--smtp-url: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
                from: settings
                    .smtp_from
                    .parse()
                    .map_err(|e| format!("--smtp-from: {e}"))?,
            }),
            None => None,
        };
        Ok(Channels {
            sms,
            email,
            settings: settings.clone(),
        })
    }

    /// No channel: messages stay on the status page.
    pub fn none() -> Channels {
        Channels {
            sms: None,
            email: None,
            settings: Delivery::default(),
        }
    }

    /// Whether messages go out by `channel` (`sms`, `email`) from this instance.
    pub fn configured(&self, channel: &str) -> bool {
        match channel {
            "sms" => self.sms.is_some(),
            "email" => self.email.is_some(),
            _ => false,
        }
    }

    /// Sends what is due now on every configured channel, as `claim`; returns how many were
    /// sent.
    pub async fn deliver_due(&self, store: &Store, claim: &str) -> usize {
        let mut sent = 0;
        for channel in ["sms", "email"] {
            if !self.configured(channel) {
                continue;
            }
            let lease = chrono::Duration::from_std(self.settings.lease)
                .unwrap_or(chrono::Duration::seconds(120));
            let claimed = match store
                .claim_outbox(channel, chrono::Utc::now(), lease, 20, claim)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "the outbox could not be read; tried again shortly");
                    continue;
                }
            };
            for c in claimed {
                sent += usize::from(self.deliver(store, claim, &c).await);
            }
        }
        sent
    }

    async fn deliver(&self, store: &Store, claim: &str, c: &Claimed) -> bool {
        let kind = Kind::from_id(&c.kind).unwrap_or(Kind::Accepted);
        let link = match (&self.settings.public_url, c.link_token.is_empty()) {
            (Some(base), false) => Some(format!("{base}/status/{}", c.link_token)),
            _ => None,
        };
        let (subject, body) = text(kind, &c.reference, link.as_deref());
        let key = format!("msg-{}", c.message_id);
        let outcome = match c.channel.as_str() {
            "sms" => match &self.sms {
                Some(s) => s.send(&key, c, &body).await,
                None => Err("no SMS gateway configured".into()),
            },
            _ => match &self.email {
                Some(e) => e.send(&key, c, &subject, &body).await,
                None => Err("no SMTP server configured".into()),
            },
        };
        let marked = match &outcome {
            Ok(()) => store.outbox_sent(c.outbox_id, claim).await.map(|_| ()),
            Err(error) => {
                let retry = (c.attempts < i64::from(self.settings.max_attempts)).then(|| {
                    chrono::Utc::now()
                        + chrono::Duration::from_std(self.settings.backoff(c.attempts))
                            .unwrap_or(chrono::Duration::seconds(30))
                });
                tracing::warn!(reference = %c.reference, channel = %c.channel, attempts = c.attempts, error = %error, given_up = retry.is_none(), "a message was not delivered");
                store.outbox_failed(c.outbox_id, claim, error, retry).await
            }
        };
        if let Err(e) = marked {
            // The claim lapses and another attempt is made: at least once.
            tracing::warn!(error = %e, "a delivery's outcome could not be recorded");
        }
        outcome.is_ok()
    }
}

impl Sms {
    async fn send(&self, key: &str, c: &Claimed, body: &str) -> Result<(), String> {
        let mut req = self
            .client
            .post(&self.url)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({
                "id": key,
                "to": c.to,
                "reference": c.reference,
                "text": body,
            }));
        if let Some(s) = &self.secret {
            req = req.header("X-Talent-Subsidy-Secret", s);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("the SMS gateway answered {}", r.status().as_u16())),
            Err(e) => Err(format!("the SMS gateway could not be reached: {e}")),
        }
    }
}

impl Email {
    async fn send(&self, key: &str, c: &Claimed, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox =
            c.to.parse()
                .map_err(|e| format!("the address given is not usable: {e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{key}@talent-subsidy>")))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| format!("the message could not be made: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP server did not take it: {e}"))
    }
}

/// Runs delivery every few seconds until the service stops. Each instance has its own claim
/// token, so instances sharing a database never send the same row at once.
pub async fn run(channels: std::sync::Arc<Channels>, store: Store) {
    if channels.sms.is_none() && channels.email.is_none() {
        return;
    }
    let claim = store::random_token();
    loop {
        let sent = channels.deliver_due(&store, &claim).await;
        if sent > 0 {
            tracing::info!(sent, "messages delivered");
        }
        tokio::time::sleep(channels.settings.every).await;
    }
}
