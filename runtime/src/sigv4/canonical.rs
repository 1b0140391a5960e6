//! The pieces of the canonical request: URI path, query string and headers, written into
//! caller-owned buffers.

use http::header::{AUTHORIZATION, CONNECTION, EXPECT, TRANSFER_ENCODING, USER_AGENT};
use http::HeaderName;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 unreserved characters, the only bytes SigV4 leaves unencoded.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

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
    let kept = |b: u8| UNRESERVED[usize::from(b)] || (keep_slash && b == b'/');
    // Bytes that pass through unchanged are copied a run at a time.
    let mut run = 0;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if kept(b) {
            i += 1;
            continue;
        }
        out.extend_from_slice(&input[run..i]);
        i += 1;
        match (decode && b == b'%', input.get(i..i + 2)) {
            (true, Some(&[hi, lo])) if hex_value(hi).is_some() && hex_value(lo).is_some() => {
                let decoded = hex_value(hi).unwrap_or(0) << 4 | hex_value(lo).unwrap_or(0);
                if UNRESERVED[usize::from(decoded)] {
                    out.push(decoded);
                } else {
                    push_escaped(out, decoded);
                }
                i += 2;
            }
            _ => push_escaped(out, b),
        }
        run = i;
    }
    out.extend_from_slice(&input[run..]);
}

fn push_escaped(out: &mut Vec<u8>, b: u8) {
    out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
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

/// A header as the canonical request has it: its name and one of its values. A repeated header
/// is one entry per value.
pub(super) type HeaderEntry<'a> = (&'a str, &'a [u8]);

/// Appends the signed-headers list of `entries` (sorted by name): the names, once each, joined
/// by `;`.
pub(super) fn write_signed_headers(out: &mut Vec<u8>, entries: &[HeaderEntry<'_>]) {
    let mut previous = None;
    for &(name, _) in entries {
        if previous != Some(name) {
            if previous.is_some() {
                out.push(b';');
            }
            out.extend_from_slice(name.as_bytes());
            previous = Some(name);
        }
    }
}

/// Appends the canonical header lines of `entries`, sorted by name with the values of a name in
/// their request order: `name:value\n`, the values of a repeated header joined by `,`.
pub(super) fn write_headers(out: &mut Vec<u8>, entries: &[HeaderEntry<'_>]) {
    let mut previous = None;
    for &(name, value) in entries {
        if previous == Some(name) {
            out.push(b',');
        } else {
            if previous.is_some() {
                out.push(b'\n');
            }
            out.extend_from_slice(name.as_bytes());
            out.push(b':');
            previous = Some(name);
        }
        write_trimmed(out, value);
    }
    if previous.is_some() {
        out.push(b'\n');
    }
}

/// Appends a header value with surrounding whitespace removed and runs of spaces collapsed.
fn write_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut rest = value.trim_ascii();
    // Most values have no space at all, which a byte search (memchr) rules out fastest.
    if !rest.contains(&b' ') {
        out.extend_from_slice(rest);
        return;
    }
    while let Some(at) = rest.windows(2).position(|pair| pair == b"  ") {
        out.extend_from_slice(&rest[..=at]);
        rest = rest[at..].trim_ascii_start();
    }
    out.extend_from_slice(rest);
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
    fn joins_the_values_of_repeated_headers() {
        let entries: [HeaderEntry<'_>; 5] = [
            ("a", b"1"),
            ("my-header", b" value2"),
            ("my-header", b"value1  "),
            ("x", b""),
            ("z", b"last"),
        ];
        let (mut lines, mut signed) = (Vec::new(), Vec::new());
        write_headers(&mut lines, &entries);
        write_signed_headers(&mut signed, &entries);
        assert_eq!(lines, b"a:1\nmy-header:value2,value1\nx:\nz:last\n");
        assert_eq!(signed, b"a;my-header;x;z");
    }

    #[test]
    fn trims_and_collapses_header_values() {
        let mut out = Vec::new();
        write_trimmed(&mut out, b" \t\"a   b  c\" ");
        assert_eq!(out, b"\"a b c\"");
    }
}
