//! Governance: community settings and profiles, members and roles, actor
//! blocks, reports, the instance's federation policy and the instance-wide
//! moderation log.

use super::communities::{CommunityOut, community_json};
use super::*;
use crate::domain::actors::{LocalKind, get_local};
use crate::domain::governance::log::Entry;
use crate::domain::governance::permissions::Decider;
use crate::domain::governance::policy::{self, Block, NewBlock};
use crate::domain::governance::reports::{ReportView, Resolution};
use crate::domain::governance::settings::{CommunityChanges, ProfileChanges};
use crate::domain::governance::{blocks, members, reports, settings};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

fn merge(problems: &mut Problems, more: Problems) {
    for (field, why) in more {
        problems.entry(field).or_insert(why);
    }
}

fn reason_ok(problems: &mut Problems, reason: &Option<String>) {
    if reason.as_deref().is_some_and(|r| r.chars().count() > 1000) {
        problems.insert("reason".into(), "at most 1000 characters".into());
    }
}

/// Changes to a community's settings (stewards).
#[derive(Default, Deserialize)]
#[serde(transparent)]
pub(super) struct CommunityPatch(CommunityChanges);

impl Input for CommunityPatch {
    fn check(&self, problems: &mut Problems) {
        merge(problems, self.0.problems());
    }
}

/// Change a community's title, summary, charter, default licence, comment
/// policy or review setting (stewards). Followers get `Update{Group}`.
#[utoipa::path(patch, path = "/communities/{name}", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    request_body = CommunityChanges,
    responses(
        (status = 200, description = "The new settings", body = CommunityOut),
        (status = 403, description = "Missing permission `set_policy`", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn patch_community(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
    Body(CommunityPatch(changes)): Body<CommunityPatch>,
) -> AppResult<Json<CommunityOut>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let saved = settings::update_community(&data, &community, &person, changes).await?;
    Ok(Json(community_json(&saved)))
}

#[derive(Default, Deserialize)]
#[serde(transparent)]
pub(super) struct ProfilePatch(ProfileChanges);

impl Input for ProfilePatch {
    fn check(&self, problems: &mut Problems) {
        merge(problems, self.0.problems());
    }
}

/// A person's public profile.
#[derive(Serialize, ToSchema)]
pub(super) struct ProfileOut {
    id: String,
    name: String,
    display_name: Option<String>,
    bio: Option<String>,
    /// The avatar's address, when one was uploaded.
    avatar: Option<String>,
}

/// Change a person's display name or bio (the person, or an instance
/// admin). Their followers get `Update{Person}`.
#[utoipa::path(patch, path = "/users/{name}", tag = "governance",
    params(("name" = String, Path, description = "The person's name")),
    request_body = ProfileChanges,
    responses(
        (status = 200, description = "The new profile", body = ProfileOut),
        (status = 403, description = "Someone else's profile", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn patch_user(
    data: Data,
    Path(name): Path<String>,
    Auth(by): Auth,
    Body(ProfilePatch(changes)): Body<ProfilePatch>,
) -> AppResult<Json<ProfileOut>> {
    let person = get_local(&data.db, LocalKind::Person, &name).await?;
    let saved = settings::update_profile(&data, &person, &by, changes).await?;
    Ok(Json(ProfileOut {
        id: saved.ap_id,
        name: saved.username,
        display_name: saved.display_name,
        bio: saved.summary,
        avatar: saved.icon_url,
    }))
}

/// A member and their role.
#[derive(Serialize, ToSchema)]
pub(super) struct MemberOut {
    user: String,
    id: String,
    display_name: Option<String>,
    /// `steward`, `editor`, `moderator`, `author` or `member`.
    role: String,
}

fn member_json(p: &entity::actor::Model, role: crate::domain::actors::Role) -> MemberOut {
    use sea_orm::ActiveEnum;
    MemberOut {
        user: p.username.clone(),
        id: p.ap_id.clone(),
        display_name: p.display_name.clone(),
        role: role.to_value(),
    }
}

/// The members of a community with their roles (any member, or an admin).
#[utoipa::path(get, path = "/communities/{name}/members", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    responses(
        (status = 200, description = "Its members", body = Page<MemberOut>),
        (status = 403, description = "Not a member", body = ErrorOut),
    ))]
