//! Why a request about an application is refused, and the longest text a person may write on
//! one: shared by the casework and the procedure's rules (at the bottom of `app`, importing
//! nothing of it).

use rules::Msg;

/// Longest note, reason or reply a person may write on an application.
pub const NOTE_LIMIT: usize = 2000;

/// Why a request is refused: invalid as asked (the officer can correct the form), or in
/// conflict with the application's state (nothing the form can change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Invalid(Msg),
    Conflict(Msg),
}

impl Refused {
    pub(crate) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refused {
        Refused::Invalid(Msg::new(zh, en))
    }

    pub fn msg(&self) -> &Msg {
        match self {
            Refused::Invalid(m) | Refused::Conflict(m) => m,
        }
    }
}
