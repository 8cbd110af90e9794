//! The JSON API under `/api/v1`, authenticated with `Authorization: Bearer`.

use crate::domain::actors::{LocalKind, get_local};
use crate::domain::articles::{ArticleInput, publish};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entity::actor;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// The largest API request body.
pub const MAX_BODY: usize = 1024 * 1024;

pub fn routes() -> Router {
    Router::new()
        .route("/api/v1/communities/{name}/articles", post(create_article))
        .route(
            "/api/v1/communities/{name}/announcements",
            post(create_announcement),
        )
        .route(
            "/api/v1/articles/{uuid}",
            get(get_article).patch(patch_article).delete(delete_article),
        )
        .route("/api/v1/communities/{name}/follows", post(follow))
        .route("/api/v1/communities/{name}/followers", get(followers))
        .route("/api/v1/communities/{name}/following", get(following))
        .route("/api/v1/communities/{name}/network", get(network))
        .route("/api/v1/openapi.json", get(openapi))
        .route(
            "/api/v1/articles/{uuid}/comments",
            get(article_comments).post(post_comment),
        )
        .route(
            "/api/v1/communities/{name}",
            get(community_settings).patch(patch_community),
        )
        .route(
            "/api/v1/communities/{name}/comments",
            get(community_comments),
        )
        .route(
            "/api/v1/communities/{name}/moderation",
            get(moderation_log).post(moderate),
        )
        .route("/api/v1/communities/{name}/shares", post(share))
        .route(
            "/api/v1/comments/{uuid}",
            axum::routing::delete(delete_comment),
        )
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/admin/deliveries", get(deliveries_status))
        .route("/api/v1/admin/deliveries/retry", post(deliveries_retry))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The local person behind the bearer token. Every API call comes through
/// here or [`limit`], which count it against the client's rate.
async fn bearer(data: &Data, headers: &HeaderMap) -> AppResult<actor::Model> {
    limit(data, headers)?;
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("missing `Authorization: Bearer <token>` header; create a token with `peerpress token create USER`".into()))?
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is not text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
        })?;
    crate::domain::auth::authenticate(&data.db, token).await
}

/// Count an API request against its client address.
fn limit(data: &Data, headers: &HeaderMap) -> AppResult<()> {
    let client = super::client_addr(headers, &data.settings);
    data.limiter
        .check(
            &format!("api:{client}"),
            data.settings.limits.api_per_address_per_minute,
        )
        .map_err(|secs| crate::ratelimit::too_many(&client, secs))
}

/// A JSON object from a request body, or a 415/400 saying what is wrong.
fn json_body(headers: &HeaderMap, body: &[u8]) -> AppResult<Value> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(AppError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    Ok(v)
}

fn actor_view(a: &actor::Model) -> Value {
    json!({
        "id": a.ap_id,
        "handle": format!("{}@{}", a.username, a.host),
        "name": a.display_name,
        "type": a.kind,
    })
}

/// The API's view of an article.
pub fn article_json(v: &crate::domain::articles::ArticleView) -> Value {
    let a = &v.article;
    json!({
        "id": a.ap_id,
        "uuid": a.uuid,
        "type": if a.kind == "note" { "announcement" } else { "article" },
        "url": a.url,
        "title": a.title,
        "summary": a.summary,
        "body": a.source_md,
        "language": a.language,
        "licence": a.licence,
        "tags": v.tags,
        "draft": a.draft,
        "published": a.published,
        "updated": a.updated,
        "community": v.community.as_ref().map(|c| c.ap_id.clone()),
        "authors": v.authors.iter().map(|p| p.ap_id.clone()).collect::<Vec<_>>(),
    })
}

async fn create_article(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let input = ArticleInput::from_json(&json_body(&headers, &body)?)?;
    let view = publish(&data, &community, &person, input).await?;
    Ok((StatusCode::CREATED, Json(article_json(&view))).into_response())
}

