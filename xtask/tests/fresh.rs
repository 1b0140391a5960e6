//! The committed `generated/` is exactly what `cargo xtask codegen` produces, and the check
//! catches every way it can drift.

use std::fs;
use std::path::PathBuf;

use s3_codegen::GeneratedFile;
use xtask::{ensure_files, repo_root, Mode};

#[test]
fn generated_code_is_fresh() {
    if let Err(e) = xtask::codegen(&repo_root(), Mode::Check) {
        panic!("{e}");
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s3-fresh-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_check_reports_edited_missing_and_orphan_files() {
    let dir = scratch("drift");
    let files = [
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: "pub mod a;\n".into(),
        },
        GeneratedFile {
            path: "src/a.rs".into(),
            contents: "pub struct A;\n".into(),
        },
    ];
    let written = ensure_files(&dir, &files, Mode::Write).unwrap();
    assert_eq!(
        (written.written, written.unchanged, written.removed),
        (2, 0, 0)
    );
    let checked = ensure_files(&dir, &files, Mode::Check).unwrap();
    assert_eq!(
        (checked.written, checked.unchanged, checked.removed),
        (0, 2, 0)
    );

    fs::write(dir.join("src/lib.rs"), "pub mod a; // edited\n").unwrap();
    fs::remove_file(dir.join("src/a.rs")).unwrap();
    fs::write(dir.join("src/extra.rs"), "").unwrap();
    let report = ensure_files(&dir, &files, Mode::Check).unwrap_err();
    for expected in [
        "stale: ",
        "lib.rs",
        "missing: ",
        "a.rs",
        "orphan: ",
        "extra.rs",
    ] {
        assert!(report.contains(expected), "{report}");
    }

    // Writing repairs all three.
    let repaired = ensure_files(&dir, &files, Mode::Write).unwrap();
    assert_eq!(repaired.to_string(), "2 written, 0 unchanged, 1 removed");
    ensure_files(&dir, &files, Mode::Check).unwrap();
    assert!(!dir.join("src/extra.rs").exists());
    fs::remove_dir_all(&dir).unwrap();
}
