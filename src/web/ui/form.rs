//! Forms posted by browsers: read once, checked against cross-site forgery
//! before any handler sees them.
//!
//! Every form carries `_csrf`: the session's token once signed in, or the
//! `csrf` cookie's before (the sign-in forms). A form without it, with
//! another, or sent from another site (`Origin`) is refused with a page
//! saying so, and nothing is done.

use crate::context::AppContext;
use crate::web::viewer::Viewer;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The largest form (an article's text fits).
pub const MAX_FORM: usize = 2 * 1024 * 1024;

/// A posted form, its forgery check passed.
pub struct Form {
    pub viewer: Viewer,
    /// The request's headers (client address, user agent, cookies).
    pub headers: axum::http::HeaderMap,
    fields: Vec<(String, String)>,
}

impl Form {
    /// A field's value (the first, if repeated); absent is `None`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's value, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The browser, as it names itself.
    pub fn user_agent(&self) -> String {
        self.headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    /// Was this submit button pressed (or checkbox ticked)?
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Is the `Origin` (when the browser sent one) this site's?
fn same_origin(ctx: &AppContext, origin: Option<&str>) -> bool {
    match origin {
        None => true,
        Some(o) => o.trim_end_matches('/') == ctx.base_url().trim_end_matches('/'),
    }
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let data = crate::federation::Data::from_request_parts(&mut parts, state)
            .await
            .map_err(|(s, why)| (s, why).into_response())?;
        let ctx = data.app_data().clone();
        let viewer = Viewer::load(&parts, &ctx)
            .await
            .map_err(IntoResponse::into_response)?;
        let refuse = |viewer: &Viewer| {
            super::super::errors::page(
                &ctx,
                viewer,
                StatusCode::FORBIDDEN,
                &format!(
                    "<p>{}</p>",
                    html_escape::encode_text(&viewer.lang.t("form-refused"))
                ),
            )
            .unwrap_or_else(IntoResponse::into_response)
        };
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        if !same_origin(&ctx, origin) {
            return Err(refuse(&viewer));
        }
        let urlencoded = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(crate::error::AppError::UnsupportedMediaType(
                "a form is sent as application/x-www-form-urlencoded".into(),
            )
            .into_response());
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM).await.map_err(|_| {
            crate::error::AppError::PayloadTooLarge(format!("a form is at most {MAX_FORM} bytes"))
                .into_response()
        })?;
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let form = Form {
            viewer,
            headers: parts.headers,
            fields,
        };
        let sent = form.get("_csrf").unwrap_or("");
        if form.viewer.csrf.is_empty() || !same(sent, &form.viewer.csrf) {
            return Err(refuse(&form.viewer));
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_whole() {
        assert!(super::same("abc", "abc"));
        assert!(!super::same("abc", "abd"));
        assert!(!super::same("abc", "ab"));
        assert!(!super::same("", "a"));
    }
}
