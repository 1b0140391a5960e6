//! The XML reader, writer, value parsers and error-body parser, driven the way generated code
//! drives them.

use std::borrow::Cow;

use s3_runtime::xml::{
    parse_bool, parse_error_body, parse_number, Element, ErrorBody, Reader, Writer, XmlError,
    MAX_DEPTH,
};

#[derive(Debug, Default, PartialEq)]
struct ListBuckets {
    owner: Option<Owner>,
    buckets: Vec<Bucket>,
    continuation_token: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
struct Owner {
    id: Option<String>,
    display_name: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
struct Bucket {
    name: Option<String>,
    creation_date: Option<String>,
    region: Option<String>,
}

/// A ListBuckets deserializer written the way the generator emits them.
fn list_buckets(body: &[u8]) -> Result<ListBuckets, XmlError> {
    let mut r = Reader::new(body);
    let root = r.root()?;
    if root.local_name() != b"ListAllMyBucketsResult" {
        let found = String::from_utf8_lossy(root.local_name());
        return Err(XmlError::unexpected_root("ListAllMyBucketsResult", &found));
    }
    let mut out = ListBuckets::default();
    while let Some(child) = r.next_child()? {
        match child.local_name() {
            b"Owner" => out.owner = Some(owner(&mut r)?),
            b"Buckets" => {
                while let Some(item) = r.next_child()? {
                    match item.local_name() {
                        b"Bucket" => out.buckets.push(bucket(&mut r)?),
                        _ => r.skip()?,
                    }
                }
            }
            b"ContinuationToken" => out.continuation_token = Some(r.text()?.into_owned()),
            _ => r.skip()?,
        }
    }
    Ok(out)
}

fn owner(r: &mut Reader<'_>) -> Result<Owner, XmlError> {
    let mut out = Owner::default();
    while let Some(child) = r.next_child()? {
        match child.local_name() {
            b"ID" => out.id = Some(r.text()?.into_owned()),
            b"DisplayName" => out.display_name = Some(r.text()?.into_owned()),
            _ => r.skip()?,
        }
    }
    Ok(out)
}

fn bucket(r: &mut Reader<'_>) -> Result<Bucket, XmlError> {
    let mut out = Bucket::default();
    while let Some(child) = r.next_child()? {
        match child.local_name() {
            b"Name" => out.name = Some(r.text()?.into_owned()),
            b"CreationDate" => out.creation_date = Some(r.text()?.into_owned()),
            b"BucketRegion" => out.region = Some(r.text()?.into_owned()),
            _ => r.skip()?,
        }
    }
    Ok(out)
}

fn named_bucket(name: &str, date: &str, region: Option<&str>) -> Bucket {
    Bucket {
        name: Some(name.into()),
        creation_date: Some(date.into()),
        region: region.map(Into::into),
    }
}

const LIST_BUCKETS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment before the root -->
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner>
    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
    <DisplayName>webfile</DisplayName>
  </Owner>
  <Buckets>
    <Bucket>
      <Name>amzn-s3-demo-bucket</Name>
      <CreationDate>2019-12-11T23:32:47+00:00</CreationDate>
      <BucketRegion>us-east-1</BucketRegion>
    </Bucket>
    <Bucket><Name>second</Name><CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket>
  </Buckets>
  <ContinuationToken>token&amp;more</ContinuationToken>
</ListAllMyBucketsResult>
"#;

#[test]
fn nested_structures() {
    let parsed = list_buckets(LIST_BUCKETS.as_bytes()).unwrap();
    assert_eq!(
        parsed,
        ListBuckets {
            owner: Some(Owner {
                id: Some("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a".into()),
                display_name: Some("webfile".into()),
            }),
            buckets: vec![
                named_bucket(
                    "amzn-s3-demo-bucket",
                    "2019-12-11T23:32:47+00:00",
                    Some("us-east-1")
                ),
                named_bucket("second", "2020-01-01T00:00:00.000Z", None),
            ],
            continuation_token: Some("token&more".into()),
        }
    );
}

#[test]
fn wrong_root_is_reported_by_generated_code() {
    let e = list_buckets(b"<ListBucketResult/>").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unexpected root element `ListBucketResult`, expected `ListAllMyBucketsResult`"
    );
    assert_eq!(e.offset(), None);
}

#[derive(Debug, Default, PartialEq)]
struct ListObjects {
    name: Option<String>,
    contents: Vec<Object>,
    common_prefixes: Vec<String>,
    tag_set: Vec<(String, String)>,
}

#[derive(Debug, Default, PartialEq)]
struct Object {
    key: Option<String>,
    size: Option<i64>,
}

/// `Contents` and `CommonPrefixes` are flattened lists (repeated siblings, interleaved with other
/// members); `TagSet` is a wrapped list of `Tag` structures.
fn list_objects(body: &[u8]) -> Result<ListObjects, XmlError> {
    let mut r = Reader::new(body);
    r.root()?;
    let mut out = ListObjects::default();
    while let Some(child) = r.next_child()? {
        match child.local_name() {
            b"Name" => out.name = Some(r.text()?.into_owned()),
            b"Contents" => {
                let mut object = Object::default();
                while let Some(member) = r.next_child()? {
                    match member.local_name() {
                        b"Key" => object.key = Some(r.text()?.into_owned()),
                        b"Size" => object.size = Some(parse_number("Size", &r.text()?, "a long")?),
                        _ => r.skip()?,
                    }
                }
                out.contents.push(object);
            }
            b"CommonPrefixes" => {
                while let Some(member) = r.next_child()? {
                    match member.local_name() {
                        b"Prefix" => out.common_prefixes.push(r.text()?.into_owned()),
                        _ => r.skip()?,
                    }
                }
            }
            b"TagSet" => {
                while let Some(tag) = r.next_child()? {
                    if tag.local_name() != b"Tag" {
                        r.skip()?;
                        continue;
                    }
                    let (mut key, mut value) = (String::new(), String::new());
                    while let Some(member) = r.next_child()? {
                        match member.local_name() {
                            b"Key" => key = r.text()?.into_owned(),
                            b"Value" => value = r.text()?.into_owned(),
                            _ => r.skip()?,
                        }
                    }
                    out.tag_set.push((key, value));
                }
            }
            _ => r.skip()?,
        }
    }
    Ok(out)
}

#[test]
fn wrapped_and_flattened_lists() {
    let body = br#"<ListBucketResult>
        <Name>b</Name>
        <Contents><Key>a.txt</Key><Size>3</Size></Contents>
        <CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes>
        <Contents><Key>b.txt</Key><Size> 42 </Size></Contents>
        <IsTruncated>false</IsTruncated>
        <Contents><Key>c.txt</Key></Contents>
        <CommonPrefixes><Prefix>videos/</Prefix></CommonPrefixes>
        <TagSet><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value/></Tag></TagSet>
    </ListBucketResult>"#;
    let parsed = list_objects(body).unwrap();
    let object = |key: &str, size| Object {
        key: Some(key.into()),
        size,
    };
    assert_eq!(
        parsed,
        ListObjects {
            name: Some("b".into()),
            contents: vec![
                object("a.txt", Some(3)),
                object("b.txt", Some(42)),
                object("c.txt", None)
            ],
            common_prefixes: vec!["photos/".into(), "videos/".into()],
            tag_set: vec![("k1".into(), "v1".into()), ("k2".into(), String::new())],
        }
    );

    let empty = list_objects(b"<ListBucketResult><TagSet/><Name>b</Name></ListBucketResult>");
    assert_eq!(
        empty.unwrap(),
        ListObjects {
            name: Some("b".into()),
            ..ListObjects::default()
        }
    );
}

#[test]
fn invalid_number_names_element_and_value() {
    let e = list_objects(b"<R><Contents><Size>12x</Size></Contents></R>").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value `12x` for `Size`: expected a long"
    );
}

