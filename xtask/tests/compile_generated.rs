//! Generality gate: code generated for the whole model (every operation of the service, not just
//! the selection) and for every fixture model compiles with warnings denied.
//!
//! The crates go to a scratch workspace under the target directory and get one `cargo check`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use s3_codegen::ir::Ir;
use s3_codegen::model::ShapeId;
use s3_codegen::{generate, Model, Selection};
use xtask::{ensure_files, repo_root, Mode, Pin};

/// A crate at `dir` with every operation of `service` the generator serves, depending on the
/// runtime like `generated/` does; returns the messages naming the operations it does not serve.
fn write_crate(dir: &Path, name: &str, model: &Model, service: ShapeId) -> Vec<String> {
    let (operations, unsupported) = Ir::supported_operations(model, &service).unwrap();
    let selection = Selection {
        service,
        operations,
    };
    let files = generate(model, &selection).unwrap_or_else(|e| panic!("{name}: {e}"));
    let root = repo_root();
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
bytes = "1"
futures-core = "0.3"
http = "1"
s3-runtime = {{ path = "{}" }}

[lints.rust]
warnings = "deny"
"#,
        root.join("runtime").display()
    );
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    ensure_files(dir, &files, Mode::Write).unwrap();
    unsupported
}

fn scratch_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("generated-check")
}

#[test]
fn whole_model_and_fixtures_compile() {
    let root = repo_root();
    let scratch = scratch_dir();
    let workspace = scratch.join("workspace");
    let mut members = vec!["whole-model".to_owned()];

    let pin = Pin::load(&root).unwrap();
    let model = pin.read_model().unwrap_or_else(|e| panic!("{e}"));
    let unsupported = write_crate(
        &workspace.join("whole-model"),
        "whole-model",
        &model,
        pin.selection.service.clone(),
    );
    // Event streams are not served yet: exactly this operation is left out, and says why.
    assert_eq!(
        unsupported,
        ["operation SelectObjectContent is not supported yet: \
          com.amazonaws.s3#SelectObjectContentOutput$Payload is an event stream \
          (com.amazonaws.s3#SelectObjectContentEventStream)"]
    );

    let fixtures = root.join("codegen/tests/fixtures");
    let mut names: Vec<_> = fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for path in names {
        let name = format!(
            "fixture-{}",
            path.file_stem()
                .unwrap()
                .to_string_lossy()
                .replace('_', "-")
        );
        let model = Model::from_json(&fs::read_to_string(&path).unwrap()).unwrap();
        let unsupported = write_crate(
            &workspace.join(&name),
            &name,
            &model,
            ShapeId::new("example.fixture#Service"),
        );
        assert!(unsupported.is_empty(), "{name}: {unsupported:?}");
        members.push(name);
    }
    let members: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    fs::write(
        workspace.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    // The repository's lock file pins the same dependency versions the real crate builds with.
    fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();

    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
        ])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "generated code does not compile cleanly:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
