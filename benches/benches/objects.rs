//! GetObject and PutObject of a 64 MiB object over loopback HTTP/1.1, against the raw socket
//! floor.
//!
//! The server is a hand-written keep-alive HTTP/1.1 server on 127.0.0.1 that checks no
//! signature: it answers every GET with the same preallocated 64 MiB body, and every PUT by
//! reading and discarding its `Content-Length` bytes, then `200` with an `ETag`. It and the
//! floor read into page-aligned buffers (see [`s3_benches::wire::PageBuf`]).
//!
//! - `get/floor`, `put/floor`: the same exchange over a raw `TcpStream`, reading the body into a
//!   reused buffer or writing it from a preallocated one: what any client could do at best.
//! - `get/next`: `GetObject`, the body read piece by piece with `ByteStream::next` (counted,
//!   not kept); `get/collect`: the body collected into one `Bytes`.
//! - `put/bytes`: `PutObject` with a `Bytes` body, as a user gets it by default: the body is
//!   hashed once (SHA-256) for the signature, then sent. `put/stream`: the same bytes as a
//!   one-shot `ByteStream::from_stream` with its length, sent `UNSIGNED-PAYLOAD` (no hash, no
//!   retries). `put/file`: a file body, which over plain HTTP is read twice, once for its hash.
//!   (The runtime's `PayloadSigning` is not reachable from the generated `Config`, and neither
//!   of its settings sends an in-memory body unsigned: a one-shot stream is the only way.)
//! - `sha256`: SHA-256 of the 64 MiB alone, the cost the signed variants pay before sending.
//!
//! Goal: client throughput ≥ 80 % of the floor. Criterion runs the variants one after the
//! other; as load on a shared machine drifts, the bench also prints each variant's ratio to
//! its floor from alternating runs of the two.
//!
//! Everything runs on one multi-thread tokio runtime with 2 workers: the server, hyper's
//! connection tasks, and each measured loop as a spawned task (the bench thread only waits).
//!
//! Run with `cargo bench -p s3-benches --bench objects`.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use s3_benches::wire::Reader;
use s3_runtime::body::ByteStream;
use s3_runtime::client::PayloadSigning;
use s3_runtime::credentials::Credentials;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::Mutex;

/// The object's size.
const SIZE: usize = 64 << 20;
const BUCKET: &str = "bench";
const KEY: &str = "object";

/// Serves one connection until the peer closes it.
async fn connection(stream: TcpStream, object: Bytes) -> std::io::Result<()> {
    const GET_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\
        Content-Type: application/octet-stream\r\nETag: \"bench\"\r\n\r\n";
    const PUT_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nETag: \"bench\"\r\n\r\n";
    assert_eq!(object.len(), SIZE);
    let mut reader = Reader::new(stream);
    while let Some((get, len)) = reader.head().await? {
        reader.skip(len).await?;
        if get {
            reader.stream.write_all(GET_HEAD).await?;
            reader.stream.write_all(&object).await?;
        } else {
            reader.stream.write_all(PUT_HEAD).await?;
        }
    }
    Ok(())
}

/// Starts the server on the runtime; its address.
fn serve(rt: &Runtime) -> std::net::SocketAddr {
    let object = Bytes::from(vec![0x5a; SIZE]);
    let listener = rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    rt.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(stream, object.clone()));
        }
    });
    addr
}

/// The floor: a raw keep-alive connection doing the same exchanges with minimal requests.
struct Raw {
    reader: Reader,
    body: Vec<u8>,
}

impl Raw {
    async fn connect(addr: std::net::SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("a connection");
        Self {
            reader: Reader::new(stream),
            body: vec![0xa5; SIZE],
        }
    }

    async fn get(&mut self) -> usize {
        let request = b"GET /bench/object HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        self.reader.stream.write_all(request).await.expect("sent");
        let (_, len) = self.reader.head().await.expect("read").expect("a head");
        self.reader.skip(len).await.expect("the body");
        len
    }

    async fn put(&mut self) -> usize {
        let head = format!(
            "PUT /bench/object HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {SIZE}\r\n\r\n"
        );
        let stream = &mut self.reader.stream;
        stream.write_all(head.as_bytes()).await.expect("sent");
        stream.write_all(&self.body).await.expect("sent");
        let (_, len) = self.reader.head().await.expect("read").expect("a head");
        assert_eq!(len, 0);
        SIZE
    }
}

/// A client of the server at `addr`, signing bodies as `signing` says.
fn client(addr: std::net::SocketAddr, signing: PayloadSigning) -> s3_client::Client {
    let config = s3_client::Config::builder()
        .payload_signing(signing)
        .region("us-east-1")
        .endpoint_url(format!("http://{addr}"))
        .force_path_style(true)
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
        ))
        .build();
    s3_client::Client::new(&config)
}

/// One object in one piece, as a one-shot stream.
struct Once(Option<Bytes>);

