//! Golden requests: each operation with every member set, sent by the real client over a real
//! socket to a capture server, and compared with what the S3 API reference's "Request Syntax"
//! says goes on the wire. The S3 model ships no protocol tests; these stand in for them.
//!
//! The expected values are written by hand from the reference, not copied from our output. Where
//! the reference leaves a choice open, the comment says which one we expect and why:
//!
//! - The query's order carries no meaning (SigV4 and S3 sort it), so pairs are compared sorted.
//!   The model's URIs add `x-id=<Operation>` to ListBuckets and ListDirectoryBuckets, as every
//!   AWS SDK sends; the reference's syntax leaves it out.
//! - The reference's bodies start with an XML declaration; it is optional and the SDKs do not
//!   send one. Elements follow the model's member order (the reference lists `Location`'s `Name`
//!   before `Type`; S3 reads them in any order).
//! - With a fixed clock and credentials, `x-amz-date`, `x-amz-content-sha256` and the
//!   `SignedHeaders` list are known; the signature itself covers `Host`, whose port is random,
//!   so only its form is checked.
//! - With `force_path_style` and a custom endpoint, the endpoint rules put the bucket in the URL
//!   path (`/bucket`): the serialized request has no bucket in it at all (the S3
//!   customization), so the path checks the rules and the serializer together.

mod wire;

use s3_client::types::{
    BucketCannedAcl, BucketInfo, BucketLocationConstraint, BucketNamespace, BucketType,
    ChecksumMode, CreateBucketConfiguration, DataRedundancy, EncodingType, LocationInfo,
    LocationType, ObjectOwnership, OptionalObjectAttributes, RequestPayer, ServerSideEncryption,
    SessionMode, Tag,
};
use s3_client::Error;
use s3_runtime::time::DateTime;
use s3_tests::capture::{Canned, CaptureServer};
use wire::{client, ACCESS_KEY_ID, AMZ_DATE, REGION};

/// SHA-256 of an empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request as the reference says it goes on the wire.
struct Golden<'a> {
    method: &'a str,
    path: &'a str,
    /// `key=value` pairs as sent (percent-encoded), sorted.
    query: &'a [&'a str],
    /// Every header but `host` and `authorization`.
    headers: &'a [(&'a str, &'a str)],
    /// The `SignedHeaders` of the `authorization` header.
    signed_headers: &'a str,
    /// The signing name in the credential scope: `s3`, or `s3express` for directory buckets.
    service: &'a str,
    body: &'a [u8],
}

/// The unsigned headers every request carries about the client and the attempt.
const REQUEST_METADATA: [&str; 4] = [
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "user-agent",
    "x-amz-user-agent",
];

