//! Checksums for S3's `aws.protocols#httpChecksum` trait.
//!
//! Requests carry the checksum S3 asks for (or the caller chose) in an `x-amz-checksum-*`
//! header, and response bodies are validated against the one S3 sends back as they stream
//! through a [`Hasher`]. Values are S3's wire form: base64 of the big-endian digest.

use sha2::Digest as _;

use crate::types::base64_encode;

/// A checksum algorithm S3 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// CRC-32 (ISO-HDLC, as zlib computes it).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME, which S3 computes for objects uploaded without a checksum.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

/// The order in which response checksums are preferred for validation, fastest first.
///
/// Measured on x86-64 with SSE4.2, PCLMULQDQ and SHA extensions over 64 MiB in release builds:
/// CRC32C about 10 GB/s (a dedicated instruction), CRC64NVME about 7, CRC32 about 3, SHA-1
/// and SHA-256 about 1.3. SHA-1 stays ahead of SHA-256: without SHA extensions it is the
/// faster of the two.
pub const PREFERENCE: &[Algorithm] = &[
    Algorithm::Crc32c,
    Algorithm::Crc64Nvme,
    Algorithm::Crc32,
    Algorithm::Sha1,
    Algorithm::Sha256,
];

impl Algorithm {
    /// From the model's enum value ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"), ASCII
    /// case-insensitive.
    pub fn from_name(name: &str) -> Option<Self> {
        PREFERENCE
            .iter()
            .copied()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }

    /// The model's name, e.g. "CRC32".
    pub fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
        }
    }

    /// The header that carries it: `x-amz-checksum-crc32` etc, as a `&'static str` (lowercase).
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Self::Sha1 => "x-amz-checksum-sha1",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// A new incremental checksum of this algorithm.
    pub fn hasher(self) -> Hasher {
        let crc = |algorithm| State::Crc(self, crc_fast::Digest::new(algorithm));
        Hasher(match self {
            Self::Crc32 => crc(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
            Self::Crc32c => crc(crc_fast::CrcAlgorithm::Crc32Iscsi),
            Self::Crc64Nvme => crc(crc_fast::CrcAlgorithm::Crc64Nvme),
            Self::Sha1 => State::Sha1(sha1::Sha1::new()),
            Self::Sha256 => State::Sha256(sha2::Sha256::new()),
        })
    }
}

/// An incremental checksum.
pub struct Hasher(State);

/// The crates' hashers: `crc-fast` computes all three CRCs.
enum State {
    Crc(Algorithm, crc_fast::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    /// The algorithm it computes.
    pub fn algorithm(&self) -> Algorithm {
        match self.0 {
            State::Crc(algorithm, _) => algorithm,
            State::Sha1(_) => Algorithm::Sha1,
            State::Sha256(_) => Algorithm::Sha256,
        }
    }

    /// Feeds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            State::Crc(_, digest) => digest.update(data),
            State::Sha1(hasher) => hasher.update(data),
            State::Sha256(hasher) => hasher.update(data),
        }
    }

    /// The checksum as S3 sends it: base64 of the big-endian digest bytes.
    pub fn finish(self) -> String {
        match self.0 {
            // `finalize` gives the CRC in a u64; CRC-32s are its low four bytes.
            State::Crc(Algorithm::Crc64Nvme, digest) => {
                base64_encode(&digest.finalize().to_be_bytes())
            }
            State::Crc(_, digest) => base64_encode(&(digest.finalize() as u32).to_be_bytes()),
            State::Sha1(hasher) => base64_encode(&hasher.finalize()),
            State::Sha256(hasher) => base64_encode(&hasher.finalize()),
        }
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Hasher").field(&self.algorithm()).finish()
    }
}

/// The checksum of `data` in one go.
pub fn checksum(algorithm: Algorithm, data: &[u8]) -> String {
    let mut hasher = algorithm.hasher();
    hasher.update(data);
    hasher.finish()
}

/// When requests carry a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChecksumPolicy {
    /// Only where the operation requires one (`requestChecksumRequired`) or the caller chose an
    /// algorithm. The default: third-party S3-compatible stores broke when the AWS SDKs started
    /// sending checksums on every upload in 2025.
    #[default]
    WhenRequired,
    /// Also on every operation that supports one (CRC32 unless the caller chose another), as the
    /// AWS SDKs do by default since 2025.
    WhenSupported,
}

