//! Inbound correctness: replies are as private as their addressing says,
//! posts reach a followed group however their server addresses it, every
//! valid shape of a field is read, what authors sent is kept, and no remote
//! input breaks a page or races another.

use crate::comments::real_reply;
use crate::db_test;
use crate::harness::{Backend, FakePeer, TestInstance, client};
use crate::interop_fedify::FedifyPeer;
use peerpress::wire::signatures::{GeneratedKeys, generate_keypair};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Another actor on the fake peer's server, at `/objects/{name}`, with a key
/// of its own.
struct PeerActor {
    id: String,
    keys: GeneratedKeys,
}

fn actor_on(peer: &FakePeer, name: &str, kind: &str, extra: Value) -> PeerActor {
    let keys = generate_keypair().unwrap();
    let id = format!("{}/objects/{name}", peer.base);
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": kind,
        "inbox": format!("{}/inbox", peer.base),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": keys.public_pem},
    });
    if let (Some(d), Some(e)) = (doc.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    peer.serve(name, doc);
    PeerActor { id, keys }
}

async fn post_as(peer: &FakePeer, who: &PeerActor, url: &str, activity: &Value) -> (u16, String) {
    peer.post_signed_as(url, activity, &format!("{}#main-key", who.id), &who.keys)
        .await
}

fn uuid_of(article: &Value) -> &str {
    article["uuid"].as_str().unwrap()
}

async fn comments(a: &TestInstance, article: &Value) -> Value {
    a.api_get(&format!("/api/v1/articles/{}/comments", uuid_of(article)))
        .await
        .1
}

/// The ids in the article's `replies` (first page).
async fn replies(a: &TestInstance, article: &Value) -> Vec<String> {
    let (_, _, doc) = a.get_as(article["id"].as_str().unwrap()).await;
    let (_, _, replies) = a.get_as(doc["replies"].as_str().unwrap()).await;
    let (_, _, first) = a.get_as(replies["first"].as_str().unwrap()).await;
    first["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A `Create` by mallory of `object` (given its id, author and reply target).
fn create(peer: &FakePeer, n: &str, mut object: Value) -> Value {
    object["id"] = json!(format!("{}/notes/{n}", peer.base));
    if object.get("attributedTo").is_none() {
        object["attributedTo"] = json!(peer.actor_id);
    }
    if object.get("type").is_none() {
        object["type"] = json!("Note");
    }
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{n}", peer.base),
        "type": "Create",
        "actor": peer.actor_id,
        "to": object.get("to").cloned().unwrap_or(Value::Null),
        "cc": object.get("cc").cloned().unwrap_or(Value::Null),
        "object": object,
    })
}

/// The object ids of the Announces the peer received.
fn announced(peer: &FakePeer) -> Vec<String> {
    peer.received()
        .iter()
        .filter(|r| r.body["type"] == "Announce")
        .filter_map(|r| r.body["object"].as_str().map(str::to_string))
        .filter(|o| o.contains("/notes/") || o.contains("/comments/"))
        .collect()
}

