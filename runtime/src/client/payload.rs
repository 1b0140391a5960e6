//! A request body's signing: its payload hash and checksum, read once, or the headers of an
//! `aws-chunked` body whose checksum goes in a trailer.

use std::borrow::Cow;

use http::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use sha2::{Digest, Sha256};

use crate::aws_chunked::encoded_len;
use crate::body::{BodyError, ByteStream};
use crate::checksum::{Algorithm, Hasher};
use crate::sigv4::{EMPTY_SHA256, UNSIGNED_PAYLOAD};

/// The headers of an `aws-chunked` body with an `algorithm` trailer: the encoding, the trailer's
/// name, and the lengths before and after encoding when the body's is known.
pub(super) fn aws_chunked_headers(
    headers: &mut http::HeaderMap,
    algorithm: Algorithm,
    len: Option<u64>,
) {
    let encoding = match headers.get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()) {
        Some(other) if !other.is_empty() => format!("aws-chunked,{other}"),
        _ => "aws-chunked".to_owned(),
    };
    if let Ok(encoding) = HeaderValue::try_from(encoding) {
        headers.insert(CONTENT_ENCODING, encoding);
    }
    headers.insert(
        HeaderName::from_static("x-amz-trailer"),
        HeaderValue::from_static(algorithm.header_name()),
    );
    match len {
        Some(len) => {
            headers.insert(
                HeaderName::from_static("x-amz-decoded-content-length"),
                HeaderValue::from(len),
            );
            headers.insert(
                CONTENT_LENGTH,
                HeaderValue::from(encoded_len(len, algorithm)),
            );
        }
        None => {
            headers.remove(CONTENT_LENGTH);
        }
    }
}

/// A request body's payload hash for signing, and its checksum.
pub(super) struct Payload {
    pub(super) hash: Cow<'static, str>,
    pub(super) checksum: Option<String>,
}

/// Reads `body` once, if need be, for its SHA-256 (unless `unsigned`) and its `algorithm`
/// checksum.
pub(super) async fn payload(
    body: &ByteStream,
    algorithm: Option<Algorithm>,
    unsigned: bool,
) -> Result<Payload, BodyError> {
    let mut sha = (!unsigned && !body.is_empty()).then(Sha256::new);
    let mut hasher = algorithm.map(Algorithm::hasher);
    if let Some(bytes) = body.as_bytes().filter(|b| b.len() >= BLOCKING_HASH) {
        // Hashing a large body takes long enough (about 0.75 s per GiB) to stall the other
        // tasks of this worker thread.
        let bytes = bytes.clone();
        let (sha, hasher) = tokio::task::spawn_blocking(move || {
            if let Some(sha) = &mut sha {
                sha.update(&bytes);
            }
            if let Some(hasher) = &mut hasher {
                hasher.update(&bytes);
            }
            (sha, hasher)
        })
        .await
        .map_err(|e| BodyError::Source(e.into()))?;
        return Ok(Payload::new(sha, hasher, unsigned));
    }
    if sha.is_some() || hasher.is_some() {
        let mut stream = body.clone();
        while let Some(piece) = stream.next().await {
            let piece = piece?;
            if let Some(sha) = &mut sha {
                sha.update(&piece);
            }
            if let Some(hasher) = &mut hasher {
                hasher.update(&piece);
            }
        }
    }
    Ok(Payload::new(sha, hasher, unsigned))
}

/// The size from which a body in memory is hashed on the blocking pool.
const BLOCKING_HASH: usize = 1 << 20;

impl Payload {
    pub(super) fn new(sha: Option<Sha256>, hasher: Option<Hasher>, unsigned: bool) -> Self {
        Payload {
            hash: match sha {
                Some(sha) => hex(&sha.finalize()).into(),
                None if unsigned => UNSIGNED_PAYLOAD.into(),
                None => EMPTY_SHA256.into(),
            },
            checksum: hasher.map(Hasher::finish),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}
