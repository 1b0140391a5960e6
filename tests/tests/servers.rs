//! The generated client against two independent S3-compatible servers that check SigV4
//! signatures: moto and s3s-fs (`.ci/test` starts them). Every operation each server supports
//! is run and its result asserted; what a server does not implement is asserted as what it is.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use s3_client::operation::create_bucket::CreateBucketError;
use s3_client::operation::head_bucket::HeadBucketError;
use s3_client::types::{BucketLocationConstraint, CreateBucketConfiguration};
use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use s3_runtime::error::Error;
use s3_runtime::retry::RetryConfig;
use s3_runtime::time::Clock;
use s3_tests::{on_both_servers, unique_bucket_name, TestServer};

fn client_with(server: &TestServer, region: &str, secret: &str) -> Client {
    let credentials = Credentials::new(server.access_key_id.clone(), secret, None, None);
    Client::new(
        &server
            .config()
            .region(region)
            .credentials(credentials)
            .build(),
    )
}

fn client(server: &TestServer) -> Client {
    client_with(server, &server.region, &server.secret_access_key)
}

on_both_servers!(
    bucket_lifecycle,
    create_twice,
    wrong_secret,
    list_options,
    directory_bucket_gaps,
    waiters,
);

async fn bucket_lifecycle(server: TestServer) {
    let client = client(&server);
    let name = unique_bucket_name("life");

    let created = client.create_bucket().bucket(&name).send().await.unwrap();
    if let Some(location) = created.location.filter(|l| !l.is_empty()) {
        assert!(location.ends_with(&name), "{location}");
    }

    let listed = client.list_buckets().send().await.unwrap();
    let bucket = listed
        .buckets
        .iter()
        .flatten()
        .find(|b| b.name.as_deref() == Some(name.as_str()))
        .unwrap_or_else(|| panic!("{name} is not listed by {}", server.name));
    assert!(bucket.creation_date.is_some());

    let head = client.head_bucket().bucket(&name).send().await.unwrap();
    // moto sends x-amz-bucket-region; s3s-fs does not.
    let region = (server.name == "moto").then_some("us-east-1");
    assert_eq!(head.bucket_region.as_deref(), region);

    // Both answer an empty <LocationConstraint/> for us-east-1.
    let location = client
        .get_bucket_location()
        .bucket(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        location.location_constraint.as_ref().map(|l| l.as_str()),
        Some("us-east-1")
    );

    client.delete_bucket().bucket(&name).send().await.unwrap();

    let gone = client.head_bucket().bucket(&name).send().await.unwrap_err();
    assert!(
        matches!(gone.as_service_error(), Some(HeadBucketError::NotFound(_))),
        "{gone}"
    );
    assert_eq!(gone.status(), Some(404));

    // DeleteBucket models no errors: a missing bucket is `Unhandled` with the code S3 sends.
    let again = client
        .delete_bucket()
        .bucket(&name)
        .send()
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("NoSuchBucket"), "{again}");
    assert_eq!(again.status(), Some(404));
}

async fn create_twice(server: TestServer) {
    let client = client(&server);
    let name = unique_bucket_name("twice");
    client.create_bucket().bucket(&name).send().await.unwrap();
    let second = client.create_bucket().bucket(&name).send().await;
    match server.name {
        // moto keeps S3's legacy us-east-1 behaviour: re-creating your own bucket succeeds.
        // Outside us-east-1 it answers BucketAlreadyOwnedByYou, as S3 does.
        "moto" => {
            second.unwrap();
            let region = "eu-west-1";
            let eu = client_with(&server, region, &server.secret_access_key);
            let eu_name = unique_bucket_name("twice-eu");
            let configuration = CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build();
            let create = || {
                eu.create_bucket()
                    .bucket(&eu_name)
                    .create_bucket_configuration(configuration.clone())
                    .send()
            };
            create().await.unwrap();
            let err = create().await.unwrap_err();
            assert!(
                matches!(
                    err.as_service_error(),
                    Some(CreateBucketError::BucketAlreadyOwnedByYou(_))
                ),
                "{err}"
            );
            assert_eq!(err.status(), Some(409));
            let location = eu
                .get_bucket_location()
                .bucket(&eu_name)
                .send()
                .await
                .unwrap();
            assert_eq!(
                location.location_constraint,
                Some(BucketLocationConstraint::EuWest1)
            );
            eu.delete_bucket().bucket(&eu_name).send().await.unwrap();
        }
        _ => {
            let err = second.unwrap_err();
            assert!(
                matches!(
                    err.as_service_error(),
                    Some(CreateBucketError::BucketAlreadyExists(_))
                ),
                "{err}"
            );
            assert_eq!(err.status(), Some(409));
        }
    }
    client.delete_bucket().bucket(&name).send().await.unwrap();
}

async fn wrong_secret(server: TestServer) {
    let client = client_with(&server, &server.region, "not-the-secret-key");
    let err = client.list_buckets().send().await.unwrap_err();
    let Error::Service(service) = &err else {
        panic!("expected a service error, got {err}");
    };
    assert_eq!(
        service.meta().code(),
        Some("SignatureDoesNotMatch"),
        "{err}"
    );
    assert_eq!(service.meta().status(), 403);
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "{err}");
}

