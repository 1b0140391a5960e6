//! Example programs using the generated S3 client; see `examples/`.
