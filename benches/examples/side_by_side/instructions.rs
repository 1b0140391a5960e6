//! Instructions per request of the client process alone, from valgrind's cachegrind: this
//! program's `requests` mode run with N requests and with 0, against one canned server that
//! runs natively in a process of its own; (count of N − count of 0) / N.

use std::process::Command;

use crate::caller::Contender;
use crate::measure::{load_average, print_table, Row};
use crate::scenario::{thousands, Scenario};
use crate::{Ports, Server};

/// The scenarios counted unless others are asked for.
pub const DEFAULT: [Scenario; 3] = [
    Scenario::ListBuckets(1),
    Scenario::HeadBucket,
    Scenario::ListBuckets(10_000),
];

/// The requests counted of a scenario: enough that the per-request cost dwarfs the noise of
/// a run, few enough that the large ones take well under a minute under valgrind.
fn counted_requests(scenario: Scenario, quick: bool) -> u64 {
    let large = scenario.per_round() < 100;
    match (large, quick) {
        (false, false) => 1_000,
        (false, true) => 200,
        (true, false) => 20,
        (true, true) => 4,
    }
}

/// The table of `contenders` in `scenarios`.
pub fn table(contenders: &[Contender], scenarios: &[Scenario], quick: bool) {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed (apt-get install valgrind)");
        std::process::exit(1);
    }
    let server = Server::spawn();
    let mut rows = Vec::new();
    for &scenario in scenarios {
        let n = counted_requests(scenario, quick);
        let counts = Contender::ALL.map(|contender| {
            if !contenders.contains(&contender) {
                return f64::NAN;
            }
            eprintln!("{} {} ...", contender.name(), scenario.name());
            let base = instructions(contender, scenario, 0, &server.ports);
            let counted = instructions(contender, scenario, n, &server.ports);
            counted.saturating_sub(base) as f64 / n as f64
        });
        rows.push(Row::new(
            scenario.name(),
            format!("instructions per request ({n} requests)"),
            counts.map(|count| {
                if count.is_nan() {
                    "–".into()
                } else {
                    thousands(count as u64)
                }
            }),
            counts,
        ));
    }
    println!(
        "\nInstructions of the client process alone (valgrind --tool=cachegrind); \
         load average {}. Under valgrind, sha2 takes its software path (no SHA-NI detected), \
         which inflates the share of SHA-256 against a native run.\n",
        load_average()
    );
    print_table(&rows);
}

/// The instructions valgrind counts in a process of this program making one warm-up request and
/// then `requests` more.
fn instructions(contender: Contender, scenario: Scenario, requests: u64, ports: &Ports) -> u64 {
    let exe = std::env::current_exe().expect("this program's path");
    let output = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(exe)
        .args([
            "requests",
            contender.arg(),
            &scenario.arg(),
            &requests.to_string(),
        ])
        .args(["--ports", &ports.arg()])
        .output()
        .expect("valgrind");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "valgrind failed:\n{stderr}");
    stderr
        .lines()
        .find_map(|line| {
            line.split_once("I refs:")
                .or_else(|| line.split_once("I   refs:"))
        })
        .and_then(|(_, count)| count.trim().replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no instruction count in valgrind's output:\n{stderr}"))
}
