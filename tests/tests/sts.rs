//! The credential chain's STS providers against moto (`.ci/test` starts it): a profile that
//! assumes a role chained through `source_profile`, and a web identity token; then S3 on moto
//! through the generated client with the credentials STS issued.
//!
//! moto checks signatures and IAM policies once `.ci/test` has switched its auth on, so the
//! first test to run creates what the calls need while moto lets a few requests through
//! unchecked (its `/moto-api/reset-auth`): a role whose policy allows S3 and `sts:AssumeRole`
//! and trusts anyone, and a policy letting the test user assume roles. Since moto's server
//! also checks the unsigned `AssumeRoleWithWebIdentity` (it fails on the missing
//! `Authorization` header), that one request goes through the same allowance. The tests hold
//! one lock, so no other request can use it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Method, Request};
use s3_client::{Client, Config};
use s3_runtime::credentials::{CachedProvider, ChainProvider, Credentials, ProvideCredentials};
use s3_runtime::http::{HttpClient, HttpConfig};
use s3_runtime::profile::Env;
use s3_runtime::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings};
use s3_runtime::time::SystemClock;
use s3_tests::{unique_bucket_name, TestServer};
use tokio::sync::Mutex;

/// The role the tests assume, once created.
static ROLE: Mutex<Option<String>> = Mutex::const_new(None);

const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": "*", "Federated": "*"},
    "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]}"#;
const ROLE_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}]}"#;
const USER_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": "sts:AssumeRole", "Resource": "*"}]}"#;
/// The IAM user whose key `.ci/servers.sh` hands the tests.
const USER: &str = "s3-tests";

fn http() -> HttpClient {
    HttpClient::new(&HttpConfig::default()).unwrap()
}

/// Lets the next `count` requests to moto through without checking signatures or policies.
async fn unchecked(server: &TestServer, count: u32) {
    let uri = format!("{}/moto-api/reset-auth", server.endpoint);
    let mut request = Request::new(Bytes::from(count.to_string()));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri.parse().unwrap();
    let response = http().send(request, None).await.unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.body());
}

