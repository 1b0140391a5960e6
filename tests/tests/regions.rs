//! Buckets in another region than the client's: the region S3 names in a refusal, HeadBucket's
//! `bucket_region`, cross-region access, GetBucketLocation's `region()` and CreateBucket's
//! location constraint. Wrong-region answers come from a capture server (neither moto nor
//! s3s-fs has regions to be wrong about); CreateBucket and GetBucketLocation run on moto too.

mod wire;

use bytes::Bytes;
use s3_client::types::{BucketInfo, BucketType, CreateBucketConfiguration, DataRedundancy};
use s3_client::Client;
use s3_runtime::body::ByteStream;
use s3_tests::capture::{Canned, CaptureServer, Captured};
use s3_tests::sigv4_check::{self, TokenHeader};
use s3_tests::Iter;

const REDIRECT: &str = "<Error><Code>PermanentRedirect</Code><Message>The bucket you are \
    attempting to access must be addressed using the specified endpoint.</Message>\
    <Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>b</Bucket></Error>";

const LISTING: &str = "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount>\
    <IsTruncated>false</IsTruncated></ListBucketResult>";

/// The region in the request's credential scope (`Credential=AKID/20130524/<region>/s3/…`).
fn signed_for(request: &Captured) -> &str {
    let authorization = request.header("authorization");
    let scope = authorization
        .split("Credential=")
        .nth(1)
        .unwrap_or_default();
    scope.split('/').nth(2).unwrap_or_default()
}

/// S3's answer to a request for a bucket in eu-west-1 signed for another region.
fn moved_to_eu_west_1() -> Canned {
    Canned::new(301)
        .header("x-amz-bucket-region", "eu-west-1")
        .body(REDIRECT)
}

/// A bucket in eu-west-1: requests signed for another region get a `301` naming it.
fn eu_west_1_bucket(request: &Captured) -> Canned {
    match signed_for(request) {
        "eu-west-1" => Canned::new(200)
            .header("x-amz-bucket-region", "eu-west-1")
            .body(LISTING),
        _ => moved_to_eu_west_1(),
    }
}

#[tokio::test]
async fn a_wrong_region_error_names_the_buckets_region() {
    let server = CaptureServer::start(moved_to_eu_west_1()).await;
    let err = wire::client(&server)
        .list_objects_v2()
        .bucket("b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.region(), Some("eu-west-1"));
    assert_eq!(err.code(), Some("PermanentRedirect"));
    assert!(
        err.to_string().contains("(the bucket is in eu-west-1)"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "not followed unless asked");
}

#[tokio::test]
async fn the_region_comes_from_the_error_body_without_the_header() {
    for (status, body, region) in [
        (301, REDIRECT.to_owned(), "eu-west-1"),
        (
            400,
            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is \
             wrong; expecting 'ap-south-1'</Message><Region>ap-south-1</Region></Error>"
                .to_owned(),
            "ap-south-1",
        ),
    ] {
        let server = CaptureServer::start(Canned::new(status).body(body)).await;
        let err = wire::client(&server)
            .list_objects_v2()
            .bucket("b")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.region(), Some(region), "{err}");
    }
}

#[tokio::test]
async fn a_bare_400_to_head_bucket_says_the_region_may_be_wrong() {
    let server = CaptureServer::start(Canned::new(400)).await;
    let err = wire::client(&server)
        .head_bucket()
        .bucket("b")
        .send()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("BadRequest (status 400): no error body"),
        "{message}"
    );
    assert!(
        message.contains("signed for another region than the bucket's")
            && message.contains("is the bucket in us-east-1"),
        "{message}"
    );
}

#[tokio::test]
async fn bucket_region_reads_success_redirect_and_access_denied() {
    for (status, region) in [
        (200, "eu-west-1"),
        (301, "sa-east-1"),
        (400, "ap-south-1"),
        (403, "us-west-2"),
    ] {
        let server =
            CaptureServer::start(Canned::new(status).header("x-amz-bucket-region", region)).await;
        let found = wire::client(&server).bucket_region("b").await;
        assert_eq!(found.as_deref().ok(), Some(region), "{status}: {found:?}");
        let request = &server.requests()[0];
        assert_eq!((request.method.as_str(), request.path()), ("HEAD", "/b"));
    }
    let server = CaptureServer::start(Canned::new(404)).await;
    let err = wire::client(&server).bucket_region("b").await.unwrap_err();
    assert!(
        err.as_service_error().is_some_and(|e| e.is_not_found()),
        "{err}"
    );
}

