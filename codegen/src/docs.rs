//! Converts the model's HTML documentation to rustdoc Markdown.
//!
//! The model's docs are a loose HTML dialect: a few real tags (paragraphs, lists, `<code>`,
//! emphasis, links, `<note>`) mixed with XML element names written as if they were tags
//! (`<Grantee>`, `<Code>`, `<x-amz-meta-*>`) and text rustdoc would misread (`[YYYY]`, bare URLs).
//! A small tokenizer builds a tree of the known tags only (names are case-sensitive, so `<Code>`
//! stays text); everything else is text, and every character Markdown would treat as syntax is
//! escaped on the way out. Malformed input never fails: unknown or stray tags become text, and
//! unclosed ones close at the end.

use std::fmt::Write as _;
use std::mem;

/// Where the model's root-relative links (`/AmazonS3/latest/...`) point: its docs are written
/// for the AWS documentation site, and a relative link would resolve against the rustdoc page.
const DOCS_ORIGIN: &str = "https://docs.aws.amazon.com";

/// How deeply elements nest before further opening tags are ignored; real docs nest about six
/// deep, and the bound keeps the recursive rendering safe on hostile input.
const MAX_DEPTH: usize = 32;

/// Converts one documentation string to Markdown that rustdoc renders without warnings.
///
/// Paragraphs are single lines separated by one blank line; the text has no leading or trailing
/// blank lines and no trailing spaces.
pub(crate) fn to_rustdoc(html: &str) -> String {
    let mut blocks = Vec::new();
    push_blocks(&parse(html), &mut blocks);
    let mut lines = Vec::new();
    write_blocks(&blocks, &mut lines);
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// HTML → tree

/// The tags the converter understands; `i`/`em` and `b`/`strong` are one tag each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
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

    fn is_block(self) -> bool {
        !matches!(
            self,
            Self::Code | Self::Em | Self::Strong | Self::A | Self::Br
        )
    }
}

#[derive(Debug)]
enum Node {
    /// Text with entities decoded.
    Text(String),
    Element(Element),
}

#[derive(Debug)]
struct Element {
    tag: Tag,
    /// The `href` of an `<a>`, entities decoded.
    href: Option<String>,
    children: Vec<Node>,
}

/// A tag as written: `</p>` is `closing`; `attrs` is the text between the name and `>`.
struct TagToken<'a> {
    closing: bool,
    tag: Tag,
    attrs: &'a str,
}

