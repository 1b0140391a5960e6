//! Value types the generated shapes use beyond the standard library's.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// A Smithy document: untyped JSON-like data.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A list of documents.
    Array(Vec<Document>),
    /// A map from strings to documents.
    Object(std::collections::BTreeMap<String, Document>),
}

/// Standard base64 that decodes with or without padding; non-zero trailing bits are still rejected.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Standard base64 with padding, as Smithy encodes blobs in XML, headers and queries.
pub fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64 (padding optional, whitespace ignored); `None` if it is not base64.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    BASE64_LENIENT.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for (raw, encoded) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xff, 0xfe, 0x00], "//4A"),
        ] {
            assert_eq!(base64_encode(raw), encoded);
            assert_eq!(base64_decode(encoded).as_deref(), Some(raw));
        }
        assert_eq!(base64_decode("Zm9v\nYmFy").as_deref(), Some(&b"foobar"[..]));
        for unpadded in ["Zg", "Zg=", " Zg = = "] {
            assert_eq!(
                base64_decode(unpadded).as_deref(),
                Some(&b"f"[..]),
                "{unpadded}"
            );
        }
        // Not base64, non-zero trailing bits, excess padding, a lone sextet.
        for bad in ["Zm9v!", "Zg==Zg", "Zh==", "Zh", "Zm9v=", "Zm9==", "Zm9vY"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
