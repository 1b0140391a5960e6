//! S3 Express One Zone end to end: the generated client against the S3 Express test server,
//! which issues sessions, expires them by a clock the test controls, and checks every
//! signature with `aws-sigv4`.
//!
//! Each test drives `send()` and reads what the server saw: who signed each request (a base
//! identity or which session) and how many CreateSession calls there were.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use s3_client::types::{EncodingType, SessionMode};
use s3_client::{Client, Config};
use s3_runtime::body::ByteStream;
use s3_runtime::credentials::Credentials;
use s3_runtime::express::SessionCacheConfig;
use s3_runtime::profile::Env;
use s3_runtime::sigv4::{EMPTY_SHA256, UNSIGNED_PAYLOAD};
use s3_runtime::time::{Clock, SharedClock};
use s3_tests::express::{Auth, ExpressOptions, ExpressServer, Object, Recorded, SessionFailure};

const BUCKET: &str = "data--usw2-az1--x-s3";
const OTHER_BUCKETS: [&str; 2] = ["logs--usw2-az1--x-s3", "tmp--usw2-az1--x-s3"];
const REGION: &str = "us-west-2";
const ALICE: (&str, &str) = ("AKIDALICE", "alice/secret+key");
const BOB: (&str, &str) = ("AKIDBOB", "bob/secret+key");
/// A key XML 1.0 cannot carry, one with a space and a plus, and one with non-ASCII.
const KEYS: [&str; 3] = ["ctl\u{1}key", "a b+c", "naïve/é"];

/// A clock the test moves by hand, shared by the client and the server.
#[derive(Debug)]
struct TestClock(Mutex<SystemTime>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

struct Setup {
    server: ExpressServer,
    clock: Arc<TestClock>,
    config: Config,
}

async fn setup() -> Setup {
    let clock = Arc::new(TestClock(Mutex::new(SystemTime::now())));
    setup_with_server_clock(clock.clone(), clock).await
}

/// A server that judges session expiry by `server_clock`, a client by `clock`.
async fn setup_with_server_clock(clock: Arc<TestClock>, server_clock: Arc<TestClock>) -> Setup {
    let object = |metadata: Vec<(String, Vec<u8>)>| Object {
        size: 11,
        etag: "9b2cf535f27731c974343645a3985328".to_owned(),
        last_modified: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        metadata,
    };
    let server = ExpressServer::start(ExpressOptions {
        region: REGION.to_owned(),
        buckets: std::iter::once(BUCKET)
            .chain(OTHER_BUCKETS)
            .map(str::to_owned)
            .collect(),
        identities: [ALICE, BOB]
            .iter()
            .map(|(id, secret)| ((*id).to_owned(), (*secret).to_owned()))
            .collect(),
        clock: server_clock,
        objects: KEYS
            .iter()
            .map(|key| {
                let metadata = vec![
                    ("plain".to_owned(), b"text".to_vec()),
                    ("latin".to_owned(), b"caf\xe9".to_vec()),
                ];
                ((*key).to_owned(), object(metadata))
            })
            .collect(),
        ..ExpressOptions::default()
    })
    .await;
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(server.endpoint.clone())
        .credentials(Credentials::new(ALICE.0, ALICE.1, None, None))
        .clock(clock.clone() as SharedClock)
        .build();
    Setup {
        server,
        clock,
        config,
    }
}

impl Setup {
    fn client(&self) -> Client {
        Client::new(&self.config)
    }

    /// The sessions that signed each data-plane request, in order.
    fn sessions_used(&self) -> Vec<u64> {
        self.server
            .requests()
            .iter()
            .filter_map(|r| match r.auth {
                Auth::Session { id } => Some(id),
                _ => None,
            })
            .collect()
    }

    /// How each request authenticated, in order.
    fn auths(&self) -> Vec<Auth> {
        self.server.requests().into_iter().map(|r| r.auth).collect()
    }

    /// Waits, boundedly, for background CreateSession calls to reach `n`.
    async fn until_create_sessions(&self, n: usize) {
        for _ in 0..500 {
            if self.server.create_session_calls() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "expected {n} CreateSession calls, saw {}",
            self.server.create_session_calls()
        );
    }
}

fn base(access_key_id: &str) -> Auth {
    Auth::Base {
        access_key_id: access_key_id.to_owned(),
    }
}

async fn list(client: &Client, bucket: &str) -> Vec<String> {
    let output = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectsV2 on {bucket}: {e}"));
    output
        .contents
        .unwrap_or_default()
        .into_iter()
        .filter_map(|o| o.key)
        .collect()
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn zonal_requests_are_signed_with_the_bucket_session() {
    let setup = setup().await;
    let client = setup.client();
    assert_eq!(list(&client, BUCKET).await, sorted(&KEYS));
    let head = client
        .head_object()
        .bucket(BUCKET)
        .key(KEYS[1])
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length, Some(11));
    let metadata = head.metadata.unwrap();
    assert_eq!(metadata["plain"], "text");
    assert_eq!(
        metadata["latin"], "caf\u{e9}",
        "obs-text is read byte by byte"
    );

    let requests = setup.server.requests();
    let shape: Vec<(&str, Auth)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.auth.clone()))
        .collect();
    assert_eq!(
        shape,
        [
            ("GET", base(ALICE.0)),
            ("GET", Auth::Session { id: 1 }),
            ("HEAD", Auth::Session { id: 1 }),
        ]
    );
    assert!(requests[0].query.contains("session"));
    assert_eq!(requests[0].session_mode, None, "no mode header by default");
    assert!(requests.iter().all(|r| r.status == 200), "{requests:?}");
}

