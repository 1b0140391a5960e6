//! The tokenizer under [`Reader`](super::Reader): the XML that S3 and its look-alikes send,
//! which is elements, attributes, text, entities, CDATA sections, comments, processing
//! instructions and a document type declaration without entity definitions.
//!
//! It works on a `&str` and slices only at ASCII delimiters (`<`, `>`, `&`, `;`, quotes and XML
//! whitespace), which never occur inside a multi-byte character, so every slice is at a character
//! boundary. It does no work the reader does not need: names are not checked against XML's name
//! production, and end tags are matched against their start tags by the reader.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{ErrorKind, XmlError};

/// A piece of markup or text.
pub(super) enum Token<'a> {
    /// `<tag>` or `<tag/>`.
    Start(Tag<'a>),
    /// `</name>`, whitespace after the name dropped; `checked` when the tokenizer has already
    /// found it to close the element it was told is open.
    End {
        name: &'a str,
        checked: bool,
    },
    /// Text up to the next `<` or the end of input, entities not yet replaced; `entities` says
    /// whether it holds an `&`, so text without one is never scanned again.
    Text {
        raw: &'a str,
        entities: bool,
    },
    /// The content of a CDATA section.
    CData(&'a str),
    /// A comment, processing instruction, XML declaration or document type declaration.
    Other,
    Eof,
}

/// A start tag or empty-element tag as read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tag<'a> {
    /// What lies between `<` and `>` or `/>`: the name, then the attributes. Never empty.
    pub(super) tag: &'a str,
    /// The name's length in `tag`.
    pub(super) name_len: usize,
    /// Where the name's local part starts in `tag`: after its first `:`, else 0.
    pub(super) local_start: usize,
    /// `<tag/>`.
    pub(super) empty: bool,
}

/// Reads tokens from a body, remembering where the last one started for error offsets.
pub(super) struct Tokenizer<'a> {
    body: &'a str,
    pos: usize,
    /// Where the token last returned starts: its `<`, or its first byte of text.
    start: usize,
}

/// The bytes that end a tag's name: `>`, `/`, a quote or whitespace; and `:`, which the name
/// scan notes and goes on.
static ENDS_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = matches!(i as u8, b'>' | b'/' | b'"' | b'\'' | b':') || is_whitespace(i as u8);
        i += 1;
    }
    table
};

/// Where in `bytes` the first byte of [`ENDS_NAME`] is. Every such byte is below `?`, and most
/// of a name's bytes are letters, above it: eight bytes at a time, the first byte below `?` is
/// found by arithmetic, and the table decides whether it ends the name (a digit, `-` or `.`
/// does not).
fn name_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some((word, _)) = bytes[at..].split_first_chunk::<8>() {
        let x = u64::from_le_bytes(*word);
        // The high bit of each byte below `?`; the lowest one set is exact (borrows only add
        // bits above it).
        let below = x.wrapping_sub(ONES * u64::from(b'?')) & !x & HIGH_BITS;
        if below == 0 {
            at += 8;
            continue;
        }
        let i = at + (below.trailing_zeros() / 8) as usize;
        if ENDS_NAME[usize::from(bytes[i])] {
            return Some(i);
        }
        at = i + 1;
    }
    let ends_name = |b: &u8| ENDS_NAME[usize::from(*b)];
    bytes[at..].iter().position(ends_name).map(|i| at + i)
}

const fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Tokenizer<'a> {
    /// Tokens of `body` from byte `pos` on.
    pub(super) fn new(body: &'a str, pos: usize) -> Self {
        Self {
            body,
            pos,
            start: pos,
        }
    }

    /// Where the next token starts.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Where the token last returned starts.
    pub(super) fn start(&self) -> usize {
        self.start
    }

    /// The next token; `open` is the name of the element open, whose end tag is then checked
    /// as it is read rather than scanned for its `>`.
    pub(super) fn next(&mut self, open: Option<&str>) -> Result<Token<'a>, XmlError> {
        let bytes = self.body.as_bytes();
        let start = self.pos;
        self.start = start;
        match bytes.get(start) {
            None => Ok(Token::Eof),
            Some(b'<') => self.markup(start, open),
            Some(_) => {
                let rest = &bytes[start..];
                let (end, entities) = match memchr::memchr2(b'<', b'&', rest) {
                    Some(i) if rest[i] == b'&' => {
                        let after = memchr::memchr(b'<', &rest[i..]);
                        (after.map_or(rest.len(), |j| i + j), true)
                    }
                    Some(i) => (i, false),
                    None => (rest.len(), false),
                };
                self.pos = start + end;
                Ok(Token::Text {
                    raw: &self.body[start..self.pos],
                    entities,
                })
            }
        }
    }

    /// Text without entities, or none, then the end tag `</open>`: the text, both consumed;
    /// `None`, with nothing consumed, for anything else. The form of nearly every value S3
    /// sends, read in one step.
    pub(super) fn plain_text_then_end(&mut self, open: &str) -> Option<&'a str> {
        let bytes = self.body.as_bytes();
        let start = self.pos;
        let lt = start + memchr::memchr2(b'<', b'&', bytes.get(start..)?)?;
        self.pos = self.end_tag_at(lt, open)?;
        self.start = lt;
        Some(&self.body[start..lt])
    }

    /// Where the end tag `</open>` ends (after its `>`) if it starts at `lt`.
    fn end_tag_at(&self, lt: usize, open: &str) -> Option<usize> {
        let bytes = self.body.as_bytes();
        let name_end = lt + 2 + open.len();
        let closes = bytes.get(lt..lt + 2) == Some(b"</")
            && bytes.get(lt + 2..name_end) == Some(open.as_bytes())
            && bytes.get(name_end) == Some(&b'>');
        closes.then_some(name_end + 1)
    }

    /// The markup that starts with the `<` at `start`.
    fn markup(&mut self, start: usize, open: Option<&str>) -> Result<Token<'a>, XmlError> {
        let bytes = self.body.as_bytes();
        match bytes.get(start + 1) {
            Some(b'/') => {
                let name_start = start + 2;
                if let Some(end) = open.and_then(|open| self.end_tag_at(start, open)) {
                    self.pos = end;
                    return Ok(Token::End {
                        name: &self.body[name_start..end - 1],
                        checked: true,
                    });
                }
                let Some(close) = find_byte(bytes, name_start, b'>') else {
                    return Err(self.syntax(Syntax::UnclosedTag));
                };
                self.pos = close + 1;
                let name = self.body[name_start..close]
                    .trim_end_matches(|c: char| c.is_ascii() && is_whitespace(c as u8));
                Ok(Token::End {
                    name,
                    checked: false,
                })
            }
            Some(b'!') => self.bang(start),
            Some(b'?') => {
                let close = self.find_after(start + 2, "?>", Syntax::UnclosedPi)?;
                self.pos = close + 2;
                Ok(Token::Other)
            }
            _ => self.start_tag(start),
        }
    }

    /// `<name>`, `<name/>`, or with attributes.
    fn start_tag(&mut self, start: usize) -> Result<Token<'a>, XmlError> {
        let bytes = self.body.as_bytes();
        let name_start = start + 1;
        // The name, read once: most tags are nothing else.
        let rest = &bytes[name_start..];
        let mut colon = None;
        let mut end = name_end(rest);
        while let Some(i) = end.filter(|&i| rest[i] == b':') {
            colon.get_or_insert(i + 1);
            end = name_end(&rest[i + 1..]).map(|j| i + 1 + j);
        }
        let Some(end) = end.map(|i| name_start + i) else {
            return Err(self.syntax(Syntax::UnclosedTag));
        };
        let delimiter = bytes[end];
        let name_len = end - name_start;
        let empty = match (delimiter, bytes.get(end + 1)) {
            (b'>', _) => false,
            (b'/', Some(b'>')) => true,
            _ => return self.tag_with_attributes(name_start, name_len, colon.unwrap_or(0)),
        };
        if name_len == 0 {
            return Err(self.syntax(Syntax::NoName));
        }
        self.pos = end + 1 + usize::from(empty);
        Ok(Token::Start(Tag {
            tag: &self.body[name_start..end],
            name_len,
            local_start: colon.unwrap_or(0),
            empty,
        }))
    }

    /// A start tag whose name, `name_len` bytes at `name_start`, is followed by attributes (or
    /// by something else than `>` or `/>`).
    fn tag_with_attributes(
        &mut self,
        name_start: usize,
        name_len: usize,
        local_start: usize,
    ) -> Result<Token<'a>, XmlError> {
        let bytes = self.body.as_bytes();
        // A `>` may be quoted in an attribute's value.
        let close = attributes_end(bytes, name_start + name_len)
            .ok_or_else(|| self.syntax(Syntax::UnclosedTag))?;
        self.pos = close + 1;
        let (tag, empty) = match self.body[name_start..close].strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (&self.body[name_start..close], false),
        };
        if name_len == 0 {
            return Err(self.syntax(Syntax::NoName));
        }
        Ok(Token::Start(Tag {
            tag,
            name_len,
            local_start,
            empty,
        }))
    }

    /// `<!--…-->`, `<![CDATA[…]]>` or `<!DOCTYPE…>`.
    fn bang(&mut self, start: usize) -> Result<Token<'a>, XmlError> {
        let rest = &self.body[start..];
        if rest.starts_with("<!--") {
            let close = self.find_after(start + 4, "-->", Syntax::UnclosedComment)?;
            self.pos = close + 3;
            Ok(Token::Other)
        } else if rest.starts_with("<![CDATA[") {
            let close = self.find_after(start + 9, "]]>", Syntax::UnclosedCData)?;
            self.pos = close + 3;
            Ok(Token::CData(&self.body[start + 9..close]))
        } else if rest
            .get(..9)
            .is_some_and(|s| s.eq_ignore_ascii_case("<!DOCTYPE"))
        {
            let close = doctype_end(self.body.as_bytes(), start + 9)
                .ok_or_else(|| self.syntax(Syntax::UnclosedDoctype))?;
            self.pos = close + 1;
            Ok(Token::Other)
        } else {
            Err(self.syntax(Syntax::UnknownMarkup))
        }
    }

    /// The position of `needle` at or after `from`.
    fn find_after(&self, from: usize, needle: &str, unclosed: Syntax) -> Result<usize, XmlError> {
        match self.body.get(from..).and_then(|rest| rest.find(needle)) {
            Some(i) => Ok(from + i),
            None => Err(self.syntax(unclosed)),
        }
    }

    /// A syntax error in the token that starts at `self.start`.
    fn syntax(&self, syntax: Syntax) -> XmlError {
        XmlError::new(ErrorKind::Syntax(syntax), Some(self.start as u64))
    }
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    let i = bytes.get(from..)?.iter().position(|&b| b == byte)?;
    Some(from + i)
}