async fn replies_are_as_private_as_their_addressing(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    // mallory follows the community: the Announces reach the peer.
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    let article = a.publish("Garden", "Who has seeds?").await;
    a.drain().await;
    let id = article["id"].as_str().unwrap();
    let admin = a.url("/u/admin");
    let followers = format!("{}/followers", peer.actor_id);
    let mention = json!([{"type": "Mention", "href": admin, "name": "@admin"}]);
    let cases = [
        ("public", json!({"to": [PUBLIC], "cc": [followers]})),
        ("unlisted", json!({"to": [followers], "cc": [PUBLIC]})),
        (
            "followers",
            json!({"to": [followers], "cc": [admin], "tag": mention}),
        ),
        ("direct", json!({"to": [admin], "tag": mention})),
    ];
    for (n, addressing) in &cases {
        let mut object = addressing.clone();
        object["inReplyTo"] = json!(id);
        object["content"] = json!(format!("<p>a {n} reply</p>"));
        let (status, text) = peer.post(&a.url("/inbox"), &create(&peer, n, object)).await;
        assert_eq!(status, 202, "{n}: {text}");
    }
    // Real shapes: Mastodon's direct message and its unlisted reply.
    for (n, path) in [
        ("mastodon-dm", "mastodon/activities/private_message.json"),
        ("mastodon-unlisted", "mastodon/objects/note_1.json"),
    ] {
        let mut object = real_reply(path, &peer, id, 0);
        if n == "mastodon-dm" {
            object["to"] = json!([admin]);
            object["tag"] = json!([{"type": "Mention", "href": admin, "name": "@admin"}]);
        }
        let (status, text) = peer.post(&a.url("/inbox"), &create(&peer, n, object)).await;
        assert_eq!(status, 202, "{path}: {text}");
    }
    a.drain().await;
    let note = |n: &str| format!("{}/notes/{n}", peer.base);

    // Public and unlisted replies are comments, everywhere comments are.
    let listed = comments(&a, &article).await;
    let mut shown: Vec<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    shown.sort();
    let mut expected = vec![note("mastodon-unlisted"), note("public"), note("unlisted")];
    expected.sort();
    assert_eq!(shown, expected, "{listed}");
    let mut in_replies = replies(&a, &article).await;
    in_replies.sort();
    assert_eq!(in_replies, expected);
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(page.contains("a public reply") && page.contains("a unlisted reply"));
    assert!(
        !page.contains("a followers reply") && !page.contains("a direct reply"),
        "a private reply is on the page"
    );
    assert!(page.contains("3 comments"), "the count leaks: {page}");

    // Only the public one is boosted: unlisted ones stay out of timelines,
    // private ones are never announced.
    assert_eq!(announced(&peer), vec![note("public")]);

    // The private ones wait in the addressed person's inbox.
    let (status, inbox) = a.api_get("/api/v1/inbox").await;
    assert_eq!(status, 200, "{inbox}");
    let mut private: Vec<(String, String)> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["state"], "private", "{c}");
            (
                c["id"].as_str().unwrap().to_string(),
                c["visibility"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    private.sort();
    assert_eq!(
        private,
        vec![
            (note("direct"), "direct".to_string()),
            (note("followers"), "followers".to_string()),
            (note("mastodon-dm"), "direct".to_string()),
        ]
    );
    // Somebody else's inbox is empty.
    let other = a.person("carol", Some("member")).await;
    let res = client()
        .get(a.url("/api/v1/inbox"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    let theirs: Value = res.json().await.unwrap();
    assert_eq!(theirs["total"], 0, "{theirs}");
    // A moderator cannot publish a private reply.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "approve", "object": note("direct"), "reason": "x"}),
        )
        .await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(comments(&a, &article).await["total"], 3);
}
db_test!(
    replies_by_addressing,
    replies_are_as_private_as_their_addressing
);

/// A Fedify peer's direct and followers-only replies are not comments; its
/// public and unlisted ones are, and only the public one is announced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_replies_keep_their_visibility() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    peer.follow_commons(&a).await;
    let article = a.publish("Repair café", "Bring what is broken.").await;
    a.drain().await;
    let mut ids = std::collections::HashMap::new();
    for visibility in ["direct", "followers", "unlisted", "public"] {
        let reply = peer
            .control(
                "reply",
                json!({"inReplyTo": article["id"], "content": format!("<p>{visibility} words</p>"),
                       "target": a.url("/u/admin"), "visibility": visibility}),
            )
            .await;
        ids.insert(visibility, reply["noteId"].as_str().unwrap().to_string());
    }
    // Fedify delivers through its own queue, in any order: wait until the
    // two comments and the two private replies are all in.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let shown = comments(&a, &article).await["total"].clone();
        let private = a.api_get("/api/v1/inbox").await.1["total"].clone();
        if shown == 2 && private == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replies never all arrived: {shown} shown, {private} private"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = comments(&a, &article).await;
    assert_eq!(listed["total"], 2, "{listed}");
    let text = listed.to_string();
    assert!(text.contains(ids["unlisted"].as_str()), "{text}");
    let mut in_replies = replies(&a, &article).await;
    in_replies.sort();
    let mut expected = vec![ids["public"].clone(), ids["unlisted"].clone()];
    expected.sort();
    assert_eq!(in_replies, expected);
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(!page.contains("direct words") && !page.contains("followers words"));
    let inbox = a.api_get("/api/v1/inbox").await.1;
    assert_eq!(inbox["total"], 2, "{inbox}");
    a.drain().await;
    peer.wait_for("the Announce of the public reply", |v| {
        v["type"] == "Announce" && v["objectId"] == ids["public"].as_str()
    })
    .await;
    let announced: Vec<Value> = peer
        .inbox()
        .await
        .into_iter()
        .filter(|v| v["type"] == "Announce")
        .collect();
    for v in ["direct", "followers", "unlisted"] {
        assert!(
            !announced.iter().any(|x| x["objectId"] == ids[v].as_str()),
            "the {v} reply was announced: {announced:?}"
        );
    }
}

/// A local comment chosen unlisted goes out with Public in `cc` only and is
/// not boosted by the community.
async fn local_unlisted_comments_are_not_boosted(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
        .await;
    let article = a.publish("Minutes", "Of the meeting.").await;
    a.drain().await;
    let path = format!("/api/v1/articles/{}/comments", uuid_of(&article));
    let (status, c) = a
        .api_post(
            &path,
            &json!({"body": "Quietly noted.", "visibility": "unlisted"}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["visibility"], "unlisted");
    let (status, bad) = a
        .api_post(&path, &json!({"body": "x", "visibility": "direct"}))
        .await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad.to_string().contains("visibility"), "{bad}");
    a.drain().await;
    let (_, _, note) = a.get_as(c["id"].as_str().unwrap()).await;
    assert!(!note["to"].to_string().contains("#Public"), "{note}");
    assert!(note["cc"].to_string().contains("#Public"), "{note}");
    assert!(!announced(&peer).contains(&c["id"].as_str().unwrap().to_string()));
    assert_eq!(comments(&a, &article).await["total"], 1);
}
db_test!(local_unlisted, local_unlisted_comments_are_not_boosted);

/// The network feed's entries, as the API lists them.
async fn network(a: &TestInstance) -> Vec<Value> {
    a.api_get("/api/v1/communities/commons/network").await.1["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Our community follows `group` on the peer (the group accepts).
async fn follow_group(a: &TestInstance, peer: &FakePeer, group: &PeerActor) {
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": group.id}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/accepts/{}", group.id, uuid::Uuid::new_v4()),
        "type": "Accept",
        "actor": group.id,
        "object": {"type": "Follow", "actor": a.url("/c/commons"), "object": group.id},
    });
    let (status, text) = post_as(peer, group, &a.url("/inbox"), &accept).await;
    assert_eq!(status, 202, "{text}");
}

