//! Lists, creates, inspects and deletes buckets.
//!
//! ```text
//! cargo run --example buckets -- [OPTIONS] list
//! cargo run --example buckets -- [OPTIONS] create|head|location|delete NAME
//! ```
//!
//! Run `cargo run --example buckets -- --help` for the options. Without them, the region and
//! credentials come from the environment and the shared config files (`AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_PROFILE`, `~/.aws/config`, …; see the README). With
//! `--endpoint-url` (an S3-compatible server such as `http://127.0.0.1:9000`), requests use
//! path-style addressing, and a local endpoint needs no region: `us-east-1` is used.

use std::process::ExitCode;

use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;

const USAGE: &str = "\
usage: buckets [OPTIONS] COMMAND

commands:
  list             the buckets you own
  create NAME      create a bucket (in the client's region)
  head NAME        whether the bucket exists and the region S3 says it is in
  location NAME    the bucket's region, from GetBucketLocation
  delete NAME      delete an empty bucket

options (anywhere on the line):
  --endpoint-url URL         an S3-compatible server, addressed path-style
  --region REGION            the region to sign for (default: AWS_REGION, the profile's,
                             or us-east-1 for a local endpoint)
  --access-key-id ID         credentials, with --secret-access-key (default: the standard
  --secret-access-key KEY    chain: AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws, ...)
  -h, --help                 this help";

/// The region used for a local endpoint when none is configured: local servers ignore it, but
/// a signature needs one.
const LOCAL_REGION: &str = "us-east-1";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line: options anywhere, then the command and its bucket name.
#[derive(Debug, Default)]
struct Args {
    endpoint_url: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    words: Vec<String>,
}

impl Args {
    /// The arguments, or `None` when help was asked for.
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, String> {
        let mut parsed = Args::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let slot = match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--endpoint-url" => &mut parsed.endpoint_url,
                "--region" => &mut parsed.region,
                "--access-key-id" => &mut parsed.access_key_id,
                "--secret-access-key" => &mut parsed.secret_access_key,
                _ if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
                _ => {
                    parsed.words.push(arg);
                    continue;
                }
            };
            let value = inline
                .or_else(|| args.next())
                .ok_or_else(|| format!("`{flag}` needs a value"))?;
            *slot = Some(value);
        }
        Ok(Some(parsed))
    }

    /// The client configuration: the environment's, with the options on top.
    fn config(&self) -> Result<Config, String> {
        let from_env = Config::from_env().map_err(|e| e.to_string())?;
        let has_region = from_env.region().is_some();
        let mut config = from_env.to_builder();
        if let Some(url) = &self.endpoint_url {
            config = config.endpoint_url(url.clone()).force_path_style(true);
        }
        let local = self.endpoint_url.as_deref().is_some_and(is_local);
        match &self.region {
            Some(region) => config = config.region(region.clone()),
            None if local && !has_region => config = config.region(LOCAL_REGION),
            None => {}
        }
        match (&self.access_key_id, &self.secret_access_key) {
            (Some(id), Some(secret)) => {
                config =
                    config.credentials(Credentials::new(id.clone(), secret.clone(), None, None));
            }
            (None, None) => {}
            _ => return Err("--access-key-id and --secret-access-key go together".to_owned()),
        }
        Ok(config.build())
    }
}

/// Whether `url` names this machine: `localhost` or a loopback address.
fn is_local(url: &str) -> bool {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = authority.split(['/', '?']).next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn run(args: Args) -> Result<(), String> {
    let client = Client::new(&args.config()?);
    let words: Vec<&str> = args.words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["list"] => {
            let out = client.list_buckets().send().await.map_err(describe)?;
            let buckets = out.buckets.unwrap_or_default();
            if buckets.is_empty() {
                println!("no buckets");
            }
            for bucket in buckets {
                let created = bucket
                    .creation_date
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                println!("{created}  {}", bucket.name.unwrap_or_default());
            }
        }
        ["create", name] => {
            let out = client
                .create_bucket()
                .bucket(*name)
                .send()
                .await
                .map_err(describe)?;
            println!("created {}", out.location.unwrap_or_default());
        }
        ["head", name] => {
            let out = client
                .head_bucket()
                .bucket(*name)
                .send()
                .await
                .map_err(describe)?;
            println!(
                "exists; region {}",
                out.bucket_region.as_deref().unwrap_or("not sent")
            );
        }
        ["location", name] => {
            let out = client
                .get_bucket_location()
                .bucket(*name)
                .send()
                .await
                .map_err(describe)?;
            println!("{}", out.region());
        }
        ["delete", name] => {
            client
                .delete_bucket()
                .bucket(*name)
                .send()
                .await
                .map_err(describe)?;
            println!("deleted {name}");
        }
        [] => return Err("no command".to_owned()),
        _ => return Err(format!("unknown command `{}`", words.join(" "))),
    }
    Ok(())
}

/// The error's line, and for missing credentials, how to give some.
fn describe<E: std::fmt::Display>(error: s3_client::Error<E>) -> String {
    match error {
        s3_client::Error::Credentials(_) => format!(
            "{error}\n(pass --access-key-id and --secret-access-key, or set AWS_ACCESS_KEY_ID \
             and AWS_SECRET_ACCESS_KEY)"
        ),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Args>, String> {
        Args::parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn options_go_anywhere() {
        for line in [
            "--endpoint-url http://127.0.0.1:9000 head b",
            "head --endpoint-url http://127.0.0.1:9000 b",
            "head b --endpoint-url=http://127.0.0.1:9000",
        ] {
            let args = parse(line).unwrap().unwrap();
            assert_eq!(
                args.endpoint_url.as_deref(),
                Some("http://127.0.0.1:9000"),
                "{line}"
            );
            assert_eq!(args.words, ["head", "b"], "{line}");
        }
        assert!(parse("list --help").unwrap().is_none());
        assert_eq!(
            parse("list --region").unwrap_err(),
            "`--region` needs a value"
        );
        assert_eq!(
            parse("list --bogus").unwrap_err(),
            "unknown option `--bogus`"
        );
    }

    #[test]
    fn local_endpoints_are_loopback_or_localhost() {
        for url in [
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://[::1]:9000",
            "http://127.0.0.2",
        ] {
            assert!(is_local(url), "{url}");
        }
        for url in [
            "https://s3.example.com",
            "http://10.0.0.1:9000",
            "http://localhost.example.com",
        ] {
            assert!(!is_local(url), "{url}");
        }
    }
}
