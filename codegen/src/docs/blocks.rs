//! Tree → Markdown blocks (paragraphs, code blocks, lists) → lines: runs of inline content
//! become paragraphs, `<note>` and `<important>` lead with a label, definition lists become
//! bullets, and list items are indented under their marker.

use std::mem;

use super::escape::{escape_line_start, longest_run};
use super::inline::{render_inline, Ctx, Inline};
use super::parse::{plain_text, Node, Tag};

pub(super) enum Block {
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
pub(super) fn push_blocks(nodes: &[Node], out: &mut Vec<Block>) {
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

/// Writes blocks separated by one blank line; list items are indented under their marker.
pub(super) fn write_blocks(blocks: &[Block], lines: &mut Vec<String>) {
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