async fn posts_reach_a_followed_group_however_addressed(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let group = actor_on(
        &peer,
        "forum",
        "Group",
        json!({"preferredUsername": "forum", "name": "The Forum"}),
    );
    follow_group(&a, &peer, &group).await;
    // Each server's way of saying "posted in this group", by mallory (a
    // person nobody here follows).
    let g = group.id.as_str();
    let cases = [
        // Lotide: the community in `to`.
        (
            "lotide",
            json!({"type": "Page", "name": "By to", "to": [g], "cc": [PUBLIC]}),
        ),
        // Hubzilla, GNU social: the group in `cc`.
        (
            "hubzilla",
            json!({"name": "By cc", "to": [PUBLIC], "cc": [g]}),
        ),
        // Plume: the blog in `attributedTo`, beside the author.
        (
            "plume",
            json!({"type": "Article", "name": "By attributedTo", "attributedTo": [peer.actor_id, g], "to": [PUBLIC]}),
        ),
        // Lemmy: `audience`.
        (
            "lemmy",
            json!({"type": "Page", "name": "By audience", "audience": g, "to": [PUBLIC]}),
        ),
    ];
    for (n, mut object) in cases {
        object["content"] = json!(format!("<p>posted the {n} way</p>"));
        let (status, text) = peer.post(&a.url("/inbox"), &create(&peer, n, object)).await;
        assert_eq!(status, 202, "{n}: {text}");
    }
    // The same post again changes nothing; a post addressed to nobody we
    // follow, or privately to the group, is not kept.
    let again = create(
        &peer,
        "hubzilla",
        json!({"name": "By cc", "to": [PUBLIC], "cc": [g], "content": "<p>posted the hubzilla way</p>"}),
    );
    let mut again = again;
    again["id"] = json!(format!("{}/activities/hubzilla-again", peer.base));
    assert_eq!(peer.post(&a.url("/inbox"), &again).await.0, 202);
    let stray = create(
        &peer,
        "stray",
        json!({"name": "Elsewhere", "to": [PUBLIC], "content": "<p>not for us</p>"}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &stray).await.0, 202);
    let private = create(
        &peer,
        "private",
        json!({"name": "Members only", "to": [g], "content": "<p>secret</p>"}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &private).await.0, 202);

    // A Mobilizon event, created by the group's organizer…
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/mobilizon/event.json"),
        )
        .unwrap(),
    )
    .unwrap();
    event["id"] = json!(format!("{}/objects/event", peer.base));
    event["url"] = event["id"].clone();
    event["attributedTo"] = json!(g);
    event["actor"] = json!(peer.actor_id);
    event["cc"] = json!([g]);
    let (status, text) = peer
        .post(
            &a.url("/inbox"),
            &json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/activities/event", peer.base),
                    "type": "Create", "actor": peer.actor_id, "object": event.clone()}),
        )
        .await;
    assert_eq!(status, 202, "{text}");
    // …and an event the group announces (fetched from its origin).
    let mut second = event.clone();
    second["id"] = json!(format!("{}/objects/event2", peer.base));
    second["url"] = second["id"].clone();
    second["name"] = json!("Seed swap");
    second["startTime"] = json!("2027-03-21T09:30:00Z");
    second["location"] =
        json!({"type": "Place", "name": "Maison du quartier", "address": "12 rue des Lilas, Lyon"});
    peer.serve("event2", second.clone());
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{g}/announces/event2"), "type": "Announce", "actor": g,
        "object": second["id"], "to": [PUBLIC],
    });
    let (status, text) = post_as(&peer, &group, &a.url("/inbox"), &announce).await;
    assert_eq!(status, 202, "{text}");

    // A private post the group announces stays out.
    let mut hidden = second.clone();
    hidden["id"] = json!(format!("{}/objects/event3", peer.base));
    hidden["name"] = json!("Members' dinner");
    hidden["to"] = json!([format!("{g}/followers")]);
    hidden["cc"] = json!([]);
    peer.serve("event3", hidden.clone());
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{g}/announces/event3"), "type": "Announce", "actor": g,
        "object": hidden["id"], "to": [format!("{g}/followers")],
    });
    assert_eq!(
        post_as(&peer, &group, &a.url("/inbox"), &announce).await.0,
        202
    );

    let items = network(&a).await;
    let mut titles: Vec<String> = items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        vec![
            "By attributedTo",
            "By audience",
            "By cc",
            "By to",
            "Mobilizon Launching Party",
            "Seed swap"
        ],
        "{items:?}"
    );
    for i in &items {
        assert_eq!(i["community"]["id"], g, "{i}");
    }
    // The Plume post's author is the person, not the blog.
    let plume = items
        .iter()
        .find(|i| i["title"] == "By attributedTo")
        .unwrap();
    assert_eq!(plume["authors"].as_array().unwrap().len(), 1, "{plume}");
    assert_eq!(plume["author"]["id"], peer.actor_id.as_str());
    let launch = items
        .iter()
        .find(|i| i["title"] == "Mobilizon Launching Party")
        .unwrap();
    assert_eq!(launch["kind"], "event");
    assert_eq!(launch["start_time"], "2019-12-18T13:00:00Z");
    assert!(
        launch["location"]
            .as_str()
            .unwrap()
            .contains("Cour du Château des Ducs de Bretagne"),
        "{launch}"
    );
    // The page shows when and where, and links to the event.
    let page = a.page(&a.url("/c/commons/network")).await;
    assert!(page.contains("March 21, 2027 at 09:30 UTC"), "{page}");
    assert!(page.contains("Maison du quartier, 12 rue des Lilas, Lyon"));
    assert!(page.contains(&format!("href=\"{}\"", second["id"].as_str().unwrap())));
    assert!(page.contains("December 18, 2019 at 13:00 UTC") && page.contains("Nantes"));
}
db_test!(
    group_addressing,
    posts_reach_a_followed_group_however_addressed
);

