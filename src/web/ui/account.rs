//! Signing in and out, the one-time sign-in link, and one's own account:
//! profile, password, API tokens and sessions.

use super::Form;
use crate::domain::accounts::{self, PasswordProblem, SignInError};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::web::pages::render;
use crate::web::viewer::{
    CSRF_COOKIE, SESSION_COOKIE, SignedIn, Viewer, cookie_header, safe_next, see_other,
};
use crate::web::views::{Layout, shown_name};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form's token: the `csrf` cookie's, or a new one (set by
/// the answer).
fn ensure_csrf(viewer: &mut Viewer) -> AppResult<Option<String>> {
    if viewer.csrf.is_empty() {
        viewer.csrf = accounts::secret()?;
        return Ok(Some(viewer.csrf.clone()));
    }
    Ok(None)
}

fn with_csrf_cookie(data: &Data, mut res: Response, new: Option<String>) -> Response {
    if let Some(token) = new {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(data, CSRF_COOKIE, &token, None),
        );
    }
    res
}

/// `GET /login`.
pub async fn login_page(
    data: Data,
    mut viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    if viewer.account.is_some() {
        return Ok(see_other(next.as_deref().unwrap_or("/me")));
    }
    let new = ensure_csrf(&mut viewer)?;
    let page = LoginPage {
        layout: Layout::new(&data, &viewer),
        username: String::new(),
        next: next.unwrap_or_default(),
        error: None,
    };
    Ok(with_csrf_cookie(&data, render(&page)?.into_response(), new))
}

/// `POST /login`: name and password; a session on success, the form again
/// saying what went wrong otherwise.
pub async fn login(data: Data, form: Form) -> AppResult<Response> {
    let lang = form.viewer.lang;
    let username = form.text("username");
    let next = safe_next(form.get("next"));
    let addr = crate::web::client_addr(&form.headers, &data.settings);
    let result = accounts::sign_in(
        &data.db,
        &username,
        &form.text("password"),
        &addr,
        &form.user_agent(),
        u64::from(data.settings.limits.login_failures_per_minute),
    )
    .await;
    let (status, error, retry) = match result {
        Ok(new) => {
            let mut res = see_other(next.as_deref().unwrap_or("/me"));
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie_header(
                    &data,
                    SESSION_COOKIE,
                    &new.secret,
                    Some(accounts::SESSION_DAYS * 86_400),
                ),
            );
            h.append(
                header::SET_COOKIE,
                cookie_header(&data, CSRF_COOKIE, "", Some(0)),
            );
            return Ok(res);
        }
        Err(SignInError::Wrong) => (StatusCode::UNAUTHORIZED, lang.t("login-wrong"), None),
        Err(SignInError::TooMany(secs)) => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.count("login-too-many", secs),
            Some(secs),
        ),
        Err(SignInError::Failed(e)) => return Err(e),
    };
    let page = LoginPage {
        layout: Layout::new(&data, &form.viewer),
        username,
        next: next.unwrap_or_default(),
        error: Some(error),
    };
    let mut res = (status, render(&page)?).into_response();
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(res)
}

/// `POST /logout`.
pub async fn logout(data: Data, form: Form) -> AppResult<Response> {
    if let Some(secret) = crate::web::i18n::cookie(&form.headers, SESSION_COOKIE) {
        accounts::sign_out(&data.db, secret).await?;
    }
    let mut res = see_other("/?done=signed-out");
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&data, SESSION_COOKIE, "", Some(0)),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "ui/once.html")]
struct OncePage {
    layout: Layout,
    /// The person the link is for; `None`: the link no longer works.
    name: Option<String>,
    expires: Option<DateTime<Utc>>,
    action: String,
    error: Option<String>,
}

