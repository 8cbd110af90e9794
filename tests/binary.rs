//! The `peerpress` binary as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_peerpress"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PEERPRESS") {
            c.env_remove(k);
        }
    }
    c
}

/// `cargo run --release` with no configuration: SQLite under data/, the
/// default community on http://localhost:8080, and how to log in printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_start_serves_the_community() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("peerpress serving");
        lines.push(line);
        if done {
            break;
        }
    }
    let printed = lines.join("\n");
    let fetched = reqwest::Client::new()
        .get("http://localhost:8080/c/commons")
        .header("accept", "application/activity+json")
        .send()
        .await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed.contains("API token for admin"), "{printed}");
    assert!(
        printed.contains("http://localhost:8080/login/once/"),
        "{printed}"
    );
    assert!(
        printed.contains("peerpress serving http://localhost:8080"),
        "{printed}"
    );
    let res = fetched.expect("port 8080 must be free for this test");
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["type"], "Group");
    assert_eq!(v["id"], "http://localhost:8080/c/commons");
    assert!(dir.path().join("data/peerpress.db").exists());
}

#[test]
fn configuration_mistakes_stop_start_up_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .env("PEERPRESS__SERVER__DOMIAN", "example.org")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PEERPRESS__SERVER__DOMIAN") && err.contains("server.domian"),
        "{err}"
    );

    let file = dir.path().join("site.toml");
    std::fs::write(&file, "[databse]\nurl = \"sqlite://x.db\"\n").unwrap();
    let out = bin()
        .current_dir(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("databse") && err.contains("site.toml"),
        "{err}"
    );
}

#[test]
fn token_create_prints_the_token_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["token", "create", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].starts_with("pp_") && lines[0].len() > 40);

    let out = bin()
        .current_dir(dir.path())
        .args(["token", "create", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("peerpress user create nobody"));
}

/// `peerpress community set` changes the title and charter from a file,
/// and says how to fix a wrong option.
#[test]
fn community_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let charter = dir.path().join("charter.md");
    std::fs::write(&charter, "# Charter\n\nBe kind; share freely.").unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args([
            "community",
            "set",
            "commons",
            "--title",
            "Seed Swap",
            "--charter-file",
        ])
        .arg(&charter)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Seed Swap"));
    let out = bin()
        .current_dir(dir.path())
        .args(["community", "set", "commons", "--licence", "WTFPL"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--licence") && err.contains("CC-BY-SA-4.0"),
        "{err}"
    );
    let out = bin()
        .current_dir(dir.path())
        .args([
            "community",
            "set",
            "commons",
            "--charter-file",
            "missing.md",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.md"));
}

/// `user password` reads a piped password; `user login-link` prints a new
/// one-time link; both name the person, or say how to create them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_and_sign_in_links_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["user", "password", "admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"plants and seeds\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("password set for admin"));

    let short = bin()
        .current_dir(dir.path())
        .args(["user", "password", "admin"])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));

    let out = bin()
        .current_dir(dir.path())
        .args(["user", "login-link", "admin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let link = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        link.starts_with("http://localhost:8080/login/once/"),
        "{link}"
    );
    let nobody = bin()
        .current_dir(dir.path())
        .args(["user", "login-link", "nobody"])
        .output()
        .unwrap();
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("peerpress user create nobody"));

    // The password signs in, and the link is live.
    let db = peerpress::db::connect(
        &format!(
            "sqlite://{}/data/peerpress.db?mode=rwc",
            dir.path().display()
        ),
        1,
    )
    .await
    .unwrap();
    let signed =
        peerpress::domain::accounts::sign_in(&db, "admin", "plants and seeds", "test", "", 10)
            .await;
    assert!(signed.is_ok());
    let token = link.rsplit('/').next().unwrap();
    assert!(
        peerpress::domain::accounts::login_link_person(&db, token)
            .await
            .unwrap()
            .is_some()
    );
}
