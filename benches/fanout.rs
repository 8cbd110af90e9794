//! Fan-out benchmark: one article to many followers on many hosts.
//!
//! Local sink servers (one listener per host, on loopback, in a child
//! process of their own so that the delivering process is measured alone)
//! verify the HTTP signature of every delivery. Prints deliveries/s, p50/p99
//! time from publish to inbox, peak RSS of the delivering process, and this
//! machine's raw RSA-2048 sign rate measured in the same run.
//!
//! ```sh
//! cargo bench --bench fanout
//! PEERPRESS_BENCH_FOLLOWERS=10000 PEERPRESS_BENCH_HOSTS=1000 cargo bench --bench fanout
//! ```
//! Other knobs: `PEERPRESS_BENCH_WORKERS` (deliveries in flight, default
//! 256), `PEERPRESS_BENCH_SHARED_INBOX=1` (one shared inbox per host instead
//! of personal inboxes), `PEERPRESS_BENCH_POSTGRES=postgres://…` (a server
//! URL; a fresh database is created) instead of SQLite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use peerpress::config::Settings;
use peerpress::wire::signatures::{
    KeyCache, generate_keypair, parse_request_signature, sign_request,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the sinks share: public keys by key id, receipt times, counters.
struct SinkState {
    keys: HashMap<String, String>,
    /// Receipt times, microseconds since the Unix epoch.
    received: Mutex<Vec<u64>>,
    verified: AtomicUsize,
    rejected: AtomicUsize,
}

fn unix_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// The child process: `hosts` sinks; prints their ports, then on a line
/// `report` on stdin prints what they received as JSON and exits.
fn run_sinks(hosts: usize, keys_file: &str) {
    use std::io::{BufRead, Write};
    let keys: HashMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(keys_file).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let state = Arc::new(SinkState {
        keys,
        received: Mutex::new(Vec::new()),
        verified: AtomicUsize::new(0),
        rejected: AtomicUsize::new(0),
    });
    let ports: Vec<u16> = rt.block_on(async {
        let mut ports = Vec::with_capacity(hosts);
        for _ in 0..hosts {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(listener.local_addr().unwrap().port());
            let state = state.clone();
            let app = axum::Router::new().fallback(axum::routing::post(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    sink(state.clone(), method, uri, headers, body)
                },
            ));
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        }
        ports
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string(&ports).unwrap()).unwrap();
    out.flush().unwrap();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    let report = serde_json::json!({
        "verified": state.verified.load(Ordering::Relaxed),
        "rejected": state.rejected.load(Ordering::Relaxed),
        "received": *state.received.lock().unwrap(),
    });
    writeln!(out, "{report}").unwrap();
    out.flush().unwrap();
    drop(rt);
}

fn raw_sign_rate() -> f64 {
    let keys = generate_keypair().unwrap();
    let key = KeyCache::default().get(1, &keys.private_pem).unwrap();
    let url = url::Url::parse("https://example.org/inbox").unwrap();
    let body = vec![b'x'; 2000];
    let n = 2000;
    let start = Instant::now();
    for _ in 0..n {
        sign_request(
            &key,
            "https://example.org/actor#main-key",
            "POST",
            &url,
            Some(&body),
        )
        .unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn sink(
    state: Arc<SinkState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::http::StatusCode {
    let now = unix_micros();
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let ok = parse_request_signature(method.as_str(), path, &headers, Some(&body))
        .ok()
        .and_then(|sig| state.keys.get(&sig.key_id).map(|pem| sig.verify(pem)))
        .unwrap_or(false);
    if ok {
        state.verified.fetch_add(1, Ordering::Relaxed);
        state.received.lock().unwrap().push(now);
        axum::http::StatusCode::ACCEPTED
    } else {
        state.rejected.fetch_add(1, Ordering::Relaxed);
        axum::http::StatusCode::UNAUTHORIZED
    }
}

fn main() {
    if let Ok(keys_file) = std::env::var("PEERPRESS_BENCH_SINKS_KEYS") {
        return run_sinks(env_usize("PEERPRESS_BENCH_HOSTS", 1_000), &keys_file);
    }
    let followers = env_usize("PEERPRESS_BENCH_FOLLOWERS", 10_000);
    let hosts = env_usize("PEERPRESS_BENCH_HOSTS", 1_000);
    let workers = env_usize("PEERPRESS_BENCH_WORKERS", 256);
    let shared = std::env::var("PEERPRESS_BENCH_SHARED_INBOX").is_ok_and(|v| v == "1");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    println!(
        "peerpress fan-out benchmark: {followers} followers on {hosts} hosts, {workers} in flight, {cores} cores"
    );
    let sign_rate = raw_sign_rate();
    println!("raw RSA-2048 sign rate (aws-lc-rs, one core): {sign_rate:.0}/s");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let db_url = match std::env::var("PEERPRESS_BENCH_POSTGRES") {
            Ok(server) if !server.is_empty() => {
                use sea_orm::ConnectionTrait;
                let name = format!("pp_bench_{}", uuid::Uuid::new_v4().simple());
                let conn = sea_orm::Database::connect(server.as_str()).await.unwrap();
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
                let mut u = url::Url::parse(&server).unwrap();
                u.set_path(&format!("/{name}"));
                u.to_string()
            }
            _ => format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()),
        };
        let settings = Settings::load(
            None,
            vec![
                ("PEERPRESS__SERVER__DOMAIN".into(), "localhost:1".into()),
                ("PEERPRESS__DATABASE__URL".into(), db_url.clone()),
                ("PEERPRESS__MEDIA__DIR".into(), dir.path().join("media").display().to_string()),
                ("PEERPRESS__DELIVERY__WORKERS".into(), workers.to_string()),
                ("PEERPRESS__DELIVERY__PER_HOST".into(), "8".into()),
            ],
        )
        .unwrap();
        let ctx = peerpress::app::open(settings).await.unwrap().ctx;

        // The keys the sinks verify with.
        let mut keys = HashMap::new();
        for a in entity::actor::Entity::find().filter(entity::actor::Column::Local.eq(true)).all(&ctx.db).await.unwrap() {
            keys.insert(format!("{}#main-key", a.ap_id), a.public_key_pem.clone());
        }
        let keys_file = dir.path().join("keys.json");
        std::fs::write(&keys_file, serde_json::to_string(&keys).unwrap()).unwrap();
        let mut sinks = std::process::Command::new(std::env::current_exe().unwrap())
            .env("PEERPRESS_BENCH_SINKS_KEYS", &keys_file)
            .env("PEERPRESS_BENCH_HOSTS", hosts.to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut sink_out = std::io::BufReader::new(sinks.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut sink_out, &mut line).unwrap();
        let ports: Vec<u16> = serde_json::from_str(&line).unwrap();

        // Followers of the community.
        let community = entity::actor::Entity::find()
            .filter(entity::actor::Column::LocalName.eq("commons"))
            .one(&ctx.db)
            .await
            .unwrap()
            .unwrap();
        let admin = entity::actor::Entity::find()
            .filter(entity::actor::Column::LocalName.eq("admin"))
            .one(&ctx.db)
            .await
            .unwrap()
            .unwrap();
        let now = chrono::Utc::now();
        let setup = Instant::now();
        let actors: Vec<entity::actor::ActiveModel> = (0..followers)
            .map(|i| {
                let port = ports[i % hosts];
                let base = format!("http://localhost:{port}");
                entity::actor::ActiveModel {
                    ap_id: Set(format!("{base}/users/f{i}")),
                    kind: Set("person".into()),
                    username: Set(format!("f{i}")),
                    host: Set(format!("localhost:{port}")),
                    local_name: Set(None),
                    display_name: Set(None),
                    summary: Set(None),
                    inbox_url: Set(format!("{base}/users/f{i}/inbox")),
                    shared_inbox_url: Set(shared.then(|| format!("{base}/inbox"))),
                    outbox_url: Set(None),
                    followers_url: Set(None),
                    public_key_pem: Set("unused".into()),
                    private_key_pem: Set(None),
                    local: Set(false),
                    icon_url: Set(None),
                    manually_approves: Set(false),
                    published: Set(now),
                    last_refreshed_at: Set(now),
                    admin: Set(false),
                    ..Default::default()
                }
            })
            .collect();
        for chunk in actors.chunks(1000) {
            entity::actor::Entity::insert_many(chunk.to_vec()).exec_without_returning(&ctx.db).await.unwrap();
        }
        let ids: Vec<i64> = entity::actor::Entity::find()
            .filter(entity::actor::Column::Local.eq(false))
            .all(&ctx.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        let follows: Vec<entity::follow::ActiveModel> = ids
            .iter()
            .map(|id| entity::follow::ActiveModel {
                follower_id: Set(*id),
                target_id: Set(community.id),
                activity_ap_id: Set(None),
                accepted: Set(true),
                created_at: Set(now),
                ..Default::default()
            })
            .collect();
        for chunk in follows.chunks(1000) {
            entity::follow::Entity::insert_many(chunk.to_vec()).exec_without_returning(&ctx.db).await.unwrap();
        }
        println!("set-up: {} followers stored in {:.1?}", ids.len(), setup.elapsed());

        // Publish and deliver.
        let published = Instant::now();
        let published_micros = unix_micros();
        let new = serde_json::from_value::<peerpress::domain::articles::NewArticle>(serde_json::json!({
            "title": "Benchmark article",
            "body": "A paragraph of text.\n\n".repeat(20),
        }))
        .unwrap();
        peerpress::domain::articles::publish(&ctx, &community, &admin, new).await.unwrap();
        let enqueued = published.elapsed();
        let stats = peerpress::delivery::run_until_idle(&ctx).await.unwrap();
        let elapsed = published.elapsed();

        let total = stats.sent + stats.failed + stats.retried;
        let rss = peak_rss_mb();
        {
            use std::io::Write;
            let stdin = sinks.stdin.as_mut().unwrap();
            writeln!(stdin, "report").unwrap();
        }
        line.clear();
        std::io::BufRead::read_line(&mut sink_out, &mut line).unwrap();
        let _ = sinks.wait();
        let report: serde_json::Value = serde_json::from_str(&line).unwrap();
        let mut latencies: Vec<Duration> = report["received"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t.as_u64())
            .map(|t| Duration::from_micros(t.saturating_sub(published_micros)))
            .collect();
        latencies.sort();
        let rate = stats.sent as f64 / elapsed.as_secs_f64();
        println!("enqueue (article, 2 activities, {total} deliveries, one transaction): {enqueued:.1?}");
        println!(
            "delivered: {} sent, {} failed, {} to retry; signatures verified by sinks: {}, rejected: {}",
            stats.sent,
            stats.failed,
            stats.retried,
            report["verified"],
            report["rejected"]
        );
        println!("deliveries/s: {rate:.0} ({:.2}× the single-core sign rate)", rate / sign_rate);
        println!(
            "publish → inbox: p50 {:.0?}, p99 {:.0?}, last {:.1?}",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or_default()
        );
        println!("peak RSS of the delivering process: {rss:.0} MB");
        let target = rate >= sign_rate / 2.0 && rss < 200.0;
        println!("target (≥ half the sign rate, < 200 MB): {}", if target { "met" } else { "NOT met" });
    });
}