/// Notes without a title show their text; polls appear as a link.
async fn titleless_notes_and_polls_read_well_in_the_network_feed(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    peer.be_followed_by(&a, "commons").await;
    let note = create(
        &peer,
        "plain",
        json!({"to": [PUBLIC], "content": "<p>Soup kitchen tonight at <b>seven</b>.</p>"}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &note).await.0, 202);
    let poll = create(
        &peer,
        "poll",
        json!({"type": "Question", "to": [PUBLIC], "content": "<p>Which day suits?</p>",
               "oneOf": [{"type": "Note", "name": "Monday"}, {"type": "Note", "name": "Friday"}]}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &poll).await.0, 202);
    let page = a.page(&a.url("/c/commons/network")).await;
    assert!(page.contains("Soup kitchen tonight at seven."), "{page}");
    assert!(page.contains("<bdi>mallory</bdi>"), "no author: {page}");
    assert!(
        page.contains(&format!(
            "A poll: <a href=\"{}/notes/poll\">vote at its origin</a>",
            peer.base
        )),
        "{page}"
    );
}
db_test!(
    network_cards,
    titleless_notes_and_polls_read_well_in_the_network_feed
);

async fn every_valid_shape_is_read(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Shapes", "Reply in any shape.").await;
    let id = article["id"].as_str().unwrap();
    let image = "http://media.example/cat.png";
    let cases: Vec<(&str, Value)> = vec![
        // One tag as an object, not a list; `to` as a Link.
        (
            "single-tag",
            json!({"to": {"type": "Link", "href": PUBLIC}, "inReplyTo": id,
            "tag": {"type": "Hashtag", "name": "#seeds", "href": "https://peer.example/tags/seeds"},
            "content": "<p>one tag</p>"}),
        ),
        // inReplyTo and url as Link objects, `type` as a list, cc a bare string.
        (
            "links",
            json!({"type": ["Note", "Article"], "to": PUBLIC, "cc": format!("{}/followers", peer.actor_id),
            "inReplyTo": {"type": "Link", "href": id}, "url": {"type": "Link", "href": format!("{}/@mallory/1", peer.base)},
            "content": "<p>links everywhere</p>"}),
        ),
        // A content warning, in French.
        (
            "warned",
            json!({"to": [PUBLIC], "inReplyTo": id, "summary": "Spoilers for the ending", "sensitive": true,
            "contentMap": {"fr": "<p>Le jardinier gagne.</p>"}}),
        ),
        // Only an image (one attachment, not a list), given over http.
        (
            "image-only",
            json!({"to": [PUBLIC], "inReplyTo": id, "content": "",
            "attachment": {"type": "Document", "mediaType": "image/png", "url": image, "name": "A cat asleep on seed packets"}}),
        ),
        // Compact IRIs of known terms.
        (
            "compact",
            json!({"as:to": [PUBLIC], "as:inReplyTo": id, "as:content": "<p>compact terms</p>"}),
        ),
        // Smithereen puts the mention only in `tag`; PieFed the hashtags.
        (
            "tagged",
            json!({"to": [PUBLIC], "cc": [a.url("/u/admin")], "inReplyTo": id, "content": "<p>see this</p>",
            "tag": [{"type": "Mention", "href": a.url("/u/admin"), "name": "@admin"},
                    {"type": "Hashtag", "name": "#commons"}]}),
        ),
    ];
    for (n, object) in &cases {
        let (status, text) = peer
            .post(&a.url("/inbox"), &create(&peer, n, object.clone()))
            .await;
        assert_eq!(status, 202, "{n}: {text}");
    }
    let listed = comments(&a, &article).await;
    assert_eq!(listed["total"], cases.len(), "{listed}");
    let by = |n: &str| {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == format!("{}/notes/{n}", peer.base))
            .unwrap_or_else(|| panic!("{n} missing: {listed}"))
            .clone()
    };
    assert_eq!(by("single-tag")["hashtags"], json!(["seeds"]));
    assert_eq!(by("links")["visibility"], "public");
    assert_eq!(by("links")["url"], format!("{}/@mallory/1", peer.base));
    let warned = by("warned");
    assert_eq!(warned["content_warning"], "Spoilers for the ending");
    assert_eq!(warned["language"], "fr");
    assert!(
        warned["content"]
            .as_str()
            .unwrap()
            .contains("Le jardinier gagne.")
    );
    let img = by("image-only");
    assert_eq!(
        img["attachments"][0]["url"],
        "https://media.example/cat.png"
    );
    assert_eq!(img["attachments"][0]["alt"], "A cat asleep on seed packets");
    assert!(
        by("compact")["content"]
            .as_str()
            .unwrap()
            .contains("compact terms")
    );
    let tagged = by("tagged");
    assert_eq!(tagged["mentions"][0]["href"], a.url("/u/admin"));
    assert_eq!(tagged["hashtags"], json!(["commons"]));
    // The mention reaches the person mentioned.
    let inbox = a.api_get("/api/v1/inbox").await.1;
    assert!(
        inbox
            .to_string()
            .contains(&format!("{}/notes/tagged", peer.base)),
        "{inbox}"
    );

    // On the page: the warning collapses the text, the image has its alt,
    // the French comment says so.
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(
        page.contains("<details class=\"content-warning\"><summary><bdi>Spoilers for the ending</bdi></summary>"),
        "{page}"
    );
    assert!(page.contains("lang=\"fr\""));
    assert!(
        page.contains(
            "<img src=\"https://media.example/cat.png\" alt=\"A cat asleep on seed packets\""
        ),
        "{page}"
    );
    assert!(!page.contains("http://media.example"));

    // A reply with nothing in it is refused, saying why; so is a term we
    // cannot read in place of the content.
    let empty = create(
        &peer,
        "empty",
        json!({"to": [PUBLIC], "inReplyTo": id, "content": "<p> </p>"}),
    );
    let (status, text) = peer.post(&a.url("/inbox"), &empty).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("no content"), "{text}");
    let odd = create(
        &peer,
        "odd",
        json!({"to": [PUBLIC], "inReplyTo": id, "schema:text": "<p>?</p>"}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &odd).await.0, 400);
    assert_eq!(comments(&a, &article).await["total"], cases.len());

    // An actor without preferredUsername (ActivityPub makes it optional).
    let nameless = actor_on(&peer, "nameless", "Person", json!({"name": "No Handle"}));
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/nameless", nameless.id), "type": "Create", "actor": nameless.id,
        "object": {"id": format!("{}/notes/1", nameless.id), "type": "Note", "attributedTo": nameless.id,
                   "to": [PUBLIC], "inReplyTo": id, "content": "<p>no handle here</p>"},
    });
    let (status, text) = post_as(&peer, &nameless, &a.url("/inbox"), &activity).await;
    assert_eq!(status, 202, "{text}");
    let listed = comments(&a, &article).await;
    let c = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["content"].as_str().unwrap().contains("no handle here"))
        .unwrap()
        .clone();
    assert!(
        c["author"]["handle"]
            .as_str()
            .unwrap()
            .starts_with("nameless@"),
        "{c}"
    );
}
db_test!(shapes_of_fields, every_valid_shape_is_read);

