//! One read of the 10,000-bucket ListBuckets body, for instruction counts, which unlike wall
//! times do not depend on machine load:
//!
//! ```text
//! cargo build --release -p s3-benches --example list_buckets_once
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/list_buckets_once ours
//! ```
//!
//! `none` only builds the body; subtract its count from those of `bare` (the bare quick-xml
//! pass) and `ours` (the generated deserializer).

use std::hint::black_box;
use std::process::ExitCode;

use s3_benches::list_buckets::{bare_pass, body, BUCKETS};

fn main() -> ExitCode {
    let body = body(BUCKETS);
    match std::env::args().nth(1).as_deref() {
        Some("none") => {}
        Some("bare") => {
            black_box(bare_pass(black_box(&body)).expect("well-formed XML"));
        }
        Some("ours") => {
            let response = http::Response::new(black_box(body));
            black_box(
                s3_client::operation::list_buckets::deserialize(&response).expect("the output"),
            );
        }
        _ => {
            eprintln!("usage: list_buckets_once none|bare|ours");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
