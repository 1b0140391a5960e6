//! Generates a typed Rust S3 client from the S3 Smithy model.
//!
//! Data flows one way: Smithy JSON AST → [`model`] → [`ir`] → tokens (`emit`) → `syn::File` →
//! prettyplease → [`GeneratedFile`]s. Nothing here does I/O; `xtask` reads the model and writes
//! or checks the files.

mod docs;
mod emit;
