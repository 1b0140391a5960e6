//! The rules-engine standard library and the AWS extension functions, on borrowed strings.
//!
//! `booleanEquals`, `stringEquals`, `not`, `isSet`, `coalesce`, `ite` and `getAttr` are plain
//! Rust expressions in the generated code; the functions here are the ones with real work.

use std::borrow::Cow;

/// `substring(input, start, stop, reverse)`: bytes `start..stop` of an ASCII `input`, counted
/// from the end when `reverse` is set. `None` if the input is not ASCII or too short, or if
/// `start >= stop`.
pub fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    let range = substring_range(input.len(), start, stop, reverse)?;
    // ASCII: every byte index is a char boundary.
    input.is_ascii().then(|| &input[range])
}

/// The byte range [`substring`] takes of an input `len` bytes long, ASCII or not.
fn substring_range(
    len: usize,
    start: usize,
    stop: usize,
    reverse: bool,
) -> Option<std::ops::Range<usize>> {
    if start >= stop || len < stop {
        return None;
    }
    Some(if reverse {
        len - stop..len - start
    } else {
        start..stop
    })
}

/// Whether [`substring`] of the same arguments is `Some(expected)`, for a non-empty `expected`:
/// the bytes are compared first, so an input that does not match is never scanned for ASCII.
#[inline]
pub fn substring_equals(
    input: &str,
    start: usize,
    stop: usize,
    reverse: bool,
    expected: &str,
) -> bool {
    substring_range(input.len(), start, stop, reverse)
        .is_some_and(|range| &input.as_bytes()[range] == expected.as_bytes())
        && input.is_ascii()
}

/// `isValidHostLabel(value, allowSubDomains)`: whether `value` is an RFC 1123 host label (1 to
/// 63 ASCII letters, digits and hyphens, not starting with a hyphen), or with
/// `allow_subdomains`, such labels joined by dots.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    // One pass over the bytes; `len` is the length of the current label.
    let mut len = 0;
    for &b in value.as_bytes() {
        let class = CLASSES[b as usize];
        if class & (LOWER | UPPER | DIGIT) != 0 || (class == HYPHEN && len > 0) {
            len += 1;
            if len > 63 {
                return false;
            }
        } else if class == DOT && allow_subdomains && len > 0 {
            len = 0;
        } else {
            return false;
        }
    }
    len > 0
}

// Byte classes for the host and bucket label checks, one table lookup per byte.
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;
const HYPHEN: u8 = 8;
const DOT: u8 = 16;
/// `_` and `~`, the unreserved marks of RFC 3986 besides `-` and `.`.
const MARK: u8 = 32;

static CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'0'..=b'9' => DIGIT,
            b'-' => HYPHEN,
            b'.' => DOT,
            b'_' | b'~' => MARK,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: whether the bucket can be the first
/// label(s) of a host name. Each label (the whole value unless `allow_subdomains`) must have 3
/// to 63 lowercase letters, digits and hyphens, and start and end with a letter or digit.
///
/// The reference implementation also rejects IPv4-like values; no such value passes the label
/// rules above (a label never contains a dot), so that check is not repeated here.
pub fn is_virtual_hostable_s3_bucket(value: &str, allow_subdomains: bool) -> bool {
    // `last` is the class of the label's last byte, which must not be a hyphen.
    let label_ok = |len: usize, last: u8| (3..=63).contains(&len) && last != HYPHEN;
    let (mut len, mut last) = (0, 0);
    for &b in value.as_bytes() {
        let class = CLASSES[b as usize];
        if class & (LOWER | DIGIT) != 0 || (class == HYPHEN && len > 0) {
            len += 1;
            last = class;
        } else if class == DOT && allow_subdomains && label_ok(len, last) {
            len = 0;
        } else {
            return false;
        }
    }
    label_ok(len, last)
}

/// `uriEncode(value)`: RFC 3986 percent-encoding of everything but the unreserved characters
/// `A-Z a-z 0-9 - _ . ~`, with uppercase hex digits; borrows when nothing needs encoding.
pub fn uri_encode(value: &str) -> Cow<'_, str> {
    let bytes = value.as_bytes();
    let unreserved =
        |b: u8| CLASSES[b as usize] & (LOWER | UPPER | DIGIT | HYPHEN | DOT | MARK) != 0;
    let Some(first) = bytes.iter().position(|&b| !unreserved(b)) else {
        return Cow::Borrowed(value);
    };
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() + 16);
    out.push_str(&value[..first]);
    for &b in &bytes[first..] {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.extend([
                '%',
                HEX[usize::from(b >> 4)] as char,
                HEX[usize::from(b & 15)] as char,
            ]);
        }
    }
    Cow::Owned(out)
}

