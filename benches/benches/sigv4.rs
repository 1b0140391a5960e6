//! Signing a typical S3 GET with our signer and with `aws-sigv4` (what `aws-sdk-s3` uses), on the
//! same request, time and credentials, with S3's settings on both sides. Each side starts from
//! the unsigned request and ends with the signed headers applied to it, as a client does once per
//! attempt; the request is cloned outside the timed part.
//!
//! Before timing, both signed requests are checked to carry the same headers, so the two sides
//! do the same work. Then a paired figure is printed, which load drift between criterion's two
//! runs cannot skew: alternating batches of each side, in the order `a b`, then `b a`, and the
//! median of the per-round times and of their ratio.
//!
//! Run: `cargo bench -p s3-benches --bench sigv4`.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SigningSettings as PeerSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use http::Request;
use s3_runtime::credentials::Credentials;
use s3_runtime::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings};
use s3_runtime::time::DateTime;

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";

/// GetObject on a virtual-hosted bucket, a key with slashes, a range and the SDK's headers.
fn typical_get() -> Request<Bytes> {
    Request::get("https://bucket.s3.us-east-1.amazonaws.com/photos/2024/cat%20picture.jpg")
        .header("range", "bytes=0-1048575")
        .header(
            "amz-sdk-invocation-id",
            "5b2f9c1e-8a4d-4e7b-9f3a-2c6d8e1f0a9b",
        )
        .header("amz-sdk-request", "attempt=1; max=3")
        .header("user-agent", "aws-sdk-rust/1.0 os/linux lang/rust/1.95")
        .body(Bytes::new())
        .expect("a valid request")
}

fn signing_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_717_171_717)
}

fn ours(
    signer: &Signer,
    credentials: &Credentials,
    settings: &SigningSettings,
    request: &mut Request<Bytes>,
) {
    let params = SigningParams {
        credentials,
        region: REGION,
        service: "s3",
        time: DateTime::from(signing_time()),
        payload: PayloadHash::Body,
        settings,
    };
    signer.sign(request, &params).expect("signing succeeds");
}

fn peer_settings() -> PeerSettings {
    let mut settings = PeerSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings
}

/// What `aws-runtime`'s SigV4 signer does per request: settings and parameters, a signable view
/// of the request, the signature, and the instructions applied to the request.
fn peer(identity: &Identity, request: &mut Request<Bytes>) {
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(REGION)
        .name("s3")
        .time(signing_time())
        .settings(peer_settings())
        .build()
        .expect("complete parameters")
        .into();
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.to_str().expect("ASCII headers"))),
        SignableBody::Bytes(request.body()),
    )
    .expect("a signable request");
    let (instructions, _signature) = sign(signable, &params)
        .expect("signing succeeds")
        .into_parts();
    instructions.apply_to_request_http1x(request);
}

fn sorted_headers(request: &Request<Bytes>) -> Vec<(String, String)> {
    let mut headers: Vec<_> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    headers.sort();
    headers
}

fn bench(c: &mut Criterion) {
    let signer = Signer::new();
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, None, None);
    let settings = SigningSettings::s3();
    let identity: Identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "bench").into();

    let mut mine = typical_get();
    ours(&signer, &credentials, &settings, &mut mine);
    let mut theirs = typical_get();
    peer(&identity, &mut theirs);
    assert_eq!(
        sorted_headers(&mine),
        sorted_headers(&theirs),
        "both signers must produce the same signed request"
    );

    paired(
        || {
            let mut requests: Vec<_> = (0..BATCH).map(|_| typical_get()).collect();
            let start = Instant::now();
            for request in &mut requests {
                ours(&signer, &credentials, &settings, black_box(request));
            }
            start.elapsed()
        },
        || {
            let mut requests: Vec<_> = (0..BATCH).map(|_| typical_get()).collect();
            let start = Instant::now();
            for request in &mut requests {
                peer(&identity, black_box(request));
            }
            start.elapsed()
        },
    );

    let mut group = c.benchmark_group("sigv4 sign S3 GetObject");
    group.bench_function("s3-runtime", |b| {
        b.iter_batched_ref(
            typical_get,
            |request| ours(&signer, &credentials, &settings, black_box(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("aws-sigv4", |b| {
        b.iter_batched_ref(
            typical_get,
            |request| peer(&identity, black_box(request)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Signatures per timed batch.
const BATCH: u32 = 1000;

/// Prints the median time per signature of each side and of their ratio, over rounds of one
/// batch each, alternating which side goes first.
fn paired(mut ours: impl FnMut() -> Duration, mut peer: impl FnMut() -> Duration) {
    let (mut mine, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    for round in 0.. {
        if start.elapsed() > Duration::from_secs(3) && round >= 20 {
            break;
        }
        let (a, b) = if round % 2 == 0 {
            (ours(), peer())
        } else {
            let b = peer();
            (ours(), b)
        };
        mine.push(a / BATCH);
        theirs.push(b / BATCH);
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    ratios.sort_by(f64::total_cmp);
    println!(
        "paired, {} rounds: s3-runtime {:?}, aws-sigv4 {:?} per signature; ratio {:.3}",
        ratios.len(),
        median(&mut mine),
        median(&mut theirs),
        ratios[ratios.len() / 2],
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
