//! Behaviour of the generated types: builders that name the missing required member, enums that
//! keep unknown values and never misfile known ones, and `Debug` that never shows a secret.

use s3_client::operation::create_bucket::CreateBucketInput;
use s3_client::operation::create_session::{CreateSessionInput, CreateSessionOutput};
use s3_client::operation::delete_bucket::DeleteBucketInput;
use s3_client::operation::get_bucket_location::GetBucketLocationInput;
use s3_client::operation::head_bucket::HeadBucketInput;
use s3_client::types::{
    BucketCannedAcl, BucketLocationConstraint, BucketNamespace, BucketType, DataRedundancy,
    LocationType, ObjectOwnership, ServerSideEncryption, SessionCredentials, SessionMode, Tag,
};
use s3_client::{Client, Config, Error};
use s3_runtime::error::BuildError;
use s3_runtime::time::DateTime;

/// Asserts that `err` says `member` of `shape` is missing, by accessor and in its message.
fn assert_missing(err: BuildError, shape: &str, member: &str) {
    assert!(err.is_missing_member(), "{err:?}");
    assert_eq!(err.member(), Some(member));
    assert_eq!(
        err.to_string(),
        format!("missing required member `{member}` of `{shape}`")
    );
}

#[test]
fn a_missing_required_member_is_named() {
    assert_missing(
        CreateBucketInput::builder().build().unwrap_err(),
        "CreateBucketInput",
        "bucket",
    );
    assert_missing(
        DeleteBucketInput::builder().build().unwrap_err(),
        "DeleteBucketInput",
        "bucket",
    );
    assert_missing(
        HeadBucketInput::builder().build().unwrap_err(),
        "HeadBucketInput",
        "bucket",
    );
    assert_missing(
        GetBucketLocationInput::builder().build().unwrap_err(),
        "GetBucketLocationInput",
        "bucket",
    );
    assert_missing(
        CreateSessionInput::builder()
            .session_mode(SessionMode::ReadOnly)
            .build()
            .unwrap_err(),
        "CreateSessionInput",
        "bucket",
    );
    assert_missing(Tag::builder().key("k").build().unwrap_err(), "Tag", "value");
    assert_missing(
        CreateSessionOutput::builder().build().unwrap_err(),
        "CreateSessionOutput",
        "credentials",
    );
    // With every required member set, the builder succeeds and keeps the values.
    let input = CreateBucketInput::builder()
        .bucket("b")
        .acl(BucketCannedAcl::Private)
        .build()
        .unwrap();
    assert_eq!(
        (input.bucket.as_str(), input.acl),
        ("b", Some(BucketCannedAcl::Private))
    );
}

/// Through the client, the missing member is a build error and nothing is sent (the client has
/// no endpoint or credentials to send with).
#[tokio::test]
async fn the_client_reports_a_missing_member_as_a_build_error() {
    let client = Client::new(&Config::builder().build());
    let err = client.create_bucket().send().await.unwrap_err();
    let Error::Build(build) = &err else {
        panic!("expected a build error, got {err:?}");
    };
    assert_eq!(build.member(), Some("bucket"));
    assert_eq!(
        err.to_string(),
        "missing required member `bucket` of `CreateBucketInput`"
    );
    assert_eq!((err.code(), err.status()), (None, None));
}

#[test]
fn an_unknown_enum_value_round_trips() {
    let acl = BucketCannedAcl::from("brand-new");
    assert!(matches!(acl, BucketCannedAcl::Unknown(_)), "{acl:?}");
    assert_eq!(acl.as_str(), "brand-new");
    assert_eq!(acl.to_string(), "brand-new");
    assert_eq!("brand-new".parse::<BucketCannedAcl>().unwrap(), acl);
    assert_eq!(BucketCannedAcl::from(acl.as_str()), acl);
    // Wire values are case-sensitive: a known value in other case is unknown.
    assert!(matches!(
        BucketCannedAcl::from("PRIVATE"),
        BucketCannedAcl::Unknown(_)
    ));
}