#[tokio::test]
async fn keys_xml_cannot_carry_round_trip_unless_the_caller_chose_an_encoding() {
    let setup = setup().await;
    let client = setup.client();
    let output = client
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert_eq!(output.encoding_type, None, "decoded for the caller");
    let request = &setup.server.requests()[1];
    assert!(request.query.contains("encoding-type=url"), "{request:?}");

    let output = client
        .list_objects_v2()
        .bucket(BUCKET)
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    assert_eq!(output.encoding_type, Some(EncodingType::Url));
    let keys: Vec<String> = output
        .contents
        .unwrap_or_default()
        .into_iter()
        .filter_map(|o| o.key)
        .collect();
    assert!(keys.contains(&"ctl%01key".to_owned()), "{keys:?}");
    assert!(keys.contains(&"na%C3%AFve/%C3%A9".to_owned()), "{keys:?}");
}

#[tokio::test]
async fn a_thousand_concurrent_calls_create_one_session() {
    let setup = setup().await;
    setup
        .server
        .set_create_session_delay(Duration::from_millis(200));
    let client = setup.client();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { list(&client, BUCKET).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), sorted(&KEYS));
    }
    assert_eq!(setup.server.create_session_calls(), 1);
    assert_eq!(setup.sessions_used(), vec![1; 1000]);
}

#[tokio::test]
async fn a_session_in_its_refresh_window_is_refreshed_in_the_background() {
    let setup = setup().await;
    let client = setup.client();
    list(&client, BUCKET).await;
    // 50 s left: inside the 60 s refresh window, outside the 10 s in which callers wait.
    setup.clock.advance(Duration::from_secs(250));
    setup
        .server
        .set_create_session_delay(Duration::from_secs(1));
    for _ in 0..5 {
        list(&client, BUCKET).await;
    }
    // The refresh is still under way: every call went out with the old session.
    assert_eq!(setup.sessions_used(), vec![1; 6]);
    setup.until_create_sessions(2).await;
    for _ in 0..200 {
        list(&client, BUCKET).await;
        if setup.sessions_used().last() == Some(&2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(setup.sessions_used().last(), Some(&2));
    assert_eq!(setup.server.create_session_calls(), 2, "one refresh");
}

#[tokio::test]
async fn a_session_near_or_past_its_expiry_is_never_used() {
    let setup = setup().await;
    let client = setup.client();
    list(&client, BUCKET).await;
    // 5 s left: callers wait for a new session rather than risk an expired one.
    setup.clock.advance(Duration::from_secs(295));
    list(&client, BUCKET).await;
    assert_eq!(setup.sessions_used(), [1, 2]);
    // Past the second session's expiry.
    setup.clock.advance(Duration::from_secs(301));
    list(&client, BUCKET).await;
    assert_eq!(setup.sessions_used(), [1, 2, 3]);
    assert!(setup.server.requests().iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn a_failed_create_session_reaches_every_waiter_and_is_not_cached() {
    let setup = setup().await;
    setup
        .server
        .fail_create_sessions(1, SessionFailure::AccessDenied);
    setup
        .server
        .set_create_session_delay(Duration::from_millis(200));
    let client = setup.client();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_objects_v2().bucket(BUCKET).send().await })
        })
        .collect();
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, s3_client::Error::Credentials(_)), "{text}");
        assert!(
            text.contains("CreateSession") && text.contains(BUCKET),
            "{text}"
        );
    }
    assert_eq!(setup.server.create_session_calls(), 1);
    assert_eq!(list(&client, BUCKET).await, sorted(&KEYS));
    assert_eq!(setup.server.create_session_calls(), 2);
}

