//! `/api/v1/communities/{name}`: settings, follows, followers and
//! following, the network feed and re-shares.

use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use entity::actor;
use serde::Deserialize;

/// Whom a community follows.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct FollowBody {
    /// `name@host` or an actor URL.
    target: Option<String>,
}

impl Input for FollowBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "target",
            &self.target,
            "`name@host` or an actor URL",
        );
    }
}

/// A follow the community made.
#[derive(Serialize, ToSchema)]
pub(super) struct FollowOut {
    target: ActorOut,
    /// `accepted` or `pending`.
    state: &'static str,
}

/// The community follows a remote community or person (stewards and
/// editors); its posts then reach the network feed.
#[utoipa::path(post, path = "/communities/{name}/follows", tag = "communities",
    params(("name" = String, Path, description = "The community's name")),
    request_body = FollowBody,
    responses(
        (status = 201, description = "Follow sent", body = FollowOut),
        (status = 403, description = "Missing permission `share`", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
        (status = 502, description = "The remote actor could not be resolved", body = ErrorOut),
    ))]
pub(super) async fn follow(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(input): Body<FollowBody>,
) -> AppResult<(StatusCode, Json<FollowOut>)> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    use crate::domain::governance::{Permission, require};
    require(&data.db, &community, &person, Permission::Share).await?;
    let target = input.target.unwrap_or_default();
    let remote = crate::federation::resolve_actor(&data, target.trim()).await?;
    if remote.model.local {
        return Err(AppError::unprocessable(
            "target",
            "that actor is on this instance",
        ));
    }
    let row = crate::domain::follows::start_following(&data, &community, &remote.model).await?;
    Ok((
        StatusCode::CREATED,
        Json(FollowOut {
            target: actor_view(&remote.model),
            state: if row.accepted { "accepted" } else { "pending" },
        }),
    ))
}

/// A follower or a followed actor, with the follow's state.
#[derive(Serialize, ToSchema)]
pub(super) struct FollowingOut {
    #[serde(flatten)]
    actor: ActorOut,
    /// `accepted` or `pending`.
    state: &'static str,
}

/// Who follows the community.
#[utoipa::path(get, path = "/communities/{name}/followers", tag = "communities",
    params(("name" = String, Path, description = "The community's name")),
    responses((status = 200, description = "Its followers", body = Page<FollowingOut>)))]
pub(super) async fn followers(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Page<FollowingOut>>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::followers(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

/// Whom the community follows.
#[utoipa::path(get, path = "/communities/{name}/following", tag = "communities",
    params(("name" = String, Path, description = "The community's name")),
    responses((status = 200, description = "The actors it follows", body = Page<FollowingOut>)))]
pub(super) async fn following(
    data: Data,
    Path(name): Path<String>,
    Auth(_person): Auth,
) -> AppResult<Json<Page<FollowingOut>>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::follows::following(&data.db, &community).await?;
    Ok(Json(list(rows)))
}

fn list(rows: Vec<(actor::Model, bool)>) -> Page<FollowingOut> {
    Page::of(
        rows.iter()
            .map(|(a, accepted)| FollowingOut {
                actor: actor_view(a),
                state: if *accepted { "accepted" } else { "pending" },
            })
            .collect(),
    )
}

/// A post from the network: what the community's follows published.
#[derive(Serialize, ToSchema)]
pub(super) struct NetworkItem {
    id: String,
    title: String,
    summary: String,
    url: String,
    licence: Option<String>,
    language: Option<String>,
    published: DateTime<Utc>,
    updated: Option<DateTime<Utc>>,
    author: Option<ActorOut>,
    authors: Vec<ActorOut>,
    community: Option<ActorOut>,
    /// `article`, `note`, `page`, `event` or `question`.
    kind: String,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    location: Option<String>,
}

/// The community's network feed: the newest posts of what it follows.
#[utoipa::path(get, path = "/communities/{name}/network", tag = "communities",
    security(()),
    params(("name" = String, Path, description = "The community's name")),
    responses((status = 200, description = "The newest 50 posts", body = Page<NetworkItem>)))]
