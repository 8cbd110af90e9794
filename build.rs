//! Packs the source of what is being built into `$OUT_DIR/source.tar.gz`,
//! which the server offers at `/source.tar.gz` (AGPL-3.0 §13), and names
//! its commit (`PEERPRESS_COMMIT`).
//!
//! In a git checkout (a clone, or a worktree) the archive is `git archive`
//! of `HEAD`: exactly the tracked files of the commit built. The script
//! runs again only when `HEAD` moves (a commit, a checkout), never for an
//! edit, so incremental builds pay nothing for it. Without git (a source
//! tarball), the package directory is packed once, without build output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    let archive = out.join("source.tar.gz");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-changed=build.rs");
    let commit = match git(&dir, &["rev-parse", "HEAD"]) {
        Some(commit) => {
            watch_head(&dir);
            let prefix = format!("peerpress-{version}-{}/", &commit[..commit.len().min(12)]);
            let packed = Command::new("git")
                .current_dir(&dir)
                .args(["archive", "--format=tar.gz", "--prefix", &prefix, "-o"])
                .arg(&archive)
                .arg(&commit)
                .status()
                .is_ok_and(|s| s.success());
            if !packed {
                println!("cargo:warning=git archive failed; packing the directory instead");
                pack_directory(&dir, &archive, &version);
            }
            commit
        }
        None => {
            pack_directory(&dir, &archive, &version);
            String::new()
        }
    };
    println!("cargo:rustc-env=PEERPRESS_COMMIT={commit}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Run again when `HEAD` or the branch it names changes (worktrees keep
/// `HEAD` apart and the branches in the common directory; a ref may be a
/// file or a line of `packed-refs`). Only files that exist are named:
/// cargo reruns every time for a missing one.
fn watch_head(dir: &Path) {
    let mut paths = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    for p in paths {
        if let Some(path) = git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", &p],
        ) && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// The package directory without build output, dependencies or data.
fn pack_directory(dir: &Path, archive: &Path, version: &str) {
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(archive)
        .args([
            "--exclude=./target",
            "--exclude=./data",
            "--exclude=node_modules",
            "--exclude=./.git",
            "--transform",
            &format!("s,^\\.,peerpress-{version},"),
            "-C",
        ])
        .arg(dir)
        .arg(".")
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("cargo:warning=could not pack the source; /source.tar.gz will be empty");
        let _ = std::fs::write(archive, []);
    }
}
