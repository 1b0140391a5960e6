//! S3's quirks, each a named patch with why it exists.
//!
//! Every patch checks the model still looks the way it assumes and fails generation loudly
//! otherwise, so a model update cannot silently change what a patch does.

use serde_json::Value;

use crate::ir::{
    Binding, BucketRegion, DecodedString, Ir, MemberIr, NamedKind, PathSegment, RegionDefault,
    RegionMember, RuntimeRules, RustType, SessionAuth, StructureIr, TypeDef, UrlEncodedResponse,
};
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
    control_plane_signs_with_sigv4(ir)?;
    head_bucket_signs_with_iam_credentials(ir)?;
    session_auth_env_var(ir)?;
    express_sessions_from_create_session(ir)?;
    list_keys_url_encoded(ir)?;
    errors_in_200_responses(ir)?;
    user_metadata_as_encoded_words(ir)?;
    bucket_region_from_head_bucket(ir)?;
    location_constraint_as_region(ir)?;
    create_bucket_in_the_client_region(ir)?;
    list_objects_v2_items(ir)?;
    runtime_rules(ir)
}

/// HeadBucket answers with the bucket's region in `x-amz-bucket-region`, also when it refuses
/// the request (`301` to another region, `400`, `403`): `Client::bucket_region` sends it and
/// reads the region from either answer, so finding a bucket's region needs neither the right
/// region nor the right to read the bucket.
fn bucket_region_from_head_bucket(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(op) = ir.operations.iter().find(|op| op.id.name() == "HeadBucket") else {
        return Ok(());
    };
    let fail =
        |what: &str| Error::new(format!("S3 patch `bucket_region_from_head_bucket`: {what}"));
    let bucket = member(&op.input, "Bucket")
        .filter(|m| m.required && m.ty == RustType::String)
        .ok_or_else(|| fail("HeadBucket has no required string `Bucket`"))?;
    let region = member(&op.output, "BucketRegion")
        .filter(|m| {
            m.optional()
                && m.ty == RustType::String
                && matches!(&m.binding, Binding::Header(h) if h.eq_ignore_ascii_case("x-amz-bucket-region"))
        })
        .ok_or_else(|| fail("HeadBucket's output has no optional `x-amz-bucket-region` header"))?;
    ir.service.bucket_region = Some(BucketRegion {
        operation: op.name.clone(),
        module: op.module.clone(),
        bucket: bucket.field.clone(),
        region: region.field.clone(),
    });
    Ok(())
}

/// GetBucketLocation names a region as a location constraint: none for us-east-1 (which is not
/// a constraint value, so it reads `Unknown("us-east-1")`, see
/// `empty_location_constraint_is_us_east_1`) and the legacy `EU` for eu-west-1. The output's
/// `region()` gives the region in every case, without the caller matching either.
fn location_constraint_as_region(ir: &mut Ir<'_>) -> Result<(), Error> {
    const EU: (&str, &str) = ("EU", "eu-west-1");
    let Some(index) = ir
        .operations
        .iter()
        .position(|op| op.id.name() == "GetBucketLocation")
    else {
        return Ok(());
    };
    let fail = |what: &str| Error::new(format!("S3 patch `location_constraint_as_region`: {what}"));
    let op = &ir.operations[index];
    let constraint = member(&op.output, "LocationConstraint")
        .filter(|m| m.optional())
        .ok_or_else(|| fail("GetBucketLocation's output has no optional `LocationConstraint`"))?;
    let RustType::Named {
        name,
        kind: NamedKind::Enum,
    } = &constraint.ty
    else {
        return Err(fail("`LocationConstraint` is not an enum"));
    };
    let values = enum_values(ir, name).ok_or_else(|| fail("`LocationConstraint` has no enum"))?;
    if !values.contains(&EU.0) || values.contains(&"us-east-1") {
        return Err(fail(
            "the constraints no longer hold `EU` and leave out `us-east-1`",
        ));
    }
    let field = constraint.field.clone();
    ir.operations[index].output_region = Some(RegionMember {
        field,
        absent: "us-east-1",
        aliases: &[EU],
    });
    Ok(())
}

