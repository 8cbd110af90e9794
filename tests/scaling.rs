//! Caching and several processes: a write drops exactly the cached pages
//! that show what it changed, in this process and (PostgreSQL) in every
//! other process of the instance.

use crate::harness::*;
use serde_json::json;

/// The path of one of our absolute URLs.
fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

async fn text(url: String) -> String {
    client()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Every page that shows an article follows its edit at once: its page and
/// its old slug's redirect, the community's page and feed, the author's
/// feed, the old and the new tag; a like shows its count at once; and a
/// write about one article leaves the other articles' cached pages alone.
async fn writes_drop_what_they_changed(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let (status, one) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Seed swap", "body": "Bring seeds.", "tags": ["seeds"]}),
        )
        .await;
    assert_eq!(status, 201, "{one}");
    let two = a.publish("Tool library", "Borrow a spade.").await;
    let pages = |v: &serde_json::Value| {
        vec![
            v["url"].as_str().unwrap().to_string(),
            v["id"].as_str().unwrap().to_string(),
            a.url("/c/commons"),
            a.url("/c/commons.atom"),
            a.url("/u/admin.rss"),
            a.url("/tags/seeds"),
            a.url("/tags/seeds.json"),
        ]
    };
    for url in pages(&one).into_iter().chain(pages(&two)) {
        let res = client().get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
    }
    let kept = a.ctx().pages.len();
    assert!(kept >= 8, "the pages are cached: {kept}");

    // A like of the second article: its page counts it at once; the first
    // article's pages stay cached.
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/likes/1", peer.actor_id),
        "type": "Like", "actor": peer.actor_id, "object": two["id"],
    });
    assert_eq!(peer.post(&a.url("/inbox"), &like).await.0, 202);
    assert!(
        text(two["url"].as_str().unwrap().to_string())
            .await
            .contains("1 like</span>")
    );
    assert!(
        a.ctx().pages.len() >= kept - 2,
        "a like drops the liked article's page only"
    );

    // Edit the first article: new title and slug, other tag.
    let uuid = one["uuid"].as_str().unwrap();
    let (status, edited) = a
        .api_patch(
            &format!("/api/v1/articles/{uuid}"),
            &json!({"title": "Seed and plant swap", "tags": ["plants"]}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let old_page = one["url"].as_str().unwrap();
    let res = client().get(old_page).send().await.unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        edited["url"].as_str().unwrap()
    );
    for url in [
        edited["url"].as_str().unwrap().to_string(),
        one["id"].as_str().unwrap().to_string(),
        a.url("/c/commons"),
        a.url("/c/commons.atom"),
        a.url("/u/admin.rss"),
        a.url("/tags/plants"),
    ] {
        assert!(
            text(url.clone()).await.contains("Seed and plant swap"),
            "{url} shows the edit"
        );
    }
    for url in [a.url("/tags/seeds"), a.url("/tags/seeds.json")] {
        assert!(
            !text(url.clone()).await.contains("swap"),
            "{url} no longer lists it"
        );
    }

    // Deleted: its pages answer 410 at once.
    let res = client()
        .delete(a.url(&format!("/api/v1/articles/{uuid}")))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = client()
        .get(one["id"].as_str().unwrap())
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(!text(a.url("/c/commons.atom")).await.contains("plant swap"));
}
crate::db_test!(targeted_invalidation, writes_drop_what_they_changed);

/// Two web processes on one PostgreSQL database: a page cached by the
/// second shows an edit made through the first, told by `NOTIFY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_through_one_process_shows_on_the_other() {
    if postgres_url().is_none() {
        eprintln!("PEERPRESS_TEST_POSTGRES is not set: not run");
        return;
    }
    let a = TestInstance::start(Backend::Postgres).await;
    let b = a.start_beside().await;
    let article = a.publish("Before", "Text.").await;
    let page = b.url(&path_of(article["url"].as_str().unwrap()));
    let json_url = b.url(&path_of(article["id"].as_str().unwrap()));
    assert!(text(page.clone()).await.contains("Before"));
    assert_eq!(b.get_as(&json_url).await.2["name"], "Before");
    assert!(b.ctx().pages.len() >= 2, "b keeps both");

    let uuid = article["uuid"].as_str().unwrap();
    let (status, _) = a
        .api_patch(
            &format!("/api/v1/articles/{uuid}"),
            &json!({"body": "New text."}),
        )
        .await;
    assert_eq!(status, 200);
    let edited = std::time::Instant::now();
    eventually("the edit to show on the other process", 5, || {
        let (page, json_url) = (page.clone(), json_url.clone());
        let b = &b;
        async move {
            text(page).await.contains("New text.")
                && b.get_as(&json_url).await.2["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("New text."))
        }
    })
    .await;
    eprintln!("shown on the other process after {:?}", edited.elapsed());
}
