//! The attack suite: forged and malicious requests, each answered with the
//! right status and leaving nothing stored and nothing sent.
//!
//! Every case runs against an instance whose community follows the fake
//! peer's actor `mallory`, so that a genuine Create from mallory would be
//! stored (`genuine_create_is_stored` proves it): a refusal means something.

use crate::harness::{Backend, FakePeer, TestInstance, client, manual_sign, raw_post, rsa_sign};
use base64::Engine;
use entity::{activity, actor, article, delivery, follow};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

struct Scene {
    a: TestInstance,
    peer: FakePeer,
}

async fn scene_with(env: Vec<(String, String)>) -> Scene {
    let a = TestInstance::start_with(Backend::Sqlite, env).await;
    let peer = FakePeer::start().await;
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": peer.actor_id}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let db = &a.ctx().db;
    let community = actor::Entity::find()
        .filter(actor::Column::LocalName.eq("commons"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mallory = actor::Entity::find()
        .filter(actor::Column::ApId.eq(peer.actor_id.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    peerpress::domain::follows::mark_accepted(db, &community, &mallory)
        .await
        .unwrap();
    a.drain().await; // the Follow itself
    Scene { a, peer }
}

async fn scene() -> Scene {
    scene_with(Vec::new()).await
}

#[derive(Debug, PartialEq, Eq)]
struct Counts {
    received: u64,
    follows: u64,
    articles: u64,
    deliveries: u64,
}

async fn counts(a: &TestInstance) -> Counts {
    let db = &a.ctx().db;
    Counts {
        received: activity::Entity::find()
            .filter(activity::Column::Local.eq(false))
            .count(db)
            .await
            .unwrap(),
        follows: follow::Entity::find().count(db).await.unwrap(),
        articles: article::Entity::find().count(db).await.unwrap(),
        deliveries: delivery::Entity::find().count(db).await.unwrap(),
    }
}

macro_rules! attack {
    ($name:ident, $s:ident => $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let $s = scene().await;
            let before = counts(&$s.a).await;
            $body
            assert_eq!(counts(&$s.a).await, before, "something was stored");
            assert_eq!($s.a.drain().await, Default::default(), "something was sent");
        }
    };
}

fn article_doc(peer: &FakePeer, id: &str, author: &str) -> Value {
    json!({
        "id": id,
        "type": "Article",
        "attributedTo": author,
        "name": "Title",
        "summary": "Summary",
        "content": "<p>Body</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "published": "2026-11-01T00:00:00Z",
        "url": format!("{}/pages/1", peer.base),
    })
}

fn create(peer: &FakePeer, actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{}", peer.base, uuid::Uuid::new_v4()),
        "type": "Create",
        "actor": actor,
        "object": object,
    })
}

fn own_article(peer: &FakePeer) -> Value {
    article_doc(
        peer,
        &format!("{}/objects/{}", peer.base, uuid::Uuid::new_v4()),
        &peer.actor_id,
    )
}

const AS: &str = "application/activity+json";

/// An RFC 9421 signed POST of `body` to `url` (path `path`) by `key_id`.
fn rfc9421_headers(
    keys: &peerpress::wire::signatures::GeneratedKeys,
    key_id: &str,
    url: &str,
    host: &str,
    digest_of: &[u8],
) -> Vec<(&'static str, String)> {
    let created = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let digest = format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD
            .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, digest_of).as_ref())
    );
    let params = format!(
        "(\"@method\" \"@target-uri\" \"@authority\" \"content-digest\");created={created};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\""
    );
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": {url}\n\"@authority\": {host}\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
    );
    vec![
        ("content-type", AS.to_string()),
        ("content-digest", digest),
        ("signature-input", format!("sig1={params}")),
        ("signature", format!("sig1=:{}:", rsa_sign(keys, &base))),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genuine_create_is_stored_and_rfc9421_is_accepted() {
    let s = scene().await;
    let (status, text) = s
        .peer
        .post(
            &s.a.url("/inbox"),
            &create(&s.peer, &s.peer.actor_id, own_article(&s.peer)),
        )
        .await;
    assert_eq!(status, 202, "{text}");
    assert_eq!(
        s.a.api_get("/api/v1/communities/commons/network").await.1["total"],
        1
    );
    // The same through an RFC 9421 signature.
    let url = s.a.url("/inbox");
    let body =
        serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let headers = rfc9421_headers(
        &s.peer.keys,
        &format!("{}#main-key", s.peer.actor_id),
        &url,
        &s.a.domain,
        &body,
    );
    let (status, text) = raw_post(&url, &headers, body).await;
    assert_eq!(status, 202, "{text}");
    assert_eq!(
        s.a.api_get("/api/v1/communities/commons/network").await.1["total"],
        2
    );
}

attack!(unsigned_post, s => {
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let (status, text) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into())], body).await;
    assert_eq!(status, 401);
    assert!(text.contains("Signature"), "{text}");
});

