//! The one error type of the application and its HTTP rendering.
//!
//! 4xx bodies say what was wrong; 5xx bodies are generic and the cause is logged
//! once, here.

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
    /// A remote server failed us (fetch, WebFinger): 502.
    #[error("{0}")]
    BadGateway(String),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
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
            AppError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<activitypub_federation::error::Error> for AppError {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as F;
        match e {
            F::NotFound => AppError::NotFound("object not found".into()),
            F::ObjectDeleted(u) => AppError::BadGateway(format!("{u} was deleted")),
            F::UrlVerificationError(m) => AppError::BadRequest(format!("URL refused: {m}")),
            F::WebfingerResolveFailed(w) => AppError::BadGateway(format!("WebFinger failed: {w}")),
            other => AppError::BadGateway(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            AppError::Unprocessable(fields) => {
                json!({"error": "invalid request body", "fields": fields})
            }
            AppError::Database(e) => {
                tracing::error!(error = %e, "database error");
                json!({"error": "internal server error"})
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                json!({"error": "internal server error"})
            }
            other => json!({"error": other.to_string()}),
        };
        let mut res = (status, Json(body)).into_response();
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
