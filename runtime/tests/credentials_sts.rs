//! Roles assumed from profiles and web identity tokens, against a fake STS on 127.0.0.1 that
//! reads the query-protocol form and answers in XML. (`tests/tests/sts.rs` runs the same
//! providers against moto, which checks the signatures.)

#[path = "credentials_support.rs"]
mod credentials_support;
mod support;

use std::collections::HashMap;
use std::sync::Arc;

use credentials_support::{
    assert_no_secret, assert_refreshed_before_expiry, body, header, provide, request_line, rfc3339,
    ManualClock, TempDir, LIFETIME,
};
use s3_runtime::credentials::{
    ChainProvider, ProfileProvider, ProvideCredentials, ProviderConfig, WebIdentityProvider,
};
use s3_runtime::profile::Env;
use s3_runtime::time::Clock;
use support::{respond, Server};

const ROLE: &str = "arn:aws:iam::123456789012:role/test";
const ROLE_ENCODED: &str = "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftest";
const DENIED: &str = "arn:aws:iam::123456789012:role/denied";
const TRUNCATED: &str = "arn:aws:iam::123456789012:role/truncated";

/// The parameters of a form body.
fn form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .unwrap();
            (k.to_owned(), v.into_owned())
        })
        .collect()
}

/// An STS that answers `AssumeRole` (signed) and `AssumeRoleWithWebIdentity` (unsigned, with a
/// token) with numbered credentials living [`LIFETIME`] on `clock`, refuses role `DENIED` and
/// cuts its answer for role `TRUNCATED`.
async fn sts(clock: Arc<ManualClock>) -> Server {
    Server::start(move |index, request| {
        let params = form(body(request));
        let action = params.get("Action").map_or("", String::as_str);
        let signed = header(request, "authorization").is_some();
        let valid = match action {
            "AssumeRole" => signed,
            "AssumeRoleWithWebIdentity" => !signed && params.contains_key("WebIdentityToken"),
            _ => false,
        };
        let role = params.get("RoleArn").map_or("", String::as_str);
        if !valid || role == DENIED {
            let body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                        <Message>not allowed</Message></Error><RequestId>r</RequestId>\
                        </ErrorResponse>";
            return respond(403, &[("content-type", "text/xml")], body);
        }
        let answer = format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <{action}Result><Credentials><AccessKeyId>ASIASTS{index}</AccessKeyId>\
             <SecretAccessKey>sts-secret-{index}</SecretAccessKey>\
             <SessionToken>sts-token-{index}</SessionToken>\
             <Expiration>{}</Expiration></Credentials>\
             <AssumedRoleUser><Arn>{role}</Arn></AssumedRoleUser></{action}Result>\
             </{action}Response>",
            rfc3339(clock.now() + LIFETIME)
        );
        let answer = match role {
            TRUNCATED => &answer[..answer.find("<Expiration>").unwrap()],
            _ => &answer,
        };
        respond(200, &[("content-type", "text/xml")], answer)
    })
    .await
}

const CONFIG: &str = "\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/test
source_profile = base
role_session_name = session
external_id = ext
duration_seconds = 900
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::123456789012:role/test
source_profile = middle

[profile middle]
role_arn = arn:aws:iam::123456789012:role/middle
source_profile = base

[profile from-env]
role_arn = arn:aws:iam::123456789012:role/test
credential_source = Environment

[profile from-imds]
role_arn = arn:aws:iam::123456789012:role/test
credential_source = Ec2InstanceMetadata

[profile denied]
role_arn = arn:aws:iam::123456789012:role/denied
source_profile = base

[profile truncated]
role_arn = arn:aws:iam::123456789012:role/truncated
source_profile = base
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
";

/// The shared files in `dir`, STS at `server`, IMDS off, and `vars`.
fn env(dir: &TempDir, server: &Server, vars: &[(&str, &str)]) -> Env {
    dir.write("config", CONFIG);
    dir.write("credentials", CREDENTIALS);
    let mut all = vec![
        ("AWS_CONFIG_FILE".to_owned(), dir.path("config")),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            dir.path("credentials"),
        ),
        ("AWS_ENDPOINT_URL_STS".to_owned(), server.uri("")),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(all)
}

fn profile(env: Env, clock: &Arc<ManualClock>) -> ProfileProvider {
    ProfileProvider::new(ProviderConfig::new(env).with_clock(clock.clone()))
}

