//! Operations: metrics, health, doctor, JSON logs and backups, as an
//! operator and their monitoring see them.

use crate::db_test;
use crate::harness::*;
use serde_json::json;

/// One sample of `/metrics`: name, labels, value.
type Sample = (String, std::collections::BTreeMap<String, String>, f64);

/// The value of `name` with all of `labels` (summed over the other
/// labels), 0 when absent.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

/// The exposition read by Prometheus's own Python client
/// (`prometheus_client.parser`, installed by
/// tests/interop/prometheus/install.sh), which refuses malformed text.
fn parse_with_prometheus_client(text: &str) -> Option<Vec<Sample>> {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/prometheus/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("PEERPRESS_REQUIRE_INTEROP").is_none(),
            "prometheus_client is not installed: run tests/interop/prometheus/install.sh"
        );
        eprintln!("prometheus_client not installed: /metrics read by the test's own reader only");
        return None;
    }
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, json\n\
             from prometheus_client.parser import text_string_to_metric_families as f\n\
             print(json.dumps([[s.name, s.labels, s.value] for m in f(sys.stdin.read()) for s in m.samples]))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client refuses /metrics: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The test's own reader of `name{label="value",…} number` lines, with
/// quoted values that may hold braces (route templates do).
fn read_exposition(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let name_end = line.find(['{', ' ']).unwrap();
        let name = &line[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        let mut labels = std::collections::BTreeMap::new();
        let mut rest = &line[name_end..];
        if let Some(mut inner) = rest.strip_prefix('{') {
            loop {
                if let Some(after) = inner.strip_prefix('}') {
                    rest = after;
                    break;
                }
                let (key, after) = inner.split_once("=\"").unwrap();
                let mut value = String::new();
                let mut chars = after.char_indices();
                let end = loop {
                    match chars.next().unwrap() {
                        (_, '\\') => value.push(chars.next().unwrap().1),
                        (i, '"') => break i,
                        (_, c) => value.push(c),
                    }
                };
                labels.insert(key.trim_start_matches(',').to_string(), value);
                inner = &after[end + 1..];
            }
        }
        let number = rest.trim();
        let v = match number {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            n => n.parse().unwrap_or_else(|_| panic!("{line}")),
        };
        out.push((name.to_string(), labels, v));
    }
    out
}

