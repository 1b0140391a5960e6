//! The side-by-side table: latencies and allocations per scenario from interleaved rounds,
//! throughput with 1 and 16 tasks, and the peak memory of each client in a process of its own.

use std::process::Command;
use std::time::{Duration, Instant};

use s3_benches::alloc::{Allocated, HeapPeak};
use tokio::runtime::Runtime;

use crate::caller::{Caller, Contender};
use crate::scenario::{thousands, Scenario};
use crate::{runtime, Server};

/// How much to measure: the default, or a quick look.
struct Effort {
    /// Latency rounds per scenario; each runs [`Scenario::per_round`] requests of each contender.
    latency_rounds: usize,
    /// Throughput rounds; each runs each contender for `slice`.
    throughput_rounds: usize,
    slice: Duration,
    /// Requests of the ListBuckets(10,000) loop whose peak memory is read.
    rss_requests: u64,
}

impl Effort {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                latency_rounds: 3,
                throughput_rounds: 2,
                slice: Duration::from_millis(100),
                rss_requests: 5,
            }
        } else {
            Self {
                latency_rounds: 20,
                throughput_rounds: 6,
                slice: Duration::from_millis(250),
                rss_requests: 30,
            }
        }
    }
}

/// The scenario the throughput rows run.
const THROUGHPUT: Scenario = Scenario::ListBuckets(1);
const TASKS: [usize; 2] = [1, 16];

