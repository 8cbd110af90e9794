//! `ApubActor`: any actor, local or remote, as the federation crate sees it.

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::wire::actor::ActorDoc;
use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use entity::actor;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TryIntoModel};
use url::Url;

#[derive(Debug, Clone)]
pub struct ApubActor {
    pub model: actor::Model,
    id: Url,
}

impl ApubActor {
    pub fn new(model: actor::Model) -> AppResult<ApubActor> {
        let id = Url::parse(&model.ap_id).map_err(|e| {
            AppError::internal(format!("stored actor id {} is not a URL: {e}", model.ap_id))
        })?;
        Ok(ApubActor { model, id })
    }

    /// Our ActivityStreams document for a local actor.
    pub fn to_doc(&self, ctx: &AppContext) -> ActorDoc {
        crate::wire::outbound::local_actor(&ctx.settings.base_url(), &self.model, self.id.clone())
    }
}

#[async_trait::async_trait]
impl Object for ApubActor {
    type DataType = AppContext;
    type Kind = ActorDoc;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.model.last_refreshed_at)
    }

    async fn read_from_id(object_id: Url, data: &Data<Self::DataType>) -> AppResult<Option<Self>> {
        actor::Entity::find()
            .filter(actor::Column::ApId.eq(object_id.as_str()))
            .one(&data.db)
            .await?
            .map(ApubActor::new)
            .transpose()
    }

    async fn into_json(self, data: &Data<Self::DataType>) -> AppResult<ActorDoc> {
        Ok(self.to_doc(data.app_data()))
    }

    async fn verify(
        json: &ActorDoc,
        expected_domain: &Url,
        _data: &Data<Self::DataType>,
    ) -> AppResult<()> {
        crate::wire::guard::same_origin_or_err(&json.id, expected_domain).map_err(|_| {
            AppError::BadRequest(format!("actor {} was served from another domain", json.id))
        })?;
        if json.public_key.owner != json.id {
            return Err(AppError::BadRequest(format!(
                "the public key of {} is owned by {}",
                json.id, json.public_key.owner
            )));
        }
        for url in [
            Some(&json.inbox),
            json.endpoints
                .as_ref()
                .and_then(|e| e.shared_inbox.as_ref()),
        ]
        .into_iter()
        .flatten()
        {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(AppError::BadRequest(format!("inbox {url} is not http(s)")));
            }
        }
        Ok(())
    }

    async fn from_json(json: ActorDoc, data: &Data<Self::DataType>) -> AppResult<Self> {
        let host = match (json.id.host_str(), json.id.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return Err(AppError::BadRequest("actor id has no host".into())),
        };
        let bounded =
            |s: Option<String>, max: usize| s.map(|s| crate::content::truncate_words(&s, max));
        let existing = actor::Entity::find()
            .filter(actor::Column::ApId.eq(json.id.as_str()))
            .one(&data.db)
            .await?;
        let now = crate::domain::now();
        let is_new = existing.is_none();
        let mut row: actor::ActiveModel = match existing {
            Some(e) if e.local => return ApubActor::new(e),
            Some(e) => e.into(),
            None => actor::ActiveModel {
                ap_id: Set(json.id.to_string()),
                local: Set(false),
                local_name: Set(None),
                private_key_pem: Set(None),
                admin: Set(false),
                published: Set(json.published.unwrap_or(now)),
                ..Default::default()
            },
        };
        row.kind = Set(json.kind.to_lowercase());
        row.username = Set(crate::content::truncate_words(&remote_username(&json), 100));
        row.host = Set(host);
        row.display_name = Set(bounded(
            json.name
                .as_deref()
                .map(crate::content::clean_name)
                .filter(|n| !n.is_empty()),
            200,
        ));
        row.summary = Set(bounded(
            json.summary
                .as_deref()
                .map(|s| crate::content::sanitize_remote_html(s, &json.id)),
            5000,
        ));
        row.inbox_url = Set(json.inbox.to_string());
        row.shared_inbox_url = Set(json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .map(Url::to_string));
        row.outbox_url = Set(json.outbox.as_ref().map(Url::to_string));
        row.followers_url = Set(json.followers.as_ref().map(Url::to_string));
        row.public_key_pem = Set(json.public_key.public_key_pem.clone());
        row.icon_url = Set(json.icon_url().map(|u| u.to_string()));
        row.manually_approves = Set(json.manually_approves_followers.unwrap_or(false));
        row.last_refreshed_at = Set(now);
        if is_new {
            // A new actor often sends several activities at once (a Like and
            // an Announce in the same second): concurrent first contacts
            // upsert the same row instead of failing on the unique id.
            use actor::Column as C;
            actor::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(C::ApId)
                        .update_columns([
                            C::Kind,
                            C::Username,
                            C::Host,
                            C::DisplayName,
                            C::Summary,
                            C::InboxUrl,
                            C::SharedInboxUrl,
                            C::OutboxUrl,
                            C::FollowersUrl,
                            C::PublicKeyPem,
                            C::IconUrl,
                            C::ManuallyApproves,
                            C::LastRefreshedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&data.db)
                .await?;
            let saved = actor::Entity::find()
                .filter(actor::Column::ApId.eq(json.id.as_str()))
                .one(&data.db)
                .await?
                .ok_or_else(|| AppError::internal(format!("actor {} vanished", json.id)))?;
            return ApubActor::new(saved);
        }
        let saved = row.save(&data.db).await?.try_into_model()?;
        ApubActor::new(saved)
    }
}

/// The handle's user part: `preferredUsername` without bidi or invisible
/// characters; an actor without one (ActivityPub makes it optional) is
/// named after the last segment of its id.
fn remote_username(json: &ActorDoc) -> String {
    let given = json
        .preferred_username
        .as_deref()
        .map(crate::content::clean_name)
        .filter(|n| !n.is_empty());
    given.unwrap_or_else(|| {
        let from_id: String = json
            .id
            .path_segments()
            .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        if from_id.is_empty() {
            json.id.host_str().unwrap_or("actor").to_string()
        } else {
            from_id
        }
    })
}

impl Actor for ApubActor {
    fn public_key_pem(&self) -> &str {
        &self.model.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        self.model.private_key_pem.clone()
    }

    fn inbox(&self) -> Url {
        Url::parse(&self.model.inbox_url).unwrap_or_else(|_| self.id.clone())
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.model
            .shared_inbox_url
            .as_deref()
            .and_then(|s| Url::parse(s).ok())
    }
}