/// The `>` that closes a start tag whose attributes start at `from`; a `>` inside a quoted
/// attribute value does not.
fn attributes_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let i = at + memchr::memchr3(b'>', b'"', b'\'', bytes.get(at..)?)?;
        match bytes[i] {
            b'>' => return Some(i),
            quote => at = i + 1 + memchr::memchr(quote, &bytes[i + 1..])? + 1,
        }
    }
}

/// The `>` that closes a document type declaration whose content starts at `from`, past an
/// internal subset in brackets and quoted literals.
fn doctype_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if q == b => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Malformed markup.
#[derive(Debug, Clone, Copy)]
pub(super) enum Syntax {
    UnclosedTag,
    UnclosedComment,
    UnclosedCData,
    UnclosedPi,
    UnclosedDoctype,
    UnknownMarkup,
    NoName,
}

impl Syntax {
    pub(super) fn message(self) -> &'static str {
        match self {
            Syntax::UnclosedTag => "tag not closed: `>` not found before end of input",
            Syntax::UnclosedComment => "comment not closed: `-->` not found before end of input",
            Syntax::UnclosedCData => "CDATA not closed: `]]>` not found before end of input",
            Syntax::UnclosedPi => {
                "processing instruction or xml declaration not closed: `?>` not found before end \
                 of input"
            }
            Syntax::UnclosedDoctype => "DOCTYPE not closed: `>` not found before end of input",
            Syntax::UnknownMarkup => "unknown markup after `<!`",
            Syntax::NoName => "a tag without a name",
        }
    }
}

/// An entity or character reference that cannot be replaced.
#[derive(Debug)]
pub(super) enum Escape {
    /// `&name;` for a name XML does not predefine.
    Unknown(String),
    /// An `&` without a `;` after it.
    Unterminated,
    /// `&#…;` that is not a number or names no character XML allows.
    InvalidCharRef(String),
}

/// `raw` with entities and character references replaced; `base` is its offset in the body, for
/// errors. Borrowed when there is nothing to replace.
pub(super) fn unescape(raw: &str, base: usize) -> Result<Cow<'_, str>, XmlError> {
    let Some(first) = raw.find('&') else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    let mut done = 0;
    let mut amp = first;
    loop {
        out.push_str(&raw[done..amp]);
        let error = |escape| XmlError::new(ErrorKind::Escape(escape), Some((base + amp) as u64));
        let Some(semicolon) = raw[amp..].find(';').map(|i| amp + i) else {
            return Err(error(Escape::Unterminated));
        };
        let name = &raw[amp + 1..semicolon];
        match name {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "apos" => out.push('\''),
            "quot" => out.push('"'),
            _ => match name.strip_prefix('#') {
                Some(number) => match char_reference(number) {
                    Some(c) => out.push(c),
                    None => return Err(error(Escape::InvalidCharRef(name.to_owned()))),
                },
                None => return Err(error(Escape::Unknown(name.to_owned()))),
            },
        }
        done = semicolon + 1;
        match raw[done..].find('&') {
            Some(i) => amp = done + i,
            None => break,
        }
    }
    out.push_str(&raw[done..]);
    Ok(Cow::Owned(out))
}

