//! XML for the restXml protocol: a pull reader for response bodies, a writer for request bodies,
//! value parsers, and S3's error body.
//!
//! Generated deserializers walk a body with [`Reader`]: after [`Reader::root`] or a
//! [`Reader::next_child`] that returns an element, the reader is *inside* that element, and the
//! caller consumes it with exactly one of [`Reader::text`], [`Reader::skip`], or a
//! `while let Some(child) = reader.next_child()? { .. }` loop. Self-closing elements work with all
//! three. A small tokenizer of its own (`markup`) does the lexing; this module adds the nesting
//! discipline, zero-copy text, a depth limit and errors that say what went wrong and where.

mod markup;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use bytes::Bytes;

use self::markup::{unescape, Attributes, Escape, Syntax, Tag, Token, Tokenizer};
use crate::error::BuildError;

/// How deeply elements may nest. S3 documents stay below 10 levels; the limit keeps hostile input
/// from overflowing the stack of recursive generated parsers.
pub const MAX_DEPTH: usize = 128;

/// Malformed or unexpected XML.
#[derive(Debug)]
pub struct XmlError(Box<ErrorInner>);

#[derive(Debug)]
struct ErrorInner {
    kind: ErrorKind,
    /// Byte offset into the body where the problem is, when it is known.
    offset: Option<u64>,
}

#[derive(Debug)]
enum ErrorKind {
    Syntax(Syntax),
    /// An end tag that does not close the element open.
    MismatchedEndTag {
        expected: String,
        found: String,
    },
    /// An end tag before the root element.
    UnmatchedEndTag(String),
    InvalidUtf8,
    NoRoot,
    TextBeforeRoot,
    UnexpectedEof {
        inside: String,
    },
    TooDeep,
    Escape(Escape),
    Attribute {
        element: String,
        what: &'static str,
    },
    InvalidValue {
        element: String,
        value: String,
        expected: &'static str,
    },
    UnexpectedRoot {
        expected: String,
        found: String,
    },
    /// A required element without a zero value (a structure) is missing.
    MissingElement {
        shape: String,
        element: String,
    },
}

/// Longest value quoted in an error message, in characters, so that messages stay one short line.
const MAX_QUOTED_VALUE: usize = 64;

impl XmlError {
    fn new(kind: ErrorKind, offset: Option<u64>) -> Self {
        Self(Box::new(ErrorInner { kind, offset }))
    }

    /// A value that does not parse, e.g. element `MaxBuckets`, value `abc`, expected "an integer".
    pub fn invalid_value(element: &str, value: &str, expected: &'static str) -> Self {
        let value = match value.char_indices().nth(MAX_QUOTED_VALUE) {
            Some((end, _)) => format!("{}…", &value[..end]),
            None => value.to_owned(),
        };
        Self::new(
            ErrorKind::InvalidValue {
                element: element.to_owned(),
                value,
                expected,
            },
            None,
        )
    }

    /// The body's root element is `found` where `expected` was required.
    pub fn unexpected_root(expected: &str, found: &str) -> Self {
        Self::new(
            ErrorKind::UnexpectedRoot {
                expected: expected.to_owned(),
                found: found.to_owned(),
            },
            None,
        )
    }

    /// The required `element` of `shape` is missing and has no zero value to stand in for it.
    pub fn missing_element(shape: &str, element: &str) -> Self {
        Self::new(
            ErrorKind::MissingElement {
                shape: shape.to_owned(),
                element: element.to_owned(),
            },
            None,
        )
    }

    /// The byte offset into the body where the problem was found, when it is known.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }
}

