//! What Mastodon requires of our documents (FEDERATION-NOTES.md): WebFinger
//! shape and round trip, ids equal to URLs, content types, Accept embedding
//! the Follow, pages for browsers.

use crate::harness::{Backend, FakePeer, TestInstance, client};
use peerpress::wire::signatures::parse_request_signature;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webfinger_round_trip_and_actor_shape() {
    let a = TestInstance::start(Backend::Sqlite).await;
    for (resource, id) in [
        (format!("acct:commons@{}", a.domain), a.url("/c/commons")),
        (format!("acct:admin@{}", a.domain), a.url("/u/admin")),
        (format!("acct:{d}@{d}", d = a.domain), a.url("/actor")),
    ] {
        let res = client()
            .get(a.url("/.well-known/webfinger"))
            .query(&[("resource", &resource)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{resource}");
        assert_eq!(res.headers()["content-type"], "application/jrd+json");
        let jrd: serde_json::Value = res.json().await.unwrap();
        assert_eq!(jrd["subject"], resource);
        let links = jrd["links"].as_array().unwrap();
        let me = links.iter().find(|l| l["rel"] == "self").unwrap();
        assert_eq!(me["type"], "application/activity+json");
        assert_eq!(me["href"], id);

        // The document's id is the URL fetched; Mastodon's required fields are there.
        let (status, ct, doc) = a.get_as(&id).await;
        assert_eq!(status, 200);
        assert_eq!(ct.as_deref(), Some("application/activity+json"));
        assert_eq!(doc["id"], id);
        assert!(
            doc["@context"]
                .to_string()
                .contains("https://www.w3.org/ns/activitystreams")
        );
        for field in [
            "preferredUsername",
            "inbox",
            "outbox",
            "followers",
            "following",
            "publicKey",
            "icon",
            "summary",
        ] {
            assert!(!doc[field].is_null(), "{field} missing from {id}");
        }
        assert_eq!(doc["endpoints"]["sharedInbox"], a.url("/inbox"));
        assert_eq!(doc["publicKey"]["owner"], id);
        assert_eq!(doc["publicKey"]["id"], format!("{id}#main-key"));
        assert!(
            doc["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap()
                .contains("BEGIN PUBLIC KEY")
        );
        assert!(doc.get("privateKeyPem").is_none() && !doc.to_string().contains("PRIVATE KEY"));

        // Mastodon rebuilds acct:{preferredUsername}@{host without port} and resolves it again.
        let rebuilt = format!(
            "acct:{}@localhost",
            doc["preferredUsername"].as_str().unwrap()
        );
        let jrd: serde_json::Value = client()
            .get(a.url("/.well-known/webfinger"))
            .query(&[("resource", &rebuilt)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let me = jrd["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "self")
            .unwrap()
            .clone();
        assert_eq!(me["href"], id, "{rebuilt}");
    }
    let (_, _, group) = a.get_as("/c/commons").await;
    assert_eq!(group["type"], "Group");
    let (_, _, app) = a.get_as("/actor").await;
    assert_eq!(app["type"], "Application");

    // Unknown names: 404 for WebFinger, JSON and pages.
    let res = client()
        .get(a.url("/.well-known/webfinger"))
        .query(&[("resource", format!("acct:nobody@{}", a.domain))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(a.get_as("/c/nobody").await.0, 404);
    assert_eq!(
        client()
            .get(a.url("/u/nobody"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_for_browsers_json_for_clients() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let res = client()
        .get(a.url("/c/commons"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("@commons@{}", a.domain)),
        "the handle to follow is shown"
    );
    assert!(html.contains("rel=\"alternate\" type=\"application/activity+json\""));
    assert!(html.contains("Source code"), "AGPL §13 source link");

    // ld+json with the ActivityStreams profile is ActivityPub too.
    let res = client()
        .get(a.url("/c/commons"))
        .header(
            "accept",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/activity+json");

    // An article: JSON whose id is its URL, with a plain summary; a page with OpenGraph.
    let art = a
        .publish(
            "Repair café",
            "Bring *broken* things.\n\nWe fix them together.",
        )
        .await;
    let id = art["id"].as_str().unwrap();
    let (status, ct, doc) = a.get_as(id).await;
    assert_eq!(
        (status, ct.as_deref()),
        (200, Some("application/activity+json"))
    );
    assert_eq!(doc["id"], id);
    assert_eq!(doc["type"], "Article");
    assert_eq!(doc["name"], "Repair café");
    assert_eq!(doc["summary"], "Bring broken things.");
    assert_eq!(doc["attributedTo"][0], a.url("/u/admin"));
    assert_eq!(doc["audience"], a.url("/c/commons"));
    assert!(doc["content"].as_str().unwrap().contains("<em>broken</em>"));
    assert_eq!(doc["source"]["mediaType"], "text/markdown");
    let page = client().get(id).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("og:title") && page.contains("fediverse:creator"),
        "{page}"
    );
    assert!(page.contains("rel=\"license\""));

    // NodeInfo and host-meta.
    let links: serde_json::Value = client()
        .get(a.url("/.well-known/nodeinfo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(links["links"].as_array().unwrap().len(), 2);
    let ni: serde_json::Value = client()
        .get(a.url("/nodeinfo/2.1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ni["software"]["name"], "peerpress");
    assert_eq!(ni["usage"]["localPosts"], 1);
    let hm = client()
        .get(a.url("/.well-known/host-meta"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(hm.contains("lrdd") && hm.contains("/.well-known/webfinger?resource={uri}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_embeds_the_follow_and_is_signed() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let follow = peer.follow(&a.url("/c/commons"));
    let (status, body) = peer.post(&a.url("/c/commons/inbox"), &follow).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(a.drain().await.sent, 1);

    let got = peer.received();
    assert_eq!(got.len(), 1);
    let accept = &got[0].body;
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], a.url("/c/commons"));
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(accept["object"]["type"], "Follow");
    assert_eq!(accept["object"]["actor"], peer.actor_id);
    assert_eq!(accept["object"]["object"], a.url("/c/commons"));

    // Signed as Mastodon expects: (request-target) host date digest, by the community's key.
    let headers = &got[0].headers;
    let sig = headers["signature"].to_str().unwrap();
    assert!(
        sig.contains("headers=\"(request-target) host date digest\""),
        "{sig}"
    );
    assert!(headers["digest"].to_str().unwrap().starts_with("SHA-256="));
    let (_, _, group) = a.get_as("/c/commons").await;
    let parsed = parse_request_signature("POST", "/users/mallory/inbox", headers, None).unwrap();
    assert_eq!(parsed.key_id, format!("{}#main-key", a.url("/c/commons")));
    assert!(parsed.verify(group["publicKey"]["publicKeyPem"].as_str().unwrap()));

    // The follower counts, and Undo removes it.
    let (_, _, followers) = a.get_as("/c/commons/followers").await;
    assert_eq!(followers["totalItems"], 1);
    let undo = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", peer.base),
        "type": "Undo",
        "actor": peer.actor_id,
        "object": follow,
    });
    let (status, _) = peer.post(&a.url("/inbox"), &undo).await;
    assert_eq!(status, 202);
    let (_, _, followers) = a.get_as("/c/commons/followers").await;
    assert_eq!(followers["totalItems"], 0);
}
