//! Comments: an article's, posting and deleting them, moderating them,
//! the moderation log and a person's inbox.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::actor;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

pub(super) async fn article_comments(
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

pub(super) fn comment_json(c: &entity::comment::Model, author: Option<&actor::Model>) -> Value {
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
pub(super) async fn inbox(data: Data, Auth(person): Auth) -> AppResult<Json<Value>> {
    let items: Vec<Value> = crate::domain::comments::inbox_of(&data.db, &person, 200)
        .await?
        .iter()
        .map(|(c, a)| comment_json(c, a.as_ref()))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// `POST /api/v1/articles/{uuid}/comments {body, in_reply_to?}`: a member
/// comments (Markdown); `in_reply_to` is the article (the default) or a
/// comment under it.
pub(super) async fn post_comment(
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
pub(super) async fn delete_comment(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    let id = data.url(&format!("/comments/{uuid}"));
    crate::domain::comments::delete_local(&data, &person, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
pub(super) struct StateQuery {
    state: Option<String>,
}

/// `GET /api/v1/communities/{name}/comments?state=held|removed|accepted`:
/// the comments on the community's articles in a state, for moderators.
pub(super) async fn community_comments(
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
pub(super) async fn moderate(
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
pub(super) async fn moderation_log(
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
