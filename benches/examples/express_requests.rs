//! `ListObjectsV2` requests on a directory bucket to a canned server on 127.0.0.1, for
//! instruction counts of session auth against plain SigV4 (see `benches/express.rs`).
//!
//! ```text
//! cargo build --release -p s3-benches --example express_requests
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/express_requests session 0
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/express_requests session 1000
//! ```
//!
//! Each run makes the session (one `CreateSession`) and one warm-up request, then the given
//! number; the difference between two counts divided by the difference of requests is the
//! cost of one request, client and server together.

use std::hint::black_box;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::Full;
use s3_benches::express::{answer, DIRECTORY_BUCKET};
use s3_runtime::credentials::Credentials;
use s3_tests::serve::LocalServer;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let session_auth = match args.next().as_deref() {
        Some("session") => true,
        Some("sigv4") => false,
        _ => {
            eprintln!("usage: express_requests session|sigv4 REQUESTS");
            return ExitCode::from(2);
        }
    };
    let Some(Ok(requests)) = args.next().map(|n| n.parse::<u32>()) else {
        eprintln!("usage: express_requests session|sigv4 REQUESTS");
        return ExitCode::from(2);
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let server = rt.block_on(LocalServer::start(|request: http::Request<Bytes>| {
        let body = answer(request.uri().query());
        std::future::ready(
            http::Response::builder()
                .header("content-type", "application/xml")
                .body(Full::new(Bytes::from_static(body.as_bytes())))
                .expect("a response"),
        )
    }));
    let config = s3_client::Config::builder()
        .region("us-west-2")
        .endpoint_url(format!("http://{}", server.addr()))
        .credentials(Credentials::new("AKIDEXAMPLE", "secret", None, None))
        .disable_s3_express_session_auth(!session_auth)
        .build();
    let client = s3_client::Client::new(&config);
    for _ in 0..=requests {
        let output = rt
            .block_on(client.list_objects_v2().bucket(DIRECTORY_BUCKET).send())
            .expect("ListObjectsV2");
        black_box(output);
    }
    ExitCode::SUCCESS
}
