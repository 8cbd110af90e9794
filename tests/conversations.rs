//! Conversations: comment policy and moderation, likes and shares, local
//! comments, community-follows-community with re-sharing across three
//! instances, and Announces resolved at their origin.

use crate::harness::{Backend, FakePeer, TestInstance, client, eventually};
use serde_json::{Value, json};

async fn comments(a: &TestInstance, article: &Value) -> Value {
    a.api_get(&format!(
        "/api/v1/articles/{}/comments",
        article["uuid"].as_str().unwrap()
    ))
    .await
    .1
}

async fn patch(a: &TestInstance, path: &str, body: &Value) -> (u16, Value) {
    a.call(reqwest::Method::PATCH, path, &a.token, Some(body.clone()))
        .await
}

async fn post_as_eve(peer: &FakePeer, url: &str, activity: &Value) -> u16 {
    let key_id = format!("{}#main-key", peer.eve_id);
    peer.post_signed_as(url, activity, &key_id, &peer.eve_keys)
        .await
        .0
}

async fn replies_total(a: &TestInstance, article: &Value) -> Value {
    let (_, _, doc) = a.get_as(article["id"].as_str().unwrap()).await;
    a.get_as(doc["replies"].as_str().unwrap()).await.2["totalItems"].clone()
}

async fn held_comments_wait_for_a_moderator(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    let article = a.publish("Held", "A moderated thread.").await;
    let id = article["id"].as_str().unwrap();
    a.drain().await;

    // Bad settings are refused and say what is allowed.
    let (status, v) = patch(
        &a,
        "/api/v1/communities/commons",
        &json!({"comment_policy": "sometimes"}),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("followers"), "{v}");
    // Unknown settings are refused (the title is settable since governance).
    let (status, v) = patch(&a, "/api/v1/communities/commons", &json!({"colour": "x"})).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["colour"].is_string(), "{v}");
    let (status, v) = patch(
        &a,
        "/api/v1/communities/commons",
        &json!({"comment_policy": "held"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["comment_policy"], "held");

    // Held: invisible in the API, `replies` and the page.
    let note = format!("{}/notes/held", peer.actor_id);
    let create = peer.reply(false, "held", id, "Wait for me");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    assert_eq!(comments(&a, &article).await["total"], 0);
    assert_eq!(replies_total(&a, &article).await, 0);
    let page_url = article["url"].as_str().unwrap();
    assert!(!a.page(page_url).await.contains("Wait for me"));
    let (status, held) = a.api_get("/api/v1/communities/commons/comments").await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["items"][0]["id"], note.as_str());
    assert_eq!(held["items"][0]["state"], "held");
    a.drain().await;
    assert!(
        !peer
            .received()
            .iter()
            .any(|r| r.body["type"] == "Announce" && r.body["object"] == note.as_str()),
        "a held comment is not announced"
    );

    // Only moderators decide.
    let member = a.person("mia", Some("member")).await;
    let body = json!({"action": "approve", "object": note, "reason": "on topic"});
    let (status, _) = a
        .api_post_as(&member, "/api/v1/communities/commons/moderation", &body)
        .await;
    assert_eq!(status, 403);
    let (status, _) = a
        .api_post_as(&member, "/api/v1/communities/commons/comments", &json!({}))
        .await;
    assert_eq!(status, 405);
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "hide", "object": note}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "approve", "object": "https://nowhere.example/x"}),
        )
        .await;
    assert_eq!(status, 404);

    // Approved: shown everywhere and announced.
    let (status, v) = a
        .api_post("/api/v1/communities/commons/moderation", &body)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "accepted");
    assert_eq!(comments(&a, &article).await["total"], 1);
    assert_eq!(replies_total(&a, &article).await, 1);
    assert!(a.page(page_url).await.contains("Wait for me"));
    a.drain().await;
    assert!(
        peer.received()
            .iter()
            .any(|r| r.body["type"] == "Announce" && r.body["object"] == note.as_str()),
        "the approved comment is announced"
    );

    // Removed: a reason is required, it goes into the public log.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "remove", "object": note, "reason": " "}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["reason"].is_string(), "{v}");
    // Removed: gone from `replies` and the page, and its author cannot bring
    // it back with an Update.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "remove", "object": note, "reason": "spam link"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(comments(&a, &article).await["total"], 0);
    assert_eq!(replies_total(&a, &article).await, 0);
    assert!(!a.page(page_url).await.contains("Wait for me"));
    // Followers are told to drop the community's boost of it.
    a.drain().await;
    assert!(
        peer.received().iter().any(|r| r.body["type"] == "Undo"
            && r.body["object"]["type"] == "Announce"
            && r.body["object"]["object"] == note.as_str()),
        "the boost of the removed comment is undone"
    );
    let mut update = peer.reply(false, "held-again", id, "Wait for me again");
    update["type"] = json!("Update");
    update["object"]["id"] = json!(note);
    assert_eq!(peer.post(&a.url("/inbox"), &update).await.0, 202);
    assert_eq!(comments(&a, &article).await["total"], 0);

    // The public log says who decided what, and why.
    let log = client()
        .get(a.url("/api/v1/communities/commons/moderation"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["remove", "approve", "policy"], "{log}");
    assert_eq!(log["items"][0]["reason"], "spam link");
    let html = a.page(&a.url("/c/commons/moderation")).await;
    assert!(
        html.contains("spam link") && html.contains("removed"),
        "{html}"
    );
    assert!(
        a.page(page_url)
            .await
            .contains("once a moderator approves them")
    );
    // The decider's role is shown; their name only when the instance
    // chooses to (`moderation.show_moderator_names`, off by default).
    assert_eq!(log["items"][0]["role"], "steward", "{log}");
    assert!(log["items"][0]["moderator"].is_null(), "{log}");

    // Open to followers: mallory follows and is shown; eve does not and waits.
    let (status, _) = patch(
        &a,
        "/api/v1/communities/commons",
        &json!({"comment_policy": "followers"}),
    )
    .await;
    assert_eq!(status, 200);
    let create = peer.reply(false, "follower", id, "I follow");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    let create = peer.reply(true, "stranger", id, "I do not follow");
    assert_eq!(post_as_eve(&peer, &a.url("/inbox"), &create).await, 202);
    let shown = comments(&a, &article).await;
    assert_eq!(shown["total"], 1, "{shown}");
    assert_eq!(shown["items"][0]["author"]["id"], peer.actor_id.as_str());
    let (_, held) = a.api_get("/api/v1/communities/commons/comments").await;
    assert_eq!(held["items"][0]["author"]["id"], peer.eve_id.as_str());
}
crate::db_test!(moderation, held_comments_wait_for_a_moderator);