/// For every enum: each listed value maps to a known variant with that exact text, and the
/// values are distinct.
#[test]
fn known_enum_values_never_land_in_unknown() {
    macro_rules! check {
        ($($enum:ident),* $(,)?) => {$(
            let values = $enum::values();
            assert!(!values.is_empty(), stringify!($enum));
            for value in values {
                let known = $enum::from(*value);
                assert!(!matches!(known, $enum::Unknown(_)), "{}: {value}", stringify!($enum));
                assert_eq!(known.as_str(), *value);
                assert_eq!(known.to_string(), *value);
                assert_eq!(value.parse::<$enum>().unwrap(), known);
            }
            let mut distinct = values.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), values.len(), stringify!($enum));
        )*};
    }
    check!(
        BucketCannedAcl,
        BucketLocationConstraint,
        BucketNamespace,
        BucketType,
        DataRedundancy,
        LocationType,
        ObjectOwnership,
        ServerSideEncryption,
        SessionMode,
    );
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
const KMS_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/secret-key-id";
const KMS_CONTEXT: &str = "eyJzZWNyZXQiOiJjb250ZXh0In0=";

fn assert_redacted(debug: &str) {
    for secret in [SECRET, TOKEN, KMS_KEY, KMS_CONTEXT] {
        assert!(!debug.contains(secret), "{secret} shown in {debug}");
    }
}

/// Secrets and `@sensitive` members never show in `Debug`, plain or pretty, while the rest
/// does.
#[test]
fn debug_never_shows_a_secret() {
    let credentials = SessionCredentials::builder()
        .access_key_id("ASIAIOSFODNN7EXAMPLE")
        .secret_access_key(SECRET)
        .session_token(TOKEN)
        .expiration(DateTime::from_secs(1_700_000_000));
    assert_redacted(&format!("{credentials:?}"));
    let credentials = credentials.build().unwrap();
    let output = CreateSessionOutput::builder()
        .credentials(credentials.clone())
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id(KMS_KEY)
        .ssekms_encryption_context(KMS_CONTEXT)
        .bucket_key_enabled(true);
    assert_redacted(&format!("{output:?}"));
    let output = output.build().unwrap();
    for debug in [
        format!("{credentials:?}"),
        format!("{credentials:#?}"),
        format!("{output:?}"),
        format!("{output:#?}"),
    ] {
        assert_redacted(&debug);
        assert!(debug.contains("ASIAIOSFODNN7EXAMPLE"), "{debug}");
    }
    assert!(format!("{output:?}").contains("AwsKms"));

    let input = CreateSessionInput::builder()
        .bucket("b--usw2-az1--x-s3")
        .ssekms_key_id(KMS_KEY)
        .ssekms_encryption_context(KMS_CONTEXT);
    assert_redacted(&format!("{input:?}"));
    let input = input.build().unwrap();
    assert_redacted(&format!("{input:#?}"));
    assert!(format!("{input:?}").contains("b--usw2-az1--x-s3"));
    // Nor in the serialized request, whose headers carry them.
    let request = s3_client::operation::create_session::serialize(&input).unwrap();
    for debug in [format!("{request:?}"), format!("{request:#?}")] {
        assert_redacted(&debug);
        assert!(debug.contains("Sensitive"), "{debug}");
    }
    let header = &request.headers["x-amz-server-side-encryption-aws-kms-key-id"];
    assert_eq!(header.to_str().unwrap(), KMS_KEY, "sent as it is");
    // The values are still there to use.
    assert_eq!(input.ssekms_key_id.as_deref(), Some(KMS_KEY));
    assert_eq!(output.credentials.secret_access_key, SECRET);
}

/// Every error a caller can hold is a thread-safe `std::error::Error` that can be boxed.
#[test]
fn errors_are_send_sync_static() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    use s3_client::operation::*;
    is_error::<Error<create_bucket::CreateBucketError>>();
    is_error::<Error<delete_bucket::DeleteBucketError>>();
    is_error::<Error<head_bucket::HeadBucketError>>();
    is_error::<Error<list_buckets::ListBucketsError>>();
    is_error::<Error<list_directory_buckets::ListDirectoryBucketsError>>();
    is_error::<Error<get_bucket_location::GetBucketLocationError>>();
    is_error::<Error<create_session::CreateSessionError>>();
}
