//! Who is looking at a page, and in which language: what every HTML
//! handler needs besides the data it shows. A signed-in person is known by
//! the session cookie, whose session lives in the database (any process of
//! the instance knows it).

use super::i18n::{Lang, cookie};
use crate::context::AppContext;
use crate::error::AppResult;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use entity::actor;

/// The cookie holding a session's secret.
pub const SESSION_COOKIE: &str = "session";
/// Before signing in, the cookie holding the token the sign-in forms carry.
pub const CSRF_COOKIE: &str = "csrf";

/// A signed-in person and their session.
#[derive(Clone, Debug)]
pub struct Account {
    pub person: actor::Model,
    pub session_id: i64,
}

/// The reader of a page: the interface language, the address they are at
/// (for the language switch), and who they are when signed in.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub lang: Lang,
    /// The path and query of the page, without `lang=`.
    pub path: String,
    pub account: Option<Account>,
    /// The token this viewer's forms must carry: the session's, or before
    /// signing in the `csrf` cookie's (empty when there is none yet).
    pub csrf: String,
}

impl Viewer {
    /// The viewer without looking up a session (for pages that cannot
    /// wait for the database).
    pub fn of_parts(parts: &Parts) -> Viewer {
        let lang = parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or_else(|| Lang::of_request(parts.uri.query(), &parts.headers));
        Viewer {
            lang,
            path: without_lang(parts.uri.path(), parts.uri.query()),
            account: None,
            csrf: cookie(&parts.headers, CSRF_COOKIE)
                .filter(|v| v.len() == 64)
                .unwrap_or("")
                .to_string(),
        }
    }

    /// The viewer, signed in when the session cookie names a live session.
    pub async fn load(parts: &Parts, ctx: &AppContext) -> AppResult<Viewer> {
        Viewer::of_parts(parts).signed_in(&parts.headers, ctx).await
    }

    /// This viewer, signed in when `headers` carry a live session's cookie.
    pub async fn signed_in(mut self, headers: &HeaderMap, ctx: &AppContext) -> AppResult<Viewer> {
        let viewer = &mut self;
        if let Some(secret) = cookie(headers, SESSION_COOKIE)
            && let Some((session, person)) =
                crate::domain::accounts::session_of(&ctx.db, secret).await?
        {
            viewer.csrf = session.csrf;
            viewer.account = Some(Account {
                person,
                session_id: session.id,
            });
        }
        Ok(self)
    }

    pub fn person(&self) -> Option<&actor::Model> {
        self.account.as_ref().map(|a| &a.person)
    }
}

/// `path?query` without its `lang=` parameters.
fn without_lang(path: &str, query: Option<&str>) -> String {
    let rest: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if rest.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}

async fn context<S: Send + Sync>(parts: &mut Parts, state: &S) -> AppResult<AppContext> {
    let data = crate::federation::Data::from_request_parts(parts, state)
        .await
        .map_err(|(_, why)| crate::error::AppError::internal(why))?;
    Ok(data.app_data().clone())
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = crate::error::AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Self> {
        // Only a request with a session cookie costs a lookup.
        if cookie(&parts.headers, SESSION_COOKIE).is_none() {
            return Ok(Viewer::of_parts(parts));
        }
        let ctx = context(parts, state).await?;
        Viewer::load(parts, &ctx).await
    }
}

/// A signed-in viewer; anyone else is sent to the sign-in page, which
/// brings them back here.
pub struct SignedIn {
    pub viewer: Viewer,
    pub person: actor::Model,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let viewer = Viewer::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if let Some(a) = &viewer.account {
            let person = a.person.clone();
            return Ok(SignedIn { viewer, person });
        }
        let back = if parts.method == axum::http::Method::GET {
            viewer.path.clone()
        } else {
            // A form posted after the session ended: back to its page.
            referer_path(&parts.headers).unwrap_or_else(|| "/me".into())
        };
        Err(see_other(&format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
        )))
    }
}

/// The path of a same-site `Referer`.
fn referer_path(headers: &HeaderMap) -> Option<String> {
    let r = url::Url::parse(headers.get(header::REFERER)?.to_str().ok()?).ok()?;
    Some(match r.query() {
        Some(q) => format!("{}?{q}", r.path()),
        None => r.path().to_string(),
    })
}

/// `303 See Other` to a path of this site.
pub fn see_other(to: &str) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, super::http::location(to))],
    )
        .into_response()
}

/// A path to go back to after signing in: one of this site's, never
/// another's (`//evil.example`, `/\evil.example`).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    (n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 2000)
        .then(|| n.to_string())
}

/// A `Set-Cookie` value for this instance: HttpOnly, SameSite=Lax, Path=/,
/// Secure under https; `max_age` in seconds (none: until the browser
/// closes; 0: removes it).
pub fn cookie_header(
    ctx: &AppContext,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(secs) = max_age {
        c.push_str(&format!("; Max-Age={secs}"));
    }
    if ctx.base_url().starts_with("https://") {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static("invalid=1; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_switch_keeps_the_rest_of_the_query() {
        assert_eq!(
            super::without_lang("/c/x", Some("lang=fr&comments=2")),
            "/c/x?comments=2"
        );
        assert_eq!(super::without_lang("/c/x", Some("lang=fr")), "/c/x");
        assert_eq!(super::without_lang("/", None), "/");
    }

    #[test]
    fn only_local_paths_come_back_after_signing_in() {
        use super::safe_next;
        assert_eq!(
            safe_next(Some("/c/commons/write")).as_deref(),
            Some("/c/commons/write")
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }
}
