//! The two ways a rule says no: input that does not parse (named by its field, so a form can
//! show the message next to it) and a request that contradicts what is stored.

use serde::{Deserialize, Serialize};

/// A message that belongs next to one form field (or JSON key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// A rule of the train that does not hold for what was asked, with the reason in words a
/// person can act on ("1.13.0 has shipped already").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl Refused {
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}
