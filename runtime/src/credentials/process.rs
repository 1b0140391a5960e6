//! `credential_process`: credentials that a command of the user's prints as JSON.

use std::process::Command;

use serde_json::Value;

use super::remote::{self, ProviderError};
use super::Credentials;

/// Runs `command` through the shell (`sh -c`, or `cmd.exe /C` on Windows), as the AWS CLI does,
/// and reads the credentials it prints: `{"Version": 1, "AccessKeyId": .., "SecretAccessKey":
/// .., "SessionToken": .., "Expiration": ..}`, the last two optional.
///
/// The command gets no standard input. What it writes to standard error is kept for the error
/// message if it fails; what it prints is never shown, since it holds the secret.
pub(crate) async fn run(command: &str) -> Result<Credentials, ProviderError> {
    let mut shell = shell(command);
    let output = remote::blocking(move || shell.output())
        .await?
        .map_err(|source| ProviderError::Io {
            context: "cannot start the shell".to_owned(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ProviderError::Process {
            status: output.status,
            stderr: remote::truncate(stderr.trim()),
        });
    }
    parse(&output.stdout)
}

fn shell(command: &str) -> Command {
    let (program, flag) = if cfg!(windows) {
        ("cmd.exe", "/C")
    } else {
        ("sh", "-c")
    };
    let mut shell = Command::new(program);
    shell.arg(flag).arg(command);
    shell
}

fn parse(stdout: &[u8]) -> Result<Credentials, ProviderError> {
    let object = remote::object(stdout)?;
    if object.get("Version").and_then(Value::as_u64) != Some(1) {
        return Err(ProviderError::invalid("`Version` must be 1"));
    }
    remote::credentials(&object, "SessionToken")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_version_1_output() {
        let credentials = parse(
            br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "process-secret",
                "SessionToken": "process-token", "Expiration": "2023-11-14T23:13:20Z"}"#,
        )
        .unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("process-token"));
        assert!(credentials.expiry().is_some());
        let long_lived =
            parse(br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s"}"#).unwrap();
        assert_eq!(
            (long_lived.session_token(), long_lived.expiry()),
            (None, None)
        );
    }

    #[test]
    fn other_versions_and_shapes_are_errors() {
        for (output, expected) in [
            (
                &br#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}"#[..],
                "`Version` must be 1",
            ),
            (
                br#"{"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "s"}"#,
                "`Version` must be 1",
            ),
            (
                br#"{"Version": 1, "AccessKeyId": "A"}"#,
                "`SecretAccessKey` is missing",
            ),
            (
                b"AKID s3cr3t\n",
                "malformed JSON: expected value at line 1 column 1",
            ),
        ] {
            assert_eq!(parse(output).unwrap_err().to_string(), expected);
        }
    }
}