fn parse(html: &str) -> Vec<Node> {
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

// ---------------------------------------------------------------------------------------------
// Tree → Markdown blocks

enum Block {
    /// Inline Markdown; lines are joined by hard breaks.
    Para(String),
    /// Verbatim text, dedented, for a fenced block marked `text`.
    Code(String),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
}

/// Appends the blocks of `nodes`; runs of inline content become paragraphs.
fn push_blocks(nodes: &[Node], out: &mut Vec<Block>) {
    let mut para = Inline::default();
    for (i, node) in nodes.iter().enumerate() {
        let Node::Element(element) = node else {
            render_inline(node, &mut para, Ctx::default());
            continue;
        };
        match element.tag {
            Tag::Code if para.is_empty() && stands_alone(&nodes[i + 1..]) => {
                let text = plain_text(&element.children);
                if text.trim().contains('\n') {
                    out.extend(code_block(&text));
                } else {
                    render_inline(node, &mut para, Ctx::default());
                }
            }
            tag if !tag.is_block() => render_inline(node, &mut para, Ctx::default()),
            tag => {
                end_para(&mut para, out);
                match tag {
                    Tag::Ul | Tag::Ol => {
                        push_list(tag == Tag::Ol, list_items(&element.children), out);
                    }
                    Tag::Li => push_list(false, vec![blocks(&element.children)], out),
                    Tag::Dl => push_list(false, definition_items(&element.children), out),
                    Tag::Dt | Tag::Dd => {
                        push_list(false, definition_items(std::slice::from_ref(node)), out);
                    }
                    Tag::Note => callout("**Note:**", &element.children, out),
                    Tag::Important => callout("**Important:**", &element.children, out),
                    Tag::Pre => out.extend(code_block(&plain_text(&element.children))),
                    _ => push_blocks(&element.children, out),
                }
            }
        }
    }
    end_para(&mut para, out);
}

fn blocks(nodes: &[Node]) -> Vec<Block> {
    let mut out = Vec::new();
    push_blocks(nodes, &mut out);
    out
}

fn end_para(para: &mut Inline, out: &mut Vec<Block>) {
    let text = mem::take(para).finish().text;
    if !text.is_empty() {
        let lines: Vec<String> = text.split('\n').map(escape_line_start).collect();
        out.push(Block::Para(lines.join("\n")));
    }
}

/// Whether nothing but whitespace follows, up to the next block: a `<code>` so placed with
/// line breaks inside is a code block rather than a code span.
fn stands_alone(following: &[Node]) -> bool {
    following
        .iter()
        .take_while(|node| !matches!(node, Node::Element(e) if e.tag.is_block()))
        .all(is_blank)
}

fn is_blank(node: &Node) -> bool {
    matches!(node, Node::Text(text) if text.trim().is_empty())
}

fn push_list(ordered: bool, items: Vec<Vec<Block>>, out: &mut Vec<Block>) {
    let items: Vec<_> = items.into_iter().filter(|item| !item.is_empty()).collect();
    if !items.is_empty() {
        out.push(Block::List { ordered, items });
    }
}

/// A list's items; stray content between items becomes an item of its own.
fn list_items(nodes: &[Node]) -> Vec<Vec<Block>> {
    nodes
        .iter()
        .filter(|node| !is_blank(node))
        .map(|node| match node {
            Node::Element(e) if e.tag == Tag::Li => blocks(&e.children),
            other => blocks(std::slice::from_ref(other)),
        })
        .collect()
}

/// A definition list as bullets: each term in bold, its definitions as the item's body.
fn definition_items(nodes: &[Node]) -> Vec<Vec<Block>> {
    let mut items: Vec<Vec<Block>> = Vec::new();
    for node in nodes.iter().filter(|node| !is_blank(node)) {
        let body = match node {
            Node::Element(e) if e.tag == Tag::Dt => {
                let mut term = Inline::default();
                for child in &e.children {
                    render_inline(child, &mut term, Ctx::default());
                }
                let term = term.finish().text;
                items.push(if term.is_empty() {
                    Vec::new()
                } else {
                    vec![Block::Para(format!("**{term}**"))]
                });
                continue;
            }
            Node::Element(e) if e.tag == Tag::Dd => blocks(&e.children),
            other => blocks(std::slice::from_ref(other)),
        };
        match items.last_mut() {
            Some(item) => item.extend(body),
            None => items.push(body),
        }
    }
    items
}

/// `<note>` and `<important>`: the body, its first paragraph led by `label`.
fn callout(label: &str, nodes: &[Node], out: &mut Vec<Block>) {
    let mut body = blocks(nodes);
    match body.first_mut() {
        None => return,
        Some(Block::Para(text)) => *text = format!("{label} {text}"),
        Some(_) => body.insert(0, Block::Para(label.to_owned())),
    }
    out.extend(body);
}

/// The text of `nodes` without markup; `<br>` is a line break.
fn plain_text(nodes: &[Node]) -> String {
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

/// A code block of `text`, dedented: the first line (which follows the opening tag) is
/// trimmed, the others lose their common indentation; runs of blank lines become one.
fn code_block(text: &str) -> Option<Block> {
    let mut lines = text.lines();
    let first = lines.next()?.trim();
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut lines: Vec<&str> = std::iter::once(first)
        .chain(
            rest.iter()
                .map(|line| line.get(indent..).unwrap_or(line.trim_start()).trim_end()),
        )
        .collect();
    lines.dedup_by(|a, b| a.is_empty() && b.is_empty());
    let start = lines.iter().position(|line| !line.is_empty())?;
    let end = lines.iter().rposition(|line| !line.is_empty())? + 1;
    Some(Block::Code(lines[start..end].join("\n")))
}

// ---------------------------------------------------------------------------------------------
// Inline Markdown

/// What encloses inline content: inside `<code>`, text goes into code spans; inside a link,
/// neither links nor autolinks may nest.
#[derive(Clone, Copy, Default)]
struct Ctx {
    code: bool,
    link: bool,
}

/// One paragraph's inline Markdown as it is built, with whitespace collapsed: separators are
/// kept pending and only written between two pieces of content.
#[derive(Default)]
struct Inline {
    text: String,
    /// Text inside `<code>` not yet written as a code span.
    code: String,
    leading_space: bool,
    space: bool,
    line_break: bool,
}

/// Finished inline Markdown, trimmed, and whether whitespace was trimmed at either end.
struct Finished {
    text: String,
    leading_space: bool,
    trailing_space: bool,
}

impl Inline {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.code.is_empty()
    }

    fn space(&mut self) {
        self.flush_code();
        if self.text.is_empty() {
            self.leading_space = true;
        } else {
            self.space = true;
        }
    }

    fn line_break(&mut self) {
        self.flush_code();
        self.line_break = !self.text.is_empty();
    }

    /// Writes the pending separator before new content.
    fn separate(&mut self) {
        if !self.text.is_empty() {
            if self.line_break {
                self.text.push_str("\\\n");
            } else if self.space {
                self.text.push(' ');
            }
        }
        self.space = false;
        self.line_break = false;
    }

    /// Appends ready-made Markdown.
    fn push(&mut self, markdown: &str) {
        self.flush_code();
        if !markdown.is_empty() {
            self.separate();
            self.text.push_str(markdown);
        }
    }

    /// Appends text, escaped; `autolink` turns bare URLs into autolinks.
    fn prose(&mut self, text: &str, autolink: bool) {
        self.flush_code();
        for (i, word) in text.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space();
            }
            if !word.is_empty() {
                // `<i>key </i>.` means `*key*.`, not `*key* .`
                let mut chars = word.chars();
                if chars.next().is_some_and(|c| ".,;:!?)".contains(c))
                    && !chars.next().is_some_and(char::is_alphanumeric)
                {
                    self.space = false;
                }
                self.separate();
                escape_word(word, autolink, &mut self.text);
            }
        }
    }

    fn flush_code(&mut self) {
        if self.code.is_empty() {
            return;
        }
        let code = mem::take(&mut self.code);
        if code.starts_with(char::is_whitespace) {
            self.space();
        }
        let words: Vec<&str> = code.split_whitespace().collect();
        if !words.is_empty() {
            self.separate();
            self.text.push_str(&code_span(&words.join(" ")));
        }
        if code.ends_with(char::is_whitespace) {
            self.space();
        }
    }

    /// Renders `nodes` and appends them between `open` and `close`, whitespace kept outside.
    fn wrap(&mut self, open: &str, nodes: &[Node], ctx: Ctx, close: &str) {
        let mut inner = Inline::default();
        for node in nodes {
            render_inline(node, &mut inner, ctx);
        }
        let inner = inner.finish();
        self.append(&inner, |text| format!("{open}{text}{close}"));
    }

    /// Appends finished content through `markup`, with its surrounding whitespace.
    fn append(&mut self, inner: &Finished, markup: impl FnOnce(&str) -> String) {
        if inner.leading_space {
            self.space();
        }
        if !inner.text.is_empty() {
            self.push(&markup(&inner.text));
        }
        if inner.trailing_space {
            self.space();
        }
    }

    fn finish(mut self) -> Finished {
        self.flush_code();
        Finished {
            text: self.text,
            leading_space: self.leading_space,
            trailing_space: self.space || self.line_break,
        }
    }
}

