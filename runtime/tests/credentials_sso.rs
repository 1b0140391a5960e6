//! SSO profiles against the token cache `aws sso login` writes and a fake SSO portal on
//! 127.0.0.1 that checks the bearer token.

#[path = "credentials_support.rs"]
mod credentials_support;
mod support;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use credentials_support::{
    assert_no_secret, assert_refreshed_before_expiry, header, provide, request_line, rfc3339,
    ManualClock, TempDir, LIFETIME,
};
use s3_runtime::credentials::{ProfileProvider, ProviderConfig};
use s3_runtime::profile::Env;
use s3_runtime::time::Clock;
use support::{respond, Server};

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Reader
region = us-west-2

[sso-session corp]
sso_region = eu-west-1
sso_start_url = https://corp.awsapps.com/start
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Reader
";

/// The cache files of `printf %s corp | sha1sum` and of the start URL likewise.
const SESSION_CACHE: &str = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
const LEGACY_CACHE: &str = ".aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json";

/// A portal that gives role `Reader` of account 111122223333 numbered credentials living
/// [`LIFETIME`] on `clock`, to requests bearing `sso-access-token`.
async fn portal(clock: Arc<ManualClock>) -> Server {
    Server::start(move |index, request| {
        if header(request, "x-amz-sso_bearer_token") != Some("sso-access-token") {
            let body = r#"{"message": "Session token not found or invalid"}"#;
            return respond(401, &[("x-amzn-errortype", "UnauthorizedException:")], body);
        }
        let expected =
            "GET /federation/credentials?role_name=Reader&account_id=111122223333 HTTP/1.1";
        if request_line(request) != expected {
            return respond(400, &[], "");
        }
        let expiration = clock.now() + LIFETIME;
        let millis = expiration.duration_since(UNIX_EPOCH).unwrap().as_millis();
        let body = format!(
            r#"{{"roleCredentials": {{"accessKeyId": "ASIASSO{index}",
                "secretAccessKey": "sso-secret", "sessionToken": "sso-token",
                "expiration": {millis}}}}}"#
        );
        respond(200, &[("content-type", "application/json")], &body)
    })
    .await
}

/// A home directory with `CONFIG` and a token cached at `cache`, expiring in `expires_in` on
/// `clock`, and the environment of profile `profile` pointing the SSO endpoint at `server`.
fn setup(
    test: &str,
    cache: &str,
    token: &str,
    expires_in: Duration,
    clock: &Arc<ManualClock>,
    server: &Server,
    profile: &str,
) -> (TempDir, ProfileProvider) {
    let home = TempDir::new(test);
    home.write(".aws/config", CONFIG);
    let expires_at = rfc3339(clock.now() + expires_in);
    home.write(
        cache,
        &format!(
            r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "{token}", "expiresAt": "{expires_at}",
                "clientId": "c", "clientSecret": "client-secret", "refreshToken": "r"}}"#
        ),
    );
    let env = Env::from_vars([
        ("HOME", home.0.display().to_string()),
        ("AWS_PROFILE", profile.to_owned()),
        ("AWS_ENDPOINT_URL_SSO", server.uri("")),
    ]);
    let provider = ProfileProvider::new(ProviderConfig::new(env).with_clock(clock.clone()));
    (home, provider)
}

const HOURS_8: Duration = Duration::from_secs(8 * 3600);

#[tokio::test]
async fn exchanges_the_cached_token_for_role_credentials() {
    let clock = ManualClock::new();
    let server = portal(clock.clone()).await;
    for (profile, cache) in [("dev", SESSION_CACHE), ("legacy", LEGACY_CACHE)] {
        let test = format!("sso-{profile}");
        let (_home, provider) = setup(
            &test,
            cache,
            "sso-access-token",
            HOURS_8,
            &clock,
            &server,
            profile,
        );
        let credentials = provide(&provider).await.unwrap();
        assert!(credentials.access_key_id().starts_with("ASIASSO"));
        assert_eq!(credentials.secret_access_key(), "sso-secret");
        assert_eq!(credentials.session_token(), Some("sso-token"));
        assert_eq!(credentials.expiry(), Some(clock.now() + LIFETIME));
        assert_no_secret(
            &format!("{provider:?} {credentials:?}"),
            &["sso-secret", "sso-access-token"],
        );
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_cache_refreshes_sso_credentials_before_they_expire() {
    let clock = ManualClock::new();
    let server = portal(clock.clone()).await;
    let (_home, provider) = setup(
        "sso-refresh",
        SESSION_CACHE,
        "sso-access-token",
        HOURS_8,
        &clock,
        &server,
        "dev",
    );
    assert_refreshed_before_expiry(Arc::new(provider), &clock, || server.requests().len()).await;
}

#[tokio::test]
async fn an_expired_or_refused_token_says_to_log_in_again() {
    let clock = ManualClock::new();
    let server = portal(clock.clone()).await;
    let (home, provider) = setup(
        "sso-expired",
        SESSION_CACHE,
        "sso-access-token",
        Duration::from_secs(60),
        &clock,
        &server,
        "dev",
    );
    clock.advance(Duration::from_secs(60));
    let error = provide(&provider).await.unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        format!(
            "no credentials: profile `dev`: the SSO token cached at {} expired at \
             2023-11-14T22:14:20Z: run `aws sso login --profile dev`",
            home.path(SESSION_CACHE)
        )
    );
    assert!(server.requests().is_empty(), "an expired token was sent");

    let (_home, provider) = setup(
        "sso-refused",
        SESSION_CACHE,
        "stale-access-token",
        HOURS_8,
        &clock,
        &server,
        "dev",
    );
    let error = provide(&provider).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "no credentials: profile `dev`: SSO GetRoleCredentials of role `Reader` in account \
         111122223333 refused the cached token; run `aws sso login --profile dev`: HTTP 401: \
         UnauthorizedException: Session token not found or invalid"
    );
    assert_no_secret(&format!("{error:?}"), &["stale-access-token"]);
}

#[tokio::test]
async fn a_missing_or_broken_cache_is_an_error() {
    let clock = ManualClock::new();
    let server = portal(clock.clone()).await;
    let (home, provider) = setup(
        "sso-missing",
        ".aws/sso/cache/other.json",
        "sso-access-token",
        HOURS_8,
        &clock,
        &server,
        "dev",
    );
    let error = provide(&provider).await.unwrap_err();
    assert_eq!(
        error.message(),
        format!(
            "profile `dev`: no SSO token is cached at {}: run `aws sso login --profile dev`",
            home.path(SESSION_CACHE)
        )
    );

    home.write(
        SESSION_CACHE,
        r#"{"accessToken": "sso-access-token", "expiresAt": 17}"#,
    );
    let error = provide(&provider).await.unwrap_err().to_string();
    assert!(error.ends_with("`expiresAt` is not a string"), "{error}");
    home.write(SESSION_CACHE, r#"{"accessToken": "sso-access-tok"#);
    let error = provide(&provider).await.unwrap_err().to_string();
    assert!(error.contains("malformed JSON"), "{error}");
    assert_no_secret(&error, &["sso-access-tok"]);
}