async fn create_announcement(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let v = json_body(&headers, &body)?;
    if let Some(extra) = v.as_object().and_then(|o| o.keys().find(|k| *k != "body")) {
        return Err(AppError::unprocessable(
            extra,
            "unknown field; announcements have only `body`",
        ));
    }
    let text = match v.get("body") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(AppError::unprocessable(
                "body",
                "required: the announcement as Markdown",
            ));
        }
    };
    let view = crate::domain::articles::announce(&data, &community, &person, &text).await?;
    Ok((StatusCode::CREATED, Json(article_json(&view))).into_response())
}

async fn get_article(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    if a.draft {
        // Drafts are visible to their authors only.
        let person = bearer(&data, &headers).await?;
        let view = crate::domain::articles::load_view(&data.db, a).await?;
        if !view.authors.iter().any(|p| p.id == person.id) {
            return Err(AppError::NotFound(format!("no article {uuid} here")));
        }
        return Ok(Json(article_json(&view)));
    }
    Ok(Json(article_json(
        &crate::domain::articles::load_view(&data.db, a).await?,
    )))
}

async fn patch_article(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let input = ArticleInput::patch_from_json(&json_body(&headers, &body)?)?;
    let view = crate::domain::articles::edit(&data, &person, &uuid, input).await?;
    Ok(Json(article_json(&view)))
}

async fn delete_article(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    crate::domain::articles::delete(&data, &person, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn follow(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    crate::domain::actors::require_role(
        &data.db,
        &community,
        &person,
        &[
            crate::domain::actors::Role::Steward,
            crate::domain::actors::Role::Editor,
        ],
        "follow for it",
    )
    .await?;
    let v = json_body(&headers, &body)?;
    let target = match v.get("target") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(AppError::unprocessable(
                "target",
                "required: `name@host` or an actor URL",
            ));
        }
    };
    let remote = crate::federation::resolve_actor(&data, &target).await?;
    if remote.model.local {
        return Err(AppError::unprocessable(
            "target",
            "that actor is on this instance",
        ));
    }
    let row = crate::domain::follows::start_following(&data, &community, &remote.model).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "target": actor_view(&remote.model),
            "state": if row.accepted { "accepted" } else { "pending" },
        })),
    )
        .into_response())
}

async fn followers(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Value>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::followers(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

async fn following(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Value>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::following(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

fn list(rows: Vec<(actor::Model, bool)>) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .map(|(a, accepted)| {
            let mut v = actor_view(a);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "state".into(),
                    json!(if *accepted { "accepted" } else { "pending" }),
                );
            }
            v
        })
        .collect();
    json!({"total": items.len(), "items": items})
}

async fn network(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::remote::network(&data.db, &community, 50).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|v| {
            let a = &v.article;
            json!({
                "id": a.ap_id,
                "title": a.title,
                "summary": a.summary,
                "url": a.url.as_ref().unwrap_or(&a.ap_id),
                "licence": a.licence,
                "language": a.language,
                "published": a.published,
                "updated": a.updated,
                "author": v.authors.first().map(actor_view),
                "authors": v.authors.iter().map(actor_view).collect::<Vec<_>>(),
                "community": v.community.as_ref().map(actor_view),
                "kind": a.kind,
                "start_time": a.start_time,
                "end_time": a.end_time,
                "location": a.location,
            })
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// The person an API request is made by (`Authorization: Bearer <token>`),
/// counted against the client's rate; a 401 saying what is missing
/// otherwise.
pub struct Auth(pub actor::Model);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        let data = Data::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::internal(why))?;
        bearer(&data, &parts.headers).await.map(Auth)
    }
}

/// An instance admin's request; 403 for anyone else.
pub struct Admin(pub actor::Model);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        let Auth(person) = Auth::from_request_parts(parts, state).await?;
        if !person.admin {
            return Err(AppError::Forbidden("instance admins only".into()));
        }
        Ok(Admin(person))
    }
}

async fn deliveries_status(data: Data, Admin(_admin): Admin) -> AppResult<Json<Value>> {
    let s = crate::delivery::status::status(&data).await?;
    Ok(Json(serde_json::to_value(s).map_err(AppError::internal)?))
}