pub(super) async fn list_members(
    data: Data,
    Path(name): Path<String>,
    Auth(person): Auth,
) -> AppResult<Json<Page<MemberOut>>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    if crate::domain::actors::role_of(&data.db, &community, &person)
        .await?
        .is_none()
        && !person.admin
    {
        return Err(AppError::Forbidden(format!(
            "only members of `{name}` see its members"
        )));
    }
    let rows = members::list(&data.db, &community).await?;
    Ok(Json(Page::of(
        rows.iter().map(|(p, r)| member_json(p, *r)).collect(),
    )))
}

/// Who gets which role.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct MemberBody {
    /// A local person's name.
    user: Option<String>,
    /// `steward`, `editor`, `moderator`, `author` or `member`.
    role: Option<String>,
}

impl Input for MemberBody {
    fn check(&self, problems: &mut Problems) {
        require(problems, "user", &self.user, "a local person's name");
        require(
            problems,
            "role",
            &self.role,
            "steward, editor, moderator, author or member",
        );
    }
}

/// Make a local person a member with a role (missing permission
/// `manage_members`: 403; already a member: 409).
#[utoipa::path(post, path = "/communities/{name}/members", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    request_body = MemberBody,
    responses(
        (status = 201, description = "Added", body = MemberOut),
        (status = 403, description = "Missing permission `manage_members`", body = ErrorOut),
        (status = 409, description = "Already a member", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn add_member(
    data: Data,
    Path(name): Path<String>,
    Auth(by): Auth,
    Body(input): Body<MemberBody>,
) -> AppResult<(StatusCode, Json<MemberOut>)> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let (p, r) = members::set(
        &data,
        &community,
        &by,
        input.user.as_deref().unwrap_or_default().trim(),
        input.role.as_deref().unwrap_or_default().trim(),
        true,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(member_json(&p, r))))
}

/// A new role.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RoleBody {
    /// `steward`, `editor`, `moderator`, `author` or `member`.
    role: Option<String>,
}

impl Input for RoleBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "role",
            &self.role,
            "steward, editor, moderator, author or member",
        );
    }
}

/// Change a member's role. Demoting the last steward is refused with 409.
#[utoipa::path(patch, path = "/communities/{name}/members/{user}", tag = "governance",
    params(("name" = String, Path, description = "The community's name"),
           ("user" = String, Path, description = "The member's name")),
    request_body = RoleBody,
    responses(
        (status = 200, description = "Changed", body = MemberOut),
        (status = 403, description = "Missing permission `manage_members`", body = ErrorOut),
        (status = 404, description = "Not a member", body = ErrorOut),
        (status = 409, description = "The last steward", body = ErrorOut),
    ))]
pub(super) async fn patch_member(
    data: Data,
    Path((name, user)): Path<(String, String)>,
    Auth(by): Auth,
    Body(input): Body<RoleBody>,
) -> AppResult<Json<MemberOut>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let (p, r) = members::set(
        &data,
        &community,
        &by,
        &user,
        input.role.as_deref().unwrap_or_default().trim(),
        false,
    )
    .await?;
    Ok(Json(member_json(&p, r)))
}

/// Why, for the public log.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ReasonBody {
    /// At most 1000 characters.
    reason: Option<String>,
}

impl Input for ReasonBody {
    fn check(&self, problems: &mut Problems) {
        reason_ok(problems, &self.reason);
    }
}

/// Remove a member. Removing the last steward is refused with 409.
#[utoipa::path(delete, path = "/communities/{name}/members/{user}", tag = "governance",
    params(("name" = String, Path, description = "The community's name"),
           ("user" = String, Path, description = "The member's name")),
    request_body = ReasonBody,
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Missing permission `manage_members`", body = ErrorOut),
        (status = 409, description = "The last steward", body = ErrorOut),
    ))]
pub(super) async fn remove_member(
    data: Data,
    Path((name, user)): Path<(String, String)>,
    Auth(by): Auth,
    Body(input): Body<ReasonBody>,
) -> AppResult<StatusCode> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    members::remove(
        &data,
        &community,
        &by,
        &user,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An actor to block or unblock in a community.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ActorBlockBody {
    /// `name@host` or an actor URL.
    actor: Option<String>,
    /// Why, for the public log (required to block).
    reason: Option<String>,
}

impl Input for ActorBlockBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "actor",
            &self.actor,
            "`name@host` or an actor URL",
        );
        reason_ok(problems, &self.reason);
    }
}

