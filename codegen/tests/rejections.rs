//! Models the generator cannot serve are rejected with an error naming the shape.

use s3_codegen::ir::Ir;
use s3_codegen::model::ShapeId;
use s3_codegen::{generate, Model, Selection};

fn model_error(shapes: &str) -> String {
    let json = format!(r#"{{"smithy": "2.0", "shapes": {{{shapes}}}}}"#);
    Model::from_json(&json)
        .expect_err("the model must be rejected")
        .to_string()
}

#[test]
fn rejects_mixins() {
    let e = model_error(
        r#""a#M": {"type": "structure", "members": {}, "mixins": [{"target": "a#Base"}]}"#,
    );
    assert!(e.contains("a#M") && e.contains("mixins"), "{e}");
}

#[test]
fn rejects_apply_and_set() {
    let e = model_error(r#""a#S": {"type": "set", "member": {"target": "smithy.api#String"}}"#);
    assert!(e.contains("a#S") && e.contains("Smithy 1.0"), "{e}");
    let e = model_error(r#""a#X": {"type": "apply", "traits": {}}"#);
    assert!(e.contains("a#X") && e.contains("apply"), "{e}");
    let e = model_error(r#""a#Y": {"type": "gizmo"}"#);
    assert!(e.contains("a#Y") && e.contains("gizmo"), "{e}");
}

#[test]
fn rejects_smithy_1() {
    let e = Model::from_json(r#"{"smithy": "1.0", "shapes": {}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("1.0"), "{e}");
}

#[test]
fn rejects_dangling_targets_and_unknown_operations() {
    let model = Model::from_json(
        r#"{"smithy": "2.0", "shapes": {
            "a#Svc": {"type": "service", "operations": [{"target": "a#Op"}]},
            "a#Op": {"type": "operation", "input": {"target": "a#In"},
                     "traits": {"smithy.api#http": {"method": "GET", "uri": "/"}}},
            "a#In": {"type": "structure", "members": {"X": {"target": "a#Missing"}}}
        }}"#,
    )
    .unwrap();
    let select = |op: &str| Selection {
        service: ShapeId::new("a#Svc"),
        operations: vec![op.to_owned()],
    };
    let e = Ir::new(&model, &select("Op")).unwrap_err().to_string();
    assert!(e.contains("a#Missing"), "{e}");
    let e = Ir::new(&model, &select("Nope")).unwrap_err().to_string();
    assert!(e.contains("Nope"), "{e}");
}

#[test]
fn rejects_labels_without_members() {
    let model = Model::from_json(
        r#"{"smithy": "2.0", "shapes": {
            "a#Svc": {"type": "service", "operations": [{"target": "a#Op"}]},
            "a#Op": {"type": "operation", "input": {"target": "a#In"},
                     "traits": {"smithy.api#http": {"method": "GET", "uri": "/{Name}"}}},
            "a#In": {"type": "structure", "members": {}}
        }}"#,
    )
    .unwrap();
    let selection = Selection {
        service: ShapeId::new("a#Svc"),
        operations: vec!["Op".to_owned()],
    };
    let e = Ir::new(&model, &selection).unwrap_err().to_string();
    assert!(e.contains("a#Op") && e.contains("Name"), "{e}");
}

#[test]
fn rejects_services_of_other_protocols() {
    let model = |traits: &str| {
        Model::from_json(&format!(
            r#"{{"smithy": "2.0", "shapes": {{
                "a#Svc": {{"type": "service", "traits": {{{traits}}}}}
            }}}}"#
        ))
        .unwrap()
    };
    let selection = Selection {
        service: ShapeId::new("a#Svc"),
        operations: vec![],
    };
    let e = generate(&model(r#""aws.protocols#awsJson1_0": {}"#), &selection)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("aws.protocols#awsJson1_0") && e.contains("restXml"),
        "{e}"
    );
    let e = generate(&model(""), &selection).unwrap_err().to_string();
    assert!(e.contains("no protocol trait"), "{e}");
    let restxml = r#""aws.protocols#restXml": {}, "aws.auth#sigv4": {"name": "a"}"#;
    assert!(generate(&model(restxml), &selection).is_ok());
}