/// Real replies whose authors sent an image, hashtags or a warning keep them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_attachments_and_hashtags_are_kept() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Donations", "Thanks!").await;
    let id = article["id"].as_str().unwrap();
    for (n, path) in [
        ("kde", "mastodon/objects/note_2.json"),
        ("friendica", "friendica/objects/note_2.json"),
    ] {
        let object = real_reply(path, &peer, id, 0);
        let (status, text) = peer.post(&a.url("/inbox"), &create(&peer, n, object)).await;
        assert_eq!(status, 202, "{path}: {text}");
    }
    let listed = comments(&a, &article).await.to_string();
    assert!(
        listed.contains("The KDE dragons Katie and Konqi"),
        "{listed}"
    );
    assert!(listed.contains("\"image/jpeg\""), "{listed}");
    assert!(
        listed.contains("\"Friendica\"") && listed.contains("\"Lemmy\""),
        "{listed}"
    );
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(
        page.contains("alt=\"The KDE dragons Katie and Konqi"),
        "{page}"
    );
}

/// Servers without a shared inbox post one copy to the community and one to
/// the author at the same moment: one comment, not edited.
async fn the_same_create_at_two_inboxes_is_handled_once(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Twice", "Once please.").await;
    let activity = create(
        &peer,
        "twice",
        json!({"to": [PUBLIC], "inReplyTo": article["id"], "content": "<p>only once</p>"}),
    );
    let (c1, c2) = (a.url("/c/commons/inbox"), a.url("/u/admin/inbox"));
    let (r1, r2) = tokio::join!(peer.post(&c1, &activity), peer.post(&c2, &activity));
    assert_eq!((r1.0, r2.0), (202, 202), "{r1:?} {r2:?}");
    // And once more, later (a redelivery): still one, unedited.
    assert_eq!(peer.post(&c1, &activity).await.0, 202);
    let listed = comments(&a, &article).await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert!(listed["items"][0]["updated"].is_null(), "{listed}");
}
db_test!(two_inboxes, the_same_create_at_two_inboxes_is_handled_once);

