//! Benchmarks live in `benches/`; run them with `cargo bench -p s3-benches`.

pub mod alloc;
pub mod express;
pub mod list_buckets;
pub mod list_objects_v2;
pub mod wire;