/// The request-metadata headers of the only attempt of a call: the client's name and version,
/// a UUID v4 naming the call, and the attempt's number out of the most the client makes (the
/// wire tests' clients make one).
fn assert_request_metadata(request: &s3_tests::capture::Captured) {
    let agent = request.header("user-agent");
    let expected = format!(
        "s3-client/{} s3-runtime/{} os/{} lang/rust",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    assert_eq!(agent, expected);
    assert_eq!(request.header("x-amz-user-agent"), agent);
    let id = request.header("amz-sdk-invocation-id");
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    assert!(
        id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(&id[14..15], "4", "version of {id}");
    assert!("89ab".contains(&id[19..20]), "variant of {id}");
    assert_eq!(request.header("amz-sdk-request"), "attempt=1; max=1");
}

/// Asserts that `server` received exactly one request, and that it is `golden`: method, path,
/// query, exactly the expected headers with the expected values, the signature's form, and the
/// body's bytes.
fn assert_golden(server: &CaptureServer, golden: &Golden<'_>) {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), golden.method);
    assert_eq!(request.path(), golden.path);
    assert_eq!(request.sorted_query(), golden.query);
    let mut sent: Vec<&str> = request.headers.keys().map(|name| name.as_str()).collect();
    sent.sort_unstable();
    let mut expected: Vec<&str> = golden.headers.iter().map(|(name, _)| *name).collect();
    expected.extend(["authorization", "host"]);
    expected.extend(REQUEST_METADATA);
    expected.sort_unstable();
    assert_eq!(sent, expected, "header names");
    for (name, value) in golden.headers {
        assert_eq!(request.header(name), *value, "header `{name}`");
    }
    assert_request_metadata(request);
    assert_eq!(request.header("host"), server.host());
    let authorization = request.header("authorization");
    let (scope, signature) = authorization
        .rsplit_once(", Signature=")
        .unwrap_or_else(|| panic!("no signature in {authorization}"));
    assert_eq!(
        scope,
        format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/20130524/{REGION}/{}/aws4_request, \
             SignedHeaders={}",
            golden.service, golden.signed_headers
        )
    );
    assert!(
        signature.len() == 64
            && signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "signature {signature:?} is not 64 lowercase hex digits"
    );
    assert_eq!(
        request.body,
        golden.body,
        "body:\n{}",
        String::from_utf8_lossy(&request.body)
    );
}

/// PUT / with the ACL headers, Object Lock, ownership, namespace and the full
/// CreateBucketConfiguration (API_CreateBucket, Request Syntax).
#[tokio::test]
async fn create_bucket_with_every_member() {
    let server = CaptureServer::start(
        Canned::new(200)
            .header("Location", "/amzn-s3-demo-bucket")
            .header("x-amz-request-id", "236A8905248E5A01"),
    )
    .await;
    let configuration = CreateBucketConfiguration::builder()
        .location_constraint(BucketLocationConstraint::UsWest2)
        .location(
            LocationInfo::builder()
                .r#type(LocationType::AvailabilityZone)
                .name("usw2-az1")
                .build(),
        )
        .bucket(
            BucketInfo::builder()
                .data_redundancy(DataRedundancy::SingleAvailabilityZone)
                .r#type(BucketType::Directory)
                .build(),
        )
        .tags(vec![
            Tag::builder()
                .key("équipe")
                .value("cost<100&team=ops")
                .build()
                .unwrap(),
            Tag::builder().key("env").value("prod").build().unwrap(),
        ])
        .build();
    let output = client(&server)
        .create_bucket()
        .bucket("amzn-s3-demo-bucket")
        .acl(BucketCannedAcl::PublicRead)
        .grant_full_control(r#"id="111122223333", id="444455556666""#)
        .grant_read(r#"uri="http://acs.amazonaws.com/groups/global/AllUsers""#)
        .grant_read_acp(r#"emailAddress="xyz@example.com""#)
        .grant_write(r#"id="111122223333""#)
        .grant_write_acp(r#"id="444455556666""#)
        .object_lock_enabled_for_bucket(true)
        .object_ownership(ObjectOwnership::BucketOwnerPreferred)
        .bucket_namespace(BucketNamespace::AccountRegional)
        .create_bucket_configuration(configuration)
        .send()
        .await
        .unwrap();
    assert_eq!(output.location.as_deref(), Some("/amzn-s3-demo-bucket"));
    assert_eq!(output.request_id(), Some("236A8905248E5A01"));

    // `<` and `&` must be escaped in text; `é` goes as UTF-8.
    let body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <LocationConstraint>us-west-2</LocationConstraint>\
        <Location><Type>AvailabilityZone</Type><Name>usw2-az1</Name></Location>\
        <Bucket><DataRedundancy>SingleAvailabilityZone</DataRedundancy><Type>Directory</Type></Bucket>\
        <Tags>\
        <Tag><Key>équipe</Key><Value>cost&lt;100&amp;team=ops</Value></Tag>\
        <Tag><Key>env</Key><Value>prod</Value></Tag>\
        </Tags>\
        </CreateBucketConfiguration>";
    assert_golden(
        &server,
        &Golden {
            method: "PUT",
            path: "/amzn-s3-demo-bucket",
            query: &[],
            headers: &[
                ("content-length", "443"),
                ("content-type", "application/xml"),
                ("x-amz-acl", "public-read"),
                ("x-amz-bucket-namespace", "account-regional"),
                ("x-amz-bucket-object-lock-enabled", "true"),
                (
                    "x-amz-content-sha256",
                    "bd29c7f806097174f9c7530702f3bbd099bf0314d45fdb7ad031f8403e83e171",
                ),
                ("x-amz-date", AMZ_DATE),
                (
                    "x-amz-grant-full-control",
                    r#"id="111122223333", id="444455556666""#,
                ),
                (
                    "x-amz-grant-read",
                    r#"uri="http://acs.amazonaws.com/groups/global/AllUsers""#,
                ),
                ("x-amz-grant-read-acp", r#"emailAddress="xyz@example.com""#),
                ("x-amz-grant-write", r#"id="111122223333""#),
                ("x-amz-grant-write-acp", r#"id="444455556666""#),
                ("x-amz-object-ownership", "BucketOwnerPreferred"),
            ],
            signed_headers: "content-length;content-type;host;x-amz-acl;x-amz-bucket-namespace;\
                x-amz-bucket-object-lock-enabled;x-amz-content-sha256;x-amz-date;\
                x-amz-grant-full-control;x-amz-grant-read;x-amz-grant-read-acp;\
                x-amz-grant-write;x-amz-grant-write-acp;x-amz-object-ownership",
            service: "s3",
            body: body.as_bytes(),
        },
    );
}

/// A PUT without a body still says `Content-Length: 0` (S3 answers 411 otherwise) and sends
/// no `Content-Type`.
#[tokio::test]
async fn create_bucket_without_a_configuration() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .create_bucket()
        .bucket("amzn-s3-demo-bucket")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "PUT",
            path: "/amzn-s3-demo-bucket",
            query: &[],
            headers: &[
                ("content-length", "0"),
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
            ],
            signed_headers: "content-length;host;x-amz-content-sha256;x-amz-date",
            service: "s3",
            body: b"",
        },
    );
}

/// DELETE / with `x-amz-expected-bucket-owner` (API_DeleteBucket); S3 answers 204.
#[tokio::test]
async fn delete_bucket_with_every_member() {
    let server = CaptureServer::start(Canned::new(204)).await;
    client(&server)
        .delete_bucket()
        .bucket("amzn-s3-demo-bucket")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "DELETE",
            path: "/amzn-s3-demo-bucket",
            query: &[],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-expected-bucket-owner", "111122223333"),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date;x-amz-expected-bucket-owner",
            service: "s3",
            body: b"",
        },
    );
}

/// HEAD / with `x-amz-expected-bucket-owner` (API_HeadBucket).
#[tokio::test]
async fn head_bucket_with_every_member() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .head_bucket()
        .bucket("amzn-s3-demo-bucket")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "HEAD",
            path: "/amzn-s3-demo-bucket",
            query: &[],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-expected-bucket-owner", "111122223333"),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date;x-amz-expected-bucket-owner",
            service: "s3",
            body: b"",
        },
    );
}

/// GET /?location with `x-amz-expected-bucket-owner` (API_GetBucketLocation): a bare key.
#[tokio::test]
async fn get_bucket_location_with_every_member() {
    let server = CaptureServer::start(Canned::new(200).body(
        r#"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">us-west-2</LocationConstraint>"#,
    ))
    .await;
    client(&server)
        .get_bucket_location()
        .bucket("amzn-s3-demo-bucket")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "GET",
            path: "/amzn-s3-demo-bucket",
            query: &["location"],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-expected-bucket-owner", "111122223333"),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date;x-amz-expected-bucket-owner",
            service: "s3",
            body: b"",
        },
    );
}