#[test]
fn attributes_with_and_without_prefixes() {
    let body = br#"<AccessControlPolicy><AccessControlList><Grant>
        <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser" plain='single &amp; &#x41;&lt;' type="unprefixed"><ID>id</ID></Grantee>
    </Grant></AccessControlList></AccessControlPolicy>"#;
    let mut r = Reader::new(body);
    r.root().unwrap();
    assert_eq!(
        r.next_child().unwrap().unwrap().local_name(),
        b"AccessControlList"
    );
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"Grant");
    let grantee = r.next_child().unwrap().unwrap();
    assert_eq!(grantee.local_name(), b"Grantee");
    let attribute = |name| grantee.attribute(name).unwrap();
    assert_eq!(attribute("xsi:type").as_deref(), Some("CanonicalUser"));
    // The local name matches too; the first attribute with that name wins.
    assert_eq!(attribute("type").as_deref(), Some("CanonicalUser"));
    assert_eq!(attribute("plain").as_deref(), Some("single & A<"));
    assert!(matches!(attribute("plain"), Some(Cow::Owned(_))));
    assert!(matches!(attribute("xsi:type"), Some(Cow::Borrowed(_))));
    assert_eq!(
        attribute("xmlns:xsi").as_deref(),
        Some("http://www.w3.org/2001/XMLSchema-instance")
    );
    // A namespace declaration is not an attribute named `xsi`.
    assert_eq!(attribute("xsi"), None);
    assert_eq!(attribute("missing"), None);
    assert_eq!(attribute("ID"), None);
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"ID");
    assert_eq!(r.text().unwrap(), "id");
    assert!(r.next_child().unwrap().is_none());
}

#[test]
fn malformed_attributes_are_errors_at_their_position() {
    let body = br#"<Root><Grantee a="1" a="2"/></Root>"#;
    let mut r = Reader::new(body);
    r.root().unwrap();
    let grantee = r.next_child().unwrap().unwrap();
    let e = grantee.attribute("b").unwrap_err();
    assert_eq!(e.to_string(), "duplicate attribute in `Grantee` at byte 21");
    assert_eq!(&body[21..22], b"a");

    let body = br#"<Root><Grantee a="x&bogus;"/></Root>"#;
    let mut r = Reader::new(body);
    r.root().unwrap();
    let e = r.next_child().unwrap().unwrap().attribute("a").unwrap_err();
    assert_eq!(e.to_string(), "unknown entity `&bogus;` at byte 19");
    assert_eq!(&body[19..20], b"&");
}

