//! The container credentials provider against a fake ECS / EKS Pod Identity agent on 127.0.0.1
//! that checks the `Authorization` header.

#[path = "credentials_support.rs"]
mod credentials_support;
mod support;

use std::sync::Arc;

use credentials_support::{
    assert_no_secret, assert_refreshed_before_expiry, header, provide, request_line, rfc3339,
    ManualClock, TempDir, LIFETIME,
};
use s3_runtime::credentials::{ChainProvider, ContainerProvider};
use s3_runtime::profile::Env;
use s3_runtime::time::Clock;
use support::{respond, Server};

/// An agent serving `GET /creds` to requests authorized with `token`, with numbered
/// credentials that live [`LIFETIME`] on `clock`.
async fn agent(clock: Arc<ManualClock>, token: &'static str) -> Server {
    Server::start(move |index, request| {
        if header(request, "authorization") != Some(token) {
            let body = r#"{"code": "AccessDeniedException", "message": "bad token"}"#;
            return respond(401, &[("content-type", "application/json")], body);
        }
        if request_line(request) != "GET /creds HTTP/1.1" {
            return respond(404, &[], "");
        }
        let body = format!(
            r#"{{"AccessKeyId": "ASIACONTAINER{index}", "SecretAccessKey": "container-secret",
                "Token": "container-token", "AccountId": "123456789012",
                "Expiration": "{}"}}"#,
            rfc3339(clock.now() + LIFETIME)
        );
        respond(200, &[("content-type", "application/json")], &body)
    })
    .await
}

#[tokio::test]
async fn sends_the_token_from_the_environment_or_its_file() {
    let clock = ManualClock::new();
    let server = agent(clock.clone(), "env-token").await;
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.uri("/creds")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token".to_owned()),
    ]);
    let provider = ContainerProvider::new(env);
    let credentials = provide(&provider).await.unwrap();
    assert_eq!(credentials.access_key_id(), "ASIACONTAINER0");
    assert_eq!(credentials.session_token(), Some("container-token"));
    assert_eq!(credentials.expiry(), Some(clock.now() + LIFETIME));
    assert_eq!(
        header(&server.requests()[0], "accept"),
        Some("application/json")
    );
    assert_no_secret(
        &format!("{provider:?} {credentials:?}"),
        &["container-secret", "env-token"],
    );

    // The token file wins over the variable; its line end is not part of the token.
    let dir = TempDir::new("container-token-file");
    let file = dir.write("token", "file-token\n");
    let server = agent(clock.clone(), "file-token").await;
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.uri("/creds")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token".to_owned()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.display().to_string(),
        ),
    ]);
    let provider = ContainerProvider::new(env);
    assert_eq!(
        provide(&provider).await.unwrap().access_key_id(),
        "ASIACONTAINER0"
    );
    // The file is read on every call: a rotated token is used at once.
    std::fs::write(&file, "rotated-token").unwrap();
    let error = provide(&provider).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "no credentials: container: {}: HTTP 401: AccessDeniedException: bad token",
            server.uri("/creds")
        )
    );
    assert!(!error.is_not_found());
    assert_no_secret(&format!("{error:?}"), &["rotated-token", "file-token"]);
}

#[tokio::test]
async fn the_cache_refreshes_container_credentials_before_they_expire() {
    let clock = ManualClock::new();
    let server = agent(clock.clone(), "t").await;
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.uri("/creds")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "t".to_owned()),
    ]);
    let provider = Arc::new(ContainerProvider::new(env));
    assert_refreshed_before_expiry(provider, &clock, || server.requests().len()).await;
}

#[tokio::test]
async fn credentials_are_not_sent_in_clear_to_other_hosts() {
    // 192.0.2.0/24 is reserved for documentation: nothing is ever sent there.
    let env = Env::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://192.0.2.1/creds",
    )]);
    let error = provide(&ContainerProvider::new(env)).await.unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        "no credentials: container: http://192.0.2.1/creds: an http endpoint must be a loopback \
         address or 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; use https for other hosts"
    );

    let missing = TempDir::new("container-missing-token");
    let env = Env::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:1/creds".to_owned(),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            missing.path("token"),
        ),
    ]);
    let error = provide(&ContainerProvider::new(env)).await.unwrap_err();
    assert!(
        error.to_string().contains(&format!(
            "cannot read the authorization token file {}",
            missing.path("token")
        )),
        "{error}"
    );
}

#[tokio::test]
async fn bad_answers_are_errors() {
    let server = Server::start(|index, _| match index {
        0 => respond(
            200,
            &[],
            r#"{"AccessKeyId": "ASIA", "SecretAccessKey": "container-secret"#,
        ),
        1 => respond(200, &[], r#"{"AccessKeyId": "ASIA"}"#),
        _ => respond(500, &[], "<html>oops</html>"),
    })
    .await;
    let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.uri("/creds"))]);
    let provider = ContainerProvider::new(env);
    for expected in [
        "malformed JSON: EOF while parsing a string",
        "`SecretAccessKey` is missing",
        "HTTP 500",
    ] {
        let error = provide(&provider).await.unwrap_err().to_string();
        assert!(error.contains(expected), "{expected} not in {error}");
        assert_no_secret(&error, &["container-secret"]);
    }
    // No token configured: no Authorization header.
    assert_eq!(header(&server.requests()[0], "authorization"), None);
}

#[tokio::test]
async fn the_default_chain_tries_containers_before_imds() {
    let clock = ManualClock::new();
    let server = agent(clock, "t").await;
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.uri("/creds")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "t".to_owned()),
        // Were IMDS asked, this would fail the test.
        (
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "http://127.0.0.1:1".to_owned(),
        ),
    ]);
    let credentials = provide(&ChainProvider::default_chain(env)).await.unwrap();
    assert_eq!(credentials.access_key_id(), "ASIACONTAINER0");

    let error = provide(&ContainerProvider::new(Env::from_vars([("A", "b")])))
        .await
        .unwrap_err();
    assert!(error.is_not_found());
}