async fn likes_and_shares_of_our_objects_are_counted(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Liked", "Worth a like.").await;
    let id = article["id"].as_str().unwrap();
    let (_, _, doc) = a.get_as(id).await;
    let likes_url = doc["likes"].as_str().unwrap().to_string();
    let shares_url = doc["shares"].as_str().unwrap().to_string();
    let total = |url: String| {
        let a = &a;
        async move { a.get_as(&url).await.2["totalItems"].clone() }
    };
    let activity = |kind: &str, n: &str, object: Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/{kind}/{n}", peer.actor_id),
            "type": kind, "actor": peer.actor_id, "object": object,
        })
    };
    let like = activity("Like", "1", json!(id));
    assert_eq!(peer.post(&a.url("/inbox"), &like).await.0, 202);
    // A second Like by the same person counts once.
    let again = activity("Like", "2", json!(id));
    assert_eq!(peer.post(&a.url("/inbox"), &again).await.0, 202);
    assert_eq!(total(likes_url.clone()).await, 1);
    let (_, _, first) = a
        .get_as(
            a.get_as(&likes_url).await.2["first"]
                .as_str()
                .unwrap()
                .to_string()
                .as_str(),
        )
        .await;
    assert_eq!(first["orderedItems"][0], like["id"]);
    assert!(
        a.page(article["url"].as_str().unwrap())
            .await
            .contains("1 like</span>")
    );
    // eve cannot undo mallory's like.
    let mut undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", peer.eve_id),
        "type": "Undo", "actor": peer.eve_id, "object": like,
    });
    assert_eq!(post_as_eve(&peer, &a.url("/inbox"), &undo).await, 202);
    assert_eq!(total(likes_url.clone()).await, 1);
    // mallory can.
    undo["id"] = json!(format!("{}/undo/2", peer.actor_id));
    undo["actor"] = json!(peer.actor_id);
    assert_eq!(peer.post(&a.url("/inbox"), &undo).await.0, 202);
    assert_eq!(total(likes_url.clone()).await, 0);

    // A share (boost), then its Undo by bare id.
    let share = activity("Announce", "1", json!(id));
    assert_eq!(peer.post(&a.url("/inbox"), &share).await.0, 202);
    assert_eq!(total(shares_url.clone()).await, 1);
    assert!(
        a.page(article["url"].as_str().unwrap())
            .await
            .contains("1 share</span>")
    );
    let undo = activity("Undo", "3", share["id"].clone());
    assert_eq!(peer.post(&a.url("/inbox"), &undo).await.0, 202);
    assert_eq!(total(shares_url.clone()).await, 0);

    // A like of something that is not ours: accepted, ignored.
    let stray = activity("Like", "3", json!("https://elsewhere.example/notes/1"));
    assert_eq!(peer.post(&a.url("/inbox"), &stray).await.0, 202);
    assert_eq!(total(likes_url).await, 0);
}
crate::db_test!(reactions, likes_and_shares_of_our_objects_are_counted);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_comment_is_a_note_to_the_thread() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    let article = a.publish("Talk", "Let us talk.").await;
    let uuid = article["uuid"].as_str().unwrap();
    let path = format!("/api/v1/articles/{uuid}/comments");
    let create = peer.reply(false, "q", article["id"].as_str().unwrap(), "A question");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    let question = format!("{}/notes/q", peer.actor_id);
    a.drain().await;
    peer.inbox.lock().unwrap().clear();

    // Bad input.
    let (status, v) = a.api_post(&path, &json!({"body": "  "})).await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = a
        .api_post(
            &path,
            &json!({"body": "x", "in_reply_to": "https://elsewhere.example/1"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let outsider = a.person("olga", None).await;
    let (status, v) = a
        .api_post_as(&outsider, &path, &json!({"body": "hello"}))
        .await;
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("--role member"), "{v}");

    let (status, c) = a
        .api_post(
            &path,
            &json!({"body": "An **answer**", "in_reply_to": question}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let cid = c["id"].as_str().unwrap();
    assert!(cid.starts_with(&a.url("/comments/")), "{cid}");
    assert!(
        c["content"]
            .as_str()
            .unwrap()
            .contains("<strong>answer</strong>")
    );

    // Mallory gets the Note, addressed to the thread, with a Mention.
    a.drain().await;
    let received: Vec<Value> = peer.received().into_iter().map(|r| r.body).collect();
    let create = received
        .iter()
        .find(|b| b["type"] == "Create")
        .unwrap_or_else(|| panic!("no Create in {received:?}"));
    let note = &create["object"];
    assert_eq!(note["type"], "Note");
    assert_eq!(note["id"], cid);
    assert_eq!(note["inReplyTo"], question.as_str());
    assert_eq!(note["tag"][0]["type"], "Mention");
    assert_eq!(note["tag"][0]["href"], peer.actor_id.as_str());
    let cc = note["cc"].to_string();
    assert!(cc.contains(&a.url("/c/commons\"")), "{cc}");
    assert!(cc.contains(&a.url("/u/admin\"")), "{cc}");
    assert!(
        received
            .iter()
            .any(|b| b["type"] == "Announce" && b["object"] == cid),
        "the community announces it"
    );
    // Dereferenceable, and threaded under the question on the page.
    let (status, _, doc) = a.get_as(cid).await;
    assert_eq!(status, 200);
    assert_eq!(doc["inReplyTo"], question.as_str());
    let res = client().get(cid).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let page = a.page(article["url"].as_str().unwrap()).await;
    let q = page.find("A question").unwrap();
    let ans = page.find("<strong>answer</strong>").unwrap();
    assert!(q < ans);
    assert!(
        page[..ans].rfind("class=\"depth-1\"").unwrap() > q,
        "nested under the question"
    );

    // A moderator removes a member's comment: withdrawn with a Delete, 410.
    let (status, second) = a.api_post(&path, &json!({"body": "Off-topic rant"})).await;
    assert_eq!(status, 201, "{second}");
    a.drain().await;
    peer.inbox.lock().unwrap().clear();
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "remove", "object": second["id"], "reason": "off topic"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(a.get_as(second["id"].as_str().unwrap()).await.0, 410);
    a.drain().await;
    assert!(
        peer.received()
            .iter()
            .any(|r| r.body["type"] == "Delete" && r.body["object"]["id"] == second["id"]),
        "the removed comment is withdrawn"
    );
    let (status, _) = a
        .api_post(
            "/api/v1/communities/commons/moderation",
            &json!({"action": "approve", "object": second["id"]}),
        )
        .await;
    assert_eq!(status, 422);

    // Deleting it: only its author or a moderator; then 410 and a Delete.
    let uuid = cid.rsplit('/').next().unwrap();
    let delete = |token: String| {
        let url = a.url(&format!("/api/v1/comments/{uuid}"));
        async move {
            client()
                .delete(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let member = a.person("mia", Some("member")).await;
    assert_eq!(delete(member).await, 403);
    peer.inbox.lock().unwrap().clear();
    assert_eq!(delete(a.token.clone()).await, 204);
    assert_eq!(delete(a.token.clone()).await, 410);
    assert_eq!(a.get_as(cid).await.0, 410);
    assert_eq!(comments(&a, &article).await["total"], 1);
    assert!(
        !a.page(article["url"].as_str().unwrap())
            .await
            .contains("<strong>answer</strong>")
    );
    a.drain().await;
    assert!(
        peer.received()
            .iter()
            .any(|r| r.body["type"] == "Delete" && r.body["object"]["id"] == cid),
        "the Delete reaches the thread"
    );
}

/// An article document served by the fake peer.
fn article_doc(peer: &FakePeer, name: &str, title: &str, content: &str) -> (String, Value) {
    let id = format!("{}/objects/{name}", peer.base);
    let doc = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": "Article", "attributedTo": peer.actor_id,
        "name": title, "summary": format!("About {title}"), "content": content,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    (id, doc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announced_objects_are_fetched_from_their_origin() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    peer.be_followed_by(&a, "commons").await;
    let announce = |n: &str, object: Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/announces/{n}", peer.actor_id),
            "type": "Announce", "actor": peer.actor_id, "object": object,
        })
    };
    let network = || async { a.api_get("/api/v1/communities/commons/network").await.1 };

    // An embedded copy is not trusted: what is stored is the origin's.
    let (good, doc) = article_doc(&peer, "good", "Origin title", "<p>from the origin</p>");
    peer.serve("good", doc);
    let forged = json!({"id": good, "type": "Article", "attributedTo": peer.actor_id, "name": "Forged", "content": "<p>forged</p>"});
    assert_eq!(
        peer.post(&a.url("/inbox"), &announce("1", forged)).await.0,
        202
    );
    let n = network().await;
    assert_eq!(n["total"], 1, "{n}");
    assert_eq!(n["items"][0]["title"], "Origin title");
    let page = a.page(&a.url("/c/commons/network")).await;
    assert!(page.contains("from the origin") && !page.contains("forged"));

    // Cannot be fetched, or fails verification: nothing stored, 202.
    let (wrong_id, mut doc) = article_doc(&peer, "wrong-id", "Wrong id", "x");
    doc["id"] = json!("http://localhost:1/objects/elsewhere");
    peer.serve("wrong-id", doc);
    let (foreign, mut doc) = article_doc(&peer, "foreign", "Foreign author", "x");
    doc["attributedTo"] = json!("http://localhost:1/users/someone");
    peer.serve("foreign", doc);
    let missing = format!("{}/objects/missing", peer.base);
    for (n, object) in [("2", missing), ("3", wrong_id), ("4", foreign)] {
        let (status, body) = peer
            .post(&a.url("/inbox"), &announce(n, json!(object)))
            .await;
        assert_eq!(status, 202, "{object}: {body}");
    }
    assert_eq!(network().await["total"], 1);

    // A `url` that is not an http(s) page on the object's server is not
    // linked to: the id is.
    let (sneaky, mut doc) = article_doc(&peer, "sneaky", "Sneaky link", "<p>x</p>");
    doc["url"] = json!("javascript:alert(1)");
    peer.serve("sneaky", doc);
    let (elsewhere, mut doc) = article_doc(&peer, "elsewhere", "Phishing link", "<p>x</p>");
    doc["url"] = json!("https://phishing.example/login");
    peer.serve("elsewhere", doc);
    for (n, object) in [("s1", &sneaky), ("s2", &elsewhere)] {
        assert_eq!(
            peer.post(&a.url("/inbox"), &announce(n, json!(object)))
                .await
                .0,
            202
        );
    }
    let n = network().await;
    assert_eq!(n["total"], 3, "{n}");
    for item in n["items"].as_array().unwrap() {
        assert_eq!(
            item["url"].as_str().unwrap().split('/').nth(2),
            good.split('/').nth(2),
            "{item}"
        );
    }
    let page = a.page(&a.url("/c/commons/network")).await;
    assert!(!page.contains("javascript:") && !page.contains("phishing.example"));

    // Lemmy's Announce{Create{Page}} is resolved through the inner object.
    let (lemmy, mut doc) = article_doc(&peer, "lemmy", "A Lemmy post", "<p>post</p>");
    doc["type"] = json!("Page");
    peer.serve("lemmy", doc);
    let wrapped = json!({"id": format!("{}/create/1", peer.actor_id), "type": "Create", "actor": peer.actor_id, "object": {"id": lemmy, "type": "Page"}});
    assert_eq!(
        peer.post(&a.url("/inbox"), &announce("5", wrapped)).await.0,
        202
    );
    assert_eq!(network().await["total"], 4);

    // A share of an object: bad input to the API says what is wrong.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": "not a url"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": a.publish("Mine", "Local.").await["id"]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": format!("{}/objects/missing", peer.base)}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": "http://localhost:1/objects/unreachable"}),
        )
        .await;
    assert_eq!(status, 502, "{v}");
    let (status, _) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": good}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": good}),
        )
        .await;
    assert_eq!(status, 409, "{v}");
}