attack!(signature_by_a_key_that_is_not_the_claimed_ones, s => {
    let impostor = FakePeer::start().await;
    let act = create(&s.peer, &s.peer.actor_id, own_article(&s.peer));
    let (status, text) = s.peer.post_signed_as(&s.a.url("/inbox"), &act, &format!("{}#main-key", s.peer.actor_id), &impostor.keys).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("does not verify"), "{text}");
});

attack!(key_of_another_actor, s => {
    // eve signs correctly, but the activity claims to be mallory's.
    let act = create(&s.peer, &s.peer.actor_id, own_article(&s.peer));
    let (status, text) = s.peer.post_signed_as(&s.a.url("/inbox"), &act, &format!("{}#main-key", s.peer.eve_id), &s.peer.eve_keys).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("signed by"), "{text}");
});

attack!(garbage_signature_header, s => {
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let digest = peerpress::wire::signatures::sha256_digest_header(&body);
    let (status, _) = raw_post(
        &s.a.url("/inbox"),
        &[("content-type", AS.into()), ("date", date), ("digest", digest), ("signature", "keyId=nonsense,,,===".into())],
        body,
    )
    .await;
    assert_eq!(status, 401);
});

async fn dated(s: &Scene, when: SystemTime) -> (u16, String) {
    let body =
        serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let date = httpdate::fmt_http_date(when);
    let digest = peerpress::wire::signatures::sha256_digest_header(&body);
    let sig = manual_sign(
        &s.peer.keys,
        &format!("{}#main-key", s.peer.actor_id),
        &[
            ("(request-target)", "post /inbox".into()),
            ("host", s.a.domain.clone()),
            ("date", date.clone()),
            ("digest", digest.clone()),
        ],
    );
    raw_post(
        &s.a.url("/inbox"),
        &[
            ("content-type", AS.into()),
            ("date", date),
            ("digest", digest),
            ("signature", sig),
        ],
        body,
    )
    .await
}

attack!(stale_date, s => {
    let (status, text) = dated(&s, SystemTime::now() - Duration::from_secs(2 * 3600)).await;
    assert_eq!(status, 401);
    assert!(text.contains("old"), "{text}");
});

attack!(future_date, s => {
    let (status, text) = dated(&s, SystemTime::now() + Duration::from_secs(2 * 3600)).await;
    assert_eq!(status, 401);
    assert!(text.contains("future"), "{text}");
});

attack!(missing_date, s => {
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let digest = peerpress::wire::signatures::sha256_digest_header(&body);
    let sig = manual_sign(
        &s.peer.keys,
        &format!("{}#main-key", s.peer.actor_id),
        &[("(request-target)", "post /inbox".into()), ("host", s.a.domain.clone()), ("digest", digest.clone())],
    );
    let (status, text) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into()), ("digest", digest), ("signature", sig)], body).await;
    assert_eq!(status, 401);
    assert!(text.contains("Date"), "{text}");
});