/// Outside us-east-1, S3 refuses a CreateBucket without a `LocationConstraint` naming the
/// region the request goes to (`IllegalLocationConstraintException`), and us-east-1 refuses
/// one naming itself. When the caller sets no constraint and no directory bucket's `Location`
/// or `Bucket`, the client sets it to its region outside us-east-1, as the AWS CLI does; a value
/// the caller set is sent as it is.
fn create_bucket_in_the_client_region(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(index) = ir
        .operations
        .iter()
        .position(|op| op.id.name() == "CreateBucket")
    else {
        return Ok(());
    };
    let fail = |what: &str| {
        Error::new(format!(
            "S3 patch `create_bucket_in_the_client_region`: {what}"
        ))
    };
    let configuration = member(&ir.operations[index].input, "CreateBucketConfiguration")
        .filter(|m| m.optional() && matches!(m.binding, Binding::Payload(_)))
        .ok_or_else(|| fail("CreateBucket has no optional `CreateBucketConfiguration` payload"))?;
    let RustType::Named {
        name: container_type,
        kind: NamedKind::Structure,
    } = &configuration.ty
    else {
        return Err(fail("`CreateBucketConfiguration` is not a structure"));
    };
    let structure = structure(ir, container_type)
        .ok_or_else(|| fail("`CreateBucketConfiguration` has no structure"))?;
    if !structure.members.iter().all(MemberIr::optional) {
        return Err(fail(
            "the configuration has required members: it cannot start empty",
        ));
    }
    let constraint = member(structure, "LocationConstraint")
        .ok_or_else(|| fail("the configuration has no `LocationConstraint`"))?;
    let RustType::Named {
        name: enum_type,
        kind: NamedKind::Enum,
    } = &constraint.ty
    else {
        return Err(fail("`LocationConstraint` is not an enum"));
    };
    let unless = ["Location", "Bucket"]
        .iter()
        .map(|name| {
            member(structure, name)
                .map(|m| m.field.clone())
                .ok_or_else(|| fail(&format!("the configuration has no `{name}`")))
        })
        .collect::<Result<_, _>>()?;
    let default = RegionDefault {
        container: configuration.field.clone(),
        container_type: container_type.clone(),
        field: constraint.field.clone(),
        enum_type: enum_type.clone(),
        unless,
        implied: "us-east-1",
    };
    ir.operations[index].region_default = Some(default);
    Ok(())
}

/// S3 returns non-ASCII user metadata (`x-amz-meta-*`) as RFC 2047 encoded words
/// (`=?UTF-8?B?…?=`), and the servers that take raw UTF-8 header bytes disagree on how they
/// sign them; so metadata values that are not ASCII go out as encoded words too, and encoded
/// words that come back are decoded.
fn user_metadata_as_encoded_words(ir: &mut Ir<'_>) -> Result<(), Error> {
    const PREFIX: &str = "x-amz-meta-";
    let mut found = false;
    for op in &mut ir.operations {
        for m in op
            .input
            .members
            .iter_mut()
            .chain(op.output.members.iter_mut())
        {
            if matches!(&m.binding, Binding::PrefixHeaders(p) if p.eq_ignore_ascii_case(PREFIX)) {
                if !matches!(&m.ty, RustType::Map(map) if map.value == RustType::String) {
                    return Err(Error::new(format!(
                        "S3 patch `user_metadata_as_encoded_words`: {}${} is not a map of strings",
                        op.name, m.name
                    )));
                }
                m.encoded_words = true;
                found = true;
            }
        }
    }
    let selects_metadata = ir
        .operations
        .iter()
        .any(|op| ["PutObject", "HeadObject", "GetObject"].contains(&op.id.name()));
    if selects_metadata && !found {
        return Err(Error::new(
            "S3 patch `user_metadata_as_encoded_words`: no `x-amz-meta-` prefix headers found",
        ));
    }
    Ok(())
}