/// A blocked actor.
#[derive(Serialize, ToSchema)]
pub(super) struct ActorBlockOut {
    actor: ActorOut,
    reason: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// The actors blocked in a community (moderators).
#[utoipa::path(get, path = "/communities/{name}/blocks", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    responses(
        (status = 200, description = "Blocked actors", body = Page<ActorBlockOut>),
        (status = 403, description = "Missing permission `moderate`", body = ErrorOut),
    ))]
pub(super) async fn list_actor_blocks(
    data: Data,
    Path(name): Path<String>,
    Auth(by): Auth,
) -> AppResult<Json<Page<ActorBlockOut>>> {
    use crate::domain::governance::{Permission, require as allowed};
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    allowed(&data.db, &community, &by, Permission::Moderate).await?;
    let rows = blocks::list(&data.db, &community).await?;
    Ok(Json(Page::of(
        rows.iter()
            .map(|(b, a)| ActorBlockOut {
                actor: actor_view(a),
                reason: b.reason.clone(),
                created_at: b.created_at,
            })
            .collect(),
    )))
}

/// Block an actor in a community (moderators): it can no longer follow,
/// comment or like there, and its follow is removed.
#[utoipa::path(post, path = "/communities/{name}/blocks", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    request_body = ActorBlockBody,
    responses(
        (status = 201, description = "Blocked", body = ActorOut),
        (status = 403, description = "Missing permission `moderate`", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn block_actor(
    data: Data,
    Path(name): Path<String>,
    Auth(by): Auth,
    Body(input): Body<ActorBlockBody>,
) -> AppResult<(StatusCode, Json<ActorOut>)> {
    use crate::domain::governance::{Permission, require as allowed};
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    allowed(&data.db, &community, &by, Permission::Moderate).await?;
    let target =
        crate::federation::resolve_actor(&data, input.actor.as_deref().unwrap_or_default())
            .await
            .map_err(|e| match e {
                AppError::Unprocessable(_) => {
                    AppError::unprocessable("actor", "not `name@host` or an actor URL")
                }
                other => other,
            })?;
    blocks::block(
        &data,
        &community,
        &by,
        &target.model,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(actor_view(&target.model))))
}

/// Lift an actor's block (moderators).
#[utoipa::path(delete, path = "/communities/{name}/blocks", tag = "governance",
    params(("name" = String, Path, description = "The community's name")),
    request_body = ActorBlockBody,
    responses(
        (status = 204, description = "Unblocked"),
        (status = 403, description = "Missing permission `moderate`", body = ErrorOut),
        (status = 404, description = "Not blocked", body = ErrorOut),
    ))]
pub(super) async fn unblock_actor(
    data: Data,
    Path(name): Path<String>,
    Auth(by): Auth,
    Body(input): Body<ActorBlockBody>,
) -> AppResult<StatusCode> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    let handle = input.actor.as_deref().unwrap_or_default().trim();
    let target = crate::domain::actors::known(&data.db, handle)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{handle} is not blocked here")))?;
    blocks::unblock(
        &data,
        &community,
        &by,
        &target,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct ReportQuery {
    /// `open` (the default), `resolved` or `all`.
    state: Option<String>,
}

impl ReportQuery {
    /// The state to list, `None` for all of them.
    fn state(&self) -> AppResult<Option<&'static str>> {
        match self.state.as_deref().unwrap_or("open") {
            "open" => Ok(Some("open")),
            "resolved" => Ok(Some("resolved")),
            "all" => Ok(None),
            _ => Err(AppError::BadRequest(
                "state must be one of: open, resolved, all".into(),
            )),
        }
    }
}

/// The community's report queue (moderators).
#[utoipa::path(get, path = "/communities/{name}/reports", tag = "governance",
    params(("name" = String, Path, description = "The community's name"), ReportQuery),
    responses(
        (status = 200, description = "Reports", body = Page<ReportView>),
        (status = 403, description = "Missing permission `moderate`", body = ErrorOut),
    ))]
