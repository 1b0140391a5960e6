//! Credential providers, the default chain, the cache and region loading, against real temporary
//! files and injected environments and clocks.

#[path = "credentials_support.rs"]
mod credentials_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use credentials_support::{assert_no_secret, provide, ManualClock, TempDir};

use s3_runtime::credentials::{
    CachedProvider, ChainProvider, Credentials, CredentialsFuture, EnvironmentProvider,
    ProfileProvider, ProvideCredentials, REFRESH_BEFORE_EXPIRY,
};
use s3_runtime::error::CredentialsError;
use s3_runtime::profile::{self, Env};
use s3_runtime::region;
use s3_runtime::time::SharedClock;

/// An environment whose shared files are `config` and `credentials` in `dir`, plus `vars`. IMDS
/// is off, so that no test calls out beyond 127.0.0.1.
fn env_with_files(dir: &TempDir, vars: &[(&str, &str)]) -> Env {
    let files = [
        ("AWS_CONFIG_FILE", dir.path("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", dir.path("credentials")),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    Env::from_vars(
        files
            .into_iter()
            .chain(vars.iter().map(|(k, v)| (*k, v.to_string()))),
    )
}

#[tokio::test]
async fn environment_provider_reads_keys_and_token() {
    let env = Env::from_vars([
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret-value"),
        ("AWS_SESSION_TOKEN", "env-token-value"),
    ]);
    let provider = EnvironmentProvider::new(env);
    let credentials = provide(&provider).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDENV");
    assert_eq!(credentials.secret_access_key(), "env-secret-value");
    assert_eq!(credentials.session_token(), Some("env-token-value"));
    assert_eq!(credentials.expiry(), None);
    let debug = format!("{provider:?} {credentials:?}");
    assert_no_secret(&debug, &["env-secret-value", "env-token-value"]);

    let empty_token = Env::from_vars([
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret-value"),
        ("AWS_SESSION_TOKEN", ""),
    ]);
    let credentials = provide(&EnvironmentProvider::new(empty_token))
        .await
        .unwrap();
    assert_eq!(credentials.session_token(), None);
}

#[tokio::test]
async fn environment_provider_says_what_is_missing() {
    let none = provide(&EnvironmentProvider::new(Env::from_vars([(
        "AWS_ACCESS_KEY_ID",
        "",
    )])))
    .await
    .unwrap_err();
    assert!(none.is_not_found());
    assert_eq!(
        none.to_string(),
        "no credentials: environment: AWS_ACCESS_KEY_ID is not set"
    );

    let half = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKIDENV")]);
    let half = provide(&EnvironmentProvider::new(half)).await.unwrap_err();
    assert!(half.is_not_found());
    assert_eq!(
        half.message(),
        "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
    );
}

const CONFIG: &str = "\
[default]
region = us-east-1
aws_access_key_id = AKIDCONFIGDEFAULT
aws_secret_access_key = config-default-secret

[profile dev]
region = eu-west-1
aws_access_key_id = AKIDCONFIGDEV
aws_session_token = dev-token-value
";

const CREDENTIALS: &str = "\
# the credentials file has plain section names
[dev]
aws_access_key_id = AKIDCREDSDEV
aws_secret_access_key = dev-secret-value ; comment

[ops]
aws_access_key_id=AKIDOPS
aws_secret_access_key=ops-secret-value
";

#[tokio::test]
async fn profile_provider_merges_both_files_and_the_credentials_file_wins() {
    let dir = TempDir::new("merge");
    dir.write("config", CONFIG);
    dir.write("credentials", CREDENTIALS);

    let dev = ProfileProvider::new(env_with_files(&dir, &[("AWS_PROFILE", "dev")]));
    let credentials = provide(&dev).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDCREDSDEV");
    assert_eq!(credentials.secret_access_key(), "dev-secret-value");
    assert_eq!(credentials.session_token(), Some("dev-token-value"));
    assert_no_secret(
        &format!("{dev:?} {credentials:?}"),
        &["dev-secret-value", "dev-token-value"],
    );

    let default = provide(&ProfileProvider::new(env_with_files(&dir, &[])))
        .await
        .unwrap();
    assert_eq!(default.access_key_id(), "AKIDCONFIGDEFAULT");
    assert_eq!(default.secret_access_key(), "config-default-secret");
    assert_eq!(default.session_token(), None);

    let chosen =
        ProfileProvider::new(env_with_files(&dir, &[("AWS_PROFILE", "dev")])).with_profile("ops");
    assert_eq!(provide(&chosen).await.unwrap().access_key_id(), "AKIDOPS");
}

#[tokio::test]
async fn profile_files_default_to_the_home_directory() {
    let dir = TempDir::new("home");
    dir.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = home-secret\n",
    );
    dir.write(".aws/config", "[default]\nregion = ap-south-1\n");
    let env = Env::from_vars([("HOME", dir.0.display().to_string())]);
    let credentials = provide(&ProfileProvider::new(env.clone())).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDHOME");
    assert_eq!(region::load(&env).unwrap().as_deref(), Some("ap-south-1"));

    let tilde = Env::from_vars([
        ("HOME", dir.0.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "~/.aws/credentials".to_owned(),
        ),
    ]);
    let credentials = provide(&ProfileProvider::new(tilde)).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDHOME");
}

#[tokio::test]
async fn a_malformed_file_is_an_error_naming_file_and_line() {
    let dir = TempDir::new("malformed");
    dir.write("config", CONFIG);
    let path = dir.write(
        "credentials",
        "[default]\naws_access_key_id = AKIDBROKEN\naws_secret_access_key broken-secret-value\n",
    );
    let env = env_with_files(&dir, &[]);
    let expected = format!(
        "{} line 3: a property needs `=` between its name and its value",
        path.display()
    );

    let error = provide(&ProfileProvider::new(env.clone()))
        .await
        .unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        format!("no credentials: cannot load the shared config: {expected}")
    );
    assert_no_secret(
        &format!("{error} {error:?}"),
        &["broken-secret-value", "config-default-secret"],
    );

    // A broken file stops the chain rather than being skipped.
    let chained = provide(&ChainProvider::default_chain(env.clone()))
        .await
        .unwrap_err();
    assert_eq!(chained.to_string(), error.to_string());

    // Region loading reads the same files and fails the same way.
    assert_eq!(region::load(&env).unwrap_err().to_string(), expected);
}

