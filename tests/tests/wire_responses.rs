//! Responses through the real client over a real socket: each operation's output read from
//! fixtures written after the S3 API reference's "Response Syntax" and examples, with the
//! request ids kept, and S3's documented error responses dispatched to modeled or unhandled
//! errors with their code, message, ids and status. (Bad input: `wire_bad_input.rs`.)

mod wire;

use s3_client::operation::{
    create_bucket::CreateBucketError, create_session::CreateSessionError,
    delete_bucket::DeleteBucketError, head_bucket::HeadBucketError,
};
use s3_client::types::{
    Bucket, BucketLocationConstraint, LocationType, Owner, ServerSideEncryption,
};
use s3_client::Error;
use s3_runtime::time::DateTime;
use s3_tests::capture::{Canned, CaptureServer};
use wire::client;

const REQUEST_ID: &str = "4442587FB7D0A2F9";
const HOST_ID: &str =
    "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";

/// A canned 200 with S3's request id headers.
fn ok() -> Canned {
    Canned::new(200)
        .header("x-amz-request-id", REQUEST_ID)
        .header("x-amz-id-2", HOST_ID)
}

/// An S3 error body in the documented form.
fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>{REQUEST_ID}</RequestId>\
         <HostId>{HOST_ID}</HostId></Error>"
    )
}

/// An S3 error response: the documented body and S3's request id headers.
fn s3_error(status: u16, code: &str, message: &str) -> Canned {
    Canned::new(status)
        .header("x-amz-request-id", REQUEST_ID)
        .header("x-amz-id-2", HOST_ID)
        .header("content-type", "application/xml")
        .body(error_body(code, message))
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// The reference's ListBuckets response: owner, a continuation token, the prefix echoed back,
/// and buckets with their region and ARN. The second date uses the `+00:00` offset of the
/// reference's example, which Smithy clients must accept.
#[tokio::test]
async fn list_buckets_output() {
    let server = CaptureServer::start(ok().body(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner>
    <DisplayName>Account+Name</DisplayName>
    <ID>AIDACKCEVSQ6C2EXAMPLE</ID>
  </Owner>
  <Buckets>
    <Bucket>
      <Name>amzn-s3-demo-bucket</Name>
      <CreationDate>2019-12-11T23:32:47.123Z</CreationDate>
      <BucketRegion>us-east-1</BucketRegion>
      <BucketArn>arn:aws:s3:::amzn-s3-demo-bucket</BucketArn>
    </Bucket>
    <Bucket>
      <BucketRegion>eu-west-1</BucketRegion>
      <CreationDate>2019-11-10T23:32:13+00:00</CreationDate>
      <Name>amzn-s3-demo-bucket1</Name>
    </Bucket>
  </Buckets>
  <ContinuationToken>eyJNYXJrZXIiOm51bGx9</ContinuationToken>
  <Prefix>amzn</Prefix>
</ListAllMyBucketsResult>"#,
    ))
    .await;
    let out = client(&server).list_buckets().send().await.unwrap();
    assert_eq!(
        out.owner,
        Some(
            Owner::builder()
                .display_name("Account+Name")
                .id("AIDACKCEVSQ6C2EXAMPLE")
                .build()
        )
    );
    assert_eq!(
        out.buckets,
        Some(vec![
            Bucket::builder()
                .name("amzn-s3-demo-bucket")
                .creation_date(DateTime::from_secs_and_nanos(1_576_107_167, 123_000_000))
                .bucket_region("us-east-1")
                .bucket_arn("arn:aws:s3:::amzn-s3-demo-bucket")
                .build(),
            Bucket::builder()
                .name("amzn-s3-demo-bucket1")
                .creation_date(DateTime::from_secs(1_573_428_733))
                .bucket_region("eu-west-1")
                .build(),
        ])
    );
    assert_eq!(
        out.continuation_token.as_deref(),
        Some("eyJNYXJrZXIiOm51bGx9")
    );
    assert_eq!(out.prefix.as_deref(), Some("amzn"));
    assert_eq!(out.request_id(), Some(REQUEST_ID));
    assert_eq!(out.extended_request_id(), Some(HOST_ID));
}

#[tokio::test]
async fn list_directory_buckets_output() {
    let server = CaptureServer::start(ok().body(
        r#"<ListAllMyDirectoryBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Buckets>
    <Bucket>
      <Name>amzn-s3-demo-bucket--usw2-az1--x-s3</Name>
      <CreationDate>2024-11-05T10:20:30.000Z</CreationDate>
      <BucketRegion>us-west-2</BucketRegion>
    </Bucket>
  </Buckets>
  <ContinuationToken>next-page</ContinuationToken>
</ListAllMyDirectoryBucketsResult>"#,
    ))
    .await;
    let config = wire::config(&server)
        .disable_s3_express_session_auth(true)
        .build();
    let out = s3_client::Client::new(&config)
        .list_directory_buckets()
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.buckets,
        Some(vec![Bucket::builder()
            .name("amzn-s3-demo-bucket--usw2-az1--x-s3")
            .creation_date(DateTime::from_secs(1_730_802_030))
            .bucket_region("us-west-2")
            .build()])
    );
    assert_eq!(out.continuation_token.as_deref(), Some("next-page"));
    assert_eq!(out.request_id(), Some(REQUEST_ID));
}