pub fn table(quick: bool) {
    let effort = Effort::new(quick);
    let load_before = load_average();
    let started = Instant::now();
    let server = Server::spawn();
    let rt = runtime();
    let mut rows = Vec::new();
    for scenario in Scenario::ALL {
        eprintln!("{} ...", scenario.name());
        let mut callers = callers(&rt, scenario, &server);
        let runs = latency_rounds(&rt, &mut callers, scenario.per_round(), &effort);
        rows.push(Row::new(
            scenario.name(),
            "latency p50 / p90 / p99".into(),
            runs.each_ref().map(|run| run.percentiles()),
            runs.each_ref().map(|run| run.quantile(0.5).as_secs_f64()),
        ));
        rows.push(Row::new(
            scenario.name(),
            "allocations / bytes per request".into(),
            runs.each_ref().map(|run| {
                let [count, bytes] = run.allocated_per_request();
                format!("{count:.1} / {}", bytes_name(bytes))
            }),
            runs.each_ref().map(|run| run.allocated_per_request()[0]),
        ));
        let body_len = scenario.body_len();
        rows.push(Row::new(
            scenario.name(),
            match body_len {
                0 => "heap peak of a request (median)".into(),
                _ => format!(
                    "heap peak of a request (median) / response body ({})",
                    bytes_name(body_len as f64)
                ),
            },
            runs.each_ref().map(|run| match body_len {
                0 => bytes_name(run.heap_peak() as f64),
                _ => format!(
                    "{} / {:.2}×",
                    bytes_name(run.heap_peak() as f64),
                    run.heap_peak() as f64 / body_len as f64
                ),
            }),
            runs.each_ref().map(|run| run.heap_peak() as f64),
        ));
    }
    eprintln!("throughput ...");
    let mut callers = callers(&rt, THROUGHPUT, &server);
    for tasks in TASKS {
        let rates = throughput(&rt, &mut callers, tasks, &effort);
        rows.push(Row::new(
            THROUGHPUT.name(),
            format!("req/s, {tasks} task{}", if tasks == 1 { "" } else { "s" }),
            rates.map(|rate| thousands(rate as u64)),
            rates.map(|rate| 1.0 / rate),
        ));
    }
    eprintln!("peak RSS ...");
    let peaks = Contender::ALL.map(|contender| peak_rss_kib(contender, &server, &effort));
    rows.push(Row::new(
        Scenario::ListBuckets(10_000).name(),
        format!(
            "peak RSS of a {}-request loop, own process",
            effort.rss_requests
        ),
        peaks.map(|kib| bytes_name(kib as f64 * 1024.0)),
        peaks.map(|kib| kib as f64),
    ));
    drop(server);
    println!(
        "\naws-sdk-s3 and ours against a canned HTTP/1.1 server on 127.0.0.1 (its own process); \
         {} latency rounds; {:.0} s; load average {} before, {} after; {} CPUs\n",
        effort.latency_rounds,
        started.elapsed().as_secs_f64(),
        load_before,
        load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    print_table(&rows);
    println!(
        "\nRatios are of costs (time, allocations, memory; for req/s its inverse), of p50 for \
         latencies: above 1 the first costs more."
    );
}

/// One caller of each contender, each checked once (which also opens its connection).
fn callers(rt: &Runtime, scenario: Scenario, server: &Server) -> [Caller; 3] {
    let addr = server.ports.addr(scenario);
    let mut callers = Contender::ALL.map(|contender| Caller::new(contender, scenario, addr));
    rt.block_on(async {
        for caller in &mut callers {
            caller.check().await;
        }
    });
    callers
}

/// A contender's requests in one scenario: each one's time, and what they all allocated.
struct Run {
    latencies: Vec<Duration>,
    allocated: Allocated,
    /// Each request's heap peak, above the heap before it.
    heap_peaks: Vec<u64>,
}

impl Run {
    fn quantile(&self, q: f64) -> Duration {
        let index = ((self.latencies.len() as f64 * q) as usize).min(self.latencies.len() - 1);
        self.latencies[index]
    }

    /// p50, p90 and p99, in µs below 10 ms and in ms above.
    fn percentiles(&self) -> String {
        let [p50, p90, p99] = [0.5, 0.9, 0.99].map(|q| self.quantile(q).as_secs_f64());
        if p99 < 0.01 {
            format!("{:.0} / {:.0} / {:.0} µs", p50 * 1e6, p90 * 1e6, p99 * 1e6)
        } else {
            format!("{:.1} / {:.1} / {:.1} ms", p50 * 1e3, p90 * 1e3, p99 * 1e3)
        }
    }

    /// The median of the requests' heap peaks: a typical request's, as the first requests
    /// of a round may also grow a pooled connection's buffers.
    fn heap_peak(&self) -> u64 {
        self.heap_peaks[self.heap_peaks.len() / 2]
    }

    fn allocated_per_request(&self) -> [f64; 2] {
        let requests = self.latencies.len() as f64;
        [self.allocated.allocations, self.allocated.bytes].map(|n| n as f64 / requests)
    }
}

/// `rounds` rounds of `per_round` requests of each contender, in turn, the first contender of a
/// round moving along each round, so that a drift in the machine's load hits all alike.
fn latency_rounds(
    rt: &Runtime,
    callers: &mut [Caller; 3],
    per_round: usize,
    effort: &Effort,
) -> [Run; 3] {
    let samples = effort.latency_rounds * per_round;
    let mut runs = [(); 3].map(|()| Run {
        latencies: Vec::with_capacity(samples),
        allocated: Allocated::default(),
        heap_peaks: Vec::with_capacity(samples),
    });
    for round in 0..effort.latency_rounds {
        for i in (0..3).map(|i| (i + round) % 3) {
            let (caller, run) = (&mut callers[i], &mut runs[i]);
            let before = Allocated::now();
            rt.block_on(async {
                for _ in 0..per_round {
                    let heap = HeapPeak::mark();
                    let start = Instant::now();
                    std::hint::black_box(caller.call().await);
                    run.latencies.push(start.elapsed());
                    run.heap_peaks.push(heap.above());
                }
            });
            run.allocated += Allocated::since(before);
        }
    }
    for run in &mut runs {
        run.latencies.sort();
        run.heap_peaks.sort();
    }
    runs
}

/// Requests per second of each contender with `tasks` concurrent tasks, each making requests
/// one after the other, in interleaved rounds of `effort.slice` each.
fn throughput(rt: &Runtime, callers: &mut [Caller; 3], tasks: usize, effort: &Effort) -> [f64; 3] {
    // The same forks (the floor's connections, the clients' pooled ones) serve every round.
    let mut forks = callers
        .each_ref()
        .map(|caller| (0..tasks).map(|_| caller.fork()).collect::<Vec<_>>());
    for fork in &mut forks {
        run_for(rt, fork, effort.slice); // Opens the connections.
    }
    let mut totals = [(0, Duration::ZERO); 3];
    for round in 0..effort.throughput_rounds {
        for i in (0..3).map(|i| (i + round) % 3) {
            let (requests, time) = run_for(rt, &mut forks[i], effort.slice);
            totals[i].0 += requests;
            totals[i].1 += time;
        }
    }
    totals.map(|(requests, time)| requests as f64 / time.as_secs_f64())
}

/// Each caller in a task of its own, making requests until `slice` has passed: how many they
/// made, and the time until the last finished.
fn run_for(rt: &Runtime, callers: &mut Vec<Caller>, slice: Duration) -> (u64, Duration) {
    rt.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = callers
            .drain(..)
            .map(|mut caller| {
                tokio::spawn(async move {
                    let mut requests = 0;
                    while start.elapsed() < slice {
                        std::hint::black_box(caller.call().await);
                        requests += 1;
                    }
                    (caller, requests)
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            let (caller, requests) = task.await.expect("a request task");
            callers.push(caller);
            total += requests;
        }
        (total, start.elapsed())
    })
}

/// The peak resident set of a process of this program making `effort.rss_requests`
/// ListBuckets(10,000) requests as `contender`, in KiB.
fn peak_rss_kib(contender: Contender, server: &Server, effort: &Effort) -> u64 {
    let exe = std::env::current_exe().expect("this program's path");
    let output = Command::new(exe)
        .args(["rss", contender.arg(), &effort.rss_requests.to_string()])
        .args(["--ports", &server.ports.arg()])
        .output()
        .expect("the rss process");
    assert!(
        output.status.success(),
        "the rss process failed: {output:?}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.trim().parse().expect("a size in KiB")
}

/// `/proc/loadavg`'s 1-, 5- and 15-minute averages.
pub fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg.split(' ').take(3).collect::<Vec<_>>().join(" ")
}

fn bytes_name(bytes: f64) -> String {
    match bytes {
        b if b >= f64::from(1 << 20) => format!("{:.1} MiB", b / f64::from(1 << 20)),
        b if b >= 10.0 * 1024.0 => format!("{:.0} KiB", b / 1024.0),
        b if b >= 1024.0 => format!("{:.1} KiB", b / 1024.0),
        b => format!("{b:.0} B"),
    }
}

/// A row of the table: a figure of each contender, and the costs its ratios compare.
pub struct Row {
    scenario: String,
    measure: String,
    figures: [String; 3],
    costs: [f64; 3],
}

impl Row {
    pub fn new(scenario: String, measure: String, figures: [String; 3], costs: [f64; 3]) -> Self {
        Self {
            scenario,
            measure,
            figures,
            costs,
        }
    }

    fn cells(&self) -> Vec<String> {
        let [sdk, ours, floor] = self.costs;
        let ratio = |a: f64, b: f64| {
            if b > 0.0 && a.is_finite() && b.is_finite() {
                format!("{:.2}×", a / b)
            } else {
                "–".into()
            }
        };
        let mut cells = vec![self.scenario.clone(), self.measure.clone()];
        cells.extend(self.figures.iter().cloned());
        cells.extend([ratio(sdk, ours), ratio(ours, floor)]);
        cells
    }
}

/// The rows as a Markdown table, its columns aligned.
pub fn print_table(rows: &[Row]) {
    let mut lines = vec![[
        "scenario",
        "measure",
        Contender::Sdk.name(),
        Contender::Ours.name(),
        Contender::Floor.name(),
        "aws-sdk-s3 / ours",
        "ours / floor",
    ]
    .map(String::from)
    .to_vec()];
    lines.extend(rows.iter().map(Row::cells));
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let print = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| format!("{cell:<width$}"))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    print(&lines[0]);
    print(&widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>());
    for line in &lines[1..] {
        print(line);
    }
}
