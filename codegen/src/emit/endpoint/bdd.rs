//! The `smithy.rules#endpointBdd` trait value: its members, and the decision diagram's node
//! table, decoded from the trait's base64 and checked.

use serde_json::Value;

/// The trait's `key` member (`parameters`, `conditions`, `results`), as `kind` reads it.
pub(super) fn member<'v, T: ?Sized>(
    bdd: &'v Value,
    key: &str,
    kind: fn(&Value) -> Option<&T>,
) -> Result<&'v T, String> {
    bdd.get(key)
        .and_then(kind)
        .ok_or_else(|| format!("the BDD trait has no {key}"))
}

/// The decoded node table (base64 of big-endian `i32` triples), checked so that every
/// reference names a node, a terminal or a result, and every node a condition.
pub(super) fn nodes(
    bdd: &Value,
    conditions: usize,
    results: usize,
) -> Result<(i32, Vec<[i32; 3]>), String> {
    let count = bdd
        .get("nodeCount")
        .and_then(Value::as_u64)
        .ok_or("BDD without nodeCount")? as usize;
    let root = bdd
        .get("root")
        .and_then(Value::as_i64)
        .and_then(|r| i32::try_from(r).ok())
        .ok_or("BDD without root")?;
    let encoded = bdd
        .get("nodes")
        .and_then(Value::as_str)
        .ok_or("BDD without nodes")?;
    let bytes = base64_decode(encoded)?;
    if bytes.len() != count * 12 {
        return Err(format!("{} node bytes for {count} nodes", bytes.len()));
    }
    let nodes: Vec<[i32; 3]> = bytes
        .chunks_exact(12)
        .map(|n| {
            let int = |i: usize| i32::from_be_bytes([n[i], n[i + 1], n[i + 2], n[i + 3]]);
            [int(0), int(4), int(8)]
        })
        .collect();
    const RESULT_BASE: i64 = 100_000_000;
    let valid = |r: i32| {
        let r = i64::from(r);
        (r != 0 && r.abs() <= count as i64)
            || (RESULT_BASE..RESULT_BASE + results as i64 + 1).contains(&r)
    };
    if !valid(root) {
        return Err(format!("bad root reference {root}"));
    }
    for (i, &[c, h, l]) in nodes.iter().enumerate().skip(1) {
        if !(0..conditions as i32).contains(&c) || !valid(h) || !valid(l) {
            return Err(format!("bad BDD node {i}: [{c}, {h}, {l}]"));
        }
    }
    Ok((root, nodes))
}

/// Standard base64 with padding, as the trait stores the nodes.
fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("bad base64 byte {c:#x}")),
        } as u32)
    };
    let s = s.as_bytes();
    if !s.len().is_multiple_of(4) {
        return Err("base64 length is not a multiple of 4".into());
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for chunk in s.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("AAAAAQ==").unwrap(), [0, 0, 0, 1]);
        assert_eq!(base64_decode("/////w==").unwrap(), [255, 255, 255, 255]);
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert!(base64_decode("TWF").is_err());
        assert!(base64_decode("TW!u").is_err());
    }
}
