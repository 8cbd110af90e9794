//! Every request has an id, and errors say what we tried, never another
//! server's own error text or our internals.

use crate::harness::{Backend, FakePeer, TestInstance, client};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_carry_an_id_and_upstream_errors_stay_upstream() {
    let a = TestInstance::start(Backend::Sqlite).await;
    // A request id is made, or the proxy's is kept; a cached page gets a
    // fresh one each time.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let res = client().get(a.url("/c/commons")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        ids.push(res.headers()["x-request-id"].to_str().unwrap().to_string());
    }
    assert_ne!(ids[0], ids[1]);
    assert!(!ids[0].is_empty());
    let res = client()
        .get(a.url("/c/commons"))
        .header("x-request-id", "proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "proxy-42");

    // A "peer" whose actor is not an actor: a 502 naming what we tried,
    // without the parser's or the peer's words.
    let peer = FakePeer::start().await;
    let broken = peer.serve(
        "broken",
        json!({"id": format!("{}/objects/broken", peer.base), "type": "Person",
               "secret": "upstream-internal-detail"}),
    );
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/follows",
            &json!({"target": broken}),
        )
        .await;
    assert_eq!(status, 502, "{v}");
    let text = v.to_string();
    assert!(
        !text.contains("missing field") && !text.contains("upstream-internal-detail"),
        "{text}"
    );
    assert!(text.contains("remote server"), "{text}");
}
