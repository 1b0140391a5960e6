//! Generates a typed Rust S3 client from the S3 Smithy model.
//!
//! Data flows one way: Smithy JSON AST → [`model`] → [`ir`] → service patches (`customize`)
//! → tokens (`emit`) → `syn::File` → prettyplease → [`GeneratedFile`]s. Nothing here does
//! I/O; `xtask` reads the model and writes or checks the files.

mod customize;
pub mod docs;
mod emit;
pub mod ir;
pub mod model;
mod naming;

use std::fmt;

pub use emit::HEADER;
pub use ir::Selection;
pub use model::Model;

/// A file of the generated crate: its path relative to the crate root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Why generation failed: names the shape or operation at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    unsupported: bool,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            unsupported: false,
        }
    }

    /// A valid model feature the generator does not serve yet (event streams).
    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            unsupported: true,
        }
    }

    /// Whether the model is valid but uses a feature the generator does not serve yet.
    pub fn is_unsupported(&self) -> bool {
        self.unsupported
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<model::ModelError> for Error {
    fn from(e: model::ModelError) -> Self {
        Self::new(e.to_string())
    }
}

/// The protocol the generated serializers and deserializers speak.
pub const PROTOCOL: &str = "aws.protocols#restXml";

/// Generates the client crate's source files for the selected operations, sorted by path.
pub fn generate(model: &Model, selection: &Selection) -> Result<Vec<GeneratedFile>, Error> {
    check_protocol(model, &selection.service)?;
    let mut ir = ir::Ir::new(model, selection)?;
    customize::apply(&mut ir)?;
    let mut files = emit::crate_files(&ir)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Refuses a service that does not speak [`PROTOCOL`]: restXml code for another protocol would
/// compile and send requests the service cannot read.
fn check_protocol(model: &Model, service: &model::ShapeId) -> Result<(), Error> {
    let Some(shape) = model.shape(service) else {
        return Ok(()); // `Ir::new` says the service is missing.
    };
    if shape.traits.has(PROTOCOL) {
        return Ok(());
    }
    let protocols: Vec<&str> = shape
        .traits
        .ids()
        .filter(|id| id.starts_with("aws.protocols#") || id.starts_with("smithy.protocols#"))
        .collect();
    Err(Error::new(if protocols.is_empty() {
        format!("service {service} has no protocol trait; this generator implements `{PROTOCOL}`")
    } else {
        format!(
            "service {service} speaks `{}`; this generator implements only `{PROTOCOL}`",
            protocols.join("`, `")
        )
    }))
}