pub(super) async fn community_reports(
    data: Data,
    Path(name): Path<String>,
    Query(q): Query<ReportQuery>,
    Auth(by): Auth,
) -> AppResult<Json<Page<ReportView>>> {
    let community = get_local(&data.db, LocalKind::Community, &name).await?;
    Ok(Json(Page::of(
        reports::queue(&data, &community, &by, q.state()?).await?,
    )))
}

/// Reports about the instance itself or actors of no community (instance
/// admins).
#[utoipa::path(get, path = "/admin/reports", tag = "admin",
    params(ReportQuery),
    responses(
        (status = 200, description = "Reports", body = Page<ReportView>),
        (status = 403, description = "Not an instance admin", body = ErrorOut),
    ))]
pub(super) async fn instance_reports(
    data: Data,
    Query(q): Query<ReportQuery>,
    Admin(admin): Admin,
) -> AppResult<Json<Page<ReportView>>> {
    let instance = crate::domain::actors::instance_actor(&data).await?;
    Ok(Json(Page::of(
        reports::queue(&data, &instance, &admin, q.state()?).await?,
    )))
}

/// A member's report.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ReportBody {
    /// The id of the actor, article or comment reported.
    object: Option<String>,
    /// What is wrong (at most 1000 characters).
    reason: Option<String>,
}

impl Input for ReportBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "object",
            &self.object,
            "the reported actor's, article's or comment's id",
        );
        require(problems, "reason", &self.reason, "what is wrong");
        reason_ok(problems, &self.reason);
    }
}

/// Report an actor, article or comment to the moderators concerned.
#[utoipa::path(post, path = "/reports", tag = "governance",
    request_body = ReportBody,
    responses(
        (status = 201, description = "In the moderators' queue", body = Object),
        (status = 422, description = "Invalid fields, or nothing known by that id", body = InvalidOut),
    ))]
pub(super) async fn create_report(
    data: Data,
    Auth(by): Auth,
    Body(input): Body<ReportBody>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let r = reports::report(
        &data,
        &by,
        input.object.as_deref().unwrap_or_default(),
        input.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": r.uuid, "object": r.object_ap_id, "state": r.state})),
    ))
}

/// How a moderator resolves a report.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ResolveBody {
    /// `dismiss`, `remove`, `block_actor` or `block_domain`.
    action: Option<Resolution>,
    /// Why, for the public log.
    reason: Option<String>,
    /// Send a `Flag` to the reported actor's server, as this instance.
    forward: Option<bool>,
}

impl Input for ResolveBody {
    fn check(&self, problems: &mut Problems) {
        if self.action.is_none() {
            problems
                .entry("action".into())
                .or_insert_with(|| "required: dismiss, remove, block_actor or block_domain".into());
        }
        reason_ok(problems, &self.reason);
    }
}

/// Resolve a report (moderators of its community; instance admins for
/// reports about the instance). Logged publicly.
#[utoipa::path(post, path = "/reports/{id}/resolve", tag = "governance",
    params(("id" = String, Path, description = "The report's id")),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "Resolved", body = ReportView),
        (status = 403, description = "Missing permission `moderate`", body = ErrorOut),
        (status = 404, description = "No such report", body = ErrorOut),
        (status = 409, description = "Already resolved", body = ErrorOut),
    ))]
pub(super) async fn resolve_report(
    data: Data,
    Path(id): Path<String>,
    Auth(by): Auth,
    Body(input): Body<ResolveBody>,
) -> AppResult<Json<ReportView>> {
    let action = input.action.unwrap_or(Resolution::Dismiss);
    Ok(Json(
        reports::resolve(
            &data,
            &by,
            &id,
            action,
            input.reason.as_deref().unwrap_or(""),
            input.forward.unwrap_or(false),
        )
        .await?,
    ))
}

fn admin_decider(admin: &entity::actor::Model) -> Decider {
    Decider {
        person: admin.clone(),
        role: "admin".into(),
    }
}

/// The federation mode.
#[derive(Serialize, ToSchema)]
pub(super) struct ModeOut {
    /// `open` (with blocks) or `allowlist`.
    mode: String,
}

/// The instance's federation mode (instance admins).
#[utoipa::path(get, path = "/admin/federation", tag = "admin",
    responses((status = 200, description = "The mode", body = ModeOut)))]