/// 20 activities at once from an actor we have never seen all succeed.
async fn a_new_actors_first_activities_do_not_race(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Popular", "Everyone likes it.").await;
    let newbie = actor_on(
        &peer,
        "newbie",
        "Person",
        json!({"preferredUsername": "newbie"}),
    );
    let url = a.url("/inbox");
    let sends = (0..20).map(|i| {
        let activity = if i % 2 == 0 {
            json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/likes/{i}", newbie.id),
                   "type": "Like", "actor": newbie.id, "object": article["id"]})
        } else {
            json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/activities/{i}", newbie.id),
                   "type": "Create", "actor": newbie.id,
                   "object": {"id": format!("{}/notes/{i}", newbie.id), "type": "Note", "attributedTo": newbie.id,
                              "to": [PUBLIC], "inReplyTo": article["id"], "content": format!("<p>reply {i}</p>")}})
        };
        let (peer, newbie, url) = (&peer, &newbie, url.clone());
        async move { post_as(peer, newbie, &url, &activity).await }
    });
    let results = futures::future::join_all(sends).await;
    for (i, (status, text)) in results.iter().enumerate() {
        assert!((200..300).contains(status), "activity {i}: {status} {text}");
    }
    assert_eq!(comments(&a, &article).await["total"], 10);
}
db_test!(first_contact, a_new_actors_first_activities_do_not_race);