/// CreateSession: credentials with their expiration from the body, encryption settings from
/// headers.
#[tokio::test]
async fn create_session_output() {
    let server = CaptureServer::start(
        ok().header("x-amz-server-side-encryption", "aws:kms")
            .header(
                "x-amz-server-side-encryption-aws-kms-key-id",
                "arn:aws:kms:key/1",
            )
            .header("x-amz-server-side-encryption-context", "eyJrIjoidiJ9")
            .header("x-amz-server-side-encryption-bucket-key-enabled", "true")
            .body(
                "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <Credentials>\
                 <SessionToken>TYPICAL-SESSION-TOKEN</SessionToken>\
                 <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>\
                 <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\
                 <Expiration>2024-11-05T10:25:30.500Z</Expiration>\
                 </Credentials></CreateSessionResult>",
            ),
    )
    .await;
    let out = client(&server)
        .create_session()
        .bucket("amzn-s3-demo-bucket--usw2-az1--x-s3")
        .send()
        .await
        .unwrap();
    let credentials = &out.credentials;
    assert_eq!(credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(
        credentials.secret_access_key,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    assert_eq!(credentials.session_token, "TYPICAL-SESSION-TOKEN");
    assert_eq!(
        credentials.expiration,
        DateTime::from_secs_and_nanos(1_730_802_330, 500_000_000)
    );
    assert_eq!(
        out.server_side_encryption,
        Some(ServerSideEncryption::AwsKms)
    );
    assert_eq!(out.ssekms_key_id.as_deref(), Some("arn:aws:kms:key/1"));
    assert_eq!(
        out.ssekms_encryption_context.as_deref(),
        Some("eyJrIjoidiJ9")
    );
    assert_eq!(out.bucket_key_enabled, Some(true));
    assert_eq!(out.request_id(), Some(REQUEST_ID));
}

/// GetBucketLocation answers a region, `EU` (the legacy name of eu-west-1), or nothing for
/// us-east-1, which the client reports as `us-east-1`.
#[tokio::test]
async fn get_bucket_location_output() {
    let ns = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;
    let cases = [
        (
            format!("<LocationConstraint {ns}>us-west-2</LocationConstraint>"),
            BucketLocationConstraint::UsWest2,
        ),
        (
            format!("<LocationConstraint {ns}>EU</LocationConstraint>"),
            BucketLocationConstraint::Eu,
        ),
        // The model's enum has no us-east-1 (S3 never names it), so it is the unknown value
        // `us-east-1`.
        (
            format!("<LocationConstraint {ns}/>"),
            BucketLocationConstraint::from("us-east-1"),
        ),
        (
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <LocationConstraint {ns}></LocationConstraint>"
            ),
            BucketLocationConstraint::from("us-east-1"),
        ),
    ];
    for (body, expected) in cases {
        let server = CaptureServer::start(ok().body(body.clone())).await;
        let out = client(&server)
            .get_bucket_location()
            .bucket("amzn-s3-demo-bucket")
            .send()
            .await
            .unwrap();
        assert_eq!(out.location_constraint, Some(expected), "{body}");
        assert_eq!(out.request_id(), Some(REQUEST_ID));
    }
}

#[tokio::test]
async fn create_bucket_output() {
    let server = CaptureServer::start(
        ok().header("Location", "/amzn-s3-demo-bucket")
            .header("x-amz-bucket-arn", "arn:aws:s3:::amzn-s3-demo-bucket"),
    )
    .await;
    let out = client(&server)
        .create_bucket()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(out.location.as_deref(), Some("/amzn-s3-demo-bucket"));
    assert_eq!(
        out.bucket_arn.as_deref(),
        Some("arn:aws:s3:::amzn-s3-demo-bucket")
    );
    assert_eq!(out.request_id(), Some(REQUEST_ID));
    assert_eq!(out.extended_request_id(), Some(HOST_ID));
}

#[tokio::test]
async fn head_bucket_output() {
    let server = CaptureServer::start(
        ok().header(
            "x-amz-bucket-arn",
            "arn:aws:s3express:us-west-2:111122223333:bucket/b--usw2-az1--x-s3",
        )
        .header("x-amz-bucket-location-type", "AvailabilityZone")
        .header("x-amz-bucket-location-name", "usw2-az1")
        .header("x-amz-bucket-region", "us-west-2")
        .header("x-amz-access-point-alias", "false"),
    )
    .await;
    // A directory bucket: signed with plain SigV4 (see wire_requests.rs).
    let config = wire::config(&server)
        .disable_s3_express_session_auth(true)
        .build();
    let out = s3_client::Client::new(&config)
        .head_bucket()
        .bucket("b--usw2-az1--x-s3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.bucket_arn.as_deref(),
        Some("arn:aws:s3express:us-west-2:111122223333:bucket/b--usw2-az1--x-s3")
    );
    assert_eq!(
        out.bucket_location_type,
        Some(LocationType::AvailabilityZone)
    );
    assert_eq!(out.bucket_location_name.as_deref(), Some("usw2-az1"));
    assert_eq!(out.bucket_region.as_deref(), Some("us-west-2"));
    assert_eq!(out.access_point_alias, Some(false));
    assert_eq!(out.request_id(), Some(REQUEST_ID));
}

#[tokio::test]
async fn delete_bucket_output() {
    let server = CaptureServer::start(
        Canned::new(204)
            .header("x-amz-request-id", REQUEST_ID)
            .header("x-amz-id-2", HOST_ID),
    )
    .await;
    let out = client(&server)
        .delete_bucket()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(out.request_id(), Some(REQUEST_ID));
    assert_eq!(out.extended_request_id(), Some(HOST_ID));
}

// ---------------------------------------------------------------------------------------------
// Errors

/// An unmodeled error: code, message, ids and status reach the caller, and `Display` says it
/// all in one line.
#[tokio::test]
async fn no_such_bucket_on_delete_is_unhandled_with_its_details() {
    let server = CaptureServer::start(s3_error(
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    ))
    .await;
    let err = client(&server)
        .delete_bucket()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "service error: NoSuchBucket (status 404): The specified bucket does not exist \
         (request id 4442587FB7D0A2F9)"
    );
    let Error::Service(service) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    let DeleteBucketError::Unhandled(unhandled) = service.error() else {
        panic!("expected Unhandled, got {:?}", service.error());
    };
    assert_eq!(unhandled.code(), Some("NoSuchBucket"));
    assert_eq!(
        unhandled.message(),
        Some("The specified bucket does not exist")
    );
    assert_eq!(unhandled.request_id(), Some(REQUEST_ID));
    assert_eq!(unhandled.extended_request_id(), Some(HOST_ID));
    assert_eq!(unhandled.status(), 404);
    assert_eq!(
        (err.code(), err.status(), err.request_id()),
        (Some("NoSuchBucket"), Some(404), Some(REQUEST_ID))
    );
    assert_eq!(service.meta().extended_request_id(), Some(HOST_ID));
}