#[tokio::test]
async fn answers_without_usable_credentials_are_errors() {
    let setup = setup().await;
    let client = setup.client();
    for (failure, says) in [
        (SessionFailure::NoCredentials, "Credentials"),
        (SessionFailure::EmptySecret, "without a secret access key"),
    ] {
        setup.server.fail_create_sessions(1, failure);
        let err = client
            .list_objects_v2()
            .bucket(BUCKET)
            .send()
            .await
            .unwrap_err();
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(e) = source {
            text = format!("{text} / {e}");
            source = e.source();
        }
        assert!(text.contains(says), "{failure:?}: {text}");
    }
    assert!(setup.sessions_used().is_empty(), "no request went out");
    assert_eq!(list(&client, BUCKET).await, sorted(&KEYS));
}

#[tokio::test]
async fn a_dropped_caller_does_not_cancel_the_session_load() {
    let setup = setup().await;
    setup
        .server
        .set_create_session_delay(Duration::from_millis(300));
    let client = setup.client();
    let call = client.list_objects_v2().bucket(BUCKET).send();
    assert!(tokio::time::timeout(Duration::from_millis(50), call)
        .await
        .is_err());
    setup.until_create_sessions(1).await;
    // The load finished without its caller: the session is there for the next one.
    tokio::time::sleep(Duration::from_millis(400)).await;
    setup.server.set_create_session_delay(Duration::ZERO);
    list(&client, BUCKET).await;
    assert_eq!(setup.server.create_session_calls(), 1);
    assert_eq!(setup.sessions_used(), [1]);
}

