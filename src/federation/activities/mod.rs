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
use super::protocol::activity::ActivityDoc;
use crate::error::AppResult;
use serde_json::Value;

pub async fn handle(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    raw: &Value,
) -> AppResult<()> {
    match doc.kind.as_str() {
        "Follow" => follow::receive(data, signer, doc).await,
        "Undo" => undo::receive(data, signer, doc).await,
        "Accept" => accept::receive(data, signer, doc, true).await,
        "Reject" => accept::receive(data, signer, doc, false).await,
        "Create" | "Update" => create::receive(data, signer, doc).await,
        "Announce" => announce::receive(data, signer, doc).await,
        "Delete" => delete::receive(data, signer, doc).await,
        // Misskey's reactions are Likes with an emoji.
        "Like" | "EmojiReact" => like::receive(data, signer, doc).await,
        other => {
            let _ = raw;
            tracing::info!(kind = other, id = %doc.id, actor = %doc.actor, "activity type not handled yet; accepted and ignored");
            Ok(())
        }
    }
}

/// The `type` of an embedded object, if it is one.
pub fn object_type(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}
