//! aws-sdk-s3 and our client side by side over loopback HTTP/1.1, with a raw-socket floor: one
//! command prints one table of latencies, allocations, throughput and peak memory; another
//! counts instructions per request under valgrind. `benches/README.md` explains each row.
//!
//! ```text
//! cargo run --release -p s3-benches --example side_by_side [-- --quick]
//! cargo run --release -p s3-benches --example side_by_side -- instructions [--quick]
//! cargo run --release -p s3-benches --example side_by_side -- requests ours head-bucket 1000
//! ```
//!
//! The canned server runs in a child process (`serve`): what the client process allocates,
//! executes and holds in memory is then the client's alone, and the server has a thread of its
//! own. Each client runs on a current-thread tokio runtime, so it uses one core and the server
//! the other.

mod caller;
mod instructions;
mod measure;
mod scenario;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, ExitCode, Stdio};

use s3_benches::alloc::{Allocated, CountingAllocator, HeapPeak};
use s3_benches::wire;

use caller::{Caller, Contender};
use scenario::Scenario;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const USAGE: &str = "\
usage: side_by_side [--quick]                  the side-by-side table
       side_by_side instructions [--quick] [CONTENDER...] [SCENARIO...]
                                               instructions per request, under valgrind (by
                                               default: every contender, list-buckets-1,
                                               head-bucket, list-buckets-10000)
       side_by_side requests CONTENDER SCENARIO N [--ports PORTS]
                                               one warm-up request, then N; prints allocations
       side_by_side serve                      the canned server: prints PORTS, serves until
                                               its stdin closes
       side_by_side rss CONTENDER N --ports PORTS
                                               N ListBuckets(10,000), then the peak RSS in KiB
CONTENDER: sdk, ours or floor
SCENARIO: head-bucket, list-buckets-1, list-buckets-1000, list-buckets-10000,
          list-objects-v2-1000, get-object-1kib, get-object-8mib, put-object-1kib, put-object-8mib";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let quick = args.contains(&"--quick");
    match args.as_slice() {
        [] | ["--quick"] => measure::table(quick),
        ["instructions", rest @ ..] => {
            let mut contenders = Vec::new();
            let mut scenarios = Vec::new();
            for &arg in rest.iter().filter(|&&arg| arg != "--quick") {
                match (Contender::from_arg(arg), Scenario::from_arg(arg)) {
                    (Some(contender), _) => contenders.push(contender),
                    (_, Some(scenario)) => scenarios.push(scenario),
                    _ => return usage(),
                }
            }
            if contenders.is_empty() {
                contenders = Contender::ALL.to_vec();
            }
            if scenarios.is_empty() {
                scenarios = instructions::DEFAULT.to_vec();
            }
            instructions::table(&contenders, &scenarios, quick);
        }
        ["serve"] => serve(),
        ["requests", contender, scenario, n, rest @ ..] => {
            let (Some(contender), Some(scenario), Ok(n)) = (
                Contender::from_arg(contender),
                Scenario::from_arg(scenario),
                n.parse(),
            ) else {
                return usage();
            };
            match rest {
                [] => requests(contender, scenario, n, &Server::spawn().ports),
                ["--ports", ports] => match Ports::parse(ports) {
                    Some(ports) => requests(contender, scenario, n, &ports),
                    None => return usage(),
                },
                _ => return usage(),
            }
        }
        ["rss", contender, n, "--ports", ports] => {
            match (
                Contender::from_arg(contender),
                n.parse(),
                Ports::parse(ports),
            ) {
                (Some(contender), Ok(n), Some(ports)) => rss(contender, n, &ports),
                _ => return usage(),
            }
        }
        _ => return usage(),
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// The canned server's ports on 127.0.0.1, one per scenario in the order of [`Scenario::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ports(Vec<u16>);

impl Ports {
    /// From their form on the command line: comma-separated.
    fn parse(arg: &str) -> Option<Self> {
        let ports = arg
            .split(',')
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<_>>>()?;
        (ports.len() == Scenario::ALL.len()).then_some(Self(ports))
    }

    pub fn arg(&self) -> String {
        let ports: Vec<String> = self.0.iter().map(u16::to_string).collect();
        ports.join(",")
    }

    pub fn addr(&self, scenario: Scenario) -> SocketAddr {
        let index = Scenario::ALL.iter().position(|s| *s == scenario);
        let port = self.0[index.expect("a scenario of Scenario::ALL")];
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    }
}

/// The canned server in a child process of this program (`serve`); it exits when dropped.
pub struct Server {
    child: Child,
    pub ports: Ports,
}

impl Server {
    pub fn spawn() -> Self {
        let exe = std::env::current_exe().expect("this program's path");
        let mut child = Command::new(exe)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server process");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("its stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server's ports");
        let ports = Ports::parse(line.trim()).expect("the server's ports");
        Self { child, ports }
    }
}

impl Drop for Server {
    /// Closes the server's stdin, which it takes as the signal to exit.
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Listens for every scenario, prints the ports and answers until stdin closes (the parent
/// exited), on a current-thread runtime: one core for the server.
fn serve() {
    let rt = runtime();
    let ports = rt.block_on(async {
        let mut ports = Vec::new();
        for scenario in Scenario::ALL {
            ports.push(wire::serve(scenario.response()).await.port());
        }
        Ports(ports)
    });
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", ports.arg())
        .and_then(|()| stdout.flush())
        .expect("stdout");
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    rt.block_on(std::future::pending::<()>());
}

/// The runtime every client and the server run on: one thread each.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// One request (connections, lazy initialisation), then `n` more, for instruction counts:
/// the count of `n` requests less that of 0, over `n`, is one request's. Prints the
/// allocations per request of the `n`, and the median of their heap peaks.
fn requests(contender: Contender, scenario: Scenario, n: u64, ports: &Ports) {
    let rt = runtime();
    let mut caller = Caller::new(contender, scenario, ports.addr(scenario));
    rt.block_on(caller.check());
    let before = Allocated::now();
    let mut heap_peaks = Vec::with_capacity(n as usize);
    rt.block_on(async {
        for _ in 0..n {
            let heap = HeapPeak::mark();
            std::hint::black_box(caller.call().await);
            heap_peaks.push(heap.above());
        }
    });
    let allocated = Allocated::since(before);
    heap_peaks.sort();
    let heap_peak = heap_peaks.get(heap_peaks.len() / 2).copied().unwrap_or(0);
    let per_request = |count: u64| count as f64 / n.max(1) as f64;
    println!(
        "{} {}: {n} requests, {:.1} allocations and {:.0} bytes allocated per request, \
         median heap peak {heap_peak} bytes above the heap before a request (response body {} bytes)",
        contender.arg(),
        scenario.arg(),
        per_request(allocated.allocations),
        per_request(allocated.bytes),
        scenario.body_len(),
    );
}

/// `n` ListBuckets(10,000) requests, then prints the process's peak resident set in KiB.
fn rss(contender: Contender, n: u64, ports: &Ports) {
    let scenario = Scenario::ListBuckets(10_000);
    let rt = runtime();
    let mut caller = Caller::new(contender, scenario, ports.addr(scenario));
    rt.block_on(async {
        for _ in 0..n {
            caller.check().await;
        }
    });
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM in /proc/self/status");
    println!("{peak}");
}
