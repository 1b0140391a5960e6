//! The pieces of the canonical request: URI path, query string and headers, written into
//! caller-owned buffers.

use http::header::{AUTHORIZATION, CONNECTION, EXPECT, TRANSFER_ENCODING, USER_AGENT};
use http::{HeaderMap, HeaderName};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 unreserved characters, the only bytes SigV4 leaves unencoded.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Appends `input` percent-encoded the SigV4 way: unreserved bytes as they are, every other byte
/// as `%XX` with uppercase hex, and `/` kept when `keep_slash`.
///
/// With `decode`, a `%XX` escape in the input stands for its byte, which is then encoded like any
/// other (so `%2f` becomes `%2F`, `%41` becomes `A`, and an escaped `/` stays escaped): the result
/// is the encoding of the decoded input, whatever escapes the input used. Without it, `%` is data
/// and is encoded as `%25`; this is the "double encoding" some services expect of paths.
pub(super) fn encode(out: &mut Vec<u8>, input: &[u8], keep_slash: bool, decode: bool) {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        i += 1;
        if decode && b == b'%' {
            if let [hi, lo, ..] = input[i..] {
                if let (Some(hi), Some(lo)) = (hex_value(hi), hex_value(lo)) {
                    i += 2;
                    push_byte(out, hi << 4 | lo, false);
                    continue;
                }
            }
        }
        push_byte(out, b, keep_slash);
    }
}

fn push_byte(out: &mut Vec<u8>, b: u8, keep_slash: bool) {
    if is_unreserved(b) || (keep_slash && b == b'/') {
        out.push(b);
    } else {
        out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    }
}

/// Appends the canonical URI of `path`.
///
/// `normalize` removes empty, `.` and `..` segments (RFC 3986 section 5.2.4, plus collapsing `//`),
/// keeping a trailing slash; `double_encode` encodes the wire form of the path (escapes
/// included) instead of its decoded form.
pub(super) fn write_path(out: &mut Vec<u8>, path: &str, normalize: bool, double_encode: bool) {
    let path = if path.is_empty() { "/" } else { path };
    let decode = !double_encode;
    if !normalize {
        encode(out, path.as_bytes(), true, decode);
        return;
    }
    let start = out.len();
    // Where each kept segment starts in `out`, so that `..` can drop the last one.
    let mut kept = Vec::new();
    let mut last = "";
    for segment in path.split('/') {
        last = segment;
        match segment {
            "" | "." => {}
            ".." => {
                if let Some(at) = kept.pop() {
                    out.truncate(at);
                }
            }
            _ => {
                kept.push(out.len());
                out.push(b'/');
                encode(out, segment.as_bytes(), false, decode);
            }
        }
    }
    if out.len() == start || matches!(last, "" | "." | "..") {
        out.push(b'/');
    }
}

/// Sorted query parameters, encoded into one buffer.
#[derive(Default)]
pub(super) struct Query {
    buf: Vec<u8>,
    /// Per parameter: where its key starts, where its value starts (the key's end), and where
    /// the value ends, in `buf`.
    params: Vec<(usize, usize, usize)>,
}

impl Query {
    pub(super) const fn new() -> Self {
        Self {
            buf: Vec::new(),
            params: Vec::new(),
        }
    }

    /// The memory held, in bytes.
    pub(super) fn capacity(&self) -> usize {
        self.buf.capacity() + self.params.capacity() * std::mem::size_of::<(usize, usize, usize)>()
    }

    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.params.clear();
    }

    /// Adds the parameters of a raw query string. Keys and values are decoded from their escapes
    /// and re-encoded (RFC 3986: `+` is a plus, not a space); a key without `=` has an empty value.
    pub(super) fn add_raw(&mut self, query: &str) {
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            self.add(key.as_bytes(), &[value.as_bytes()], true);
        }
    }

    /// Adds one parameter, encoding its key and the concatenation of `value` (decoding their
    /// escapes first if `decode`).
    pub(super) fn add(&mut self, key: &[u8], value: &[&[u8]], decode: bool) {
        let start = self.buf.len();
        encode(&mut self.buf, key, false, decode);
        let mid = self.buf.len();
        for part in value {
            encode(&mut self.buf, part, false, decode);
        }
        self.params.push((start, mid, self.buf.len()));
    }

    /// Appends `key=value` pairs joined by `&`, sorted by key and then value.
    pub(super) fn write_sorted(&mut self, out: &mut Vec<u8>) {
        let buf = &self.buf;
        self.params.sort_unstable_by(|a, b| {
            (&buf[a.0..a.1], &buf[a.1..a.2]).cmp(&(&buf[b.0..b.1], &buf[b.1..b.2]))
        });
        for (i, &(start, mid, end)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            out.extend_from_slice(&buf[start..mid]);
            out.push(b'=');
            out.extend_from_slice(&buf[mid..end]);
        }
    }
}

