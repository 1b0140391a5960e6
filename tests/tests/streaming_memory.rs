//! A streamed download never holds the object: a 256 MiB GetObject from s3s-fs, read piece by
//! piece, keeps the client's peak RSS under 48 MiB.
//!
//! The client runs in the `stream_rss` binary, a process of its own, so that the harness's
//! memory (and the other tests running beside this one) does not count; it uploads the object
//! as a stream too. An 8 MiB run of the same binary is printed beside it as the baseline, so the
//! figure shows what streaming 32 times more costs.

use std::process::Command;

const MIB: u64 = 1 << 20;
/// The peak RSS the 256 MiB round trip must stay under.
const LIMIT_KIB: u64 = 48 << 10;

/// What a run of `stream_rss` reported.
struct Run {
    bytes: u64,
    vm_hwm_kib: u64,
}

/// Runs `stream_rss` for an object of `len` bytes against s3s-fs.
fn stream_rss(len: u64) -> Run {
    // Read here, so a run without the servers fails with s3s()'s message.
    let server = s3_tests::s3s();
    let output = Command::new(env!("CARGO_BIN_EXE_stream_rss"))
        .arg(len.to_string())
        .env("S3_TEST_S3S_ENDPOINT", &server.endpoint)
        .env("S3_TEST_S3S_ACCESS_KEY_ID", &server.access_key_id)
        .env("S3_TEST_S3S_SECRET_ACCESS_KEY", &server.secret_access_key)
        .env("S3_TEST_S3S_REGION", &server.region)
        .output()
        .expect("stream_rss runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stream_rss {len} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("stream_rss "))
        .unwrap_or_else(|| panic!("no result line in {stdout:?}"));
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|field| field.strip_prefix(name)?.strip_prefix('='))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    Run {
        bytes: field("bytes"),
        vm_hwm_kib: field("vmhwm_kib"),
    }
}

#[test]
fn a_256_mib_download_streams_in_bounded_memory() {
    let baseline = stream_rss(8 * MIB);
    assert_eq!(baseline.bytes, 8 * MIB);
    let large = stream_rss(256 * MIB);
    assert_eq!(large.bytes, 256 * MIB, "the whole object was read");
    println!(
        "peak RSS (VmHWM) of stream_rss: 256 MiB object {} KiB, 8 MiB object {} KiB \
         (streaming overhead {} KiB; limit {LIMIT_KIB} KiB)",
        large.vm_hwm_kib,
        baseline.vm_hwm_kib,
        large.vm_hwm_kib as i64 - baseline.vm_hwm_kib as i64,
    );
    assert!(
        large.vm_hwm_kib < LIMIT_KIB,
        "a 256 MiB download peaked at {} KiB of RSS, over {LIMIT_KIB} KiB: something buffers it",
        large.vm_hwm_kib
    );
}