#[test]
fn namespace_prefixes_are_stripped() {
    let body = br#"<s3:Error xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Code>NoSuchKey</s3:Code><Other:x:y>z</Other:x:y></s3:Error>"#;
    let mut r = Reader::new(body);
    assert_eq!(r.root().unwrap().local_name(), b"Error");
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"Code");
    assert_eq!(r.text().unwrap(), "NoSuchKey");
    // Only the prefix before the first colon goes.
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"x:y");
    r.skip().unwrap();
    assert!(r.next_child().unwrap().is_none());
}

/// The text of the only child of the root of `body`.
fn child_text(body: &str) -> Result<Cow<'_, str>, XmlError> {
    let mut r = Reader::new(body.as_bytes());
    r.root()?;
    r.next_child()?.expect("a child");
    let text = r.text()?;
    assert!(r.next_child()?.is_none(), "the root ends after its child");
    Ok(text)
}

#[test]
fn entities_and_cdata() {
    assert_eq!(
        child_text("<R><K>a&amp;b&lt;c&gt;&quot;&apos;&#x41;&#66;&#xD;&#x1F600;</K></R>").unwrap(),
        "a&b<c>\"'AB\r😀"
    );
    assert_eq!(
        child_text("<R><K><![CDATA[<x>&amp;]]></K></R>").unwrap(),
        "<x>&amp;"
    );
    assert_eq!(
        child_text("<R><K>a&amp;<![CDATA[<b>]]>c<!-- no --><?pi?>d</K></R>").unwrap(),
        "a&<b>cd"
    );
    assert_eq!(
        child_text("<R><K>\r\n  keep \t whitespace\n</K></R>").unwrap(),
        "\r\n  keep \t whitespace\n"
    );
    assert!(matches!(
        child_text("<R><K>plain</K></R>").unwrap(),
        Cow::Borrowed("plain")
    ));
    assert!(matches!(
        child_text("<R><K><![CDATA[raw]]></K></R>").unwrap(),
        Cow::Borrowed("raw")
    ));

    let e = child_text("<R><K>x&nbsp;</K></R>").unwrap_err();
    assert_eq!(e.to_string(), "unknown entity `&nbsp;` at byte 7");
    let e = child_text("<R><K>x & y</K></R>").unwrap_err();
    assert_eq!(e.to_string(), "`&` without a closing `;` at byte 8");
    let e = child_text("<R><K>&#xD800;</K></R>").unwrap_err();
    assert!(
        e.to_string().starts_with("invalid character reference: "),
        "{e}"
    );
}

#[test]
fn self_closing_elements_in_every_position() {
    // The root, consumed each of the three ways.
    let mut r = Reader::new(b"<?xml version='1.0'?><Root a='1'/>");
    let root = r.root().unwrap();
    assert_eq!(root.attribute("a").unwrap().as_deref(), Some("1"));
    assert!(r.next_child().unwrap().is_none());
    let mut r = Reader::new(b"<Root/>");
    r.root().unwrap();
    assert_eq!(r.text().unwrap(), "");
    let mut r = Reader::new(b"<Root />");
    r.root().unwrap();
    r.skip().unwrap();

    // Children: first, middle and last; read as text, as a structure, and skipped.
    let body = b"<R><A/><B>b</B><C /><D><E/></D><F/></R>";
    let mut r = Reader::new(body);
    r.root().unwrap();
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"A");
    assert_eq!(r.text().unwrap(), "");
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"B");
    assert_eq!(r.text().unwrap(), "b");
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"C");
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"D");
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"E");
    r.skip().unwrap();
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"F");
    r.skip().unwrap();
    assert!(r.next_child().unwrap().is_none());

    // Inside text: the empty element contributes nothing.
    assert_eq!(child_text("<R><K>x<br/>y</K></R>").unwrap(), "xy");
    // `<a></a>` reads like `<a/>`.
    assert_eq!(child_text("<R><K></K></R>").unwrap(), "");
}

#[test]
fn unknown_elements_are_skipped_at_any_depth() {
    let body = br#"<ListAllMyBucketsResult>
        <Unknown><Bucket><Name>not me</Name></Bucket><Unknown><Unknown/>deep</Unknown></Unknown>
        <Buckets>
            <Surprise a="1"><x><y><z>1</z></y></x></Surprise>
            <Bucket><Extra><Name>nested name</Name></Extra><Name>real</Name><CreationDate>d</CreationDate><More/></Bucket>
            <Bucket><Name>second</Name><CreationDate>d2</CreationDate></Bucket>
        </Buckets>
        <Trailing><![CDATA[<Bucket>]]></Trailing>
    </ListAllMyBucketsResult>"#;
    let parsed = list_buckets(body).unwrap();
    assert_eq!(
        parsed,
        ListBuckets {
            owner: None,
            buckets: vec![
                named_bucket("real", "d", None),
                named_bucket("second", "d2", None)
            ],
            continuation_token: None,
        }
    );
    // Text skips nested elements and their text.
    assert_eq!(
        child_text("<R><K>a<x>hidden<y>deeper</y></x>b</K></R>").unwrap(),
        "ab"
    );
}

