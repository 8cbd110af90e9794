//! The inbox refuses what it must, with a reason, and accepts what Mastodon
//! really sends.

use crate::harness::{Backend, FakePeer, TestInstance, manual_sign, raw_post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

fn digest(body: &[u8]) -> String {
    peerpress::wire::signatures::sha256_digest_header(body)
}

async fn followers(a: &TestInstance) -> u64 {
    a.get_as("/c/commons/followers").await.2["totalItems"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_style_signature_is_accepted() {
    // Mastodon signs Host without the port and puts (request-target) last.
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let body = serde_json::to_vec(&peer.follow(&a.url("/c/commons"))).unwrap();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let d = digest(&body);
    let sig = manual_sign(
        &peer.keys,
        &format!("{}#main-key", peer.actor_id),
        &[
            ("host", "localhost".into()),
            ("date", date.clone()),
            ("digest", d.clone()),
            ("(request-target)", "post /c/commons/inbox".into()),
        ],
    );
    let (status, text) = raw_post(
        &a.url("/c/commons/inbox"),
        &[
            ("host", "localhost".into()),
            ("date", date),
            ("digest", d),
            ("signature", sig),
            ("content-type", "application/activity+json".into()),
        ],
        body,
    )
    .await;
    assert_eq!(status, 202, "{text}");
    assert_eq!(followers(&a).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_malformed_requests_are_refused() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let inbox = a.url("/inbox");
    let follow = peer.follow(&a.url("/c/commons"));
    let body = serde_json::to_vec(&follow).unwrap();
    let ct = ("content-type", "application/activity+json".to_string());

    // Unsigned.
    let (status, text) = raw_post(&inbox, std::slice::from_ref(&ct), body.clone()).await;
    assert_eq!(status, 401);
    assert!(text.contains("Signature"), "{text}");

    // Signed by a key that is not the actor's.
    let impostor = FakePeer::start().await;
    let mut forged = follow.clone();
    forged["actor"] = json!(peer.actor_id);
    let fb = serde_json::to_vec(&forged).unwrap();
    let mut headers: Vec<(&str, String)> = impostor
        .sign(&inbox, &fb)
        .into_iter()
        .filter(|(k, _)| *k != "host")
        .collect();
    headers.push(ct.clone());
    let (status, text) = raw_post(&inbox, &headers, fb).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("signed by"), "{text}");

    // A bad signature: body swapped after signing.
    let mut headers: Vec<(&str, String)> = peer
        .sign(&inbox, &body)
        .into_iter()
        .filter(|(k, _)| *k != "host")
        .collect();
    headers.push(ct.clone());
    let mut swapped = follow.clone();
    swapped["object"] = json!(a.url("/u/admin"));
    let (status, text) = raw_post(&inbox, &headers, serde_json::to_vec(&swapped).unwrap()).await;
    assert_eq!(status, 401);
    assert!(text.contains("Digest"), "{text}");

    // Stale and future Date.
    for (offset_back, word) in [(true, "old"), (false, "future")] {
        let when = if offset_back {
            SystemTime::now() - Duration::from_secs(2 * 3600)
        } else {
            SystemTime::now() + Duration::from_secs(2 * 3600)
        };
        let date = httpdate::fmt_http_date(when);
        let d = digest(&body);
        let host = a.domain.clone();
        let sig = manual_sign(
            &peer.keys,
            &format!("{}#main-key", peer.actor_id),
            &[
                ("(request-target)", "post /inbox".into()),
                ("host", host.clone()),
                ("date", date.clone()),
                ("digest", d.clone()),
            ],
        );
        let (status, text) = raw_post(
            &inbox,
            &[
                ("date", date),
                ("digest", d),
                ("signature", sig),
                ct.clone(),
            ],
            body.clone(),
        )
        .await;
        assert_eq!(status, 401, "{text}");
        assert!(text.contains(word), "{text}");
    }

    // Wrong content type; oversized body; not JSON; unknown local inbox.
    let (status, _) = raw_post(
        &inbox,
        &[("content-type", "text/plain".into())],
        body.clone(),
    )
    .await;
    assert_eq!(status, 415);
    let (status, _) = raw_post(
        &inbox,
        std::slice::from_ref(&ct),
        vec![b' '; 2 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, 413);
    let (status, _) = raw_post(&inbox, std::slice::from_ref(&ct), b"{not json".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _) = peer.post(&a.url("/c/nobody/inbox"), &follow).await;
    assert_eq!(status, 404);

    assert_eq!(followers(&a).await, 0, "nothing forged was stored");
    assert_eq!(a.drain().await.sent, 0, "nothing forged was answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_activity_changes_nothing_and_unknown_types_are_accepted() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let follow = peer.follow(&a.url("/c/commons"));
    assert_eq!(peer.post(&a.url("/inbox"), &follow).await.0, 202);
    assert_eq!(peer.post(&a.url("/inbox"), &follow).await.0, 202);
    assert_eq!(a.drain().await.sent, 1, "one Accept for a replayed Follow");

    let odd: Value = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/x/1", peer.base),
        "type": "Move",
        "actor": peer.actor_id,
        "object": peer.actor_id,
    });
    let (status, text) = peer.post(&a.url("/inbox"), &odd).await;
    assert_eq!(status, 202, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_refetched_once() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let mut peer = FakePeer::start().await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    // We now hold mallory's old key; she rotates it and signs with the new one.
    peer.rotate_key();
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/likes/rotated", peer.base),
        "type": "Like",
        "actor": peer.actor_id,
        "object": a.url("/c/commons"),
    });
    let (status, text) = peer.post(&a.url("/inbox"), &like).await;
    assert_eq!(status, 202, "{text}");
    let stored = entity::actor::Entity::find()
        .filter(entity::actor::Column::ApId.eq(peer.actor_id.as_str()))
        .one(&a.ctx().db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.public_key_pem, peer.keys.public_pem,
        "the new key is stored"
    );
}
