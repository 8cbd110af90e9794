//! The instance's federation policy (instance admins): the mode (`open`,
//! with blocks, or `allowlist`), domain blocks (`suspend` refuses a domain,
//! `silence` hides its content) and allowed domains. Blocks in the
//! configuration (`federation.blocked_domains`) keep working and are listed
//! as config-managed. Every change is logged in the instance's moderation
//! log and reloads the live policy every guard reads (`Settings::policy`).

use super::log::{self, Decision};
use super::permissions::Decider;
use crate::config::{PolicySnapshot, Settings, covers_authority};
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use entity::comment::CommentState;
use entity::delivery::DeliveryState;
use entity::domain_block::{self, Severity};
use entity::{actor, article, comment, delivery, domain_allow, follow, instance_setting};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

const MODE_KEY: &str = "federation_mode";

/// Load the policy from the database into `settings.policy`. Called at
/// start, after every change, and periodically (another machine of the
/// same instance may have changed it).
pub async fn load(db: &impl ConnectionTrait, settings: &Settings) -> AppResult<()> {
    let blocks = domain_block::Entity::find().all(db).await?;
    let allowed = domain_allow::Entity::find().all(db).await?;
    let mode = instance_setting::Entity::find_by_id(MODE_KEY.to_string())
        .one(db)
        .await?;
    settings.policy.set(PolicySnapshot {
        allowlist: mode.is_some_and(|m| m.value == "allowlist"),
        suspended: blocks
            .iter()
            .filter(|b| b.severity == Severity::Suspend)
            .map(|b| b.domain.clone())
            .collect(),
        silenced: blocks
            .iter()
            .filter(|b| b.severity == Severity::Silence)
            .map(|b| b.domain.clone())
            .collect(),
        allowed: allowed.into_iter().map(|a| a.domain).collect(),
    });
    Ok(())
}

/// A domain as an admin typed it, normalized: lowercase, no scheme, path or
/// trailing dot; `host:port` kept. A 422 when it is not a domain.
pub fn normalize_domain(field: &str, raw: &str) -> AppResult<String> {
    let mut d = raw.trim().to_ascii_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest.to_string();
        }
    }
    let d = d
        .split('/')
        .next()
        .unwrap_or("")
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_string();
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if host_ok && port_ok {
        Ok(d)
    } else {
        Err(AppError::unprocessable(
            field,
            format!("`{raw}` is not a domain such as example.org (or host:port)"),
        ))
    }
}

/// `open` or `allowlist`.
pub async fn mode(db: &impl ConnectionTrait) -> AppResult<String> {
    Ok(instance_setting::Entity::find_by_id(MODE_KEY.to_string())
        .one(db)
        .await?
        .map(|m| m.value)
        .unwrap_or_else(|| "open".into()))
}

