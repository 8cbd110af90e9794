//! `/api/v1/communities/{name}/articles`, `/announcements` and
//! `/api/v1/articles/{uuid}`: publishing, reading, editing, deleting.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::domain::articles::{ArticleInput, ArticleView, publish};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// An article or announcement as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    /// Its ActivityPub id.
    id: String,
    uuid: Option<String>,
    /// `article` or `announcement`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// Its page.
    url: Option<String>,
    title: String,
    summary: String,
    /// The Markdown source.
    body: Option<String>,
    language: Option<String>,
    licence: Option<String>,
    tags: Vec<String>,
    draft: bool,
    published: DateTime<Utc>,
    updated: Option<DateTime<Utc>>,
    /// A scheduled draft's publication time.
    publish_at: Option<DateTime<Utc>>,
    /// The community's ActivityPub id.
    community: Option<String>,
    /// The authors' ActivityPub ids, the first one first.
    authors: Vec<String>,
    /// The cover image, when it has one.
    cover: Option<super::media::MediaOut>,
    /// A draft's secret preview link: whoever has it may read the draft.
    preview_url: Option<String>,
}

pub fn article_json(data: &Data, v: &ArticleView) -> ArticleOut {
    let a = &v.article;
    ArticleOut {
        id: a.ap_id.clone(),
        uuid: a.uuid.clone(),
        kind: if a.kind == "note" {
            "announcement"
        } else {
            "article"
        },
        url: a.url.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        body: a.source_md.clone(),
        language: a.language.clone(),
        licence: a.licence.clone(),
        tags: v.tags.clone(),
        draft: a.draft,
        published: a.published,
        updated: a.updated,
        publish_at: a.publish_at,
        community: v.community.as_ref().map(|c| c.ap_id.clone()),
        authors: v.authors.iter().map(|p| p.ap_id.clone()).collect(),
        cover: v.cover.as_ref().map(|m| super::media_json(data, m)),
        preview_url: a
            .preview_token
            .as_ref()
            .filter(|_| a.draft)
            .map(|t| data.url(&format!("/preview/{t}"))),
    }
}

/// The preview link of a draft.
#[derive(Serialize, ToSchema)]
pub struct PreviewOut {
    /// Whoever has it may read the draft (not search engines).
    url: String,
}

/// A new secret preview link for a draft (the former one stops working).
#[utoipa::path(post, path = "/articles/{uuid}/preview", tag = "articles",
    params(("uuid" = String, Path, description = "The article's uuid")),
    responses(
        (status = 201, description = "The new link", body = PreviewOut),
        (status = 403, description = "Not allowed to edit it", body = ErrorOut),
        (status = 404, description = "No such article", body = ErrorOut),
        (status = 409, description = "Already published", body = ErrorOut),
    ))]
pub(super) async fn new_preview(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<(StatusCode, Json<PreviewOut>)> {
    let token = crate::domain::articles::preview_link(&data, &person, &uuid, true).await?;
    Ok((
        StatusCode::CREATED,
        Json(PreviewOut {
            url: data.url(&format!("/preview/{token}")),
        }),
    ))
}

/// Withdraw a draft's preview link.
#[utoipa::path(delete, path = "/articles/{uuid}/preview", tag = "articles",
    params(("uuid" = String, Path, description = "The article's uuid")),
    responses(
        (status = 204, description = "The link no longer works"),
        (status = 403, description = "Not allowed to edit it", body = ErrorOut),
        (status = 404, description = "No such article", body = ErrorOut),
    ))]
