//! One call of an operation as the generated client hands it to [`Runtime`](super::Runtime),
//! and a presigned request as it hands one back.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response, Uri};

use crate::body::ByteStream;
use crate::endpoint::Endpoint;
use crate::error::{BuildError, ErrorMetadata, ResponseError};
use crate::rest::SerializedRequest;

/// A boxed future that can move between threads, as paginators hold the page in flight.
pub type SendFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// One call of an operation, as the generated client hands it over.
pub struct Operation<'a, O, E> {
    /// The operation's name, for tracing.
    pub name: &'static str,
    /// The bucket the request addresses, whose session signs it under `sigv4-s3express`.
    pub bucket: Option<&'a str>,
    /// Whether a 2xx response whose body is an `<Error>` document is an error
    /// (see [`rest::is_error`](crate::rest::is_error)).
    pub error_in_success: bool,
    /// The input's request, relative to the endpoint.
    pub request: SerializedRequest,
    /// What the operation's `httpChecksum` trait asks of the request and response.
    pub checksums: Checksums<'a>,
    /// Where and how to send it.
    pub endpoint: Endpoint,
    /// The endpoint for the same input in another region, so that with cross-region access
    /// (see [`ClientConfig::cross_region_access`](super::ClientConfig::cross_region_access)) a
    /// request to `bucket` can follow S3 to the bucket's region; `None` when there is no bucket.
    pub endpoint_in_region: Option<&'a EndpointInRegion<'a>>,
    /// Reads the output of a successful response.
    pub deserialize: Deserialize<O>,
    /// Makes the operation's error from an error response.
    pub deserialize_error: DeserializeError<E>,
}

/// Makes an operation's error from an error response and its metadata.
pub type DeserializeError<E> = fn(&Response<Bytes>, &ErrorMetadata) -> E;

impl<'a, O, E> Operation<'a, O, E> {
    /// What the loop runs, apart from the functions that read the output and the error, which
    /// alone depend on the operation's types.
    pub(super) fn into_call(self) -> (Call<'a>, Deserialize<O>, DeserializeError<E>) {
        let call = Call {
            name: self.name,
            bucket: self.bucket,
            error_in_success: self.error_in_success,
            request: self.request,
            checksums: self.checksums,
            endpoint: self.endpoint,
            endpoint_in_region: self.endpoint_in_region,
            streaming: matches!(self.deserialize, Deserialize::Streaming(_)),
        };
        (call, self.deserialize, self.deserialize_error)
    }
}

/// An [`Operation`] without its output and error types: the same fields, and whether the output
/// is read from a streaming body.
pub(super) struct Call<'a> {
    pub(super) name: &'static str,
    pub(super) bucket: Option<&'a str>,
    pub(super) error_in_success: bool,
    pub(super) request: SerializedRequest,
    pub(super) checksums: Checksums<'a>,
    pub(super) endpoint: Endpoint,
    pub(super) endpoint_in_region: Option<&'a EndpointInRegion<'a>>,
    /// The output is read from the body as it streams ([`Deserialize::Streaming`]).
    pub(super) streaming: bool,
}

/// Resolves an operation's endpoint for the region it is given.
pub type EndpointInRegion<'a> = dyn Fn(&str) -> Result<Endpoint, BuildError> + Send + Sync + 'a;

/// How the output of a successful response is read.
pub enum Deserialize<O> {
    /// From the response with its whole body, read within the size cap.
    Buffered(fn(&Response<Bytes>) -> Result<O, ResponseError>),
    /// From the response with its body still streaming (a `@streaming` payload).
    Streaming(fn(Response<ByteStream>) -> Result<O, ResponseError>),
}

impl<O> Clone for Deserialize<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for Deserialize<O> {}

/// What an operation's `aws.protocols#httpChecksum` trait asks for, with the caller's choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checksums<'a> {
    /// Every request carries a checksum (`requestChecksumRequired`).
    pub required: bool,
    /// The operation takes a checksum (it has a `requestAlgorithmMember`), which the
    /// [`ChecksumPolicy::WhenSupported`](crate::checksum::ChecksumPolicy::WhenSupported) policy sends.
    pub supported: bool,
    /// The algorithm the caller chose, by its model name (`CRC32`).
    pub algorithm: Option<&'a str>,
    /// The algorithms the response body may be validated with, when the caller asked for
    /// validation (`requestValidationModeMember`); empty, no validation.
    pub validate: &'static [&'static str],
}

/// A request signed in its URL, to be sent by anyone who has it (see [`Runtime::presign`](super::Runtime::presign)).
#[derive(Debug, Clone)]
pub struct PresignedRequest {
    /// The method to send.
    pub method: Method,
    /// The URL, signature included: as secret as the access it grants.
    pub uri: Uri,
    /// The headers to send, as they were signed.
    pub headers: http::HeaderMap,
    /// How long the URL is valid from its signing time.
    pub expires_in: Duration,
}
