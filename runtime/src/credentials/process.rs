//! `credential_process`: credentials that a command of the user's prints as JSON.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::remote::{self, ProviderError};
use super::Credentials;

/// Runs `command` through the shell (`sh -c`, or `cmd.exe /C` on Windows), as the AWS CLI does,
/// and reads the credentials it prints: `{"Version": 1, "AccessKeyId": .., "SecretAccessKey":
/// .., "SessionToken": .., "Expiration": ..}`, the last two optional.
///
/// The command gets no standard input, and [`TIMEOUT`] to answer, after which it is killed. What
/// it writes to standard error is kept for the error message if it fails; what it prints is
/// never shown, since it holds the secret.
pub(crate) async fn run(command: &str) -> Result<Credentials, ProviderError> {
    let shell = shell(command);
    let output = remote::blocking(move || output_within(shell, TIMEOUT))
        .await?
        .map_err(|source| ProviderError::Io {
            context: "cannot run the command".to_owned(),
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

/// How long a `credential_process` command may take, so that a command waiting on something
/// (a prompt, a lock) does not hold every request for ever.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The output of `command`, which is killed if it has not exited within `limit`.
fn output_within(mut command: Command, limit: Duration) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes while waiting, so that a chatty command cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the command did not finish within {limit:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
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

    #[cfg(unix)]
    #[test]
    fn a_command_that_does_not_finish_is_killed() {
        let started = Instant::now();
        let error = output_within(shell("sleep 30"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
        let output = output_within(shell("echo out; echo err >&2"), Duration::from_secs(10));
        let output = output.unwrap();
        assert_eq!(
            (&output.stdout[..], &output.stderr[..]),
            (&b"out\n"[..], &b"err\n"[..])
        );
    }

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