fn render_inline(node: &Node, out: &mut Inline, ctx: Ctx) {
    let element = match node {
        Node::Text(text) if ctx.code => return out.code.push_str(text),
        Node::Text(text) => return out.prose(text, !ctx.link),
        Node::Element(element) => element,
    };
    match element.tag {
        Tag::Em => out.wrap("*", &element.children, ctx, "*"),
        Tag::Strong => out.wrap("**", &element.children, ctx, "**"),
        Tag::A => link(element, out, ctx),
        Tag::Br if ctx.code => out.code.push(' '),
        // Link text stays on one line.
        Tag::Br if ctx.link => out.space(),
        Tag::Br => out.line_break(),
        tag => {
            // `<code>` turns text into code spans; a block inside inline markup can only be
            // flattened into the line.
            let ctx = Ctx {
                code: ctx.code || tag == Tag::Code || tag == Tag::Pre,
                ..ctx
            };
            let spaced = tag.is_block();
            if spaced {
                out.space();
            }
            for child in &element.children {
                render_inline(child, out, ctx);
            }
            if spaced {
                out.space();
            }
        }
    }
}

/// `[text](url)`, or `<url>` when the text is the URL; links rustdoc could not follow (no
/// `href`, a relative one, or one inside another link) keep just their text.
fn link(element: &Element, out: &mut Inline, ctx: Ctx) {
    let url = element.href.as_deref().and_then(absolute_url);
    let Some(url) = url.filter(|_| !ctx.link) else {
        for child in &element.children {
            render_inline(child, out, ctx);
        }
        return;
    };
    let mut inner = Inline::default();
    for child in &element.children {
        render_inline(child, &mut inner, Ctx { link: true, ..ctx });
    }
    let mut inner = inner.finish();
    let autolinkable = !url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if autolinkable && (inner.text.is_empty() || plain_text(&element.children).trim() == url) {
        inner.text = format!("<{url}>");
        return out.append(&inner, str::to_owned);
    }
    if inner.text.is_empty() {
        escape_text(&url, &mut inner.text);
    }
    out.append(&inner, |text| {
        format!("[{text}]({})", link_destination(&url))
    });
}