/// Writes `s` between backticks, escaping control characters so the message stays on one line.
fn quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "`{}`", s.escape_debug())
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ErrorKind::Syntax(syntax) => write!(f, "syntax error: {}", syntax.message())?,
            ErrorKind::MismatchedEndTag { expected, found } => write!(
                f,
                "ill-formed document: expected `</{expected}>`, but `</{found}>` was found"
            )?,
            ErrorKind::UnmatchedEndTag(found) => write!(
                f,
                "ill-formed document: close tag `</{found}>` does not match any open tag"
            )?,
            ErrorKind::InvalidUtf8 => f.write_str("invalid utf-8")?,
            ErrorKind::NoRoot => f.write_str("no root element")?,
            ErrorKind::TextBeforeRoot => f.write_str("text before the root element")?,
            ErrorKind::UnexpectedEof { inside } => {
                f.write_str("unexpected end of input inside ")?;
                quoted(f, inside)?;
            }
            ErrorKind::TooDeep => write!(f, "elements nested more than {MAX_DEPTH} deep")?,
            ErrorKind::Escape(Escape::Unknown(name)) => {
                f.write_str("unknown entity ")?;
                quoted(f, &format!("&{name};"))?;
            }
            ErrorKind::Escape(Escape::Unterminated) => f.write_str("`&` without a closing `;`")?,
            ErrorKind::Escape(Escape::InvalidCharRef(reference)) => {
                f.write_str("invalid character reference: ")?;
                quoted(f, &format!("&{reference};"))?;
                f.write_str(" names no character XML allows")?;
            }
            ErrorKind::Attribute { element, what } => {
                write!(f, "{what} in ")?;
                quoted(f, element)?;
            }
            ErrorKind::InvalidValue {
                element,
                value,
                expected,
            } => {
                f.write_str("invalid value ")?;
                quoted(f, value)?;
                f.write_str(" for ")?;
                quoted(f, element)?;
                write!(f, ": expected {expected}")?;
            }
            ErrorKind::UnexpectedRoot { expected, found } => {
                f.write_str("unexpected root element ")?;
                quoted(f, found)?;
                f.write_str(", expected ")?;
                quoted(f, expected)?;
            }
            ErrorKind::MissingElement { shape, element } => {
                f.write_str("missing required element ")?;
                quoted(f, element)?;
                f.write_str(" of ")?;
                quoted(f, shape)?;
            }
        }
        if let Some(offset) = self.0.offset {
            write!(f, " at byte {offset}")?;
        }
        Ok(())
    }
}

impl std::error::Error for XmlError {}

const XML_WHITESPACE: [u8; 4] = [b' ', b'\t', b'\r', b'\n'];

/// `text` without leading and trailing XML whitespace.
fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && XML_WHITESPACE.contains(&(c as u8)))
}

