//! The S3 Express session cache (`s3_runtime::express`): what a cache hit costs, and what session
//! auth adds to a whole request.
//!
//! - `session_cache_hit`: one `SessionCache::get` that finds a fresh session, with 1 bucket and
//!   with 100 buckets cached (looking up one in the middle). The future is polled once with a
//!   no-op waker, so no executor is measured; a hit must be `Ready` at the first poll. Goal:
//!   ≤ 200 ns, and no allocation (printed once, outside the timing, by a counting allocator).
//! - `list_objects_v2_session_vs_sigv4`: `ListObjectsV2` on the directory bucket
//!   `bench--usw2-az1--x-s3` over keep-alive HTTP/1.1 to a canned server on 127.0.0.1, signed
//!   with the bucket's cached session (`sigv4-s3express`) or, with
//!   `disable_s3_express_session_auth`, with the base credentials (`sigv4`). Goal: session auth
//!   adds ≤ 5 %. Criterion runs the two one after the other; as load on a shared machine drifts
//!   between them, the bench also prints a paired figure from alternating batches of each.
//!
//! Run with `cargo bench -p s3-benches --bench express`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use http_body_util::Full;
use s3_benches::alloc::{Allocated, CountingAllocator};
use s3_benches::express::{answer, is_create_session, DIRECTORY_BUCKET};
use s3_runtime::client::SendFuture;
use s3_runtime::credentials::Credentials;
use s3_runtime::error::BoxError;
use s3_runtime::express::{CreateSession, SessionCache, SharedCreateSession};
use s3_runtime::time::{SharedClock, SystemClock};
use s3_tests::serve::LocalServer;
use tokio::runtime::Runtime;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations made by `f`, run `runs` times, per run.
fn allocations_per_run(runs: u64, mut f: impl FnMut()) -> f64 {
    let before = Allocated::now();
    for _ in 0..runs {
        f();
    }
    Allocated::since(before).allocations as f64 / runs as f64
}

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A `CreateSession` that answers at once with a five-minute session, counting its calls.
#[derive(Debug, Default)]
struct InstantSessions {
    calls: AtomicUsize,
}

impl InstantSessions {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl CreateSession for InstantSessions {
    fn create_session(
        &self,
        _bucket: &str,
        _mode: Option<&str>,
    ) -> SendFuture<Result<Credentials, BoxError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let credentials = Credentials::new(
            "ASIASESSIONEXAMPLE",
            "secret",
            Some("token".into()),
            Some(SystemTime::now() + Duration::from_secs(300)),
        );
        Box::pin(std::future::ready(Ok(credentials)))
    }
}

/// A cache holding a fresh session for each of `buckets`, and what its `get` takes.
struct WarmCache {
    cache: SessionCache,
    base: Credentials,
    source: SharedCreateSession,
    clock: SharedClock,
}

impl WarmCache {
    /// Loads every bucket through a current-thread runtime (a miss spawns its load with
    /// `tokio::spawn`) until a second `get` of each is served without calling the source.
    fn new(buckets: &[String]) -> Self {
        let counter = Arc::new(InstantSessions::default());
        let warm = Self {
            cache: SessionCache::default(),
            base: Credentials::new(ACCESS_KEY, SECRET_KEY, None, None),
            source: counter.clone(),
            clock: Arc::new(SystemClock),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime");
        rt.block_on(async {
            for bucket in buckets {
                warm.get(bucket).await.expect("a session");
                loop {
                    let calls = counter.calls();
                    warm.get(bucket).await.expect("a session");
                    if counter.calls() == calls {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
        });
        assert_eq!(counter.calls(), buckets.len(), "one CreateSession a bucket");
        assert_eq!(warm.cache.len(), buckets.len(), "every session is kept");
        // Hits, outside any runtime now, register tracing callsites and the like.
        for bucket in buckets {
            warm.hit(bucket);
        }
        assert_eq!(counter.calls(), buckets.len(), "hits never call the source");
        warm
    }

    fn get<'a>(
        &'a self,
        bucket: &'a str,
    ) -> impl Future<Output = Result<Credentials, s3_runtime::error::CredentialsError>> + 'a {
        self.cache
            .get(bucket, None, &self.base, &self.source, &self.clock)
    }

    /// One lookup that must hit: the future is polled once, with no executor.
    fn hit(&self, bucket: &str) -> Credentials {
        let future = pin!(self.get(bucket));
        match future.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(credentials)) => credentials,
            Poll::Ready(Err(e)) => panic!("a hit failed: {e}"),
            Poll::Pending => panic!("a hit is ready at the first poll"),
        }
    }
}

fn session_cache_hit(c: &mut Criterion) {
    let mut group = c.benchmark_group("session_cache_hit");
    for count in [1, 100] {
        let buckets: Vec<String> = (0..count)
            .map(|i| format!("bucket{i:03}--usw2-az1--x-s3"))
            .collect();
        let warm = WarmCache::new(&buckets);
        let bucket = &buckets[count / 2];
        let allocations = allocations_per_run(10_000, || {
            black_box(warm.hit(black_box(bucket)));
        });
        println!("session_cache_hit/{count}: allocations per hit: {allocations}");
        group.bench_function(BenchmarkId::new("buckets", count), |b| {
            b.iter(|| warm.hit(black_box(bucket)))
        });
    }
    group.finish();
}

