//! Reading a ListBuckets response of 10,000 buckets: our deserializer against a bare quick-xml
//! pass over the same bytes (the practical limit; goal: within 2x of it), and both clients end
//! to end against aws-sdk-s3. ns per bucket is the time per iteration divided by 10,000.
//!
//! aws-sdk-s3 keeps its deserializer internal, so it runs end to end: once over a replayed
//! in-memory response (its own test HTTP client: orchestrator and deserializer, no I/O), and
//! once, like our client, over HTTP/1.1 to a server on 127.0.0.1 that answers every request with
//! the body. The `empty` group repeats the end-to-end runs with no buckets, which isolates the
//! per-request overhead from the per-bucket cost.
//!
//! Run with `cargo bench -p s3-benches --bench deserialize`.

use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_smithy_http_client::test_util::infallible_client_fn;
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use s3_benches::list_buckets::{bare_pass, body, BUCKETS};
use s3_benches::wire;
use s3_runtime::credentials::Credentials;
use tokio::runtime::Runtime;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// The 200 response S3 would send with `body`.
fn response(body: Bytes) -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", "BENCHREQUESTID")
        .body(body)
        .expect("a valid response")
}

/// The same response on the wire, rendered once for the loopback server.
fn wire_response(body: &[u8]) -> Bytes {
    wire::response(
        &[
            ("content-type", "application/xml"),
            ("x-amz-request-id", "BENCHREQUESTID"),
        ],
        body,
    )
}

fn ours(endpoint: &str) -> s3_client::Client {
    let config = s3_client::Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    s3_client::Client::new(&config)
}

/// aws-sdk-s3 with the latest behavior version, fixed credentials, us-east-1 and `http`.
fn sdk(http: SharedHttpClient, endpoint: Option<&str>) -> aws_sdk_s3::Client {
    let credentials =
        aws_sdk_s3::config::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "bench");
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .http_client(http);
    if let Some(url) = endpoint {
        config = config.endpoint_url(url).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

fn sdk_replay(body: Bytes) -> aws_sdk_s3::Client {
    sdk(infallible_client_fn(move |_| response(body.clone())), None)
}

fn sdk_loopback(endpoint: &str) -> aws_sdk_s3::Client {
    sdk(
        aws_smithy_http_client::Builder::new().build_http(),
        Some(endpoint),
    )
}

fn deserialize(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    for buckets in [BUCKETS, 0] {
        let body = body(buckets);
        let endpoint = format!("http://{}", rt.block_on(wire::serve(wire_response(&body))));
        let response = response(body.clone());
        let ours = ours(&endpoint);
        let (replay, loopback) = (sdk_replay(body.clone()), sdk_loopback(&endpoint));
        check(&rt, buckets, &ours, &replay, &loopback);

        let mut group = c.benchmark_group(format!("list_buckets/{buckets}"));
        group
            .throughput(Throughput::Bytes(body.len() as u64))
            .measurement_time(Duration::from_secs(8));
        if buckets > 0 {
            group.bench_function("quick-xml bare pass", |b| {
                b.iter(|| bare_pass(&body).expect("well-formed XML"))
            });
        }
        group.bench_function("s3-client deserialize", |b| {
            b.iter(|| s3_client::operation::list_buckets::deserialize(&response).expect("output"))
        });
        group.bench_function(BenchmarkId::new("s3-client end to end", "loopback"), |b| {
            b.iter(|| send_ours(&rt, &ours))
        });
        group.bench_function(BenchmarkId::new("aws-sdk-s3 end to end", "replay"), |b| {
            b.iter(|| send_sdk(&rt, &replay))
        });
        group.bench_function(BenchmarkId::new("aws-sdk-s3 end to end", "loopback"), |b| {
            b.iter(|| send_sdk(&rt, &loopback))
        });
        group.finish();
    }
}

fn send_ours(
    rt: &Runtime,
    client: &s3_client::Client,
) -> s3_client::operation::list_buckets::ListBucketsOutput {
    rt.block_on(client.list_buckets().send())
        .expect("ListBuckets")
}

fn send_sdk(
    rt: &Runtime,
    client: &aws_sdk_s3::Client,
) -> aws_sdk_s3::operation::list_buckets::ListBucketsOutput {
    rt.block_on(client.list_buckets().send())
        .expect("ListBuckets")
}

/// Every contender reads all `buckets` with the same first and last names, so that each
/// measures real work.
fn check(
    rt: &Runtime,
    buckets: usize,
    ours: &s3_client::Client,
    replay: &aws_sdk_s3::Client,
    loopback: &aws_sdk_s3::Client,
) {
    let names = |names: Vec<Option<String>>| {
        assert_eq!(names.len(), buckets, "every bucket is read");
        (names.first().cloned(), names.last().cloned())
    };
    let ours = names(
        send_ours(rt, ours)
            .buckets
            .unwrap_or_default()
            .into_iter()
            .map(|b| b.name)
            .collect(),
    );
    for sdk in [replay, loopback] {
        let theirs = send_sdk(rt, sdk);
        assert_eq!(
            ours,
            names(
                theirs
                    .buckets
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.name)
                    .collect()
            )
        );
    }
}

criterion_group!(benches, deserialize);
criterion_main!(benches);