fn absolute_url(href: &str) -> Option<String> {
    let href = href.trim();
    if href.starts_with("https://") || href.starts_with("http://") {
        Some(href.to_owned())
    } else if href.starts_with('/') && !href.starts_with("//") {
        Some(format!("{DOCS_ORIGIN}{href}"))
    } else {
        None
    }
}

/// A URL as a Markdown link destination: parentheses, angle brackets, backslashes and
/// would-be entities escaped, whitespace percent-encoded.
fn link_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        match c {
            '(' | ')' | '<' | '>' | '\\' => out.push('\\'),
            '&' if reads_as_entity(&url[i + 1..]) => out.push('\\'),
            c if c.is_whitespace() || c.is_control() => {
                for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                    // Writing to a `String` cannot fail.
                    let _ = write!(out, "%{byte:02X}");
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A code span whose delimiters cannot clash with backticks in `code` (trimmed, non-empty).
fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Escapes a word of text, turning the URLs in it into autolinks if `autolink`.
fn escape_word(word: &str, autolink: bool, out: &mut String) {
    let mut rest = word;
    while let Some((start, end)) = autolink.then(|| find_url(rest)).flatten() {
        escape_text(&rest[..start], out);
        out.push('<');
        out.push_str(&rest[start..end]);
        out.push('>');
        rest = &rest[end..];
    }
    escape_text(rest, out);
}

/// The byte range of the first `http(s)://` URL in a word, without trailing punctuation (or a
/// closing parenthesis that is not the URL's own).
fn find_url(word: &str) -> Option<(usize, usize)> {
    for (start, _) in word.match_indices("http") {
        let candidate = &word[start..];
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|scheme| candidate.starts_with(scheme))
            .map_or(0, str::len);
        if scheme == 0 {
            continue;
        }
        let mut url = &candidate[..candidate
            .find(['<', '>', '"', '\'', '`'])
            .unwrap_or(candidate.len())];
        while let Some(last) = url.chars().last() {
            let unbalanced_paren =
                last == ')' && url.matches('(').count() < url.matches(')').count();
            if !(".,;:!?".contains(last) || unbalanced_paren) {
                break;
            }
            url = &url[..url.len() - 1];
        }
        if url.len() > scheme {
            return Some((start, start + url.len()));
        }
    }
    None
}

/// Escapes what Markdown or rustdoc would read as syntax: emphasis, code, links, HTML,
/// strikethrough and entities. `_` inside a word cannot start emphasis and is left alone.
fn escape_text(text: &str, out: &mut String) {
    let mut prev = None;
    for (i, c) in text.char_indices() {
        let after = &text[i + c.len_utf8()..];
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '~' => true,
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && after.starts_with(char::is_alphanumeric))
            }
            '&' => reads_as_entity(after),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
}

/// Whether Markdown would read `&` followed by `after` as an entity reference (`&copy;`).
fn reads_as_entity(after: &str) -> bool {
    let name = after.strip_prefix('#').unwrap_or(after);
    let len = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
    len > 0 && name[len..].starts_with(';')
}

