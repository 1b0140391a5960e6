//! `credential_process` profiles running tiny shell scripts.
#![cfg(unix)]

#[path = "credentials_support.rs"]
mod credentials_support;

use std::sync::Arc;

use credentials_support::{
    assert_no_secret, assert_refreshed_before_expiry, provide, rfc3339, ManualClock, TempDir,
    LIFETIME,
};
use s3_runtime::credentials::{ProfileProvider, ProviderConfig};
use s3_runtime::profile::Env;
use s3_runtime::time::Clock;

/// A provider of profile `dev`, whose `credential_process` is `command`.
fn provider(dir: &TempDir, command: &str, clock: &Arc<ManualClock>) -> ProfileProvider {
    dir.write(
        "config",
        &format!("[profile dev]\ncredential_process = {command}\n"),
    );
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", dir.path("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", dir.path("credentials")),
        ("AWS_PROFILE", "dev".to_owned()),
    ]);
    ProfileProvider::new(ProviderConfig::new(env).with_clock(clock.clone()))
}

#[tokio::test]
async fn reads_the_credentials_a_command_prints() {
    let dir = TempDir::new("process");
    let command = r#"sh -c 'printf "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\"}"'"#;
    let provider = provider(&dir, command, &ManualClock::new());
    let credentials = provide(&provider).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDPROCESS");
    assert_eq!(credentials.secret_access_key(), "process-secret");
    assert_eq!(credentials.session_token(), Some("process-token"));
    assert_eq!(credentials.expiry(), None);
    assert_no_secret(
        &format!("{provider:?} {credentials:?}"),
        &["process-secret"],
    );
}

#[tokio::test]
async fn the_cache_runs_the_command_again_before_expiry() {
    let dir = TempDir::new("process-refresh");
    let clock = ManualClock::new();
    // Counts its runs in `runs` and numbers its keys by them.
    let script = format!(
        r#"echo run >> "{runs}"
n=$(wc -l < "{runs}" | tr -d ' ')
printf '{{"Version": 1, "AccessKeyId": "AKIDPROCESS%s", "SecretAccessKey": "s", "Expiration": "%s"}}' "$n" "{expiration}"
"#,
        runs = dir.path("runs"),
        expiration = rfc3339(clock.now() + LIFETIME),
    );
    let script = dir.write("creds.sh", &script);
    let provider = provider(&dir, &format!("sh {}", script.display()), &clock);
    let runs =
        || std::fs::read_to_string(dir.0.join("runs")).map_or(0, |runs| runs.lines().count());
    assert_refreshed_before_expiry(Arc::new(provider), &clock, runs).await;
}

#[tokio::test]
async fn a_failing_command_or_bad_output_is_an_error() {
    let dir = TempDir::new("process-errors");
    let clock = ManualClock::new();
    for (command, expected) in [
        (
            "sh -c 'echo \"token expired, run: login\" >&2; exit 3'",
            "exit status: 3: token expired, run: login",
        ),
        ("no-such-command-s3-runtime", "exit status: 127: "),
        (
            "printf 'AKIDPROCESS process-secret'",
            "malformed JSON: expected value at line 1 column 1",
        ),
        (
            r#"printf '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "process-secret"}'"#,
            "`Version` must be 1",
        ),
        (
            r#"printf '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "process-secret", "Expiration": "process-secret"}'"#,
            "`Expiration` is not an RFC 3339 timestamp",
        ),
    ] {
        let error = provide(&provider(&dir, command, &clock)).await.unwrap_err();
        assert!(!error.is_not_found());
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "no credentials: profile `dev`: credential_process failed: {expected}"
            )),
            "{text}"
        );
        assert_no_secret(&text, &["process-secret"]);
    }
}
