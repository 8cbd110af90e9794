//! Every real document in `tests/fixtures` is read by the inbox's one
//! parser into the typed activity we act on, or refused with a reason.
//! Objects and actors are read as they reach us: an object inside a
//! `Create`, an actor as the federation crate fetches it.

use peerpress::federation::activities::{Activity, Inbound};
use peerpress::wire::actor::ActorDoc;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// What the inbox makes of a document, in a word (or why it refuses it).
fn verdict(mut doc: Value) -> String {
    peerpress::wire::normalize_terms(&mut doc);
    let kind = doc["type"].as_str().unwrap_or("").to_string();
    let activity_kinds = [
        "Create",
        "Update",
        "Delete",
        "Follow",
        "Accept",
        "Reject",
        "Undo",
        "Announce",
        "Like",
        "Dislike",
        "EmojiReact",
        "Flag",
        "Block",
        "Add",
        "Remove",
        "Lock",
        "Move",
        "Resolve",
        "Warn",
        "Join",
        "Leave",
    ];
    if activity_kinds.contains(&kind.as_str()) {
        return match Inbound::parse(&doc) {
            Ok(i) => variant(&i.activity),
            Err(e) => format!("refused: {e}"),
        };
    }
    if ["Person", "Group", "Service", "Application", "Organization"].contains(&kind.as_str()) {
        return match serde_json::from_value::<ActorDoc>(doc) {
            Ok(_) => "Actor".into(),
            Err(e) => format!("refused: {e}"),
        };
    }
    if kind.ends_with("Collection") || kind.ends_with("CollectionPage") {
        return "Collection (read by backfill)".into();
    }
    // An object: as it arrives, inside a Create.
    let actor = doc
        .get("attributedTo")
        .and_then(peerpress::wire::ref_id)
        .map(|u| u.to_string())
        .unwrap_or_else(|| "https://example.org/actor".into());
    let create = json!({"id": "https://example.org/activities/1", "type": "Create", "actor": actor, "object": doc});
    match Inbound::parse(&create) {
        Ok(i) => format!("in a Create: {}", variant(&i.activity)),
        Err(e) => format!("refused: {e}"),
    }
}

fn variant(a: &Activity) -> String {
    match a {
        Activity::Follow { .. } => "Follow".into(),
        Activity::Undo(i) => format!("Undo of {}", i.kind.as_deref().unwrap_or("an id")),
        Activity::Accept(_) => "Accept".into(),
        Activity::Reject(_) => "Reject".into(),
        Activity::Create { object, update } => {
            format!(
                "{} of {}",
                if *update { "Update" } else { "Create" },
                object.kind
            )
        }
        Activity::Announce(s) => match &s.inner {
            Some(i) => format!("Announce of {}", i.kind.as_deref().unwrap_or("?")),
            None => "Announce".into(),
        },
        Activity::Delete { .. } => "Delete".into(),
        Activity::Like { .. } => "Like".into(),
        Activity::Flag { objects, .. } => format!("Flag of {} objects", objects.len()),
        Activity::Ignored(why) => format!("ignored: {why}"),
    }
}

#[test]
fn every_real_document_is_read_or_refused_with_a_reason() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 90, "only {} fixtures", files.len());
    let mut table = Vec::new();
    for f in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        table.push((rel, verdict(doc)));
    }
    let report: String = table.iter().map(|(f, v)| format!("{f}: {v}\n")).collect();
    let of = |name: &str| {
        table
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no fixture {name}\n{report}"))
    };
    // What the inbox acts on, from each server kind.
    for (file, expected) in [
        ("real/mastodon/activities/follow.json", "Follow"),
        (
            "real/mastodon/activities/undo_follow.json",
            "Undo of Follow",
        ),
        (
            "real/mastodon/activities/create_note.json",
            "Create of Note",
        ),
        ("real/mastodon/activities/like_page.json", "Like"),
        (
            "real/mastodon/activities/undo_like_page.json",
            "Undo of Like",
        ),
        ("real/mastodon/activities/delete.json", "Delete"),
        ("real/pleroma/activities/follow.json", "Follow"),
        ("real/pleroma/activities/create_note.json", "Create of Note"),
        ("real/pleroma/activities/delete.json", "Delete"),
        ("real/lemmy/activities/following/follow.json", "Follow"),
        ("real/lemmy/activities/following/accept.json", "Accept"),
        (
            "real/lemmy/activities/following/undo_follow.json",
            "Undo of Follow",
        ),
        (
            "real/lemmy/activities/create_or_update/create_page.json",
            "Create of Page",
        ),
        (
            "real/lemmy/activities/create_or_update/update_page.json",
            "Update of Page",
        ),
        (
            "real/lemmy/activities/create_or_update/create_comment.json",
            "Create of Note",
        ),
        (
            "real/lemmy/activities/community/announce_create_page.json",
            "Announce of Create",
        ),
        ("real/lemmy/activities/voting/like_note.json", "Like"),
        (
            "real/lemmy/activities/voting/undo_like_note.json",
            "Undo of Like",
        ),
        ("real/lemmy/activities/deletion/delete_page.json", "Delete"),
        ("real/mbin/activities/accept.json", "Accept"),
        (
            "real/wordpress/activities/announce.json",
            "Announce of Update",
        ),
        ("real/peertube/activities/announce_video.json", "Announce"),
        (
            "real/friendica/activities/create_note.json",
            "Create of Note",
        ),
        (
            "real/friendica/activities/create_page_1.json",
            "Create of Note",
        ),
        (
            "real/friendica/activities/update_note.json",
            "Update of Note",
        ),
        ("real/friendica/activities/like_page.json", "Like"),
        ("real/friendica/activities/delete.json", "Delete"),
        (
            "real/mastodon/objects/note_1.json",
            "in a Create: Create of Note",
        ),
        (
            "real/lemmy/objects/page.json",
            "in a Create: Create of Page",
        ),
        (
            "real/wordpress/objects/page.json",
            "in a Create: Create of Article",
        ),
        ("mobilizon/event.json", "in a Create: Create of Event"),
    ] {
        assert_eq!(of(file), expected, "{file}\n{report}");
    }
    // Actors parse, with or without the optional fields.
    for actor in [
        "real/mastodon/objects/person.json",
        "real/lemmy/objects/group.json",
        "real/lemmy/objects/person.json",
        "real/pleroma/objects/person.json",
        "real/peertube/objects/group.json",
        "real/wordpress/objects/person.json",
        "real/friendica/objects/person_1.json",
    ] {
        assert_eq!(of(actor), "Actor", "{actor}\n{report}");
    }
    // Reports from Mastodon and Mbin are read with every object they name.
    assert_eq!(
        of("real/mastodon/activities/flag.json"),
        "Flag of 3 objects",
        "{report}"
    );
    assert_eq!(
        of("real/mbin/activities/flag.json"),
        "Flag of 2 objects",
        "{report}"
    );
    // What is not handled is ignored with its reason, never a panic, and
    // every refusal says why.
    assert!(
        of("real/lemmy/activities/voting/dislike_page.json").starts_with("ignored:"),
        "{report}"
    );
    for (f, v) in &table {
        if let Some(why) = v.strip_prefix("refused: ") {
            assert!(why.len() > 10, "{f} refused without a reason: {v}");
        }
    }
    eprintln!("{report}");
}