fn xml(body: &'static str) -> http::Response<Full<Bytes>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", "BENCHREQUESTID")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a valid response")
}

/// What the server saw: `CreateSession` calls and requests carrying a session token.
#[derive(Default)]
struct Seen {
    create_session: AtomicUsize,
    session_token: AtomicUsize,
}

impl Seen {
    fn get(&self) -> [usize; 2] {
        [&self.create_session, &self.session_token].map(|n| n.load(Ordering::SeqCst))
    }
}

/// Answers `CreateSession` with a session that expires in 2099 and everything else with a
/// one-object `ListObjectsV2` page; checks no signature.
fn serve(rt: &Runtime, seen: Arc<Seen>) -> LocalServer {
    rt.block_on(LocalServer::start(move |request| {
        let query = request.uri().query();
        if is_create_session(query) {
            seen.create_session.fetch_add(1, Ordering::SeqCst);
        } else if request.headers().contains_key("x-amz-s3session-token") {
            seen.session_token.fetch_add(1, Ordering::SeqCst);
        }
        std::future::ready(xml(answer(query)))
    }))
}

fn client(endpoint: &str, session_auth: bool) -> s3_client::Client {
    let config = s3_client::Config::builder()
        .region("us-west-2")
        .endpoint_url(endpoint)
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None))
        .disable_s3_express_session_auth(!session_auth)
        .build();
    s3_client::Client::new(&config)
}

fn list(rt: &Runtime, client: &s3_client::Client) -> usize {
    let output = rt
        .block_on(client.list_objects_v2().bucket(DIRECTORY_BUCKET).send())
        .expect("ListObjectsV2");
    output.contents.map_or(0, |c| c.len())
}

/// One request to each client, timed in alternating batches for about `total`: the mean time
/// of each, and the median over rounds of the first's batch time over the second's. Each
/// round runs `a b` or `b a` in turn, so a steady drift in load hits both alike.
fn paired(rt: &Runtime, a: &s3_client::Client, b: &s3_client::Client, total: Duration) -> Paired {
    const BATCH: u32 = 100;
    let batch = |client: &s3_client::Client| {
        let start = Instant::now();
        for _ in 0..BATCH {
            black_box(list(rt, client));
        }
        start.elapsed()
    };
    let (mut sum_a, mut sum_b, mut ratios) = (Duration::ZERO, Duration::ZERO, Vec::new());
    let start = Instant::now();
    while start.elapsed() < total {
        let (time_a, time_b) = if ratios.len() % 2 == 0 {
            let time_a = batch(a);
            (time_a, batch(b))
        } else {
            let time_b = batch(b);
            (batch(a), time_b)
        };
        sum_a += time_a;
        sum_b += time_b;
        ratios.push(time_a.as_secs_f64() / time_b.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let requests = f64::from(BATCH) * ratios.len() as f64;
    Paired {
        micros: [sum_a, sum_b].map(|t| t.as_secs_f64() * 1e6 / requests),
        median_ratio: ratios[ratios.len() / 2],
        rounds: ratios.len(),
    }
}

struct Paired {
    micros: [f64; 2],
    median_ratio: f64,
    rounds: usize,
}

fn list_objects_v2_session_vs_sigv4(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let seen = Arc::new(Seen::default());
    let server = serve(&rt, seen.clone());
    let endpoint = format!("http://{}", server.addr());
    let session = client(&endpoint, true);
    let sigv4 = client(&endpoint, false);

    // Each reads the page; the session client creates a session once and signs with it.
    assert_eq!(list(&rt, &session), 1);
    assert_eq!(
        seen.get(),
        [1, 1],
        "the session client signs with a session"
    );
    assert_eq!(list(&rt, &sigv4), 1);
    assert_eq!(seen.get(), [1, 1], "the SigV4 client signs without one");
    for (name, client) in [("session", &session), ("sigv4", &sigv4)] {
        let per_request = allocations_per_run(1_000, || {
            black_box(list(&rt, client));
        });
        println!(
            "list_objects_v2/{name}: allocations per request (client and server): {per_request}"
        );
    }
    let paired = paired(&rt, &session, &sigv4, Duration::from_secs(3));
    let [with_session, with_sigv4] = paired.micros;
    println!(
        "list_objects_v2 paired ({} alternating rounds of 100 each): session {with_session:.2} µs, \
         sigv4 {with_sigv4:.2} µs, overhead {:+.1} % (median of rounds {:+.1} %)",
        paired.rounds,
        (with_session / with_sigv4 - 1.0) * 100.0,
        (paired.median_ratio - 1.0) * 100.0,
    );

    let mut group = c.benchmark_group("list_objects_v2_session_vs_sigv4");
    group.bench_function("session", |b| b.iter(|| list(&rt, &session)));
    group.bench_function("sigv4", |b| b.iter(|| list(&rt, &sigv4)));
    group.finish();
    assert_eq!(seen.get()[0], 1, "every request used the cached session");
    drop(server);
}

criterion_group!(benches, session_cache_hit, list_objects_v2_session_vs_sigv4);
criterion_main!(benches);