pub(super) async fn get_federation(data: Data, Admin(_a): Admin) -> AppResult<Json<ModeOut>> {
    Ok(Json(ModeOut {
        mode: policy::mode(&data.db).await?,
    }))
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ModeBody {
    /// `open` or `allowlist`.
    mode: Option<String>,
    reason: Option<String>,
}

impl Input for ModeBody {
    fn check(&self, problems: &mut Problems) {
        match self.mode.as_deref() {
            Some("open" | "allowlist") => {}
            _ => {
                problems.insert("mode".into(), "one of: open, allowlist".into());
            }
        }
        reason_ok(problems, &self.reason);
    }
}

/// Set the federation mode (instance admins). In `allowlist` mode only
/// allowed domains may follow, comment or deliver; other Follows get a
/// Reject, other requests 403.
#[utoipa::path(put, path = "/admin/federation", tag = "admin",
    request_body = ModeBody,
    responses(
        (status = 200, description = "The new mode", body = ModeOut),
        (status = 403, description = "Not an instance admin", body = ErrorOut),
    ))]
pub(super) async fn put_federation(
    data: Data,
    Admin(admin): Admin,
    Body(input): Body<ModeBody>,
) -> AppResult<Json<ModeOut>> {
    let mode = policy::set_mode(
        &data,
        &admin_decider(&admin),
        input.mode.as_deref().unwrap_or_default(),
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(ModeOut { mode }))
}

/// Domain blocks, from the API and from the configuration (instance admins).
#[utoipa::path(get, path = "/admin/federation/blocks", tag = "admin",
    responses((status = 200, description = "Blocks", body = Page<Block>)))]
pub(super) async fn list_blocks(data: Data, Admin(_a): Admin) -> AppResult<Json<Page<Block>>> {
    Ok(Json(Page::of(
        policy::blocks(&data.db, &data.settings).await?,
    )))
}

/// A domain to block.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct BlockBody {
    /// `example.org` (its subdomains too), or `host:port`.
    domain: Option<String>,
    /// `suspend` (the default: refused) or `silence` (content hidden).
    severity: Option<String>,
    /// Why, for the public log.
    reason: Option<String>,
    /// Shown by name in the public log (default true); otherwise "a domain".
    public: Option<bool>,
    reject_media: Option<bool>,
    reject_reports: Option<bool>,
    obfuscate: Option<bool>,
}

impl Input for BlockBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "domain",
            &self.domain,
            "a domain such as example.org",
        );
        if let Some(d) = &self.domain
            && let Err(AppError::Unprocessable(p)) = policy::normalize_domain("domain", d)
        {
            merge(problems, p);
        }
        if !matches!(self.severity.as_deref(), None | Some("suspend" | "silence")) {
            problems.insert("severity".into(), "one of: suspend, silence".into());
        }
        reason_ok(problems, &self.reason);
    }
}

/// Block a domain and its subdomains (instance admins): its followers are
/// removed, its comments and network items hidden (kept, for an unblock),
/// its pending deliveries cancelled; its requests get 403 and nothing is
/// fetched from it. `silence` only hides its content.
#[utoipa::path(post, path = "/admin/federation/blocks", tag = "admin",
    request_body = BlockBody,
    responses(
        (status = 201, description = "Blocked", body = Block),
        (status = 403, description = "Not an instance admin", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn create_block(
    data: Data,
    Admin(admin): Admin,
    Body(input): Body<BlockBody>,
) -> AppResult<(StatusCode, Json<Block>)> {
    let severity = match input.severity.as_deref() {
        Some("silence") => entity::domain_block::Severity::Silence,
        _ => entity::domain_block::Severity::Suspend,
    };
    let block = policy::block(
        &data,
        &admin_decider(&admin),
        NewBlock {
            domain: input.domain.unwrap_or_default(),
            severity,
            reason: input.reason.unwrap_or_default(),
            public: input.public.unwrap_or(true),
            reject_media: input.reject_media.unwrap_or(true),
            reject_reports: input.reject_reports.unwrap_or(true),
            obfuscate: input.obfuscate.unwrap_or(false),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(block)))
}

/// Lift a domain block (instance admins); its hidden content comes back.
#[utoipa::path(delete, path = "/admin/federation/blocks/{domain}", tag = "admin",
    params(("domain" = String, Path, description = "The blocked domain")),
    request_body = ReasonBody,
    responses(
        (status = 204, description = "Unblocked"),
        (status = 404, description = "Not blocked", body = ErrorOut),
        (status = 409, description = "Blocked in the configuration", body = ErrorOut),
    ))]
