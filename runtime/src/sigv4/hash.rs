//! SHA-256 and HMAC-SHA256 on sha2's block function, shaped for signing: short inputs written
//! in pieces, and an HMAC key kept as the two hash states its padded key blocks lead to, so each
//! MAC starts from them instead of hashing the key again.

use sha2::compress256;
use sha2::digest::consts::U64;
use sha2::digest::generic_array::GenericArray;

/// The SHA-256 initial state (FIPS 180-4, 5.3.3).
const INITIAL: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const BLOCK: usize = 64;

/// A SHA-256 fed piece by piece: whole blocks are compressed as they fill.
#[derive(Clone)]
pub(crate) struct Sha256 {
    state: [u32; 8],
    /// Blocks compressed so far.
    blocks: u64,
    /// The start of the next block.
    pending: [u8; BLOCK],
    filled: usize,
}

impl Sha256 {
    pub(crate) const fn new() -> Self {
        Self::resume(INITIAL, 0)
    }

    /// Continues from `state`, reached after `blocks` blocks.
    const fn resume(state: [u32; 8], blocks: u64) -> Self {
        Self {
            state,
            blocks,
            pending: [0; BLOCK],
            filled: 0,
        }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if self.filled > 0 {
            let take = data.len().min(BLOCK - self.filled);
            self.pending[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled < BLOCK {
                return;
            }
            let block = self.pending;
            self.compress(&block);
            self.filled = 0;
        }
        let (whole, rest) = data.as_chunks::<BLOCK>();
        for block in whole {
            self.compress(block);
        }
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn compress(&mut self, block: &[u8; BLOCK]) {
        let block: &GenericArray<u8, U64> = block.into();
        compress256(&mut self.state, std::slice::from_ref(block));
        self.blocks += 1;
    }

    /// The digest: the input padded with `1`, zeros and its length in bits.
    pub(crate) fn finish(mut self) -> [u8; 32] {
        let bits = (self.blocks * BLOCK as u64 + self.filled as u64) * 8;
        let mut block = self.pending;
        block[self.filled] = 0x80;
        block[self.filled + 1..].fill(0);
        if self.filled + 1 > BLOCK - 8 {
            self.compress(&block);
            block = [0; BLOCK];
        }
        block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        self.compress(&block);
        let mut digest = [0; 32];
        for (out, word) in digest.chunks_exact_mut(4).zip(self.state) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// An HMAC-SHA256 key (RFC 2104), as the hash states after its inner and outer padded blocks.
#[derive(Clone, Copy)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut padded = [0; BLOCK];
        if key.len() > BLOCK {
            let mut hash = Sha256::new();
            hash.update(key);
            padded[..32].copy_from_slice(&hash.finish());
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let state_after = |pad: u8| {
            let mut hash = Sha256::new();
            hash.compress(&padded.map(|b| b ^ pad));
            hash.state
        };
        Self {
            inner: state_after(0x36),
            outer: state_after(0x5c),
        }
    }

    /// The inner hash, to be fed the message and handed to [`finish`](Self::finish).
    pub(crate) fn start(&self) -> Sha256 {
        Sha256::resume(self.inner, 1)
    }

    /// The MAC of the message `inner` was fed.
    pub(crate) fn finish(&self, inner: Sha256) -> [u8; 32] {
        let mut outer = Sha256::resume(self.outer, 1);
        outer.update(&inner.finish());
        outer.finish()
    }

    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut inner = self.start();
        inner.update(message);
        self.finish(inner)
    }

    /// The MAC of `message`, resuming from `first` when the message starts with its block, and
    /// keeping there the inner hash after this message's first block otherwise. `first` must be
    /// this key's.
    pub(crate) fn mac_resuming(&self, first: &mut Option<FirstBlock>, message: &[u8]) -> [u8; 32] {
        let Some((block, rest)) = message.split_first_chunk::<BLOCK>() else {
            return self.mac(message);
        };
        let mut inner = match first {
            Some(first) if first.block == *block => Sha256::resume(first.state, 2),
            _ => {
                let mut inner = self.start();
                inner.compress(block);
                *first = Some(FirstBlock {
                    block: *block,
                    state: inner.state,
                });
                inner
            }
        };
        inner.update(rest);
        self.finish(inner)
    }
}

/// The first block of a message and the inner hash of an HMAC after it, for messages that
/// start alike.
#[derive(Clone, Copy)]
pub(crate) struct FirstBlock {
    block: [u8; BLOCK],
    state: [u32; 8],
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn hashes_like_sha2_at_every_length_and_split() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let expected: [u8; 32] = sha2::Sha256::digest(&data[..len]).into();
            for split in [0, 1, len / 3, len / 2, len] {
                let mut hash = Sha256::new();
                hash.update(&data[..split.min(len)]);
                hash.update(&data[split.min(len)..len]);
                assert_eq!(hash.finish(), expected, "length {len}, split at {split}");
            }
        }
    }

    fn hex_decode(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn matches_the_rfc_4231_test_cases() {
        let long_key = [0xaa; 131];
        let cases: [(&[u8], &[u8], &str); 3] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, message, expected) in cases {
            assert_eq!(
                HmacKey::new(key).mac(message).to_vec(),
                hex_decode(expected)
            );
        }
    }

    #[test]
    fn resuming_from_a_first_block_macs_like_from_the_start() {
        let key = HmacKey::new(b"key");
        let message: Vec<u8> = (0..200u32).map(|i| (i * 13 + 5) as u8).collect();
        let mut other = message.clone();
        other[150] ^= 1;
        let mut changed_start = message.clone();
        changed_start[10] ^= 1;
        let mut first = None;
        for message in [&message[..20], &message, &other, &changed_start, &message] {
            assert_eq!(key.mac_resuming(&mut first, message), key.mac(message));
        }
    }
}