/// A response body's validation: the first of `algorithms` (the operation's
/// `responseAlgorithms`, in the order of [`PREFERENCE`]) whose header the response carries, with
/// the expected value.
///
/// `None` when none is present, or when each present value is a composite checksum of a
/// multipart object (it contains `-`: a checksum of the parts' checksums, which cannot be
/// checked against the body); such a value is skipped for the next algorithm.
pub fn response_checksum(
    headers: &http::HeaderMap,
    algorithms: &[&str],
) -> Option<(Algorithm, String)> {
    PREFERENCE
        .iter()
        .filter(|algorithm| {
            algorithms
                .iter()
                .any(|name| algorithm.name().eq_ignore_ascii_case(name))
        })
        .find_map(|&algorithm| {
            let value = headers.get(algorithm.header_name())?.to_str().ok()?;
            (!value.contains('-')).then(|| (algorithm, value.to_owned()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from Python's `zlib.crc32` and `hashlib`, and for CRC32C and CRC64NVME a
    /// bitwise implementation that reproduces the published check values for "123456789"
    /// (0xE3069283 and 0xAE8B14860A799888).
    const VECTORS: &[(Algorithm, [&str; 3])] = &[
        (Algorithm::Crc32, ["AAAAAA==", "y/Q5Jg==", "i9aeUg=="]),
        (Algorithm::Crc32c, ["AAAAAA==", "4waSgw==", "crUfeA=="]),
        (
            Algorithm::Crc64Nvme,
            ["AAAAAAAAAAA=", "rosUhgp5mIg=", "OOJZ0D8xKts="],
        ),
        (
            Algorithm::Sha1,
            [
                "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
                "98O8HYCOBHMq32eZZczDTKeuNEE=",
                "e1AsOh9IyGCa4hLN+2Od7jlnP14=",
            ],
        ),
        (
            Algorithm::Sha256,
            [
                "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
                "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=",
            ],
        ),
    ];
    const INPUTS: [&[u8]; 3] = [b"", b"123456789", b"Hello world"];

    #[test]
    fn known_vectors() {
        assert_eq!(VECTORS.len(), PREFERENCE.len());
        for (algorithm, expected) in VECTORS {
            for (input, expected) in INPUTS.iter().zip(expected) {
                assert_eq!(
                    &checksum(*algorithm, input),
                    expected,
                    "{algorithm:?} {input:?}"
                );
            }
        }
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        for &algorithm in PREFERENCE {
            let mut hasher = algorithm.hasher();
            assert_eq!(hasher.algorithm(), algorithm);
            for piece in data.chunks(977) {
                hasher.update(piece);
            }
            hasher.update(b"");
            assert_eq!(hasher.finish(), checksum(algorithm, &data), "{algorithm:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for &algorithm in PREFERENCE {
            assert_eq!(Algorithm::from_name(algorithm.name()), Some(algorithm));
            let lower = algorithm.name().to_ascii_lowercase();
            assert_eq!(Algorithm::from_name(&lower), Some(algorithm));
            assert_eq!(algorithm.header_name(), format!("x-amz-checksum-{lower}"));
        }
        assert_eq!(Algorithm::from_name("Crc32C"), Some(Algorithm::Crc32c));
        assert_eq!(Algorithm::from_name("MD5"), None);
        assert_eq!(format!("{:?}", Algorithm::Sha1.hasher()), "Hasher(Sha1)");
    }

    #[test]
    fn response_checksum_by_preference() {
        let all = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];
        let mut headers = http::HeaderMap::new();
        assert_eq!(response_checksum(&headers, &all), None);

        headers.insert("x-amz-checksum-sha256", "c2hh".parse().unwrap());
        headers.insert("x-amz-checksum-crc32", "Y3Jj".parse().unwrap());
        let crc32 = Some((Algorithm::Crc32, "Y3Jj".to_owned()));
        assert_eq!(response_checksum(&headers, &all), crc32);
        assert_eq!(
            response_checksum(&headers, &["SHA256"]),
            Some((Algorithm::Sha256, "c2hh".to_owned()))
        );
        assert_eq!(response_checksum(&headers, &["SHA1", "CRC32C"]), None);

        // A composite checksum of a multipart object is skipped.
        headers.insert("x-amz-checksum-crc32c", "abc-3".parse().unwrap());
        assert_eq!(response_checksum(&headers, &all), crc32);
        assert_eq!(response_checksum(&headers, &["CRC32C"]), None);
        headers.insert("x-amz-checksum-crc64nvme", "Y3JjNjQ=".parse().unwrap());
        assert_eq!(
            response_checksum(&headers, &all),
            Some((Algorithm::Crc64Nvme, "Y3JjNjQ=".to_owned()))
        );
    }
}