pub(super) async fn network(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<Page<NetworkItem>>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let rows = crate::domain::remote::network(&data.db, &community, 50).await?;
    let items = rows
        .iter()
        .map(|v| {
            let a = &v.article;
            NetworkItem {
                id: a.ap_id.clone(),
                title: a.title.clone(),
                summary: a.summary.clone(),
                url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
                licence: a.licence.clone(),
                language: a.language.clone(),
                published: a.published,
                updated: a.updated,
                author: v.authors.first().map(actor_view),
                authors: v.authors.iter().map(actor_view).collect(),
                community: v.community.as_ref().map(actor_view),
                kind: a.kind.clone(),
                start_time: a.start_time,
                end_time: a.end_time,
                location: a.location.clone(),
            }
        })
        .collect();
    Ok(Json(Page::of(items)))
}

/// A community's public settings.
#[derive(Serialize, ToSchema)]
pub(super) struct CommunityOut {
    id: String,
    name: String,
    title: Option<String>,
    summary: Option<String>,
    /// The default licence of its articles.
    licence: String,
    /// Markdown.
    charter: Option<String>,
    /// `open`, `held` or `followers`.
    comment_policy: String,
    /// Articles by authors wait for an editor's review.
    review_required: bool,
    /// The icon's address, when one was uploaded.
    icon: Option<String>,
    /// The banner's address, when one was uploaded.
    banner: Option<String>,
}

pub(super) fn community_json(c: &actor::Model) -> CommunityOut {
    CommunityOut {
        id: c.ap_id.clone(),
        name: c.username.clone(),
        title: c.display_name.clone(),
        summary: c.summary.clone(),
        licence: c
            .licence
            .clone()
            .unwrap_or_else(|| crate::content::licences::DEFAULT.to_string()),
        charter: c.charter.clone(),
        comment_policy: c
            .comment_policy
            .clone()
            .unwrap_or_else(|| "open".to_string()),
        review_required: c.review_required,
        icon: c.icon_url.clone(),
        banner: c.image_url.clone(),
    }
}

/// A community's public settings.
#[utoipa::path(get, path = "/communities/{name}", tag = "communities",
    security(()),
    params(("name" = String, Path, description = "The community's name")),
    responses(
        (status = 200, description = "Its settings", body = CommunityOut),
        (status = 404, description = "No such community", body = ErrorOut),
    ))]
pub(super) async fn community_settings(
    data: Data,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<CommunityOut>> {
    limit(&data, &headers)?;
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    Ok(Json(community_json(&community)))
}

/// What a community re-shares.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ShareBody {
    /// The remote article's ActivityPub id (URL).
    object: Option<String>,
}

impl Input for ShareBody {
    fn check(&self, problems: &mut Problems) {
        require(problems, "object", &self.object, "the article's id (URL)");
    }
}

/// A re-shared article, authors and licence intact.
#[derive(Serialize, ToSchema)]
pub(super) struct ShareOut {
    object: String,
    title: String,
    url: Option<String>,
    licence: Option<String>,
    authors: Vec<ActorOut>,
    community: Option<ActorOut>,
}

/// The community re-shares a remote article (editors and stewards): it is
/// fetched from its origin and announced to the community's followers.
#[utoipa::path(post, path = "/communities/{name}/shares", tag = "communities",
    params(("name" = String, Path, description = "The community's name")),
    request_body = ShareBody,
    responses(
        (status = 201, description = "Shared", body = ShareOut),
        (status = 403, description = "Not allowed to re-share here", body = ErrorOut),
        (status = 422, description = "Invalid fields, or not shareable", body = InvalidOut),
        (status = 502, description = "Its origin failed", body = ErrorOut),
    ))]
pub(super) async fn share(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(input): Body<ShareBody>,
) -> AppResult<(StatusCode, Json<ShareOut>)> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let object = input.object.unwrap_or_default();
    crate::domain::shares::may_share(&data.db, &community, &person).await?;
    let url = crate::domain::shares::shareable(&data, object.trim())?;
    // Always its current version, from its origin.
    let article = crate::federation::import::current(&data, &url).await?;
    let view = crate::domain::shares::share(&data, &community, article).await?;
    Ok((
        StatusCode::CREATED,
        Json(ShareOut {
            object: view.article.ap_id.clone(),
            title: view.article.title.clone(),
            url: view.article.url.clone(),
            licence: view.article.licence.clone(),
            authors: view.authors.iter().map(actor_view).collect(),
            community: view.community.as_ref().map(actor_view),
        }),
    ))
}