/// What S3 asks of the runtime:
/// - SigV4 as S3 signs it: the path is taken literally (`a//b/../c` is a key), encoded once, and
///   `x-amz-content-sha256` carries the payload hash;
/// - error responses without a body (every HEAD error) mean a code by their status, which
///   the modeled `NotFound` of HeadBucket and HeadObject relies on;
/// - `Content-Length` on every PUT and POST, `0` included, or S3 answers `411 Length Required`.
fn runtime_rules(ir: &mut Ir<'_>) -> Result<(), Error> {
    if ir.service.signing_name.is_some_and(|name| name != "s3") {
        return Err(Error::new(format!(
            "S3 patch `runtime_rules`: the service signs as {:?}, not `s3`",
            ir.service.signing_name
        )));
    }
    ir.service.runtime_rules = RuntimeRules {
        s3_signing: true,
        status_codes: vec![
            (301, "PermanentRedirect"),
            (304, "NotModified"),
            (400, "BadRequest"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (412, "PreconditionFailed"),
        ],
        content_length_on_put_and_post: true,
    };
    Ok(())
}

/// S3 may answer CopyObject, CompleteMultipartUpload and UploadPartCopy with `200 OK` and then,
/// when the copy or assembly fails, an `<Error>` body (the S3 API reference documents it for
/// these three only). For every other operation a 200 body is data: an object whose content is
/// an `<Error>` document is an object.
fn errors_in_200_responses(ir: &mut Ir<'_>) -> Result<(), Error> {
    const DOCUMENTED: [&str; 3] = ["CopyObject", "CompleteMultipartUpload", "UploadPartCopy"];
    for op in ir
        .operations
        .iter_mut()
        .filter(|op| DOCUMENTED.contains(&op.id.name()))
    {
        if op.output.members.iter().any(|m| {
            matches!(
                m.binding,
                Binding::Payload(crate::ir::PayloadKind::Blob { .. })
            )
        }) {
            return Err(Error::new(format!(
                "S3 patch `errors_in_200_responses`: {} has a blob payload, whose body would be \
                 data, not an error document",
                op.id
            )));
        }
        op.error_in_success = true;
    }
    Ok(())
}

/// The `{Bucket}` label is not written into the path.
///
/// S3's endpoint rules take the bucket (`smithy.rules#contextParam`) and put it in the resolved
/// endpoint: in the host (`bucket.s3.us-east-1.amazonaws.com`) or, path-style, as the endpoint's
/// path (`http://127.0.0.1:9000/bucket`). The request path is then the rest of the template,
/// appended to the endpoint's. Other SDKs do the same. The bucket is still checked as a label:
/// empty, `.` or `..`, it would address the service root or another path.
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
        op.endpoint_labels.push("bucket".to_owned());
    }
    Ok(())
}

/// An unwrapped output's root element is its one body member, so it must have exactly one:
/// GetBucketLocation's output XML is the member itself, `<LocationConstraint>us-west-2</…>`,
/// rather than a wrapper holding a `<LocationConstraint>` element
/// (`aws.customizations#s3UnwrappedXmlOutput`).
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
    const CONTROL: &str = "UseS3ExpressControlEndpoint";
    const DISABLE: &str = DISABLE_SESSION_AUTH;
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

const DISABLE_SESSION_AUTH: &str = "DisableS3ExpressSessionAuth";

/// The `true` that patches fix endpoint parameters to.
static TRUE: Value = Value::Bool(true);

/// HeadBucket on a directory bucket signs with plain SigV4 and the base credentials, never a
/// session: the S3 API reference says "You must use IAM credentials to authenticate and authorize
/// your access to the `HeadBucket` API operation, instead of using the temporary security
/// credentials through the `CreateSession` API operation". The model's rules would answer session
/// auth for it; fixing `DisableS3ExpressSessionAuth`, as CreateSession's own static parameters
/// do, answers SigV4 with the `s3express` signing name.
fn head_bucket_signs_with_iam_credentials(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(op) = ir
        .operations
        .iter_mut()
        .find(|op| op.id.name() == "HeadBucket")
    else {
        return Ok(());
    };
    if op
        .static_context_params
        .iter()
        .any(|(name, _)| *name == DISABLE_SESSION_AUTH)
    {
        return Err(Error::new(format!(
            "S3 patch `head_bucket_signs_with_iam_credentials`: HeadBucket already fixes \
             `{DISABLE_SESSION_AUTH}`; the patch is no longer needed"
        )));
    }
    op.static_context_params.push((DISABLE_SESSION_AUTH, &TRUE));
    Ok(())
}

/// `AWS_S3_DISABLE_EXPRESS_SESSION_AUTH=true` turns session auth off, as in the AWS SDKs and CLI.
fn session_auth_env_var(ir: &mut Ir<'_>) -> Result<(), Error> {
    let param = ir
        .service
        .endpoint_params
        .iter_mut()
        .find(|p| p.name == DISABLE_SESSION_AUTH && p.setting.is_some())
        .ok_or_else(|| {
            Error::new(format!(
                "S3 patch `session_auth_env_var`: the endpoint rules have no client setting \
                 `{DISABLE_SESSION_AUTH}`"
            ))
        })?;
    param.env_var = Some("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH");
    Ok(())
}

