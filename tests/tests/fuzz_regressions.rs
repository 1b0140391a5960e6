//! Replays the fuzz targets' committed inputs on the stable toolchain: every file under
//! `fuzz/corpus/<target>/` (the seeds) and `fuzz/regressions/<target>/` (minimised crashes,
//! kept once fixed) goes through the same harness the libFuzzer binaries run
//! (`fuzz/harness.rs`, imported here by path), so CI catches a regression without nightly or
//! libFuzzer. Each input runs on its own thread with a time limit, so a hang fails the test
//! instead of stalling CI; every failing input is listed, not just the first.

#[path = "../../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Far more than any committed input takes in a debug build (milliseconds); the fuzzers run
/// with `-timeout=10`.
const TIME_LIMIT: Duration = Duration::from_secs(20);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none if the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read a fuzz input folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Why `run` failed on `data`, if it did: its panic message, or that it ran out of time.
fn failure(run: fn(&[u8]), data: Vec<u8>) -> Option<String> {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| run(&data));
        harness::remove_profile_files();
        let _ = done.send(outcome.err().map(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic without a message".to_owned())
        }));
    });
    match finished.recv_timeout(TIME_LIMIT) {
        Ok(outcome) => outcome,
        Err(_) => Some(format!("still running after {TIME_LIMIT:?} (a hang?)")),
    }
}

/// Runs every corpus and regression input of `target`; fails listing those that panic or hang.
fn replay(target: &str) {
    let (_, run) = harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target `{target}` in fuzz/harness.rs"));
    let corpus = inputs("corpus", target);
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{target}/ has no seed inputs"
    );
    let regressions = inputs("regressions", target);
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("read a fuzz input");
        if let Some(why) = failure(*run, data) {
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs of `{target}` fail:\n{}",
        failures.len(),
        corpus.len() + regressions.len(),
        failures.join("\n")
    );
}

#[test]
fn deserialize_responses() {
    replay("deserialize_responses");
}

#[test]
fn endpoint_resolver() {
    replay("endpoint_resolver");
}

#[test]
fn profile_parser() {
    replay("profile_parser");
}

#[test]
fn sigv4_canonical() {
    replay("sigv4_canonical");
}

#[test]
fn xml_reader() {
    replay("xml_reader");
}

/// Every folder of inputs belongs to a target this file replays, so none is silently skipped.
#[test]
fn every_input_folder_names_a_target() {
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("read fuzz/{kind}: {e}"));
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                harness::TARGETS.iter().any(|(target, _)| *target == name),
                "fuzz/{kind}/{name} is not a fuzz target in fuzz/harness.rs"
            );
        }
    }
}