async fn deliveries_retry(
    data: Data,
    headers: HeaderMap,
    Admin(_admin): Admin,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let v = json_body(&headers, &body)?;
    let host = match v.get("host") {
        Some(Value::String(h)) if !h.trim().is_empty() => h.trim().to_string(),
        _ => {
            return Err(AppError::unprocessable(
                "host",
                "required: the host (and port) to retry, e.g. mastodon.example",
            ));
        }
    };
    let n = crate::delivery::health::retry_now(&data, &host).await?;
    Ok(Json(json!({"host": host, "due_now": n})))
}

/// The OpenAPI description of this API.
async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn article_comments(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.draft {
        return Err(AppError::NotFound(format!("no article {uuid} here")));
    }
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let items: Vec<Value> = crate::domain::comments::of_article(&data.db, a.id, 500)
        .await?
        .iter()
        .map(|(c, author)| comment_json(c, author.as_ref()))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

fn comment_json(c: &entity::comment::Model, author: Option<&actor::Model>) -> Value {
    let list = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!([]));
    json!({
        "id": c.ap_id,
        "in_reply_to": c.in_reply_to,
        "content": c.content_html,
        "state": sea_orm::ActiveEnum::to_value(&c.state),
        "visibility": c.visibility,
        "content_warning": c.summary,
        "sensitive": c.sensitive,
        "language": c.language,
        "attachments": list(&c.attachments),
        "mentions": list(&c.mentions),
        "hashtags": list(&c.hashtags),
        "url": c.url,
        "local": c.local,
        "published": c.published,
        "updated": c.updated,
        "author": author.map(actor_view),
    })
}

/// `GET /api/v1/inbox`: the caller's private replies (followers-only and
/// direct replies that address them, never shown elsewhere) and the shown
/// comments that mention them, newest first.
async fn inbox(data: Data, Auth(person): Auth) -> AppResult<Json<Value>> {
    let items: Vec<Value> = crate::domain::comments::inbox_of(&data.db, &person, 200)
        .await?
        .iter()
        .map(|(c, a)| comment_json(c, a.as_ref()))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// A string field of a request body, if present.
fn opt_str<'a>(v: &'a Value, field: &str) -> AppResult<Option<&'a str>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(AppError::unprocessable(field, "must be a string")),
    }
}

/// `POST /api/v1/articles/{uuid}/comments {body, in_reply_to?}`: a member
/// comments (Markdown); `in_reply_to` is the article (the default) or a
/// comment under it.
async fn post_comment(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let v = json_body(&headers, &body)?;
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.draft {
        return Err(AppError::NotFound(format!("no article {uuid} here")));
    }
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let text = opt_str(&v, "body")?.unwrap_or("");
    let parent = opt_str(&v, "in_reply_to")?;
    let visibility = match opt_str(&v, "visibility")? {
        None | Some("public") => crate::domain::comments::Visibility::Public,
        Some("unlisted") => crate::domain::comments::Visibility::Unlisted,
        Some(_) => {
            return Err(AppError::unprocessable(
                "visibility",
                "one of: public, unlisted (a comment is always shown under the article)",
            ));
        }
    };
    let c =
        crate::domain::comments::post_local(&data, &person, &a, text, parent, visibility).await?;
    Ok((StatusCode::CREATED, Json(comment_json(&c, Some(&person)))).into_response())
}

