//! `Follow` of one of our actors: record it and answer `Accept`.

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;
use activitypub_federation::traits::Object;
use serde_json::json;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    target_id: &url::Url,
) -> AppResult<()> {
    let target = ApubActor::read_from_id(target_id.clone(), data)
        .await?
        .filter(|a| a.model.local)
        .ok_or_else(|| AppError::NotFound(format!("no actor {target_id} on this instance")))?;
    // Echo the Follow as Mastodon expects: its id, actor and object.
    let echoed = json!({
        "id": doc.id,
        "type": "Follow",
        "actor": doc.actor,
        "object": target_id,
    });
    // Allowlist mode, or blocked by the community's moderators: Reject.
    let refused = !data.settings.may_federate(&doc.actor)
        || crate::domain::governance::blocks::is_blocked(
            &data.db,
            target.model.id,
            signer.model.id,
        )
        .await?;
    if refused {
        tracing::info!(follower = %signer.model.ap_id, target = %target.model.ap_id, "Follow refused by the federation policy or a block");
        return crate::domain::follows::reject_follower(
            data.app_data(),
            &signer.model,
            &target.model,
            &echoed,
        )
        .await;
    }
    crate::domain::follows::accept_follower(data.app_data(), &signer.model, &target.model, &echoed)
        .await
}
