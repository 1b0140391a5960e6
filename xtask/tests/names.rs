//! Snapshot of every Rust name the real selection gets: shape id → Rust name, member id → field.
//!
//! A naming change shows up here as a reviewable diff.

use s3_codegen::ir::{Ir, StructureIr, TypeDef};
use xtask::{repo_root, Pin};

fn structure_lines(out: &mut Vec<String>, s: &StructureIr<'_>, kind: &str) {
    out.push(format!("{} -> {kind} {}", s.id, s.name));
    for m in &s.members {
        let rust = if kind == "union" {
            &m.variant
        } else {
            &m.field
        };
        out.push(format!("{}${} -> {rust}", s.id, m.name));
    }
}

#[test]
fn rust_names_of_the_selection() {
    let pin = Pin::load(&repo_root()).unwrap();
    let model = pin.read_model().unwrap_or_else(|e| panic!("{e}"));
    let ir = Ir::new(&model, &pin.selection).unwrap();
    let mut lines = Vec::new();
    for op in &ir.operations {
        lines.push(format!(
            "{} -> operation::{} (client.{}())",
            op.id, op.module, op.module
        ));
        structure_lines(&mut lines, &op.input, "struct");
        structure_lines(&mut lines, &op.output, "struct");
    }
    for def in &ir.types {
        match def {
            TypeDef::Structure(s) => structure_lines(&mut lines, s, "struct"),
            TypeDef::Union(u) => structure_lines(&mut lines, u, "union"),
            TypeDef::Enum(e) => {
                lines.push(format!("{} -> enum {}", e.id, e.name));
                lines.extend(
                    e.variants
                        .iter()
                        .map(|v| format!("{}${} -> {}", e.id, v.value, v.name)),
                );
            }
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}
