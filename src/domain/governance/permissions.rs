//! The one table that decides who may do what in a community. Every API
//! call and page asks [`require`]; a refusal is a 403 naming the missing
//! permission and the roles that hold it.

use crate::error::{AppError, AppResult};
use entity::actor;
use entity::membership::Role;
use sea_orm::ConnectionTrait;

/// What a person may be allowed to do in a community.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Publish articles and announcements.
    Publish,
    /// Edit and delete other people's articles.
    EditOthers,
    /// Approve and remove comments, block actors, resolve reports.
    Moderate,
    /// Grant, change and remove roles.
    ManageMembers,
    /// Change the community's settings, charter and comment policy.
    SetPolicy,
    /// Re-share remote articles, and follow other communities.
    Share,
}

pub const PERMISSIONS: [Permission; 6] = [
    Permission::Publish,
    Permission::EditOthers,
    Permission::Moderate,
    Permission::ManageMembers,
    Permission::SetPolicy,
    Permission::Share,
];

impl Permission {
    pub fn name(self) -> &'static str {
        match self {
            Permission::Publish => "publish",
            Permission::EditOthers => "edit_others",
            Permission::Moderate => "moderate",
            Permission::ManageMembers => "manage_members",
            Permission::SetPolicy => "set_policy",
            Permission::Share => "share",
        }
    }

    /// The table: does `role` hold this permission?
    pub fn granted_to(self, role: Role) -> bool {
        use Permission::*;
        match role {
            Role::Steward => true,
            Role::Editor => matches!(self, Publish | EditOthers | Share),
            Role::Moderator => matches!(self, Moderate),
            Role::Author => matches!(self, Publish),
            Role::Member => false,
        }
    }

    /// The roles that hold it, for messages: "stewards and editors".
    pub fn holders(self) -> String {
        use sea_orm::ActiveEnum;
        let names: Vec<String> = crate::domain::actors::ROLES
            .iter()
            .filter(|r| self.granted_to(**r))
            .map(|r| format!("{}s", r.to_value()))
            .collect();
        names.join(" and ")
    }
}

/// Who decided, as the moderation log names them: their role, or `admin`
/// for an instance admin acting without one.
#[derive(Clone, Debug)]
pub struct Decider {
    pub person: actor::Model,
    pub role: String,
}

/// `person` may do `permission` in `community`, or a 403 that names the
/// permission. Instance admins hold every permission everywhere.
pub async fn require(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
    permission: Permission,
) -> AppResult<Decider> {
    use sea_orm::ActiveEnum;
    let role = crate::domain::actors::role_of(db, community, person).await?;
    match role {
        Some(r) if permission.granted_to(r) => Ok(Decider {
            person: person.clone(),
            role: r.to_value(),
        }),
        _ if person.admin => Ok(Decider {
            person: person.clone(),
            role: "admin".into(),
        }),
        _ => Err(AppError::Forbidden(format!(
            "missing permission `{}` in `{}`: it belongs to its {}{}",
            permission.name(),
            community.username,
            permission.holders(),
            match role {
                Some(r) => format!(" (you are a {})", r.to_value()),
                None => " (you hold no role there)".into(),
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert!(Permission::Publish.granted_to(Role::Author));
        assert!(!Permission::EditOthers.granted_to(Role::Author));
        assert!(Permission::Moderate.granted_to(Role::Moderator));
        assert!(!Permission::Moderate.granted_to(Role::Editor));
        assert!(!Permission::ManageMembers.granted_to(Role::Editor));
        assert!(PERMISSIONS.iter().all(|p| p.granted_to(Role::Steward)));
        assert!(PERMISSIONS.iter().all(|p| !p.granted_to(Role::Member)));
        assert_eq!(Permission::Share.holders(), "stewards and editors");
    }
}
