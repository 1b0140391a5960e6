//! Converts the model's HTML documentation to rustdoc Markdown.
//!
//! The model's docs are a loose HTML dialect: a few real tags (paragraphs, lists, `<code>`,
//! emphasis, links, `<note>`) mixed with XML element names written as if they were tags
//! (`<Grantee>`, `<Code>`, `<x-amz-meta-*>`) and text rustdoc would misread (`[YYYY]`, bare URLs).
//! A small tokenizer builds a tree of the known tags only (names are case-sensitive, so `<Code>`
//! stays text); everything else is text, and every character Markdown would treat as syntax is
//! escaped on the way out. Malformed input never fails: unknown or stray tags become text, and
//! unclosed ones close at the end.
//!
//! The passes live in submodules: `parse` builds the tree, `blocks` turns it into Markdown
//! blocks and lines, `inline` renders a paragraph's inline content, and `escape` holds the
//! escaping the others use; `check` tells whether a text is what rustdoc needs.

mod blocks;
mod check;
mod escape;
mod inline;
mod parse;
#[cfg(test)]
mod tests;

pub use check::check;

use blocks::{push_blocks, write_blocks};
use parse::parse;

/// Converts one documentation string to Markdown that rustdoc renders without warnings.
///
/// Paragraphs are single lines separated by one blank line; the text has no leading or trailing
/// blank lines and no trailing spaces.
pub fn to_rustdoc(html: &str) -> String {
    let mut blocks = Vec::new();
    push_blocks(&parse(html), &mut blocks);
    let mut lines = Vec::new();
    write_blocks(&blocks, &mut lines);
    lines.join("\n")
}
