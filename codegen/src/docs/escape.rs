//! Escaping: what Markdown or rustdoc would read as syntax in text, in link destinations, in
//! code spans and at line starts; bare URLs become autolinks.

use std::fmt::Write as _;

/// A URL as a Markdown link destination: parentheses, angle brackets, backslashes and
/// would-be entities escaped, whitespace percent-encoded.
pub(super) fn link_destination(url: &str) -> String {
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
pub(super) fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

pub(super) fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Escapes a word of text, turning the URLs in it into autolinks if `autolink`.
pub(super) fn escape_word(word: &str, autolink: bool, out: &mut String) {
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
pub(super) fn escape_text(text: &str, out: &mut String) {
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
pub(super) fn escape_line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if line.starts_with(['#', '-', '+', '=']) {
        format!("\\{line}")
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_owned()
    }
}
