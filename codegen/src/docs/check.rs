//! A checker of converted text, for the tests here and the whole-model test in `xtask`.

/// Checks what rustdoc needs from converted text: no raw HTML, brackets or bare URLs outside
/// code and links, closed code spans and fences marked `text`, tidy blank lines.
pub fn check(markdown: &str) -> Result<(), String> {
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
                && (bytes[i..].starts_with(b"http://") || bytes[i..].starts_with(b"https://")) =>
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