/// A pull reader over a whole body; text and attribute values borrow from the body unless
/// entities or CDATA sections force a copy.
///
/// Line endings are kept as sent (no `\r\n` → `\n` normalisation), like the AWS SDKs, so a raw
/// `\r` in an object key survives.
pub struct Reader<'a> {
    /// Where the body stops being UTF-8, reported by `root`; the tokens are then those of an
    /// empty body.
    utf8_error: Option<u64>,
    tokens: Tokenizer<'a>,
    /// Qualified names of the open elements, root first. Unless `in_empty`, the last one is the
    /// element the reader is in.
    open: Vec<&'a str>,
    /// The reader is in a self-closing element, whose end is implied rather than read.
    in_empty: bool,
    /// The body's length, where an unexpected end of input is.
    len: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `body`.
    pub fn new(body: &'a [u8]) -> Self {
        let (text, utf8_error) = match std::str::from_utf8(body) {
            Ok(text) => (text, None),
            Err(e) => ("", Some(e.valid_up_to() as u64)),
        };
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            utf8_error,
            tokens: Tokenizer::new(text, bom),
            open: Vec::with_capacity(16),
            in_empty: false,
            len: body.len(),
        }
    }

    /// Skips the XML declaration, comments, processing instructions, a document type declaration
    /// and whitespace, and enters the root element.
    ///
    /// Fails on empty input, invalid UTF-8, text before the root and malformed markup.
    pub fn root(&mut self) -> Result<Element<'a>, XmlError> {
        if let Some(offset) = self.utf8_error {
            return Err(XmlError::new(ErrorKind::InvalidUtf8, Some(offset)));
        }
        loop {
            match self.tokens.next(self.open.last().copied())? {
                Token::Start(tag) => return self.enter(tag),
                Token::Text { raw, .. } if raw.bytes().all(|b| XML_WHITESPACE.contains(&b)) => {}
                Token::Text { .. } => return Err(self.text_before_root(self.tokens.start())),
                Token::CData(_) => return Err(self.text_before_root(self.tokens.start() + 9)),
                // Also when called again inside an element: `root` closes nothing.
                Token::End { name, .. } => {
                    return Err(XmlError::new(
                        ErrorKind::UnmatchedEndTag(name.to_owned()),
                        Some(self.tokens.start() as u64),
                    ))
                }
                Token::Eof => return Err(XmlError::new(ErrorKind::NoRoot, None)),
                Token::Other => {}
            }
        }
    }

    /// The next child element of the element the reader is in, entering it; `None` once that
    /// element's end tag is reached (and consumed). Text, comments and CDATA between children are
    /// skipped. `None` too when the reader is in no element (before `root`, after the root's end).
    pub fn next_child(&mut self) -> Result<Option<Element<'a>>, XmlError> {
        if self.in_empty {
            self.in_empty = false;
            return Ok(None);
        }
        if self.open.is_empty() {
            return Ok(None);
        }
        loop {
            match self.tokens.next(self.open.last().copied())? {
                Token::Start(tag) => return self.enter(tag).map(Some),
                Token::End { name, checked } => {
                    self.close(name, checked)?;
                    return Ok(None);
                }
                Token::Eof => return Err(self.eof()),
                Token::Text { .. } | Token::CData(_) | Token::Other => {}
            }
        }
    }

    /// The text content of the element the reader is in, entities unescaped and CDATA sections
    /// included, consuming up to and including its end tag. Nested elements and their text are
    /// skipped. `<a/>` and `<a></a>` give "". Borrows from the body unless the text holds entities
    /// or comes in several pieces.
    pub fn text(&mut self) -> Result<Cow<'a, str>, XmlError> {
        if self.in_empty {
            self.in_empty = false;
            return Ok(Cow::Borrowed(""));
        }
        let Some(&open) = self.open.last() else {
            return Ok(Cow::Borrowed(""));
        };
        if let Some(text) = self.tokens.plain_text_then_end(open) {
            self.open.pop();
            return Ok(Cow::Borrowed(text));
        }
        let mut text = Cow::Borrowed("");
        loop {
            let piece = match self.tokens.next(self.open.last().copied())? {
                Token::Text { raw, entities } => {
                    if entities {
                        unescape(raw, self.tokens.start())?
                    } else {
                        Cow::Borrowed(raw)
                    }
                }
                Token::CData(raw) => Cow::Borrowed(raw),
                Token::Start(tag) => {
                    self.enter(tag)?;
                    self.skip()?;
                    continue;
                }
                Token::End { name, checked } => {
                    self.close(name, checked)?;
                    return Ok(text);
                }
                Token::Eof => return Err(self.eof()),
                Token::Other => continue,
            };
            if text.is_empty() {
                text = piece;
            } else {
                text.to_mut().push_str(&piece);
            }
        }
    }

    /// Skips the rest of the element the reader is in, nested elements included, through its end
    /// tag.
    pub fn skip(&mut self) -> Result<(), XmlError> {
        if self.in_empty {
            self.in_empty = false;
            return Ok(());
        }
        let Some(depth) = self.open.len().checked_sub(1) else {
            return Ok(());
        };
        loop {
            match self.tokens.next(self.open.last().copied())? {
                Token::Start(tag) if !tag.empty => {
                    self.enter(tag)?;
                }
                Token::End { name, checked } => {
                    self.close(name, checked)?;
                    if self.open.len() == depth {
                        return Ok(());
                    }
                }
                Token::Eof => return Err(self.eof()),
                Token::Start(_) | Token::Text { .. } | Token::CData(_) | Token::Other => {}
            }
        }
    }

    /// Adds `item`, read from `element`, to the list `items`. After the first item it reserves
    /// room for as many more as the rest of the body holds of items that size (so the list does
    /// not grow by doubling, which copies it and leaves up to half the room unused), but never
    /// more room than the rest of the body has bytes, whatever the first item's size. For lists
    /// that may span the body (an output's own): a list inside each of many items would reserve
    /// that much each.
    pub fn push_item<T>(&self, items: &mut Vec<T>, element: &Element<'_>, item: T) {
        items.push(item);
        if items.len() == 1 {
            let pos = self.tokens.pos();
            let item_len = pos.saturating_sub(element.offset as usize).max(1);
            let rest = self.len.saturating_sub(pos);
            items.reserve((rest / item_len).min(rest / std::mem::size_of::<T>().max(1)));
        }
    }

    /// Enters the element whose tag the tokenizer just read.
    fn enter(&mut self, tag: Tag<'a>) -> Result<Element<'a>, XmlError> {
        let offset = self.tokens.start() as u64;
        if self.open.len() >= MAX_DEPTH {
            return Err(XmlError::new(ErrorKind::TooDeep, Some(offset)));
        }
        let element = Element { tag, offset };
        if tag.empty {
            self.in_empty = true;
        } else {
            self.open.push(element.name());
        }
        Ok(element)
    }

    /// Leaves the element that the end tag `</name>` the tokenizer just read closes, which it
    /// has `checked` already, or not.
    fn close(&mut self, name: &str, checked: bool) -> Result<(), XmlError> {
        let offset = Some(self.tokens.start() as u64);
        match self.open.pop() {
            Some(open) if checked || open == name => Ok(()),
            Some(open) => Err(XmlError::new(
                ErrorKind::MismatchedEndTag {
                    expected: open.to_owned(),
                    found: name.to_owned(),
                },
                offset,
            )),
            None => Err(XmlError::new(
                ErrorKind::UnmatchedEndTag(name.to_owned()),
                offset,
            )),
        }
    }

    fn text_before_root(&self, offset: usize) -> XmlError {
        XmlError::new(ErrorKind::TextBeforeRoot, Some(offset as u64))
    }

    fn eof(&self) -> XmlError {
        let inside = self.open.last().copied().unwrap_or_default();
        XmlError::new(
            ErrorKind::UnexpectedEof {
                inside: inside.to_owned(),
            },
            Some(self.len as u64),
        )
    }
}