/// GET /?bucket-region&continuation-token&max-buckets&prefix (API_ListBuckets), no bucket so no
/// path. Query values are URI-encoded as SigV4 encodes them: everything but `A-Z a-z 0-9 - . _ ~`,
/// UTF-8 bytes one by one, space as `%20`.
#[tokio::test]
async fn list_buckets_with_every_member() {
    let server = CaptureServer::start(Canned::new(200).body("<ListAllMyBucketsResult/>")).await;
    client(&server)
        .list_buckets()
        .max_buckets(1000)
        .continuation_token("ZXhhbXBsZQ==/+")
        .prefix("a b/c+d&é~")
        .bucket_region("us-west-2")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "GET",
            path: "/",
            query: &[
                "bucket-region=us-west-2",
                "continuation-token=ZXhhbXBsZQ%3D%3D%2F%2B",
                "max-buckets=1000",
                "prefix=a%20b%2Fc%2Bd%26%C3%A9~",
                "x-id=ListBuckets",
            ],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date",
            service: "s3",
            body: b"",
        },
    );
}

/// GET /?continuation-token&max-directory-buckets (API_ListDirectoryBuckets), signed with plain
/// SigV4 for `s3express` (a control-plane call: see `customize::s3::control_plane_signs_with_sigv4`),
/// without setting `disable_s3_express_session_auth`.
#[tokio::test]
async fn list_directory_buckets_with_every_member() {
    let server =
        CaptureServer::start(Canned::new(200).body("<ListAllMyDirectoryBucketsResult/>")).await;
    client(&server)
        .list_directory_buckets()
        .continuation_token("token with space")
        .max_directory_buckets(5)
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "GET",
            path: "/",
            query: &[
                "continuation-token=token%20with%20space",
                "max-directory-buckets=5",
                "x-id=ListDirectoryBuckets",
            ],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date",
            service: "s3express",
            body: b"",
        },
    );
}