async fn large_comments_never_break_the_page(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Big thread", "Say a lot.").await;
    let id = article["id"].as_str().unwrap();
    let huge = format!("<p>{}</p>", "lorem ipsum dolor sit amet ".repeat(34_000));
    assert!(huge.len() > 900_000);
    let big = create(
        &peer,
        "huge",
        json!({"to": [PUBLIC], "inReplyTo": id, "content": huge}),
    );
    let (status, text) = peer.post(&a.url("/inbox"), &big).await;
    assert_eq!(status, 202, "{text}");
    let listed = comments(&a, &article).await;
    let kept = listed["items"][0]["content"].as_str().unwrap();
    assert!(kept.len() <= 110 * 1024, "{} bytes kept", kept.len());
    assert!(
        kept.contains(&format!("href=\"{}/notes/huge\"", peer.base)),
        "no link to the original"
    );
    // 300 comments of 3 KB each.
    let body = format!("<p>{}</p>", "word ".repeat(600));
    let url = a.url("/inbox");
    for chunk in (0..300).collect::<Vec<_>>().chunks(20) {
        let posts = chunk.iter().map(|i| {
            let activity = create(
                &peer,
                &format!("c{i}"),
                json!({"to": [PUBLIC], "inReplyTo": id, "content": body.clone()}),
            );
            let (peer, url) = (&peer, &url);
            async move { peer.post(url, &activity).await.0 }
        });
        let statuses = futures::future::join_all(posts).await;
        assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    }
    assert_eq!(comments(&a, &article).await["total"], 301);
    // The page answers 200, twice (cached or not), with a page of comments
    // and a link to the next.
    for _ in 0..2 {
        let started = Instant::now();
        let res = client()
            .get(article["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(page.contains("301 comments"));
        assert!(page.contains("?comments=2#comments"), "no next page");
        assert_eq!(page.matches("class=\"card comment\"").count(), 100);
    }
    let last = client()
        .get(format!("{}?comments=4", article["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(last.status(), 200);
    let last = last.text().await.unwrap();
    assert_eq!(last.matches("class=\"card comment\"").count(), 1);
    assert!(last.contains("?comments=3#comments"));
    // The article JSON is unaffected.
    assert_eq!(a.get_as(id).await.0, 200);

    // A page larger than the response cache takes is served, uncached.
    let long = a.publish("Long read", &"*seed* ".repeat(60_000)).await;
    for _ in 0..2 {
        let res = client()
            .get(long["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().len() > 600 * 1024);
    }
}
db_test!(large_comments, large_comments_never_break_the_page);

/// Bidi overrides and zero-width characters in a remote name are stripped,
/// and names are isolated in the HTML; relative links in remote HTML point
/// at the remote origin, never at ours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_names_and_links_are_made_safe() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Names", "Who is who?").await;
    let trudy = actor_on(
        &peer,
        "trudy",
        "Person",
        json!({"preferredUsername": "tru\u{200B}dy", "name": "Trudy \u{202E}nimda\u{202C} the admin"}),
    );
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/1", trudy.id), "type": "Create", "actor": trudy.id,
        "object": {"id": format!("{}/notes/1", trudy.id), "type": "Note", "attributedTo": trudy.id,
                   "to": [PUBLIC], "inReplyTo": article["id"],
                   "content": "<p><a href=\"/admin\">admin</a> <a href=\"//evil.example/x\">x</a> <a href=\"settings\">s</a></p>"},
    });
    let (status, text) = post_as(&peer, &trudy, &a.url("/inbox"), &activity).await;
    assert_eq!(status, 202, "{text}");
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(
        page.contains("<bdi>Trudy nimda the admin</bdi>"),
        "name not isolated and stripped: {page}"
    );
    let host = peer.base.trim_start_matches("http://");
    assert!(
        page.contains(&format!("<bdi>@trudy@{host}</bdi>")),
        "{page}"
    );
    assert!(!page.contains('\u{202E}') && !page.contains('\u{200B}'));
    // No link to our own paths.
    assert!(!page.contains("href=\"/admin\"") && !page.contains("href=\"settings\""));
    assert!(!page.contains(&format!("href=\"{}/admin", a.base)));
    assert!(
        page.contains(&format!("href=\"{}/admin\"", peer.base)),
        "{page}"
    );
    assert!(page.contains("href=\"http://evil.example/x\""), "{page}");
}

/// A moderator's removal says so on the comment's page and links the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_comment_says_who_removed_it() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let article = a.publish("Moderated", "Be kind.").await;
    let path = format!("/api/v1/articles/{}/comments", uuid_of(&article));
    let (status, c) = a.api_post(&path, &json!({"body": "Rude words."})).await;
    assert_eq!(status, 201, "{c}");
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "remove", "object": c["id"], "reason": "Unkind"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, _, tomb) = a.get_as(c["id"].as_str().unwrap()).await;
    assert_eq!(status, 410);
    assert_eq!(tomb["type"], "Tombstone");
    let res = client()
        .get(c["id"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("removed by the community's moderators"),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{}/moderation\"", a.url("/c/commons"))));
    assert!(!html.contains("deleted by its authors"));
}

/// Received activities are forgotten after the retention period; only
/// applied ones ever kept their JSON.
async fn the_activity_log_is_bounded(backend: Backend) {
    use entity::activity;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Log", "Keep little.").await;
    let applied = create(
        &peer,
        "kept",
        json!({"to": [PUBLIC], "inReplyTo": article["id"], "content": "<p>kept</p>"}),
    );
    let ignored = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/activities/odd", peer.base),
                         "type": "Move", "actor": peer.actor_id, "object": peer.actor_id});
    let refused = create(
        &peer,
        "refused",
        json!({"to": [PUBLIC], "inReplyTo": article["id"], "content": ""}),
    );
    assert_eq!(peer.post(&a.url("/inbox"), &applied).await.0, 202);
    assert_eq!(peer.post(&a.url("/inbox"), &ignored).await.0, 202);
    assert_eq!(peer.post(&a.url("/inbox"), &refused).await.0, 400);
    let db = &a.ctx().db;
    let row = |id: String| async move {
        activity::Entity::find()
            .filter(activity::Column::ApId.eq(id))
            .one(db)
            .await
            .unwrap()
    };
    let kept = row(applied["id"].as_str().unwrap().to_string())
        .await
        .unwrap();
    assert!(
        kept.json.contains("\"kept\"") || kept.json.contains("kept"),
        "{kept:?}"
    );
    assert_eq!(
        row(ignored["id"].as_str().unwrap().to_string())
            .await
            .unwrap()
            .json,
        ""
    );
    assert!(
        row(refused["id"].as_str().unwrap().to_string())
            .await
            .is_none()
    );
    // A redelivery of the ignored one is still recognised.
    assert_eq!(peer.post(&a.url("/inbox"), &ignored).await.0, 202);

    // Age them past the retention; our own activities stay.
    let mut old: activity::ActiveModel = kept.into();
    old.created_at = Set(chrono::Utc::now() - chrono::Duration::days(31));
    old.update(db).await.unwrap();
    let ours_before = activity::Entity::find()
        .filter(activity::Column::Local.eq(true))
        .all(db)
        .await
        .unwrap()
        .len();
    assert!(ours_before > 0);
    let removed =
        peerpress::domain::received::prune(db, a.ctx().settings.federation.activity_retention_days)
            .await
            .unwrap();
    assert_eq!(removed, 1);
    assert!(
        row(applied["id"].as_str().unwrap().to_string())
            .await
            .is_none()
    );
    assert!(
        row(ignored["id"].as_str().unwrap().to_string())
            .await
            .is_some()
    );
    let ours_after = activity::Entity::find()
        .filter(activity::Column::Local.eq(true))
        .all(db)
        .await
        .unwrap()
        .len();
    assert_eq!(ours_before, ours_after);
}
db_test!(activity_log, the_activity_log_is_bounded);

