//! Bad input is refused by `send()` with a `BuildError` naming the member or setting, and
//! nothing reaches the network: the capture server the client points at must see no request.

use s3_client::types::{BucketLocationConstraint, CreateBucketConfiguration, Tag};
use s3_client::{Client, Config, Error};
use s3_runtime::credentials::Credentials;
use s3_tests::capture::{Canned, CaptureServer};

fn config(server: &CaptureServer) -> s3_client::config::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(server.endpoint())
        .force_path_style(true)
        .credentials(Credentials::new("AKID", "SECRET", None, None))
}

/// The member a build error names, and its message; panics on any other outcome.
fn refused<O: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<O, Error<E>>,
) -> (Option<&'static str>, String) {
    match result {
        Err(Error::Build(e)) => (e.member(), e.to_string()),
        other => panic!("expected a build error, got {other:?}"),
    }
}

#[tokio::test]
async fn bucket_names_that_would_address_another_path() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let client = Client::new(&config(&server).build());
    for bucket in ["", ".", ".."] {
        let results = [
            refused(client.head_bucket().bucket(bucket).send().await),
            refused(client.create_bucket().bucket(bucket).send().await),
            refused(client.delete_bucket().bucket(bucket).send().await),
            refused(client.list_objects_v2().bucket(bucket).send().await),
            refused(client.head_object().bucket(bucket).key("k").send().await),
        ];
        for (member, message) in results {
            assert_eq!(member, Some("bucket"), "{bucket:?}: {message}");
        }
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn endpoint_urls_and_regions_the_rules_would_misread() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let port = server.endpoint().rsplit(':').next().unwrap().to_owned();
    for url in [
        "http://127.0.0.1:99999".to_owned(),
        "http://127.0.0.1:65536".to_owned(),
        format!("http://127.0.0.1:{port}/?x=1"),
        format!("http://127.0.0.1:{port}/#f"),
        format!("http://user:pw@127.0.0.1:{port}"),
    ] {
        let client = Client::new(&config(&server).endpoint_url(url.clone()).build());
        let (member, message) = refused(client.list_buckets().send().await);
        assert_eq!(member, Some("endpoint_url"), "{url}: {message}");
    }
    for region in ["us east 1", "", "us-east-1\u{1b}[2J", "eu.west"] {
        let client = Client::new(&config(&server).region(region).build());
        let (member, message) = refused(client.list_buckets().send().await);
        assert_eq!(member, Some("region"), "{region:?}: {message}");
        assert!(!message.contains('\u{1b}'), "escaped: {message}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn body_strings_xml_cannot_carry() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let client = Client::new(&config(&server).build());
    let location = BucketLocationConstraint::from("eu-\u{1}west-1");
    let configuration = CreateBucketConfiguration::builder()
        .location_constraint(location)
        .build();
    let (member, message) = refused(
        client
            .create_bucket()
            .bucket("b")
            .create_bucket_configuration(configuration)
            .send()
            .await,
    );
    assert_eq!(member, Some("LocationConstraint"), "{message}");
    assert!(message.contains("U+0001"), "{message}");

    let tagged = CreateBucketConfiguration::builder()
        .tags(vec![Tag::builder()
            .key("k")
            .value("\u{0}")
            .build()
            .unwrap()])
        .build();
    let (member, _) = refused(
        client
            .create_bucket()
            .bucket("b")
            .create_bucket_configuration(tagged)
            .send()
            .await,
    );
    assert_eq!(member, Some("Value"));
    assert!(server.requests().is_empty());
}
