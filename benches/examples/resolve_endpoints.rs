//! N endpoint resolutions of one scenario of `--bench endpoint` (by default the path-style
//! custom-endpoint case), by our resolver or by the peer's from its one-entry cache, for
//! instruction counts, which unlike wall times do not depend on machine load:
//!
//! ```text
//! cargo build --release -p s3-benches --example resolve_endpoints
//! valgrind --tool=callgrind target/release/examples/resolve_endpoints 0
//! valgrind --tool=callgrind target/release/examples/resolve_endpoints 10000
//! valgrind --tool=callgrind target/release/examples/resolve_endpoints 10000 express_zonal peer-hit
//! ```
//!
//! (count at 10,000 minus count at 0) / 10,000 is the cost of one resolution. Both contenders
//! resolve once before the loop, so the peer's count at 0 includes filling its cache.
//!
//! `resolve_endpoints time` times every scenario instead: 300 rounds, each timing 1,000 of our
//! resolutions and then 1,000 of the peer's cache hits, and prints the fastest round of each
//! per resolution. Alternating small rounds and keeping the minimum leaves out what other load
//! on the machine adds, which a mean or median over seconds does not.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use aws_sdk_s3::config::endpoint::DefaultResolver;
use s3_client::endpoint::resolve;
use scenarios::{peer_resolve, scenarios};

#[path = "../src/endpoint_scenarios.rs"]
mod scenarios;

const USAGE: &str = "usage: resolve_endpoints COUNT [SCENARIO [ours|peer-hit]]
       resolve_endpoints time";

/// The fastest of `rounds` timings of `batch` calls of `ours` and of `peer`, alternated, in ns
/// per call.
fn fastest_rounds(rounds: u32, batch: u32, ours: impl Fn(), peer: impl Fn()) -> (f64, f64) {
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(batch)
    };
    (0..rounds).fold((f64::MAX, f64::MAX), |(o, p), _| {
        (o.min(time(&ours)), p.min(time(&peer)))
    })
}

fn time_every_scenario() {
    println!("scenario | ours | aws-sdk-s3 cache hit (fastest round, ns per resolution)");
    for scenario in scenarios() {
        let resolver = DefaultResolver::new();
        let (ours, peer) = fastest_rounds(
            300,
            1_000,
            || drop(black_box(resolve(black_box(&scenario.ours)))),
            || {
                drop(black_box(peer_resolve(
                    &resolver,
                    black_box(&scenario.peer),
                )))
            },
        );
        println!("{} | {ours:.0} | {peer:.0}", scenario.name);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("time") {
        time_every_scenario();
        return ExitCode::SUCCESS;
    }
    let arg = |i: usize, default: &'static str| args.get(i).map_or(default, String::as_str);
    let count = arg(0, "").parse::<u32>().ok();
    let scenario = scenarios()
        .into_iter()
        .find(|s| s.name == arg(1, "path_style_custom_endpoint"));
    let (Some(count), Some(scenario)) = (count, scenario) else {
        let names: Vec<_> = scenarios().into_iter().map(|s| s.name).collect();
        eprintln!("{USAGE}\nSCENARIO: {}", names.join(", "));
        return ExitCode::from(2);
    };
    match arg(2, "ours") {
        "ours" => {
            resolve(&scenario.ours).expect("an endpoint");
            for _ in 0..count {
                black_box(resolve(black_box(&scenario.ours)).expect("an endpoint"));
            }
        }
        "peer-hit" => {
            let resolver = DefaultResolver::new();
            peer_resolve(&resolver, &scenario.peer);
            for _ in 0..count {
                black_box(peer_resolve(&resolver, black_box(&scenario.peer)));
            }
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
