//! The converter's tests: examples of each construct, and generated doc strings run through the
//! checker (`xtask/tests/model_docs.rs` runs the real model's).

use super::{check, to_rustdoc};

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
