//! Every documentation string of the pinned model converts to Markdown rustdoc renders without
//! warnings: the generated crate's `cargo doc` covers the selection, this covers the rest.

use s3_codegen::docs::{check, to_rustdoc};
use xtask::{repo_root, Pin};

#[test]
fn every_model_doc_string_converts_to_clean_markdown() {
    let pin = Pin::load(&repo_root()).unwrap();
    let model = pin.read_model().unwrap_or_else(|e| panic!("{e}"));
    let docs: Vec<&str> = model
        .shapes()
        .flat_map(|shape| {
            let members = shape.members().iter().map(|m| &m.traits);
            std::iter::once(&shape.traits).chain(members)
        })
        .filter_map(|traits| traits.documentation())
        .collect();
    assert!(docs.len() > 1000, "only {} doc strings found", docs.len());
    let failures: Vec<String> = docs
        .iter()
        .filter_map(|html| {
            let markdown = to_rustdoc(html);
            check(&markdown).err().map(|e| format!("{e}\n{markdown}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures, first:\n{}",
        failures.len(),
        failures[0]
    );
}
