//! Hand-written runtime that the generated S3 client links to.
//!
//! Nothing here knows about individual S3 operations: the generated crate hands the runtime
//! serialized requests, resolved endpoints and response parsers, and the runtime signs, sends,
//! retries and classifies.

pub mod aws_chunked;
pub mod body;
pub mod checksum;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod express;
pub mod http;
pub mod paginator;
pub mod profile;
pub mod region;
pub mod rest;
pub mod retry;
pub mod sigv4;
pub mod time;
pub mod types;
pub mod waiter;
pub mod xml;