/// NoSuchBucket is modeled on CreateSession.
#[tokio::test]
async fn no_such_bucket_on_create_session_is_modeled() {
    let server = CaptureServer::start(s3_error(
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    ))
    .await;
    let err = client(&server)
        .create_session()
        .bucket("gone--usw2-az1--x-s3")
        .send()
        .await
        .unwrap_err();
    let Some(CreateSessionError::NoSuchBucket(_)) = err.as_service_error() else {
        panic!("expected NoSuchBucket, got {err:?}");
    };
    assert_eq!(err.message(), Some("The specified bucket does not exist"));
}

#[tokio::test]
async fn create_bucket_conflicts_are_modeled() {
    for (code, message) in [
        (
            "BucketAlreadyExists",
            "The requested bucket name is not available.",
        ),
        (
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        ),
    ] {
        let server = CaptureServer::start(s3_error(409, code, message)).await;
        let err = client(&server)
            .create_bucket()
            .bucket("amzn-s3-demo-bucket")
            .send()
            .await
            .unwrap_err();
        let modeled = match err.as_service_error() {
            Some(CreateBucketError::BucketAlreadyExists(_)) => "BucketAlreadyExists",
            Some(CreateBucketError::BucketAlreadyOwnedByYou(_)) => "BucketAlreadyOwnedByYou",
            _ => panic!("expected a modeled conflict, got {err:?}"),
        };
        assert_eq!(modeled, code);
        assert_eq!(
            (err.code(), err.message(), err.status()),
            (Some(code), Some(message), Some(409))
        );
    }
}

