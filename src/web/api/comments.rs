//! Comments: an article's, posting and deleting them, moderating them,
//! the moderation log and a person's inbox.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use entity::actor;
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::{Value, json};

/// The shown comments of an article, oldest first.
#[utoipa::path(get, path = "/articles/{uuid}/comments", tag = "comments",
    security(()),
    params(("uuid" = String, Path, description = "The article's uuid")),
    responses(
        (status = 200, description = "Its comments", body = Page<CommentOut>),
        (status = 404, description = "No such article", body = ErrorOut),
        (status = 410, description = "Deleted", body = ErrorOut),
    ))]
pub(super) async fn article_comments(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Page<CommentOut>>> {
    limit(&data, &headers)?;
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.draft {
        return Err(AppError::NotFound(format!("no article {uuid} here")));
    }
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let items = crate::domain::comments::of_article(&data.db, a.id, 500)
        .await?
        .iter()
        .map(|(c, author)| comment_json(c, author.as_ref()))
        .collect();
    Ok(Json(Page::of(items)))
}

/// A comment as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    /// Its ActivityPub id.
    id: String,
    /// The article or comment it answers.
    in_reply_to: String,
    /// Sanitized HTML.
    content: String,
    /// `accepted`, `held`, `removed` or `private`.
    state: String,
    /// `public`, `unlisted`, `followers` or `direct`.
    visibility: String,
    content_warning: Option<String>,
    sensitive: bool,
    language: Option<String>,
    /// Media attached at its origin: `{url, media_type, name}`.
    attachments: Value,
    /// `{href, name}` of the actors it mentions.
    mentions: Value,
    hashtags: Value,
    url: Option<String>,
    local: bool,
    published: DateTime<Utc>,
    updated: Option<DateTime<Utc>>,
    author: Option<ActorOut>,
}

pub(super) fn comment_json(
    c: &entity::comment::Model,
    author: Option<&actor::Model>,
) -> CommentOut {
    let list = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!([]));
    CommentOut {
        id: c.ap_id.clone(),
        in_reply_to: c.in_reply_to.clone(),
        content: c.content_html.clone(),
        state: sea_orm::ActiveEnum::to_value(&c.state),
        visibility: c.visibility.clone(),
        content_warning: c.summary.clone(),
        sensitive: c.sensitive,
        language: c.language.clone(),
        attachments: list(&c.attachments),
        mentions: list(&c.mentions),
        hashtags: list(&c.hashtags),
        url: c.url.clone(),
        local: c.local,
        published: c.published,
        updated: c.updated,
        author: author.map(actor_view),
    }
}

/// `GET /api/v1/inbox`: the caller's private replies (followers-only and
/// direct replies that address them, never shown elsewhere) and the shown
/// comments that mention them, newest first.
#[utoipa::path(get, path = "/inbox", tag = "comments",
    responses(
        (status = 200, description = "Private replies and mentions of the caller", body = Page<CommentOut>),
        (status = 401, description = "No valid token", body = ErrorOut),
    ))]
pub(super) async fn inbox(data: Data, Auth(person): Auth) -> AppResult<Json<Page<CommentOut>>> {
    let items = crate::domain::comments::inbox_of(&data.db, &person, 200)
        .await?
        .iter()
        .map(|(c, a)| comment_json(c, a.as_ref()))
        .collect();
    Ok(Json(Page::of(items)))
}

/// A local comment.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct CommentBody {
    /// Markdown, at most 5000 characters.
    body: Option<String>,
    /// The article (the default) or a comment under it.
    in_reply_to: Option<String>,
    /// `public` (the default) or `unlisted`: a comment is always shown under
    /// the article; an unlisted one stays out of public timelines.
    visibility: Option<CommentVisibility>,
}

/// Who sees a local comment in their timelines; it is always shown under
/// the article.
#[derive(Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum CommentVisibility {
    Public,
    Unlisted,
}

impl Input for CommentBody {
    fn check(&self, problems: &mut Problems) {
        require(problems, "body", &self.body, "the comment as Markdown");
    }
}