#[tokio::test]
async fn a_profile_asked_for_by_name_must_exist() {
    let dir = TempDir::new("missing");
    dir.write("config", CONFIG);
    let env = env_with_files(&dir, &[("AWS_PROFILE", "nope")]);
    let error = provide(&ProfileProvider::new(env.clone()))
        .await
        .unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        format!(
            "no credentials: cannot load the shared config: profile `nope` is not defined in {} or {}",
            dir.path("config"),
            dir.path("credentials")
        )
    );
    assert!(region::load(&env).is_err());

    // Without files and without a name, there is simply nothing to find.
    let empty = TempDir::new("missing-default");
    let error = provide(&ProfileProvider::new(env_with_files(&empty, &[])))
        .await
        .unwrap_err();
    assert!(error.is_not_found());
}

#[tokio::test]
async fn a_profile_with_a_key_id_but_no_secret_is_an_error() {
    let dir = TempDir::new("no-secret");
    dir.write("config", CONFIG);
    let env = env_with_files(&dir, &[("AWS_PROFILE", "dev")]);
    dir.write("credentials", "");
    let error = provide(&ProfileProvider::new(env)).await.unwrap_err();
    assert!(!error.is_not_found());
    assert_eq!(
        error.message(),
        "profile `dev` has aws_access_key_id but no aws_secret_access_key"
    );
}

#[tokio::test]
async fn the_default_chain_tries_environment_then_profile() {
    let dir = TempDir::new("chain");
    dir.write("config", CONFIG);

    let from_env = env_with_files(
        &dir,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret-value"),
        ],
    );
    let chain = ChainProvider::default_chain(from_env);
    assert_eq!(provide(&chain).await.unwrap().access_key_id(), "AKIDENV");

    let chain = ChainProvider::default_chain(env_with_files(&dir, &[]));
    assert_eq!(
        provide(&chain).await.unwrap().access_key_id(),
        "AKIDCONFIGDEFAULT"
    );
    assert_no_secret(&format!("{chain:?}"), &["config-default-secret"]);
}

#[tokio::test]
async fn an_empty_chain_result_lists_every_source_tried() {
    let dir = TempDir::new("chain-empty");
    dir.write("config", "[default]\nregion = us-east-1\n");
    let env = env_with_files(&dir, &[("AWS_ACCESS_KEY_ID", "AKIDENV")]);
    let error = provide(&ChainProvider::default_chain(env))
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(
        error.to_string(),
        format!(
            "no credentials: none found; tried \
             environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; \
             web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set; \
             profile `default`: no credentials in {} or {}; \
             container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor \
             AWS_CONTAINER_CREDENTIALS_FULL_URI is set; \
             imds: AWS_EC2_METADATA_DISABLED is true",
            dir.path("config"),
            dir.path("credentials")
        )
    );

    let no_home = provide(&ChainProvider::default_chain(Env::from_vars([(
        "AWS_EC2_METADATA_DISABLED",
        "true",
    )])))
    .await
    .unwrap_err();
    assert!(
        no_home.message().contains(
            "in no file (neither HOME nor AWS_CONFIG_FILE nor AWS_SHARED_CREDENTIALS_FILE is set);"
        ),
        "{no_home}"
    );
}

/// Hands out numbered credentials that live `lifetime`, counting its calls; it fails while
/// `failing` is set.
#[derive(Debug)]
struct Counting {
    calls: AtomicUsize,
    clock: SharedClock,
    lifetime: Option<Duration>,
    failing: std::sync::atomic::AtomicBool,
}