/// `DELETE /api/v1/comments/{uuid}`: its author (or a moderator) deletes a
/// local comment.
async fn delete_comment(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    let id = data.url(&format!("/comments/{uuid}"));
    crate::domain::comments::delete_local(&data, &person, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn community_json(c: &actor::Model) -> Value {
    json!({
        "id": c.ap_id,
        "name": c.username,
        "title": c.display_name,
        "summary": c.summary,
        "licence": c.licence.as_deref().unwrap_or(crate::content::licences::DEFAULT),
        "charter": c.charter,
        "comment_policy": c.comment_policy.as_deref().unwrap_or("open"),
    })
}

/// `GET /api/v1/communities/{name}`: public settings of a community.
async fn community_settings(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    Ok(Json(community_json(&community)))
}

/// `PATCH /api/v1/communities/{name} {comment_policy}` (stewards).
async fn patch_community(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let v = json_body(&headers, &body)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    if let Some(unknown) = v
        .as_object()
        .and_then(|o| o.keys().find(|k| k.as_str() != "comment_policy"))
    {
        return Err(AppError::unprocessable(
            unknown,
            "not a setting that can be changed here; settable: comment_policy",
        ));
    }
    let Some(policy) = opt_str(&v, "comment_policy")? else {
        return Err(AppError::unprocessable(
            "comment_policy",
            format!(
                "required: one of {}",
                crate::domain::comments::POLICIES.join(", ")
            ),
        ));
    };
    let saved = crate::domain::comments::set_policy(&data, &community, &person, policy).await?;
    Ok(Json(community_json(&saved)))
}

#[derive(serde::Deserialize)]
struct StateQuery {
    state: Option<String>,
}

/// `GET /api/v1/communities/{name}/comments?state=held|removed|accepted`:
/// the comments on the community's articles in a state, for moderators.
async fn community_comments(
    data: Data,
    Path(name): Path<String>,
    axum::extract::Query(q): axum::extract::Query<StateQuery>,
    Auth(person): Auth,
) -> AppResult<Json<Value>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    crate::domain::comments::may_moderate(&data.db, &community, &person).await?;
    use entity::comment::CommentState;
    let state = match q.state.as_deref().unwrap_or("held") {
        "held" => CommentState::Held,
        "accepted" => CommentState::Accepted,
        "removed" => CommentState::Removed,
        _ => {
            return Err(AppError::BadRequest(
                "state must be one of: held, accepted, removed".into(),
            ));
        }
    };
    let items: Vec<Value> = crate::domain::comments::in_state(&data.db, &community, state, 500)
        .await?
        .iter()
        .map(|(c, a)| comment_json(c, a.as_ref()))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// `POST /api/v1/communities/{name}/moderation {action, object, reason}`:
/// approve or remove a comment (stewards and moderators).
async fn moderate(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let v = json_body(&headers, &body)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let action = opt_str(&v, "action")?
        .ok_or_else(|| AppError::unprocessable("action", "required: approve or remove"))?;
    let decision = crate::domain::comments::Decision::parse(action)?;
    let object = opt_str(&v, "object")?
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| AppError::unprocessable("object", "required: the comment's id"))?;
    let reason = opt_str(&v, "reason")?.unwrap_or("").trim();
    if reason.chars().count() > 1000 {
        return Err(AppError::unprocessable("reason", "at most 1000 characters"));
    }
    let c = crate::domain::comments::moderate(&data, &community, &person, object, decision, reason)
        .await?;
    let author = entity::actor::Entity::find_by_id(c.author_id)
        .one(&data.db)
        .await?;
    Ok(Json(comment_json(&c, author.as_ref())))
}

/// `GET /api/v1/communities/{name}/moderation`: the public moderation log.
async fn moderation_log(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Value>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let items: Vec<Value> = crate::domain::comments::moderation_log(&data.db, &community, 200)
        .await?
        .iter()
        .map(|(r, who)| {
            json!({
                "action": r.action,
                "object": r.object_ap_id,
                "reason": r.reason,
                "moderator": who.as_ref().map(actor_view),
                "at": r.created_at,
            })
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// `POST /api/v1/communities/{name}/shares {object}`: the community
/// re-shares a remote article (editors and stewards).
async fn share(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
    Auth(person): Auth,
    body: Bytes,
) -> AppResult<Response> {
    let v = json_body(&headers, &body)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let object = opt_str(&v, "object")?
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| AppError::unprocessable("object", "required: the article's id (URL)"))?;
    crate::domain::shares::may_share(&data.db, &community, &person).await?;
    let url = crate::domain::shares::shareable(&data, object)?;
    // Always its current version, from its origin.
    let article = crate::federation::import::current(&data, &url).await?;
    let view = crate::domain::shares::share(&data, &community, article).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "object": view.article.ap_id,
            "title": view.article.title,
            "url": view.article.url,
            "licence": view.article.licence,
            "authors": view.authors.iter().map(actor_view).collect::<Vec<_>>(),
            "community": view.community.as_ref().map(actor_view),
        })),
    )
        .into_response())
}
