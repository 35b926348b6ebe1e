//! The two languages of everything people read (Chinese first, English equal), and a message
//! in both: the one shape every layer gives people's words in (policy problems, refusals of
//! files and forms, casework rules). There is no conversion from a bare string to a `Msg`, so
//! a message without Chinese does not compile.

use std::fmt;

/// The language of a page, a spreadsheet or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" | "zh-CN" | "zh-Hans" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
    /// The switch link's own label, in its language.
    pub fn switch_label(self) -> &'static str {
        match self.other() {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    /// The colon after a label: `：` in Chinese, `: ` in English.
    pub fn colon(self) -> &'static str {
        self.t("：", ": ")
    }
    /// Opening and closing brackets around an aside: `（…）` in Chinese, ` (…)` in English.
    pub fn open(self) -> &'static str {
        self.t("（", " (")
    }
    pub fn close(self) -> &'static str {
        self.t("）", ")")
    }
    pub fn en(self) -> bool {
        self == Lang::En
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The message in `lang`.
    pub fn t(&self, lang: Lang) -> &str {
        lang.t(&self.zh, &self.en)
    }
}

/// Both languages on one line, for logs and the command line: `中文 / English`.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}
