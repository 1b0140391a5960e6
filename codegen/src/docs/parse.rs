//! HTML → tree: a tokenizer for the known tags only, and the element tree it builds, closing
//! what HTML closes implicitly. Everything else is text, with entities decoded.

use std::mem;

/// How deeply elements nest before further opening tags are ignored; real docs nest about six
/// deep, and the bound keeps the recursive rendering safe on hostile input.
const MAX_DEPTH: usize = 32;

/// The tags the converter understands; `i`/`em` and `b`/`strong` are one tag each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    P,
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Note,
    Important,
    Pre,
    Code,
    Em,
    Strong,
    A,
    Br,
}

impl Tag {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "p" => Self::P,
            "ul" => Self::Ul,
            "ol" => Self::Ol,
            "li" => Self::Li,
            "dl" => Self::Dl,
            "dt" => Self::Dt,
            "dd" => Self::Dd,
            "note" => Self::Note,
            "important" => Self::Important,
            "pre" => Self::Pre,
            "code" => Self::Code,
            "i" | "em" => Self::Em,
            "b" | "strong" => Self::Strong,
            "a" => Self::A,
            "br" => Self::Br,
            _ => return None,
        })
    }

    pub(super) fn is_block(self) -> bool {
        !matches!(
            self,
            Self::Code | Self::Em | Self::Strong | Self::A | Self::Br
        )
    }
}

#[derive(Debug)]
pub(super) enum Node {
    /// Text with entities decoded.
    Text(String),
    Element(Element),
}

#[derive(Debug)]
pub(super) struct Element {
    pub(super) tag: Tag,
    /// The `href` of an `<a>`, entities decoded.
    pub(super) href: Option<String>,
    pub(super) children: Vec<Node>,
}

/// A tag as written: `</p>` is `closing`; `attrs` is the text between the name and `>`.
struct TagToken<'a> {
    closing: bool,
    tag: Tag,
    attrs: &'a str,
}

pub(super) fn parse(html: &str) -> Vec<Node> {
    let mut tree = Tree::default();
    let mut text = String::new();
    // The first `>` at or after the last place searched (`html.len()` if none): caching it keeps
    // a run of `<p <p <p` without any `>` linear.
    let mut next_gt = 0;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with('<') {
            if let Some((token, end)) = tag_at(html, i, &mut next_gt) {
                tree.text(mem::take(&mut text));
                tree.token(&token);
                i = end;
            } else {
                text.push('<');
                i += 1;
            }
        } else if rest.starts_with('&') {
            let (c, len) = entity(rest);
            text.push(c);
            i += len;
        } else {
            let len = rest.find(['<', '&']).unwrap_or(rest.len());
            text.push_str(&rest[..len]);
            i += len;
        }
    }
    tree.text(text);
    tree.finish()
}

/// The known tag starting at `html[start]` (a `<`), and the index just past its `>`.
fn tag_at<'a>(html: &'a str, start: usize, next_gt: &mut usize) -> Option<(TagToken<'a>, usize)> {
    let closing = html[start + 1..].starts_with('/');
    let name_start = start + 1 + usize::from(closing);
    let name_len = html[name_start..]
        .bytes()
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    let tag = Tag::from_name(&html[name_start..name_start + name_len])?;
    let name_end = name_start + name_len;
    match html.as_bytes().get(name_end) {
        Some(b) if *b == b'>' || *b == b'/' || b.is_ascii_whitespace() => {}
        _ => return None,
    }
    if *next_gt < name_end {
        *next_gt = html[name_end..]
            .find('>')
            .map_or(html.len(), |p| name_end + p);
    }
    if *next_gt == html.len() {
        return None;
    }
    let attrs = &html[name_end..*next_gt];
    Some((
        TagToken {
            closing,
            tag,
            attrs,
        },
        *next_gt + 1,
    ))
}