/// The character `#number;` names: decimal, or hexadecimal after `x`. Not NUL, which no XML
/// document can hold.
fn char_reference(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    // `from_str_radix` would accept a sign.
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(code).filter(|&c| c != '\0')
}

/// Walks the attributes `name="value"` (or `'value'`) of a tag, `attributes` being what follows
/// the name. Yields each key, raw value and the value's offset in `attributes`; an error gives
/// its offset and what is wrong.
pub(super) struct Attributes<'a> {
    attributes: &'a str,
    pos: usize,
    /// The keys seen so far, to refuse a duplicate; a set, since a hostile tag may hold a
    /// hundred thousand attributes.
    seen: HashSet<&'a str>,
}

/// One attribute: key, raw value, and the value's offset in the tag's attributes.
pub(super) type Attribute<'a> = (&'a str, &'a str, usize);

impl<'a> Attributes<'a> {
    pub(super) fn new(attributes: &'a str) -> Self {
        Self {
            attributes,
            pos: 0,
            seen: HashSet::new(),
        }
    }

    fn skip_whitespace(&mut self) {
        let bytes = self.attributes.as_bytes();
        while bytes.get(self.pos).copied().is_some_and(is_whitespace) {
            self.pos += 1;
        }
    }

    fn attribute(&mut self) -> Result<Option<Attribute<'a>>, (usize, &'static str)> {
        let bytes = self.attributes.as_bytes();
        self.skip_whitespace();
        let key_start = self.pos;
        if key_start == bytes.len() {
            return Ok(None);
        }
        while bytes
            .get(self.pos)
            .is_some_and(|&b| b != b'=' && !is_whitespace(b))
        {
            self.pos += 1;
        }
        let key = &self.attributes[key_start..self.pos];
        if key.is_empty() {
            return Err((key_start, "attribute without a name"));
        }
        self.skip_whitespace();
        if bytes.get(self.pos) != Some(&b'=') {
            return Err((self.pos, "attribute name without `=`"));
        }
        self.pos += 1;
        self.skip_whitespace();
        let quote = match bytes.get(self.pos) {
            None => return Err((self.pos, "attribute without a value")),
            Some(&quote @ (b'"' | b'\'')) => quote,
            Some(_) => return Err((self.pos, "unquoted attribute value")),
        };
        let value_start = self.pos + 1;
        let Some(value_end) = find_byte(bytes, value_start, quote) else {
            return Err((self.pos, "unclosed attribute value"));
        };
        self.pos = value_end + 1;
        if !self.seen.insert(key) {
            return Err((key_start, "duplicate attribute"));
        }
        Ok(Some((
            key,
            &self.attributes[value_start..value_end],
            value_start,
        )))
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<Attribute<'a>, (usize, &'static str)>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.attribute().transpose();
        if matches!(next, Some(Err(_))) {
            // An error ends the walk.
            self.pos = self.attributes.len();
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte definition `name_end` computes eight bytes at a time.
    fn name_end_bytewise(bytes: &[u8]) -> Option<usize> {
        bytes.iter().position(|&b| ENDS_NAME[usize::from(b)])
    }

    #[test]
    fn name_end_finds_the_first_byte_that_ends_a_name() {
        // Every byte value at every position of the first two words and the tail, after name
        // bytes below `?` (digits, `-`, `.`: the arithmetic's candidates the table refuses),
        // above it, and non-ASCII.
        for prefix in [
            &b"abcdefghijklmnopqrst"[..],
            b"0123-4.5678-9.0123",
            "é€a😀bcdefghij".as_bytes(),
        ] {
            for len in 0..=prefix.len() {
                for byte in 0..=255u8 {
                    let mut bytes = prefix[..len].to_vec();
                    bytes.push(byte);
                    bytes.extend_from_slice(b"xyz>more");
                    assert_eq!(name_end(&bytes), name_end_bytewise(&bytes), "{bytes:?}");
                    assert_eq!(name_end(&bytes[..len]), name_end_bytewise(&bytes[..len]));
                }
            }
        }
    }
}
