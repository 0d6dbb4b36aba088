//! The one error type that crosses the wire: server functions return it, the JSON API renders
//! it as `{"error": {"code", "message", "field"}}`, and each variant has one HTTP status.

use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::{
    access::AccessError,
    errors::{FieldError, Refused},
    patch_request::ChangeError,
    triage::TriageError,
    version::VersionError,
};

/// What went wrong, phrased for the person who asked. Internal details are logged on the
/// server where the error is made and never put in a variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// Input that does not parse; `field` names the form field or JSON key.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// A whole form with several fields wrong, each with its message.
    #[error("{}", .errors.first().map(|e| e.message.as_str()).unwrap_or("the form has errors"))]
    InvalidForm { errors: Vec<FieldError> },
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("sign in to do this")]
    Unauthenticated,
    /// The same answer for an unknown name and a wrong password.
    #[error("that name and password do not match an account")]
    BadCredentials,
    #[error("{message}")]
    Forbidden { message: String },
    /// The request contradicts what is stored (a promotion of an unqualified build, …).
    #[error("{message}")]
    Conflict { message: String },
    #[error("too many attempts: try again in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    /// Too much of a bounded resource (password hashing) is in use right now.
    #[error("the server is busy: try again in {retry_after} seconds")]
    Busy { retry_after: u64 },
    #[error("the request body is larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: u64 },
    #[error("GitHub is unavailable: {message}")]
    GitHubUnavailable { message: String },
    /// The browser could not reach the server (or read its answer).
    #[error("the server could not be reached: {message}")]
    Unreachable { message: String },
    #[error("something went wrong on our side; it has been logged")]
    Internal,
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: Some(field.into()), message: message.into() }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden { message: message.into() }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into() }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } | Self::InvalidForm { .. } => 400,
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::TooLarge { .. } => 413,
            Self::TooManyRequests { .. } => 429,
            Self::Internal => 500,
            Self::Busy { .. } => 503,
            Self::GitHubUnavailable { .. } | Self::Unreachable { .. } => 502,
        }
    }

    /// The stable machine-readable code (the serde tag).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid",
            Self::InvalidForm { .. } => "invalid_form",
            Self::NotFound { .. } => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials => "bad_credentials",
            Self::Forbidden { .. } => "forbidden",
            Self::Conflict { .. } => "conflict",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::TooLarge { .. } => "too_large",
            Self::Busy { .. } => "busy",
            Self::GitHubUnavailable { .. } => "github_unavailable",
            Self::Unreachable { .. } => "unreachable",
            Self::Internal => "internal",
        }
    }

    /// Seconds the client should wait before trying again, when waiting helps.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after } | Self::Busy { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// The form field this error belongs next to, if any (the first, for a whole form).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => field.as_deref(),
            Self::InvalidForm { errors } => errors.first().map(|e| e.field.as_str()),
            _ => None,
        }
    }

    /// The message for `field`, when this error is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            Self::InvalidForm { errors } => errors.iter().find(|e| e.field == field).map(|e| e.message.clone()),
            _ => (self.field() == Some(field)).then(|| self.to_string()),
        }
    }

    /// Every field error, for forms that show them all at once.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::InvalidForm { errors } => errors.clone(),
            Self::Invalid { field: Some(field), message } => {
                vec![FieldError { field: field.clone(), message: message.clone() }]
            }
            _ => Vec::new(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request never arrived or its answer could not be read.
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => Self::Unreachable { message: m },
            // Arguments that do not decode are the caller's mistake, not ours.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                Self::Invalid { field: None, message: format!("the request could not be read: {m}") }
            }
            ServerFnErrorErr::MissingArg(m) => {
                Self::Invalid { field: Some(m.clone()), message: format!("{m} is required") }
            }
            _ => Self::Internal,
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        match value {
            ServerFnError::Request(m) | ServerFnError::Response(m) => Self::Unreachable { message: m },
            ServerFnError::Args(m) | ServerFnError::Deserialization(m) => Self::Invalid { field: None, message: m },
            _ => Self::Internal,
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::InvalidForm { errors }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Invalid { field: Some(e.field), message: e.message }
    }
}

impl From<Refused> for AppError {
    fn from(e: Refused) -> Self {
        Self::Conflict { message: e.0 }
    }
}

