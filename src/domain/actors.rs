//! Local actors: the instance actor, communities and people.

use super::names::LocalName;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::wire::signatures::generate_keypair;
use entity::{actor, membership};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalKind {
    Instance,
    Community,
    Person,
}

impl LocalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalKind::Instance => "application",
            LocalKind::Community => "group",
            LocalKind::Person => "person",
        }
    }
    fn path(self, name: &str) -> String {
        match self {
            LocalKind::Instance => "/actor".to_string(),
            LocalKind::Community => format!("/c/{name}"),
            LocalKind::Person => format!("/u/{name}"),
        }
    }
}

pub use entity::membership::Role;

/// Roles in a community, strongest first.
pub const ROLES: [Role; 5] = [
    Role::Steward,
    Role::Editor,
    Role::Moderator,
    Role::Author,
    Role::Member,
];

/// A role by its name (`steward`, `editor`, `moderator`, `author`,
/// `member`), or a 422 listing them.
pub fn parse_role(name: &str) -> AppResult<Role> {
    use sea_orm::ActiveEnum;
    Role::try_from_value(&name.to_string()).map_err(|_| {
        AppError::unprocessable(
            "role",
            format!("unknown role `{name}`; one of {}", role_names()),
        )
    })
}

fn role_names() -> String {
    use sea_orm::ActiveEnum;
    ROLES
        .iter()
        .map(|r| r.to_value())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Create a local actor with a fresh key pair. Communities and people share
/// one namespace: a name taken by either is refused.
pub async fn create_local(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    kind: LocalKind,
    name: &LocalName,
    display_name: Option<String>,
) -> AppResult<actor::Model> {
    if kind != LocalKind::Instance && find_local(db, name.as_str()).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "the name `{name}` is already taken by a community or a person on this instance"
        )));
    }
    let keys = tokio::task::spawn_blocking(generate_keypair)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let ap_id = ctx.url(&kind.path(name.as_str()));
    let now = super::now();
    let model = actor::ActiveModel {
        ap_id: Set(ap_id.clone()),
        kind: Set(kind.as_str().to_string()),
        username: Set(name.to_string()),
        host: Set(ctx.settings.server.domain.clone()),
        local_name: Set((kind != LocalKind::Instance).then(|| name.to_string())),
        display_name: Set(display_name),
        summary: Set(None),
        inbox_url: Set(format!("{ap_id}/inbox")),
        shared_inbox_url: Set(Some(ctx.url("/inbox"))),
        outbox_url: Set(Some(format!("{ap_id}/outbox"))),
        followers_url: Set(Some(format!("{ap_id}/followers"))),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(Some(keys.private_pem)),
        local: Set(true),
        icon_url: Set(None),
        manually_approves: Set(false),
        published: Set(now),
        last_refreshed_at: Set(now),
        admin: Set(false),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

/// A local community or person by name.
pub async fn find_local(db: &impl ConnectionTrait, name: &str) -> AppResult<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::LocalName.eq(name))
        .filter(actor::Column::Local.eq(true))
        .one(db)
        .await?)
}

/// A local actor of the given kind by name, or 404.
pub async fn get_local(
    db: &impl ConnectionTrait,
    kind: LocalKind,
    name: &str,
) -> AppResult<actor::Model> {
    match find_local(db, name).await? {
        Some(a) if a.kind == kind.as_str() => Ok(a),
        _ => Err(AppError::NotFound(match kind {
            LocalKind::Community => format!("no community named `{name}` here"),
            LocalKind::Person => format!("no person named `{name}` here"),
            LocalKind::Instance => "no instance actor".to_string(),
        })),
    }
}

pub async fn instance_actor(ctx: &AppContext) -> AppResult<actor::Model> {
    actor::Entity::find()
        .filter(actor::Column::ApId.eq(ctx.url("/actor")))
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::internal("the instance actor is missing; run `peerpress migrate`"))
}

