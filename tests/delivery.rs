//! The delivery engine: nothing lost across a crash, no double sends between
//! workers, outcomes (410, Retry-After, parking), fairness, hostile answers.

use crate::db_test;
use crate::harness::{
    Backend, FakePeer, Sinks, TestInstance, add_remote_followers, eventually, spawn_worker,
};
use entity::{delivery, instance_health};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::time::{Duration, Instant};

/// Followers on `hosts` sinks, `per_host` each, with personal inboxes.
async fn followers_on(a: &TestInstance, sinks: &Sinks, per_host: usize) -> usize {
    let inboxes: Vec<String> = sinks
        .hosts
        .iter()
        .flat_map(|h| (0..per_host).map(move |i| format!("http://{h}/users/f{i}/inbox")))
        .collect();
    add_remote_followers(a.ctx(), &a.url("/c/commons"), &inboxes).await;
    inboxes.len()
}

async fn all_done(a: &TestInstance) -> bool {
    delivery::Entity::find()
        .filter(delivery::Column::State.ne("done"))
        .one(&a.ctx().db)
        .await
        .unwrap()
        .is_none()
}

const FAST_WORKER: &[(&str, &str)] = &[
    ("PEERPRESS__DELIVERY__WORKERS", "8"),
    ("PEERPRESS__DELIVERY__PER_HOST", "2"),
    ("PEERPRESS__DELIVERY__REQUEST_TIMEOUT_SECS", "1"),
    ("PEERPRESS__DELIVERY__LEASE_SECS", "2"),
];