/// GET /?session with the session mode and encryption headers (API_CreateSession), for a
/// directory bucket, signed for `s3express`. With `force_path_style` and an IP endpoint the
/// rules address the bucket in the path; CreateSession itself always disables session auth.
#[tokio::test]
async fn create_session_with_every_member() {
    let server = CaptureServer::start(Canned::new(200).body(
        "<CreateSessionResult><Credentials>\
         <SessionToken>TOKEN</SessionToken><SecretAccessKey>SECRET</SecretAccessKey>\
         <AccessKeyId>ASIA</AccessKeyId><Expiration>2013-05-24T00:05:00Z</Expiration>\
         </Credentials></CreateSessionResult>",
    ))
    .await;
    client(&server)
        .create_session()
        .bucket("amzn-s3-demo-bucket--usw2-az1--x-s3")
        .session_mode(SessionMode::ReadOnly)
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef")
        .ssekms_encryption_context("eyJrIjoidiJ9")
        .bucket_key_enabled(false)
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "GET",
            path: "/amzn-s3-demo-bucket--usw2-az1--x-s3",
            query: &["session"],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-create-session-mode", "ReadOnly"),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-server-side-encryption", "aws:kms"),
                (
                    "x-amz-server-side-encryption-aws-kms-key-id",
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef",
                ),
                ("x-amz-server-side-encryption-bucket-key-enabled", "false"),
                ("x-amz-server-side-encryption-context", "eyJrIjoidiJ9"),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-create-session-mode;x-amz-date;\
                x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;\
                x-amz-server-side-encryption-bucket-key-enabled;\
                x-amz-server-side-encryption-context",
            service: "s3express",
            body: b"",
        },
    );
}

/// An empty `ListBucketResult`, enough for a request test.
const EMPTY_LISTING: &str =
    r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ListBucketResult>"#;