/// A claim left by a request that died before handling its activity does
/// not hide the activity for good: after the claim timeout a redelivery
/// takes it over and applies it. A fresh claim still holds off a duplicate.
async fn an_abandoned_claim_is_taken_over(backend: Backend) {
    use entity::activity::{self, ActivityKind};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Claims", "Crash-safe.").await;
    let reply = |name: &str| {
        create(
            &peer,
            name,
            json!({"to": [PUBLIC], "inReplyTo": article["id"], "content": format!("<p>{name}</p>")}),
        )
    };
    let db = &a.ctx().db;
    let claim = |id: &str, age: chrono::Duration| activity::ActiveModel {
        ap_id: Set(id.to_string()),
        kind: Set(ActivityKind::Create),
        actor_ap_id: Set(peer.actor_id.clone()),
        json: Set(String::new()),
        local: Set(false),
        created_at: Set(chrono::Utc::now() - age),
        handled: Set(false),
        ..Default::default()
    };
    let abandoned = reply("abandoned");
    claim(
        abandoned["id"].as_str().unwrap(),
        chrono::Duration::minutes(10),
    )
    .insert(db)
    .await
    .unwrap();
    let busy = reply("busy");
    claim(busy["id"].as_str().unwrap(), chrono::Duration::seconds(1))
        .insert(db)
        .await
        .unwrap();
    assert_eq!(peer.post(&a.url("/inbox"), &abandoned).await.0, 202);
    assert_eq!(peer.post(&a.url("/inbox"), &busy).await.0, 202);
    let (_, comments) = a
        .api_get(&format!("/api/v1/articles/{}/comments", uuid_of(&article)))
        .await;
    let text = comments.to_string();
    assert!(text.contains("abandoned"), "{comments}");
    assert!(!text.contains("busy"), "{comments}");
    let row = activity::Entity::find()
        .filter(activity::Column::ApId.eq(abandoned["id"].as_str().unwrap()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.handled && row.json.contains("abandoned"), "{row:?}");
    // Handled now: the next copy is a duplicate.
    assert_eq!(peer.post(&a.url("/inbox"), &abandoned).await.0, 202);
    let (_, again) = a
        .api_get(&format!("/api/v1/articles/{}/comments", uuid_of(&article)))
        .await;
    assert_eq!(again["total"], comments["total"]);
}
db_test!(abandoned_claims, an_abandoned_claim_is_taken_over);

/// A followed outbox that lists activity ids (not embedded activities) is
/// backfilled too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_reads_outbox_items_given_by_id() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let group = actor_on(
        &peer,
        "club",
        "Group",
        json!({"preferredUsername": "club", "outbox": format!("{}/objects/club-outbox", peer.base)}),
    );
    let g = group.id.clone();
    let mut items = Vec::new();
    for n in 0..2 {
        let page = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/objects/club-page{n}", peer.base),
                          "type": "Page", "name": format!("Club news {n}"), "attributedTo": peer.actor_id, "audience": g,
                          "to": [PUBLIC], "content": "<p>news</p>"});
        let object_id = peer.serve(&format!("club-page{n}"), page);
        let create = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/objects/club-create{n}", peer.base),
                            "type": "Create", "actor": peer.actor_id, "object": object_id, "to": [PUBLIC]});
        items.push(json!(peer.serve(&format!("club-create{n}"), create)));
    }
    peer.serve(
        "club-outbox",
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/objects/club-outbox", peer.base),
               "type": "OrderedCollection", "totalItems": 2, "orderedItems": items}),
    );
    follow_group(&a, &peer, &group).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while network(&a).await.len() < 2 {
        assert!(Instant::now() < deadline, "the outbox was not backfilled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// All-rights-reserved travels as such: another instance says "All rights
/// reserved", not "No licence given", and shows only title and summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_rights_reserved_is_shown_as_such_elsewhere() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let b = TestInstance::start(Backend::Sqlite).await;
    let (status, v) = b
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": a.url("/c/commons")}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    b.drain().await;
    a.drain().await;
    let (status, closed) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Our recipes", "summary": "A teaser.", "body": "The secret sauce.", "licence": "all-rights-reserved"}),
        )
        .await;
    assert_eq!(status, 201, "{closed}");
    let (_, _, doc) = a.get_as(closed["id"].as_str().unwrap()).await;
    assert_eq!(
        doc["license"],
        peerpress::content::licences::ALL_RIGHTS_RESERVED_URL,
        "{doc}"
    );
    a.drain().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = b.page(&b.url("/c/commons/network")).await;
        if page.contains("Our recipes") {
            assert!(page.contains(">All rights reserved</a>"), "{page}");
            assert!(!page.contains("No licence given"), "{page}");
            assert!(!page.contains("The secret sauce"), "{page}");
            break;
        }
        assert!(Instant::now() < deadline, "the article never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