/// Errors no operation models, and S3's extra elements in them (SignatureDoesNotMatch carries
/// the string to sign) are skipped.
#[tokio::test]
async fn access_denied_and_signature_mismatch_are_unhandled() {
    let server = CaptureServer::start(s3_error(403, "AccessDenied", "Access Denied")).await;
    let err = client(&server).list_buckets().send().await.unwrap_err();
    assert_eq!(
        (err.code(), err.message(), err.status()),
        (Some("AccessDenied"), Some("Access Denied"), Some(403))
    );

    let server = CaptureServer::start(Canned::new(403).body(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\
             <Code>SignatureDoesNotMatch</Code>\
             <Message>The request signature we calculated does not match the signature you \
             provided. Check your key and signing method.</Message>\
             <AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId>\
             <StringToSign>AWS4-HMAC-SHA256\n20130524T000000Z\n...</StringToSign>\
             <SignatureProvided>abc</SignatureProvided>\
             <StringToSignBytes>41 57 53</StringToSignBytes>\
             <CanonicalRequest>GET\n/\n...</CanonicalRequest>\
             <RequestId>BODY-REQUEST-ID</RequestId><HostId>BODY-HOST-ID</HostId></Error>",
    ))
    .await;
    let err = client(&server).list_buckets().send().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert!(err.message().unwrap().starts_with("The request signature"));
    // Without request id headers, the body's ids stand in.
    assert_eq!(err.request_id(), Some("BODY-REQUEST-ID"));
    assert_eq!(err.extended_request_id(), Some("BODY-HOST-ID"));
}

/// HEAD responses have no body: the status alone says what went wrong.
#[tokio::test]
async fn head_bucket_errors_come_from_the_status() {
    let server =
        CaptureServer::start(Canned::new(404).header("x-amz-request-id", REQUEST_ID)).await;
    let err = client(&server)
        .head_bucket()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err.as_service_error(), Some(HeadBucketError::NotFound(_))),
        "{err:?}"
    );
    assert_eq!(
        (err.code(), err.status(), err.request_id()),
        (Some("NotFound"), Some(404), Some(REQUEST_ID))
    );

    for (status, code) in [(403, "Forbidden"), (301, "PermanentRedirect")] {
        let server =
            CaptureServer::start(Canned::new(status).header("x-amz-bucket-region", "eu-west-1"))
                .await;
        let err = client(&server)
            .head_bucket()
            .bucket("amzn-s3-demo-bucket")
            .send()
            .await
            .unwrap_err();
        let Some(HeadBucketError::Unhandled(unhandled)) = err.as_service_error() else {
            panic!("expected Unhandled for {status}, got {err:?}");
        };
        assert_eq!(
            (unhandled.code(), unhandled.status(), unhandled.message()),
            (Some(code), status, None)
        );
        // A redirect is not followed: one request.
        assert_eq!(server.requests().len(), 1);
    }
}

/// S3 can fail after sending `200 OK`; the `<Error>` body makes it an error all the same.
#[tokio::test]
async fn a_200_with_an_error_body_is_an_error() {
    let canned = Canned::new(200)
        .header("x-amz-request-id", REQUEST_ID)
        .body(error_body(
            "InternalError",
            "We encountered an internal error. Please try again.",
        ));
    let server = CaptureServer::start(canned).await;
    let err = client(&server).list_buckets().send().await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(
        (err.code(), err.status(), err.request_id()),
        (Some("InternalError"), Some(200), Some(REQUEST_ID))
    );
}