/// GET /?list-type=2&continuation-token&delimiter&encoding-type&fetch-owner&max-keys&prefix&
/// start-after with the request-payer, expected-owner and optional-attributes headers
/// (API_ListObjectsV2, Request Syntax). `list-type=2` is what makes it V2; `fetch-owner` is a
/// boolean as `true`/`false`; the optional attributes are a comma-separated list header.
#[tokio::test]
async fn list_objects_v2_with_every_member() {
    let server = CaptureServer::start(Canned::new(200).body(EMPTY_LISTING)).await;
    client(&server)
        .list_objects_v2()
        .bucket("amzn-s3-demo-bucket")
        .delimiter("/")
        .encoding_type(EncodingType::Url)
        .max_keys(100)
        .prefix("photos/2006/été +")
        .continuation_token("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        .fetch_owner(true)
        .start_after("photos/2006/January/sample.jpg")
        .request_payer(RequestPayer::Requester)
        .expected_bucket_owner("111122223333")
        .optional_object_attributes(vec![OptionalObjectAttributes::RestoreStatus])
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "GET",
            path: "/amzn-s3-demo-bucket",
            query: &[
                "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D",
                "delimiter=%2F",
                "encoding-type=url",
                "fetch-owner=true",
                "list-type=2",
                "max-keys=100",
                "prefix=photos%2F2006%2F%C3%A9t%C3%A9%20%2B",
                "start-after=photos%2F2006%2FJanuary%2Fsample.jpg",
            ],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-expected-bucket-owner", "111122223333"),
                ("x-amz-optional-object-attributes", "RestoreStatus"),
                ("x-amz-request-payer", "requester"),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date;x-amz-expected-bucket-owner;\
                x-amz-optional-object-attributes;x-amz-request-payer",
            service: "s3",
            body: b"",
        },
    );
}

/// With no encoding type set, the client asks for `encoding-type=url` all the same (the S3
/// customization: keys with characters XML 1.0 cannot carry still list), and nothing else; the
/// caller's own `EncodingType::Url` goes on the wire once, not twice.
#[tokio::test]
async fn list_objects_v2_asks_for_url_encoding_once_whoever_chose_it() {
    for encoding in [None, Some(EncodingType::Url)] {
        let server = CaptureServer::start(Canned::new(200).body(EMPTY_LISTING)).await;
        let mut request = client(&server)
            .list_objects_v2()
            .bucket("amzn-s3-demo-bucket");
        if let Some(encoding) = encoding {
            request = request.encoding_type(encoding);
        }
        request.send().await.unwrap();
        assert_golden(
            &server,
            &Golden {
                method: "GET",
                path: "/amzn-s3-demo-bucket",
                query: &["encoding-type=url", "list-type=2"],
                headers: &[
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", AMZ_DATE),
                ],
                signed_headers: "host;x-amz-content-sha256;x-amz-date",
                service: "s3",
                body: b"",
            },
        );
    }
}

