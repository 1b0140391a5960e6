//! ListDirectoryBuckets and CreateSession against the directory-bucket test server, which
//! checks SigV4 signatures (no S3-compatible server here implements either operation).

use s3_client::types::{ServerSideEncryption, SessionMode};
use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use s3_runtime::time::{DateTime, Format};
use s3_tests::directory::{DirectoryServer, ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY};

const BUCKETS: [&str; 5] = [
    "alpha--usw2-az1--x-s3",
    "bravo--usw2-az1--x-s3",
    "charlie--usw2-az3--x-s3",
    "delta--usw2-az1--x-s3",
    "echo--usw2-az2--x-s3",
];

fn client(server: &DirectoryServer, secret: &str) -> Client {
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(server.endpoint.clone())
        .credentials(Credentials::new(ACCESS_KEY_ID, secret, None, None))
        .build();
    Client::new(&config)
}

#[tokio::test]
async fn list_directory_buckets_follows_continuation_tokens() {
    let server = DirectoryServer::start(&BUCKETS).await;
    let client = client(&server, SECRET_ACCESS_KEY);
    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let mut request = client.list_directory_buckets().max_directory_buckets(2);
        if let Some(token) = token.take() {
            request = request.continuation_token(token);
        }
        let page = request.send().await.unwrap();
        pages += 1;
        for bucket in page.buckets.unwrap_or_default() {
            assert_eq!(bucket.bucket_region.as_deref(), Some(REGION));
            assert_eq!(
                bucket.creation_date,
                Some(DateTime::parse("2024-11-05T10:20:30Z", Format::DateTime).unwrap())
            );
            names.extend(bucket.name);
        }
        match page.continuation_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(names, BUCKETS);
    assert_eq!(pages, 3);
    let requests = server.requests();
    assert_eq!(
        requests[1],
        (
            "GET".to_owned(),
            "/?x-id=ListDirectoryBuckets&continuation-token=charlie--usw2-az3--x-s3&max-directory-buckets=2"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn the_paginator_yields_every_page() {
    use futures_core::Stream;
    let server = DirectoryServer::start(&BUCKETS).await;
    let mut pages = client(&server, SECRET_ACCESS_KEY)
        .list_directory_buckets()
        .max_directory_buckets(2)
        .into_paginator();
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    while let Some(page) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut pages).poll_next(cx)).await
    {
        let buckets = page.unwrap().buckets.unwrap_or_default();
        sizes.push(buckets.len());
        names.extend(buckets.into_iter().filter_map(|b| b.name));
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(names, BUCKETS);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn the_items_are_every_pages_buckets() {
    use futures_core::Stream;
    let server = DirectoryServer::start(&BUCKETS).await;
    let mut items = client(&server, SECRET_ACCESS_KEY)
        .list_directory_buckets()
        .max_directory_buckets(2)
        .into_items();
    let mut names = Vec::new();
    while let Some(bucket) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut items).poll_next(cx)).await
    {
        names.extend(bucket.unwrap().name);
    }
    assert_eq!(names, BUCKETS);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn create_session_returns_credentials() {
    let server = DirectoryServer::start(&BUCKETS).await;
    let client = client(&server, SECRET_ACCESS_KEY);
    let session = client
        .create_session()
        .bucket(BUCKETS[1])
        .session_mode(SessionMode::ReadOnly)
        .send()
        .await
        .unwrap();
    let credentials = &session.credentials;
    assert_eq!(credentials.access_key_id, "ASIASESSION");
    assert_eq!(credentials.secret_access_key, "session-secret");
    assert_eq!(
        credentials.session_token,
        format!("token-for-{}-ReadOnly", BUCKETS[1])
    );
    assert_eq!(
        credentials.expiration,
        DateTime::parse("2030-01-02T03:04:05Z", Format::DateTime).unwrap()
    );
    assert_eq!(
        session.server_side_encryption,
        Some(ServerSideEncryption::Aes256)
    );
    assert_eq!(session.bucket_key_enabled, Some(true));
    assert_eq!(session.request_id(), Some("DIRECTORY-REQUEST-ID"));
    let debug = format!("{session:?}");
    assert!(
        !debug.contains("session-secret") && !debug.contains("token-for"),
        "{debug}"
    );
    assert_eq!(
        server.requests(),
        [("GET".to_owned(), format!("/{}?session", BUCKETS[1]))]
    );
}

#[tokio::test]
async fn create_session_on_a_missing_bucket_is_no_such_bucket() {
    let server = DirectoryServer::start(&BUCKETS).await;
    let err = client(&server, SECRET_ACCESS_KEY)
        .create_session()
        .bucket("missing--usw2-az1--x-s3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (Some("NoSuchBucket"), Some(404)),
        "{err}"
    );
    assert_eq!(err.request_id(), Some("DIRECTORY-REQUEST-ID"));
}

#[tokio::test]
async fn the_server_rejects_a_wrong_signature() {
    let server = DirectoryServer::start(&BUCKETS).await;
    let err = client(&server, "wrong-secret")
        .list_directory_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (Some("SignatureDoesNotMatch"), Some(403)),
        "{err}"
    );
    assert!(server.requests().is_empty());
}