attack!(digest_of_another_body, s => {
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let digest = peerpress::wire::signatures::sha256_digest_header(b"{}");
    let sig = manual_sign(
        &s.peer.keys,
        &format!("{}#main-key", s.peer.actor_id),
        &[("(request-target)", "post /inbox".into()), ("host", s.a.domain.clone()), ("date", date.clone()), ("digest", digest.clone())],
    );
    let (status, text) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into()), ("date", date), ("digest", digest), ("signature", sig)], body).await;
    assert_eq!(status, 401);
    assert!(text.contains("Digest"), "{text}");
});

attack!(body_swapped_after_signing, s => {
    let url = s.a.url("/inbox");
    let signed_body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let mut headers: Vec<(&str, String)> = s.peer.sign(&url, &signed_body).into_iter().filter(|(k, _)| *k != "host").collect();
    headers.push(("content-type", AS.into()));
    let other = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let (status, _) = raw_post(&url, &headers, other).await;
    assert_eq!(status, 401);
});

attack!(digest_not_signed, s => {
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let digest = peerpress::wire::signatures::sha256_digest_header(&body);
    let sig = manual_sign(
        &s.peer.keys,
        &format!("{}#main-key", s.peer.actor_id),
        &[("(request-target)", "post /inbox".into()), ("host", s.a.domain.clone()), ("date", date.clone())],
    );
    let (status, _) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into()), ("date", date), ("digest", digest), ("signature", sig)], body).await;
    assert_eq!(status, 401);
});

attack!(rfc9421_with_a_swapped_body, s => {
    let url = s.a.url("/inbox");
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let headers = rfc9421_headers(&s.peer.keys, &format!("{}#main-key", s.peer.actor_id), &url, &s.a.domain, &body);
    let other = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let (status, text) = raw_post(&url, &headers, other).await;
    assert_eq!(status, 401);
    assert!(text.contains("Content-Digest"), "{text}");
});

