//! `peerpress doctor`: look the instance over and say what to fix. Each
//! finding names what was checked, what was found and, when something is
//! wrong, how to mend it. It changes nothing (it does not even migrate).

use crate::config::Settings;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warning,
    Error,
}

#[derive(Debug)]
pub struct Finding {
    pub level: Level,
    pub what: String,
    /// How to mend it; `None` when all is well.
    pub fix: Option<String>,
}

fn ok(what: impl Into<String>) -> Finding {
    Finding {
        level: Level::Ok,
        what: what.into(),
        fix: None,
    }
}

fn warning(what: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        level: Level::Warning,
        what: what.into(),
        fix: Some(fix.into()),
    }
}

fn error(what: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        level: Level::Error,
        what: what.into(),
        fix: Some(fix.into()),
    }
}

/// Every check, in the order a person would mend them.
pub async fn examine(settings: &Settings) -> Vec<Finding> {
    let mut out = configuration(settings);
    let db = match crate::db::connect(&settings.database.url, 2).await {
        Ok(db) => db,
        Err(e) => {
            out.push(error(
                format!("database: {e:#}"),
                "check database.url; for PostgreSQL, that the server runs and the role may log in",
            ));
            return out;
        }
    };
    out.extend(database(&db).await);
    out.push(clock(&db).await);
    out.extend(keys(&db, settings).await);
    out.push(media(settings));
    if !settings.insecure() {
        out.extend(public_domain(settings).await);
    }
    out
}

fn configuration(s: &Settings) -> Vec<Finding> {
    let mut out = vec![ok(format!(
        "configuration: loaded; public address {} ({} rules)",
        s.base_url(),
        if s.insecure() {
            "local-testing"
        } else {
            "production"
        }
    ))];
    if s.federation.allow_insecure && s.host() != "localhost" {
        out.push(warning(
            format!(
                "configuration: federation.allow_insecure is on for the public domain {}: http and private addresses are allowed",
                s.server.domain
            ),
            "set federation.allow_insecure = false outside local testing",
        ));
    }
    if s.server.source_url.is_empty() && !s.insecure() {
        out.push(warning(
            "configuration: server.source_url is empty; pages link to /source, which only says how to get the code",
            "set server.source_url to where this version's source can be had (AGPL-3.0 §13)",
        ));
    }
    if !s.metrics.token.is_empty() && s.metrics.token.len() < 24 {
        out.push(warning(
            "configuration: metrics.token is shorter than 24 characters",
            "use a long random token, e.g. `openssl rand -hex 32`",
        ));
    }
    if s.database.url.starts_with("sqlite:") && s.delivery.workers == 0 {
        out.push(warning(
            "configuration: delivery.workers = 0 on SQLite: nothing delivers unless a `peerpress worker` shares this file",
            "set delivery.workers above 0, or run `peerpress worker` beside `peerpress serve`",
        ));
    }
    out
}

async fn database(db: &DatabaseConnection) -> Vec<Finding> {
    let mut out = Vec::new();
    match crate::db::readiness(db).await {
        Ok(()) => out.push(ok("database: reachable, every migration applied")),
        Err(why) => out.push(error(
            format!("database: {why}"),
            "run `peerpress migrate` (serve also migrates at start)",
        )),
    }
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        match db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA quick_check",
            ))
            .await
            .map(|r| r.and_then(|r| r.try_get_by_index::<String>(0).ok()))
        {
            Ok(Some(s)) if s == "ok" => out.push(ok("database: SQLite quick_check passes")),
            Ok(other) => out.push(error(
                format!(
                    "database: SQLite quick_check reports {}",
                    other.unwrap_or_default()
                ),
                "restore the latest backup (`peerpress backup` makes them) or try `sqlite3 FILE .recover`",
            )),
            Err(e) => out.push(error(
                format!("database: quick_check failed: {e}"),
                "check the file's permissions and the disk",
            )),
        }
    }
    out
}

/// HTTP signatures carry a `Date`; peers refuse one more than an hour
/// off. With PostgreSQL the database's clock is compared too (rows are
/// stamped by this process, deliveries compared with the database's time).
async fn clock(db: &DatabaseConnection) -> Finding {
    let now = chrono::Utc::now();
    if now.timestamp() < 1_735_689_600 {
        return error(
            format!("clock: this machine says it is {now}"),
            "set the clock (enable NTP: `timedatectl set-ntp true`)",
        );
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let theirs = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT EXTRACT(EPOCH FROM now())::float8",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get_by_index::<f64>(0).ok());
        if let Some(t) = theirs {
            let skew = (t - now.timestamp_millis() as f64 / 1000.0).abs();
            if skew > 30.0 {
                return error(
                    format!("clock: this machine and the database differ by {skew:.0} s"),
                    "run NTP on both machines (`timedatectl set-ntp true`)",
                );
            }
        }
    }
    ok(format!("clock: {}", now.format("%Y-%m-%d %H:%M:%S UTC")))
}

