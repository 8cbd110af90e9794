//! Two instances: B's community follows A's through the API; A publishes;
//! B has the article.

use crate::db_test;
use crate::harness::{Backend, TestInstance};
use serde_json::json;

async fn community_follows_community_and_receives_article(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let b = TestInstance::start(backend).await;

    // B follows A's community by handle.
    let (status, v) = b
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": format!("commons@{}", a.domain)}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["state"], "pending");
    assert_eq!(v["target"]["id"], a.url("/c/commons"));

    // B's Follow reaches A, which records the follower and answers Accept.
    assert_eq!(b.drain().await.sent, 1);
    let (_, _, followers) = a.get_as("/c/commons/followers").await;
    assert_eq!(followers["totalItems"], 1);
    assert_eq!(a.drain().await.sent, 1);
    let (_, following) = b.api_get("/api/v1/communities/commons/following").await;
    assert_eq!(following["items"][0]["state"], "accepted", "{following}");

    // A publishes; B has it in its network feed.
    let article = a
        .publish("Seed library opens", "We lend *seeds*.\n\nBring some back.")
        .await;
    let stats = a.drain().await;
    assert!(stats.sent >= 1 && stats.failed == 0, "{stats:?}");
    let (status, network) = b.api_get("/api/v1/communities/commons/network").await;
    assert_eq!(status, 200);
    let items = network["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{network}");
    assert_eq!(items[0]["id"], article["id"]);
    assert_eq!(items[0]["title"], "Seed library opens");
    assert_eq!(items[0]["summary"], "We lend seeds.");
    assert_eq!(
        items[0]["licence"],
        "https://creativecommons.org/licenses/by-sa/4.0/"
    );
    assert_eq!(items[0]["author"]["id"], a.url("/u/admin"));

    // A's outbox lists what was published.
    let (_, _, outbox) = a.get_as("/c/commons/outbox").await;
    assert_eq!(outbox["totalItems"], 1);
    let (_, _, page) = a.get_as(outbox["first"].as_str().unwrap()).await;
    assert_eq!(page["orderedItems"][0]["type"], "Announce");
    assert_eq!(page["orderedItems"][0]["object"], article["id"]);
}
db_test!(
    follow_and_publish,
    community_follows_community_and_receives_article
);

async fn api_input_errors(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let path = "/api/v1/communities/commons/articles";

    // No token, wrong token.
    let res = crate::harness::client()
        .post(a.url(path))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("Bearer"));
    let res = crate::harness::client()
        .post(a.url(path))
        .bearer_auth("pp_wrong")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Invalid payload: every wrong field is listed.
    let (status, v) = a
        .api_post(
            path,
            &json!({"title": 5, "licence": "WTFPL", "language": "english", "colour": "red"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let fields = v["fields"].as_object().unwrap();
    for f in ["title", "body", "licence", "language", "colour"] {
        assert!(fields.contains_key(f), "{f} missing in {v}");
    }
    assert!(
        fields["licence"].as_str().unwrap().contains("CC-BY-SA-4.0"),
        "accepted values are named: {v}"
    );
    assert!(
        fields["title"]
            .as_str()
            .unwrap()
            .contains("expected a string"),
        "a wrong type says which: {v}"
    );
    // Every body goes through the same reader: a comment's wrong type,
    // unknown field and missing body are named together.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/announcements",
            &json!({"body": ["x"], "pinned": true}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["fields"]["body"].is_string() && v["fields"]["pinned"].is_string(),
        "{v}"
    );
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": 3, "note": "hi"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["fields"]["target"].is_string() && v["fields"]["note"].is_string(),
        "{v}"
    );

    // Not JSON.
    let res = crate::harness::client()
        .post(a.url(path))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // Unknown community.
    let (status, _) = a
        .api_post(
            "/api/v1/communities/nowhere/articles",
            &json!({"title": "t", "body": "b"}),
        )
        .await;
    assert_eq!(status, 404);

    // Follow target that is neither a handle nor a URL.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": "not a handle"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["target"].is_string());

    // A draft is stored but not federated or shown.
    let (status, v) = a
        .api_post(
            path,
            &json!({"title": "Draft", "body": "secret", "draft": true}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, _) = a.get_as(v["id"].as_str().unwrap()).await;
    assert_eq!(status, 404);
}
db_test!(api_errors, api_input_errors);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_every_api_route() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let res = crate::harness::client()
        .get(a.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    // Every route the API module declares (read from its source, so a new
    // route without documentation fails here).
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/api/mod.rs"),
    )
    .unwrap();
    let routes: Vec<&str> = source
        .split('"')
        .filter_map(|s| s.strip_prefix("/api/v1"))
        .filter(|p| *p != "/openapi.json")
        .collect();
    assert!(routes.len() >= 14, "{routes:?}");
    for p in routes {
        assert!(paths.contains_key(p), "{p} undocumented");
    }
    // The licences it lists are the ones the API accepts.
    let licences = doc["components"]["schemas"]["ArticleInput"]["properties"]["licence"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(
        licences.len(),
        peerpress::content::licences::CATALOGUE.len()
    );
    for l in licences {
        assert!(
            peerpress::content::licences::find(l.as_str().unwrap()).is_some(),
            "{l}"
        );
    }
}

/// A listing loads its articles, their authors, communities and tags with a
/// constant number of queries, whatever its length.
async fn listings_take_a_constant_number_of_queries(backend: crate::harness::Backend) {
    use peerpress::domain::actors::{LocalKind, get_local};
    use peerpress::domain::articles::{Listing, listing};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let a = crate::harness::TestInstance::start(backend).await;
    for i in 0..50 {
        let (status, v) = a
            .api_post(
                "/api/v1/communities/commons/articles",
                &serde_json::json!({"title": format!("Note {i}"), "body": "Text.", "tags": ["a", "b"]}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let mut db = peerpress::db::connect(&a.db_url, 2).await.unwrap();
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = queries.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let community = get_local(&db, LocalKind::Community, "commons")
        .await
        .unwrap();
    let mut counts = Vec::new();
    for n in [5, 50] {
        queries.store(0, Ordering::SeqCst);
        let views = listing(&db, Listing::Community(&community), "article", n)
            .await
            .unwrap();
        assert_eq!(views.len() as u64, n);
        assert!(
            views
                .iter()
                .all(|v| v.authors.len() == 1 && v.tags.len() == 2)
        );
        assert!(views.iter().all(|v| v.community.is_some()));
        counts.push(queries.load(Ordering::SeqCst));
    }
    assert_eq!(
        counts[0], counts[1],
        "queries for 5 and 50 items: {counts:?}"
    );
    assert!(counts[1] <= 5, "{counts:?}");
}
crate::db_test!(listing_queries, listings_take_a_constant_number_of_queries);
