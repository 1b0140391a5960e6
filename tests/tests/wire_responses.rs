//! Responses through the real client over a real socket: each operation's output read from
//! fixtures written after the S3 API reference's "Response Syntax" and examples, with the
//! request ids kept, and S3's documented error responses dispatched to modeled or unhandled
//! errors with their code, message, ids and status. (Bad input: `wire_bad_input.rs`.)

mod wire;

use std::collections::BTreeMap;

use bytes::Bytes;
use http::HeaderValue;
use s3_client::operation::head_object::{self, HeadObjectOutput};
use s3_client::operation::list_objects_v2::{self, ListObjectsV2Output};
use s3_client::operation::{
    create_bucket::CreateBucketError, create_session::CreateSessionError,
    delete_bucket::DeleteBucketError, head_bucket::HeadBucketError,
};
use s3_client::types::{
    ArchiveStatus, Bucket, BucketLocationConstraint, ChecksumAlgorithm, ChecksumType, CommonPrefix,
    EncodingType, LocationType, Object, ObjectLockLegalHoldStatus, ObjectLockMode,
    ObjectStorageClass, Owner, ReplicationStatus, RequestCharged, RestoreStatus,
    ServerSideEncryption, StorageClass,
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

/// A ListObjectsV2 page as S3 answers `encoding-type=url` with `fetch-owner=true` (after
/// API_ListObjectsV2's Response Syntax and examples): `Delimiter`, `Prefix`, `StartAfter`, every
/// `Key` and every `CommonPrefixes/Prefix` are URL-encoded (`%XX` for UTF-8 bytes and controls,
/// `+` for a space), the continuation tokens and `Name` are not. `Contents` and `CommonPrefixes`
/// are flattened: repeated, without a wrapper; so is `ChecksumAlgorithm` inside `Contents`.
/// S3 is not consistent about escaping `/` in these, so both forms appear.
const LISTING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>amzn-s3-demo-bucket</Name>
  <Prefix>photos/2006/</Prefix>
  <Delimiter>%2F</Delimiter>
  <MaxKeys>4</MaxKeys>
  <EncodingType>url</EncodingType>
  <KeyCount>4</KeyCount>
  <IsTruncated>true</IsTruncated>
  <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
  <NextContinuationToken>1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg+Q==</NextContinuationToken>
  <StartAfter>photos%2F2006%2FJanuary%2Fsample.jpg</StartAfter>
  <Contents>
    <Key>photos/2006/caf%C3%A9+au+lait%01.jpg</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
    <ChecksumAlgorithm>SHA256</ChecksumAlgorithm>
    <ChecksumType>FULL_OBJECT</ChecksumType>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>mtd@amazon.com</DisplayName>
    </Owner>
    <RestoreStatus>
      <IsRestoreInProgress>false</IsRestoreInProgress>
      <RestoreExpiryDate>2012-12-21T00:00:00.000Z</RestoreExpiryDate>
    </RestoreStatus>
  </Contents>
  <Contents>
    <Key>photos/2006/1%2B1%3D2.txt</Key>
    <LastModified>2009-10-12T17:50:31.500Z</LastModified>
    <ETag>"599bab3ed2c697f1d26842727561fd94-3"</ETag>
    <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>
    <Size>0</Size>
    <StorageClass>GLACIER_IR</StorageClass>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>mtd@amazon.com</DisplayName>
    </Owner>
  </Contents>
  <CommonPrefixes>
    <Prefix>photos/2006/February/</Prefix>
  </CommonPrefixes>
  <CommonPrefixes>
    <Prefix>photos%2F2006%2F%C3%A9t%C3%A9+x%2By%2F</Prefix>
  </CommonPrefixes>
</ListBucketResult>"#;

/// [`LISTING`] as an output: with `raw`, the URL-encoded members as the body has them; without,
/// as `send` decodes them. Everything else is as in the body either way.
fn listing(raw: bool, encoding_type: Option<EncodingType>) -> ListObjectsV2Output {
    let pick = |encoded: &'static str, decoded: &'static str| if raw { encoded } else { decoded };
    let owner = Owner::builder()
        .id("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a")
        .display_name("mtd@amazon.com")
        .build();
    let mut builder = ListObjectsV2Output::builder()
        .name("amzn-s3-demo-bucket")
        .prefix("photos/2006/")
        .delimiter(pick("%2F", "/"))
        .max_keys(4)
        .key_count(4)
        .is_truncated(true)
        .continuation_token("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        .next_continuation_token("1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg+Q==")
        .start_after(pick(
            "photos%2F2006%2FJanuary%2Fsample.jpg",
            "photos/2006/January/sample.jpg",
        ))
        .contents(vec![
            Object::builder()
                .key(pick(
                    "photos/2006/caf%C3%A9+au+lait%01.jpg",
                    "photos/2006/café au lait\u{1}.jpg",
                ))
                .last_modified(DateTime::from_secs(1_255_369_830))
                .etag("\"fba9dede5f27731c9771645a39863328\"")
                .checksum_algorithm(vec![ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Sha256])
                .checksum_type(ChecksumType::FullObject)
                .size(434_234)
                .storage_class(ObjectStorageClass::Standard)
                .owner(owner.clone())
                .restore_status(
                    RestoreStatus::builder()
                        .is_restore_in_progress(false)
                        .restore_expiry_date(DateTime::from_secs(1_356_048_000))
                        .build(),
                )
                .build(),
            Object::builder()
                .key(pick("photos/2006/1%2B1%3D2.txt", "photos/2006/1+1=2.txt"))
                .last_modified(DateTime::from_secs_and_nanos(1_255_369_831, 500_000_000))
                .etag("\"599bab3ed2c697f1d26842727561fd94-3\"")
                .checksum_algorithm(vec![ChecksumAlgorithm::Crc64nvme])
                .size(0)
                .storage_class(ObjectStorageClass::GlacierIr)
                .owner(owner)
                .build(),
        ])
        .common_prefixes(vec![
            CommonPrefix::builder()
                .prefix("photos/2006/February/")
                .build(),
            CommonPrefix::builder()
                .prefix(pick(
                    "photos%2F2006%2F%C3%A9t%C3%A9+x%2By%2F",
                    "photos/2006/été x+y/",
                ))
                .build(),
        ]);
    if let Some(encoding_type) = encoding_type {
        builder = builder.encoding_type(encoding_type);
    }
    builder.build()
}

fn response(headers: &[(&str, HeaderValue)], body: &'static str) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(200);
    for (name, value) in headers {
        builder = builder.header(*name, value.clone());
    }
    builder.body(Bytes::from_static(body.as_bytes())).unwrap()
}

/// The deserializer alone reads the body as it is: the strings stay URL-encoded and
/// `encoding_type` says so. Decoding is `send`'s job, since only it knows whether the caller
/// asked for the encoding.
#[test]
fn list_objects_v2_output_as_deserialized() {
    let out = list_objects_v2::deserialize(&response(&[], LISTING)).unwrap();
    assert_eq!(out, listing(true, Some(EncodingType::Url)));
}

/// `send` without an encoding type: the client asked for `url`, so it decodes `%01`, `%2B`,
/// UTF-8 escapes and `+` as a space in the keys and prefixes, leaves the continuation tokens
/// (opaque, with a literal `+`) alone, and clears `encoding_type`, so the caller sees the keys
/// as stored.
#[tokio::test]
async fn list_objects_v2_output_is_url_decoded_by_send() {
    let server = CaptureServer::start(
        ok().header("x-amz-request-charged", "requester")
            .body(LISTING),
    )
    .await;
    let out = client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap();
    assert!(server.requests()[0]
        .sorted_query()
        .contains(&"encoding-type=url"));
    let expected = listing(false, None);
    assert_eq!(out.contents, expected.contents);
    assert_eq!(out.common_prefixes, expected.common_prefixes);
    assert_eq!(
        (&out.delimiter, &out.prefix, &out.start_after),
        (&expected.delimiter, &expected.prefix, &expected.start_after)
    );
    assert_eq!(out.encoding_type, None);
    assert_eq!(
        (&out.continuation_token, &out.next_continuation_token),
        (
            &expected.continuation_token,
            &expected.next_continuation_token
        )
    );
    assert_eq!(
        (&out.name, out.max_keys, out.key_count, out.is_truncated),
        (&expected.name, Some(4), Some(4), Some(true))
    );
    assert_eq!(out.request_charged, Some(RequestCharged::Requester));
    assert_eq!(out.request_id(), Some(REQUEST_ID));
    assert_eq!(out.extended_request_id(), Some(HOST_ID));
}

/// A caller who asks for `EncodingType::Url` gets the listing as S3 sent it, still encoded.
#[tokio::test]
async fn list_objects_v2_with_the_callers_encoding_is_returned_as_sent() {
    let server = CaptureServer::start(Canned::new(200).body(LISTING)).await;
    let out = client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    assert_eq!(out, listing(true, Some(EncodingType::Url)));
}

/// The paginator asks for `url` and decodes on every page, not only the first: after a page,
/// the input is as the caller left it, with the next token. The canned listing repeats its
/// next token, so the paginator stops after the second page.
#[tokio::test]
async fn every_page_of_the_list_objects_v2_paginator_is_url_decoded() {
    use futures_core::Stream;
    let server = CaptureServer::start(ok().body(LISTING)).await;
    let mut pages = client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .into_paginator();
    let mut outputs = Vec::new();
    while let Some(page) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut pages).poll_next(cx)).await
    {
        outputs.push(page.unwrap());
    }
    let expected = listing(false, None);
    assert_eq!(outputs.len(), 2);
    for out in &outputs {
        assert_eq!(out.contents, expected.contents);
        assert_eq!(out.encoding_type, None);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(request.sorted_query().contains(&"encoding-type=url"));
    }
    let token = |i: usize| {
        requests[i]
            .sorted_query()
            .into_iter()
            .find_map(|pair| pair.strip_prefix("continuation-token="))
            .map(str::to_owned)
    };
    assert_eq!(token(0), None);
    assert!(token(1)
        .is_some_and(|t| t.starts_with("1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI")));
}