/// The result of [`parse_url`]: the `URL` structure of the rules engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Url<'a> {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Host and port as written, without user information.
    pub authority: &'a str,
    /// The path as written; empty when the URL has none.
    pub path: &'a str,
    /// Whether the host is an IPv4 or IPv6 address.
    pub is_ip: bool,
}

impl<'a> Url<'a> {
    /// The path with a leading and a trailing `/`.
    pub fn normalized_path(&self) -> Cow<'a, str> {
        match self.path {
            "" => Cow::Borrowed("/"),
            path if path.ends_with('/') => Cow::Borrowed(path),
            path => Cow::Owned(format!("{path}/")),
        }
    }
}

/// `parseURL(value)`: splits an `http` or `https` URL into its parts. `None` for other schemes,
/// a query or fragment, user information, an empty host, or characters that cannot appear in
/// a host or port.
pub fn parse_url(value: &str) -> Option<Url<'_>> {
    let scheme = if value.starts_with("https://") {
        "https"
    } else if value.starts_with("http://") {
        "http"
    } else {
        return None;
    };
    let rest = &value[scheme.len() + 3..];
    if rest.bytes().any(|b| b == b'?' || b == b'#') {
        return None;
    }
    let (authority, path) =
        rest.split_at(rest.bytes().position(|b| b == b'/').unwrap_or(rest.len()));
    // The port starts at the last `:` that is not inside an IPv6 literal's brackets.
    let colon = authority.bytes().rposition(|b| b == b':' || b == b']');
    let (host, port) = match colon {
        Some(i) if authority.as_bytes()[i] == b':' => (&authority[..i], &authority[i + 1..]),
        _ => (authority, "0"),
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let is_ip = match host.strip_prefix('[') {
        Some(inner) => {
            let inner = inner.strip_suffix(']')?;
            let ipv6 = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
            if inner.is_empty() || !inner.bytes().all(ipv6) {
                return None;
            }
            true
        }
        None => {
            let host_byte = |b: u8| CLASSES[b as usize] != 0;
            if host.is_empty() || !host.bytes().all(host_byte) {
                return None;
            }
            is_ipv4(host)
        }
    };
    Some(Url {
        scheme,
        authority,
        path,
        is_ip,
    })
}

/// Four dot-separated decimal numbers from 0 to 255.
fn is_ipv4(host: &str) -> bool {
    let (mut parts, mut digits, mut value) = (0, 0, 0u32);
    for b in host.bytes() {
        if b == b'.' {
            if digits == 0 {
                return false;
            }
            parts += 1;
            (digits, value) = (0, 0);
        } else if b.is_ascii_digit() && digits < 3 {
            digits += 1;
            value = value * 10 + u32::from(b - b'0');
            if value > 255 {
                return false;
            }
        } else {
            return false;
        }
    }
    parts == 3 && digits > 0
}

/// The result of [`parse_arn`]: the `ARN` structure of the AWS rules-engine extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// The service namespace, such as `s3-outposts`.
    pub service: &'a str,
    /// The region; may be empty.
    pub region: &'a str,
    /// The account ID; may be empty.
    pub account_id: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The resource part split on `:` and `/` (the `resourceId` attribute).
    pub fn resource_id(&self) -> Segments<'a> {
        Segments {
            input: self.resource,
            delimiter: Delimiter::ArnResource,
            limit: 0,
        }
    }
}

/// `aws.parseArn(value)`: `arn:partition:service:region:account-id:resource`, with non-empty
/// partition, service and resource.
pub fn parse_arn(value: &str) -> Option<Arn<'_>> {
    // Most values tested are plain bucket names: refuse them before searching for colons.
    let mut parts = value.strip_prefix("arn:")?.splitn(5, ':');
    let mut next = || parts.next();
    let (partition, service, region, account_id, resource) =
        (next()?, next()?, next()?, next()?, next()?);
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition,
        service,
        region,
        account_id,
        resource,
    })
}

/// `split(value, delimiter, limit)`: the parts of `value` between occurrences of `delimiter`,
/// at most `limit` of them (the last takes the rest), or all of them when `limit` is 0.
/// An empty delimiter does not split.
pub fn split<'a>(value: &'a str, delimiter: &'a str, limit: usize) -> Segments<'a> {
    Segments {
        input: value,
        delimiter: Delimiter::Text(delimiter),
        limit,
    }
}

/// A list of strings cut lazily from one string: the array values of the rules engine
/// (`split` results and ARN resource IDs). Indexing it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments<'a> {
    input: &'a str,
    delimiter: Delimiter<'a>,
    limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delimiter<'a> {
    Text(&'a str),
    ArnResource,
}