/// HEAD /Key+?partNumber&response-*&versionId with the conditional, range, SSE-C, payer,
/// expected-owner and checksum-mode headers (API_HeadObject, Request Syntax).
///
/// - The key is a greedy label: its `/`s stay, everything else but the unreserved characters
///   is percent-encoded as UTF-8 (`é` is `%C3%A9`, space `%20`, `+` `%2B`).
/// - Timestamps in headers are HTTP dates (IMF-fixdate, RFC 9110 §5.6.7: whole seconds, so the
///   fraction of `If-Unmodified-Since` is dropped); `response-expires` is an HTTP date too (the
///   model's `timestampFormat`), percent-encoded as a query value.
/// - The SSE-C key and its MD5 are sent as given: base64 of the 256-bit key and of its MD5.
#[tokio::test]
async fn head_object_with_every_member() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .head_object()
        .bucket("amzn-s3-demo-bucket")
        .key("photos/2006/Février/~sample 1+&=.jpg")
        .if_match("\"fba9dede5f27731c9771645a39863328\"")
        // 2013-05-22T00:00:00Z
        .if_modified_since(DateTime::from_secs(1_369_180_800))
        .if_none_match("\"599bab3ed2c697f1d26842727561fd94-3\"")
        // 2013-05-23T00:00:00.750Z
        .if_unmodified_since(DateTime::from_secs_and_nanos(1_369_267_200, 750_000_000))
        .range("bytes=0-9")
        .response_cache_control("no-cache, max-age=0")
        .response_content_disposition("attachment; filename=\"a b.txt\"")
        .response_content_encoding("gzip")
        .response_content_language("en-US")
        .response_content_type("text/plain; charset=utf-8")
        // 1994-12-01T16:00:00Z, RFC 9110's example date.
        .response_expires(DateTime::from_secs(786_297_600))
        .version_id("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")
        .sse_customer_algorithm("AES256")
        .sse_customer_key("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
        .sse_customer_key_md5("hRasmdxgYDKV3nvbahU1MA==")
        .request_payer(RequestPayer::Requester)
        .part_number(3)
        .expected_bucket_owner("111122223333")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "HEAD",
            path: "/amzn-s3-demo-bucket/photos/2006/F%C3%A9vrier/~sample%201%2B%26%3D.jpg",
            query: &[
                "partNumber=3",
                "response-cache-control=no-cache%2C%20max-age%3D0",
                "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22",
                "response-content-encoding=gzip",
                "response-content-language=en-US",
                "response-content-type=text%2Fplain%3B%20charset%3Dutf-8",
                "response-expires=Thu%2C%2001%20Dec%201994%2016%3A00%3A00%20GMT",
                "versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY%2BMTRCxf3vjVBH40Nr8X8gdRQBpUMLUo",
            ],
            headers: &[
                ("if-match", "\"fba9dede5f27731c9771645a39863328\""),
                ("if-modified-since", "Wed, 22 May 2013 00:00:00 GMT"),
                ("if-none-match", "\"599bab3ed2c697f1d26842727561fd94-3\""),
                ("if-unmodified-since", "Thu, 23 May 2013 00:00:00 GMT"),
                ("range", "bytes=0-9"),
                ("x-amz-checksum-mode", "ENABLED"),
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-expected-bucket-owner", "111122223333"),
                ("x-amz-request-payer", "requester"),
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                (
                    "x-amz-server-side-encryption-customer-key",
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                ),
                (
                    "x-amz-server-side-encryption-customer-key-md5",
                    "hRasmdxgYDKV3nvbahU1MA==",
                ),
            ],
            signed_headers: "host;if-match;if-modified-since;if-none-match;\
                if-unmodified-since;range;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date;\
                x-amz-expected-bucket-owner;x-amz-request-payer;\
                x-amz-server-side-encryption-customer-algorithm;\
                x-amz-server-side-encryption-customer-key;\
                x-amz-server-side-encryption-customer-key-md5",
            service: "s3",
            body: b"",
        },
    );
}

/// With only the bucket and key, nothing else is sent: no query, no default checksum mode.
#[tokio::test]
async fn head_object_with_only_the_required_members() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .head_object()
        .bucket("amzn-s3-demo-bucket")
        .key("a.txt")
        .send()
        .await
        .unwrap();
    assert_golden(
        &server,
        &Golden {
            method: "HEAD",
            path: "/amzn-s3-demo-bucket/a.txt",
            query: &[],
            headers: &[
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", AMZ_DATE),
            ],
            signed_headers: "host;x-amz-content-sha256;x-amz-date",
            service: "s3",
            body: b"",
        },
    );
}

/// S3 keys are opaque: a leading `/`, doubled `/`s and a trailing `/` are part of the key and
/// reach the wire as they are, not normalized away.
#[tokio::test]
async fn an_object_key_keeps_its_slashes() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .head_object()
        .bucket("amzn-s3-demo-bucket")
        .key("/leading//double/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].path(),
        "/amzn-s3-demo-bucket//leading//double/"
    );
}