/// A server that ignores `encoding-type` and does not echo `EncodingType` sent its keys as they
/// are: nothing is decoded, so a key with a literal `%` or `+` survives.
#[tokio::test]
async fn a_listing_without_encoding_type_is_not_decoded() {
    let server = CaptureServer::start(Canned::new(200).body(
        "<ListBucketResult><Prefix>100%+</Prefix>\
         <Contents><Key>100%+true.txt</Key></Contents></ListBucketResult>",
    ))
    .await;
    let out = client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(out.prefix.as_deref(), Some("100%+"));
    assert_eq!(
        out.contents.unwrap()[0].key.as_deref(),
        Some("100%+true.txt")
    );
    assert_eq!(out.encoding_type, None);
}

/// A key that claims to be URL-encoded but decodes to bytes that are not UTF-8 is a typed
/// response error naming the member, not a panic nor a lossy key.
#[tokio::test]
async fn a_url_encoded_key_that_is_not_utf8_is_a_response_error() {
    let server = CaptureServer::start(Canned::new(200).body(
        "<ListBucketResult><EncodingType>url</EncodingType>\
         <Contents><Key>caf%E9</Key></Contents></ListBucketResult>",
    ))
    .await;
    let err = client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap_err();
    let Error::Response(response) = &err else {
        panic!("expected a response error, got {err:?}");
    };
    assert!(response.to_string().contains("`key`"), "{response}");
}

