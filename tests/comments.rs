//! Comments from anywhere: replies by the Fedify peer and real reply JSON
//! from Mastodon, Misskey, Pleroma, Akkoma and Lemmy become comments on our
//! articles.

use crate::harness::{Backend, FakePeer, TestInstance, client};
use crate::interop_fedify::FedifyPeer;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

async fn comments(a: &TestInstance, article: &Value) -> Value {
    a.api_get(&format!(
        "/api/v1/articles/{}/comments",
        article["uuid"].as_str().unwrap()
    ))
    .await
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_reply_becomes_a_comment_and_its_delete_removes_it() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    peer.follow_commons(&a).await;
    a.drain().await;
    let article = a.publish("Potluck", "Bring food.").await;
    a.drain().await;

    let reply = peer
        .control(
            "reply",
            json!({"inReplyTo": article["id"], "content": "<p>I will bring <b>soup</b><script>x()</script></p>", "target": a.url("/u/admin")}),
        )
        .await;
    let note_id = reply["noteId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while comments(&a, &article).await["total"] != 1 {
        assert!(
            Instant::now() < deadline,
            "the reply never became a comment"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = comments(&a, &article).await;
    assert_eq!(listed["items"][0]["id"], note_id.as_str());
    let content = listed["items"][0]["content"].as_str().unwrap();
    assert!(
        content.contains("<b>soup</b>") && !content.contains("script"),
        "{content}"
    );
    // On the page, and in `replies` for Mastodon 4.5 to walk.
    let page = client()
        .get(article["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("soup"), "the comment is on the page");
    let (_, _, doc) = a.get_as(article["id"].as_str().unwrap()).await;
    let (_, _, replies) = a.get_as(doc["replies"].as_str().unwrap()).await;
    assert_eq!(replies["totalItems"], 1);
    let (_, _, first) = a.get_as(replies["first"].as_str().unwrap()).await;
    assert_eq!(first["orderedItems"][0], note_id.as_str());
    // The community announces it to its followers, Fedify included.
    a.drain().await;
    peer.wait_for("the Announce of the comment", |v| {
        v["type"] == "Announce" && v["objectId"] == note_id.as_str()
    })
    .await;

    // Fedify's Like is counted: in `likes` and on the page.
    let like = peer
        .control(
            "like",
            json!({"object": article["id"], "target": a.url("/u/admin")}),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, _, likes) = a.get_as(doc["likes"].as_str().unwrap()).await;
        if likes["totalItems"] == 1 {
            let (_, _, first) = a.get_as(likes["first"].as_str().unwrap()).await;
            assert_eq!(first["orderedItems"][0], like["likeId"]);
            break;
        }
        assert!(Instant::now() < deadline, "the Like was never counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = a.page(article["url"].as_str().unwrap()).await;
    assert!(page.contains("1 like</span>"), "the like is shown");

    // A member answers: Fedify gets a Note replying to its note, which
    // mentions it.
    let (status, answer) = a
        .api_post(
            &format!(
                "/api/v1/articles/{}/comments",
                article["uuid"].as_str().unwrap()
            ),
            &json!({"body": "Soup is **welcome**.", "in_reply_to": note_id}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    a.drain().await;
    let create = peer
        .wait_for("the Create{Note} of the answer", |v| {
            v["type"] == "Create" && v["objectId"] == answer["id"]
        })
        .await;
    assert_eq!(create["objectType"], "Note", "{create}");
    let note = &create["object"]["object"];
    assert_eq!(note["inReplyTo"], note_id.as_str(), "{create}");
    assert!(note["tag"].to_string().contains("Mention"), "{create}");

    // Its author deletes it: gone.
    peer.control(
        "delete",
        json!({"object": note_id, "target": a.url("/u/admin")}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while comments(&a, &article).await["total"] != 1 {
        assert!(
            Instant::now() < deadline,
            "the Delete never removed the comment"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A real reply object from `tests/fixtures/real` (copies of the shared
/// collection) or, for `own/…`, the rest of `tests/fixtures` (see its
/// README), re-homed on the fake peer and pointed at our article.
pub fn real_reply(path: &str, peer: &FakePeer, in_reply_to: &str, n: usize) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = match path.strip_prefix("own/") {
        Some(own) => root.join("tests/fixtures").join(own),
        None => root.join("tests/fixtures/real").join(path),
    };
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    v["id"] = json!(format!("{}/notes/{n}", peer.base));
    v["attributedTo"] = json!(peer.actor_id);
    v["inReplyTo"] = json!(in_reply_to);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_replies_from_mastodon_misskey_pleroma_akkoma_and_lemmy_become_comments() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Fixtures", "Reply to me.").await;
    let id = article["id"].as_str().unwrap();
    for (n, path) in [
        "mastodon/objects/note_1.json",
        "pleroma/objects/note.json",
        "lemmy/objects/comment.json",
        "own/misskey/note_reply.json",
        "own/akkoma/note_reply.json",
    ]
    .iter()
    .enumerate()
    {
        let object = real_reply(path, &peer, id, n);
        let create = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/{n}", peer.base),
            "type": "Create",
            "actor": peer.actor_id,
            "object": object,
        });
        let (status, text) = peer.post(&a.url("/inbox"), &create).await;
        assert_eq!(status, 202, "{path}: {text}");
        assert_eq!(
            comments(&a, &article).await["total"],
            n + 1,
            "{path} did not become a comment"
        );
    }
    // A reply to a comment joins the same thread.
    let first = format!("{}/notes/0", peer.base);
    let nested = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/nested", peer.base),
        "type": "Create",
        "actor": peer.actor_id,
        "object": {"id": format!("{}/notes/nested", peer.base), "type": "Note", "attributedTo": peer.actor_id, "inReplyTo": first, "content": "<p>Nested</p>", "to": "https://www.w3.org/ns/activitystreams#Public"},
    });
    assert_eq!(peer.post(&a.url("/inbox"), &nested).await.0, 202);
    let listed = comments(&a, &article).await;
    assert_eq!(listed["total"], 6);
    // What each said survives sanitizing (Misskey's HTML, Akkoma's bare text).
    let all = listed.to_string();
    assert!(all.contains("acat_chew"), "akkoma: {all}");
    assert!(all.contains("いやそういうことじゃなくて"), "misskey: {all}");
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["in_reply_to"] == first.as_str())
    );
    // A reply to something that is not ours: accepted and ignored.
    let stray = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/stray", peer.base),
        "type": "Create",
        "actor": peer.actor_id,
        "object": {"id": format!("{}/notes/stray", peer.base), "type": "Note", "attributedTo": peer.actor_id, "inReplyTo": "https://elsewhere.example/notes/1", "content": "<p>x</p>"},
    });
    assert_eq!(peer.post(&a.url("/inbox"), &stray).await.0, 202);
    assert_eq!(comments(&a, &article).await["total"], 6);
}