/// Where the endpoint rules send CreateSession (with the parameters its `send` passes) for a
/// custom endpoint: an IP endpoint gets the directory bucket in the path, a host name gets it in
/// the host, whatever `force_path_style` says, since S3 Express has no path-style addressing.
#[test]
fn directory_bucket_addressing_with_a_custom_endpoint() {
    let bucket = "amzn-s3-demo-bucket--usw2-az1--x-s3";
    let cases = [
        (
            "http://127.0.0.1:9000",
            false,
            format!("http://127.0.0.1:9000/{bucket}"),
        ),
        (
            "http://127.0.0.1:9000",
            true,
            format!("http://127.0.0.1:9000/{bucket}"),
        ),
        (
            "http://localhost:9000",
            false,
            format!("http://{bucket}.localhost:9000"),
        ),
        (
            "http://localhost:9000",
            true,
            format!("http://{bucket}.localhost:9000"),
        ),
    ];
    for (endpoint, force_path_style, url) in cases {
        let endpoint_url = s3_runtime::endpoint::EndpointUrl::new(endpoint);
        let mut params = s3_client::endpoint::Params::default();
        params.bucket = Some(bucket);
        params.region = Some(REGION);
        params.endpoint = Some(&endpoint_url);
        params.force_path_style = force_path_style;
        params.disable_s3_express_session_auth = Some(true);
        let resolved = s3_client::endpoint::resolve(&params).unwrap();
        assert_eq!(
            resolved.url, url,
            "{endpoint}, force_path_style {force_path_style}"
        );
        let scheme = &resolved.auth_schemes[0];
        assert_eq!(
            (&*scheme.name, scheme.signing_name.as_deref()),
            ("sigv4", Some("s3express"))
        );
    }
}

/// A bucket name with characters a path segment must escape is percent-encoded once by the
/// endpoint rules (`uriEncode`), not left raw nor encoded twice.
#[tokio::test]
async fn a_bucket_name_is_encoded_once_in_the_path() {
    let server = CaptureServer::start(Canned::new(200)).await;
    client(&server)
        .head_bucket()
        .bucket("a b%c")
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests()[0].path(), "/a%20b%25c");
}

/// A header value that cannot go into HTTP is a build error naming the member, and nothing is
/// sent.
#[tokio::test]
async fn a_header_value_with_a_newline_is_a_build_error() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let err = client(&server)
        .delete_bucket()
        .bucket("amzn-s3-demo-bucket")
        .expected_bucket_owner("1111\r\nx-injected: 1")
        .send()
        .await
        .unwrap_err();
    let Error::Build(build) = &err else {
        panic!("expected a build error, got {err:?}");
    };
    assert_eq!(build.member(), Some("expected_bucket_owner"));
    assert!(server.requests().is_empty());
}

/// Each attempt says its number; all of one call's attempts share its invocation id, and the
/// app name ends the `User-Agent`.
#[tokio::test]
async fn attempts_are_numbered_under_one_invocation_id() {
    let server = CaptureServer::start(Canned::new(503)).await;
    let retry = s3_runtime::retry::RetryConfig::standard()
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let config = wire::config(&server)
        .retry(retry)
        .app_name("inventory tool")
        .build();
    let client = s3_client::Client::new(&config);
    client.list_buckets().send().await.unwrap_err();
    client.list_buckets().send().await.unwrap_err();
    let requests = server.requests();
    let attempts: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-request"))
        .collect();
    assert_eq!(
        attempts,
        ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"].repeat(2)
    );
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-invocation-id"))
        .collect();
    assert!(ids[..3].iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(ids[3..].iter().all(|id| *id == ids[3]), "{ids:?}");
    assert_ne!(ids[0], ids[3]);
    assert!(requests[0]
        .header("user-agent")
        .ends_with(" app/inventory-tool"));
}
