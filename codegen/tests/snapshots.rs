//! Snapshots of the code generated from small fixture models, one per feature.
//!
//! Review a changed snapshot like code: `cargo insta review`.

use s3_codegen::model::{ShapeId, ShapeKind};
use s3_codegen::{generate, Model, Selection};

const SERVICE: &str = "example.fixture#Service";

fn fixture(name: &str) -> Model {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Model::from_json(&json).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file generated for the fixture's operations, each under a `// ---- path` line.
fn generated(name: &str) -> String {
    let model = fixture(name);
    let service = ShapeId::new(SERVICE);
    let ShapeKind::Service(s) = &model.shape(&service).expect("fixture service").kind else {
        panic!("{SERVICE} is not a service");
    };
    let selection = Selection {
        service: service.clone(),
        operations: s.operations.iter().map(|op| op.name().to_owned()).collect(),
    };
    let files = generate(&model, &selection).unwrap_or_else(|e| panic!("{name}: {e}"));
    files
        .iter()
        .map(|f| format!("// ---- {}\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! snapshot_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(generated(stringify!($name)));
            }
        )*
    };
}

snapshot_tests!(
    simple_types,
    enums,
    unions,
    errors,
    http_bindings,
    xml_traits,
    cursed_names,
    pagination,
);

#[test]
fn generation_is_deterministic() {
    for name in ["simple_types", "xml_traits", "cursed_names"] {
        assert_eq!(generated(name), generated(name), "{name}");
    }
}