/// Change the mode; logged.
pub async fn set_mode(
    ctx: &AppContext,
    admin: &Decider,
    mode: &str,
    reason: &str,
) -> AppResult<String> {
    if !matches!(mode, "open" | "allowlist") {
        return Err(AppError::unprocessable("mode", "one of: open, allowlist"));
    }
    let instance = crate::domain::actors::instance_actor(ctx).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    instance_setting::Entity::insert(instance_setting::ActiveModel {
        key: Set(MODE_KEY.into()),
        value: Set(mode.into()),
    })
    .on_conflict(
        OnConflict::column(instance_setting::Column::Key)
            .update_column(instance_setting::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    log::record(
        &txn,
        Decision {
            scope: &instance,
            decider: admin,
            action: "federation_mode",
            target: &ctx.settings.server.domain,
            title: &format!("federation mode: {mode}"),
            reason,
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    load(&ctx.db, &ctx.settings).await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(mode.to_string())
}

/// A block as listed: from the database, or from the configuration.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Block {
    pub domain: String,
    /// `suspend` or `silence`.
    pub severity: String,
    pub reason: String,
    pub public: bool,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
    /// `api` or `config` (`federation.blocked_domains`, changed there).
    pub managed_by: &'static str,
}

/// Every block: the database's, then the configuration's.
pub async fn blocks(db: &impl ConnectionTrait, settings: &Settings) -> AppResult<Vec<Block>> {
    let mut out: Vec<Block> = domain_block::Entity::find()
        .order_by_asc(domain_block::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|b| Block {
            domain: b.domain,
            severity: b.severity.to_value(),
            reason: b.reason,
            public: b.public,
            reject_media: b.reject_media,
            reject_reports: b.reject_reports,
            obfuscate: b.obfuscate,
            managed_by: "api",
        })
        .collect();
    for d in &settings.federation.blocked_domains {
        out.push(Block {
            domain: d.trim().to_ascii_lowercase(),
            severity: "suspend".into(),
            reason: "blocked in the configuration".into(),
            public: true,
            reject_media: true,
            reject_reports: true,
            obfuscate: false,
            managed_by: "config",
        });
    }
    Ok(out)
}

/// What an admin asks to block.
#[derive(Clone, Debug)]
pub struct NewBlock {
    pub domain: String,
    pub severity: Severity,
    pub reason: String,
    pub public: bool,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
}

/// Block a domain (and its subdomains), or change an existing block.
/// Suspending removes its follows both ways and cancels pending deliveries
/// to it; suspending or silencing hides its comments and network items,
/// kept so that an unblock restores them. Logged.
pub async fn block(ctx: &AppContext, admin: &Decider, b: NewBlock) -> AppResult<Block> {
    let domain = normalize_domain("domain", &b.domain)?;
    if covers_authority(&domain, &ctx.settings.server.domain) {
        return Err(AppError::unprocessable(
            "domain",
            "that is this instance's own domain",
        ));
    }
    let instance = crate::domain::actors::instance_actor(ctx).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    domain_block::Entity::insert(domain_block::ActiveModel {
        domain: Set(domain.clone()),
        severity: Set(b.severity),
        reason: Set(b.reason.trim().to_string()),
        public: Set(b.public),
        reject_media: Set(b.reject_media),
        reject_reports: Set(b.reject_reports),
        obfuscate: Set(b.obfuscate),
        created_at: Set(crate::db::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(domain_block::Column::Domain)
            .update_columns([
                domain_block::Column::Severity,
                domain_block::Column::Reason,
                domain_block::Column::Public,
                domain_block::Column::RejectMedia,
                domain_block::Column::RejectReports,
                domain_block::Column::Obfuscate,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let actors = actors_of(&txn, &domain).await?;
    hide(&txn, &actors).await?;
    if b.severity == Severity::Suspend {
        follow::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(follow::Column::FollowerId.is_in(actors.clone()))
                    .add(follow::Column::TargetId.is_in(actors.clone())),
            )
            .exec(&txn)
            .await?;
        cancel_deliveries(&txn, &domain).await?;
    }
    log::record(
        &txn,
        Decision {
            scope: &instance,
            decider: admin,
            action: match b.severity {
                Severity::Suspend => "domain_blocked",
                Severity::Silence => "domain_silenced",
            },
            target: &domain,
            title: &domain,
            reason: &b.reason,
            public: b.public,
        },
    )
    .await?;
    txn.commit().await?;
    load(&ctx.db, &ctx.settings).await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(Block {
        domain,
        severity: b.severity.to_value(),
        reason: b.reason.trim().to_string(),
        public: b.public,
        reject_media: b.reject_media,
        reject_reports: b.reject_reports,
        obfuscate: b.obfuscate,
        managed_by: "api",
    })
}

/// Lift a block: its hidden content is shown again (unless another block
/// still covers it). Follows are not restored; they must be made again.
pub async fn unblock(
    ctx: &AppContext,
    admin: &Decider,
    domain: &str,
    reason: &str,
) -> AppResult<()> {
    let domain = normalize_domain("domain", domain)?;
    if ctx
        .settings
        .federation
        .blocked_domains
        .iter()
        .any(|d| d.trim().eq_ignore_ascii_case(&domain))
    {
        return Err(AppError::Conflict(format!(
            "{domain} is blocked in the configuration (`federation.blocked_domains`); remove it there"
        )));
    }
    let Some(row) = domain_block::Entity::find()
        .filter(domain_block::Column::Domain.eq(domain.as_str()))
        .one(&ctx.db)
        .await?
    else {
        return Err(AppError::NotFound(format!("{domain} is not blocked")));
    };
    let instance = crate::domain::actors::instance_actor(ctx).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    domain_block::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    let others: Vec<String> = domain_block::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|b| b.domain)
        .chain(ctx.settings.federation.blocked_domains.iter().cloned())
        .collect();
    let actors = remote_actors_where(&txn, |host| {
        covers_authority(&domain, host) && !others.iter().any(|o| covers_authority(o, host))
    })
    .await?;
    restore(&txn, &actors).await?;
    log::record(
        &txn,
        Decision {
            scope: &instance,
            decider: admin,
            action: "domain_unblocked",
            target: &domain,
            title: &domain,
            reason,
            public: row.public,
        },
    )
    .await?;
    txn.commit().await?;
    load(&ctx.db, &ctx.settings).await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(())
}

/// The remote actors on `domain` or its subdomains.
async fn actors_of(db: &impl ConnectionTrait, domain: &str) -> AppResult<Vec<i64>> {
    remote_actors_where(db, |host| covers_authority(domain, host)).await
}

/// The ids of remote actors whose host satisfies `keep`.
async fn remote_actors_where(
    db: &impl ConnectionTrait,
    keep: impl Fn(&str) -> bool,
) -> AppResult<Vec<i64>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(false))
        .all(db)
        .await?
        .into_iter()
        .filter(|a| keep(&a.host))
        .map(|a| a.id)
        .collect())
}

/// The comment states a block hides (and an unblock gives back).
const HIDEABLE: [CommentState; 4] = [
    CommentState::Accepted,
    CommentState::Held,
    CommentState::Removed,
    CommentState::Private,
];

/// Hide what `actors` wrote: comments keep their state in `hidden_from`,
/// remote articles are marked hidden.
async fn hide(db: &impl ConnectionTrait, actors: &[i64]) -> AppResult<()> {
    // Both engines read the old row on the right of SET, so `hidden_from`
    // gets the state it had before it became `hidden`.
    comment::Entity::update_many()
        .col_expr(
            comment::Column::HiddenFrom,
            Expr::col(comment::Column::State),
        )
        .col_expr(
            comment::Column::State,
            Expr::value(CommentState::Hidden.to_value()),
        )
        .filter(comment::Column::AuthorId.is_in(actors.to_vec()))
        .filter(comment::Column::State.is_in(HIDEABLE))
        .exec(db)
        .await?;
    set_articles_hidden(db, actors, true).await
}

/// Show again what [`hide`] hid.
async fn restore(db: &impl ConnectionTrait, actors: &[i64]) -> AppResult<()> {
    comment::Entity::update_many()
        .col_expr(
            comment::Column::State,
            Expr::col(comment::Column::HiddenFrom),
        )
        .col_expr(
            comment::Column::HiddenFrom,
            Expr::value(Option::<String>::None),
        )
        .filter(comment::Column::AuthorId.is_in(actors.to_vec()))
        .filter(comment::Column::State.eq(CommentState::Hidden))
        .filter(comment::Column::HiddenFrom.is_in(HIDEABLE.map(|s| s.to_value())))
        .exec(db)
        .await?;
    set_articles_hidden(db, actors, false).await
}

/// Mark the remote articles written or gathered by `actors` hidden or shown.
async fn set_articles_hidden(
    db: &impl ConnectionTrait,
    actors: &[i64],
    hidden: bool,
) -> AppResult<()> {
    article::Entity::update_many()
        .col_expr(article::Column::Hidden, Expr::value(hidden))
        .filter(article::Column::Local.eq(false))
        .filter(
            sea_orm::Condition::any()
                .add(article::Column::AuthorId.is_in(actors.to_vec()))
                .add(article::Column::CommunityId.is_in(actors.to_vec())),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Give up the deliveries still waiting for `domain`'s servers.
async fn cancel_deliveries(db: &impl ConnectionTrait, domain: &str) -> AppResult<u64> {
    let hosts: Vec<String> = delivery::Entity::find()
        .filter(delivery::Column::State.eq(DeliveryState::Pending))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.host)
        .filter(|h| covers_authority(domain, h))
        .collect();
    if hosts.is_empty() {
        return Ok(0);
    }
    Ok(delivery::Entity::update_many()
        .col_expr(
            delivery::Column::State,
            Expr::value(DeliveryState::Failed.to_value()),
        )
        .col_expr(
            delivery::Column::LastError,
            Expr::value(format!("cancelled: {domain} is blocked")),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(crate::db::now()))
        .filter(delivery::Column::State.eq(DeliveryState::Pending))
        .filter(delivery::Column::Host.is_in(hosts))
        .exec(db)
        .await?
        .rows_affected)
}

/// Allowed domains (they matter in `allowlist` mode).
pub async fn allows(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    Ok(domain_allow::Entity::find()
        .order_by_asc(domain_allow::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.domain)
        .collect())
}

/// Allow a domain, or stop allowing it; logged.
pub async fn set_allowed(
    ctx: &AppContext,
    admin: &Decider,
    domain: &str,
    allowed: bool,
    reason: &str,
) -> AppResult<String> {
    let domain = normalize_domain("domain", domain)?;
    let instance = crate::domain::actors::instance_actor(ctx).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    if allowed {
        domain_allow::Entity::insert(domain_allow::ActiveModel {
            domain: Set(domain.clone()),
            created_at: Set(crate::db::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(domain_allow::Column::Domain)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    } else {
        let gone = domain_allow::Entity::delete_many()
            .filter(domain_allow::Column::Domain.eq(domain.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        if gone == 0 {
            return Err(AppError::NotFound(format!("{domain} is not allowed")));
        }
    }
    log::record(
        &txn,
        Decision {
            scope: &instance,
            decider: admin,
            action: if allowed {
                "domain_allowed"
            } else {
                "domain_disallowed"
            },
            target: &domain,
            title: &domain,
            reason,
            public: true,
        },
    )
    .await?;
    txn.commit().await?;
    load(&ctx.db, &ctx.settings).await?;
    ctx.changed(crate::cache::Changes::everything()).await;
    Ok(domain)
}

/// Mastodon's domain-block export header.
pub const CSV_HEADER: &str =
    "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate";

/// The blocks as Mastodon's domain-block CSV (public reasons only; a
/// private block's reason is left out).
pub fn to_csv(blocks: &[Block]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for b in blocks.iter().filter(|b| b.managed_by == "api") {
        let comment = if b.public { b.reason.as_str() } else { "" };
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&b.domain),
            b.severity,
            b.reject_media,
            b.reject_reports,
            csv_field(comment),
            b.obfuscate
        ));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Read Mastodon's domain-block CSV: every line checked before anything is
/// imported; a 422 names each wrong line. `noop` lines (nothing blocked)
/// are skipped.
pub fn parse_csv(text: &str) -> AppResult<Vec<NewBlock>> {
    let mut problems = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for (line_no, fields) in csv_records(text) {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if columns.is_empty() {
            if fields[0].trim_start().starts_with('#') {
                columns = fields
                    .iter()
                    .map(|f| f.trim().trim_start_matches('#').to_ascii_lowercase())
                    .collect();
                if !columns.iter().any(|c| c == "domain") {
                    problems.insert(
                        format!("line {line_no}"),
                        "the header has no #domain column".into(),
                    );
                }
                continue;
            }
            // No header: Mastodon's column order.
            columns = [
                "domain",
                "severity",
                "reject_media",
                "reject_reports",
                "public_comment",
                "obfuscate",
            ]
            .iter()
            .map(|c| c.to_string())
            .collect();
        }
        let get = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| fields.get(i))
                .map(|f| f.trim())
        };
        if fields.len() > columns.len() {
            problems.insert(
                format!("line {line_no}"),
                format!("{} fields, the header has {}", fields.len(), columns.len()),
            );
            continue;
        }
        let flag = |name: &str| -> Result<bool, String> {
            match get(name).unwrap_or("") {
                "" | "false" | "FALSE" | "False" | "0" => Ok(false),
                "true" | "TRUE" | "True" | "1" => Ok(true),
                other => Err(format!("#{name} must be true or false, not `{other}`")),
            }
        };
        let domain = match get("domain").map(|d| normalize_domain("domain", d)) {
            Some(Ok(d)) => d,
            _ => {
                problems.insert(
                    format!("line {line_no}"),
                    format!("`{}` is not a domain", get("domain").unwrap_or("")),
                );
                continue;
            }
        };
        let severity = match get("severity").unwrap_or("suspend") {
            "suspend" | "" => Some(Severity::Suspend),
            "silence" => Some(Severity::Silence),
            "noop" => None,
            other => {
                problems.insert(
                    format!("line {line_no}"),
                    format!("#severity must be suspend, silence or noop, not `{other}`"),
                );
                continue;
            }
        };
        let flags = (
            flag("reject_media"),
            flag("reject_reports"),
            flag("obfuscate"),
        );
        let (reject_media, reject_reports, obfuscate) = match flags {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                problems.insert(format!("line {line_no}"), e);
                continue;
            }
        };
        if let Some(severity) = severity {
            out.push(NewBlock {
                domain,
                severity,
                reason: get("public_comment").unwrap_or("").to_string(),
                public: true,
                reject_media,
                reject_reports,
                obfuscate,
            });
        }
    }
    if out.len() > 10_000 {
        problems.insert("file".into(), "at most 10 000 blocks per import".into());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Unprocessable(problems))
    }
}

/// CSV records (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks), each with the line it starts on.
fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            '\n' => {
                line += 1;
                field.push(c);
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    records
}

/// Import blocks parsed by [`parse_csv`], one transaction each.
pub async fn import(ctx: &AppContext, admin: &Decider, blocks: Vec<NewBlock>) -> AppResult<usize> {
    let n = blocks.len();
    for b in blocks {
        block(ctx, admin, b).await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_csv_round_trips() {
        let text = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                    spam.example,suspend,true,true,\"Spam, and \"\"worse\"\"\",false\n\
                    loud.example,silence,false,false,,true\n\
                    quiet.example,noop,true,false,media only,false\n";
        let blocks = parse_csv(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].reason, "Spam, and \"worse\"");
        assert_eq!(blocks[1].severity, Severity::Silence);
        assert!(blocks[1].obfuscate);
        let listed: Vec<Block> = blocks
            .iter()
            .map(|b| Block {
                domain: b.domain.clone(),
                severity: b.severity.to_value(),
                reason: b.reason.clone(),
                public: true,
                reject_media: b.reject_media,
                reject_reports: b.reject_reports,
                obfuscate: b.obfuscate,
                managed_by: "api",
            })
            .collect();
        let again = parse_csv(&to_csv(&listed)).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].reason, blocks[0].reason);
    }

    #[test]
    fn a_bad_line_is_named() {
        let text = "#domain,#severity\nok.example,suspend\nnot a domain,suspend\nx.example,ban\n";
        let Err(AppError::Unprocessable(p)) = parse_csv(text) else {
            panic!("accepted");
        };
        assert!(
            p.contains_key("line 3") && p.contains_key("line 4"),
            "{p:?}"
        );
        assert!(!p.contains_key("line 2"));
    }

    #[test]
    fn domains_are_normalized() {
        assert_eq!(
            normalize_domain("d", "https://Spam.Example/").unwrap(),
            "spam.example"
        );
        assert_eq!(
            normalize_domain("d", "localhost:8080").unwrap(),
            "localhost:8080"
        );
        assert!(normalize_domain("d", "a b").is_err());
        assert!(normalize_domain("d", "").is_err());
    }
}
