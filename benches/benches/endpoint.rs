//! Endpoint resolution: the generated resolver against `aws-sdk-s3`'s `DefaultResolver` on the
//! same parameters.
//!
//! The peer keeps the last (params, endpoint) pair and returns a clone when the next params are
//! equal, so it is measured twice: a cache hit (same params again) and a cache miss (a fresh
//! resolver, created and dropped outside the timing). Ours has no cache: every call resolves.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use aws_sdk_s3::config::endpoint::{DefaultResolver, Params as PeerParams, ResolveEndpoint};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use s3_client::endpoint::{resolve, Params};
use s3_runtime::endpoint::EndpointUrl;

/// The custom endpoint, checked and parsed once as a client configuration holds it.
static CUSTOM_ENDPOINT: LazyLock<EndpointUrl> =
    LazyLock::new(|| EndpointUrl::new("http://127.0.0.1:9000"));

/// One scenario: our params and the peer's, built from the same values.
struct Case {
    name: &'static str,
    ours: Params<'static>,
    peer: PeerParams,
}

fn case(name: &'static str, set: impl Fn(&mut Params<'static>)) -> Case {
    let mut ours = Params::default();
    set(&mut ours);
    let peer = PeerParams::builder()
        .set_bucket(ours.bucket.map(str::to_owned))
        .set_region(ours.region.map(str::to_owned))
        .set_endpoint(ours.endpoint.map(|url| url.as_str().to_owned()))
        .use_fips(ours.use_fips)
        .use_dual_stack(ours.use_dual_stack)
        .force_path_style(ours.force_path_style)
        .set_use_s3_express_control_endpoint(ours.use_s3_express_control_endpoint)
        .build()
        .expect("valid peer params");
    Case { name, ours, peer }
}

fn cases() -> Vec<Case> {
    vec![
        case("virtual_hosted", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-west-2");
        }),
        case("path_style_custom_endpoint", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-east-1");
            p.endpoint = Some(&CUSTOM_ENDPOINT);
            p.force_path_style = true;
        }),
        case("fips_dual_stack", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-east-1");
            p.use_fips = true;
            p.use_dual_stack = true;
        }),
        case("express_zonal", |p| {
            p.bucket = Some("mybucket--usw2-az1--x-s3");
            p.region = Some("us-west-2");
        }),
        case("express_control_plane", |p| {
            p.bucket = Some("mybucket--usw2-az1--x-s3");
            p.region = Some("us-west-2");
            p.use_s3_express_control_endpoint = Some(true);
        }),
    ]
}

/// The peer's resolution, which is ready at once.
fn peer_resolve(
    resolver: &DefaultResolver,
    params: &PeerParams,
) -> aws_sdk_s3::config::endpoint::Endpoint {
    let future = pin!(resolver.resolve_endpoint(params));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(endpoint) => endpoint.expect("the peer resolves"),
        Poll::Pending => panic!("the peer's endpoint future is not ready"),
    }
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        // Both resolvers must agree before their speed means anything.
        let ours = resolve(&case.ours).expect("we resolve");
        let cached = DefaultResolver::new();
        assert_eq!(
            ours.url,
            peer_resolve(&cached, &case.peer).url(),
            "{}",
            case.name
        );

        let mut group = c.benchmark_group(format!("endpoint/{}", case.name));
        group.bench_function("ours", |b| b.iter(|| resolve(black_box(&case.ours))));
        group.bench_function("aws-sdk-s3 cache hit", |b| {
            b.iter(|| peer_resolve(&cached, black_box(&case.peer)))
        });
        group.bench_function("aws-sdk-s3 cache miss", |b| {
            b.iter_batched_ref(
                DefaultResolver::new,
                |resolver| peer_resolve(resolver, black_box(&case.peer)),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