impl Counting {
    fn new(clock: SharedClock, lifetime: Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            clock,
            lifetime,
            failing: false.into(),
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::new(async move {
            let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            // Lets concurrent callers reach the cache while this refresh is under way.
            tokio::task::yield_now().await;
            if self.failing.load(Ordering::SeqCst) {
                return Err(CredentialsError::new("source is down"));
            }
            let expiry = self.lifetime.map(|l| self.clock.now() + l);
            Ok(Credentials::new(
                format!("AKID{call}"),
                "counted-secret",
                None,
                expiry,
            ))
        })
    }
}

#[tokio::test]
async fn the_cache_refreshes_ahead_of_expiry() {
    let clock = ManualClock::new();
    let source = Counting::new(clock.clone(), Some(Duration::from_secs(3600)));
    let cache = CachedProvider::new(source.clone(), clock.clone());

    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID1");
    let refresh_at = Duration::from_secs(3600) - REFRESH_BEFORE_EXPIRY;
    clock.advance(refresh_at - Duration::from_secs(1));
    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls(), 1);

    clock.advance(Duration::from_secs(1));
    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID2");
    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID2");
    assert_eq!(source.calls(), 2);
    assert_no_secret(&format!("{cache:?}"), &["counted-secret"]);
}

#[tokio::test]
async fn short_lived_credentials_are_refreshed_halfway() {
    let clock = ManualClock::new();
    let lifetime = REFRESH_BEFORE_EXPIRY - Duration::from_secs(60);
    let source = Counting::new(clock.clone(), Some(lifetime));
    let cache = CachedProvider::new(source.clone(), clock.clone());

    provide(&cache).await.unwrap();
    clock.advance(lifetime / 2 - Duration::from_secs(1));
    provide(&cache).await.unwrap();
    assert_eq!(source.calls(), 1);
    clock.advance(Duration::from_secs(1));
    provide(&cache).await.unwrap();
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn credentials_without_expiry_are_kept() {
    let clock = ManualClock::new();
    let source = Counting::new(clock.clone(), None);
    let cache = CachedProvider::new(source.clone(), clock.clone());
    provide(&cache).await.unwrap();
    clock.advance(Duration::from_secs(10 * 365 * 86_400));
    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls(), 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let clock = ManualClock::new();
    let source = Counting::new(clock.clone(), Some(Duration::from_secs(3600)));
    let cache = CachedProvider::new(source.clone(), clock.clone());
    let (a, b, c, d) = tokio::join!(
        provide(&cache),
        provide(&cache),
        provide(&cache),
        provide(&cache)
    );
    for result in [a, b, c, d] {
        assert_eq!(result.unwrap().access_key_id(), "AKID1");
    }
    assert_eq!(source.calls(), 1);
}

#[tokio::test]
async fn the_cache_does_not_keep_errors() {
    let clock = ManualClock::new();
    let source = Counting::new(clock.clone(), Some(Duration::from_secs(3600)));
    let cache = CachedProvider::new(source.clone(), clock.clone());
    source.failing.store(true, Ordering::SeqCst);
    assert_eq!(
        provide(&cache).await.unwrap_err().message(),
        "source is down"
    );
    source.failing.store(false, Ordering::SeqCst);
    assert_eq!(provide(&cache).await.unwrap().access_key_id(), "AKID2");
}

#[tokio::test]
async fn static_credentials_provide_themselves() {
    let credentials = Credentials::new("AKIDSTATIC", "static-secret", None, None);
    assert_eq!(provide(&credentials).await.unwrap(), credentials);
}

#[test]
fn region_comes_from_environment_then_profile() {
    let dir = TempDir::new("region");
    dir.write("config", CONFIG);
    let load = |vars: &[(&str, &str)]| region::load(&env_with_files(&dir, vars)).unwrap();
    assert_eq!(
        load(&[
            ("AWS_REGION", "us-west-1"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_PROFILE", "dev"),
        ])
        .as_deref(),
        Some("us-west-1")
    );
    assert_eq!(
        load(&[("AWS_DEFAULT_REGION", "us-west-2"), ("AWS_PROFILE", "dev")]).as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        load(&[("AWS_PROFILE", "dev")]).as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(load(&[]).as_deref(), Some("us-east-1"));

    let empty = TempDir::new("region-empty");
    assert_eq!(region::load(&env_with_files(&empty, &[])).unwrap(), None);
}

#[test]
fn debug_output_never_shows_values() {
    let dir = TempDir::new("debug");
    dir.write("credentials", CREDENTIALS);
    let env = env_with_files(
        &dir,
        &[
            ("AWS_SECRET_ACCESS_KEY", "env-secret-value"),
            ("AWS_PROFILE", "ops"),
        ],
    );
    let profile = profile::load(&env, None).unwrap();
    assert_eq!(
        profile.get("aws_secret_access_key"),
        Some("ops-secret-value")
    );
    let debug = format!("{env:?} {profile:?}");
    assert!(debug.contains("AWS_SECRET_ACCESS_KEY") && debug.contains("aws_secret_access_key"));
    assert_no_secret(&debug, &["env-secret-value", "ops-secret-value"]);
    assert_eq!(
        profile.files(),
        [dir.0.join("config"), dir.0.join("credentials")]
    );
}
