//! Publishing as readers see it: the JSON of articles, announcements and
//! their activities (snapshots), Mastodon's view, edits and deletion across
//! instances, slugs, drafts, feeds, co-authors and hostile Markdown.

use crate::db_test;
use crate::harness::{Backend, FakePeer, TestInstance, client};
use serde_json::{Value, json};

/// Make JSON stable for snapshots: hosts, uuids and dates replaced.
fn normalize(v: &Value, a: &TestInstance, peer: Option<&FakePeer>) -> Value {
    match v {
        Value::String(s) => {
            let mut s = s.replace(&a.base, "https://a.example");
            if let Some(p) = peer {
                s = s.replace(&p.base, "https://peer.example");
            }
            Value::String(redact_uuids(&s))
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| normalize(i, a, peer)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = if ["published", "updated", "deleted"].contains(&k.as_str())
                        && v.is_string()
                    {
                        Value::String("[date]".into())
                    } else {
                        normalize(v, a, peer)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn redact_uuids(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&s[i..i + 36]) {
            out.push_str("[uuid]");
            i += 36;
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

fn is_uuid(s: &str) -> bool {
    s.chars().enumerate().all(|(i, c)| {
        if [8, 13, 18, 23].contains(&i) {
            c == '-'
        } else {
            c.is_ascii_hexdigit()
        }
    })
}

async fn follower(a: &TestInstance) -> FakePeer {
    let peer = FakePeer::start().await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    a.drain().await;
    peer
}

fn received_of(peer: &FakePeer, kind: &str) -> Vec<Value> {
    peer.received()
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b["type"] == kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_of_objects_and_activities() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = follower(&a).await;
    let art = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Seed library", "summary": "Seeds to lend.", "body": "We lend *seeds*.\n\nBring some back.", "tags": ["seeds", "Commons"], "language": "en", "licence": "CC-BY-4.0"}),
        )
        .await
        .1;
    let (_, note) = a
        .api_post(
            "/api/v1/communities/commons/announcements",
            &json!({"body": "Meeting on **Friday**."}),
        )
        .await;
    a.drain().await;
    let (_, _, article_json) = a.get_as(art["id"].as_str().unwrap()).await;
    let (_, _, note_json) = a.get_as(note["id"].as_str().unwrap()).await;
    insta::assert_json_snapshot!("article", normalize(&article_json, &a, None));
    insta::assert_json_snapshot!("announcement", normalize(&note_json, &a, None));
    let create = received_of(&peer, "Create")
        .into_iter()
        .find(|c| c["object"]["type"] == "Article")
        .unwrap();
    insta::assert_json_snapshot!("create_article", normalize(&create, &a, Some(&peer)));
    let announce = received_of(&peer, "Announce")
        .into_iter()
        .find(|c| c["object"] == art["id"])
        .unwrap();
    insta::assert_json_snapshot!("announce_article", normalize(&announce, &a, Some(&peer)));

    let uuid = art["uuid"].as_str().unwrap();
    let (status, _) = patch(&a, uuid, &json!({"title": "Seed library opens"})).await;
    assert_eq!(status, 200);
    assert_eq!(delete(&a, uuid).await, 204);
    a.drain().await;
    let update = received_of(&peer, "Update").pop().unwrap();
    insta::assert_json_snapshot!("update_article", normalize(&update, &a, Some(&peer)));
    let del = received_of(&peer, "Delete").pop().unwrap();
    insta::assert_json_snapshot!("delete_article", normalize(&del, &a, Some(&peer)));
}

async fn patch(a: &TestInstance, uuid: &str, body: &Value) -> (u16, Value) {
    let res = client()
        .patch(a.url(&format!("/api/v1/articles/{uuid}")))
        .bearer_auth(&a.token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn delete(a: &TestInstance, uuid: &str) -> u16 {
    client()
        .delete(a.url(&format!("/api/v1/articles/{uuid}")))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_mastodon_shows() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = follower(&a).await;
    let art = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Repair café", "body": "## Why\n\nBroken **toasters** deserve a second life.\n\nMore.", "tags": ["repair"]}),
        )
        .await
        .1;
    a.drain().await;
    let (_, _, doc) = a.get_as(art["id"].as_str().unwrap()).await;
    // A plain-text, non-empty summary derived from the first paragraph.
    assert_eq!(doc["summary"], "Broken toasters deserve a second life.");
    // `url` is an HTML page with OpenGraph and the author byline.
    let url = doc["url"].as_str().unwrap();
    assert!(
        url.ends_with("/c/commons/repair-café") || url.ends_with("/c/commons/repair-caf%C3%A9"),
        "{url}"
    );
    let res = client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let page = res.text().await.unwrap();
    for needle in [
        "property=\"og:title\" content=\"Repair café\"",
        "property=\"og:description\" content=\"Broken toasters deserve a second life.\"",
        "property=\"og:type\" content=\"article\"",
        "property=\"og:site_name\"",
        "property=\"article:published_time\"",
        &format!("name=\"fediverse:creator\" content=\"@admin@{}\"", a.domain),
        "rel=\"license\"",
        "<link rel=\"alternate\" type=\"application/activity+json\"",
        &format!("<link rel=\"canonical\" href=\"{url}\""),
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
    // The community boosts the article by id; hashtags link to our tag page.
    let announce = received_of(&peer, "Announce").pop().unwrap();
    assert_eq!(announce["object"], art["id"]);
    assert_eq!(doc["tag"][0]["type"], "Hashtag");
    assert_eq!(doc["tag"][0]["href"], a.url("/tags/repair"));
    assert_eq!(doc["tag"][0]["name"], "#repair");
    let tag_page = client()
        .get(a.url("/tags/repair"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tag_page.contains("Repair café"));
    // FEP-b2b8 preview and real collections.
    assert_eq!(doc["preview"]["type"], "Note");
    assert!(
        doc["preview"]["content"]
            .as_str()
            .unwrap()
            .contains("Licence")
    );
    let (status, _, replies) = a.get_as(doc["replies"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(replies["type"], "OrderedCollection");
    let (_, _, first) = a.get_as(replies["first"].as_str().unwrap()).await;
    assert_eq!(first["type"], "OrderedCollectionPage");
}

async fn edit_and_delete_reach_the_follower(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let b = TestInstance::start(backend).await;
    b.api_post(
        "/api/v1/communities/commons/follows",
        &json!({"target": a.url("/c/commons")}),
    )
    .await;
    b.drain().await;
    a.drain().await;
    let art = a.publish("Tool library", "Borrow a drill.").await;
    a.drain().await;
    let uuid = art["uuid"].as_str().unwrap();
    let old_url = art["url"].as_str().unwrap().to_string();

    let (status, edited) = patch(
        &a,
        uuid,
        &json!({"title": "Tool library opens", "body": "Borrow a *drill* or a saw."}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_ne!(
        edited["url"], art["url"],
        "a new title gives a new pretty link"
    );
    assert_eq!(edited["id"], art["id"], "ids never change");
    a.drain().await;
    let (_, network) = b.api_get("/api/v1/communities/commons/network").await;
    assert_eq!(
        network["items"][0]["title"], "Tool library opens",
        "{network}"
    );
    assert_eq!(network["items"][0]["summary"], "Borrow a drill or a saw.");
    // The old link redirects to the new one.
    let res = client().get(&old_url).send().await.unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], edited["url"].as_str().unwrap());

    assert_eq!(delete(&a, uuid).await, 204);
    a.drain().await;
    let (_, network) = b.api_get("/api/v1/communities/commons/network").await;
    assert_eq!(network["total"], 0, "{network}");
    let (status, _, tomb) = a.get_as(art["id"].as_str().unwrap()).await;
    assert_eq!(status, 410);
    assert_eq!(tomb["type"], "Tombstone");
    assert_eq!(
        client()
            .get(edited["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        410
    );
    assert_eq!(delete(&a, uuid).await, 410);
}
db_test!(edit_and_delete, edit_and_delete_reach_the_follower);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_invisible_until_published() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = follower(&a).await;
    let (status, draft) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Secret plan", "body": "Hush.", "tags": ["hush"], "draft": true}),
        )
        .await;
    assert_eq!(status, 201);
    a.drain().await;
    assert!(received_of(&peer, "Create").is_empty());
    assert_eq!(a.get_as(draft["id"].as_str().unwrap()).await.0, 404);
    assert_eq!(
        client()
            .get(draft["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    for path in [
        "/c/commons",
        "/c/commons.atom",
        "/c/commons.rss",
        "/c/commons.json",
        "/u/admin",
        "/tags/hush",
        "/tags/hush.atom",
    ] {
        let text = client()
            .get(a.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains("Secret plan"), "{path} shows the draft");
    }
    let (_, _, outbox) = a.get_as("/c/commons/outbox").await;
    assert_eq!(outbox["totalItems"], 0);
    // Its author sees it in the API; publishing federates it.
    let (status, v) = a
        .api_get(&format!(
            "/api/v1/articles/{}",
            draft["uuid"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, v["draft"].as_bool()), (200, Some(true)));
    let (status, v) = patch(
        &a,
        draft["uuid"].as_str().unwrap(),
        &json!({"draft": false}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    a.drain().await;
    assert_eq!(received_of(&peer, "Create").len(), 1);
    assert_eq!(a.get_as(draft["id"].as_str().unwrap()).await.0, 200);
    let (status, v) = patch(&a, draft["uuid"].as_str().unwrap(), &json!({"draft": true})).await;
    assert_eq!(status, 422, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_parse_with_authors_and_licence() {
    let a = TestInstance::start(Backend::Sqlite).await;
    a.api_post(
        "/api/v1/communities/commons/articles",
        &json!({"title": "Orchard", "body": "Apples for all.", "tags": ["fruit"], "licence": "CC0-1.0"}),
    )
    .await;
    for path in [
        "/c/commons.atom",
        "/c/commons.rss",
        "/c/commons.json",
        "/u/admin.atom",
        "/tags/fruit.rss",
        "/tags/fruit.json",
    ] {
        let res = client().get(a.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let bytes = res.bytes().await.unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(feed.entries.len(), 1, "{path}");
        let entry = &feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, "Orchard", "{path}");
        assert!(!entry.links.is_empty(), "{path}");
        if path.ends_with(".atom") {
            assert_eq!(entry.authors[0].name, "admin");
            assert!(
                entry.rights.as_ref().unwrap().content.contains("CC0"),
                "{path}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn co_authors_and_outbox_pages() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let ctx = a.ctx();
    let bea = peerpress::domain::actors::create_local(
        ctx,
        &ctx.db,
        peerpress::domain::actors::LocalKind::Person,
        &peerpress::domain::names::LocalName::parse("bea").unwrap(),
        Some("Bea".into()),
    )
    .await
    .unwrap();
    let _ = bea;
    let (status, art) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Two voices", "body": "Written together.", "co_authors": ["bea"]}),
        )
        .await;
    assert_eq!(status, 201, "{art}");
    let (_, _, doc) = a.get_as(art["id"].as_str().unwrap()).await;
    assert_eq!(
        doc["attributedTo"],
        json!([a.url("/u/admin"), a.url("/u/bea")])
    );
    let page = client()
        .get(art["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bea") && page.contains(&format!("@bea@{}", a.domain)));
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "x", "body": "y", "co_authors": ["nobody"]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");

    for i in 0..24 {
        a.publish(&format!("Post {i}"), "Text.").await;
    }
    let (_, _, outbox) = a.get_as("/c/commons/outbox").await;
    assert_eq!(outbox["totalItems"], 25);
    let (_, _, p1) = a.get_as(outbox["first"].as_str().unwrap()).await;
    let (_, _, p2) = a.get_as(p1["next"].as_str().unwrap()).await;
    let ids = |p: &Value| {
        p["orderedItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (i1, i2) = (ids(&p1), ids(&p2));
    assert_eq!((i1.len(), i2.len()), (20, 5));
    assert!(i1.iter().all(|i| !i2.contains(i)), "pages do not overlap");
    assert!(p2["next"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_markdown_never_reaches_pages_json_or_feeds() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let body = "Hi <script>alert(1)</script><style>body{display:none}</style>\n\n\
[click](javascript:alert(2)) <a href=\"javascript:alert(3)\">x</a> <span onerror=\"alert(4)\">s</span> \
<p onclick=\"alert(5)\">p</p> [data](data:text/html;base64,PHNjcmlwdD4=)";
    let (status, art) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "<script>alert(6)</script>Hostile", "body": body}),
        )
        .await;
    assert_eq!(status, 201, "{art}");
    let (_, _, doc) = a.get_as(art["id"].as_str().unwrap()).await;
    let page = client()
        .get(art["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let atom = client()
        .get(a.url("/c/commons.atom"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (what, text) in [
        ("content", doc["content"].as_str().unwrap().to_string()),
        (
            "page",
            page.replace("<script src=\"/static/app.js\" defer></script>", ""),
        ),
        ("feed", atom),
    ] {
        for bad in [
            "<script",
            "<style",
            "javascript:",
            "onerror",
            "onclick",
            "data:text/html",
        ] {
            assert!(!text.to_lowercase().contains(bad), "{bad} in {what}");
        }
    }
    assert!(
        page.contains("alert(6)") && page.contains("Hostile"),
        "the title is shown, escaped"
    );

    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "t", "body": "b", "licence": "WTFPL", "language": "klingon"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        v["fields"]["licence"].as_str().unwrap().contains("CC0-1.0"),
        "{v}"
    );
    assert!(
        v["fields"]["language"].as_str().unwrap().contains("BCP 47"),
        "{v}"
    );
    let big = "x".repeat(2 * 1024 * 1024);
    let res = client()
        .post(a.url("/api/v1/communities/commons/articles"))
        .bearer_auth(&a.token)
        .json(&json!({"title": "big", "body": big}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}