#[test]
fn truncated_input_at_every_offset_is_an_error() {
    let body = LIST_BUCKETS.as_bytes();
    let end =
        LIST_BUCKETS.find("</ListAllMyBucketsResult>").unwrap() + "</ListAllMyBucketsResult>".len();
    let full = list_buckets(body).unwrap();
    for len in 0..=body.len() {
        let result = list_buckets(&body[..len]);
        if len < end {
            assert!(
                result.is_err(),
                "a prefix of {len} bytes parsed: {result:?}"
            );
        } else {
            assert_eq!(result.unwrap(), full, "{len} bytes");
        }
    }
    // Between two children of the root.
    let cut = LIST_BUCKETS.find("<ContinuationToken>").unwrap();
    let e = list_buckets(&body[..cut]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("unexpected end of input inside `ListAllMyBucketsResult` at byte {cut}")
    );
    // Inside a tag.
    let cut = LIST_BUCKETS.find("<Bucket>").unwrap() + 4;
    let e = list_buckets(&body[..cut]).unwrap_err();
    assert_eq!(e.offset(), Some(cut as u64 - 4));
    assert!(e.to_string().contains("not closed"), "{e}");
}

/// Every kind of markup the tokenizer knows, for truncation.
const EVERYTHING: &str = "\u{feff}<?xml version=\"1.0\"?>
<!DOCTYPE Root>
<!-- comment -->
<?pi data?>
<s:Root xmlns:s=\"urn:x\" a=\"1 &amp; 2\">
  <List><T1 a='x'>a&lt;b<![CDATA[<c>]]>&#x1F600;é</T1><Empty a=\"q\"/><T2/></List>
  <Unknown><Deep a=\"z\"><T3>x</T3></Deep><Empty/></Unknown>
  <T4>t<!-- c -->u<?pi?></T4>
</s:Root>";

/// Walks any document: elements named `T…` are read as text, `Unknown` is skipped, others are
/// structures; collects attributes `a` and texts.
fn walk(r: &mut Reader<'_>, element: Element<'_>, out: &mut Vec<String>) -> Result<(), XmlError> {
    if let Some(a) = element.attribute("a")? {
        out.push(a.into_owned());
    }
    match element.local_name() {
        name if name.starts_with(b"T") => out.push(r.text()?.into_owned()),
        b"Unknown" => r.skip()?,
        _ => {
            while let Some(child) = r.next_child()? {
                walk(r, child, out)?;
            }
        }
    }
    Ok(())
}

fn walk_all(body: &[u8]) -> Result<Vec<String>, XmlError> {
    let mut r = Reader::new(body);
    let root = r.root()?;
    let mut out = Vec::new();
    walk(&mut r, root, &mut out)?;
    Ok(out)
}

#[test]
fn truncated_markup_of_every_kind_is_an_error() {
    let body = EVERYTHING.as_bytes();
    let full = walk_all(body).unwrap();
    assert_eq!(full, ["1 & 2", "x", "a<b<c>😀é", "q", "", "tu"]);
    for len in 0..body.len() {
        let result = walk_all(&body[..len]);
        assert!(
            result.is_err(),
            "a prefix of {len} bytes parsed: {result:?}"
        );
    }
}