async fn network_ids(i: &TestInstance) -> Vec<String> {
    i.api_get("/api/v1/communities/commons/network").await.1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

async fn stored_copies(i: &TestInstance, ap_id: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entity::article::Entity::find()
        .filter(entity::article::Column::ApId.eq(ap_id))
        .count(&i.ctx().db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_follow_share_and_delete() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let b = TestInstance::start(Backend::Sqlite).await;
    let c = TestInstance::start(Backend::Sqlite).await;
    // D follows only B: it hears of C's article, and of its fate, through B.
    let d = TestInstance::start(Backend::Sqlite).await;

    // C publishes before anyone follows it: an open and a closed article.
    let (status, open) = c
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Seed library", "body": "Open *seeds* for everyone.", "licence": "CC-BY-4.0"}),
        )
        .await;
    assert_eq!(status, 201, "{open}");
    let (status, closed) = c
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Private notes", "summary": "Only a teaser.", "body": "The secret full text.", "licence": "all-rights-reserved"}),
        )
        .await;
    assert_eq!(status, 201, "{closed}");
    let open_id = open["id"].as_str().unwrap().to_string();

    // A follows B and C; their Accepts start a backfill of C's outbox.
    for other in [&b, &c] {
        let (status, v) = a
            .api_post(
                "/api/v1/communities/commons/follows",
                &json!({"target": other.url("/c/commons")}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let (status, v) = d
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": b.url("/c/commons")}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    a.drain().await;
    d.drain().await;
    b.drain().await;
    c.drain().await;
    eventually("A backfills C's outbox", 30, || async {
        network_ids(&a).await.len() == 2
    })
    .await;

    // B shares C's open article: A stores it once, with C's authors and licence.
    let (status, shared) = b
        .api_post(
            "/api/v1/communities/commons/shares",
            &json!({"object": open_id}),
        )
        .await;
    assert_eq!(status, 201, "{shared}");
    assert_eq!(shared["authors"][0]["id"], c.url("/u/admin"));
    b.drain().await;
    assert_eq!(network_ids(&b).await, std::slice::from_ref(&open_id));
    assert_eq!(network_ids(&d).await, std::slice::from_ref(&open_id));
    let ids = network_ids(&a).await;
    assert_eq!(ids.iter().filter(|i| **i == open_id).count(), 1, "{ids:?}");
    assert_eq!(stored_copies(&a, &open_id).await, 1);
    // A took in B's Announce (as a share by B), not only C's own.
    {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let b_at_a = entity::actor::Entity::find()
            .filter(entity::actor::Column::ApId.eq(b.url("/c/commons")))
            .one(&a.ctx().db)
            .await
            .unwrap()
            .unwrap();
        let shares = entity::reaction::Entity::find()
            .filter(entity::reaction::Column::ObjectApId.eq(open_id.as_str()))
            .filter(entity::reaction::Column::ActorId.eq(b_at_a.id))
            .count(&a.ctx().db)
            .await
            .unwrap();
        assert_eq!(shares, 1, "B's share reached A");
    }
    let n = a.api_get("/api/v1/communities/commons/network").await.1;
    let item = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == open_id.as_str())
        .unwrap();
    assert_eq!(item["authors"][0]["id"], c.url("/u/admin"));
    assert_eq!(item["community"]["id"], c.url("/c/commons"));
    assert_eq!(
        item["licence"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert_eq!(item["url"], open["url"]);
    // C counts the share.
    let (_, _, doc) = c.get_as(&open_id).await;
    assert_eq!(
        c.get_as(doc["shares"].as_str().unwrap()).await.2["totalItems"],
        1
    );

    // Licence-aware display: the open one in full with attribution, the
    // closed one as title, summary and link.
    let page = a.page(&a.url("/c/commons/network")).await;
    assert!(page.contains("<em>seeds</em>"), "open article in full");
    assert!(page.contains("href=\"https://creativecommons.org/licenses/by/4.0/\""));
    assert!(page.contains(&format!("href=\"{}\"", open["url"].as_str().unwrap())));
    assert!(page.contains("Private notes") && page.contains("Only a teaser."));
    assert!(
        !page.contains("secret full text"),
        "closed article not republished"
    );

    // C edits it: A (a follower of C), B (which shared it) and D (through
    // B's relay) show the new title.
    let (status, v) = patch(
        &c,
        &format!("/api/v1/articles/{}", open["uuid"].as_str().unwrap()),
        &json!({"title": "Seed library, renewed"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    c.drain().await;
    b.drain().await;
    for (name, i) in [("A", &a), ("B", &b), ("D", &d)] {
        let n = i.api_get("/api/v1/communities/commons/network").await.1;
        assert!(
            n["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == open_id.as_str() && x["title"] == "Seed library, renewed"),
            "{name} did not see the edit: {n}"
        );
    }

    // C deletes it: gone from A and from B, and from D through B.
    let status = client()
        .delete(c.url(&format!(
            "/api/v1/articles/{}",
            open["uuid"].as_str().unwrap()
        )))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    c.drain().await;
    assert!(!network_ids(&a).await.contains(&open_id));
    assert!(network_ids(&b).await.is_empty());
    b.drain().await;
    assert!(network_ids(&d).await.is_empty());
    assert!(
        !a.page(&a.url("/c/commons/network"))
            .await
            .contains("Seed library")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_its_author_changes_a_comment() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let other = FakePeer::start().await;
    assert_eq!(
        other
            .post(&a.url("/inbox"), &other.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    let article = a.publish("Mine to edit", "Comments welcome.").await;
    let id = article["id"].as_str().unwrap();
    let create = peer.reply(false, "c1", id, "Original words");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    let note = format!("{}/notes/c1", peer.actor_id);

    // eve, on the same server, rewrites and deletes mallory's comment.
    let mut update = peer.reply(true, "c1-edit", id, "Forged words");
    update["type"] = json!("Update");
    update["object"]["id"] = json!(note);
    assert_eq!(post_as_eve(&peer, &a.url("/inbox"), &update).await, 202);
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/deletes/1", peer.eve_id),
        "type": "Delete", "actor": peer.eve_id, "object": note,
    });
    assert_eq!(post_as_eve(&peer, &a.url("/inbox"), &delete).await, 202);
    // Another server tries the same.
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/deletes/2", other.actor_id),
        "type": "Delete", "actor": other.actor_id, "object": {"id": note, "type": "Tombstone"},
    });
    assert_eq!(other.post(&a.url("/inbox"), &delete).await.0, 202);
    let listed = comments(&a, &article).await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert!(
        listed["items"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Original words")
    );

    // Its author can.
    let mut update = peer.reply(false, "c1-edit2", id, "Better words");
    update["type"] = json!("Update");
    update["object"]["id"] = json!(note);
    assert_eq!(peer.post(&a.url("/inbox"), &update).await.0, 202);
    let listed = comments(&a, &article).await;
    assert!(
        listed["items"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Better words")
    );
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/deletes/3", peer.actor_id),
        "type": "Delete", "actor": peer.actor_id, "object": note,
    });
    assert_eq!(peer.post(&a.url("/inbox"), &delete).await.0, 202);
    assert_eq!(comments(&a, &article).await["total"], 0);
    // The community's followers are told to drop its boost.
    a.drain().await;
    assert!(
        other.received().iter().any(|r| r.body["type"] == "Undo"
            && r.body["object"]["type"] == "Announce"
            && r.body["object"]["object"] == note.as_str()),
        "the boost of the deleted comment is undone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_are_paged_for_long_threads() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Popular", "Many replies.").await;
    let id = article["id"].as_str().unwrap();
    for n in 0..53 {
        let create = peer.reply(false, &format!("r{n}"), id, &format!("Reply {n}"));
        assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    }
    let (_, _, doc) = a.get_as(id).await;
    let (_, _, replies) = a.get_as(doc["replies"].as_str().unwrap()).await;
    assert_eq!(replies["totalItems"], 53);
    let (_, _, first) = a.get_as(replies["first"].as_str().unwrap()).await;
    let items = first["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert_eq!(items[0], format!("{}/notes/r0", peer.actor_id).as_str());
    let (_, _, second) = a.get_as(first["next"].as_str().unwrap()).await;
    let rest = second["orderedItems"].as_array().unwrap();
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[2], format!("{}/notes/r52", peer.actor_id).as_str());
    assert!(second.get("next").is_none(), "{second}");
    assert_eq!(second["partOf"], replies["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_between_communities_that_follow_each_other_stop() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let b = TestInstance::start(Backend::Sqlite).await;
    let origin = FakePeer::start().await;
    for (x, y) in [(&a, &b), (&b, &a)] {
        let (status, v) = x
            .api_post(
                "/api/v1/communities/commons/follows",
                &json!({"target": y.url("/c/commons")}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    for _ in 0..2 {
        a.drain().await;
        b.drain().await;
    }
    // Both share the same article of a third server.
    let (x, doc) = article_doc(&origin, "x", "Version 1", "<p>one</p>");
    origin.serve("x", doc);
    for i in [&a, &b] {
        let (status, v) = i
            .api_post("/api/v1/communities/commons/shares", &json!({"object": x}))
            .await;
        assert_eq!(status, 201, "{v}");
    }
    a.drain().await;
    b.drain().await;
    // The origin edits it, and tells B (a sharer); it keeps changing at every
    // fetch, as a hostile origin might.
    let (_, mut doc) = article_doc(&origin, "x", "Version 2", "<p>two</p>");
    doc["updated"] = json!("2026-11-26T10:00:00Z");
    origin.serve("x", doc.clone());
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/updates/1", origin.actor_id),
        "type": "Update", "actor": origin.actor_id, "object": doc,
    });
    assert_eq!(origin.post(&b.url("/inbox"), &update).await.0, 202);
    // B relays it to A, A refetches and relays it to B…
    assert!(b.drain().await.sent >= 1, "B relays the edit");
    let (_, mut doc) = article_doc(&origin, "x", "Version 3", "<p>three</p>");
    doc["updated"] = json!("2026-11-26T11:00:00Z");
    origin.serve("x", doc);
    assert!(a.drain().await.sent >= 1, "A relays it once");
    // …and B, which relayed that edit already, does not again.
    assert_eq!(b.drain().await.sent, 0, "the relay loop stops");
    assert_eq!(a.drain().await.sent, 0);
    let titles = |i: &'static str, n: Value| {
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| format!("{i}:{}", x["title"].as_str().unwrap()))
            .collect::<Vec<_>>()
    };
    let na = a.api_get("/api/v1/communities/commons/network").await.1;
    let nb = b.api_get("/api/v1/communities/commons/network").await.1;
    assert_eq!(titles("A", na), ["A:Version 2"]);
    assert_eq!(titles("B", nb), ["B:Version 3"]);
}