async fn keys(db: &DatabaseConnection, settings: &Settings) -> Vec<Finding> {
    let actors = match entity::actor::Entity::find()
        .filter(entity::actor::Column::Local.eq(true))
        .all(db)
        .await
    {
        Ok(a) => a,
        Err(e) => {
            return vec![error(
                format!("keys: cannot read the actors: {e}"),
                "see the database finding",
            )];
        }
    };
    let mut out = Vec::new();
    let mut good = 0;
    for a in &actors {
        let checked = match &a.private_key_pem {
            None => Err("no private key".to_string()),
            Some(private) => crate::wire::signatures::check_key_pair(private, &a.public_key_pem),
        };
        match checked {
            Ok(()) => good += 1,
            Err(why) => out.push(error(
                format!("keys: {} ({}): {why}", a.ap_id, a.kind),
                "restore the actor's keys from a backup or an export made `--with-keys`; peers cannot verify what it signs",
            )),
        }
        if !a.ap_id.starts_with(&settings.base_url()) {
            out.push(error(
                format!(
                    "keys: the local actor {} is not under {}: server.domain changed after first start",
                    a.ap_id,
                    settings.base_url()
                ),
                "set server.domain back (ids never change); to move, run a new instance and `peerpress community move`",
            ));
        }
    }
    if actors.is_empty() {
        out.push(warning(
            "keys: no local actors yet",
            "start the server once (`peerpress serve`): the first start creates them",
        ));
    } else if good == actors.len() {
        out.push(ok(format!(
            "keys: {good} local actors, each key pair intact"
        )));
    }
    out
}

fn media(settings: &Settings) -> Finding {
    let dir = std::path::Path::new(&settings.media.dir);
    if let Err(e) = std::fs::create_dir_all(dir) {
        return error(
            format!("media: cannot create {}: {e}", dir.display()),
            "create the folder and give it to the user peerpress runs as, or set media.dir",
        );
    }
    let probe = dir.join(format!(".doctor-{}", uuid::Uuid::new_v4().simple()));
    match std::fs::write(&probe, b"probe") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            ok(format!("media: {} is writable", dir.display()))
        }
        Err(e) => error(
            format!("media: {} is not writable: {e}", dir.display()),
            format!(
                "`chown -R peerpress: {}` (the user peerpress runs as), or set media.dir",
                dir.display()
            ),
        ),
    }
}

/// In production, peers find us by WebFinger and read our actors over
/// https on the public domain: both must answer through the proxy.
async fn public_domain(settings: &Settings) -> Vec<Finding> {
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(crate::context::user_agent(settings))
        .build()
    {
        Ok(c) => c,
        Err(e) => return vec![error(format!("https: {e}"), "")],
    };
    let name = &settings.community.name;
    let domain = &settings.server.domain;
    let actor = format!("{}/c/{name}", settings.base_url());
    let webfinger = format!(
        "{}/.well-known/webfinger?resource=acct:{name}@{domain}",
        settings.base_url()
    );
    let proxy_fix = "check DNS, the TLS certificate and that the reverse proxy passes /.well-known and every path to peerpress with the Host header (see deploy/)";
    let mut out = Vec::new();
    match client.get(&webfinger).send().await {
        Ok(r) if r.status().is_success() => {
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            let links_to_actor = v["links"].as_array().is_some_and(|l| {
                l.iter()
                    .any(|l| l["rel"] == "self" && l["href"].as_str() == Some(actor.as_str()))
            });
            if links_to_actor {
                out.push(ok(format!("https: WebFinger at {webfinger} names {actor}")));
            } else {
                out.push(error(
                    format!("https: WebFinger at {webfinger} does not link to {actor}"),
                    proxy_fix,
                ));
            }
        }
        Ok(r) => out.push(error(
            format!("https: WebFinger at {webfinger} answered {}", r.status()),
            proxy_fix,
        )),
        Err(e) => out.push(error(
            format!("https: WebFinger at {webfinger}: {e}"),
            proxy_fix,
        )),
    }
    match client
        .get(&actor)
        .header("accept", crate::wire::AS_CONTENT_TYPE)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {
            let skew = r
                .headers()
                .get("date")
                .and_then(|d| d.to_str().ok())
                .and_then(|d| httpdate::parse_http_date(d).ok())
                .and_then(|d| {
                    let now = std::time::SystemTime::now();
                    now.duration_since(d)
                        .or_else(|_| d.duration_since(now))
                        .ok()
                });
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            if v["id"].as_str() == Some(actor.as_str()) {
                out.push(ok(format!("https: the actor {actor} is served")));
            } else {
                out.push(error(
                    format!(
                        "https: {actor} does not serve the actor document (id {})",
                        v["id"]
                    ),
                    proxy_fix,
                ));
            }
            if let Some(skew) = skew.filter(|s| s.as_secs() > 300) {
                out.push(warning(
                    format!(
                        "clock: the public server's Date is {} s off this machine's",
                        skew.as_secs()
                    ),
                    "run NTP on every machine of the instance",
                ));
            }
        }
        Ok(r) => out.push(error(
            format!("https: {actor} answered {}", r.status()),
            proxy_fix,
        )),
        Err(e) => out.push(error(format!("https: {actor}: {e}"), proxy_fix)),
    }
    out
}

/// Print the findings; the worst level decides the exit status.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let findings = examine(settings).await;
    for f in &findings {
        let mark = match f.level {
            Level::Ok => "ok     ",
            Level::Warning => "WARNING",
            Level::Error => "ERROR  ",
        };
        println!("{mark} {}", f.what);
        if let Some(fix) = f.fix.as_deref().filter(|f| !f.is_empty()) {
            println!("        fix: {fix}");
        }
    }
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings
        .iter()
        .filter(|f| f.level == Level::Warning)
        .count();
    println!("{errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        anyhow::bail!("doctor found {errors} error(s): fix them as shown above");
    }
    Ok(())
}
