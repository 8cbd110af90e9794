//! Errors as browsers see them: a page in the site's look, in the
//! reader's language, with a way back. API and ActivityStreams clients keep
//! the JSON body of [`crate::error::AppError`].

use super::i18n::Lang;
use super::viewer::Viewer;
use super::views::Layout;
use crate::context::AppContext;
use crate::error::{AppResult, ErrorMessage};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub title: String,
    pub text: String,
    /// What the error said, in English (its `lang` says so), for a 4xx.
    pub detail: Option<String>,
    /// More, as safe HTML (a 410's reason).
    pub body_html: String,
    pub request_id: Option<String>,
}

/// The messages of a status: its title and what it means.
fn words(lang: Lang, status: StatusCode) -> (String, String) {
    let code = match status.as_u16() {
        c @ (400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 502) => c,
        c if c >= 500 => 500,
        _ => 400,
    };
    (
        lang.t(&format!("error-{code}-title")),
        lang.t(&format!("error-{code}-text")),
    )
}

/// An error page with `status`, and `body_html` (safe HTML) below the
/// status's own words.
pub fn page(
    ctx: &AppContext,
    viewer: &Viewer,
    status: StatusCode,
    body_html: &str,
) -> AppResult<Response> {
    render(ctx, viewer, status, None, body_html, None)
}

fn render(
    ctx: &AppContext,
    viewer: &Viewer,
    status: StatusCode,
    detail: Option<String>,
    body_html: &str,
    request_id: Option<String>,
) -> AppResult<Response> {
    let (title, text) = words(viewer.lang, status);
    let page = ErrorPage {
        layout: Layout::new(ctx, viewer),
        title,
        text,
        detail,
        body_html: body_html.to_string(),
        request_id,
    };
    Ok((status, super::pages::render(&page)?).into_response())
}

/// Does this request want a page rather than JSON? Everything but the
/// API, the machine endpoints and ActivityStreams or JSON clients.
pub fn wants_html(path: &str, headers: &HeaderMap) -> bool {
    let machine = path.starts_with("/api/")
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo")
        || path.ends_with("/inbox")
        || path.ends_with("/outbox")
        || path.ends_with(".json")
        || path.ends_with(".atom")
        || path.ends_with(".rss");
    if machine || super::wants_activity_json(headers) {
        return false;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // A JSON client that does not also take HTML keeps JSON.
    !accept.contains("application/json") || accept.contains("text/html")
}

/// The middleware: an error response a browser would get as JSON becomes
/// the error page.
pub async fn layer(State(ctx): State<AppContext>, req: Request, next: Next) -> Response {
    let html = wants_html(req.uri().path(), req.headers());
    let (parts, body) = req.into_parts();
    let viewer = Viewer::of_parts(&parts);
    let headers = parts.headers.clone();
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(Request::from_parts(parts, body)).await;
    if !html {
        return res;
    }
    let Some(ErrorMessage(message)) = res.extensions().get::<ErrorMessage>().cloned() else {
        return res;
    };
    let status = res.status();
    let detail = (!status.is_server_error() && !message.is_empty()).then_some(message);
    let request_id = status.is_server_error().then_some(request_id).flatten();
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    // The header shows who is signed in, as on every page.
    let viewer = match viewer.clone().signed_in(&headers, &ctx).await {
        Ok(v) => v,
        Err(_) => viewer,
    };
    match render(&ctx, &viewer, status, detail, "", request_id) {
        Ok(mut page) => {
            // The cause stays with the response, for the request's log line.
            if let Some(cause) = res.extensions().get::<crate::error::ErrorCause>() {
                page.extensions_mut().insert(cause.clone());
            }
            if let Some(v) = retry_after {
                page.headers_mut().insert(header::RETRY_AFTER, v);
            }
            page.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            page
        }
        Err(_) => res,
    }
}