#[test]
fn truncated_input_while_skipping_and_reading_text() {
    for body in [
        "<R><K>abc",
        "<R><K>a&amp;",
        "<R><K><x>",
        "<R><K><![CDATA[x]]>",
    ] {
        let e = child_text(body).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unexpected end of input inside `"),
            "{body}: {e}"
        );
    }
    let mut r = Reader::new(b"<R><Unknown><x>1</x><y>");
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    let e = r.skip().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unexpected end of input inside `y` at byte 23"
    );
}

#[test]
fn invalid_utf8_is_an_error() {
    for (body, offset) in [
        (&b"<R><Name>ab\xffc</Name></R>"[..], 11),
        (b"<R\xc3><Name>x</Name></R>", 2),
        (b"\xef\xbb<R/>", 0),
        (b"<R><Unknown>\xe2\x82</Unknown></R>", 12),
    ] {
        let e = Reader::new(body).root().unwrap_err();
        assert_eq!(e.to_string(), format!("invalid utf-8 at byte {offset}"));
        assert!(parse_error_body(body).is_err());
    }
}

#[test]
fn wrong_nesting_is_an_error() {
    let mut r = Reader::new(b"<R><A><B></A></B></R>");
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    r.next_child().unwrap().unwrap();
    let e = r.text().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ill-formed document: expected `</B>`, but `</A>` was found at byte 9"
    );

    let e = list_buckets(b"<ListAllMyBucketsResult><Owner></Buckets></ListAllMyBucketsResult>")
        .unwrap_err();
    assert!(e.to_string().contains("expected `</Owner>`"), "{e}");
    // Prefixes are part of the name.
    assert!(child_text("<R><s3:K>x</K></R>").is_err());
    assert!(Reader::new(b"</R>").root().is_err());
    // `root` called again inside the root (after an error, say) finds no root to close.
    let mut r = Reader::new(b"<R><A>&bad;</A></R>");
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    assert!(r.text().is_err());
    let e = r.root().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ill-formed document: close tag `</A>` does not match any open tag at byte 11"
    );
}

#[test]
fn content_around_the_root() {
    // Anything after the root's end is never read.
    let mut r = Reader::new(b"<R><A>1</A></R><R2>more</R2> trailing text <<<");
    r.root().unwrap();
    assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"A");
    assert_eq!(r.text().unwrap(), "1");
    assert!(r.next_child().unwrap().is_none());
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.text().unwrap(), "");
    r.skip().unwrap();

    let prolog = "\u{feff}<?xml version=\"1.0\"?>\n<!DOCTYPE R>\n<?pi data?><!-- c -->\n<R>x</R>";
    let mut r = Reader::new(prolog.as_bytes());
    assert_eq!(r.root().unwrap().local_name(), b"R");
    assert_eq!(r.text().unwrap(), "x");

    for (body, message) in [
        ("", "no root element"),
        ("  \n ", "no root element"),
        ("<?xml version=\"1.0\"?><!-- only -->", "no root element"),
        ("Bad Gateway", "text before the root element at byte 0"),
        (
            " <![CDATA[x]]><R/>",
            "text before the root element at byte 10",
        ),
    ] {
        let e = Reader::new(body.as_bytes()).root().unwrap_err();
        assert_eq!(e.to_string(), message, "{body:?}");
    }
    // A byte-order mark counts in offsets.
    let mut r = Reader::new("\u{feff}<R><".as_bytes());
    r.root().unwrap();
    assert_eq!(r.next_child().unwrap_err().offset(), Some(6));
}

/// Reads nested `<a>` elements to the bottom, recursively, like a generated parser of a recursive
/// shape; returns the depth reached.
fn nested(r: &mut Reader<'_>) -> Result<usize, XmlError> {
    let mut deepest = 0;
    while let Some(child) = r.next_child()? {
        assert_eq!(child.local_name(), b"a");
        deepest = deepest.max(nested(r)? + 1);
    }
    Ok(deepest)
}

fn nested_body(depth: usize) -> String {
    "<a>".repeat(depth) + &"</a>".repeat(depth)
}

#[test]
fn depth_is_limited() {
    let body = nested_body(MAX_DEPTH);
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    assert_eq!(nested(&mut r).unwrap(), MAX_DEPTH - 1);

    // One level more, even as an empty element, is an error, also while skipping or reading text.
    let too_deep = "<a>".repeat(MAX_DEPTH) + "<a/>" + &"</a>".repeat(MAX_DEPTH);
    let mut r = Reader::new(too_deep.as_bytes());
    r.root().unwrap();
    let e = nested(&mut r).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "elements nested more than 128 deep at byte {}",
            3 * MAX_DEPTH
        )
    );
    let body = nested_body(MAX_DEPTH + 1);
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    assert!(r.skip().is_err());
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    assert!(r.text().is_err());

    // Hostile depth fails fast instead of overflowing the stack.
    let hostile = "<a>".repeat(1_000_000);
    let mut r = Reader::new(hostile.as_bytes());
    r.root().unwrap();
    assert!(nested(&mut r).is_err());
}

#[test]
fn large_body() {
    let mut body = String::from("<ListAllMyBucketsResult><Buckets>");
    let mut count = 0;
    while body.len() < 50 << 20 {
        body.push_str(&format!(
            "<Bucket><Name>bucket-{count}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><BucketRegion>us-west-2</BucketRegion></Bucket>"
        ));
        count += 1;
    }
    body.push_str("</Buckets></ListAllMyBucketsResult>");
    let parsed = list_buckets(body.as_bytes()).unwrap();
    assert_eq!(parsed.buckets.len(), count);
    for (i, bucket) in parsed.buckets.iter().enumerate() {
        assert_eq!(bucket.name.as_deref(), Some(&*format!("bucket-{i}")));
        assert_eq!(bucket.region.as_deref(), Some("us-west-2"));
    }
}

#[test]
fn writer_output() {
    let mut w = Writer::new();
    w.start(
        "Tagging",
        &[("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")],
    );
    w.start("TagSet", &[]);
    w.start("Tag", &[]);
    w.element("Key", "a<b & 'c' \"d\">\r\n\t");
    w.end("Tag");
    w.end("TagSet");
    w.start("Grantee", &[("xsi:type", "a\"<&>'\r\n\tz")]);
    w.text("é\u{85}\u{2028}");
    w.end("Grantee");
    w.end("Tagging");
    assert_eq!(
        &w.finish().unwrap()[..],
        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag>\
         <Key>a&lt;b &amp; &apos;c&apos; &quot;d&quot;&gt;&#xD;\n\t</Key></Tag></TagSet>\
         <Grantee xsi:type=\"a&quot;&lt;&amp;&gt;&apos;&#xD;&#xA;&#x9;z\">é&#x85;&#x2028;</Grantee>\
         </Tagging>"
            .as_bytes()
    );
    assert!(Writer::new().finish().unwrap().is_empty());
}

#[test]
fn characters_xml_cannot_carry_are_refused_naming_the_element_or_attribute() {
    for (c, legal) in [
        ('\u{0}', false),
        ('\u{1}', false),
        ('\u{1b}', false),
        ('\u{fffe}', false),
        ('\u{ffff}', false),
        ('\t', true),
        ('\u{7f}', true),
        ('\u{10ffff}', true),
    ] {
        let mut w = Writer::new();
        w.start("Root", &[]);
        w.element("Key", &format!("a{c}b"));
        w.end("Root");
        assert_eq!(w.finish().is_ok(), legal, "{c:?}");
    }
    let mut w = Writer::new();
    w.start("Grantee", &[("xsi:type", "\u{8}")]);
    w.end("Grantee");
    let error = w.finish().unwrap_err();
    assert_eq!(error.member(), Some("xsi:type"));
    assert!(error.to_string().contains("U+0008"), "{error}");
}

/// xorshift64*: a deterministic source of test strings without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A string mixing markup characters, every ASCII control character, whitespace, entity-like
    /// text and non-ASCII characters, including those XML parsers treat as line ends.
    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "&",
            "<",
            ">",
            "\"",
            "'",
            "\r",
            "\n",
            "\r\n",
            "\t",
            " ",
            "]]>",
            "&amp;",
            "&#x41;",
            "<![CDATA[",
            "-->",
            "a",
            "Key",
            "é",
            "中文",
            "😀",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "\u{fffd}",
            "=",
            "/",
            "?",
        ];
        let len = self.below(12);
        (0..len)
            .map(|_| {
                if self.below(4) == 0 {
                    char::from(self.below(0x20) as u8).to_string()
                } else {
                    PIECES[self.below(PIECES.len())].to_string()
                }
            })
            .collect()
    }
}

#[test]
fn written_strings_read_back_unchanged() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let (text, attribute) = (rng.string(), rng.string());
        let mut w = Writer::new();
        w.start("Root", &[("xsi:type", &attribute), ("plain", &text)]);
        w.element("Key", &text);
        w.start("Wrapper", &[]);
        w.text(&attribute);
        w.end("Wrapper");
        w.end("Root");
        let carried = |s: &str| {
            !s.chars()
                .any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        };
        let body = match w.finish() {
            Ok(body) => body,
            Err(e) => {
                assert!(!(carried(&text) && carried(&attribute)), "{e}");
                continue;
            }
        };
        assert!(carried(&text) && carried(&attribute));

        let mut r = Reader::new(&body);
        let root = r.root().unwrap();
        assert_eq!(root.attribute("xsi:type").unwrap().unwrap(), attribute);
        assert_eq!(root.attribute("plain").unwrap().unwrap(), text);
        assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"Key");
        assert_eq!(r.text().unwrap(), text, "{body:?}");
        assert_eq!(r.next_child().unwrap().unwrap().local_name(), b"Wrapper");
        assert_eq!(r.text().unwrap(), attribute, "{body:?}");
        assert!(r.next_child().unwrap().is_none());
    }
}

#[test]
fn error_bodies() {
    let no_such_bucket = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>amzn-s3-demo-bucket</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>"#;
    assert_eq!(
        parse_error_body(no_such_bucket).unwrap().unwrap(),
        ErrorBody {
            code: Some("NoSuchBucket".into()),
            message: Some("The specified bucket does not exist".into()),
            request_id: Some("4442587FB7D0A2F9".into()),
            host_id: Some("Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==".into()),
            region: None,
            endpoint: None,
        }
    );

    let access_denied = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Access Denied</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>
"#;
    let parsed = parse_error_body(access_denied).unwrap().unwrap();
    assert_eq!(parsed.code.as_deref(), Some("AccessDenied"));
    assert_eq!(parsed.message.as_deref(), Some("Access Denied"));
    assert_eq!(
        parsed.request_id.as_deref(),
        Some("656c76696e6727732072657175657374")
    );
    assert!(matches!(parsed.code, Some(Cow::Borrowed(_))));

    let signature = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256
20240101T000000Z
20240101/us-east-1/s3/aws4_request
9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d</StringToSign><SignatureProvided>a3f2</SignatureProvided><StringToSignBytes>41 57 53</StringToSignBytes><CanonicalRequest>GET
/
list-type=2&amp;prefix=a%20b
host:bucket.s3.amazonaws.com

host
UNSIGNED-PAYLOAD</CanonicalRequest><CanonicalRequestBytes>47 45 54</CanonicalRequestBytes><RequestId>TX1</RequestId><HostId>host/id=</HostId></Error>"#;
    assert_eq!(
        parse_error_body(signature).unwrap().unwrap(),
        ErrorBody {
            code: Some("SignatureDoesNotMatch".into()),
            message: Some("The request signature we calculated does not match the signature you provided. Check your key and signing method.".into()),
            request_id: Some("TX1".into()),
            host_id: Some("host/id=".into()),
            region: None,
            endpoint: None,
        }
    );
}

#[test]
fn error_body_variants() {
    let wrapped = b"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
    assert_eq!(
        parse_error_body(wrapped).unwrap().unwrap(),
        ErrorBody {
            code: Some("Throttling".into()),
            message: Some("Rate exceeded".into()),
            request_id: Some("r-1".into()),
            host_id: None,
            region: None,
            endpoint: None,
        }
    );
    assert_eq!(
        parse_error_body(b"<Error/>").unwrap(),
        Some(ErrorBody::default())
    );
    assert_eq!(
        parse_error_body(b"<Error><Code>A&amp;B</Code></Error>")
            .unwrap()
            .unwrap()
            .code
            .as_deref(),
        Some("A&B")
    );
    for body in [
        &b""[..],
        b"\n",
        b"<?xml version=\"1.0\"?>",
        b"<ListBucketResult/>",
        b"<ErrorResponse><RequestId>r</RequestId></ErrorResponse>",
    ] {
        assert_eq!(parse_error_body(body).unwrap(), None, "{body:?}");
    }
    for body in [
        &b"<Error><Code>x</Error>"[..],
        b"<Error><Code>NoSuchKey</Code>",
        b"Service Unavailable",
    ] {
        assert!(parse_error_body(body).is_err(), "{body:?}");
    }
}

#[test]
fn value_parsers() {
    assert!(parse_bool("IsTruncated", "true").unwrap());
    assert!(!parse_bool("IsTruncated", " false\n").unwrap());
    let e = parse_bool("IsTruncated", "True").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value `True` for `IsTruncated`: expected `true` or `false`"
    );

    assert_eq!(
        parse_number::<i32>("MaxKeys", "1000", "an integer").unwrap(),
        1000
    );
    assert_eq!(parse_number::<i64>("Size", "\t-5 ", "a long").unwrap(), -5);
    assert_eq!(parse_number::<f64>("F", "2.5", "a number").unwrap(), 2.5);
    assert!(parse_number::<f64>("F", "NaN", "a number")
        .unwrap()
        .is_nan());
    assert_eq!(
        parse_number::<f64>("F", "-Infinity", "a number").unwrap(),
        f64::NEG_INFINITY
    );
    let e = parse_number::<i32>("MaxBuckets", "abc", "an integer").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value `abc` for `MaxBuckets`: expected an integer"
    );
    assert!(parse_number::<i32>("MaxKeys", "99999999999", "an integer").is_err());
    assert!(parse_number::<u8>("X", "", "a byte").is_err());
}

#[test]
fn errors_are_one_line_and_bounded() {
    let long = "x\n".repeat(1000);
    let message = XmlError::invalid_value("Key", &long, "a key").to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.len() < 200, "{message}");
    assert!(message.starts_with("invalid value `x\\nx\\n"), "{message}");

    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<XmlError>();
}

#[test]
fn text_with_and_without_entities() {
    for (body, text, borrowed) in [
        ("<R><K>no entity here</K></R>", "no entity here", true),
        ("<R><K>&amp;first</K></R>", "&first", false),
        ("<R><K>last&gt;</K></R>", "last>", false),
        ("<R><K>a&lt;b&gt;c&#65;&#x42;d</K></R>", "a<b>cABd", false),
        (
            "<R><K>plain<![CDATA[&amp;]]>then&amp;</K></R>",
            "plain&amp;then&",
            false,
        ),
        ("<R><K>semicolon; alone</K></R>", "semicolon; alone", true),
    ] {
        let read = child_text(body).unwrap();
        assert_eq!(read, text, "{body}");
        assert_eq!(matches!(read, Cow::Borrowed(_)), borrowed, "{body}");
    }
    for (body, message) in [
        ("<R><K>&#;</K></R>", "invalid character reference: `&#;`"),
        ("<R><K>&#x;</K></R>", "invalid character reference: `&#x;`"),
        (
            "<R><K>&#-1;</K></R>",
            "invalid character reference: `&#-1;`",
        ),
        (
            "<R><K>&#+65;</K></R>",
            "invalid character reference: `&#+65;`",
        ),
        ("<R><K>&#0;</K></R>", "invalid character reference: `&#0;`"),
        (
            "<R><K>&#x110000;</K></R>",
            "invalid character reference: `&#x110000;`",
        ),
        ("<R><K>&;</K></R>", "unknown entity `&;`"),
        ("<R><K>ok&AMP;</K></R>", "unknown entity `&AMP;`"),
    ] {
        let e = child_text(body).unwrap_err().to_string();
        assert!(e.starts_with(message), "{body}: {e}");
        assert!(
            e.ends_with(" at byte 6") || e.ends_with(" at byte 8"),
            "{body}: {e}"
        );
    }
}

#[test]
fn malformed_markup_is_a_typed_error_at_its_start() {
    for (body, message) in [
        ("<R><!-- open</R>", "syntax error: comment not closed: `-->` not found before end of input at byte 3"),
        ("<R><![CDATA[open</R>", "syntax error: CDATA not closed: `]]>` not found before end of input at byte 3"),
        ("<R><?pi</R>", "syntax error: processing instruction or xml declaration not closed: `?>` not found before end of input at byte 3"),
        ("<!DOCTYPE R [<!ELEMENT R ANY>", "syntax error: DOCTYPE not closed: `>` not found before end of input at byte 0"),
        ("<R><!ENTITY x 'y'></R>", "syntax error: unknown markup after `<!` at byte 3"),
        ("<R><></></R>", "syntax error: a tag without a name at byte 3"),
        ("<R>< K></K></R>", "syntax error: a tag without a name at byte 3"),
        ("<R><K a=\"x></K></R>", "syntax error: tag not closed: `>` not found before end of input at byte 3"),
        ("</R>", "ill-formed document: close tag `</R>` does not match any open tag at byte 0"),
        ("<R><K></R>", "ill-formed document: expected `</K>`, but `</R>` was found at byte 6"),
    ] {
        let mut r = Reader::new(body.as_bytes());
        let e = r
            .root()
            .and_then(|_| r.next_child())
            .and_then(|_| r.skip())
            .unwrap_err();
        assert_eq!(e.to_string(), message, "{body}");
    }
    // A document type declaration may hold `>` in its internal subset and in literals.
    let body = "<!DOCTYPE R [<!ELEMENT R ANY><!ATTLIST R a CDATA '>'>]><R>x</R>";
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    assert_eq!(r.text().unwrap(), "x");
    // End tags may have whitespace after the name; `>` in a quoted attribute does not end a tag.
    assert_eq!(
        child_text("<R><K a='>' b=\"/>\">v</K \n></R>").unwrap(),
        "v"
    );
}

#[test]
fn malformed_attributes_are_typed_errors() {
    for (tag, message) in [
        ("<K a/>", "attribute name without `=` in `K` at byte 4"),
        ("<K a=/>", "attribute without a value in `K` at byte 5"),
        ("<K a=x/>", "unquoted attribute value in `K` at byte 5"),
        ("<K =\"x\"/>", "attribute without a name in `K` at byte 3"),
        (
            "<K a = 'x' b='y' a='z'/>",
            "duplicate attribute in `K` at byte 17",
        ),
    ] {
        let body = format!("<R>{tag}</R>");
        let mut r = Reader::new(body.as_bytes());
        r.root().unwrap();
        let e = r.next_child().unwrap().unwrap().attribute("c").unwrap_err();
        let at: usize = message.rsplit(' ').next().unwrap().parse().unwrap();
        let shifted = message.replace(&format!("byte {at}"), &format!("byte {}", at + 3));
        assert_eq!(e.to_string(), shifted, "{tag}");
    }
}

#[test]
fn list_room_is_reserved_from_the_first_item_within_the_body() {
    let item = "<Bucket><Name>b</Name></Bucket>";
    let body = format!("<R>{}</R>", item.repeat(100));
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    let mut items = Vec::new();
    while let Some(child) = r.next_child().unwrap() {
        let name = r.text().unwrap().into_owned();
        r.push_item(&mut items, &child, name);
    }
    assert_eq!(items.len(), 100);
    // Room for the 99 more the first item's size predicts, and the few bytes of `</R>`: no growth.
    assert!(
        (100..=101).contains(&items.capacity()),
        "{}",
        items.capacity()
    );

    // A tiny first item before much else reserves no more than the rest of the body has bytes.
    let body = format!("<R><A/>{}</R>", "<Other>x</Other>".repeat(1000));
    let mut r = Reader::new(body.as_bytes());
    r.root().unwrap();
    let child = r.next_child().unwrap().unwrap();
    r.skip().unwrap();
    let mut items: Vec<[u8; 64]> = Vec::new();
    r.push_item(&mut items, &child, [0; 64]);
    assert!(
        (items.capacity() - 1) * 64 <= body.len(),
        "{}",
        items.capacity()
    );
}

/// About a megabyte of `unit` repeated.
fn megabyte(unit: &str) -> String {
    unit.repeat((1 << 20) / unit.len())
}

/// Reads `body` every way a generated parser can: a walk of every element's children (asking
/// each for an attribute), skipping the root, its text, and as an error body. Returns whether
/// skipping succeeded; each must finish, with a value or an error.
fn read_every_way(body: &[u8]) -> bool {
    fn children(r: &mut Reader<'_>, element: Element<'_>) -> Result<(), XmlError> {
        element.attribute("missing")?;
        while let Some(child) = r.next_child()? {
            children(r, child)?;
        }
        Ok(())
    }
    let mut r = Reader::new(body);
    let _ = r.root().and_then(|root| children(&mut r, root));
    let mut r = Reader::new(body);
    let _ = r.root().and_then(|_| r.text());
    let _ = parse_error_body(body);
    let mut r = Reader::new(body);
    r.root().and_then(|_| r.skip()).is_ok()
}

/// Hostile bodies of a megabyte or more, each shaped to make a quadratic tokenizer take hours or
/// a recursive one overflow the stack, parse or fail like any other body.
#[test]
fn adversarial_bodies_parse_or_fail_in_one_pass() {
    let opens = "<a>".repeat(200_000);
    for body in [
        format!("<Error>{opens}"),
        format!("<Error>{opens}{}</Error>", "</a>".repeat(200_000)),
        format!("<R>{}</R>", "<a/>".repeat(200_000)),
        format!("<Error><Code>{}</Code></Error>", megabyte("<!---->x")),
        format!("<Error><Code>{}</Code></Error>", megabyte("<![CDATA[x]]>")),
        format!("<Error><Code>{}</Code></Error>", megabyte("&amp;&#x41;")),
        format!("<Error><Code>{}</Code></Error>", megabyte("&")),
        format!("<R>{}</R>", megabyte("<")),
        format!("<R>{}</R>", megabyte("</")),
        format!("<R>{}", megabyte("<a b='>'")),
        megabyte("<?"),
        megabyte("<!--"),
    ] {
        read_every_way(body.as_bytes());
    }
    // Attributes are looked up, and checked for duplicates, in one pass over the tag.
    let attributes: String = (0..100_000).map(|i| format!(" a{i}='{i}'")).collect();
    let body = format!("<R{attributes}/>");
    assert!(read_every_way(body.as_bytes()));
    let mut r = Reader::new(body.as_bytes());
    assert_eq!(r.root().unwrap().attribute("missing").unwrap(), None);
    let body = format!("<R{attributes} a0='again'/>");
    let mut r = Reader::new(body.as_bytes());
    let e = r.root().unwrap().attribute("missing").unwrap_err();
    assert!(e.to_string().starts_with("duplicate attribute"), "{e}");
}