#[tokio::test]
async fn a_refresh_completes_though_the_caller_that_started_it_is_dropped() {
    let setup = setup().await;
    let client = setup.client();
    list(&client, BUCKET).await;
    setup.clock.advance(Duration::from_secs(250));
    setup
        .server
        .set_create_session_delay(Duration::from_millis(200));
    // Polled once (the lookup starts the refresh), then dropped mid-request.
    let call = client.list_objects_v2().bucket(BUCKET).send();
    assert!(tokio::time::timeout(Duration::ZERO, call).await.is_err());
    setup.until_create_sessions(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    setup.server.set_create_session_delay(Duration::ZERO);
    list(&client, BUCKET).await;
    assert_eq!(
        setup.sessions_used().last(),
        Some(&2),
        "the refreshed session"
    );
    assert_eq!(setup.server.create_session_calls(), 2);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_session_and_is_retried_after_a_pause() {
    let setup = setup().await;
    // A wider refresh window, so that the clock moves less than the 4 min at which the failed
    // CreateSession's 403 would be blamed on clock skew (and retried).
    let config = setup
        .config
        .to_builder()
        .session_cache(SessionCacheConfig {
            refresh_window: Duration::from_secs(120),
            ..SessionCacheConfig::default()
        })
        .build();
    let client = Client::new(&config);
    list(&client, BUCKET).await;
    setup.clock.advance(Duration::from_secs(200));
    setup
        .server
        .fail_create_sessions(1, SessionFailure::AccessDenied);
    list(&client, BUCKET).await; // starts the refresh, which fails
    setup.until_create_sessions(2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..5 {
        list(&client, BUCKET).await;
    }
    assert_eq!(
        setup.server.create_session_calls(),
        2,
        "no refresh on every request"
    );
    assert_eq!(
        setup.sessions_used(),
        [1; 7],
        "the old session stays in use"
    );
    // After the pause, the next request starts the refresh again, and it succeeds.
    setup.clock.advance(s3_runtime::express::REFRESH_BACKOFF);
    list(&client, BUCKET).await;
    setup.until_create_sessions(3).await;
}

#[tokio::test]
async fn the_least_recently_used_session_is_evicted_at_capacity() {
    let setup = setup().await;
    let config = setup
        .config
        .to_builder()
        .session_cache(SessionCacheConfig {
            capacity: 2,
            ..SessionCacheConfig::default()
        })
        .build();
    let client = Client::new(&config);
    let [a, b, c] = [BUCKET, OTHER_BUCKETS[0], OTHER_BUCKETS[1]];
    for bucket in [a, b, a, c] {
        list(&client, bucket).await;
    }
    // c evicted b, the least recently used; a is still cached, b is created again.
    assert_eq!(setup.server.create_session_calls(), 3);
    list(&client, a).await;
    assert_eq!(setup.server.create_session_calls(), 3);
    list(&client, b).await;
    assert_eq!(setup.server.create_session_calls(), 4);
    assert_eq!(config.runtime().sessions().len(), 2);
}

#[tokio::test]
async fn identities_and_modes_sharing_a_cache_get_sessions_of_their_own() {
    let setup = setup().await;
    let alice = setup.client();
    let bob = Client::new(
        &setup
            .config
            .to_builder()
            .credentials(Credentials::new(BOB.0, BOB.1, None, None))
            .build(),
    );
    let read_only = Client::new(
        &setup
            .config
            .to_builder()
            .session_mode(SessionMode::ReadOnly)
            .build(),
    );
    for client in [&alice, &bob, &read_only, &alice, &bob, &read_only] {
        list(client, BUCKET).await;
    }
    assert_eq!(setup.server.create_session_calls(), 3);
    let creators: Vec<(Auth, Option<String>)> = setup
        .server
        .requests()
        .into_iter()
        .filter(|r| r.query.contains("session"))
        .map(|r| (r.auth, r.session_mode))
        .collect();
    assert_eq!(
        creators,
        [
            (base(ALICE.0), None),
            (base(BOB.0), None),
            (base(ALICE.0), Some("ReadOnly".to_owned())),
        ]
    );
    assert_eq!(setup.sessions_used(), [1, 2, 3, 1, 2, 3]);
    assert_eq!(
        setup.config.runtime().sessions().len(),
        3,
        "one shared cache"
    );
}

#[tokio::test]
async fn head_bucket_and_create_session_sign_with_the_base_credentials() {
    let setup = setup().await;
    let client = setup.client();
    let head = client.head_bucket().bucket(BUCKET).send().await.unwrap();
    assert_eq!(head.bucket_region.as_deref(), Some(REGION));
    let session = client.create_session().bucket(BUCKET).send().await.unwrap();
    assert!(!session.credentials.session_token.is_empty());
    assert_eq!(setup.auths(), [base(ALICE.0), base(ALICE.0)]);
    assert!(
        setup.config.runtime().sessions().is_empty(),
        "neither touched the session cache"
    );
}

#[tokio::test]
async fn session_auth_can_be_turned_off_by_config_or_environment() {
    let setup = setup().await;
    let by_config = setup
        .config
        .to_builder()
        .disable_s3_express_session_auth(true)
        .build();
    let by_env = Config::from_env_with(Env::from_vars([
        ("AWS_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", ALICE.0),
        ("AWS_SECRET_ACCESS_KEY", ALICE.1),
        ("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH", "true"),
    ]))
    .unwrap()
    .to_builder()
    .endpoint_url(setup.server.endpoint.clone())
    .build();
    assert_eq!(by_env.disable_s3_express_session_auth(), Some(true));
    for config in [by_config, by_env] {
        assert_eq!(list(&Client::new(&config), BUCKET).await, sorted(&KEYS));
    }
    assert_eq!(setup.server.create_session_calls(), 0);
    assert_eq!(setup.auths(), [base(ALICE.0), base(ALICE.0)]);
}

#[tokio::test]
async fn session_credentials_are_the_ones_requests_are_signed_with() {
    let setup = setup().await;
    let client = setup.client();
    let credentials = client.session_credentials(BUCKET).await.unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert!(credentials.session_token().is_some());
    // The server writes the expiry in whole seconds.
    let lifetime = credentials
        .expiry()
        .unwrap()
        .duration_since(setup.clock.now())
        .unwrap();
    assert!(lifetime > Duration::from_secs(298), "{lifetime:?}");
    list(&client, BUCKET).await;
    assert_eq!(setup.server.create_session_calls(), 1);
    assert_eq!(setup.sessions_used(), [1]);
    let again = client.session_credentials(BUCKET).await.unwrap();
    assert_eq!(again, credentials);
    assert!(format!("{credentials:?}").contains("redacted"));
}

#[tokio::test]
async fn a_session_the_service_calls_expired_is_replaced_and_the_request_retried() {
    let now = SystemTime::now();
    let server_clock = Arc::new(TestClock(Mutex::new(now)));
    let setup =
        setup_with_server_clock(Arc::new(TestClock(Mutex::new(now))), server_clock.clone()).await;
    let client = setup.client();
    list(&client, BUCKET).await;
    // The service's clock runs ahead: it sees the session as expired, the client does not.
    server_clock.advance(Duration::from_secs(301));
    assert_eq!(list(&client, BUCKET).await, sorted(&KEYS));
    let outcomes: Vec<(Auth, u16)> = setup
        .server
        .requests()
        .into_iter()
        .filter(|r| !r.query.contains("session"))
        .map(|r| (r.auth, r.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Auth::Session { id: 1 }, 200),
            (
                Auth::Rejected("The provided token has expired.".to_owned()),
                400
            ),
            (Auth::Session { id: 2 }, 200),
        ]
    );
    assert_eq!(setup.server.create_session_calls(), 2);
}

/// The hex SHA-256 of `data`, as `x-amz-content-sha256` carries it.
fn sha256_hex(data: &[u8]) -> String {
    let base64 = s3_runtime::checksum::checksum(s3_runtime::checksum::Algorithm::Sha256, data);
    let digest = s3_runtime::types::base64_decode(&base64).unwrap();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How each request went: method, how it authenticated, status and `x-amz-content-sha256`.
fn outcomes(requests: &[Recorded]) -> Vec<(&str, Auth, u16, Option<&str>)> {
    requests
        .iter()
        .map(|r| {
            let sha = r.content_sha256.as_deref();
            (r.method.as_str(), r.auth.clone(), r.status, sha)
        })
        .collect()
}

#[tokio::test]
async fn put_and_get_object_are_signed_with_the_bucket_session() {
    let setup = setup().await;
    let client = setup.client();
    let key = "uploads/naïve é+1.txt";
    let data = Bytes::from_static(b"an object put and got with one S3 Express session");
    let metadata = std::collections::BTreeMap::from([("colour".to_owned(), "blue".to_owned())]);
    let put = client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .content_type("text/plain")
        .metadata(metadata)
        .body(data.clone())
        .send()
        .await
        .unwrap();
    let output = client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(output.content_length, Some(data.len() as i64));
    assert_eq!(output.body.len(), Some(data.len() as u64));
    assert!(put.etag.is_some());
    assert_eq!(output.etag, put.etag);
    assert_eq!(output.content_type.as_deref(), Some("text/plain"));
    assert_eq!(output.metadata.unwrap()["colour"], "blue");
    assert_eq!(output.body.collect().await.unwrap(), data);

    let requests = setup.server.requests();
    let data_hash = sha256_hex(&data);
    assert_eq!(
        outcomes(&requests),
        [
            ("GET", base(ALICE.0), 200, Some(EMPTY_SHA256)),
            // The body in memory is signed with its hash, which the server checked.
            (
                "PUT",
                Auth::Session { id: 1 },
                200,
                Some(data_hash.as_str())
            ),
            ("GET", Auth::Session { id: 1 }, 200, Some(EMPTY_SHA256)),
        ]
    );
    assert!(requests[0].query.contains("session"));
    assert_eq!(requests[1].path, requests[2].path);
    assert_eq!(
        setup.server.create_session_calls(),
        1,
        "one session for both"
    );
    assert_eq!(setup.sessions_used(), [1, 1]);
    assert!(list(&client, BUCKET).await.contains(&key.to_owned()));
}

/// A stream over an iterator.
struct Iter<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.0.next())
    }
}