impl futures_core::Stream for Once {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

/// What the measured operations share: the floor's connection, the client and the bodies.
#[derive(Clone)]
struct Setup {
    raw: Arc<Mutex<Raw>>,
    client: s3_client::Client,
    /// A client that sends bodies `UNSIGNED-PAYLOAD` over plain HTTP too.
    unsigned: s3_client::Client,
    object: Bytes,
    file: Arc<PathBuf>,
}

/// A measured operation; each returns the bytes it moved.
#[derive(Clone, Copy, Debug)]
enum Op {
    GetFloor,
    GetNext,
    GetCollect,
    PutFloor,
    PutBytes,
    PutBytesUnsigned,
    PutStream,
    PutFile,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::GetFloor => "get/floor",
            Op::GetNext => "get/next",
            Op::GetCollect => "get/collect",
            Op::PutFloor => "put/floor",
            Op::PutBytes => "put/bytes",
            Op::PutBytesUnsigned => "put/unsigned",
            Op::PutStream => "put/stream",
            Op::PutFile => "put/file",
        }
    }

    /// The floor a client operation is compared with.
    fn floor(self) -> Option<Op> {
        match self {
            Op::GetFloor | Op::PutFloor => None,
            Op::GetNext | Op::GetCollect => Some(Op::GetFloor),
            Op::PutBytes | Op::PutBytesUnsigned | Op::PutStream | Op::PutFile => Some(Op::PutFloor),
        }
    }

    async fn run(self, s: &Setup) -> usize {
        let get = || s.client.get_object().bucket(BUCKET).key(KEY).send();
        let put = |body: ByteStream| s.client.put_object().bucket(BUCKET).key(KEY).body(body);
        match self {
            Op::GetFloor => s.raw.lock().await.get().await,
            Op::PutFloor => s.raw.lock().await.put().await,
            Op::GetNext => {
                let mut body = get().await.expect("GetObject").body;
                let mut n = 0;
                while let Some(piece) = body.next().await {
                    n += piece.expect("a piece").len();
                }
                n
            }
            Op::GetCollect => {
                let body = get().await.expect("GetObject").body;
                body.collect().await.expect("the body").len()
            }
            Op::PutBytes => {
                let output = put(s.object.clone().into()).send().await;
                assert!(output.expect("PutObject").etag.is_some());
                SIZE
            }
            Op::PutBytesUnsigned => {
                let put = s.unsigned.put_object().bucket(BUCKET).key(KEY);
                put.body(s.object.clone()).send().await.expect("PutObject");
                SIZE
            }
            Op::PutStream => {
                let body = ByteStream::from_stream(Once(Some(s.object.clone())), Some(SIZE as u64));
                put(body).send().await.expect("PutObject");
                SIZE
            }
            Op::PutFile => {
                let body = ByteStream::from_path(&*s.file).await.expect("the file");
                put(body).send().await.expect("PutObject");
                SIZE
            }
        }
    }

    /// `iters` runs in one task on a worker, timed there.
    fn time(self, rt: &Runtime, setup: &Setup, iters: u64) -> Duration {
        let setup = setup.clone();
        rt.block_on(rt.spawn(async move {
            let start = Instant::now();
            for _ in 0..iters {
                assert_eq!(
                    self.run(&setup).await,
                    SIZE,
                    "{self:?} moves the whole object"
                );
            }
            start.elapsed()
        }))
        .expect("the task")
    }
}

fn gib_per_sec(time: Duration) -> f64 {
    SIZE as f64 / time.as_secs_f64() / f64::from(1 << 30)
}

/// The median time of `op` and of `floor` over `rounds` alternating runs of each.
fn paired(rt: &Runtime, setup: &Setup, op: Op, floor: Op, rounds: usize) -> [Duration; 2] {
    let mut times = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            times[i].push([op, floor][i].time(rt, setup, 1));
        }
    }
    times.map(|mut t| {
        t.sort();
        t[t.len() / 2]
    })
}

fn objects(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let addr = serve(&rt);
    let object = Bytes::from(vec![0xa5; SIZE]);
    let file = std::env::temp_dir().join(format!("s3-benches-object-{}", std::process::id()));
    std::fs::write(&file, &object).expect("the body's file");
    let setup = Setup {
        raw: Arc::new(Mutex::new(rt.block_on(Raw::connect(addr)))),
        client: client(addr, PayloadSigning::default()),
        unsigned: client(addr, PayloadSigning::Never),
        object,
        file: Arc::new(file),
    };
    let ops = [
        Op::GetFloor,
        Op::GetNext,
        Op::GetCollect,
        Op::PutFloor,
        Op::PutBytes,
        Op::PutBytesUnsigned,
        Op::PutStream,
        Op::PutFile,
    ];
    // Connections open and every operation checks out before anything is timed.
    for op in ops {
        op.time(&rt, &setup, 1);
    }
    for op in ops {
        let Some(floor) = op.floor() else { continue };
        let [time, floor_time] = paired(&rt, &setup, op, floor, 7);
        println!(
            "{:<12} {:.2} GiB/s, {:<10} {:.2} GiB/s: {:.0} % of the floor \
             (medians of 7 alternating runs)",
            op.name(),
            gib_per_sec(time),
            floor.name(),
            gib_per_sec(floor_time),
            floor_time.as_secs_f64() / time.as_secs_f64() * 100.0,
        );
    }

    let mut group = c.benchmark_group("object_64mib");
    group
        .throughput(Throughput::Bytes(SIZE as u64))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for op in ops {
        group.bench_function(op.name(), |b| {
            b.iter_custom(|iters| op.time(&rt, &setup, iters))
        });
    }
    group.bench_function("sha256", |b| {
        b.iter(|| Sha256::digest(std::hint::black_box(&setup.object)))
    });
    group.finish();
    let _ = std::fs::remove_file(&*setup.file);
}

criterion_group!(benches, objects);
criterion_main!(benches);