/// `GET /login/once/{token}`: choose a password. Opening the link changes
/// nothing (link previews open links too); sending the form uses it.
pub async fn once_page(
    data: Data,
    mut viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = accounts::login_link_person(&data.db, &token).await?;
    let new = ensure_csrf(&mut viewer)?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = OncePage {
        layout: Layout::new(&data, &viewer),
        name: found.as_ref().map(|(p, _)| p.username.clone()),
        expires: found.map(|(_, e)| e),
        action: format!("/login/once/{token}"),
        error: None,
    };
    Ok(with_csrf_cookie(
        &data,
        (status, render(&page)?).into_response(),
        new,
    ))
}

/// `POST /login/once/{token}`: set the password and sign in.
pub async fn once(data: Data, Path(token): Path<String>, form: Form) -> AppResult<Response> {
    let lang = form.viewer.lang;
    let pw = form.text("password");
    let error = if pw != form.text("again") {
        Some(lang.t("password-mismatch"))
    } else {
        accounts::password_problem(&pw).map(|p| password_problem_text(lang, p))
    };
    let used = match error {
        Some(_) => None,
        None => accounts::use_login_link(&data.db, &token, &pw, &form.user_agent()).await?,
    };
    if let Some(new) = used {
        let mut res = see_other("/me?done=password-set");
        let h = res.headers_mut();
        h.append(
            header::SET_COOKIE,
            cookie_header(
                &data,
                SESSION_COOKIE,
                &new.secret,
                Some(accounts::SESSION_DAYS * 86_400),
            ),
        );
        h.append(
            header::SET_COOKIE,
            cookie_header(&data, CSRF_COOKIE, "", Some(0)),
        );
        return Ok(res);
    }
    let found = accounts::login_link_person(&data.db, &token).await?;
    let status = match (&error, &found) {
        (_, None) => StatusCode::GONE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = OncePage {
        layout: Layout::new(&data, &form.viewer),
        name: found.as_ref().map(|(p, _)| p.username.clone()),
        expires: found.map(|(_, e)| e),
        action: format!("/login/once/{token}"),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

fn password_problem_text(lang: crate::web::i18n::Lang, p: PasswordProblem) -> String {
    match p {
        PasswordProblem::TooShort => {
            lang.count("password-too-short", accounts::PASSWORD_MIN as u64)
        }
        PasswordProblem::TooLong => lang.count("password-too-long", accounts::PASSWORD_MAX as u64),
    }
}

/// A community one holds a role in.
pub struct MyCommunity {
    pub title: String,
    pub url: String,
    /// The role's message (`role-…`).
    pub role: String,
}

pub struct TokenRow {
    pub id: i64,
    pub label: Option<String>,
    pub created: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "ui/me.html")]
struct MePage {
    layout: Layout,
    name: String,
    handle: String,
    url: String,
    display_name: String,
    bio: String,
    has_password: bool,
    communities: Vec<MyCommunity>,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    new_token: Option<String>,
    sessions: usize,
    errors: Vec<String>,
}

async fn me_page(
    data: &Data,
    viewer: &Viewer,
    person: &entity::actor::Model,
    new_token: Option<String>,
    errors: Vec<String>,
) -> AppResult<MePage> {
    use sea_orm::ActiveEnum;
    let memberships = crate::domain::governance::members::memberships_of(&data.db, person).await?;
    let communities = memberships
        .iter()
        .map(|(c, role)| MyCommunity {
            title: shown_name(c),
            url: c.ap_id.clone(),
            role: format!("role-{}", role.to_value()),
        })
        .collect();
    Ok(MePage {
        layout: Layout::new(data, viewer),
        name: person.username.clone(),
        handle: format!("@{}@{}", person.username, data.settings.server.domain),
        url: person.ap_id.clone(),
        display_name: person.display_name.clone().unwrap_or_default(),
        bio: person.summary.clone().unwrap_or_default(),
        has_password: accounts::has_password(&data.db, person).await?,
        communities,
        tokens: crate::domain::auth::tokens(&data.db, person)
            .await?
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                label: t.label,
                created: t.created_at,
            })
            .collect(),
        new_token,
        sessions: accounts::sessions(&data.db, person).await?.len(),
        errors,
    })
}