/// Requests the endpoint rules sign with `sigv4-s3express` use the credentials of a session
/// that CreateSession returns for their bucket (S3 Express One Zone). No trait ties the auth
/// scheme to the operation, so this patch does: when CreateSession is selected, the client
/// calls it to fill its session cache.
fn express_sessions_from_create_session(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(op) = ir
        .operations
        .iter()
        .find(|op| op.id.name() == "CreateSession")
    else {
        return Ok(());
    };
    let fail = |what: &str| {
        Error::new(format!(
            "S3 patch `express_sessions_from_create_session`: CreateSession {what}"
        ))
    };
    // Else CreateSession would need a session to sign itself, and wait for itself.
    let signs_with_sigv4 = op
        .static_context_params
        .iter()
        .any(|(name, value)| *name == DISABLE_SESSION_AUTH && **value == TRUE);
    if !signs_with_sigv4 {
        return Err(fail(&format!(
            "no longer fixes `{DISABLE_SESSION_AUTH}` to true, so it would be session-signed"
        )));
    }
    let scope = member(&op.input, "Bucket")
        .filter(|m| m.required && m.ty == RustType::String && m.context_param == Some("Bucket"))
        .ok_or_else(|| fail("has no required string `Bucket` feeding the `Bucket` parameter"))?;
    let mode = member(&op.input, "SessionMode")
        .filter(|m| m.optional())
        .ok_or_else(|| fail("has no optional `SessionMode`"))?;
    let RustType::Named {
        name: mode_type,
        kind: NamedKind::Enum,
    } = &mode.ty
    else {
        return Err(fail("`SessionMode` is not an enum"));
    };
    let credentials = member(&op.output, "Credentials")
        .filter(|m| m.required)
        .ok_or_else(|| fail("output has no required `Credentials`"))?;
    let RustType::Named {
        name: credentials_type,
        kind: NamedKind::Structure,
    } = &credentials.ty
    else {
        return Err(fail("`Credentials` is not a structure"));
    };
    let structure =
        structure(ir, credentials_type).ok_or_else(|| fail("`Credentials` has no structure"))?;
    let field = |name: &str, ty: RustType| {
        member(structure, name)
            .filter(|m| m.required && m.ty == ty)
            .map(|m| m.field.clone())
            .ok_or_else(|| fail(&format!("credentials have no required {ty:?} `{name}`")))
    };
    let session_auth = SessionAuth {
        operation: op.module.clone(),
        scope: scope.field.clone(),
        mode: mode.field.clone(),
        mode_type: mode_type.clone(),
        credentials: credentials.field.clone(),
        credential_fields: [
            field("AccessKeyId", RustType::String)?,
            field("SecretAccessKey", RustType::String)?,
            field("SessionToken", RustType::String)?,
            field("Expiration", RustType::Timestamp)?,
        ],
    };
    if !ir
        .service
        .endpoint_params
        .iter()
        .any(|p| p.field == session_auth.scope)
    {
        return Err(fail("`Bucket` has no endpoint parameter of that name"));
    }
    ir.service.session_auth = Some(session_auth);
    Ok(())
}

/// Object keys may hold characters XML 1.0 cannot carry (most control characters): a listing
/// with one is a malformed document. When the caller does not choose an `EncodingType`, the
/// client asks for `url`, in which S3 percent-encodes the keys and the other strings the API
/// reference lists for each operation, and decodes them, as botocore does; a caller who sets
/// `EncodingType` gets what S3 sent.
fn list_keys_url_encoded(ir: &mut Ir<'_>) -> Result<(), Error> {
    /// The strings S3 encodes in one operation's response: top-level members, and a member of
    /// each item of a list, from the API reference's description of `EncodingType`.
    struct Encoded {
        operation: &'static str,
        strings: &'static [&'static str],
        in_lists: &'static [(&'static str, &'static str)],
    }
    const ENCODED: &[Encoded] = &[
        Encoded {
            operation: "ListObjects",
            strings: &["Delimiter", "Marker", "NextMarker", "Prefix"],
            in_lists: &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        },
        Encoded {
            operation: "ListObjectsV2",
            strings: &["Delimiter", "Prefix", "StartAfter"],
            in_lists: &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        },
        Encoded {
            operation: "ListObjectVersions",
            strings: &["Delimiter", "KeyMarker", "NextKeyMarker", "Prefix"],
            in_lists: &[
                ("Versions", "Key"),
                ("DeleteMarkers", "Key"),
                ("CommonPrefixes", "Prefix"),
            ],
        },
    ];
    for encoded in ENCODED {
        let name = encoded.operation;
        let Some(index) = ir.operations.iter().position(|op| op.id.name() == name) else {
            continue;
        };
        let op = &ir.operations[index];
        let fail =
            |what: String| Error::new(format!("S3 patch `list_keys_url_encoded`: {name} {what}"));
        let (member_field, enum_type) = encoding_type(&op.input)
            .ok_or_else(|| fail("has no optional `EncodingType` enum query member".into()))?;
        let (echo, _) = encoding_type(&op.output)
            .ok_or_else(|| fail("output has no optional `EncodingType` enum".into()))?;
        let mut decoded = Vec::new();
        for string in encoded.strings {
            decoded.push(DecodedString::Member(
                optional_string(&op.output, string)
                    .ok_or_else(|| fail(format!("output has no optional string `{string}`")))?,
            ));
        }
        for (list, string) in encoded.in_lists {
            let (list_field, item) = optional_structure_list(&op.output, list)
                .ok_or_else(|| fail(format!("output has no optional list `{list}`")))?;
            let item = structure(ir, &item)
                .ok_or_else(|| fail(format!("`{list}` items are not structures")))?;
            let member = optional_string(item, string).ok_or_else(|| {
                fail(format!("`{list}` items have no optional string `{string}`"))
            })?;
            decoded.push(DecodedString::InList {
                list: list_field,
                member,
            });
        }
        ir.operations[index].url_encoded_response = Some(UrlEncodedResponse {
            member: member_field,
            enum_type,
            value: "url",
            echo,
            decoded,
        });
    }
    Ok(())
}