async fn scrape(a: &TestInstance) -> (String, Vec<Sample>) {
    let res = client().get(a.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    let ours = read_exposition(&text);
    if let Some(theirs) = parse_with_prometheus_client(&text) {
        for (name, labels, v) in &ours {
            // The Python client names counters without `_total` in the
            // family but keeps it on the sample.
            let read = value(
                &theirs,
                name,
                &labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect::<Vec<_>>(),
            );
            assert!(
                read == *v || (read - v).abs() <= 1e-9 * v.abs(),
                "{name} {labels:?}: {read} != {v}"
            );
        }
    }
    (text, ours)
}

db_test!(metrics, metrics_body);
async fn metrics_body(backend: Backend) {
    let token = "a-long-metrics-token-for-the-test-0123456789";
    let a = TestInstance::start_with(
        backend,
        vec![("PEERPRESS__METRICS__TOKEN".into(), token.into())],
    )
    .await;
    let peer = FakePeer::start().await;
    let (status, _) = peer
        .post(
            &a.url("/c/commons/inbox"),
            &peer.follow(&a.url("/c/commons")),
        )
        .await;
    assert_eq!(status, 202);
    a.drain().await;
    let (_, before) = scrape(&a).await;
    assert_eq!(
        value(
            &before,
            "peerpress_inbox_activities_total",
            &[("kind", "Follow"), ("outcome", "applied")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &before,
            "peerpress_deliveries_total",
            &[("outcome", "done")]
        ),
        1.0,
        "the Accept"
    );

    let article = a.publish("Seed swap", "Bring *seeds*.").await;
    let (_, pending) = scrape(&a).await;
    assert!(
        value(&pending, "peerpress_deliveries_pending", &[]) >= 1.0,
        "the Announce waits to be sent"
    );
    a.drain().await;
    let uuid = article["id"].as_str().unwrap().rsplit('/').next().unwrap();
    for _ in 0..2 {
        let res = client()
            .get(a.url(&format!("/articles/{uuid}")))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let (text, after) = scrape(&a).await;
    assert_eq!(
        value(
            &after,
            "peerpress_http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/communities/{name}/articles"),
                ("status", "201")
            ]
        ),
        1.0,
        "{text}"
    );
    assert!(
        value(&after, "peerpress_deliveries_total", &[("outcome", "done")]) >= 2.0,
        "the community's Announce reached the follower: {text}"
    );
    assert_eq!(
        value(&after, "peerpress_deliveries_pending", &[]),
        0.0,
        "{text}"
    );
    assert_eq!(
        value(
            &after,
            "peerpress_http_requests_total",
            &[("route", "/articles/{uuid}"), ("status", "200")]
        ),
        2.0,
        "{text}"
    );
    assert!(
        value(
            &after,
            "peerpress_cache_requests_total",
            &[("result", "hit")]
        ) >= 1.0,
        "the second read came from the cache: {text}"
    );
    assert!(!text.contains(uuid), "labels hold templates, not paths");
    assert!(
        text.contains("peerpress_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        value(&after, "peerpress_db_pool_connections", &[("state", "max")]) >= 1.0,
        "{text}"
    );
    assert_eq!(value(&after, "peerpress_parked_hosts", &[]), 0.0);

    // Through a proxy (not local), without or with a wrong token: refused.
    for auth in [None, Some("wrong")] {
        let mut req = client()
            .get(a.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.7");
        if let Some(t) = auth {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("metrics.token"));
    }
    let res = client()
        .get(a.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.7")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    for path in ["/healthz", "/readyz"] {
        let res = client().get(a.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
}

/// Two instances in one process keep their counters apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_of_two_instances_do_not_mix() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let b = TestInstance::start(Backend::Sqlite).await;
    a.publish("Only on a", "x").await;
    let route = [
        ("method", "POST"),
        ("route", "/api/v1/communities/{name}/articles"),
    ];
    assert_eq!(
        value(&scrape(&a).await.1, "peerpress_http_requests_total", &route),
        1.0
    );
    assert_eq!(
        value(&scrape(&b).await.1, "peerpress_http_requests_total", &route),
        0.0
    );
}

/// What `peerpress doctor` finds, as it prints it.
async fn doctor(settings: &peerpress::config::Settings) -> String {
    peerpress::cli::doctor::examine(settings)
        .await
        .iter()
        .map(|f| {
            format!(
                "{:?} {}{}\n",
                f.level,
                f.what,
                f.fix
                    .as_deref()
                    .map(|fix| format!(" / fix: {fix}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_each_problem_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let settings = |media: &str| {
        peerpress::config::Settings::load(
            None,
            vec![
                (
                    "PEERPRESS__DATABASE__URL".into(),
                    format!("sqlite://{}/p.db?mode=rwc", dir.path().display()),
                ),
                (
                    "PEERPRESS__MEDIA__DIR".into(),
                    dir.path().join(media).display().to_string(),
                ),
            ],
        )
        .unwrap()
    };
    let report = doctor(&settings("media")).await;
    assert!(report.contains("migration(s) not applied"), "{report}");
    assert!(report.contains("fix: run `peerpress migrate`"), "{report}");

    let opened = peerpress::app::open(settings("media")).await.unwrap();
    let report = doctor(&settings("media")).await;
    for line in [
        "Ok database: reachable, every migration applied",
        "Ok database: SQLite quick_check passes",
        "Ok clock:",
        "Ok keys: 3 local actors, each key pair intact",
        "Ok media: ",
    ] {
        assert!(report.contains(line), "{line} in\n{report}");
    }
    assert!(!report.contains("Error"), "{report}");

    // A media folder it cannot make, and a key pair that does not match.
    std::fs::write(dir.path().join("blocker"), "a file, not a folder").unwrap();
    {
        use sea_orm::{ActiveModelTrait, Set};
        let admin = peerpress::domain::actors::find_local(&opened.ctx.db, "admin")
            .await
            .unwrap()
            .unwrap();
        let other = peerpress::wire::signatures::generate_keypair().unwrap();
        let mut m: entity::actor::ActiveModel = admin.into();
        m.public_key_pem = Set(other.public_pem);
        m.update(&opened.ctx.db).await.unwrap();
    }
    let report = doctor(&settings("blocker/media")).await;
    assert!(report.contains("Error media: cannot create"), "{report}");
    assert!(
        report.contains(
            "/u/admin (person): the published public key is not the private key's / fix: restore"
        ),
        "{report}"
    );
}

/// `log.format = "json"`: one JSON object per line, carrying the request
/// id of the request it was written in (the subscriber `peerpress serve`
/// installs, here for this thread only).
#[test]
fn json_logs_carry_the_request_id() {
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let logs = peerpress::app::log_subscriber(
        peerpress::config::LogFormat::Json,
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"),
        move || writer.clone(),
    );
    let _guard = tracing::subscriber::set_default(logs);
    // One thread: every task logs through this thread's subscriber.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let a = TestInstance::start(Backend::Sqlite).await;
        let res = client()
            .get(a.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.8")
            .header("x-request-id", "ops-test-7")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        a.running.stop().await;
    });
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["span"]["id"] == "ops-test-7"
            && l["level"] == "WARN"
            && l["message"].as_str().unwrap_or("").contains("/metrics")),
        "{text}"
    );
}

/// A backup taken while articles are being written is consistent: its
/// database passes SQLite's integrity check, and an instance starts from
/// it with what was written before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writing_restores() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let media = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(media.path().join("2026")).unwrap();
    std::fs::write(media.path().join("2026/garden.jpg"), b"jpeg bytes").unwrap();
    a.publish("Before the backup", "Written first.").await;

    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let url = a.url("/api/v1/communities/commons/articles");
        let token = a.token.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while writing.load(std::sync::atomic::Ordering::SeqCst) && n < 500 {
                let res = client()
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"title": format!("Written during {n}"), "body": "x"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                n += 1;
            }
            n
        })
    };
    // Let some writes happen first (bounded: the writer stops at 500).
    eventually("writes under way", 30, || async {
        a.get_as("/c/commons/outbox").await.2["totalItems"]
            .as_u64()
            .is_some_and(|n| n >= 3)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("backup.tar.gz");
    let mut settings = a.ctx().settings.clone();
    settings.media.dir = media.path().display().to_string();
    let written = peerpress::cli::backup::backup(&settings, &file)
        .await
        .unwrap();
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    let during = writer.await.unwrap();
    assert!(during >= 2, "the server wrote while the backup ran");
    assert_eq!(written.media_files, 1);
    assert!(written.pg_dump.is_none());

    // Unpack as the operator would.
    let restored = tempfile::tempdir().unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap());
    tar::Archive::new(gz).unpack(restored.path()).unwrap();
    assert_eq!(
        std::fs::read(restored.path().join("media/2026/garden.jpg")).unwrap(),
        b"jpeg bytes"
    );
    {
        use sea_orm::ConnectionTrait;
        let url = format!(
            "sqlite://{}/peerpress.db?mode=ro",
            restored.path().display()
        );
        let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "ok");
        db.close().await.unwrap();
    }

    // The same address, served from the backup.
    let port: u16 = a.domain.rsplit(':').next().unwrap().parse().unwrap();
    a.running.stop().await;
    let media_dir = tempfile::tempdir().unwrap();
    let b = TestInstance::start_on(TestDb::sqlite_in(restored), media_dir, port, Vec::new()).await;
    let (status, _, outbox) = b.get_as("/c/commons/outbox").await;
    assert_eq!(status, 200);
    assert!(outbox["totalItems"].as_u64().unwrap() >= 3, "{outbox}");
    let page = b.page(&b.url("/c/commons")).await;
    assert!(page.contains("Before the backup"));
    b.publish("After the restore", "The restored instance writes.")
        .await;
}
