//! Measures how long a call with the default configuration waits on a server that accepts
//! connections and never answers: the bound `TimeoutConfig` documents (3 attempts of the 30 s
//! read timeout, plus backoff: at most 93 s).
//!
//! ```text
//! cargo run --release --example blackhole
//! ```

use std::time::Instant;

use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use tokio::net::TcpListener;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
    // Accept and hold every connection, reading nothing and answering nothing.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKID", "SECRET", None, None))
        .build();
    let started = Instant::now();
    let result = Client::new(&config).list_buckets().send().await;
    match result {
        Ok(_) => println!("unexpected success after {:?}", started.elapsed()),
        Err(e) => println!("{e} after {:.1?}", started.elapsed()),
    }
}