impl From<AccessError> for AppError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Unauthenticated => Self::Unauthenticated,
            AccessError::Forbidden { .. } => Self::Forbidden { message: e.to_string() },
        }
    }
}

impl From<TriageError> for AppError {
    fn from(e: TriageError) -> Self {
        match e {
            TriageError::Invalid(f) => f.into(),
            TriageError::Refused(r) => r.into(),
            TriageError::UnknownLine { line } => Self::not_found(format!("line {line} of this request")),
        }
    }
}

impl From<ChangeError> for AppError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Invalid(f) => f.into(),
            ChangeError::Refused(r) => r.into(),
        }
    }
}

impl From<VersionError> for AppError {
    fn from(value: VersionError) -> Self {
        Self::Invalid { field: Some("version".into()), message: value.to_string() }
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field error of a form, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fields: Vec<FieldError>,
}

impl From<&AppError> for ErrorBody {
    fn from(e: &AppError) -> Self {
        let code = match e {
            // One code for "your input is wrong", however many fields.
            AppError::InvalidForm { .. } => "invalid",
            _ => e.code(),
        };
        Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message: e.to_string(),
                field: e.field().map(ToOwned::to_owned),
                fields: match e {
                    AppError::InvalidForm { errors } => errors.clone(),
                    _ => Vec::new(),
                },
            },
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        Json,
        response::{IntoResponse, Response},
    };
    use http::{HeaderValue, StatusCode, header::RETRY_AFTER};

    use super::{AppError, ErrorBody};

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, Json(ErrorBody::from(&self))).into_response();
            if let Some(retry_after) = self.retry_after() {
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after));
            }
            response
        }
    }

    impl From<sqlx::Error> for AppError {
        /// Logs the failure with the place of the `?` that converted it, which names the store
        /// call that failed; the caller only learns that something went wrong on our side.
        #[track_caller]
        fn from(e: sqlx::Error) -> Self {
            let at = std::panic::Location::caller();
            tracing::error!(error = %e, at = %format_args!("{}:{}", at.file(), at.line()), "database error");
            Self::Internal
        }
    }

    impl From<sqlx::migrate::MigrateError> for AppError {
        fn from(e: sqlx::migrate::MigrateError) -> Self {
            tracing::error!(error = %e, "migration error");
            Self::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_client_or_server_status() {
        assert_eq!(AppError::invalid("title", "required").status(), 400);
        assert_eq!(AppError::not_found("release 9.9.9").status(), 404);
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::forbidden("managers only").status(), 403);
        assert_eq!(AppError::conflict("already promoted").status(), 409);
        assert_eq!(AppError::TooManyRequests { retry_after: 3 }.status(), 429);
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn errors_round_trip_through_json_with_their_code() {
        let e = AppError::invalid("bug_link", "must be an http(s) URL");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid");
        assert_eq!(json["field"], "bug_link");
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.message_for("bug_link").as_deref(), Some("must be an http(s) URL"));
        assert_eq!(back.message_for("title"), None);
    }

    #[test]
    fn every_kind_of_error_has_one_json_body() {
        let errors = [
            AppError::invalid("bug_link", "must be an http:// or https:// link"),
            AppError::from(vec![
                FieldError::new("title", "a title is required"),
                FieldError::new("targets", "tick at least one line the bug affects"),
            ]),
            AppError::not_found("Release “9.9.9”"),
            AppError::Unauthenticated,
            AppError::forbidden("only release managers may do this"),
            AppError::conflict("1.13.0 has shipped already"),
            AppError::TooManyRequests { retry_after: 42 },
            AppError::TooLarge { limit_bytes: 262144 },
            AppError::Busy { retry_after: 1 },
            AppError::Internal,
        ];
        let bodies: Vec<(u16, ErrorBody)> = errors.iter().map(|e| (e.status(), ErrorBody::from(e))).collect();
        insta::assert_json_snapshot!(bodies);
    }

    #[test]
    fn the_api_body_names_code_message_and_field() {
        let body = serde_json::to_value(ErrorBody::from(&AppError::not_found("line 9.9"))).unwrap();
        assert_eq!(body, serde_json::json!({"error": {"code": "not_found", "message": "line 9.9 was not found"}}));
    }
}