/// The HeadObject headers S3 documents (API_HeadObject, Response Syntax), through `send`:
///
/// - `Last-Modified` is an HTTP date, `x-amz-object-lock-retain-until-date` an RFC 3339
///   date-time (the model's `timestampFormat`), fractions kept.
/// - `Expires` is modeled as a string, so it is kept as sent.
/// - `x-amz-meta-*` go into `metadata` by the rest of their names. Values are read leniently:
///   UTF-8 as UTF-8, and bytes that are not UTF-8 (obs-text, here Latin-1 `caf\xe9`) one
///   character per byte, since S3 passes such bytes through and failing the call would lose
///   the object's other headers.
#[tokio::test]
async fn head_object_output() {
    // No request id headers here, so that the whole output compares equal to a built one.
    let server = CaptureServer::start(
        Canned::new(200)
            .header("Last-Modified", "Mon, 12 Oct 2009 17:50:30 GMT")
            .header("Content-Length", "434234")
            .header("ETag", "\"3858f62230ac3c915f300c664312c11f-9\"")
            .header("Accept-Ranges", "bytes")
            .header("Content-Type", "text/plain; charset=utf-8")
            .header("Cache-Control", "no-cache")
            .header("Content-Disposition", "attachment; filename=\"a b.txt\"")
            .header("Content-Encoding", "gzip")
            .header("Content-Language", "en-US")
            .header("Expires", "Thu, 01 Dec 1994 16:00:00 GMT")
            .header("x-amz-meta-a", "plain")
            .header("x-amz-meta-b", b"caf\xe9")
            .header("x-amz-meta-c", "naïve")
            .header("x-amz-storage-class", "STANDARD_IA")
            .header("x-amz-server-side-encryption", "aws:kms")
            .header(
                "x-amz-server-side-encryption-aws-kms-key-id",
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd",
            )
            .header("x-amz-server-side-encryption-bucket-key-enabled", "true")
            .header("x-amz-object-lock-mode", "GOVERNANCE")
            .header(
                "x-amz-object-lock-retain-until-date",
                "2025-12-31T00:00:00.123Z",
            )
            .header("x-amz-object-lock-legal-hold", "ON")
            .header("x-amz-version-id", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
            .header("x-amz-mp-parts-count", "9")
            .header("x-amz-tagging-count", "2")
            .header("x-amz-missing-meta", "1")
            .header("x-amz-checksum-crc32", "i9aeUg==")
            .header("x-amz-checksum-type", "COMPOSITE")
            .header("x-amz-replication-status", "COMPLETED")
            .header("x-amz-archive-status", "ARCHIVE_ACCESS")
            .header(
                "x-amz-restore",
                "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"",
            )
            .header(
                "x-amz-expiration",
                "expiry-date=\"Fri, 23 Dec 2012 00:00:00 GMT\", rule-id=\"picture-deletion-rule\"",
            )
            .header("x-amz-website-redirect-location", b"/caf\xe9.html")
            .header("x-amz-request-charged", "requester"),
    )
    .await;
    let out = client(&server)
        .head_object()
        .bucket("amzn-s3-demo-bucket")
        .key("a.txt")
        .send()
        .await
        .unwrap();
    let metadata = BTreeMap::from([
        ("a".to_owned(), "plain".to_owned()),
        ("b".to_owned(), "café".to_owned()),
        ("c".to_owned(), "naïve".to_owned()),
    ]);
    let expected = HeadObjectOutput::builder()
        .last_modified(DateTime::from_secs(1_255_369_830))
        .content_length(434_234)
        .etag("\"3858f62230ac3c915f300c664312c11f-9\"")
        .accept_ranges("bytes")
        .content_type("text/plain; charset=utf-8")
        .cache_control("no-cache")
        .content_disposition("attachment; filename=\"a b.txt\"")
        .content_encoding("gzip")
        .content_language("en-US")
        .expires("Thu, 01 Dec 1994 16:00:00 GMT")
        .metadata(metadata)
        .storage_class(StorageClass::StandardIa)
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("arn:aws:kms:us-east-1:111122223333:key/1234abcd")
        .bucket_key_enabled(true)
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(DateTime::from_secs_and_nanos(1_767_139_200, 123_000_000))
        .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
        .version_id("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
        .parts_count(9)
        .tag_count(2)
        .missing_meta(1)
        .checksum_crc32("i9aeUg==")
        .checksum_type(ChecksumType::Composite)
        .replication_status(ReplicationStatus::Completed)
        .archive_status(ArchiveStatus::ArchiveAccess)
        .restore("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"")
        .expiration(
            "expiry-date=\"Fri, 23 Dec 2012 00:00:00 GMT\", rule-id=\"picture-deletion-rule\"",
        )
        .website_redirect_location("/café.html")
        .request_charged(RequestCharged::Requester)
        .build();
    assert_eq!(out, expected);
}

/// The same lenient reading in the deserializer alone, with the header built from raw bytes.
#[test]
fn head_object_metadata_that_is_not_utf8_is_read_one_char_per_byte() {
    let out = head_object::deserialize(&response(
        &[
            ("x-amz-meta-b", HeaderValue::from_bytes(b"caf\xe9").unwrap()),
            (
                "x-amz-meta-c",
                HeaderValue::from_bytes("naïve".as_bytes()).unwrap(),
            ),
            ("x-amz-meta-empty", HeaderValue::from_static("")),
        ],
        "",
    ))
    .unwrap();
    assert_eq!(
        out.metadata,
        Some(BTreeMap::from([
            ("b".to_owned(), "café".to_owned()),
            ("c".to_owned(), "naïve".to_owned()),
            ("empty".to_owned(), String::new()),
        ]))
    );
    // No `x-amz-meta-*` at all: no map.
    let out = head_object::deserialize(&response(&[], "")).unwrap();
    assert_eq!(out.metadata, None);
}

/// A header that does not parse as its member's type is a typed `ResponseError` naming the
/// header, not a panic. (`Content-Length: abc` cannot cross a real socket: hyper refuses it
/// first, so these go to the deserializer directly.)
#[test]
fn head_object_bad_headers_are_response_errors_naming_the_header() {
    let cases = [
        ("content-length", "abc"),
        ("content-length", "-"),
        ("last-modified", "yesterday"),
        // A date-time member in HTTP-date form.
        (
            "x-amz-object-lock-retain-until-date",
            "Wed, 31 Dec 2025 00:00:00 GMT",
        ),
        ("x-amz-mp-parts-count", "nine"),
        ("x-amz-server-side-encryption-bucket-key-enabled", "yes"),
    ];
    for (name, value) in cases {
        let result =
            head_object::deserialize(&response(&[(name, HeaderValue::from_static(value))], ""));
        let err: s3_runtime::error::ResponseError = result.expect_err(name);
        let message = err.to_string();
        assert!(
            message.starts_with("invalid response: ") && message.contains(&format!("`{name}`")),
            "{name}: {value}: {message}"
        );
    }
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

/// S3 documents `200 OK` with an `<Error>` body for three copy and multipart operations only
/// (none of them generated here); for ListBuckets such a body is a malformed response, read
/// once and not retried.
#[tokio::test]
async fn a_200_with_an_error_body_is_a_malformed_listing() {
    let canned = Canned::new(200)
        .header("x-amz-request-id", REQUEST_ID)
        .body(error_body(
            "InternalError",
            "We encountered an internal error. Please try again.",
        ));
    let server = CaptureServer::start(canned).await;
    let err = client(&server).list_buckets().send().await.unwrap_err();
    assert!(matches!(err, Error::Response(_)), "{err:?}");
    assert_eq!(
        (err.status(), err.request_id()),
        (Some(200), Some(REQUEST_ID))
    );
    assert!(err.to_string().contains("Error"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

/// Only the output's own lists reserve room from the rest of the body: a list inside each of
/// a thousand objects, reserving as much, would hold about the body's size a thousand times.
#[test]
fn lists_inside_items_reserve_no_room_from_the_rest_of_the_body() {
    let object = "<Contents><Key>k</Key><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
        <Size>1</Size></Contents>";
    let body = format!(
        "<ListBucketResult><Name>b</Name>{}<KeyCount>1000</KeyCount></ListBucketResult>",
        object.repeat(1000)
    );
    let response = http::Response::new(Bytes::from(body));
    let contents = list_objects_v2::deserialize(&response)
        .unwrap()
        .contents
        .unwrap();
    assert_eq!(contents.len(), 1000);
    for object in &contents {
        let algorithms = object.checksum_algorithm.as_ref().unwrap();
        assert_eq!(algorithms.len(), 1);
        assert!(algorithms.capacity() <= 4, "{}", algorithms.capacity());
    }
}