impl<'a> Segments<'a> {
    /// The segments in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let Segments {
            mut input,
            delimiter,
            limit,
        } = *self;
        let mut left = if limit == 0 { usize::MAX } else { limit };
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            left -= 1;
            let found = if left == 0 {
                None
            } else {
                delimiter.find(input)
            };
            Some(match found {
                Some((at, len)) => {
                    let segment = &input[..at];
                    input = &input[at + len..];
                    segment
                }
                None => {
                    done = true;
                    input
                }
            })
        })
    }

    /// The segment at `index`; a negative index counts from the end (`-1` is the last).
    pub fn get(&self, index: isize) -> Option<&'a str> {
        match usize::try_from(index) {
            Ok(index) => self.iter().nth(index),
            // Without a limit, splitting from the end gives the same segments: walk back.
            Err(_) if self.limit == 0 => {
                let mut rest = self.input;
                for _ in 1..index.unsigned_abs() {
                    rest = &rest[..self.delimiter.rfind(rest)?.0];
                }
                let start = self.delimiter.rfind(rest).map_or(0, |(at, len)| at + len);
                Some(&rest[start..])
            }
            Err(_) => {
                let count = self.iter().count();
                self.iter().nth(count.checked_sub(index.unsigned_abs())?)
            }
        }
    }
}

/// Whether `needle` (non-empty) occurs in `hay` at `at`; byte by byte, as delimiters are short.
fn matches_at(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    hay[at] == needle[0] && hay[at..].iter().zip(needle).all(|(h, n)| h == n)
}

