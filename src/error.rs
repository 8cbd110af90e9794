//! The one error type of the application and its HTTP rendering.
//!
//! 4xx bodies say what was wrong. 5xx bodies are generic: the cause (with
//! its source chain) travels in the response's extensions as
//! [`ErrorCause`] and is logged once, in the request's span, by the web
//! layer's tracing. A remote server's failure is a 502 whose body says what
//! we tried, never the other server's own error text.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("gone")]
    Gone,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 429, with the seconds for `Retry-After`.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// Invalid fields of a request body: field name → what is wrong.
    #[error("invalid fields: {0:?}")]
    Unprocessable(BTreeMap<String, String>),
    /// A remote server failed us (fetch, WebFinger): 502. The message is
    /// ours, for the client; the cause is only logged.
    #[error("{message}")]
    BadGateway { message: String, cause: String },
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// The cause of a 5xx or 502, for the request's log line (never sent).
#[derive(Clone, Debug)]
pub struct ErrorCause(pub String);

/// What an error response says to its client (the JSON body's `error`,
/// with the wrong fields of a 422), for the web layer to show browsers
/// in a page instead. Empty for 5xx, whose cause is never shown.
#[derive(Clone, Debug)]
pub struct ErrorMessage(pub String);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An internal error from anything printable (a message, an error whose
    /// source chain is not needed).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(anyhow::anyhow!("{e}"))
    }

    /// An internal error keeping its source chain.
    pub fn caused(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }

    /// A remote server failed: `message` for the client, `cause` for the log.
    pub fn bad_gateway(message: impl Into<String>, cause: impl std::fmt::Display) -> Self {
        AppError::BadGateway {
            message: message.into(),
            cause: cause.to_string(),
        }
    }

    pub fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        AppError::Unprocessable(BTreeMap::from([(field.to_string(), message.into())]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone => StatusCode::GONE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadGateway { .. } => StatusCode::BAD_GATEWAY,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<activitypub_federation::error::Error> for AppError {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as F;
        match e {
            F::NotFound => AppError::NotFound("object not found".into()),
            F::ObjectDeleted(u) => AppError::bad_gateway(format!("{u} was deleted"), "410 Gone"),
            F::UrlVerificationError(m) => AppError::BadRequest(format!("URL refused: {m}")),
            F::WebfingerResolveFailed(w) => {
                AppError::bad_gateway("the WebFinger lookup at that server failed", w)
            }
            other => AppError::bad_gateway(
                "the remote server could not be reached or did not answer as ActivityPub requires",
                other,
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (body, cause) = match &self {
            AppError::Unprocessable(fields) => (
                json!({"error": "invalid request body", "fields": fields}),
                None,
            ),
            AppError::Database(e) => (
                json!({"error": "internal server error"}),
                Some(format!("database: {e}")),
            ),
            AppError::Internal(e) => (
                json!({"error": "internal server error"}),
                Some(format!("{e:#}")),
            ),
            AppError::BadGateway { message, cause } => (
                json!({"error": message}),
                Some(format!("upstream: {cause}")),
            ),
            other => (json!({"error": other.to_string()}), None),
        };
        let message = match &self {
            AppError::Database(_) | AppError::Internal(_) => String::new(),
            AppError::Unprocessable(fields) => fields
                .iter()
                .map(|(f, why)| format!("{f}: {why}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        let mut res = (status, Json(body)).into_response();
        res.extensions_mut().insert(ErrorMessage(message));
        if let Some(cause) = cause {
            res.extensions_mut().insert(ErrorCause(cause));
        }
        if let AppError::TooManyRequests(_, secs) = &self
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer, Signature"),
            );
        }
        res
    }
}
