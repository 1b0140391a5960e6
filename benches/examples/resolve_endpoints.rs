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

use std::hint::black_box;
use std::process::ExitCode;

use aws_sdk_s3::config::endpoint::DefaultResolver;
use s3_client::endpoint::resolve;
use scenarios::{peer_resolve, scenarios};

#[path = "../src/endpoint_scenarios.rs"]
mod scenarios;

const USAGE: &str = "usage: resolve_endpoints COUNT [SCENARIO [ours|peer-hit]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
