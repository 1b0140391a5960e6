//! The ListBuckets body the deserializer benchmarks read, and the bare quick-xml pass over it
//! that bounds how fast any deserializer built on quick-xml can be.

use std::fmt::Write as _;

use bytes::Bytes;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Buckets in the benchmark body: enough that per-response costs fade and per-bucket costs show.
pub const BUCKETS: usize = 10_000;

/// A `ListAllMyBucketsResult` as S3 sends it: `buckets` entries with every member, then the
/// owner, continuation token and prefix, in the S3 namespace. 195 bytes a bucket.
pub fn body(buckets: usize) -> Bytes {
    render(buckets, true)
}

/// [`body`] without the `BucketArn`s: 140 bytes and two strings a bucket, the body the
/// performance goals were measured with and the side-by-side benchmark sends.
pub fn body_without_arns(buckets: usize) -> Bytes {
    render(buckets, false)
}

fn render(buckets: usize, arns: bool) -> Bytes {
    let mut xml = String::with_capacity(200 * buckets + 512);
    xml.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>"#,
    ));
    for i in 0..buckets {
        let (day, second) = (1 + i % 28, i % 60);
        let _ = write!(
            xml,
            "<Bucket><Name>bench-bucket-{i:06}</Name>\
             <CreationDate>2024-02-{day:02}T10:20:{second:02}.000Z</CreationDate>\
             <BucketRegion>us-east-1</BucketRegion>"
        );
        if arns {
            let _ = write!(
                xml,
                "<BucketArn>arn:aws:s3:::bench-bucket-{i:06}</BucketArn>"
            );
        }
        xml.push_str("</Bucket>");
    }
    xml.push_str(concat!(
        "</Buckets><Owner><DisplayName>bench-owner</DisplayName>",
        "<ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>",
        "<ContinuationToken>eyJDb250aW51YXRpb25Ub2tlbiI6ImJlbmNoIn0=</ContinuationToken>",
        "<Prefix>bench-</Prefix></ListAllMyBucketsResult>",
    ));
    Bytes::from(xml)
}

/// Visits every event of `body` with quick-xml, as any deserializer must: reads each element's
/// local name and unescapes each text into a `str`. Returns the bytes of names and text seen, so
/// that the work cannot be optimised away.
pub fn bare_pass(body: &[u8]) -> Result<usize, quick_xml::Error> {
    let mut reader = Reader::from_reader(body);
    let mut seen = 0;
    loop {
        match reader.read_event()? {
            Event::Start(e) | Event::Empty(e) => seen += e.local_name().as_ref().len(),
            Event::Text(t) => seen += t.unescape()?.len(),
            Event::Eof => return Ok(seen),
            _ => {}
        }
    }
}
