//! N endpoint resolutions of the path-style custom-endpoint case of `--bench endpoint`, for
//! instruction counts, which unlike wall times do not depend on machine load:
//!
//! ```text
//! cargo build --release -p s3-benches --example resolve_endpoints
//! valgrind --tool=callgrind target/release/examples/resolve_endpoints 0
//! valgrind --tool=callgrind target/release/examples/resolve_endpoints 10000
//! ```
//!
//! (count at 10,000 minus count at 0) / 10,000 is the cost of one resolution.

use std::hint::black_box;
use std::process::ExitCode;

use s3_client::endpoint::{resolve, Params};
use s3_runtime::endpoint::EndpointUrl;

fn main() -> ExitCode {
    let Some(Ok(count)) = std::env::args().nth(1).map(|n| n.parse::<u32>()) else {
        eprintln!("usage: resolve_endpoints COUNT");
        return ExitCode::from(2);
    };
    let endpoint_url = EndpointUrl::new("http://127.0.0.1:9000");
    let mut params = Params::default();
    params.bucket = Some("my-bucket");
    params.region = Some("us-east-1");
    params.endpoint = Some(&endpoint_url);
    params.force_path_style = true;
    for _ in 0..count {
        black_box(resolve(black_box(&params)).expect("an endpoint"));
    }
    ExitCode::SUCCESS
}