async fn crash_mid_fanout_loses_nothing(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let sinks = Sinks::start(10, Duration::from_millis(20)).await;
    let followers = followers_on(&a, &sinks, 20).await;
    a.publish("Harvest festival", "Bring a dish.").await;
    let expected = followers * 2; // Create by the author, Announce by the community

    let mut worker = spawn_worker(&a, FAST_WORKER);
    eventually("the first deliveries", 60, || async {
        sinks.counts().0 >= expected / 4
    })
    .await;
    worker.kill().unwrap(); // SIGKILL: no graceful anything
    worker.wait().unwrap();
    let at_kill = sinks.counts().0;
    assert!(
        at_kill < expected,
        "the worker was killed before finishing ({at_kill}/{expected})"
    );

    let mut worker = spawn_worker(&a, FAST_WORKER);
    eventually("every delivery after the restart", 120, || async {
        sinks.counts().0 == expected
    })
    .await;
    eventually("every outcome recorded", 30, || async {
        all_done(&a).await
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();
    let (distinct, total) = sinks.counts();
    eprintln!(
        "crash test ({backend:?}): {expected} deliveries, killed after {at_kill}, {distinct} received, {} duplicates",
        total - distinct
    );
    assert_eq!(distinct, expected, "none missing");
    let pending = delivery::Entity::find()
        .filter(delivery::Column::State.ne("done"))
        .all(&a.ctx().db)
        .await
        .unwrap();
    assert!(pending.is_empty(), "{pending:?}");
}
db_test!(crash_mid_fanout, crash_mid_fanout_loses_nothing);

async fn two_workers_never_send_twice(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let sinks = Sinks::start(10, Duration::from_millis(5)).await;
    let followers = followers_on(&a, &sinks, 15).await;
    a.publish("Two workers", "One delivery each.").await;
    let expected = followers * 2;
    let env: &[(&str, &str)] = &[
        ("PEERPRESS__DELIVERY__WORKERS", "8"),
        ("PEERPRESS__DELIVERY__PER_HOST", "2"),
    ];
    let mut w1 = spawn_worker(&a, env);
    let mut w2 = spawn_worker(&a, env);
    eventually("every delivery", 120, || async {
        sinks.counts().0 == expected
    })
    .await;
    eventually("every outcome recorded", 30, || async {
        all_done(&a).await
    })
    .await;
    for w in [&mut w1, &mut w2] {
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let (distinct, total) = sinks.counts();
    assert_eq!(
        (distinct, total),
        (expected, expected),
        "each delivery sent exactly once"
    );
}
db_test!(two_workers, two_workers_never_send_twice);

async fn gone_inbox_removes_the_follower(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start_with_status(410).await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    assert_eq!(a.get_as("/c/commons/followers").await.2["totalItems"], 1);
    let stats = a.drain().await;
    assert_eq!(stats.failed, 1, "{stats:?}");
    assert_eq!(a.get_as("/c/commons/followers").await.2["totalItems"], 0);
}
db_test!(gone_inbox, gone_inbox_removes_the_follower);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start_with(429, vec![("retry-after", "7200")]).await;
    peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
        .await;
    let stats = a.drain().await;
    assert_eq!(stats.retried, 1, "{stats:?}");
    let row = delivery::Entity::find()
        .one(&a.ctx().db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, entity::delivery::DeliveryState::Pending);
    assert_eq!(row.last_status, Some(429));
    let wait = row.next_attempt_at - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::seconds(7100),
        "next attempt in {wait}"
    );
    // Not retried before then; and a 429 says nothing about the host's health.
    assert_eq!(a.drain().await.retried, 0);
    assert_eq!(peer.received().len(), 1);
    let health = instance_health::Entity::find()
        .all(&a.ctx().db)
        .await
        .unwrap();
    assert!(
        health.iter().all(|h| h.failure_days == 0 && !h.parked),
        "{health:?}"
    );
}

async fn failing_host_is_parked_and_revived(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start_with_status(503).await;
    peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
        .await;
    assert_eq!(a.drain().await.retried, 1);
    let host = peer.base.trim_start_matches("http://").to_string();
    let db = &a.ctx().db;
    let h = instance_health::Entity::find_by_id(host.clone())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((h.failure_days, h.parked), (1, false));

    // Two earlier failure days, then today's failure: parked.
    let mut h: instance_health::ActiveModel = h.into();
    h.failure_days = Set(2);
    h.last_failure_day = Set(Some("2000-01-01".into()));
    h.update(db).await.unwrap();
    let due = || async {
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .exec(db)
            .await
            .unwrap();
    };
    due().await;
    assert_eq!(a.drain().await.retried, 1);
    let h = instance_health::Entity::find_by_id(host.clone())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(h.parked && h.failure_days == 3, "{h:?}");

    // Parked: due deliveries wait, no request is made.
    let before = peer.received().len();
    due().await;
    assert_eq!(a.drain().await, Default::default());
    assert_eq!(peer.received().len(), before);
    let (_, status) = a.api_get("/api/v1/admin/deliveries").await;
    let entry = status["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["host"] == host.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["parked"], true, "{status}");
    assert_eq!(entry["pending"], 1);

    // The host speaks to us with a valid signature: revived, and delivered.
    peer.status.store(202, std::sync::atomic::Ordering::SeqCst);
    let like = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/likes/1", peer.base),
        "type": "Like",
        "actor": peer.actor_id,
        "object": a.url("/c/commons"),
    });
    assert_eq!(peer.post(&a.url("/inbox"), &like).await.0, 202);
    assert_eq!(a.drain().await.sent, 1);
    let h = instance_health::Entity::find_by_id(host.clone())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(!h.parked && h.failure_days == 0, "{h:?}");
}
db_test!(parking, failing_host_is_parked_and_revived);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_retry_revives_a_parked_host() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let peer = FakePeer::start_with_status(503).await;
    peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
        .await;
    a.drain().await;
    let host = peer.base.trim_start_matches("http://").to_string();
    instance_health::Entity::update_many()
        .col_expr(
            instance_health::Column::Parked,
            sea_orm::sea_query::Expr::value(true),
        )
        .exec(&a.ctx().db)
        .await
        .unwrap();
    peer.status.store(202, std::sync::atomic::Ordering::SeqCst);
    let (status, v) = a
        .api_post(
            "/api/v1/admin/deliveries/retry",
            &serde_json::json!({"host": host}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["due_now"], 1);
    assert_eq!(a.drain().await.sent, 1);
    let (status, v) = a
        .api_post("/api/v1/admin/deliveries/retry", &serde_json::json!({}))
        .await;
    assert_eq!(status, 422, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_host_does_not_delay_the_others() {
    let a = TestInstance::start_with(
        Backend::Sqlite,
        vec![
            (
                "PEERPRESS__DELIVERY__REQUEST_TIMEOUT_SECS".into(),
                "4".into(),
            ),
            ("PEERPRESS__DELIVERY__LEASE_SECS".into(), "8".into()),
            ("PEERPRESS__DELIVERY__WORKERS".into(), "16".into()),
            ("PEERPRESS__DELIVERY__PER_HOST".into(), "8".into()),
        ],
    )
    .await;
    // A host that accepts connections and never answers.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_port = hang.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hang.accept().await {
            held.push(s);
        }
    });
    let hanging: Vec<String> = (0..6)
        .map(|i| format!("http://localhost:{hang_port}/users/h{i}/inbox"))
        .collect();
    add_remote_followers(a.ctx(), &a.url("/c/commons"), &hanging).await;
    let sinks = Sinks::start(5, Duration::from_millis(1)).await;
    let fast = followers_on(&a, &sinks, 10).await * 2;
    a.publish("Hang on", "Someone is slow.").await;

    let started = Instant::now();
    let ctx = a.ctx().clone();
    let drain =
        tokio::spawn(async move { peerpress::delivery::run_until_idle(&ctx).await.unwrap() });
    eventually("the fast hosts", 30, || async { sinks.counts().0 == fast }).await;
    let fast_done = started.elapsed();
    let stats = drain.await.unwrap();
    eprintln!(
        "fast hosts done in {fast_done:?} while the hanging host took {:?}",
        started.elapsed()
    );
    assert!(
        fast_done < Duration::from_secs(3),
        "fast hosts waited {fast_done:?} behind a 4 s hang"
    );
    assert_eq!(stats.sent, fast);
    // The Creates timed out; each Announce waits behind its inbox's Create.
    assert_eq!(stats.retried, hanging.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inboxes_and_answers_never_crash() {
    let a = TestInstance::start(Backend::Sqlite).await;
    // Answers: an endless body with an error status, and an endless body with 200.
    let endless = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = endless.local_addr().unwrap().port();
    let app =
        axum::Router::new().fallback(axum::routing::post(|uri: axum::http::Uri| async move {
            let status = if uri.path().contains("ok") { 200 } else { 500 };
            let stream = futures::stream::repeat_with(|| {
                Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'x'; 64 * 1024]))
            });
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                axum::body::Body::from_stream(stream),
            )
        }));
    tokio::spawn(async move { axum::serve(endless, app).await.unwrap() });
    let inboxes = vec![
        "not a url".to_string(),
        "http://[::1".to_string(),
        "ftp://localhost/inbox".to_string(),
        format!("http://localhost:{port}/users/err/inbox"),
        format!("http://localhost:{port}/users/ok/inbox"),
    ];
    add_remote_followers(a.ctx(), &a.url("/c/commons"), &inboxes).await;
    a.publish("Hostile", "Answers").await;
    let started = Instant::now();
    let stats = a.drain().await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "bounded by the body time limit: {:?}",
        started.elapsed()
    );
    assert_eq!(stats.sent, 2, "{stats:?}"); // the 200, for Create and Announce
    assert_eq!(stats.failed, 6, "{stats:?}"); // three bad URLs, twice
    assert_eq!(stats.retried, 1, "{stats:?}"); // the 500's Create; its Announce waits behind it
    let rows = delivery::Entity::find().all(&a.ctx().db).await.unwrap();
    for r in &rows {
        if r.inbox_url.contains("err") && r.attempts > 0 {
            assert!(r.last_error.as_deref().unwrap().len() <= 4096);
            assert_eq!(r.last_status, Some(500));
        }
        if r.state == entity::delivery::DeliveryState::Failed {
            assert!(r.last_error.is_some(), "{r:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_deliveries_and_stops_claiming() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let sinks = Sinks::start(5, Duration::from_millis(30)).await;
    let followers = followers_on(&a, &sinks, 20).await;
    a.publish("Graceful", "Stop nicely.").await;
    let mut worker = spawn_worker(&a, FAST_WORKER);
    eventually("the first deliveries", 60, || async {
        sinks.counts().0 >= 20
    })
    .await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = worker.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let (received, _) = sinks.counts();
    assert!(
        received < followers * 2,
        "stopped before the end ({received})"
    );
    // Everything that was sent is recorded as done; nothing is left leased.
    let rows = delivery::Entity::find().all(&a.ctx().db).await.unwrap();
    let done = rows
        .iter()
        .filter(|r| r.state == entity::delivery::DeliveryState::Done)
        .count();
    assert_eq!(done, received, "every delivery that arrived is recorded");
    assert!(
        rows.iter().all(|r| r.locked_until.is_none()),
        "no lease left behind"
    );
}
