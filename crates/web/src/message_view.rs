//! Messages to the applicant as people read them: the status page's dated list (站内消息) and,
//! on the console, each message with what became of it on each channel.

use crate::delivery::Channels;
use app::messages::Kind;
use rules::input::Lang;

/// A message on the status page: its day and what it says.
pub struct MessageLine {
    pub day: String,
    pub words: &'static str,
    /// On the console: each channel's delivery in words; whether one failed.
    pub deliveries: Vec<(String, bool)>,
}

/// A delivery channel in words.
pub fn channel_words(channel: &str, l: Lang) -> &'static str {
    if channel == "sms" {
        l.t("短信", "SMS")
    } else {
        l.t("邮件", "E-mail")
    }
}

/// The messages newest first, with their deliveries in words for the console (`channels`:
/// this instance's, to say when nothing can send).
pub fn message_lines(
    messages: &[store::Message],
    l: Lang,
    channels: Option<&Channels>,
) -> Vec<MessageLine> {
    messages
        .iter()
        .rev()
        .filter_map(|m| {
            let kind = Kind::from_id(&m.kind)?;
            let deliveries = match channels {
                None => Vec::new(),
                Some(_) if m.deliveries.is_empty() => vec![(
                    l.t(
                        "仅站内消息（申请人未留手机号码或邮箱）",
                        "On the status page only (no mobile number or e-mail given)",
                    )
                    .to_string(),
                    false,
                )],
                Some(ch) => m
                    .deliveries
                    .iter()
                    .map(|d| {
                        let via = channel_words(&d.channel, l);
                        match d.state.as_str() {
                            "sent" => (
                                format!(
                                    "{via}{}{}",
                                    l.t(" 已发送 ", " sent "),
                                    d.sent_at
                                        .as_deref()
                                        .map(crate::view::short_time)
                                        .unwrap_or_default()
                                ),
                                false,
                            ),
                            "failed" => (
                                format!(
                                    "{via}{}{}{}",
                                    l.t(
                                        " 发送失败，请联系申请人（已尝试 ",
                                        " not delivered: contact the applicant (tried "
                                    ),
                                    d.attempts,
                                    l.t(" 次）", " times)")
                                ),
                                true,
                            ),
                            _ if !ch.configured(&d.channel) => (
                                format!(
                                    "{via}{}",
                                    l.t(
                                        " 未发送（未配置短信/邮件）",
                                        " not sent (no SMS gateway or mail server configured)"
                                    )
                                ),
                                false,
                            ),
                            _ if d.attempts > 0 => (
                                format!(
                                    "{via}{}{}{}",
                                    l.t(" 待重试（已尝试 ", " to be tried again (tried "),
                                    d.attempts,
                                    l.t(" 次）", " times)")
                                ),
                                false,
                            ),
                            _ => (
                                format!("{via}{}", l.t(" 待发送", " waiting to be sent")),
                                false,
                            ),
                        }
                    })
                    .collect(),
            };
            Some(MessageLine {
                day: m.day.to_string(),
                words: kind.words(l),
                deliveries,
            })
        })
        .collect()
}
