//! S3's quirks, each a named patch with why it exists.
//!
//! Every patch checks the model still looks the way it assumes and fails generation loudly
//! otherwise, so a model update cannot silently change what a patch does.

use serde_json::Value;

use crate::ir::{Binding, Ir, PathSegment};
use crate::model::Shape;
use crate::Error;

const S3_SERVICE: &str = "com.amazonaws.s3#AmazonS3";

/// Applies every S3 patch, when the IR is S3's.
pub fn apply(ir: &mut Ir<'_>) -> Result<(), Error> {
    if ir.service.id.as_str() != S3_SERVICE {
        return Ok(());
    }
    bucket_in_endpoint(ir)?;
    check_unwrapped_outputs(ir)?;
    empty_location_constraint_is_us_east_1(ir)?;
    control_plane_signs_with_sigv4(ir)
}

/// The `{Bucket}` label is not written into the path.
///
/// S3's endpoint rules take the bucket (`smithy.rules#contextParam`) and put it in the resolved
/// endpoint: in the host (`bucket.s3.us-east-1.amazonaws.com`) or, path-style, as the endpoint's
/// path (`http://127.0.0.1:9000/bucket`). The request path is then the rest of the template,
/// appended to the endpoint's. Other SDKs do the same.
fn bucket_in_endpoint(ir: &mut Ir<'_>) -> Result<(), Error> {
    for op in &mut ir.operations {
        let Some(position) = op
            .uri
            .path
            .iter()
            .position(|s| matches!(s, PathSegment::Label { field, .. } if field == "bucket"))
        else {
            continue;
        };
        let member = op.input.members.iter().find(|m| m.field == "bucket");
        let fed_to_endpoint = member.is_some_and(|m| m.context_param == Some("Bucket"));
        if position != 0 || !fed_to_endpoint {
            return Err(Error::new(format!(
                "S3 patch `bucket_in_endpoint`: {} must have `{{Bucket}}` as the first path label, \
                 bound to a member with contextParam `Bucket`, so that the endpoint carries the bucket",
                op.id
            )));
        }
        op.uri.path.remove(0);
    }
    Ok(())
}

/// An unwrapped output's root element is its one body member, so it must have exactly one.
fn check_unwrapped_outputs(ir: &Ir<'_>) -> Result<(), Error> {
    for op in ir.operations.iter().filter(|op| op.unwrapped_output) {
        let body = op
            .output
            .members
            .iter()
            .filter(|m| m.binding == Binding::Body)
            .count();
        if body != 1 {
            return Err(Error::new(format!(
                "S3 patch `unwrapped_output`: {} has {body} body members in its output; \
                 s3UnwrappedXmlOutput needs exactly one",
                op.id
            )));
        }
    }
    Ok(())
}

/// GetBucketLocation's output XML is the member itself: `<LocationConstraint>us-west-2</…>`
/// rather than a wrapper holding a `<LocationConstraint>` element
/// (`aws.customizations#s3UnwrappedXmlOutput`).
pub fn unwrapped_output(operation: &Shape) -> bool {
    operation
        .traits
        .has("aws.customizations#s3UnwrappedXmlOutput")
}

/// GetBucketLocation answers `<LocationConstraint/>` for buckets in us-east-1, the region that
/// predates location constraints; the output says `us-east-1` instead of an empty value.
fn empty_location_constraint_is_us_east_1(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(op) = ir
        .operations
        .iter_mut()
        .find(|op| op.id.name() == "GetBucketLocation")
    else {
        return Ok(());
    };
    let member = op
        .output
        .members
        .iter_mut()
        .find(|m| m.name == "LocationConstraint" && m.binding == Binding::Body)
        .ok_or_else(|| {
            Error::new(
                "S3 patch `empty_location_constraint_is_us_east_1`: GetBucketLocation's output \
                 no longer has a LocationConstraint body member",
            )
        })?;
    member.empty_value = Some("us-east-1");
    Ok(())
}

/// Operations the rules route to the S3 Express control plane (`UseS3ExpressControlEndpoint`)
/// sign with plain SigV4: sessions are for data-plane requests to zonal endpoints.
///
/// The model's endpoint BDD answers session auth for a control-plane call with a custom
/// endpoint and no bucket (ListDirectoryBuckets against a local server) unless
/// `DisableS3ExpressSessionAuth` is set, where AWS SDKs sign with SigV4; setting the parameter
/// for these operations, as CreateSession's own static parameters do, gives that answer.
fn control_plane_signs_with_sigv4(ir: &mut Ir<'_>) -> Result<(), Error> {
    static TRUE: Value = Value::Bool(true);
    const CONTROL: &str = "UseS3ExpressControlEndpoint";
    const DISABLE: &str = "DisableS3ExpressSessionAuth";
    if !ir.service.endpoint_params.iter().any(|p| p.name == DISABLE) {
        return Err(Error::new(format!(
            "S3 patch `control_plane_signs_with_sigv4`: the endpoint rules have no `{DISABLE}` parameter"
        )));
    }
    for op in &mut ir.operations {
        let params = &mut op.static_context_params;
        let control_plane = params
            .iter()
            .any(|(name, value)| *name == CONTROL && **value == TRUE);
        if control_plane && !params.iter().any(|(name, _)| *name == DISABLE) {
            params.push((DISABLE, &TRUE));
        }
    }
    Ok(())
}
