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
use serde_json::Value;

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
    doc: &ActivityDoc,
    raw: &Value,
) -> AppResult<Outcome> {
    let applied = |r: AppResult<()>| r.map(|()| Outcome::Applied);
    match doc.kind.as_str() {
        "Follow" => applied(follow::receive(data, signer, doc).await),
        "Undo" => applied(undo::receive(data, signer, doc).await),
        "Accept" => applied(accept::receive(data, signer, doc, true).await),
        "Reject" => applied(accept::receive(data, signer, doc, false).await),
        "Create" | "Update" => create::receive(data, signer, doc, raw).await,
        "Announce" => announce::receive(data, signer, doc).await,
        "Delete" => delete::receive(data, signer, doc).await,
        // Misskey's reactions are Likes with an emoji.
        "Like" | "EmojiReact" => applied(like::receive(data, signer, doc).await),
        other => {
            tracing::info!(kind = other, id = %doc.id, actor = %doc.actor, "activity type not handled yet; accepted and ignored");
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