#[tokio::test]
async fn cross_region_access_follows_the_bucket_once_and_remembers_it() {
    let server = CaptureServer::start_with(eu_west_1_bucket).await;
    let client = Client::new(&wire::config(&server).cross_region_access(true).build());
    let output = client.list_objects_v2().bucket("b").send().await.unwrap();
    assert_eq!(output.name.as_deref(), Some("b"));
    let regions: Vec<_> = server
        .requests()
        .iter()
        .map(|r| signed_for(r).to_owned())
        .collect();
    assert_eq!(regions, ["us-east-1", "eu-west-1"]);

    // The next requests to the bucket go to its region first.
    client.list_objects_v2().bucket("b").send().await.unwrap();
    client.head_bucket().bucket("b").send().await.unwrap();
    let regions: Vec<_> = server
        .requests()
        .iter()
        .map(|r| signed_for(r).to_owned())
        .collect();
    assert_eq!(
        regions,
        ["us-east-1", "eu-west-1", "eu-west-1", "eu-west-1"]
    );

    // Another bucket starts from the client's region.
    client
        .list_objects_v2()
        .bucket("other")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_for(&server.requests()[4]), "us-east-1");

    // Each request is signed right for the region it names, as aws-sigv4 checks it.
    for request in server.requests() {
        let request = request.request();
        sigv4_check::verify(
            &request,
            wire::SECRET_ACCESS_KEY,
            None,
            TokenHeader::SecurityToken,
        )
        .unwrap_or_else(|e| panic!("{} {}: {e}", request.method(), request.uri()));
    }
}

#[tokio::test]
async fn cross_region_access_follows_at_most_once() {
    // A server that names a region it then refuses too.
    let server = CaptureServer::start(moved_to_eu_west_1()).await;
    let client = Client::new(&wire::config(&server).cross_region_access(true).build());
    let err = client
        .list_objects_v2()
        .bucket("b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.region(), Some("eu-west-1"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn cross_region_access_does_not_send_a_one_shot_stream_twice() {
    let server = CaptureServer::start_with(|request| match signed_for(request) {
        "eu-west-1" => Canned::new(200),
        _ => moved_to_eu_west_1(),
    })
    .await;
    let client = Client::new(&wire::config(&server).cross_region_access(true).build());
    let chunks = Iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(b"data"))].into_iter());
    let err = client
        .put_object()
        .bucket("b")
        .key("k")
        .body(ByteStream::from_stream(chunks, Some(4)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.region(), Some("eu-west-1"));
    assert_eq!(server.requests().len(), 1);

    // A body in memory is sent again.
    client
        .put_object()
        .bucket("b")
        .key("k")
        .body(ByteStream::from(Bytes::from_static(b"data")))
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(&requests[2].body[..], b"data");
}

#[tokio::test]
async fn create_bucket_sends_the_clients_region_as_its_location_constraint() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let in_region = |region: &str| Client::new(&wire::config(&server).region(region).build());
    in_region("eu-west-1")
        .create_bucket()
        .bucket("b")
        .send()
        .await
        .unwrap();
    in_region("us-east-1")
        .create_bucket()
        .bucket("b")
        .send()
        .await
        .unwrap();
    let chosen = CreateBucketConfiguration::builder()
        .location_constraint("EU")
        .build();
    in_region("eu-west-1")
        .create_bucket()
        .bucket("b")
        .create_bucket_configuration(chosen)
        .send()
        .await
        .unwrap();
    let directory = CreateBucketConfiguration::builder()
        .bucket(
            BucketInfo::builder()
                .r#type(BucketType::Directory)
                .data_redundancy(DataRedundancy::SingleAvailabilityZone)
                .build(),
        )
        .build();
    in_region("eu-west-1")
        .create_bucket()
        .bucket("b")
        .create_bucket_configuration(directory)
        .send()
        .await
        .unwrap();
    let bodies: Vec<String> = server
        .requests()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        bodies[0].contains("<LocationConstraint>eu-west-1</LocationConstraint>"),
        "{}",
        bodies[0]
    );
    assert_eq!(bodies[1], "", "us-east-1 takes no constraint");
    assert!(
        bodies[2].contains("<LocationConstraint>EU</LocationConstraint>"),
        "{}",
        bodies[2]
    );
    assert!(!bodies[3].contains("LocationConstraint"), "{}", bodies[3]);
    assert!(
        bodies[3].contains("<Type>Directory</Type>"),
        "{}",
        bodies[3]
    );
}

#[tokio::test]
async fn get_bucket_location_answers_a_region() {
    for (body, region) in [
        (
            "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
            "us-east-1",
        ),
        ("<LocationConstraint>EU</LocationConstraint>", "eu-west-1"),
        (
            "<LocationConstraint>ap-south-1</LocationConstraint>",
            "ap-south-1",
        ),
    ] {
        let server = CaptureServer::start(Canned::new(200).body(body)).await;
        let output = wire::client(&server)
            .get_bucket_location()
            .bucket("b")
            .send()
            .await
            .unwrap();
        assert_eq!(output.region(), region, "{body}");
    }
}

/// moto refuses CreateBucket outside us-east-1 without a matching constraint
/// (`IllegalLocationConstraintException`) and with one inside it; the client sends what each
/// region needs, and GetBucketLocation's `region()` reads it back.
#[tokio::test]
async fn create_bucket_in_eu_west_1_and_us_east_1_on_moto() {
    let moto = s3_tests::moto();
    for region in ["eu-west-1", "us-east-1"] {
        let client = Client::new(&moto.config().region(region).build());
        let bucket = s3_tests::unique_bucket_name("region");
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        let location = client
            .get_bucket_location()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(location.region(), region);
        assert_eq!(client.bucket_region(&bucket).await.unwrap(), region);
        client.delete_bucket().bucket(&bucket).send().await.unwrap();
    }
}
