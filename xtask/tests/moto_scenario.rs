//! Generality gate: adding operations to a selection is all it takes. A client generated for
//! [`OPERATIONS`] (not the committed selection) runs a scenario against moto that calls each of
//! them and checks what it returns, using nothing but the generated API.
//!
//! The client and the scenario (`tests/scenario/scenario.rs`) go to a scratch workspace under
//! the target directory and are run with one `cargo run`. Its target directory is its own:
//! `compile_generated`'s would share next to nothing (that one is a `cargo check`, metadata
//! only, with the default profile), and a test runner that runs both at once would have one
//! cargo wait for the other's lock.

use std::path::PathBuf;
use std::process::Command;

use s3_codegen::{generate, GeneratedFile, Selection};
use xtask::{ensure_files, repo_root, Mode, Pin};

/// What the scenario calls: buckets, objects, tagging, versioning, lifecycle, CORS, policy, ACL
/// and multipart upload, each served by moto.
const OPERATIONS: &[&str] = &[
    "CreateBucket",
    "HeadBucket",
    "ListBuckets",
    "GetBucketLocation",
    "GetBucketAcl",
    "PutBucketTagging",
    "GetBucketTagging",
    "DeleteBucketTagging",
    "PutBucketVersioning",
    "GetBucketVersioning",
    "PutBucketLifecycleConfiguration",
    "GetBucketLifecycleConfiguration",
    "DeleteBucketLifecycle",
    "PutBucketCors",
    "GetBucketCors",
    "DeleteBucketCors",
    "PutBucketPolicy",
    "GetBucketPolicy",
    "DeleteBucketPolicy",
    "PutObject",
    "HeadObject",
    "GetObject",
    "CopyObject",
    "PutObjectTagging",
    "GetObjectTagging",
    "DeleteObjectTagging",
    "ListObjectsV2",
    "CreateMultipartUpload",
    "UploadPart",
    "ListParts",
    "ListMultipartUploads",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "DeleteObject",
    "ListObjectVersions",
    "DeleteObjects",
    "DeleteBucket",
];

/// The moto server's connection details, as `.ci/test` exports them; passed on to the scenario.
const MOTO_VARS: [&str; 4] = [
    "S3_TEST_MOTO_ENDPOINT",
    "S3_TEST_MOTO_ACCESS_KEY_ID",
    "S3_TEST_MOTO_SECRET_ACCESS_KEY",
    "S3_TEST_MOTO_REGION",
];

/// A file of the scratch workspace (written only when it changed, so warm runs rebuild nothing).
fn file(path: &str, contents: impl Into<String>) -> GeneratedFile {
    GeneratedFile {
        path: path.to_owned(),
        contents: contents.into(),
    }
}

#[test]
fn scenario_runs_against_moto() {
    let env: Vec<(&str, String)> = MOTO_VARS
        .iter()
        .map(|&key| match std::env::var(key) {
            Ok(value) => (key, value),
            Err(_) => panic!(
                "{key} is not set: run this test with `.ci/test`, which starts moto and sets it"
            ),
        })
        .collect();

    let root = repo_root();
    let pin = Pin::load(&root).unwrap();
    let model = pin.read_model().unwrap_or_else(|e| panic!("{e}"));
    let selection = Selection {
        service: pin.selection.service.clone(),
        operations: OPERATIONS.iter().map(|&op| op.to_owned()).collect(),
    };
    let client = generate(&model, &selection).unwrap_or_else(|e| panic!("{e}"));

    let scratch = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("moto-scenario");
    let workspace = scratch.join("workspace");
    let write = |dir: &str, files: &[GeneratedFile]| {
        ensure_files(&workspace.join(dir), files, Mode::Write).unwrap();
    };
    // The repository's profile: less debug info halves the build's size and saves a fifth of
    // its time.
    write(
        "",
        &[file(
            "Cargo.toml",
            r#"[workspace]
resolver = "2"
members = ["s3-client", "scenario"]

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
"#,
        )],
    );
    let runtime = root.join("runtime");
    let client_manifest = format!(
        r#"[package]
name = "s3-client"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
bytes = "1"
futures-core = "0.3"
http = "1"
s3-runtime = {{ path = "{}" }}
"#,
        runtime.display()
    );
    write(
        "s3-client",
        &[&client[..], &[file("Cargo.toml", client_manifest)]].concat(),
    );
    let scenario_manifest = format!(
        r#"[package]
name = "scenario"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
s3-client = {{ path = "../s3-client" }}
s3-runtime = {{ path = "{}" }}
tokio = {{ version = "1", features = ["rt", "macros"] }}
"#,
        runtime.display()
    );
    write(
        "scenario",
        &[
            file("Cargo.toml", scenario_manifest),
            file("src/main.rs", include_str!("scenario/scenario.rs")),
        ],
    );
    // The repository's lock file pins the same dependency versions the real crate builds with.
    std::fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();

    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--offline", "--quiet", "-p", "scenario"])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .envs(env)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the scenario failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    println!("{stdout}");
}
