//! A `ListObjectsV2` page as S3 sends it, for the end-to-end benchmarks.

use std::fmt::Write as _;

use bytes::Bytes;

/// A `ListBucketResult` of bucket `bucket` with `keys` objects, each with every member S3 sends
/// for a plain object (the ETag quoted as `&quot;`, as S3 escapes it).
pub fn body(bucket: &str, keys: usize) -> Bytes {
    let mut xml = String::with_capacity(400 * keys + 512);
    let _ = write!(
        xml,
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#,
            "<Name>{bucket}</Name><Prefix></Prefix><KeyCount>{keys}</KeyCount>",
            "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>",
        ),
        bucket = bucket,
        keys = keys,
    );
    for i in 0..keys {
        let (day, second) = (1 + i % 28, i % 60);
        let _ = write!(
            xml,
            "<Contents><Key>photos/2024/02/{day:02}/bench-object-{i:06}.jpg</Key>\
             <LastModified>2024-02-{day:02}T10:20:{second:02}.000Z</LastModified>\
             <ETag>&quot;{i:032x}&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>\
             <ChecksumType>FULL_OBJECT</ChecksumType><Size>{size}</Size>\
             <StorageClass>STANDARD</StorageClass></Contents>",
            size = 1024 + i,
        );
    }
    xml.push_str("</ListBucketResult>");
    Bytes::from(xml)
}
