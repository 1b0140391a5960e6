//! The signing key: derived with four HMACs from the secret, date, region and service, and cached
//! so that a request signed on the same day for the same scope skips the derivation.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{PoisonError, RwLock};

use super::hash::HmacKey;
use crate::credentials::Credentials;

/// How many scopes are kept. A client signs for one or two (region, service) pairs per
/// credential and day, and S3 Express adds one session credential per bucket (a session cache
/// holds 100 by default), each replaced every few minutes; the oldest goes first.
const CAPACITY: usize = 256;

/// Signing keys by (secret, date, region, service).
///
/// Each entry holds the signing key as an [`HmacKey`], its padded blocks already hashed, which
/// saves two SHA-256 blocks on every request. Entries are found
/// by a hash of their scope, then compared in full.
#[derive(Default)]
pub(super) struct KeyCache {
    hasher: RandomState,
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    by_hash: HashMap<u64, Entry>,
    /// Hashes in insertion order, for evicting the oldest.
    order: VecDeque<u64>,
}

struct Entry {
    /// Kept instead of a copy of the secret: a clone is a reference count.
    credentials: Credentials,
    date: Box<str>,
    region: Box<str>,
    service: Box<str>,
    key: HmacKey,
}

impl Entry {
    fn matches(&self, credentials: &Credentials, date: &str, region: &str, service: &str) -> bool {
        *self.date == *date
            && *self.region == *region
            && *self.service == *service
            && self.credentials.secret_access_key() == credentials.secret_access_key()
    }
}

impl KeyCache {
    /// The signing key of this scope, from the cache when it is there.
    pub(super) fn key(
        &self,
        credentials: &Credentials,
        date: &str,
        region: &str,
        service: &str,
    ) -> HmacKey {
        let hash = self
            .hasher
            .hash_one((credentials.secret_access_key(), date, region, service));
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(entry) = entries.by_hash.get(&hash) {
                if entry.matches(credentials, date, region, service) {
                    return entry.key;
                }
                // Another scope with the same hash: derive without caching.
                return derive(credentials.secret_access_key(), date, region, service);
            }
        }
        let key = derive(credentials.secret_access_key(), date, region, service);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.by_hash.contains_key(&hash) {
            if entries.order.len() == CAPACITY {
                if let Some(oldest) = entries.order.pop_front() {
                    entries.by_hash.remove(&oldest);
                }
            }
            entries.order.push_back(hash);
            entries.by_hash.insert(
                hash,
                Entry {
                    credentials: credentials.clone(),
                    date: date.into(),
                    region: region.into(),
                    service: service.into(),
                    key,
                },
            );
        }
        key
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .order
            .len()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    HmacKey::new(key).mac(data)
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
fn derive(secret: &str, date: &str, region: &str, service: &str) -> HmacKey {
    let k_date = hmac(&[b"AWS4", secret.as_bytes()].concat(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    HmacKey::new(&hmac(&k_service, b"aws4_request"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(secret: &str) -> Credentials {
        Credentials::new("AKIDEXAMPLE", secret, None, None)
    }

    fn signing_key(key: HmacKey) -> [u8; 32] {
        // HMAC(key, "") identifies the key without exposing the HMAC internals.
        key.mac(b"")
    }

    #[test]
    fn derives_the_documented_signing_key() {
        // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
        let key = derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        let expected = hmac(
            &hex_decode("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"),
            b"",
        );
        assert_eq!(signing_key(key), expected);
    }

    #[test]
    fn caches_per_secret_date_region_and_service() {
        let cache = KeyCache::default();
        let a = creds("secret-a");
        let first = signing_key(cache.key(&a, "20150830", "us-east-1", "s3"));
        let again = signing_key(cache.key(&a.clone(), "20150830", "us-east-1", "s3"));
        assert_eq!(first, again);
        assert_eq!(cache.len(), 1, "a hit adds no entry");

        let scopes = [
            (creds("secret-b"), "20150830", "us-east-1", "s3"),
            (a.clone(), "20150831", "us-east-1", "s3"),
            (a.clone(), "20150830", "eu-west-1", "s3"),
            (a.clone(), "20150830", "us-east-1", "s3express"),
        ];
        for (creds, date, region, service) in &scopes {
            let key = signing_key(cache.key(creds, date, region, service));
            assert_ne!(key, first, "{date} {region} {service}");
            let fresh = signing_key(derive(creds.secret_access_key(), date, region, service));
            assert_eq!(key, fresh);
        }
        assert_eq!(cache.len(), 1 + scopes.len());
    }

    #[test]
    fn evicts_the_oldest_scope_when_full() {
        let cache = KeyCache::default();
        let a = creds("secret");
        let regions: Vec<String> = (0..=CAPACITY).map(|i| format!("region-{i}")).collect();
        for region in &regions {
            cache.key(&a, "20150830", region, "s3");
        }
        assert_eq!(cache.len(), CAPACITY);
        let entries = cache.entries.read().unwrap();
        let mut kept = entries.by_hash.values();
        assert!(kept.clone().all(|e| *e.region != *regions[0]));
        assert!(kept.any(|e| *e.region == *regions[CAPACITY]));
    }

    fn hex_decode(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }
}