impl Delimiter<'_> {
    /// The first occurrence in `s`: its byte offset and length.
    fn find(self, s: &str) -> Option<(usize, usize)> {
        match self {
            Delimiter::Text("") => None,
            Delimiter::Text(d) => {
                let (hay, needle) = (s.as_bytes(), d.as_bytes());
                // A plain scan: delimiters are a few bytes, so this beats building a searcher.
                // A match of a valid UTF-8 needle always starts on a char boundary.
                (0..=hay.len().checked_sub(needle.len())?)
                    .find(|&i| matches_at(hay, i, needle))
                    .map(|i| (i, needle.len()))
            }
            Delimiter::ArnResource => s
                .bytes()
                .position(|b| b == b':' || b == b'/')
                .map(|i| (i, 1)),
        }
    }

    /// The last occurrence in `s`: its byte offset and length.
    fn rfind(self, s: &str) -> Option<(usize, usize)> {
        match self {
            Delimiter::Text("") => None,
            Delimiter::Text(d) => {
                let (hay, needle) = (s.as_bytes(), d.as_bytes());
                (0..=hay.len().checked_sub(needle.len())?)
                    .rev()
                    .find(|&i| matches_at(hay, i, needle))
                    .map(|i| (i, needle.len()))
            }
            Delimiter::ArnResource => s
                .bytes()
                .rposition(|b| b == b':' || b == b'/')
                .map(|i| (i, 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_counts_from_either_end() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("mybucket--x-s3", 0, 6, true), Some("--x-s3"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("abcdé", 0, 2, false), None);
    }

    #[test]
    fn substring_equals_answers_as_substring_does() {
        for input in [
            "mybucket--x-s3",
            "--x-s3",
            "x-s3",
            "é--x-s3",
            "b--x-s3é",
            "",
            "arn:aws",
        ] {
            for (start, stop) in [(0, 6), (0, 4), (2, 4), (1, 1), (0, 20), (3, 2)] {
                for reverse in [false, true] {
                    for expected in ["--x-s3", "arn:", "--", "x", "s3"] {
                        assert_eq!(
                            substring_equals(input, start, stop, reverse, expected),
                            substring(input, start, stop, reverse) == Some(expected),
                            "{input:?} {start} {stop} {reverse} {expected:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("a-", false));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("a b", false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("a.-b", true));
        assert!(!is_valid_host_label("a.", true));
        assert!(!is_valid_host_label(".a", true));
        assert!(is_valid_host_label(&format!("{}.b", "a".repeat(63)), true));
        assert!(!is_valid_host_label(&format!("{}.b", "a".repeat(64)), true));
    }

    #[test]
    fn virtual_hostable_buckets() {
        assert!(is_virtual_hostable_s3_bucket("bucket-1", false));
        assert!(!is_virtual_hostable_s3_bucket("Bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket.name", false));
        assert!(is_virtual_hostable_s3_bucket("bucket.name", true));
        assert!(!is_virtual_hostable_s3_bucket("bucket.-name", true));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
        assert!(is_virtual_hostable_s3_bucket(&"a".repeat(63), false));
        assert!(!is_virtual_hostable_s3_bucket("abc.de", true));
        assert!(!is_virtual_hostable_s3_bucket("abc-.def", true));
        assert!(!is_virtual_hostable_s3_bucket("abc.", true));
        assert!(!is_virtual_hostable_s3_bucket("-abc", false));
    }

    #[test]
    fn uri_encode_keeps_unreserved_only() {
        assert!(matches!(
            uri_encode("bucket-name_1.~"),
            Cow::Borrowed("bucket-name_1.~")
        ));
        assert_eq!(uri_encode("a b/c:é%"), "a%20b%2Fc%3A%C3%A9%25");
        assert_eq!(uri_encode("key~_+=&?"), "key~_%2B%3D%26%3F");
    }

    #[test]
    fn urls() {
        let url = parse_url("http://beta.example.com:1234/path").unwrap();
        assert_eq!(
            url,
            Url {
                scheme: "http",
                authority: "beta.example.com:1234",
                path: "/path",
                is_ip: false
            }
        );
        assert_eq!(url.normalized_path(), "/path/");
        let url = parse_url("https://example.com").unwrap();
        assert_eq!((url.path, &*url.normalized_path()), ("", "/"));
        assert_eq!(
            parse_url("https://example.com/a/")
                .unwrap()
                .normalized_path(),
            "/a/"
        );
        assert!(parse_url("https://10.0.1.12:433").unwrap().is_ip);
        assert!(parse_url("https://[fe80::1]").unwrap().is_ip);
        assert!(!parse_url("https://10.0.1.256").unwrap().is_ip);
        assert!(!parse_url("https://1.2.3").unwrap().is_ip);
        for bad in [
            "abcde://nota#url",
            "https://example.com?x=1",
            "https://example.com#f",
            "https://",
            "https://user@example.com",
            "https://a b.com",
            "https://example.com:x",
            "https://[fe80::1",
            "example.com",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn arns() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap:x").unwrap();
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account_id),
            ("aws", "s3", "us-west-2", "123456789012")
        );
        let ids = arn.resource_id();
        assert_eq!(
            ids.iter().collect::<Vec<_>>(),
            ["accesspoint", "my-ap", "x"]
        );
        assert_eq!(ids.get(1), Some("my-ap"));
        assert_eq!(ids.get(3), None);
        assert_eq!(ids.get(-1), Some("x"));
        assert_eq!(ids.get(-3), Some("accesspoint"));
        assert_eq!(ids.get(-4), None);
        assert_eq!(
            parse_arn("arn:aws:s3:::bucket")
                .unwrap()
                .resource_id()
                .get(0),
            Some("bucket")
        );
        assert_eq!(parse_arn("arn:aws:s3:::"), None);
        assert_eq!(parse_arn("arn::s3:::x"), None);
        assert_eq!(parse_arn("arn:aws:s3:x"), None);
        assert_eq!(parse_arn("nope:aws:s3:::x"), None);
    }

    #[test]
    fn split_with_limits_and_negative_indexes() {
        let parts = split("mybucket--usw2-az1--x-s3", "--", 0);
        assert_eq!(
            parts.iter().collect::<Vec<_>>(),
            ["mybucket", "usw2-az1", "x-s3"]
        );
        assert_eq!(parts.get(-2), Some("usw2-az1"));
        assert_eq!(parts.get(-3), Some("mybucket"));
        assert_eq!(parts.get(-4), None);
        let parts = split("a--b--c", "--", 2);
        assert_eq!(parts.iter().collect::<Vec<_>>(), ["a", "b--c"]);
        assert_eq!(split("a--b", "--", 1).iter().collect::<Vec<_>>(), ["a--b"]);
        assert_eq!(split("", "--", 0).iter().collect::<Vec<_>>(), [""]);
        assert_eq!(split("--x", "--", 0).iter().collect::<Vec<_>>(), ["", "x"]);
        assert_eq!(split("abc", "", 0).iter().collect::<Vec<_>>(), ["abc"]);
        assert_eq!(split("abc", "", 0).get(-1), Some("abc"));
        assert_eq!(split("a--b--c", "--", 2).get(-1), Some("b--c"));
        assert_eq!(split("a--b--c", "--", 2).get(-3), None);
        assert_eq!(split("--x", "--", 0).get(-2), Some(""));
        assert_eq!(split("é--ü", "--", 0).get(-1), Some("ü"));
        assert_eq!(split("a-", "--", 0).get(-1), Some("a-"));
    }
}