/// Calls IAM `action` on moto with `params`, signed with the test user's key.
async fn iam(server: &TestServer, action: &str, params: &[(&str, &str)]) {
    let mut body = format!("Action={action}&Version=2010-05-08");
    for (name, value) in params {
        let value =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        body.push_str(&format!("&{name}={value}"));
    }
    let mut request = Request::new(Bytes::from(body));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = format!("{}/", server.endpoint).parse().unwrap();
    request.headers_mut().insert(
        CONTENT_TYPE,
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let credentials = Credentials::new(
        server.access_key_id.clone(),
        server.secret_access_key.clone(),
        None,
        None,
    );
    // moto routes the request to IAM by the signature's scope.
    let params = SigningParams {
        credentials: &credentials,
        region: &server.region,
        service: "iam",
        time: SystemTime::now().into(),
        payload: PayloadHash::Body,
        settings: &SigningSettings::standard(),
    };
    Signer::new().sign(&mut request, &params).unwrap();
    let response = http().send(request, None).await.unwrap();
    assert_eq!(response.status(), 200, "{action}: {:?}", response.body());
}

/// Takes the tests' lock and returns the ARN of the role, created on first use.
async fn role(server: &TestServer) -> (tokio::sync::MutexGuard<'static, Option<String>>, String) {
    let mut role = ROLE.lock().await;
    if role.is_none() {
        let name = format!("sts-test-{}", std::process::id());
        unchecked(server, 3).await;
        iam(
            server,
            "CreateRole",
            &[("RoleName", &name), ("AssumeRolePolicyDocument", TRUST)],
        )
        .await;
        let policy = [
            ("RoleName", name.as_str()),
            ("PolicyName", "s3-and-sts"),
            ("PolicyDocument", ROLE_POLICY),
        ];
        iam(server, "PutRolePolicy", &policy).await;
        let policy = [
            ("UserName", USER),
            ("PolicyName", "assume-roles"),
            ("PolicyDocument", USER_POLICY),
        ];
        iam(server, "PutUserPolicy", &policy).await;
        unchecked(server, 0).await;
        *role = Some(format!("arn:aws:iam::123456789012:role/{name}"));
    }
    let arn = role.clone().unwrap();
    (role, arn)
}

/// A directory of its own, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("s3-tests-sts-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The default chain, cached as `Config::from_env` sets it up, reading `vars` and calling STS
/// on moto, with IMDS off.
fn chain(server: &TestServer, vars: &[(&str, String)]) -> CachedProvider {
    let mut all = vec![
        ("AWS_ENDPOINT_URL_STS", server.endpoint.clone()),
        ("AWS_REGION", server.region.clone()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    all.extend(vars.iter().cloned());
    let chain = ChainProvider::default_chain(Env::from_vars(all));
    CachedProvider::new(Arc::new(chain), Arc::new(SystemClock))
}

/// Checks `credentials` are STS's, then creates a bucket, writes, lists and reads an object
/// and cleans up, through the generated client signing with `provider`.
async fn use_s3(server: &TestServer, credentials: &Credentials, provider: CachedProvider) {
    assert!(
        credentials.access_key_id().starts_with("ASIA"),
        "{credentials:?}"
    );
    assert!(credentials.session_token().is_some());
    let expiry = credentials.expiry().expect("STS credentials expire");
    let left = expiry.duration_since(SystemTime::now()).unwrap();
    assert!(
        left <= Duration::from_secs(3600) && left > Duration::from_secs(60),
        "{left:?}"
    );

    let config = Config::builder()
        .region(&server.region)
        .endpoint_url(server.endpoint.clone())
        .force_path_style(true)
        .credentials(provider)
        .build();
    let client = Client::new(&config);
    let bucket = unique_bucket_name("sts");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let body = Bytes::from_static(b"signed with STS credentials");
    client
        .put_object()
        .bucket(&bucket)
        .key("k")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let listed = client
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = listed
        .contents
        .iter()
        .flatten()
        .filter_map(|o| o.key.clone())
        .collect();
    assert_eq!(keys, ["k"]);
    let got = client
        .get_object()
        .bucket(&bucket)
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(got.body.collect().await.unwrap(), body);
    client
        .delete_object()
        .bucket(&bucket)
        .key("k")
        .send()
        .await
        .unwrap();
    client.delete_bucket().bucket(&bucket).send().await.unwrap();
}

#[tokio::test]
async fn a_chained_role_profile_gets_credentials_that_s3_accepts() {
    let server = s3_tests::moto();
    let (_lock, role) = role(&server).await;
    let dir = TempDir::new("role");
    let config = dir.write(
        "config",
        &format!(
            "[profile dev]\nrole_arn = {role}\nsource_profile = middle\n\
             role_session_name = s3-tests-dev\nexternal_id = ext\nduration_seconds = 900\n\
             [profile middle]\nrole_arn = {role}\nsource_profile = base\n"
        ),
    );
    let credentials = dir.write(
        "credentials",
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n\
             [wrong]\naws_access_key_id = {}\naws_secret_access_key = not-the-secret\n",
            server.access_key_id, server.secret_access_key, server.access_key_id
        ),
    );
    let files = [
        ("AWS_CONFIG_FILE", config),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials),
    ];
    let mut vars = files.to_vec();
    vars.push(("AWS_PROFILE", "dev".to_owned()));
    let provider = chain(&server, &vars);
    let issued = provider.provide_credentials().await.unwrap();
    assert_ne!(issued.access_key_id(), server.access_key_id);
    let left = issued
        .expiry()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left <= Duration::from_secs(900),
        "duration_seconds not honoured: {left:?}"
    );
    use_s3(&server, &issued, provider).await;

    // A wrong source secret: moto's refusal comes back with its code.
    let mut vars = files.to_vec();
    vars.push(("AWS_PROFILE", "bad".to_owned()));
    let config = dir.write(
        "config",
        &format!("[profile bad]\nrole_arn = {role}\nsource_profile = wrong\n"),
    );
    vars[0].1 = config;
    let error = chain(&server, &vars)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(!error.is_not_found());
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "no credentials: profile `bad`: AssumeRole of `{role}` failed: HTTP 403: \
             SignatureDoesNotMatch: "
        )),
        "{text}"
    );
    assert!(!text.contains(&server.secret_access_key), "{text}");
}

#[tokio::test]
async fn a_web_identity_token_gets_credentials_that_s3_accepts() {
    let server = s3_tests::moto();
    let (_lock, role) = role(&server).await;
    let dir = TempDir::new("web");
    let token = dir.write("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n");
    let provider = chain(
        &server,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token),
            ("AWS_ROLE_ARN", role),
            ("AWS_ROLE_SESSION_NAME", "s3-tests-web".to_owned()),
        ],
    );
    // Only the unsigned STS call goes unchecked; S3 checks the STS credentials' signatures.
    unchecked(&server, 1).await;
    let issued = provider.provide_credentials().await;
    unchecked(&server, 0).await;
    let issued = issued.unwrap();
    use_s3(&server, &issued, provider).await;
}
