//! Lists, creates, inspects and deletes buckets.
//!
//! ```text
//! cargo run --example buckets -- [--endpoint-url URL] list
//! cargo run --example buckets -- [--endpoint-url URL] create|head|location|delete NAME
//! ```
//!
//! Region and credentials come from the environment, as the AWS CLI finds them
//! (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `~/.aws/config`, ...). With
//! `--endpoint-url` (an S3-compatible server such as `http://127.0.0.1:9000`), requests use
//! path-style addressing.

use std::process::ExitCode;

use s3_client::{Client, Config};

const USAGE: &str = "usage: buckets [--endpoint-url URL] list | create NAME | head NAME | location NAME | delete NAME";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut args: Vec<String>) -> Result<(), String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if args.first().map(String::as_str) == Some("--endpoint-url") {
        let url = args.get(1).ok_or(USAGE)?.clone();
        args.drain(..2);
        config = config
            .to_builder()
            .endpoint_url(url)
            .force_path_style(true)
            .build();
    }
    let client = Client::new(&config);
    let name = || args.get(1).cloned().ok_or_else(|| USAGE.to_owned());
    match args.first().map(String::as_str) {
        Some("list") => {
            let out = client
                .list_buckets()
                .send()
                .await
                .map_err(|e| e.to_string())?;
            for bucket in out.buckets.unwrap_or_default() {
                let created = bucket
                    .creation_date
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                println!("{created}  {}", bucket.name.unwrap_or_default());
            }
        }
        Some("create") => {
            let out = client
                .create_bucket()
                .bucket(name()?)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            println!("created {}", out.location.unwrap_or_default());
        }
        Some("head") => {
            let out = client
                .head_bucket()
                .bucket(name()?)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "exists; region {}",
                out.bucket_region.as_deref().unwrap_or("not sent")
            );
        }
        Some("location") => {
            let out = client
                .get_bucket_location()
                .bucket(name()?)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let location = out
                .location_constraint
                .map(|l| l.to_string())
                .unwrap_or_default();
            println!("{location}");
        }
        Some("delete") => {
            client
                .delete_bucket()
                .bucket(name()?)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            println!("deleted");
        }
        _ => return Err(USAGE.to_owned()),
    }
    Ok(())
}