pub(super) async fn delete_preview(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    crate::domain::articles::revoke_preview(&data, &person, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new article: `title` and `body` required.
#[derive(Default, Deserialize)]
#[serde(transparent)]
pub(super) struct NewArticleBody(ArticleInput);

impl Input for NewArticleBody {
    fn check(&self, problems: &mut Problems) {
        for (field, why) in self.0.problems(true) {
            problems.entry(field).or_insert(why);
        }
    }
}

/// Changes to an article: every field optional, at least one given.
#[derive(Default, Deserialize)]
#[serde(transparent)]
pub(super) struct ArticlePatch(ArticleInput);

impl Input for ArticlePatch {
    fn check(&self, problems: &mut Problems) {
        for (field, why) in self.0.problems(false) {
            problems.entry(field).or_insert(why);
        }
    }
}

/// Publish an article in a community (or save a draft).
#[utoipa::path(post, path = "/communities/{name}/articles", tag = "articles",
    params(("name" = String, Path, description = "The community's name")),
    request_body = ArticleInput,
    responses(
        (status = 201, description = "Published (or saved as a draft)", body = ArticleOut),
        (status = 401, description = "No valid token", body = ErrorOut),
        (status = 403, description = "Not allowed to publish here", body = ErrorOut),
        (status = 404, description = "No such community", body = ErrorOut),
        (status = 413, description = "Body over 1 MiB"),
        (status = 415, description = "Not application/json", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn create_article(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(NewArticleBody(input)): Body<NewArticleBody>,
) -> AppResult<(StatusCode, Json<ArticleOut>)> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let view = publish(&data, &community, &person, input).await?;
    Ok((StatusCode::CREATED, Json(article_json(&data, &view))))
}

/// A short announcement: Markdown, federated as a Note.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct AnnouncementBody {
    /// Markdown, at most 5000 characters.
    body: Option<String>,
}

impl Input for AnnouncementBody {
    fn check(&self, problems: &mut Problems) {
        require(problems, "body", &self.body, "the announcement as Markdown");
    }
}

/// Post a short announcement (federated as a Note).
#[utoipa::path(post, path = "/communities/{name}/announcements", tag = "articles",
    params(("name" = String, Path, description = "The community's name")),
    request_body = AnnouncementBody,
    responses(
        (status = 201, description = "Posted", body = ArticleOut),
        (status = 403, description = "Not allowed to publish here", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn create_announcement(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(input): Body<AnnouncementBody>,
) -> AppResult<(StatusCode, Json<ArticleOut>)> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let text = input.body.unwrap_or_default();
    let view = crate::domain::articles::announce(&data, &community, &person, &text).await?;
    Ok((StatusCode::CREATED, Json(article_json(&data, &view))))
}

/// An article; a draft only for its authors.
#[utoipa::path(get, path = "/articles/{uuid}", tag = "articles",
    security((), ("bearer" = [])),
    params(("uuid" = String, Path, description = "The article's uuid")),
    responses(
        (status = 200, description = "The article", body = ArticleOut),
        (status = 404, description = "No such article (or a draft of someone else)", body = ErrorOut),
        (status = 410, description = "Deleted", body = ErrorOut),
    ))]
pub(super) async fn get_article(
    data: Data,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<ArticleOut>> {
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
        return Ok(Json(article_json(&data, &view)));
    }
    Ok(Json(article_json(
        &data,
        &crate::domain::articles::load_view(&data.db, a).await?,
    )))
}

/// Edit an article (its authors, or editors and stewards of its community).
/// Publishing a draft federates it; an edit of a published one sends Update.
#[utoipa::path(patch, path = "/articles/{uuid}", tag = "articles",
    params(("uuid" = String, Path, description = "The article's uuid")),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "The changed article", body = ArticleOut),
        (status = 403, description = "Not allowed to edit it", body = ErrorOut),
        (status = 404, description = "No such article", body = ErrorOut),
        (status = 410, description = "Deleted", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn patch_article(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
    Body(ArticlePatch(input)): Body<ArticlePatch>,
) -> AppResult<Json<ArticleOut>> {
    let view = crate::domain::articles::edit(&data, &person, &uuid, input).await?;
    Ok(Json(article_json(&data, &view)))
}

/// Delete an article: its page and object answer 410, and Delete federates.
#[utoipa::path(delete, path = "/articles/{uuid}", tag = "articles",
    params(("uuid" = String, Path, description = "The article's uuid")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed to delete it", body = ErrorOut),
        (status = 404, description = "No such article", body = ErrorOut),
    ))]
pub(super) async fn delete_article(
    data: Data,
    Path(uuid): Path<String>,
    Auth(person): Auth,
) -> AppResult<StatusCode> {
    crate::domain::articles::delete(&data, &person, &uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}
