//! Endpoint resolution: the generated resolver against `aws-sdk-s3`'s `DefaultResolver` on the
//! same parameters.
//!
//! The peer keeps the last (params, endpoint) pair and returns a clone when the next params are
//! equal, so it is measured twice: a cache hit (same params again) and a cache miss (a fresh
//! resolver, created and dropped outside the timing). Ours has no cache: every call resolves.

use std::hint::black_box;

use aws_sdk_s3::config::endpoint::DefaultResolver;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use s3_client::endpoint::resolve;
use scenarios::{peer_resolve, scenarios};

#[path = "../src/endpoint_scenarios.rs"]
mod scenarios;

fn bench(c: &mut Criterion) {
    for case in scenarios() {
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
