//! Inline Markdown: a paragraph's text, emphasis, code spans and links, with whitespace
//! collapsed and every piece of text escaped.

use std::mem;

use super::escape::{code_span, escape_text, escape_word, link_destination};
use super::parse::{plain_text, Element, Node, Tag};

/// Where the model's root-relative links (`/AmazonS3/latest/...`) point: its docs are written
/// for the AWS documentation site, and a relative link would resolve against the rustdoc page.
const DOCS_ORIGIN: &str = "https://docs.aws.amazon.com";

/// What encloses inline content: inside `<code>`, text goes into code spans; inside a link,
/// neither links nor autolinks may nest.
#[derive(Clone, Copy, Default)]
pub(super) struct Ctx {
    code: bool,
    link: bool,
}

/// One paragraph's inline Markdown as it is built, with whitespace collapsed: separators are
/// kept pending and only written between two pieces of content.
#[derive(Default)]
pub(super) struct Inline {
    text: String,
    /// Text inside `<code>` not yet written as a code span.
    code: String,
    leading_space: bool,
    space: bool,
    line_break: bool,
}

/// Finished inline Markdown, trimmed, and whether whitespace was trimmed at either end.
pub(super) struct Finished {
    pub(super) text: String,
    leading_space: bool,
    trailing_space: bool,
}

impl Inline {
    pub(super) fn is_empty(&self) -> bool {
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

    pub(super) fn finish(mut self) -> Finished {
        self.flush_code();
        Finished {
            text: self.text,
            leading_space: self.leading_space,
            trailing_space: self.space || self.line_break,
        }
    }
}

pub(super) fn render_inline(node: &Node, out: &mut Inline, ctx: Ctx) {
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