/// Headers that are never signed: proxies and the HTTP layer may change or drop them in transit.
/// The union of what the AWS SDKs for Go, Java and Rust leave out.
pub(super) fn is_unsigned_header(name: &HeaderName) -> bool {
    name == AUTHORIZATION
        || name == CONNECTION
        || name == EXPECT
        || name == TRANSFER_ENCODING
        || name == USER_AGENT
        || name.as_str() == "x-amzn-trace-id"
}

/// One canonical header: from the request, or set by the signer.
pub(super) enum Header<'a> {
    Request(&'a HeaderName),
    Set(&'a str, &'a [u8]),
}

impl Header<'_> {
    pub(super) fn name(&self) -> &str {
        match self {
            Header::Request(name) => name.as_str(),
            Header::Set(name, _) => name,
        }
    }

    /// Appends `name:value\n`, the values of a repeated header joined by `,`.
    pub(super) fn write(&self, headers: &HeaderMap, out: &mut Vec<u8>) {
        out.extend_from_slice(self.name().as_bytes());
        out.push(b':');
        match self {
            Header::Request(name) => {
                for (i, value) in headers.get_all(*name).iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_trimmed(out, value.as_bytes());
                }
            }
            Header::Set(_, value) => write_trimmed(out, value),
        }
        out.push(b'\n');
    }
}

/// Appends a header value with surrounding whitespace removed and runs of spaces collapsed.
fn write_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let value = value.trim_ascii();
    let mut previous = 0;
    for &b in value {
        if !(b == b' ' && previous == b' ') {
            out.push(b);
        }
        previous = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(input: &str, normalize: bool, double_encode: bool) -> String {
        let mut out = Vec::new();
        write_path(&mut out, input, normalize, double_encode);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn encodes_paths_once_or_twice() {
        assert_eq!(path("/a%2Fb/c%20d", false, false), "/a%2Fb/c%20d");
        assert_eq!(path("/a%2fb/%41$", false, false), "/a%2Fb/A%24");
        assert_eq!(path("/a%2Fb/c%20d", false, true), "/a%252Fb/c%2520d");
        assert_eq!(path("/100%/%zz", false, false), "/100%25/%25zz");
        assert_eq!(path("", false, false), "/");
    }

    #[test]
    fn normalizes_dot_segments_and_slashes() {
        for (input, expected) in [
            ("/", "/"),
            ("//", "/"),
            ("//example//", "/example/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/a/b/../c", "/a/c"),
            ("/a/b/.", "/a/b/"),
            ("/../a", "/a"),
        ] {
            assert_eq!(path(input, true, true), expected, "{input}");
        }
        assert_eq!(path("//example//", false, false), "//example//");
    }

    #[test]
    fn sorts_query_parameters_by_encoded_key_then_value() {
        let mut query = Query::new();
        query.add_raw("Param-3=Value3&Param=Value2&%E1%88%B4=Value1&b=2&b=1&flag&&a+b=%7e");
        let mut out = Vec::new();
        query.write_sorted(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3&a%2Bb=~&b=1&b=2&flag="
        );
    }

    #[test]
    fn trims_and_collapses_header_values() {
        let mut out = Vec::new();
        write_trimmed(&mut out, b" \t\"a   b  c\" ");
        assert_eq!(out, b"\"a b c\"");
    }
}