#[tokio::test]
async fn a_role_profile_assumes_its_role_with_the_source_profile_keys() {
    let (dir, clock) = (TempDir::new("sts-role"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let provider = profile(env(&dir, &server, &[("AWS_PROFILE", "dev")]), &clock);
    let credentials = provide(&provider).await.unwrap();
    assert_eq!(credentials.access_key_id(), "ASIASTS0");
    assert_eq!(credentials.secret_access_key(), "sts-secret-0");
    assert_eq!(credentials.session_token(), Some("sts-token-0"));
    assert_eq!(credentials.expiry(), Some(clock.now() + LIFETIME));

    let request = &server.requests()[0];
    assert_eq!(request_line(request), "POST / HTTP/1.1");
    assert_eq!(
        header(request, "content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    assert_eq!(
        body(request),
        format!(
            "Action=AssumeRole&Version=2011-06-15&RoleArn={ROLE_ENCODED}&RoleSessionName=session\
             &ExternalId=ext&DurationSeconds=900"
        )
    );
    // Signed on the injected clock, for the profile's region.
    assert_eq!(header(request, "x-amz-date"), Some("20231114T221320Z"));
    let authorization = header(request, "authorization").unwrap();
    assert!(
        authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDBASE/20231114/eu-west-1/sts/aws4_request, "
        ),
        "{authorization}"
    );
    assert_eq!(header(request, "x-amz-security-token"), None);
    assert_no_secret(
        &format!("{provider:?} {credentials:?}"),
        &["base-secret", "sts-secret-0", "sts-token-0"],
    );
}

#[tokio::test]
async fn chained_roles_are_assumed_from_the_source_outwards() {
    let (dir, clock) = (TempDir::new("sts-chain"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let provider = profile(env(&dir, &server, &[("AWS_PROFILE", "chained")]), &clock);
    assert_eq!(
        provide(&provider).await.unwrap().access_key_id(),
        "ASIASTS1"
    );
    let requests = server.requests();
    let params: Vec<_> = requests.iter().map(|r| form(body(r))).collect();
    assert_eq!(
        params[0]["RoleArn"],
        "arn:aws:iam::123456789012:role/middle"
    );
    assert_eq!(params[1]["RoleArn"], ROLE);
    // Without role_session_name, the session is named after the (injected) time.
    assert_eq!(params[0]["RoleSessionName"], "s3-runtime-1700000000000");
    // The second call is signed with what the first returned; no region set: us-east-1.
    let authorization = header(&requests[1], "authorization").unwrap();
    assert!(
        authorization.contains("Credential=ASIASTS0/20231114/us-east-1/sts/aws4_request"),
        "{authorization}"
    );
    assert_eq!(
        header(&requests[1], "x-amz-security-token"),
        Some("sts-token-0")
    );
}

#[tokio::test]
async fn the_cache_refreshes_assumed_roles_before_they_expire() {
    let (dir, clock) = (TempDir::new("sts-refresh"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let provider = profile(env(&dir, &server, &[("AWS_PROFILE", "chained")]), &clock);
    assert_refreshed_before_expiry(Arc::new(provider), &clock, || server.requests().len()).await;
}

#[tokio::test]
async fn a_named_credential_source_signs_the_call() {
    let (dir, clock) = (TempDir::new("sts-named"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let vars = [
        ("AWS_PROFILE", "from-env"),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
    ];
    let provider = profile(env(&dir, &server, &vars), &clock);
    assert_eq!(
        provide(&provider).await.unwrap().access_key_id(),
        "ASIASTS0"
    );
    let authorization = header(&server.requests()[0], "authorization")
        .unwrap()
        .to_owned();
    assert!(
        authorization.contains("Credential=AKIDENV/"),
        "{authorization}"
    );

    // A source the profile names must have credentials: IMDS off is an error, not "none".
    let provider = profile(env(&dir, &server, &[("AWS_PROFILE", "from-imds")]), &clock);
    let error = provide(&provider).await.unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.message(),
        "profile `from-imds`: credential_source Ec2InstanceMetadata: imds: \
         AWS_EC2_METADATA_DISABLED is true"
    );
}

#[tokio::test]
async fn errors_name_the_profile_the_role_and_the_service_error() {
    let (dir, clock) = (TempDir::new("sts-errors"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let error = provide(&profile(
        env(&dir, &server, &[("AWS_PROFILE", "denied")]),
        &clock,
    ))
    .await
    .unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        format!(
            "no credentials: profile `denied`: AssumeRole of `{DENIED}` failed: HTTP 403: \
             AccessDenied: not allowed"
        )
    );
    let error = provide(&profile(
        env(&dir, &server, &[("AWS_PROFILE", "truncated")]),
        &clock,
    ))
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with(&format!(
            "no credentials: profile `truncated`: AssumeRole of `{TRUNCATED}` failed: \
             malformed XML answer: "
        )),
        "{error}"
    );
    assert_no_secret(&error, &["sts-secret", "sts-token", "base-secret"]);

    // STS unreachable: the error says where it was called.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    // Later variables win, so this one replaces the fake STS.
    let vars = [
        ("AWS_PROFILE", "dev"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    let error = provide(&profile(env(&dir, &server, &vars), &clock))
        .await
        .unwrap_err();
    assert!(!error.is_not_found());
    assert!(
        error.to_string().starts_with(&format!(
            "no credentials: profile `dev`: AssumeRole of `{ROLE}` failed: "
        )),
        "{error}"
    );
}

/// A web identity token file in `dir` holding `token`.
fn token_file(dir: &TempDir, token: &str) -> String {
    dir.write("token", &format!("{token}\n"))
        .display()
        .to_string()
}

#[tokio::test]
async fn web_identity_from_the_environment_is_unsigned_and_rereads_its_token() {
    let (dir, clock) = (TempDir::new("sts-web"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let file = token_file(&dir, "web-token-1");
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_ROLE_SESSION_NAME", "ci"),
    ];
    let config = ProviderConfig::new(env(&dir, &server, &vars)).with_clock(clock.clone());
    let provider = WebIdentityProvider::new(config);
    assert_eq!(
        provide(&provider).await.unwrap().access_key_id(),
        "ASIASTS0"
    );
    token_file(&dir, "web-token-2");
    assert_eq!(
        provide(&provider).await.unwrap().access_key_id(),
        "ASIASTS1"
    );

    let requests = server.requests();
    for (request, token) in requests.iter().zip(["web-token-1", "web-token-2"]) {
        assert_eq!(header(request, "authorization"), None);
        assert_eq!(
            body(request),
            format!(
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={ROLE_ENCODED}\
                 &RoleSessionName=ci&WebIdentityToken={token}"
            )
        );
    }
    assert_no_secret(&format!("{provider:?}"), &["web-token"]);
    assert_refreshed_before_expiry(Arc::new(provider), &clock, || server.requests().len() - 2)
        .await;
}

#[tokio::test]
async fn web_identity_settings_must_be_complete() {
    let (dir, clock) = (TempDir::new("sts-web-half"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let unset = WebIdentityProvider::new(env(&dir, &server, &[("AWS_ROLE_ARN", ROLE)]));
    let error = provide(&unset).await.unwrap_err();
    assert!(error.is_not_found());
    let half = [("AWS_WEB_IDENTITY_TOKEN_FILE", "/token")];
    let error = provide(&WebIdentityProvider::new(env(&dir, &server, &half)))
        .await
        .unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.message(),
        "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
    );
    let missing = dir.path("missing-token");
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", missing.as_str()),
        ("AWS_ROLE_ARN", ROLE),
    ];
    let error = provide(&WebIdentityProvider::new(env(&dir, &server, &vars)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!(
            "no credentials: web identity: reading the web identity token for `{ROLE}` failed: \
             cannot read the web identity token file {missing}: "
        )),
        "{error}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_profile_may_assume_its_role_with_a_web_identity_token() {
    let (dir, clock) = (TempDir::new("sts-web-profile"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let file = token_file(&dir, "profile-web-token");
    let env = env(&dir, &server, &[("AWS_PROFILE", "web")]);
    dir.write(
        "config",
        &format!("[profile web]\nrole_arn = {ROLE}\nweb_identity_token_file = {file}\n"),
    );
    assert_eq!(
        provide(&profile(env, &clock))
            .await
            .unwrap()
            .access_key_id(),
        "ASIASTS0"
    );
    let params = form(body(&server.requests()[0]));
    assert_eq!(params["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(params["WebIdentityToken"], "profile-web-token");
}

#[tokio::test]
async fn the_default_chain_tries_web_identity_after_the_environment_and_before_profiles() {
    let (dir, clock) = (TempDir::new("sts-chain-order"), ManualClock::new());
    let server = sts(clock.clone()).await;
    let file = token_file(&dir, "web-token");
    let web = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        // The profile has static keys, which come later in the chain.
        ("AWS_PROFILE", "base"),
    ];
    let chain = |vars: &[(&str, &str)]| -> Arc<dyn ProvideCredentials> {
        let config = ProviderConfig::new(env(&dir, &server, vars)).with_clock(clock.clone());
        Arc::new(ChainProvider::default_chain_with(config))
    };
    assert_eq!(
        provide(&*chain(&web)).await.unwrap().access_key_id(),
        "ASIASTS0"
    );
    let mut with_keys = web.to_vec();
    with_keys.extend([
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ]);
    assert_eq!(
        provide(&*chain(&with_keys)).await.unwrap().access_key_id(),
        "AKIDENV"
    );
    assert_eq!(
        provide(&*chain(&[("AWS_PROFILE", "base")]))
            .await
            .unwrap()
            .access_key_id(),
        "AKIDBASE"
    );
    assert_eq!(server.requests().len(), 1);
}