/// A start tag or empty-element tag.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    tag: Tag<'a>,
    /// Offset of the tag's `<` in the body.
    offset: u64,
}

impl<'a> Element<'a> {
    /// The qualified name: `s3:Bucket`.
    fn name(&self) -> &'a str {
        &self.tag.tag[..self.tag.name_len]
    }

    /// The local name, namespace prefix stripped: `s3:Bucket` → `Bucket`.
    // Inlined: generated readers call it once per element to pick the member.
    #[inline]
    pub fn local_name(&self) -> &'a [u8] {
        &self.name().as_bytes()[self.tag.local_start..]
    }

    /// The unescaped value of the first attribute whose qualified name (`xsi:type`) or local name
    /// (`type`) is `name`. Namespace declarations (`xmlns:*`) match only by qualified name.
    pub fn attribute(&self, name: &str) -> Result<Option<Cow<'a, str>>, XmlError> {
        // Offsets in the attributes are offsets in the body from here.
        let base = self.offset as usize + 1 + self.tag.name_len;
        for attribute in Attributes::new(&self.tag.tag[self.tag.name_len..]) {
            let (key, value, at) = attribute.map_err(|(at, what)| {
                XmlError::new(
                    ErrorKind::Attribute {
                        element: self.name().to_owned(),
                        what,
                    },
                    Some((base + at) as u64),
                )
            })?;
            let binding = key == "xmlns" || key.starts_with("xmlns:");
            let local = key.split_once(':').map_or(key, |(_, local)| local);
            if key == name || (!binding && local == name) {
                return unescape(value, base + at).map(Some);
            }
        }
        Ok(None)
    }
}

/// Parses an `xs:boolean` as Smithy writes it: `true` or `false`, surrounding whitespace allowed.
pub fn parse_bool(element: &str, text: &str) -> Result<bool, XmlError> {
    match trim(text) {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(XmlError::invalid_value(element, text, "`true` or `false`")),
    }
}

/// Parses a number (any `FromStr` type: integers, floats, including `NaN` and `Infinity`),
/// surrounding whitespace allowed; `expected` says what was wanted, e.g. "an integer".
pub fn parse_number<T: FromStr>(
    element: &str,
    text: &str,
    expected: &'static str,
) -> Result<T, XmlError> {
    trim(text)
        .parse()
        .map_err(|_| XmlError::invalid_value(element, text, expected))
}

/// Builds a request body. No XML declaration: S3 does not need one. Element and attribute names
/// are written as given (they come from the model); text and attribute values are escaped.
///
/// XML 1.0 cannot carry most control characters (nor U+FFFE and U+FFFF), not even as character
/// references: a value holding one makes [`finish`](Self::finish) fail, naming its element or
/// attribute, rather than send a body the service cannot parse.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// The element being written, which text belongs to.
    current: &'static str,
    /// The first element or attribute whose value XML cannot carry, and the character.
    illegal: Option<(&'static str, char)>,
}