/// Escapes a line start that Markdown would read as a heading, list item or underline.
fn escape_line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if line.starts_with(['#', '-', '+', '=']) {
        format!("\\{line}")
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Blocks → lines

/// Writes blocks separated by one blank line; list items are indented under their marker.
fn write_blocks(blocks: &[Block], lines: &mut Vec<String>) {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        match block {
            Block::Para(text) => lines.extend(text.lines().map(str::to_owned)),
            Block::Code(code) => {
                let fence = "`".repeat((longest_run(code, '`') + 1).max(3));
                lines.push(format!("{fence}text"));
                lines.extend(code.lines().map(str::to_owned));
                lines.push(fence);
            }
            Block::List { ordered, items } => {
                for (n, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{}. ", n + 1)
                    } else {
                        "- ".to_owned()
                    };
                    let mut item_lines = Vec::new();
                    write_blocks(item, &mut item_lines);
                    for (j, line) in item_lines.into_iter().enumerate() {
                        lines.push(if j == 0 {
                            format!("{marker}{line}")
                        } else if line.is_empty() {
                            line
                        } else {
                            format!("{:width$}{line}", "", width = marker.len())
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_rustdoc;

    #[track_caller]
    fn converts(html: &str, markdown: &str) {
        assert_eq!(to_rustdoc(html), markdown, "from {html:?}");
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        converts(
            "<p>Creates a   new\n      widget.</p>\n   <p>\n Widgets are <i>round</i>.</p>",
            "Creates a new widget.\n\nWidgets are *round*.",
        );
        converts(
            "Loose text, then<p>a paragraph</p>and more",
            "Loose text, then\n\na paragraph\n\nand more",
        );
    }

    #[test]
    fn empty_and_blank_input_give_nothing() {
        converts("", "");
        converts("  \n ", "");
        converts("<p></p><p> </p><ul><li></li></ul><note> </note>", "");
    }

    #[test]
    fn lists_nest_under_their_items() {
        converts(
            "<ul><li><p>First</p></li><li>Second<ul><li>Inner</li></ul></li></ul>",
            "- First\n- Second\n\n  - Inner",
        );
        converts(
            "<ol><li>One</li><li><p>Two</p><p>More on two</p></li></ol>",
            "1. One\n2. Two\n\n   More on two",
        );
    }

    #[test]
    fn list_items_close_implicitly() {
        converts("<ul><li>a<li>b</ul>", "- a\n- b");
    }

    #[test]
    fn code_becomes_a_span_with_safe_delimiters() {
        converts("Set <code>max-keys</code> to 5.", "Set `max-keys` to 5.");
        converts("<code>a`b</code> and <code>`</code>", "``a`b`` and `` ` ``");
        converts("<code> spaced </code>out", "`spaced` out");
        converts("<code></code>", "");
    }

    #[test]
    fn emphasis_inside_code_splits_the_span() {
        converts(
            "<code>https://<i>bucket</i>.example.com</code>",
            "`https://`*`bucket`*`.example.com`",
        );
    }

    #[test]
    fn emphasis_keeps_whitespace_outside_its_markers() {
        converts(
            "See the<i> User Guide </i>now.",
            "See the *User Guide* now.",
        );
        converts(
            "<b>Bold</b> and <strong>strong</strong>, <em>em</em>",
            "**Bold** and **strong**, *em*",
        );
        converts("a<i> </i>b<b></b>", "a b");
    }

    #[test]
    fn no_space_is_left_before_closing_punctuation() {
        converts(
            "See <a href=\"https://example.com/a\"> <code>Name</code> </a>. Use <i>key </i>, <b>x</b> ) or a .txt file ...",
            "See [`Name`](https://example.com/a). Use *key*, **x**) or a .txt file...",
        );
    }

    #[test]
    fn links_become_markdown_links_or_autolinks() {
        converts(
            "See <a href=\"https://example.com/guide.html\"> the guide</a>.",
            "See [the guide](https://example.com/guide.html).",
        );
        converts(
            "<a href='https://example.com/rfc#section-4'>https://example.com/rfc#section-4</a>",
            "<https://example.com/rfc#section-4>",
        );
        converts(
            "<a href=\"https://example.com/a\"></a>",
            "<https://example.com/a>",
        );
        converts(
            "<a href=\"https://example.com/a(b) c\">x</a>",
            "[x](https://example.com/a\\(b\\)%20c)",
        );
        converts(
            "<a href=\"https://example.com/?q=&amp;amp;&amp;b\">q</a>",
            "[q](https://example.com/?q=\\&amp;&b)",
        );
    }

    #[test]
    fn root_relative_links_point_at_the_docs_site_and_others_keep_their_text() {
        converts(
            "<a href=\"/guide/x.html\">X</a>",
            "[X](https://docs.aws.amazon.com/guide/x.html)",
        );
        converts("<a href=\"#anchor\">here</a>, <a>there</a>", "here, there");
    }

    #[test]
    fn links_do_not_nest() {
        converts(
            "<a href=\"https://a.example\">x <a href=\"https://b.example\">y</a></a>",
            "[x y](https://a.example)",
        );
    }

    #[test]
    fn notes_lead_with_a_label() {
        converts(
            "<note><p>Not for directory buckets.</p></note>",
            "**Note:** Not for directory buckets.",
        );
        converts(
            "<important><ul><li>Careful</li></ul></important>",
            "**Important:**\n\n- Careful",
        );
    }

    #[test]
    fn definition_lists_become_bullets_with_bold_terms() {
        converts(
            "<dl><dt>Permissions</dt><dd><p>You need access.</p><ul><li>Read</li></ul></dd><dt>Syntax</dt><dd>Plain</dd></dl>",
            "- **Permissions**\n\n  You need access.\n\n  - Read\n- **Syntax**\n\n  Plain",
        );
        converts("<dl><dd>No term</dd></dl>", "- No term");
    }

    #[test]
    fn multiline_code_on_its_own_becomes_a_text_block() {
        converts(
            "<p>Send:</p><p>\n  <code><Config xmlns=\"http://example.com/doc\">\n        <Item>1</Item>\n\n        </Config></code>\n</p>",
            "Send:\n\n```text\n<Config xmlns=\"http://example.com/doc\">\n<Item>1</Item>\n\n</Config>\n```",
        );
        converts(
            "<ul><li><pre>\n    a ``` b\n      c\n</pre></li></ul>",
            "- ````text\n  a ``` b\n    c\n  ````",
        );
    }

    #[test]
    fn wrapped_code_inside_a_sentence_stays_a_span() {
        converts(
            "Returns <code>412\n      Precondition Failed</code> then.",
            "Returns `412 Precondition Failed` then.",
        );
    }

    #[test]
    fn line_breaks_are_hard_breaks_inside_a_paragraph_only() {
        converts("<br/>one<br/> <br>two<br/>", "one\\\ntwo");
    }

    #[test]
    fn entities_are_decoded_and_reescaped_where_markdown_would_read_them() {
        converts(
            "&lt;b&gt; &amp; Q&amp;A &quot;x&quot; &#39;y&apos; &#65;&#x42; &amp;copy;",
            "\\<b\\> & Q&A \"x\" 'y' AB \\&copy;",
        );
        converts("&bogus; &#xD800; &#; &", "\\&bogus; \\&#xD800; &#; &");
        converts("<code>&lt;Tag&gt;</code>", "`<Tag>`");
    }

    #[test]
    fn pseudo_tags_are_escaped_text() {
        converts(
            "In the <Code> element, set <x-amz-meta-*> and <LocationConstraint>.",
            "In the \\<Code\\> element, set \\<x-amz-meta-\\*\\> and \\<LocationConstraint\\>.",
        );
        converts(
            "<code>arn:aws:s3:<Region>:<account-id>:thing/<name></code>",
            "`arn:aws:s3:<Region>:<account-id>:thing/<name>`",
        );
    }

    #[test]
    fn markdown_syntax_in_text_is_escaped() {
        converts(
            "[Prefix]/[YYYY] *all* `tick` a\\b ~x~ _lead snake_case trail_",
            "\\[Prefix\\]/\\[YYYY\\] \\*all\\* \\`tick\\` a\\\\b \\~x\\~ \\_lead snake_case trail\\_",
        );
    }

    #[test]
    fn line_starts_markdown_would_read_as_blocks_are_escaped() {
        converts(
            "<p># not a heading</p><p>- not an item</p><p>2. not an item</p>",
            "\\# not a heading\n\n\\- not an item\n\n2\\. not an item",
        );
        converts("a<br/>=====", "a\\\n\\=====");
    }

    #[test]
    fn bare_urls_become_autolinks() {
        converts(
            "See https://example.com/a_b. Or (http://example.com/x(1)).",
            "See <https://example.com/a_b>. Or (<http://example.com/x(1)>).",
        );
        converts("Just https:// alone", "Just https:// alone");
    }

    #[test]
    fn malformed_markup_is_text_or_closes_itself() {
        converts("a < b > c", "a \\< b \\> c");
        converts("<p>open <i>never closed", "open *never closed*");
        converts("stray </b> close</ul>", "stray close");
        converts("<a href=\"x", "\\<a href=\"x");
        converts("<p", "\\<p");
        converts("<P>Upper</P>", "\\<P\\>Upper\\</P\\>");
        converts("<p/>x<p class=\"c\" />y", "x\n\ny");
    }

    /// A whole operation description in the model's style, to review the output as a reader.
    #[test]
    fn operation_description() {
        let html = r#"<p>Lists the <i>widgets</i> in a   bucket. Keys are returned in
      UTF-8 order.</p>
         <note>
            <p>This operation is not supported for <b>directory buckets</b>.</p>
         </note>
         <dl>
            <dt>Permissions</dt>
            <dd>
               <p>You need the <code>s3:ListWidgets</code> permission. See <a href="https://example.com/guide/perms.html">Widget
                  permissions</a>.</p>
               <ul>
                  <li>
                     <p>Host: <code><i>bucket</i>.widgets.<i>region</i>.example.com</code></p>
                  </li>
                  <li>
                     <p>Body:</p>
                     <p>
                        <code><Widgets xmlns="http://example.com/doc/2006-03-01/">
                  <Widget><Name>n</Name></Widget>
                  </Widgets></code>
                     </p>
                  </li>
               </ul>
            </dd>
         </dl>
         <p>Logs are written to <code>[Prefix][YYYY]-[MM]</code>; the response holds a <Marker> element
      when more keys match. Values: [1-1000]. Details: https://example.com/widgets.</p>"#;
        insta::assert_snapshot!(to_rustdoc(html));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let html = "<i>".repeat(100_000) + "x";
        assert!(to_rustdoc(&html).contains('x'));
        let html = "<ul><li>".repeat(10_000);
        to_rustdoc(&html);
    }

    /// Checks what rustdoc needs from converted text: no raw HTML, brackets or bare URLs outside
    /// code and links, closed code spans and fences marked `text`, tidy blank lines.
    fn check(markdown: &str) -> Result<(), String> {
        if markdown.starts_with('\n') || markdown.ends_with('\n') {
            return Err("leading or trailing blank line".into());
        }
        let mut fence: Option<String> = None;
        let mut previous_blank = false;
        for line in markdown.split('\n') {
            if line.ends_with(char::is_whitespace) {
                return Err(format!("trailing whitespace: {line:?}"));
            }
            if line.is_empty() && previous_blank {
                return Err("two blank lines in a row".into());
            }
            previous_blank = line.is_empty();
            let mut trimmed = line.trim_start();
            if let Some(close) = &fence {
                if trimmed == close {
                    fence = None;
                }
                continue;
            }
            while let Some(item) = trimmed.strip_prefix("- ").or_else(|| {
                let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
                trimmed[digits..].strip_prefix(". ").filter(|_| digits > 0)
            }) {
                trimmed = item;
            }
            let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
            // An info string with a backtick makes the line a code span, not a fence.
            if ticks >= 3 && !trimmed[ticks..].contains('`') {
                if &trimmed[ticks..] != "text" {
                    return Err(format!("code block not marked text: {line:?}"));
                }
                fence = Some("`".repeat(ticks));
                continue;
            }
            check_inline(line).map_err(|e| format!("{e} in {line:?}"))?;
        }
        match fence {
            Some(_) => Err("unclosed code block".into()),
            None => Ok(()),
        }
    }

    fn check_inline(line: &str) -> Result<(), String> {
        let bytes = line.as_bytes();
        let mut link_depth = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'`' => {
                    let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                    let mut j = i + run;
                    loop {
                        let Some(p) = bytes[j..].iter().position(|&b| b == b'`') else {
                            return Err("unclosed code span".into());
                        };
                        let close = bytes[j + p..].iter().take_while(|&&b| b == b'`').count();
                        j += p + close;
                        if close == run {
                            break;
                        }
                    }
                    i = j - 1;
                }
                b'<' => {
                    let end = line[i..].find('>').ok_or("raw `<`")?;
                    let inner = &line[i + 1..i + end];
                    let url = inner.starts_with("https://") || inner.starts_with("http://");
                    if !url || inner.contains([' ', '<']) {
                        return Err(format!("raw HTML <{inner}>"));
                    }
                    i += end;
                }
                b'[' => link_depth += 1,
                b']' => {
                    if link_depth == 0 || !line[i + 1..].starts_with("(http") {
                        return Err("`]` outside a link to a URL".into());
                    }
                    link_depth -= 1;
                    // Skip the destination, whose parentheses are escaped.
                    i += 2;
                    while i < bytes.len() && bytes[i] != b')' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    if i >= bytes.len() {
                        return Err("unclosed link destination".into());
                    }
                }
                _ if link_depth == 0
                    && (bytes[i..].starts_with(b"http://")
                        || bytes[i..].starts_with(b"https://")) =>
                {
                    return Err("bare URL".into());
                }
                _ => {}
            }
            i += 1;
        }
        match link_depth {
            0 => Ok(()),
            _ => Err("unescaped `[`".into()),
        }
    }

    #[test]
    fn the_checker_catches_what_rustdoc_would_warn_about() {
        for bad in [
            "a <Grantee> b",
            "[YYYY]",
            "a]",
            "see https://example.com",
            "`open",
            "```\ncode\n```",
            "```text\nunclosed",
            "a \nb",
            "a\n\n\nb",
            "\na",
        ] {
            assert!(check(bad).is_err(), "{bad:?} passed");
        }
        for good in [
            "a \\<Grantee\\> `<Grantee>` <https://example.com/x>",
            "[the guide](https://example.com/a\\(b\\)) \\[x\\] ``a`b``",
            "- item\n\n  ````text\n  ```\n  ````",
        ] {
            assert_eq!(check(good), Ok(()), "{good:?}");
        }
    }

    /// Random mixes of markup, pseudo-tags, entities and Markdown syntax: the output always
    /// passes the checker.
    #[test]
    fn any_mix_of_fragments_converts_to_clean_markdown() {
        const FRAGMENTS: &[&str] = &[
            "<p>",
            "</p>",
            "<ul>",
            "<ol>",
            "</ul>",
            "<li>",
            "</li>",
            "<dl>",
            "<dt>",
            "<dd>",
            "</dl>",
            "<note>",
            "</note>",
            "<important>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "<i>",
            "</i>",
            "<b>",
            "</b>",
            "<a href=\"https://example.com/a_(b)\">",
            "<a href='/x'>",
            "<a href=#>",
            "</a>",
            "<br/>",
            "<Grantee>",
            "</Grantee>",
            "<x-amz-meta-*>",
            "<",
            ">",
            "&",
            "&lt;",
            "&amp;lt;",
            "&#x41;",
            "&#99999999;",
            "[",
            "]",
            "`",
            "``",
            "```",
            "*",
            "_",
            "\\",
            "#",
            "- ",
            "1. ",
            "=",
            "~",
            " ",
            "\n",
            "\n    ",
            "word",
            "é",
            "https://example.com/p.",
            "(http://example.com/q)",
            "<a",
            "\"",
            "'",
            "|",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..20_000 {
            let html: String = (0..next(40))
                .map(|_| FRAGMENTS[next(FRAGMENTS.len())])
                .collect();
            let markdown = to_rustdoc(&html);
            if let Err(e) = check(&markdown) {
                panic!("{e}\nfrom {html:?}\nto {markdown:?}");
            }
        }
    }

    /// Every documentation string of the real model, when it is beside the repository.
    #[test]
    fn every_model_doc_string_converts_to_clean_markdown() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/model/s3.json");
        let Ok(json) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: no model at {}", path.display());
            return;
        };
        fn collect<'a>(value: &'a serde_json::Value, docs: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (key, value) in map {
                        match (key.as_str(), value) {
                            ("smithy.api#documentation", serde_json::Value::String(doc)) => {
                                docs.push(doc);
                            }
                            _ => collect(value, docs),
                        }
                    }
                }
                serde_json::Value::Array(values) => values.iter().for_each(|v| collect(v, docs)),
                _ => {}
            }
        }
        let model: serde_json::Value = serde_json::from_str(&json).expect("model is JSON");
        let mut docs = Vec::new();
        collect(&model, &mut docs);
        assert!(docs.len() > 1000, "only {} doc strings found", docs.len());
        let failures: Vec<String> = docs
            .iter()
            .filter_map(|html| {
                let markdown = to_rustdoc(html);
                check(&markdown).err().map(|e| format!("{e}\n{markdown}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} failures, first:\n{}",
            failures.len(),
            failures[0]
        );
    }
}