attack!(rfc9421_with_the_wrong_key, s => {
    let url = s.a.url("/inbox");
    let body = serde_json::to_vec(&create(&s.peer, &s.peer.actor_id, own_article(&s.peer))).unwrap();
    let headers = rfc9421_headers(&s.peer.eve_keys, &format!("{}#main-key", s.peer.actor_id), &url, &s.a.domain, &body);
    let (status, _) = raw_post(&url, &headers, body).await;
    assert_eq!(status, 401);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_activity_changes_nothing() {
    let s = scene().await;
    let act = create(&s.peer, &s.peer.actor_id, own_article(&s.peer));
    assert_eq!(s.peer.post(&s.a.url("/inbox"), &act).await.0, 202);
    let before = counts(&s.a).await;
    assert_eq!(s.peer.post(&s.a.url("/inbox"), &act).await.0, 202);
    assert_eq!(counts(&s.a).await, before);
}

attack!(create_of_another_servers_object, s => {
    let other = FakePeer::start().await;
    let forged = article_doc(&s.peer, &format!("{}/objects/stolen", other.base), &s.peer.actor_id);
    let (status, text) = s.peer.post(&s.a.url("/inbox"), &create(&s.peer, &s.peer.actor_id, forged)).await;
    assert_eq!(status, 400, "{text}");
});

attack!(create_attributed_to_someone_else, s => {
    let forged = article_doc(&s.peer, &format!("{}/objects/x", s.peer.base), &s.peer.eve_id);
    let (status, text) = s.peer.post(&s.a.url("/inbox"), &create(&s.peer, &s.peer.actor_id, forged)).await;
    assert_eq!(status, 400, "{text}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_and_delete_of_someone_elses_object_change_nothing() {
    let s = scene().await;
    let db = &s.a.ctx().db;
    let (community, eve) = {
        let c = actor::Entity::find()
            .filter(actor::Column::LocalName.eq("commons"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        // eve becomes known and followed, so her activities are not ignored for that reason.
        s.a.api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": s.peer.eve_id}),
        )
        .await;
        let e = actor::Entity::find()
            .filter(actor::Column::ApId.eq(s.peer.eve_id.as_str()))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        peerpress::domain::follows::mark_accepted(db, &c, &e)
            .await
            .unwrap();
        (c, e)
    };
    let _ = (community, eve);
    let object = own_article(&s.peer);
    assert_eq!(
        s.peer
            .post(
                &s.a.url("/inbox"),
                &create(&s.peer, &s.peer.actor_id, object.clone())
            )
            .await
            .0,
        202
    );
    let stored = || async {
        article::Entity::find()
            .filter(article::Column::ApId.eq(object["id"].as_str().unwrap()))
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };
    let original = stored().await;
    // eve updates mallory's article, then deletes it.
    let mut changed = object.clone();
    changed["attributedTo"] = json!(s.peer.eve_id);
    changed["name"] = json!("Hijacked");
    let update = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/u/1", s.peer.base), "type": "Update", "actor": s.peer.eve_id, "object": changed});
    let (status, _) = s
        .peer
        .post_signed_as(
            &s.a.url("/inbox"),
            &update,
            &format!("{}#main-key", s.peer.eve_id),
            &s.peer.eve_keys,
        )
        .await;
    assert_eq!(status, 202);
    let delete = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/d/1", s.peer.base), "type": "Delete", "actor": s.peer.eve_id, "object": object["id"]});
    let (status, _) = s
        .peer
        .post_signed_as(
            &s.a.url("/inbox"),
            &delete,
            &format!("{}#main-key", s.peer.eve_id),
            &s.peer.eve_keys,
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(stored().await, original, "the article is unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_of_our_own_article_from_outside_changes_nothing() {
    let s = scene().await;
    let art = s.a.publish("Ours", "Only we delete this.").await;
    s.a.drain().await;
    let del = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/d/2", s.peer.base), "type": "Delete", "actor": s.peer.actor_id, "object": art["id"]});
    assert_eq!(s.peer.post(&s.a.url("/inbox"), &del).await.0, 202);
    assert_eq!(s.a.get_as(art["id"].as_str().unwrap()).await.0, 200);
}

attack!(oversized_body, s => {
    let (status, _) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into())], vec![b' '; 2 * 1024 * 1024]).await;
    assert_eq!(status, 413);
});

attack!(deeply_nested_json, s => {
    let mut v = json!("x");
    for _ in 0..100 {
        v = json!({"a": v});
    }
    let mut act = create(&s.peer, &s.peer.actor_id, own_article(&s.peer));
    act["object"]["deep"] = v;
    let (status, text) = s.peer.post(&s.a.url("/inbox"), &act).await;
    assert_eq!(status, 400, "{text}");
});

attack!(huge_array, s => {
    let mut act = create(&s.peer, &s.peer.actor_id, own_article(&s.peer));
    act["cc"] = json!(vec!["https://x.example/a"; 5000]);
    let (status, text) = s.peer.post(&s.a.url("/inbox"), &act).await;
    assert_eq!(status, 400, "{text}");
});

attack!(wrong_content_type, s => {
    let (status, _) = raw_post(&s.a.url("/inbox"), &[("content-type", "text/html".into())], b"{}".to_vec()).await;
    assert_eq!(status, 415);
});

attack!(not_json, s => {
    let (status, _) = raw_post(&s.a.url("/inbox"), &[("content-type", AS.into())], b"<xml/>".to_vec()).await;
    assert_eq!(status, 400);
});

attack!(not_an_activity, s => {
    let (status, text) = s.peer.post(&s.a.url("/inbox"), &json!({"id": format!("{}/x", s.peer.base), "type": "Create"})).await;
    assert_eq!(status, 400, "{text}");
});

attack!(follow_of_an_unknown_local_actor, s => {
    let (status, _) = s.peer.post(&s.a.url("/inbox"), &s.peer.follow(&s.a.url("/c/nobody"))).await;
    assert_eq!(status, 404);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_and_dangerous_urls_in_every_field_are_removed() {
    let s = scene().await;
    let mut object = own_article(&s.peer);
    object["name"] = json!("<script>alert(1)</script>Name");
    object["summary"] =
        json!("<img src=x onerror=alert(2)>Summary <a href=\"javascript:alert(3)\">x</a>");
    object["content"] = json!(
        "<p onclick=\"alert(4)\">Body <a href=\"javascript:alert(5)\">j</a> <a href=\"data:text/html,<script>alert(6)</script>\">d</a><script>alert(7)</script><style>p{}</style><iframe src=\"https://e.org\"></iframe></p>"
    );
    assert_eq!(
        s.peer
            .post(
                &s.a.url("/inbox"),
                &create(&s.peer, &s.peer.actor_id, object.clone())
            )
            .await
            .0,
        202
    );
    let stored = article::Entity::find()
        .filter(article::Column::ApId.eq(object["id"].as_str().unwrap()))
        .one(&s.a.ctx().db)
        .await
        .unwrap()
        .unwrap();
    for text in [&stored.content_html, &stored.summary] {
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:",
            "<style",
            "<iframe",
            "<img",
        ] {
            assert!(!text.to_lowercase().contains(bad), "{bad} kept in {text}");
        }
    }
    assert!(!stored.title.contains("<script"), "{}", stored.title);
    let (_, network) = s.a.api_get("/api/v1/communities/commons/network").await;
    assert!(!network.to_string().contains("<script"), "{network}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_targets_are_refused_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let settings = peerpress::config::Settings::load(
        None,
        vec![
            (
                "PEERPRESS__SERVER__DOMAIN".into(),
                "peerpress.example".into(),
            ),
            (
                "PEERPRESS__DATABASE__URL".into(),
                format!("sqlite://{}/p.db?mode=rwc", dir.path().display()),
            ),
            (
                "PEERPRESS__MEDIA__DIR".into(),
                dir.path().join("media").display().to_string(),
            ),
        ],
    )
    .unwrap();
    let ctx = peerpress::app::open(settings).await.unwrap().ctx;
    let fed = peerpress::federation::config(&ctx).await.unwrap();
    let data = fed.to_request_data();
    // A listener that counts connections: nothing may reach it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    for target in [
        format!("https://127.0.0.1:{port}/actor"),
        "https://10.0.0.1/users/x".to_string(),
        "https://169.254.169.254/latest/meta-data".to_string(),
        format!("https://[::1]:{port}/users/x"),
        format!("https://localhost:{port}/users/x"),
        format!("http://peerpress.example:{port}/users/x"),
        format!("x@localhost:{port}"),
        "x@127.0.0.1".to_string(),
    ] {
        let err = peerpress::federation::resolve_actor(&data, &target)
            .await
            .unwrap_err();
        assert!(
            err.status().is_client_error() || err.status().is_server_error(),
            "{target}: {err}"
        );
    }
    // Deliveries too: an inbox on a private address fails for good, unsent.
    for inbox in [
        format!("https://127.0.0.1:{port}/inbox"),
        "https://10.0.0.1/inbox".to_string(),
        format!("https://localhost:{port}/inbox"),
    ] {
        let check = peerpress::wire::guard::check_outgoing(
            &ctx.settings,
            &url::Url::parse(&inbox).unwrap(),
        );
        assert!(check.is_err(), "{inbox}");
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a private address was contacted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_domains_get_nothing() {
    let a = TestInstance::start_with(
        Backend::Sqlite,
        vec![(
            "PEERPRESS__FEDERATION__BLOCKED_DOMAINS".into(),
            "localhost".into(),
        )],
    )
    .await;
    let peer = FakePeer::start().await;
    let before = counts(&a).await;
    let (status, text) = peer
        .post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
        .await;
    assert_eq!(status, 403, "{text}");
    assert_eq!(counts(&a).await, before);
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": peer.actor_id}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_get_429_with_retry_after() {
    let s = scene_with(vec![
        (
            "PEERPRESS__LIMITS__INBOX_PER_ADDRESS_PER_MINUTE".into(),
            "3".into(),
        ),
        (
            "PEERPRESS__LIMITS__API_PER_ADDRESS_PER_MINUTE".into(),
            "30".into(),
        ),
    ])
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            s.peer
                .post(
                    &s.a.url("/inbox"),
                    &create(&s.peer, &s.peer.actor_id, own_article(&s.peer)),
                )
                .await
                .0,
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    let res = client()
        .post(s.a.url("/inbox"))
        .header("content-type", AS)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // 40 API calls against 30 a minute: the bucket refills while they run
    // (half a call a second), so count refusals rather than expect the
    // last one to be refused.
    let mut refused = 0;
    for _ in 0..40 {
        if s.a.api_get("/api/v1/communities/commons/following").await.0 == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 5, "only {refused} of 40 refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_mode_requires_signed_fetches() {
    let a = TestInstance::start_with(
        Backend::Sqlite,
        vec![(
            "PEERPRESS__FEDERATION__REQUIRE_SIGNED_FETCH".into(),
            "true".into(),
        )],
    )
    .await;
    let art = a.publish("Members only", "Signed readers.").await;
    for path in ["/c/commons", "/u/admin", art["id"].as_str().unwrap()] {
        let (status, _, body) = a.get_as(path).await;
        assert_eq!(status, 401, "{path}: {body}");
    }
    // The instance actor stays public; pages for people too.
    assert_eq!(a.get_as("/actor").await.0, 200);
    assert_eq!(
        client()
            .get(a.url("/c/commons"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A signed GET is served.
    let peer = FakePeer::start().await;
    let url = url::Url::parse(&a.url("/c/commons")).unwrap();
    let mallory_key = format!("{}#main-key", peer.actor_id);
    assert_eq!(signed_get(&url, &peer.keys, &mallory_key).await, 200);
    // Signed with mallory's key but claimed as eve's: refused.
    let eve_key = format!("{}#main-key", peer.eve_id);
    assert_eq!(signed_get(&url, &peer.keys, &eve_key).await, 401);
}

/// GET `url` as ActivityStreams, signed with `keys` under `key_id`.
async fn signed_get(
    url: &url::Url,
    keys: &peerpress::wire::signatures::GeneratedKeys,
    key_id: &str,
) -> u16 {
    let key = peerpress::wire::signatures::KeyCache::default()
        .get(1, &keys.private_pem)
        .unwrap();
    let mut req = client().get(url.as_str()).header("accept", AS);
    for (k, v) in peerpress::wire::signatures::sign_request(&key, key_id, "GET", url, None).unwrap()
    {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_mode_peers_still_federate() {
    // B runs in secure mode; A follows B and B follows A; both get articles.
    let a = TestInstance::start(Backend::Sqlite).await;
    let b = TestInstance::start_with(
        Backend::Sqlite,
        vec![(
            "PEERPRESS__FEDERATION__REQUIRE_SIGNED_FETCH".into(),
            "true".into(),
        )],
    )
    .await;
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": format!("commons@{}", b.domain)}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = b
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": a.url("/c/commons")}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    for _ in 0..2 {
        a.drain().await;
        b.drain().await;
    }
    b.publish("From the secure side", "Signed all the way.")
        .await;
    a.publish("From the open side", "Hello.").await;
    for _ in 0..2 {
        a.drain().await;
        b.drain().await;
    }
    assert_eq!(
        a.api_get("/api/v1/communities/commons/network").await.1["items"][0]["title"],
        "From the secure side"
    );
    assert_eq!(
        b.api_get("/api/v1/communities/commons/network").await.1["items"][0]["title"],
        "From the open side"
    );
}