pub async fn set_role(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
    role: &str,
) -> AppResult<()> {
    let role = parse_role(role)?;
    let existing = membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .filter(membership::Column::PersonId.eq(person.id))
        .one(db)
        .await?;
    match existing {
        Some(m) => {
            let mut m: membership::ActiveModel = m.into();
            m.role = Set(role);
            m.update(db).await?;
        }
        None => {
            membership::ActiveModel {
                community_id: Set(community.id),
                person_id: Set(person.id),
                role: Set(role),
                created_at: Set(super::now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

pub async fn role_of(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<Option<Role>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::CommunityId.eq(community.id))
        .filter(membership::Column::PersonId.eq(person.id))
        .one(db)
        .await?
        .map(|m| m.role))
}

/// `person` holds one of `roles` in `community`, or a 403 saying who may
/// `doing` (e.g. "moderate it").
pub async fn require_role(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
    roles: &[Role],
    doing: &str,
) -> AppResult<()> {
    use sea_orm::ActiveEnum;
    match role_of(db, community, person).await? {
        Some(r) if roles.contains(&r) => Ok(()),
        _ => Err(AppError::Forbidden(format!(
            "only the {} of `{}` may {doing}",
            roles
                .iter()
                .map(|r| format!("{}s", r.to_value()))
                .collect::<Vec<_>>()
                .join(" and "),
            community.username
        ))),
    }
}

/// What a first start gives the operator: the steward's first API token
/// and a one-time link to set their password (`/login/once/{token}`).
pub struct FirstStart {
    pub token: String,
    pub login_link: String,
}

/// What a first start does: the instance actor, the default community and the
/// steward. Returns the steward's first API token and sign-in link when it
/// created them.
pub async fn bootstrap(ctx: &AppContext) -> AppResult<Option<FirstStart>> {
    if instance_actor(ctx).await.is_err() {
        let domain_name = LocalName::parse("instance").map_err(AppError::internal)?;
        let created = create_local(ctx, &ctx.db, LocalKind::Instance, &domain_name, None).await?;
        // The instance actor's preferredUsername is the domain (WebFinger
        // `acct:<domain>@<domain>`, FEP-2677).
        let mut m: actor::ActiveModel = created.into();
        m.username = Set(ctx.settings.server.domain.clone());
        m.update(&ctx.db).await?;
    }
    let s = &ctx.settings;
    if find_local(&ctx.db, &s.community.name).await?.is_some() {
        return Ok(None);
    }
    let community_name = LocalName::parse(&s.community.name).map_err(AppError::internal)?;
    let admin_name = LocalName::parse(&s.admin.username).map_err(AppError::internal)?;
    let community = create_local(
        ctx,
        &ctx.db,
        LocalKind::Community,
        &community_name,
        Some(s.community.title.clone()),
    )
    .await?;
    let admin = match find_local(&ctx.db, admin_name.as_str()).await? {
        Some(a) => a,
        None => create_local(ctx, &ctx.db, LocalKind::Person, &admin_name, None).await?,
    };
    let admin = make_admin(&ctx.db, admin).await?;
    set_role(&ctx.db, &community, &admin, "steward").await?;
    let token = super::auth::create_token(&ctx.db, &admin).await?;
    let link = super::accounts::create_login_link(&ctx.db, &admin).await?;
    Ok(Some(FirstStart {
        token,
        login_link: ctx.url(&format!("/login/once/{link}")),
    }))
}

/// Make a local person an instance admin.
pub async fn make_admin(
    db: &impl ConnectionTrait,
    person: actor::Model,
) -> AppResult<actor::Model> {
    let mut m: actor::ActiveModel = person.into();
    m.admin = Set(true);
    Ok(m.update(db).await?)
}

/// An actor we hold, by its id (URL) or handle (`name@host`, with or
/// without a leading `@`).
pub async fn known(
    db: &impl ConnectionTrait,
    handle_or_id: &str,
) -> AppResult<Option<actor::Model>> {
    let h = handle_or_id.trim();
    if h.starts_with("https://") || h.starts_with("http://") {
        return Ok(actor::Entity::find()
            .filter(actor::Column::ApId.eq(h))
            .one(db)
            .await?);
    }
    let Some((name, host)) = h.trim_start_matches('@').split_once('@') else {
        return Ok(None);
    };
    Ok(actor::Entity::find()
        .filter(actor::Column::Username.eq(name))
        .filter(actor::Column::Host.eq(host.to_ascii_lowercase()))
        .one(db)
        .await?)
}

/// This instance's communities, by name.
pub async fn local_communities(db: &impl ConnectionTrait) -> AppResult<Vec<actor::Model>> {
    use sea_orm::QueryOrder;
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq(LocalKind::Community.as_str()))
        .order_by_asc(actor::Column::Username)
        .all(db)
        .await?)
}