impl Writer {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name a="v">`, attribute values escaped.
    pub fn start(&mut self, name: &'static str, attributes: &[(&'static str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.escaped(key, value, true);
            self.out.push('"');
        }
        self.out.push('>');
        self.current = name;
    }

    /// `</name>`.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Escaped text content.
    pub fn text(&mut self, text: &str) {
        self.escaped(self.current, text, false);
    }

    /// `<name>text</name>`, text escaped.
    pub fn element(&mut self, name: &'static str, text: &str) {
        self.start(name, &[]);
        self.text(text);
        self.end(name);
    }

    /// The body, unless a value held a character XML cannot carry.
    pub fn finish(self) -> Result<Bytes, BuildError> {
        match self.illegal {
            None => Ok(Bytes::from(self.out)),
            Some((name, c)) => Err(BuildError::invalid_value(
                name,
                format!(
                    "holds U+{:04X}, which XML 1.0 cannot carry in a request body",
                    u32::from(c)
                ),
            )),
        }
    }

    fn escaped(&mut self, name: &'static str, value: &str, attribute: bool) {
        if self.illegal.is_none() {
            if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
                self.illegal = Some((name, c));
            }
        }
        escape(&mut self.out, value, attribute);
    }
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `s` to `out` with markup characters escaped, and with the characters an XML parser
/// would normalise away written as character references: `\r` (and the XML 1.1 line ends U+0085
/// and U+2028) everywhere, `\n` and `\t` in attribute values, which parsers turn into spaces.
fn escape(out: &mut String, s: &str, attribute: bool) {
    let mut done = 0;
    for (i, c) in s.char_indices() {
        let reference = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            '\r' => "&#xD;",
            '\u{85}' => "&#x85;",
            '\u{2028}' => "&#x2028;",
            '\n' if attribute => "&#xA;",
            '\t' if attribute => "&#x9;",
            _ => continue,
        };
        out.push_str(&s[done..i]);
        out.push_str(reference);
        done = i + c.len_utf8();
    }
    out.push_str(&s[done..]);
}

/// What an S3 error response body says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody<'a> {
    /// `Code`, such as `NoSuchBucket`.
    pub code: Option<Cow<'a, str>>,
    /// `Message`.
    pub message: Option<Cow<'a, str>>,
    /// `RequestId`.
    pub request_id: Option<Cow<'a, str>>,
    /// `HostId`, the extended request id.
    pub host_id: Option<Cow<'a, str>>,
    /// `Region`: where the bucket is, in a wrong-region answer (`AuthorizationHeaderMalformed`).
    pub region: Option<Cow<'a, str>>,
    /// `Endpoint`: the host to address the bucket at (`PermanentRedirect`).
    pub endpoint: Option<Cow<'a, str>>,
}

/// Parses an S3 error body: a bare `<Error>` root, or, leniently, `<ErrorResponse><Error>…` with
/// `RequestId` inside `Error` or beside it. Other children are skipped.
///
/// `Ok(None)` when the body has no root element (an empty body, as for `HEAD` requests) or its
/// root is not an error.
pub fn parse_error_body(body: &[u8]) -> Result<Option<ErrorBody<'_>>, XmlError> {
    let mut reader = Reader::new(body);
    let root = match reader.root() {
        Ok(root) => root,
        Err(e) if matches!(e.0.kind, ErrorKind::NoRoot) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut error = ErrorBody::default();
    match root.local_name() {
        b"Error" => error_fields(&mut reader, &mut error)?,
        b"ErrorResponse" => {
            let mut found = false;
            while let Some(child) = reader.next_child()? {
                match child.local_name() {
                    b"Error" => {
                        error_fields(&mut reader, &mut error)?;
                        found = true;
                    }
                    b"RequestId" => error.request_id = Some(reader.text()?),
                    _ => reader.skip()?,
                }
            }
            if !found {
                return Ok(None);
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(error))
}

/// Reads the children of an `Error` element the reader is in.
fn error_fields<'a>(reader: &mut Reader<'a>, error: &mut ErrorBody<'a>) -> Result<(), XmlError> {
    while let Some(child) = reader.next_child()? {
        let field = match child.local_name() {
            b"Code" => &mut error.code,
            b"Message" => &mut error.message,
            b"RequestId" => &mut error.request_id,
            b"HostId" => &mut error.host_id,
            b"Region" => &mut error.region,
            b"Endpoint" => &mut error.endpoint,
            _ => {
                reader.skip()?;
                continue;
            }
        };
        *field = Some(reader.text()?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_what_is_needed() {
        let escaped = |s, attribute| {
            let mut out = String::new();
            escape(&mut out, s, attribute);
            out
        };
        assert_eq!(escaped("plain text é", false), "plain text é");
        assert_eq!(escaped("a\tb\nc\rd", false), "a\tb\nc&#xD;d");
        assert_eq!(escaped("a\tb\nc\rd", true), "a&#x9;b&#xA;c&#xD;d");
        assert_eq!(escaped("<&>", true), "&lt;&amp;&gt;");
    }

    #[test]
    fn invalid_values_are_cut_at_a_character_boundary() {
        let value = "é".repeat(MAX_QUOTED_VALUE + 1);
        let message = XmlError::invalid_value("K", &value, "x").to_string();
        let quoted = format!("`{}…`", "é".repeat(MAX_QUOTED_VALUE));
        assert_eq!(
            message,
            format!("invalid value {quoted} for `K`: expected x")
        );
        let value = "é".repeat(MAX_QUOTED_VALUE);
        let message = XmlError::invalid_value("K", &value, "x").to_string();
        assert_eq!(
            message,
            format!("invalid value `{value}` for `K`: expected x")
        );
    }
}
