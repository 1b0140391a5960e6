//! Buckets in another region than the client's: the hint a bare wrong-region answer gets, and,
//! with cross-region access on, the bucket → region cache that requests follow.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::error::ErrorMetadata;

/// How many buckets' regions a client remembers; the least recently learned is forgotten first.
const CAPACITY: usize = 64;

/// The regions S3 named for buckets the client addressed in the wrong one.
#[derive(Debug, Default)]
pub(super) struct BucketRegions(Mutex<VecDeque<(Box<str>, Arc<str>)>>);

impl BucketRegions {
    /// The region last learned for `bucket`.
    pub(super) fn get(&self, bucket: &str) -> Option<Arc<str>> {
        let entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(name, _)| &**name == bucket)
            .map(|(_, region)| region.clone())
    }

    /// Remembers that `bucket` is in `region`.
    pub(super) fn insert(&self, bucket: &str, region: &str) {
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(name, _)| &**name != bucket);
        if entries.len() == CAPACITY {
            entries.pop_front();
        }
        entries.push_back((bucket.into(), region.into()));
    }
}

/// The region S3 says the bucket is in, when it refused a request signed for `signed_for`
/// because the bucket is elsewhere: a `301` redirect, a `307` or a `400` naming another region.
/// (A `403` naming one is an access denial in the right region.)
pub(super) fn redirect<'m>(meta: &'m ErrorMetadata, signed_for: &str) -> Option<&'m str> {
    matches!(meta.status(), 301 | 307 | 400)
        .then(|| meta.region())
        .flatten()
        .filter(|region| *region != signed_for)
}

/// A `400` without a body or a region is how S3 and strict S3-compatible servers answer a
/// `HEAD` request signed for another region than the bucket's: without this message the caller
/// reads only `BadRequest (status 400)`.
pub(super) fn hint_bare_400(
    meta: ErrorMetadata,
    signed_for: &str,
    bodiless: bool,
) -> ErrorMetadata {
    if meta.status() != 400 || !bodiless || meta.message().is_some() || meta.region().is_some() {
        return meta;
    }
    meta.with_message(format!(
        "no error body, which is how S3 answers a HEAD request signed for another region than \
         the bucket's: is the bucket in {signed_for}, the client's region?"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_a_bounded_number_of_buckets() {
        let regions = BucketRegions::default();
        regions.insert("a", "eu-west-1");
        regions.insert("a", "eu-west-2");
        assert_eq!(regions.get("a").as_deref(), Some("eu-west-2"));
        for i in 0..CAPACITY {
            regions.insert(&format!("b{i}"), "us-west-2");
        }
        assert_eq!(regions.get("a"), None, "the oldest is forgotten");
        assert_eq!(regions.0.lock().unwrap().len(), CAPACITY);
        assert_eq!(regions.get("b0").as_deref(), Some("us-west-2"));
    }

    #[test]
    fn follows_only_refusals_naming_another_region() {
        let meta = |status| ErrorMetadata::new(status).with_region("eu-west-1");
        assert_eq!(redirect(&meta(301), "us-east-1"), Some("eu-west-1"));
        assert_eq!(redirect(&meta(400), "us-east-1"), Some("eu-west-1"));
        assert_eq!(redirect(&meta(301), "eu-west-1"), None);
        assert_eq!(redirect(&meta(403), "us-east-1"), None);
        assert_eq!(redirect(&ErrorMetadata::new(301), "us-east-1"), None);
    }

    #[test]
    fn hints_at_the_region_only_for_a_bare_400() {
        let hinted = hint_bare_400(
            ErrorMetadata::new(400).with_code("BadRequest"),
            "us-east-1",
            true,
        );
        assert!(hinted.to_string().starts_with(
            "BadRequest (status 400): no error body, which is how S3 answers a HEAD request signed \
             for another region"
        ));
        assert!(
            hinted.to_string().contains("is the bucket in us-east-1"),
            "{hinted}"
        );
        let with_region = ErrorMetadata::new(400).with_region("eu-west-1");
        assert_eq!(
            hint_bare_400(with_region.clone(), "us-east-1", true),
            with_region
        );
        let with_body = ErrorMetadata::new(400).with_code("InvalidRequest");
        assert_eq!(
            hint_bare_400(with_body.clone(), "us-east-1", false),
            with_body
        );
        let not_400 = ErrorMetadata::new(403);
        assert_eq!(hint_bare_400(not_400.clone(), "us-east-1", true), not_400);
    }
}
