//! Handlers of incoming activities, one kind per file. The signer has been
//! verified and is the activity's actor when these run.

mod accept;
mod announce;
mod create;
mod delete;
mod follow;
mod like;
mod undo;

use super::Data;
use super::objects::actor::ApubActor;
use crate::error::AppResult;
use crate::wire::activity::ActivityDoc;
use crate::wire::article::{ArticleDoc, POST_TYPES};
use crate::wire::ref_id;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// An inner activity, embedded or by id: the object of `Undo`, `Accept`
/// and `Reject`.
#[derive(Clone, Debug, Default)]
pub struct Inner {
    pub id: Option<Url>,
    /// Its type, when embedded.
    pub kind: Option<String>,
    pub actor: Option<Url>,
    pub object: Option<Url>,
}

impl Inner {
    fn read(v: &Value) -> Inner {
        Inner {
            id: ref_id(v),
            kind: object_type(v).map(str::to_string),
            actor: v.get("actor").and_then(ref_id),
            object: v.get("object").and_then(ref_id),
        }
    }
}

/// What an `Announce` shares: an object id, and for a relayed activity
/// (`Announce{Update}`, Lemmy's `Announce{Create{Page}}`) the inner
/// activity's type, id and actor.
#[derive(Clone, Debug)]
pub struct Shared {
    pub object: Url,
    pub inner: Option<Inner>,
}

/// Every activity we accept, parsed once from the body; each variant is
/// handled by the file of its kind.
#[derive(Clone, Debug)]
pub enum Activity {
    Follow {
        target: Url,
    },
    Undo(Inner),
    Accept(Inner),
    Reject(Inner),
    /// `Create` or `Update` (`update` true) of a post-like object.
    Create {
        object: Box<ArticleDoc>,
        update: bool,
    },
    Announce(Shared),
    Delete {
        object: Url,
    },
    /// `Like`, and Misskey's `EmojiReact`.
    Like {
        object: Url,
    },
    /// `Flag`: a report about the objects (our actors, articles,
    /// comments), with the reporter's comment.
    Flag {
        objects: Vec<Url>,
        content: String,
    },
    /// Valid, but nothing we act on: the reason is logged.
    Ignored(String),
}

/// An inbox body read once: the envelope (id, type, actor, addressing) and
/// what it asks of us.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub envelope: ActivityDoc,
    pub activity: Activity,
}

impl Inbound {
    /// Read an activity whose terms were normalized
    /// (`wire::normalize_terms`). A malformed activity of a kind we handle
    /// is an error naming what is wrong; a kind we do not handle is
    /// `Ignored`.
    pub fn parse(raw: &Value) -> Result<Inbound, String> {
        let envelope: ActivityDoc =
            ActivityDoc::deserialize(raw).map_err(|e| format!("not an activity: {e}"))?;
        let object = &envelope.object;
        let id_of =
            |what: &str| ref_id(object).ok_or_else(|| format!("{} needs {what}", envelope.kind));
        let activity = match envelope.kind.as_str() {
            "Follow" => Activity::Follow {
                target: id_of("an `object` naming the actor to follow")?,
            },
            "Undo" => Activity::Undo(Inner::read(object)),
            "Accept" => Activity::Accept(Inner::read(object)),
            "Reject" => Activity::Reject(Inner::read(object)),
            "Create" | "Update" => match object_type(object) {
                Some(kind) if POST_TYPES.contains(&kind) => Activity::Create {
                    object: Box::new(
                        ArticleDoc::deserialize(object)
                            .map_err(|e| format!("the created object is not valid: {e}"))?,
                    ),
                    update: envelope.kind == "Update",
                },
                other => Activity::Ignored(format!(
                    "{} of an object type not handled yet ({})",
                    envelope.kind,
                    other.unwrap_or("a reference")
                )),
            },
            "Announce" => {
                let shared = crate::wire::announced_object(&serde_json::json!({
                    "type": "Announce",
                    "object": object,
                }))
                .ok_or("Announce needs an object id")?;
                let inner = object.is_object().then(|| Inner::read(object));
                Activity::Announce(Shared {
                    object: shared,
                    inner: inner.filter(|i| i.kind.is_some()),
                })
            }
            "Delete" => Activity::Delete {
                object: id_of("an object id or a Tombstone with an id")?,
            },
            "Like" | "EmojiReact" => Activity::Like {
                object: id_of("an object id")?,
            },
            "Flag" => Activity::Flag {
                objects: crate::wire::ref_ids(object),
                content: raw
                    .get("content")
                    .and_then(Value::as_str)
                    .map(crate::content::plain_text_of_html)
                    .unwrap_or_default(),
            },
            other => Activity::Ignored(format!("activity type {other} not handled yet")),
        };
        Ok(Inbound { envelope, activity })
    }
}

/// What handling an activity came to: only applied activities keep their
/// JSON (for as long as deduplication needs it); an ignored one keeps only
/// its id, so a redelivery is still recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Ignored,
}

pub async fn handle(
    data: &Data,
    signer: &ApubActor,
    inbound: &Inbound,
    raw: &Value,
) -> AppResult<Outcome> {
    let doc = &inbound.envelope;
    let applied = |r: AppResult<()>| r.map(|()| Outcome::Applied);
    match &inbound.activity {
        Activity::Follow { target } => applied(follow::receive(data, signer, doc, target).await),
        Activity::Undo(inner) => applied(undo::receive(data, signer, doc, inner).await),
        Activity::Accept(inner) => applied(accept::receive(data, signer, doc, inner, true).await),
        Activity::Reject(inner) => applied(accept::receive(data, signer, doc, inner, false).await),
        Activity::Create { object, update } => {
            create::receive(data, signer, doc, object, *update, raw).await
        }
        Activity::Announce(shared) => announce::receive(data, signer, doc, shared).await,
        Activity::Delete { object } => delete::receive(data, signer, doc, object).await,
        Activity::Like { object } => applied(like::receive(data, signer, doc, object).await),
        Activity::Flag { objects, content } => {
            let objects: Vec<String> = objects.iter().map(|u| u.to_string()).collect();
            let ours = crate::domain::governance::reports::receive_flag(
                data.app_data(),
                &signer.model,
                doc.id.as_str(),
                &objects,
                content,
            )
            .await?;
            if ours {
                Ok(Outcome::Applied)
            } else {
                tracing::info!(id = %doc.id, "Flag of nothing of ours; ignored");
                Ok(Outcome::Ignored)
            }
        }
        Activity::Ignored(why) => {
            tracing::info!(kind = %doc.kind, id = %doc.id, actor = %doc.actor, "{why}; accepted and ignored");
            Ok(Outcome::Ignored)
        }
    }
}

/// The `type` of an embedded object, if it is one.
/// (Inbound documents have had their `type` lists and compact IRIs reduced
/// to one plain name by `protocol::normalize_terms`.)
pub fn object_type(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}
