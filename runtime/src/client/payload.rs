//! A request body's signing: its payload hash and checksum, read once, or the headers of an
//! `aws-chunked` body whose checksum goes in a trailer.

use std::borrow::Cow;

use http::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use sha2::{Digest, Sha256};

use crate::aws_chunked::encoded_len;
use crate::body::{BodyError, ByteStream};
use crate::checksum::{Algorithm, Hasher};
use crate::sigv4::{hex, EMPTY_SHA256, UNSIGNED_PAYLOAD};

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
    let mut digests = Digests {
        sha: (!unsigned && !body.is_empty()).then(Sha256::new),
        checksum: algorithm.map(Algorithm::hasher),
    };
    if digests.sha.is_none() && digests.checksum.is_none() {
        return Ok(digests.finish(unsigned));
    }
    if let Some(bytes) = body.as_bytes().filter(|b| b.len() >= BLOCKING_HASH) {
        // Hashing a large body takes long enough (about 0.75 s per GiB) to stall the other
        // tasks of this worker thread.
        let bytes = bytes.clone();
        let digests = tokio::task::spawn_blocking(move || {
            digests.update(&bytes);
            digests
        })
        .await
        .map_err(|e| BodyError::Source(e.into()))?;
        return Ok(digests.finish(unsigned));
    }
    let mut stream = body.clone();
    while let Some(piece) = stream.next().await {
        digests.update(&piece?);
    }
    Ok(digests.finish(unsigned))
}

/// The size from which a body in memory is hashed on the blocking pool.
const BLOCKING_HASH: usize = 1 << 20;

/// What a body is read for: its SHA-256, its checksum, or both.
struct Digests {
    sha: Option<Sha256>,
    checksum: Option<Hasher>,
}

impl Digests {
    fn update(&mut self, data: &[u8]) {
        if let Some(sha) = &mut self.sha {
            sha.update(data);
        }
        if let Some(checksum) = &mut self.checksum {
            checksum.update(data);
        }
    }

    fn finish(self, unsigned: bool) -> Payload {
        Payload {
            hash: match self.sha {
                Some(sha) => {
                    let hex = hex(&sha.finalize().into());
                    String::from_utf8_lossy(&hex).into_owned().into()
                }
                None if unsigned => UNSIGNED_PAYLOAD.into(),
                None => EMPTY_SHA256.into(),
            },
            checksum: self.checksum.map(Hasher::finish),
        }
    }
}
