//! What is measured: one operation each, with the answer the canned server renders for it.

use bytes::Bytes;
use s3_benches::{list_buckets, list_objects_v2, wire};

/// The bucket and key the requests address.
pub const BUCKET: &str = "bench";
pub const KEY: &str = "object";

/// One operation against its own listener of the canned server, which answers every request
/// on it with one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    HeadBucket,
    /// A listing of this many buckets.
    ListBuckets(usize),
    /// A page of this many objects.
    ListObjectsV2(usize),
    /// An object of this many bytes, read piece by piece.
    GetObject(usize),
    /// A `Bytes` body of this many bytes, signed (SHA-256), as both clients send it over HTTP.
    PutObject(usize),
}

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

impl Scenario {
    /// Every scenario, in the order of the table and of the server's listeners.
    pub const ALL: [Scenario; 9] = [
        Scenario::HeadBucket,
        Scenario::ListBuckets(1),
        Scenario::ListBuckets(1_000),
        Scenario::ListBuckets(10_000),
        Scenario::ListObjectsV2(1_000),
        Scenario::GetObject(KIB),
        Scenario::GetObject(8 * MIB),
        Scenario::PutObject(KIB),
        Scenario::PutObject(8 * MIB),
    ];

    /// The name in the table, such as `ListBuckets(10,000)` or `GetObject 8 MiB`.
    pub fn name(self) -> String {
        match self {
            Scenario::HeadBucket => "HeadBucket".into(),
            Scenario::ListBuckets(n) => format!("ListBuckets({})", thousands(n as u64)),
            Scenario::ListObjectsV2(n) => format!("ListObjectsV2({})", thousands(n as u64)),
            Scenario::GetObject(size) => format!("GetObject {}", size_name(size)),
            Scenario::PutObject(size) => format!("PutObject {}", size_name(size)),
        }
    }

    /// The name on the command line, such as `list-buckets-10000` or `get-object-8mib`.
    pub fn arg(self) -> String {
        let size = |size: usize| size_name(size).replace(' ', "").to_lowercase();
        match self {
            Scenario::HeadBucket => "head-bucket".into(),
            Scenario::ListBuckets(n) => format!("list-buckets-{n}"),
            Scenario::ListObjectsV2(n) => format!("list-objects-v2-{n}"),
            Scenario::GetObject(n) => format!("get-object-{}", size(n)),
            Scenario::PutObject(n) => format!("put-object-{}", size(n)),
        }
    }

    pub fn from_arg(arg: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.arg() == arg)
    }

    /// What a call of this scenario reads or sends: buckets, objects listed, or body bytes.
    pub fn items(self) -> usize {
        match self {
            Scenario::HeadBucket => 0,
            Scenario::ListBuckets(n)
            | Scenario::ListObjectsV2(n)
            | Scenario::GetObject(n)
            | Scenario::PutObject(n) => n,
        }
    }

    /// The request body of a `PutObject`; empty otherwise.
    pub fn request_body(self) -> Bytes {
        match self {
            Scenario::PutObject(size) => Bytes::from(vec![0x5a; size]),
            _ => Bytes::new(),
        }
    }

    /// The response the canned server sends, with the headers S3 sends (less `Date`, which
    /// would go stale).
    pub fn response(self) -> Bytes {
        let ids = [
            ("x-amz-id-2", "YmVuY2gtaG9zdC1pZA=="),
            ("x-amz-request-id", "BENCHREQUESTID"),
        ];
        let xml = |body: Bytes| {
            let headers = [ids[0], ids[1], ("content-type", "application/xml")];
            wire::response(&headers, &body)
        };
        match self {
            Scenario::HeadBucket => wire::response(
                &[
                    ids[0],
                    ids[1],
                    ("x-amz-bucket-region", "us-east-1"),
                    ("x-amz-access-point-alias", "false"),
                    ("content-type", "application/xml"),
                ],
                b"",
            ),
            Scenario::ListBuckets(n) => xml(list_buckets::body_without_arns(n)),
            Scenario::ListObjectsV2(n) => xml(list_objects_v2::body(BUCKET, n)),
            Scenario::GetObject(size) => wire::response(
                &[
                    ids[0],
                    ids[1],
                    ("last-modified", "Thu, 01 Feb 2024 10:20:00 GMT"),
                    ("etag", "\"0123456789abcdef0123456789abcdef\""),
                    ("accept-ranges", "bytes"),
                    ("content-type", "application/octet-stream"),
                ],
                &vec![0xa5; size],
            ),
            Scenario::PutObject(_) => wire::response(
                &[
                    ids[0],
                    ids[1],
                    ("etag", "\"0123456789abcdef0123456789abcdef\""),
                ],
                b"",
            ),
        }
    }

    /// The length of the response's body.
    pub fn body_len(self) -> usize {
        match self {
            Scenario::HeadBucket | Scenario::PutObject(_) => 0,
            Scenario::ListBuckets(n) => list_buckets::body_without_arns(n).len(),
            Scenario::ListObjectsV2(n) => list_objects_v2::body(BUCKET, n).len(),
            Scenario::GetObject(size) => size,
        }
    }

    /// The floor's request: the least HTTP/1.1 that asks for the same answer, body included.
    pub fn raw_request(self) -> Bytes {
        let line = match self {
            Scenario::HeadBucket => format!("HEAD /{BUCKET} HTTP/1.1"),
            Scenario::ListBuckets(_) => "GET / HTTP/1.1".into(),
            Scenario::ListObjectsV2(_) => format!("GET /{BUCKET}?list-type=2 HTTP/1.1"),
            Scenario::GetObject(_) => format!("GET /{BUCKET}/{KEY} HTTP/1.1"),
            Scenario::PutObject(size) => {
                format!("PUT /{BUCKET}/{KEY} HTTP/1.1\r\ncontent-length: {size}")
            }
        };
        let mut request = format!("{line}\r\nhost: 127.0.0.1\r\n\r\n").into_bytes();
        request.extend_from_slice(&self.request_body());
        Bytes::from(request)
    }

    /// Requests per contender in one round of the latency rounds: a round takes about the same
    /// time in every scenario.
    pub fn per_round(self) -> usize {
        match self {
            Scenario::ListBuckets(n) | Scenario::ListObjectsV2(n) if n >= 1_000 => {
                (20_000 / n).max(4)
            }
            Scenario::GetObject(size) | Scenario::PutObject(size) if size >= MIB => 8,
            _ => 200,
        }
    }
}

/// `1 KiB`, `8 MiB`.
fn size_name(bytes: usize) -> String {
    if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / KIB)
    }
}

/// A whole number with thousands separators: `10,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