/// ListObjectsV2 is the listing users page through most, yet its `paginated` trait names no
/// items: a page has two lists, the objects (`Contents`) and, with a delimiter, the common
/// prefixes (`CommonPrefixes`). The items are the objects, what a listing is mostly read for;
/// the common prefixes are read from the pages (`into_items`' documentation says so).
fn list_objects_v2_items(ir: &mut Ir<'_>) -> Result<(), Error> {
    let Some(op) = ir
        .operations
        .iter_mut()
        .find(|op| op.id.name() == "ListObjectsV2")
    else {
        return Ok(());
    };
    let fail = |what: &str| {
        Error::new(format!(
            "S3 patch `list_objects_v2_items`: ListObjectsV2 {what}"
        ))
    };
    let (contents, _) = optional_structure_list(&op.output, "Contents")
        .ok_or_else(|| fail("output has no optional list `Contents`"))?;
    let pagination = op
        .pagination
        .as_mut()
        .ok_or_else(|| fail("is no longer paginated"))?;
    if pagination.items.is_some() {
        return Err(fail(
            "names its paginated items now: the patch is not needed",
        ));
    }
    pagination.items = Some(contents);
    Ok(())
}

fn member<'a, 'm>(s: &'a StructureIr<'m>, name: &str) -> Option<&'a MemberIr<'m>> {
    s.members.iter().find(|m| m.name == name)
}

/// The wire values of the enum `name`.
fn enum_values<'a>(ir: &'a Ir<'_>, name: &str) -> Option<Vec<&'a str>> {
    ir.types.iter().find_map(|t| match t {
        TypeDef::Enum(e) if e.name == name => {
            Some(e.variants.iter().map(|v| v.value.as_str()).collect())
        }
        _ => None,
    })
}

fn structure<'a, 'm>(ir: &'a Ir<'m>, name: &str) -> Option<&'a StructureIr<'m>> {
    ir.types.iter().find_map(|t| match t {
        TypeDef::Structure(s) if s.name == name => Some(s),
        _ => None,
    })
}

/// The `EncodingType` member's field and enum type, when it is an optional enum.
fn encoding_type(s: &StructureIr<'_>) -> Option<(String, String)> {
    let m = member(s, "EncodingType").filter(|m| m.optional())?;
    match &m.ty {
        RustType::Named {
            name,
            kind: NamedKind::Enum,
        } => Some((m.field.clone(), name.clone())),
        _ => None,
    }
}

fn optional_string(s: &StructureIr<'_>, name: &str) -> Option<String> {
    member(s, name)
        .filter(|m| m.optional() && m.ty == RustType::String)
        .map(|m| m.field.clone())
}

/// An optional list of structures: its field and the item type.
fn optional_structure_list(s: &StructureIr<'_>, name: &str) -> Option<(String, String)> {
    let m = member(s, name).filter(|m| m.optional())?;
    match &m.ty {
        RustType::List(list) => match &list.item {
            RustType::Named {
                name,
                kind: NamedKind::Structure,
            } => Some((m.field.clone(), name.clone())),
            _ => None,
        },
        _ => None,
    }
}