/// `GET /me`: one's account.
pub async fn me(data: Data, signed: SignedIn) -> AppResult<Response> {
    let page = me_page(&data, &signed.viewer, &signed.person, None, Vec::new()).await?;
    Ok(render(&page)?.into_response())
}

/// `POST /me/profile`: display name and bio.
pub async fn profile(data: Data, form: Form) -> AppResult<Response> {
    let Some(person) = form.viewer.person().cloned() else {
        return Ok(see_other("/login?next=/me"));
    };
    let changes = crate::domain::governance::settings::ProfileChanges {
        display_name: Some(Some(form.text("display_name"))),
        bio: Some(Some(form.text("bio"))),
        avatar: None,
    };
    match crate::domain::governance::settings::update_profile(&data, &person, &person, changes)
        .await
    {
        Ok(_) => Ok(see_other("/me?done=profile-saved")),
        Err(AppError::Unprocessable(fields)) => {
            let lang = form.viewer.lang;
            let errors = fields
                .keys()
                .map(|f| match f.as_str() {
                    "display_name" => lang.count("profile-name-too-long", 100),
                    _ => lang.count("profile-bio-too-long", crate::content::SUMMARY_MAX as u64),
                })
                .collect();
            let page = me_page(&data, &form.viewer, &person, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /me/password`: the current password (when there is one) and the
/// new one twice. Other sessions end.
pub async fn password(data: Data, form: Form) -> AppResult<Response> {
    let Some(person) = form.viewer.person().cloned() else {
        return Ok(see_other("/login?next=/me"));
    };
    let lang = form.viewer.lang;
    let pw = form.text("password");
    let error = if accounts::has_password(&data.db, &person).await?
        && !accounts::check_password(&data.db, &person, &form.text("current")).await?
    {
        Some(lang.t("password-current-wrong"))
    } else if pw != form.text("again") {
        Some(lang.t("password-mismatch"))
    } else {
        accounts::password_problem(&pw).map(|p| password_problem_text(lang, p))
    };
    if let Some(e) = error {
        let page = me_page(&data, &form.viewer, &person, None, vec![e]).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let keep = form.viewer.account.as_ref().map(|a| a.session_id);
    accounts::set_password(&data.db, &person, &pw, keep).await?;
    Ok(see_other("/me?done=password-changed"))
}

/// `POST /me/tokens`: a new API token, shown once on the page.
pub async fn create_token(data: Data, form: Form) -> AppResult<Response> {
    let Some(person) = form.viewer.person().cloned() else {
        return Ok(see_other("/login?next=/me"));
    };
    let label = form.text("label");
    let token = crate::domain::auth::create_labelled_token(&data.db, &person, Some(&label)).await?;
    let mut page = me_page(&data, &form.viewer, &person, Some(token), Vec::new()).await?;
    page.layout.notice = Some(form.viewer.lang.t("done-token-created"));
    let mut res = render(&page)?.into_response();
    // The token is in this page: no cache keeps it.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `POST /me/tokens/{id}/revoke`.
pub async fn revoke_token(data: Data, Path(id): Path<i64>, form: Form) -> AppResult<Response> {
    let Some(person) = form.viewer.person().cloned() else {
        return Ok(see_other("/login?next=/me"));
    };
    crate::domain::auth::revoke_token(&data.db, &person, id).await?;
    Ok(see_other("/me?done=token-revoked#tokens"))
}

/// `POST /me/sessions/end`: sign out everywhere but here.
pub async fn end_other_sessions(data: Data, form: Form) -> AppResult<Response> {
    let Some(account) = form.viewer.account.as_ref() else {
        return Ok(see_other("/login?next=/me"));
    };
    accounts::end_other_sessions(&data.db, &account.person, account.session_id).await?;
    Ok(see_other("/me?done=sessions-ended#sessions"))
}
