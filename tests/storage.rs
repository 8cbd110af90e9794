//! Migrations: they apply on a fresh database, report themselves applied,
//! roll back and apply again, on SQLite and PostgreSQL.

use crate::db_test;
use crate::harness::{Backend, TestDb};
use migration::{Migrator, MigratorTrait};

async fn migrations_apply_and_roll_back(backend: Backend) {
    let db = TestDb::new(backend).await;
    let conn = peerpress::db::connect(&db.url, 2).await.unwrap();
    peerpress::db::migrate(&conn).await.unwrap();
    let pending = Migrator::get_pending_migrations(&conn).await.unwrap();
    assert!(pending.is_empty());
    // Running again is a no-op, as every `serve` start does.
    peerpress::db::migrate(&conn).await.unwrap();
    // Each migration rolls back on its own (newest first), and all apply
    // again.
    for n in 1..=Migrator::migrations().len() {
        Migrator::down(&conn, Some(1)).await.unwrap();
        assert_eq!(
            Migrator::get_pending_migrations(&conn).await.unwrap().len(),
            n
        );
        // …and the newest re-applies on what is left.
        Migrator::up(&conn, Some(1)).await.unwrap();
        Migrator::down(&conn, Some(1)).await.unwrap();
    }
    assert_eq!(
        Migrator::get_pending_migrations(&conn).await.unwrap().len(),
        Migrator::migrations().len()
    );
    peerpress::db::migrate(&conn).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&conn)
            .await
            .unwrap()
            .is_empty()
    );
}
db_test!(migrations, migrations_apply_and_roll_back);