/// ListBuckets' prefix and page size: moto applies both but sends no continuation token; s3s-fs
/// ignores them. Neither paginates, so no server test covers continuation tokens.
async fn list_options(server: TestServer) {
    let client = client(&server);
    let prefix = unique_bucket_name("page");
    let names: Vec<String> = (0..3).map(|i| format!("{prefix}-{i}")).collect();
    for name in &names {
        client.create_bucket().bucket(name).send().await.unwrap();
    }
    let page = client
        .list_buckets()
        .prefix(&prefix)
        .max_buckets(1)
        .send()
        .await
        .unwrap();
    let listed: Vec<&str> = page
        .buckets
        .iter()
        .flatten()
        .filter_map(|b| b.name.as_deref())
        .collect();
    assert_eq!(page.continuation_token, None);
    match server.name {
        "moto" => assert_eq!(listed, [names[0].as_str()]),
        _ => assert!(
            names.iter().all(|n| listed.contains(&n.as_str())),
            "{listed:?}"
        ),
    }
    for name in &names {
        client.delete_bucket().bucket(name).send().await.unwrap();
    }
}

/// Neither server implements directory buckets: ListDirectoryBuckets and CreateSession are
/// signed for `s3express`, which moto's IAM denies and s3s-fs does not know. moto answers a
/// CreateSession on a general purpose bucket as if it were ListObjects, which the client
/// reports as a response of the wrong kind rather than misreading it.
async fn directory_bucket_gaps(server: TestServer) {
    // With a custom endpoint the rules pick S3 Express session auth unless it is disabled.
    let config = client(&server)
        .config()
        .to_builder()
        .disable_s3_express_session_auth(true);
    let client = Client::new(&config.build());
    let list = client.list_directory_buckets().send().await.unwrap_err();
    let session = client
        .create_session()
        .bucket("gap--usw2-az1--x-s3")
        .send()
        .await
        .unwrap_err();
    match server.name {
        "moto" => {
            assert_eq!(
                (list.code(), list.status()),
                (Some("AccessDenied"), Some(403)),
                "{list}"
            );
            assert_eq!(session.code(), Some("AccessDenied"), "{session}");
            let name = unique_bucket_name("session");
            client.create_bucket().bucket(&name).send().await.unwrap();
            let err = client
                .create_session()
                .bucket(&name)
                .send()
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Response(_)), "{err}");
            assert!(err.to_string().contains("ListBucketResult"), "{err}");
            assert_eq!(err.status(), Some(200));
            client.delete_bucket().bucket(&name).send().await.unwrap();
        }
        _ => {
            assert_eq!(
                (list.code(), list.status()),
                (Some("NotImplemented"), Some(501)),
                "{list}"
            );
            assert_eq!(
                (session.code(), session.status()),
                (Some("NotImplemented"), Some(501)),
                "{session}"
            );
        }
    }
}

/// A clock an hour behind.
#[derive(Debug)]
struct SlowClock;

impl Clock for SlowClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() - Duration::from_secs(3600)
    }
}

/// s3s-fs rejects a request signed an hour ago with `RequestTimeTooSkewed` (a client that may
/// not retry sees it); the client takes the server's time from the `Date` header, signs again
/// and succeeds. Only s3s-fs: moto does not check the time.
#[tokio::test]
async fn clock_an_hour_slow_is_corrected_against_s3s() {
    let server = s3_tests::s3s();
    let config = client(&server)
        .config()
        .to_builder()
        .clock(Arc::new(SlowClock));
    let once = Client::new(&config.clone().retry(RetryConfig::disabled()).build());
    let err = once.list_buckets().send().await.unwrap_err();
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"), "{err}");
    Client::new(&config.build())
        .list_buckets()
        .send()
        .await
        .unwrap();
}

/// HeadBucket's waiters: both settle at once when the bucket is already in the wanted state,
/// and a wait that cannot succeed gives up at its deadline instead of sleeping past it.
async fn waiters(server: TestServer) {
    let client = client(&server);
    let name = unique_bucket_name("wait");
    client.create_bucket().bucket(&name).send().await.unwrap();
    let exists = client
        .head_bucket()
        .bucket(&name)
        .wait_until_bucket_exists(Duration::from_secs(30))
        .await
        .unwrap();
    assert!(exists.response.is_ok(), "{exists:?}");
    client.delete_bucket().bucket(&name).send().await.unwrap();
    let gone = client
        .head_bucket()
        .bucket(&name)
        .wait_until_bucket_not_exists(Duration::from_secs(30))
        .await
        .unwrap();
    let gone = gone.response.unwrap_err();
    assert_eq!(gone.code(), Some("NotFound"), "{gone}");
    let started = std::time::Instant::now();
    let timeout = client
        .head_bucket()
        .bucket(&name)
        .wait_until_bucket_exists(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(timeout, s3_runtime::waiter::WaitError::Timeout { .. }),
        "{timeout}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// `AWS_ENDPOINT_URL_S3` (over `AWS_ENDPOINT_URL`) points `Config::from_env` at a server, as
/// the AWS SDKs read it.
#[tokio::test]
async fn endpoint_url_from_the_environment() {
    let server = s3_tests::moto();
    let env = s3_runtime::profile::Env::from_vars([
        ("HOME", "/nonexistent"),
        ("AWS_REGION", server.region.as_str()),
        ("AWS_ACCESS_KEY_ID", server.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", server.secret_access_key.as_str()),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ENDPOINT_URL_S3", server.endpoint.as_str()),
    ]);
    let config = Config::from_env_with(env)
        .unwrap()
        .to_builder()
        .force_path_style(true)
        .build();
    assert_eq!(config.endpoint_url(), Some(server.endpoint.as_str()));
    let bucket = unique_bucket_name("env-endpoint");
    let client = Client::new(&config);
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    client.delete_bucket().bucket(&bucket).send().await.unwrap();
}