/// Comment on an article (Markdown); `in_reply_to` is the article (the
/// default) or a comment under it.
#[utoipa::path(post, path = "/articles/{uuid}/comments", tag = "comments",
    params(("uuid" = String, Path, description = "The article's uuid")),
    request_body = CommentBody,
    responses(
        (status = 201, description = "Posted (or held for moderation)", body = CommentOut),
        (status = 403, description = "Comments are closed to the caller", body = ErrorOut),
        (status = 404, description = "No such article", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn post_comment(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
    Body(input): Body<CommentBody>,
) -> AppResult<(StatusCode, Json<CommentOut>)> {
    let a = crate::domain::articles::find_local(&data.db, &uuid).await?;
    if a.draft {
        return Err(AppError::NotFound(format!("no article {uuid} here")));
    }
    if a.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let text = input.body.unwrap_or_default();
    use crate::domain::comments::Visibility;
    let visibility = match input.visibility {
        None | Some(CommentVisibility::Public) => Visibility::Public,
        Some(CommentVisibility::Unlisted) => Visibility::Unlisted,
    };
    let c = crate::domain::comments::post_local(
        &data,
        &person,
        &a,
        &text,
        input.in_reply_to.as_deref(),
        visibility,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(comment_json(&c, Some(&person)))))
}

/// Its author (or a moderator) deletes a local comment; Delete federates.
#[utoipa::path(delete, path = "/comments/{uuid}", tag = "comments",
    params(("uuid" = String, Path, description = "The comment's uuid")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the caller's comment", body = ErrorOut),
        (status = 404, description = "No such comment", body = ErrorOut),
    ))]
pub(super) async fn delete_comment(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    let id = data.url(&format!("/comments/{uuid}"));
    crate::domain::comments::delete_local(&data, &person, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct StateQuery {
    /// `held` (the default), `accepted` or `removed`.
    state: Option<String>,
}

/// The comments on the community's articles in a state, for moderators.
#[utoipa::path(get, path = "/communities/{name}/comments", tag = "moderation",
    params(("name" = String, Path, description = "The community's name"), StateQuery),
    responses(
        (status = 200, description = "The comments in that state", body = Page<CommentOut>),
        (status = 400, description = "Unknown state", body = ErrorOut),
        (status = 403, description = "Not a moderator here", body = ErrorOut),
    ))]
pub(super) async fn community_comments(
    data: Data,
    Path(name): Path<String>,
    axum::extract::Query(q): axum::extract::Query<StateQuery>,
    Auth(person): Auth,
) -> AppResult<Json<Page<CommentOut>>> {
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
    let items = crate::domain::comments::in_state(&data.db, &community, state, 500)
        .await?
        .iter()
        .map(|(c, a)| comment_json(c, a.as_ref()))
        .collect();
    Ok(Json(Page::of(items)))
}

/// A moderator's decision on a comment.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ModerationBody {
    /// `approve` or `remove`.
    action: Option<String>,
    /// The comment's ActivityPub id.
    object: Option<String>,
    /// Why, for the public moderation log (at most 1000 characters).
    reason: Option<String>,
}

impl Input for ModerationBody {
    fn check(&self, problems: &mut Problems) {
        require(problems, "action", &self.action, "approve or remove");
        require(problems, "object", &self.object, "the comment's id");
        if self
            .reason
            .as_deref()
            .is_some_and(|r| r.trim().chars().count() > 1000)
        {
            problems.insert("reason".into(), "at most 1000 characters".into());
        }
    }
}

/// Approve or remove a comment (stewards and moderators); the decision is
/// logged publicly.
#[utoipa::path(post, path = "/communities/{name}/moderation", tag = "moderation",
    params(("name" = String, Path, description = "The community's name")),
    request_body = ModerationBody,
    responses(
        (status = 200, description = "The comment after the decision", body = CommentOut),
        (status = 403, description = "Not a moderator here", body = ErrorOut),
        (status = 404, description = "No such comment in this community", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn moderate(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(input): Body<ModerationBody>,
) -> AppResult<Json<CommentOut>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let decision =
        crate::domain::comments::Decision::parse(input.action.as_deref().unwrap_or_default())?;
    let object = input.object.as_deref().unwrap_or_default().trim();
    let reason = input.reason.as_deref().unwrap_or("").trim();
    let c = crate::domain::comments::moderate(&data, &community, &person, object, decision, reason)
        .await?;
    let author = entity::actor::Entity::find_by_id(c.author_id)
        .one(&data.db)
        .await?;
    Ok(Json(comment_json(&c, author.as_ref())))
}

/// The community's public moderation log, newest first.
#[utoipa::path(get, path = "/communities/{name}/moderation", tag = "moderation",
    security(()),
    params(("name" = String, Path, description = "The community's name")),
    responses(
        (status = 200, description = "The log", body = Page<crate::domain::governance::log::Entry>),
        (status = 404, description = "No such community", body = ErrorOut),
    ))]
pub(super) async fn moderation_log(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Page<crate::domain::governance::log::Entry>>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let items =
        crate::domain::governance::log::entries(&data.db, &data.settings, Some(&community), 200)
            .await?;
    Ok(Json(Page::of(items)))
}
