//! Item streams (`into_items()`) through the generated `send()` path against moto and s3s-fs:
//! small pages, so the items span several requests.

use std::pin::Pin;

use futures_core::Stream;
use s3_client::Client;
use s3_tests::{on_both_servers, unique_bucket_name, TestServer};

/// Every item of `stream`, in order.
async fn collect<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        items.push(item);
    }
    items
}

/// A new bucket holding an empty object at each of `keys`.
async fn bucket_with(client: &Client, keys: &[&str]) -> String {
    let bucket = unique_bucket_name("items");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    for key in keys {
        client
            .put_object()
            .bucket(&bucket)
            .key(*key)
            .send()
            .await
            .unwrap();
    }
    bucket
}

async fn delete_bucket_with(client: &Client, bucket: &str, keys: &[&str]) {
    for key in keys {
        let delete = client.delete_object().bucket(bucket).key(*key);
        delete.send().await.unwrap();
    }
    client.delete_bucket().bucket(bucket).send().await.unwrap();
}

on_both_servers!(
    object_items_span_pages,
    object_items_leave_common_prefixes_on_the_pages,
);

/// ListObjectsV2's items are the objects of every page, in key order, two to a page.
async fn object_items_span_pages(server: TestServer) {
    const KEYS: [&str; 5] = ["a", "b", "c/d", "e", "f"];
    let client = server.client();
    let bucket = bucket_with(&client, &KEYS).await;
    let listing = || client.list_objects_v2().bucket(&bucket).max_keys(2);
    let pages = collect(listing().into_paginator()).await;
    assert_eq!(pages.len(), 3, "{}: five keys, two a page", server.name);
    let objects = collect(listing().into_items()).await;
    let keys: Vec<String> = objects
        .into_iter()
        .map(|object| object.unwrap().key.unwrap())
        .collect();
    assert_eq!(keys, KEYS, "{}", server.name);
    delete_bucket_with(&client, &bucket, &KEYS).await;
}

/// With a delimiter, the items are the objects at the top level; the prefixes rolled up under
/// it are on the pages.
async fn object_items_leave_common_prefixes_on_the_pages(server: TestServer) {
    const KEYS: [&str; 5] = ["a", "b/1", "b/2", "c", "d/1"];
    let client = server.client();
    let bucket = bucket_with(&client, &KEYS).await;
    let listing = || {
        let listing = client.list_objects_v2().bucket(&bucket);
        listing.delimiter("/").max_keys(2)
    };
    let keys: Vec<String> = collect(listing().into_items())
        .await
        .into_iter()
        .map(|object| object.unwrap().key.unwrap())
        .collect();
    assert_eq!(keys, ["a", "c"], "{}", server.name);
    let prefixes: Vec<String> = collect(listing().into_paginator())
        .await
        .into_iter()
        .flat_map(|page| page.unwrap().common_prefixes.unwrap_or_default())
        .map(|prefix| prefix.prefix.unwrap())
        .collect();
    assert_eq!(prefixes, ["b/", "d/"], "{}", server.name);
    delete_bucket_with(&client, &bucket, &KEYS).await;
}
