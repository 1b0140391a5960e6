//! The IMDSv2 provider against a fake instance metadata service on 127.0.0.1 that, like the
//! real one, answers 401 to a request without the session token.

#[path = "credentials_support.rs"]
mod credentials_support;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use credentials_support::{
    assert_no_secret, assert_refreshed_before_expiry, header, provide, request_line, rfc3339,
    ManualClock, LIFETIME,
};
use s3_runtime::credentials::{ChainProvider, ImdsProvider, ProviderConfig};
use s3_runtime::profile::Env;
use s3_runtime::time::Clock;
use support::{respond, Reply, Server};

const TOKEN: &str = "imds-session-token";
const ROLES: &str = "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1";
const ROLE: &str = "GET /latest/meta-data/iam/security-credentials/test-role HTTP/1.1";

/// The instance metadata service of an instance with role `test-role`, whose credentials are
/// numbered by request and live [`LIFETIME`] on `clock`; `answer` replaces the credentials
/// document when given.
async fn imds(clock: Arc<ManualClock>, answer: Option<&'static str>) -> Server {
    Server::start(move |index, request| {
        if request_line(request) == "PUT /latest/api/token HTTP/1.1" {
            return match header(request, "x-aws-ec2-metadata-token-ttl-seconds") {
                Some("21600") => respond(200, &[], TOKEN),
                _ => respond(400, &[], ""),
            };
        }
        if header(request, "x-aws-ec2-metadata-token") != Some(TOKEN) {
            return respond(401, &[], "");
        }
        match request_line(request) {
            ROLES => respond(200, &[], "test-role\n"),
            ROLE => {
                let document = format!(
                    r#"{{"Code": "Success", "LastUpdated": "2023-11-14T22:00:00Z",
                        "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS{index}",
                        "SecretAccessKey": "imds-secret", "Token": "imds-token",
                        "Expiration": "{}"}}"#,
                    rfc3339(clock.now() + LIFETIME)
                );
                respond(200, &[], answer.unwrap_or(&document))
            }
            _ => respond(404, &[], ""),
        }
    })
    .await
}

fn provider(endpoint: &str, clock: &Arc<ManualClock>) -> ImdsProvider {
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)]);
    ImdsProvider::new(ProviderConfig::new(env).with_clock(clock.clone()))
}

/// A 127.0.0.1 port that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn loads_the_role_credentials_with_a_session_token() {
    let clock = ManualClock::new();
    let server = imds(clock.clone(), None).await;
    // The service refuses a request without the token.
    let without_token = get_without_token(&server, "/latest/meta-data/iam/security-credentials/");
    assert!(without_token.await.starts_with("HTTP/1.1 401"));

    let provider = provider(&server.uri("/"), &clock);
    let credentials = provide(&provider).await.unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAIMDS3");
    assert_eq!(credentials.secret_access_key(), "imds-secret");
    assert_eq!(credentials.session_token(), Some("imds-token"));
    assert_eq!(credentials.expiry(), Some(clock.now() + LIFETIME));
    let requests = server.requests();
    let lines: Vec<&str> = requests[1..].iter().map(|r| request_line(r)).collect();
    assert_eq!(lines, ["PUT /latest/api/token HTTP/1.1", ROLES, ROLE]);
    assert_no_secret(
        &format!("{provider:?} {credentials:?}"),
        &["imds-secret", TOKEN],
    );
}

/// A GET of `path` without any IMDS header, by hand: the raw status line.
async fn get_without_token(server: &Server, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: imds\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // The server keeps the connection open: read the head only.
    let mut answer = Vec::new();
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let mut chunk = [0; 1024];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed before the head");
        answer.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(answer).unwrap()
}

#[tokio::test]
async fn the_cache_refreshes_imds_credentials_before_they_expire() {
    let clock = ManualClock::new();
    let server = imds(clock.clone(), None).await;
    let provider = Arc::new(provider(&server.uri(""), &clock));
    assert_refreshed_before_expiry(provider, &clock, || server.requests().len()).await;
}

#[tokio::test]
async fn off_ec2_the_provider_finds_nothing_quickly() {
    let clock = ManualClock::new();
    let started = Instant::now();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let error = provide(&provider(&endpoint, &clock)).await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert!(
        error.message().starts_with(&format!(
            "imds: no instance metadata service at {endpoint}: "
        )),
        "{error}"
    );

    // A service that never answers is given up on after the 1 s read timeout.
    let silent = Server::start(|_, _| Reply::Hang).await;
    let error = provide(&provider(&silent.uri(""), &clock))
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let disabled = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", silent.uri("")),
        ("AWS_EC2_METADATA_DISABLED", "TRUE".to_owned()),
    ]);
    let error = provide(&ImdsProvider::new(disabled)).await.unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.message(), "imds: AWS_EC2_METADATA_DISABLED is true");
    assert_eq!(silent.requests().len(), 1);
}

#[tokio::test]
async fn an_instance_without_a_role_has_no_credentials() {
    let server = Server::start(|_, request| match request_line(request) {
        "PUT /latest/api/token HTTP/1.1" => respond(200, &[], TOKEN),
        _ => respond(404, &[], ""),
    })
    .await;
    let error = provide(&provider(&server.uri(""), &ManualClock::new()))
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(
        error.message(),
        format!("imds: the instance at {} has no IAM role", server.uri(""))
    );
}

#[tokio::test]
async fn bad_answers_are_errors_that_quote_no_secret() {
    let clock = ManualClock::new();
    for (answer, expected) in [
        (
            r#"{"Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "imds-secret""#,
            "malformed JSON: EOF while parsing an object",
        ),
        (
            r#"{"Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "imds-secret",
                "Expiration": "imds-secret"}"#,
            "`Expiration` is not an RFC 3339 timestamp",
        ),
        (
            r#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"}"#,
            "the credentials of role `test-role` are not available: `Code` is \
             `AssumeRoleUnauthorizedAccess`",
        ),
        ("", "malformed JSON: EOF while parsing a value"),
    ] {
        let server = imds(clock.clone(), Some(answer)).await;
        let error = provide(&provider(&server.uri(""), &clock))
            .await
            .unwrap_err();
        assert!(!error.is_not_found(), "{error}");
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "no credentials: imds: {}: {expected}",
                server.uri("")
            )),
            "{text}"
        );
        assert_no_secret(&format!("{text} {error:?}"), &["imds-secret", TOKEN]);
    }
}

#[tokio::test]
async fn the_default_chain_ends_with_imds() {
    let clock = ManualClock::new();
    let server = imds(clock.clone(), None).await;
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.uri(""))]);
    let chain = ChainProvider::default_chain(env);
    assert!(provide(&chain)
        .await
        .unwrap()
        .access_key_id()
        .starts_with("ASIAIMDS"));

    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.as_str())]);
    let error = provide(&ChainProvider::default_chain(env))
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert!(
        error.message().contains(&format!(
            "; container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor \
             AWS_CONTAINER_CREDENTIALS_FULL_URI is set; \
             imds: no instance metadata service at {endpoint}: "
        )),
        "{error}"
    );
}
