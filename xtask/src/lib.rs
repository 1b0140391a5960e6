//! `cargo xtask codegen [--check]`: regenerates the client crate from the pinned model, or checks
//! that the committed files are what generation gives.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use s3_codegen::model::ShapeId;
use s3_codegen::{GeneratedFile, Model, Selection};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_owned()
}

/// What `model/selection.json` says: where the model is, its pin, and what to generate.
pub struct Pin {
    pub model_path: PathBuf,
    pub sha256: String,
    pub source: String,
    pub selection: Selection,
}

impl Pin {
    /// Reads `model/selection.json`.
    pub fn load(root: &Path) -> Result<Self, String> {
        let path = root.join("model/selection.json");
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |pointer: &str| {
            json.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{}: missing string `{pointer}`", path.display()))
        };
        let operations = json
            .get("operations")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: missing `operations` list", path.display()))?
            .iter()
            .map(|op| {
                op.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{}: operation names are strings", path.display()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            model_path: root.join("model").join(field("/model/file")?),
            sha256: field("/model/sha256")?,
            source: field("/model/source")?,
            selection: Selection {
                service: ShapeId::new(field("/service")?),
                operations,
            },
        })
    }

    /// Reads the model, checking it is the pinned one.
    pub fn read_model(&self) -> Result<Model, String> {
        let help = format!(
            "the generator needs the S3 Smithy model at {} with sha256 {}.\nGet it from {}.",
            self.model_path.display(),
            self.sha256,
            self.source
        );
        let bytes = fs::read(&self.model_path)
            .map_err(|e| format!("cannot read the model ({e}): {help}"))?;
        let actual = hex(&Sha256::digest(&bytes));
        if actual != self.sha256 {
            return Err(format!(
                "the model's sha256 is {actual}, not the pinned one: {help}"
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| format!("the model is not UTF-8: {e}"))?;
        Model::from_json(&text).map_err(|e| e.to_string())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Write the files, or only check them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What [`ensure_files`] did: files written (or, checking, found stale or missing), found as
/// generation gives them, and removed (or found) as orphans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} written, {} unchanged, {} removed",
            self.written, self.unchanged, self.removed
        )
    }
}

/// Generates the client crate from the pinned model into (or against) `generated/`.
pub fn codegen(root: &Path, mode: Mode) -> Result<Outcome, String> {
    let pin = Pin::load(root)?;
    let model = pin.read_model()?;
    let files = s3_codegen::generate(&model, &pin.selection)
        .map_err(|e| format!("generation failed: {e}"))?;
    ensure_files(&root.join("generated"), &files, mode)
}

/// Makes the `src/` tree under `crate_dir` hold exactly `files`: writes them (removing orphans),
/// or lists every stale, missing and orphan file.
pub fn ensure_files(
    crate_dir: &Path,
    files: &[GeneratedFile],
    mode: Mode,
) -> Result<Outcome, String> {
    let mut problems = Vec::new();
    let mut outcome = Outcome::default();
    let expected: BTreeSet<PathBuf> = files.iter().map(|f| crate_dir.join(&f.path)).collect();
    for file in files {
        let path = crate_dir.join(&file.path);
        match fs::read_to_string(&path) {
            // A checkout that turned line endings into CRLF holds the same code.
            Ok(current) if current.replace("\r\n", "\n") == file.contents => {
                outcome.unchanged += 1;
                continue;
            }
            Ok(_) => problems.push(format!("stale: {}", path.display())),
            Err(_) => problems.push(format!("missing: {}", path.display())),
        }
        outcome.written += 1;
        if mode == Mode::Write {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            fs::write(&path, &file.contents).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    for path in walk(&crate_dir.join("src"))? {
        if !expected.contains(&path) {
            problems.push(format!("orphan: {}", path.display()));
            outcome.removed += 1;
            if mode == Mode::Write {
                fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    match mode {
        Mode::Check if !problems.is_empty() => Err(format!(
            "generated code is out of date; run `cargo xtask codegen`:\n  {}",
            problems.join("\n  ")
        )),
        _ => Ok(outcome),
    }
}

/// Every file below `dir`, sorted; none if it does not exist.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
