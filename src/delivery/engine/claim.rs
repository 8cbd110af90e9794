//! Claiming due deliveries: a lease taken in one statement, so any number
//! of processes cooperate; released on shutdown.

use crate::context::AppContext;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use entity::delivery;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement};

/// Claim up to `limit` due deliveries, skipping parked hosts, hosts in
/// `busy`, and deliveries queued behind an earlier one for the same object
/// and host.
pub(super) async fn claim(
    ctx: &AppContext,
    limit: usize,
    busy: &[String],
) -> AppResult<Vec<delivery::Model>> {
    let backend = ctx.db.get_database_backend();
    let now = crate::db::now();
    let lease =
        now + Duration::seconds(i64::try_from(ctx.settings.delivery.lease_secs).unwrap_or(60));
    let mut values: Vec<sea_orm::Value> = vec![lease.into(), now.into(), now.into()];
    let mut ph = Placeholders::new(backend);
    let (p_lease, p_now1, p_now2) = (ph.next(), ph.next(), ph.next());
    let busy_clause = if busy.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = busy
            .iter()
            .map(|h| {
                values.push(h.clone().into());
                ph.next()
            })
            .collect();
        format!("AND d.host NOT IN ({})", list.join(", "))
    };
    values.push(i64::try_from(limit).unwrap_or(1).into());
    let p_limit = ph.next();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE delivery SET locked_until = {p_lease} \
         WHERE id IN ( \
           SELECT d.id FROM delivery d \
           WHERE d.state = 'pending' AND d.next_attempt_at <= {p_now1} \
             AND (d.locked_until IS NULL OR d.locked_until < {p_now2}) \
             AND d.host NOT IN (SELECT h.host FROM instance_health h WHERE h.parked = {true_lit}) \
             AND NOT EXISTS (SELECT 1 FROM delivery e WHERE e.inbox_url = d.inbox_url AND e.object_key = d.object_key \
                             AND e.state = 'pending' AND e.id < d.id) \
             {busy_clause} \
           ORDER BY d.id LIMIT {p_limit} {lock} \
         ) \
         RETURNING *",
        true_lit = if backend == DbBackend::Postgres {
            "TRUE"
        } else {
            "1"
        },
    );
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(delivery::Entity::find()
        .from_raw_sql(stmt)
        .all(&ctx.db)
        .await?)
}

/// Give back claimed deliveries this process will not send now.
pub(super) async fn release(ctx: &AppContext, ids: Vec<i64>) {
    let res = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(delivery::Column::Id.is_in(ids))
        .exec(&ctx.db)
        .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not release deliveries; they are retried after their lease");
    }
}

/// `?` for SQLite, `$n` for PostgreSQL.
struct Placeholders {
    backend: DbBackend,
    n: usize,
}

impl Placeholders {
    fn new(backend: DbBackend) -> Self {
        Placeholders { backend, n: 0 }
    }
    fn next(&mut self) -> String {
        self.n += 1;
        match self.backend {
            DbBackend::Postgres => format!("${}", self.n),
            _ => "?".to_string(),
        }
    }
}