/// Decodes the entity at the start of `s` (which starts with `&`), or takes the `&` as text.
fn entity(s: &str) -> (char, usize) {
    // The longest entity understood is `&#x10FFFF;`.
    let Some(semi) = s.bytes().take(10).position(|b| b == b';') else {
        return ('&', 1);
    };
    let decoded = match &s[1..semi] {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        name => name.strip_prefix('#').and_then(|number| {
            let (digits, radix) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
            valid
                .then(|| u32::from_str_radix(digits, radix).ok())
                .flatten()
                .and_then(char::from_u32)
                .filter(|c| !c.is_control() || c.is_whitespace())
        }),
    };
    decoded.map_or(('&', 1), |c| (c, semi + 1))
}

/// The decoded value of attribute `name` in a tag's attribute text.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let mut value = None;
        if let Some(after_eq) = rest.strip_prefix('=') {
            let v = after_eq.trim_start();
            let (found, remaining) = match v.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &v[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => v.split_at(v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len())),
            };
            value = Some(found);
            rest = remaining;
        }
        if key.eq_ignore_ascii_case(name) {
            return value.map(decode_entities);
        }
    }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let (c, len) = entity(&rest[amp..]);
        out.push(c);
        rest = &rest[amp + len..];
    }
    out.push_str(rest);
    out
}

/// Builds the element tree, closing what HTML closes implicitly (`<li>` before the next `<li>`).
#[derive(Default)]
struct Tree {
    root: Vec<Node>,
    open: Vec<Element>,
}

impl Tree {
    fn children(&mut self) -> &mut Vec<Node> {
        match self.open.last_mut() {
            Some(element) => &mut element.children,
            None => &mut self.root,
        }
    }

    fn text(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        let children = self.children();
        match children.last_mut() {
            Some(Node::Text(last)) => last.push_str(&text),
            _ => children.push(Node::Text(text)),
        }
    }

    fn token(&mut self, token: &TagToken<'_>) {
        if token.closing {
            self.close(token.tag);
            return;
        }
        let element = Element {
            tag: token.tag,
            href: (token.tag == Tag::A)
                .then(|| attribute(token.attrs, "href"))
                .flatten(),
            children: Vec::new(),
        };
        if token.tag == Tag::Br {
            self.children().push(Node::Element(element));
            return;
        }
        if self.open.len() >= MAX_DEPTH {
            return;
        }
        match token.tag {
            Tag::Li => self.close_implicit(&[Tag::Li], &[Tag::Ul, Tag::Ol]),
            Tag::Dt | Tag::Dd => self.close_implicit(&[Tag::Dt, Tag::Dd], &[Tag::Dl]),
            _ => {}
        }
        self.open.push(element);
        if token.attrs.trim_end().ends_with('/') {
            self.close(token.tag);
        }
    }

    /// Closes the innermost open `tags` element, unless a `scope` element is opened after it.
    fn close_implicit(&mut self, tags: &[Tag], scope: &[Tag]) {
        for i in (0..self.open.len()).rev() {
            let tag = self.open[i].tag;
            if scope.contains(&tag) {
                return;
            }
            if tags.contains(&tag) {
                self.close_to(i);
                return;
            }
        }
    }

    /// Closes the innermost open `tag` and everything inside it; a stray closing tag is dropped.
    fn close(&mut self, tag: Tag) {
        if let Some(i) = self.open.iter().rposition(|e| e.tag == tag) {
            self.close_to(i);
        }
    }

    fn close_to(&mut self, depth: usize) {
        while self.open.len() > depth {
            if let Some(element) = self.open.pop() {
                self.children().push(Node::Element(element));
            }
        }
    }

    fn finish(mut self) -> Vec<Node> {
        self.close_to(0);
        self.root
    }
}

/// The text of `nodes` without markup; `<br>` is a line break.
pub(super) fn plain_text(nodes: &[Node]) -> String {
    fn collect(nodes: &[Node], out: &mut String) {
        for node in nodes {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Element(e) if e.tag == Tag::Br => out.push('\n'),
                Node::Element(e) => collect(&e.children, out),
            }
        }
    }
    let mut out = String::new();
    collect(nodes, &mut out);
    out
}
