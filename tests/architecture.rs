//! The layers of `src/` point one way: a file may use only modules of its
//! own layer or below. The order is the one `src/lib.rs` states.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom to top; modules in one layer may use each other.
const LAYERS: &[&[&str]] = &[
    // Foundations: pure, no I/O.
    &[
        "config",
        "error",
        "content",
        "wire",
        "ratelimit",
        "telemetry",
    ],
    // Storage and the shared context.
    &["db", "cache", "context", "media"],
    &["delivery"],
    &["domain"],
    &["federation"],
    &["web"],
    &["app", "cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::X` (in `use` lines and
/// paths), its unit tests left out.
fn uses(text: &str) -> Vec<String> {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            // `use crate::{a, b::c}`
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                for part in group.split(',') {
                    let m: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !m.is_empty() {
                        out.push(m);
                    }
                }
            }
        } else {
            out.push(name);
        }
    }
    out
}

#[test]
fn no_file_imports_from_a_layer_above_its_own() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = layer_of(&top) else {
            unknown.push(top);
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for m in uses(&text) {
            match layer_of(&m) {
                Some(l) if l > own => upward.entry(rel.display().to_string()).or_default().push(m),
                Some(_) => {}
                None => unknown.push(format!("{} (in {})", m, rel.display())),
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "modules with no layer in tests/architecture.rs: {unknown:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that point up a layer: {upward:#?}"
    );
}

#[test]
fn lib_rs_states_the_same_layers() {
    let lib = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .unwrap();
    for layer in LAYERS {
        for m in *layer {
            assert!(
                lib.contains(&format!("pub mod {m};")),
                "src/lib.rs does not declare {m}"
            );
            assert!(lib.contains(m), "src/lib.rs does not place {m} in a layer");
        }
    }
}