pub(super) async fn delete_block(
    data: Data,
    Path(domain): Path<String>,
    Admin(admin): Admin,
    Body(input): Body<ReasonBody>,
) -> AppResult<StatusCode> {
    policy::unblock(
        &data,
        &admin_decider(&admin),
        &domain,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The blocks as Mastodon's domain-block CSV.
#[utoipa::path(get, path = "/admin/federation/blocks.csv", tag = "admin",
    responses((status = 200, description = "`#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`", content_type = "text/csv")))]
pub(super) async fn export_blocks(data: Data, Admin(_a): Admin) -> AppResult<Response> {
    let blocks = policy::blocks(&data.db, &data.settings).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"domain_blocks.csv\"",
            ),
        ],
        policy::to_csv(&blocks),
    )
        .into_response())
}

/// Import Mastodon's domain-block CSV (`text/csv`). Every line is checked
/// first: a wrong line is a 422 naming it, and nothing is imported.
#[utoipa::path(post, path = "/admin/federation/blocks.csv", tag = "admin",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "How many blocks were imported", body = Object),
        (status = 422, description = "Wrong lines, by number", body = InvalidOut),
    ))]
pub(super) async fn import_blocks(
    data: Data,
    headers: HeaderMap,
    Admin(admin): Admin,
    body: Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("text/csv") && !ct.starts_with("text/plain") {
        return Err(AppError::UnsupportedMediaType(
            "send the file as text/csv".into(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::BadRequest("the file is not UTF-8 text".into()))?;
    let blocks = policy::parse_csv(text)?;
    let n = policy::import(&data, &admin_decider(&admin), blocks).await?;
    Ok(Json(serde_json::json!({"imported": n})))
}

/// Allowed domains (instance admins).
#[utoipa::path(get, path = "/admin/federation/allows", tag = "admin",
    responses((status = 200, description = "Allowed domains", body = Page<String>)))]
pub(super) async fn list_allows(data: Data, Admin(_a): Admin) -> AppResult<Json<Page<String>>> {
    Ok(Json(Page::of(policy::allows(&data.db).await?)))
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct AllowBody {
    /// `example.org` (its subdomains too), or `host:port`.
    domain: Option<String>,
    reason: Option<String>,
}

impl Input for AllowBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "domain",
            &self.domain,
            "a domain such as example.org",
        );
        reason_ok(problems, &self.reason);
    }
}

/// Allow a domain (it matters in `allowlist` mode).
#[utoipa::path(post, path = "/admin/federation/allows", tag = "admin",
    request_body = AllowBody,
    responses((status = 201, description = "Allowed", body = Object)))]
pub(super) async fn create_allow(
    data: Data,
    Admin(admin): Admin,
    Body(input): Body<AllowBody>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let d = policy::set_allowed(
        &data,
        &admin_decider(&admin),
        input.domain.as_deref().unwrap_or_default(),
        true,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"domain": d}))))
}

/// Stop allowing a domain.
#[utoipa::path(delete, path = "/admin/federation/allows", tag = "admin",
    request_body = AllowBody,
    responses(
        (status = 204, description = "No longer allowed"),
        (status = 404, description = "Not allowed", body = ErrorOut),
    ))]
pub(super) async fn delete_allow(
    data: Data,
    Admin(admin): Admin,
    Body(input): Body<AllowBody>,
) -> AppResult<StatusCode> {
    policy::set_allowed(
        &data,
        &admin_decider(&admin),
        input.domain.as_deref().unwrap_or_default(),
        false,
        input.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The instance's public moderation log: every decision of the instance
/// and its communities, newest first.
#[utoipa::path(get, path = "/moderation", tag = "moderation",
    security(()),
    responses((status = 200, description = "The log", body = Page<Entry>)))]
pub(super) async fn instance_log(data: Data, headers: HeaderMap) -> AppResult<Json<Page<Entry>>> {
    limit(&data, &headers)?;
    Ok(Json(Page::of(
        crate::domain::governance::log::entries(&data.db, &data.settings, None, 200).await?,
    )))
}