fn stream(data: &Bytes, len: Option<u64>) -> ByteStream {
    let pieces: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(1000)
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    ByteStream::from_stream(Iter(pieces.into_iter()), len)
}

#[tokio::test]
async fn files_and_streams_are_put_with_the_session() {
    let setup = setup().await;
    let client = setup.client();
    let data: Bytes = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let path = std::env::temp_dir().join(s3_tests::unique_bucket_name("express-upload"));
    std::fs::write(&path, &data).unwrap();
    let file = ByteStream::from_path(&path).await.unwrap();
    let sized = stream(&data, Some(data.len() as u64));
    for (key, body) in [("file", file), ("stream", sized)] {
        client
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let got = client
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap();
        assert!(got == data, "{key}: the object differs");
    }
    std::fs::remove_file(&path).unwrap();

    let requests = setup.server.requests();
    let session = Auth::Session { id: 1 };
    let data_hash = sha256_hex(&data);
    assert_eq!(
        outcomes(&requests[1..]),
        [
            // A file over plain HTTP is read once for its hash before it is sent.
            ("PUT", session.clone(), 200, Some(data_hash.as_str())),
            ("GET", session.clone(), 200, Some(EMPTY_SHA256)),
            // A stream cannot be hashed before it is sent.
            ("PUT", session.clone(), 200, Some(UNSIGNED_PAYLOAD)),
            ("GET", session, 200, Some(EMPTY_SHA256)),
        ]
    );
    assert_eq!(setup.server.create_session_calls(), 1);
}
