//! The resolved, Rust-facing view of the selected part of a model.
//!
//! Everything emitters need is decided here once: the closure of shapes the selected operations
//! reach, every Rust name, the Rust type of every member, and where each member goes on the wire
//! ([`Binding`]). Emitters never look at traits or compare shape names.
//!
//! This file holds the IR's types. `build` resolves a model into them, reading the endpoint
//! rules, `paginated` and `waitable` traits through `endpoint`, `pagination` and `waiters`;
//! `passes` then decides what needs the whole IR (XML usage, boxed members); `uri` parses URI
//! templates.

mod build;
mod endpoint;
mod pagination;
mod passes;
mod uri;
mod waiters;

use serde_json::Value;

use crate::model::{ErrorFault, ShapeId, Traits};

pub use endpoint::{endpoint_rules, is_endpoint_url};
pub use uri::{PathSegment, UriTemplate};

/// What to generate: a service and some of its operations, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub service: ShapeId,
    pub operations: Vec<String>,
}

/// The selected operations and every shape they reach, ready to emit.
#[derive(Debug)]
pub struct Ir<'m> {
    pub service: ServiceIr<'m>,
    pub operations: Vec<OperationIr<'m>>,
    /// Structures, unions and enums reached from the operations, other than operation inputs and
    /// outputs; in shape-id order.
    pub types: Vec<TypeDef<'m>>,
}

/// The service's protocol-wide settings.
#[derive(Debug)]
pub struct ServiceIr<'m> {
    pub id: ShapeId,
    pub title: Option<&'m str>,
    pub docs: Option<&'m str>,
    pub xml_namespace: Option<XmlNamespace<'m>>,
    /// The parameters of the endpoint rules, in the model's order.
    pub endpoint_params: Vec<EndpointParam<'m>>,
    /// The SigV4 signing name (`aws.auth#sigv4`), used when the model has no endpoint rules.
    pub signing_name: Option<&'m str>,
    /// How the client creates the sessions that session auth signs with, when the service has
    /// it (set by a service patch: no trait says so).
    pub session_auth: Option<SessionAuth>,
    /// Whether error bodies wrap `<Error>` in `<ErrorResponse>`: restXml's default, unless the
    /// protocol trait says `noErrorWrapping`.
    pub error_wrapped: bool,
    /// What the runtime does beyond standard SigV4 and the protocol (set by service patches).
    pub runtime_rules: RuntimeRules,
    /// The operation whose answer names a bucket's region, which the client's `bucket_region`
    /// sends (set by a service patch).
    pub bucket_region: Option<BucketRegion>,
    pub traits: &'m Traits,
}

/// Where the client learns a bucket's region: an operation taking the bucket, whose output and
/// whose error responses name the region (`Client::bucket_region`). By Rust name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRegion {
    /// The operation: `HeadBucket`, module `head_bucket`.
    pub operation: String,
    pub module: String,
    /// The input member naming the bucket: `bucket`.
    pub bucket: String,
    /// The optional string output member naming the region: `bucket_region`.
    pub region: String,
}

/// An optional enum member of an output that names a region in a legacy form, read through the
/// output's `region()` (set by a service patch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionMember {
    /// The member: `location_constraint`.
    pub field: String,
    /// The region an absent or empty value means: `us-east-1`.
    pub absent: &'static str,
    /// Values that stand for a region by another name: `EU` for `eu-west-1`.
    pub aliases: &'static [(&'static str, &'static str)],
}

/// A member of an input's structure the client sets to its region when the caller leaves it
/// unset (set by a service patch), by Rust name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionDefault {
    /// The optional input member holding the structure, and the structure's type:
    /// `create_bucket_configuration`, `CreateBucketConfiguration`.
    pub container: String,
    pub container_type: String,
    /// The structure's optional enum member set to the region, and its type:
    /// `location_constraint`, `BucketLocationConstraint`.
    pub field: String,
    pub enum_type: String,
    /// Members of the structure that, when set, mean the caller chose another kind of
    /// configuration, which is left as it is: `location`, `bucket`.
    pub unless: Vec<String>,
    /// The region for which the member stays unset: `us-east-1`.
    pub implied: &'static str,
}

/// The runtime's service rules (`s3_runtime::client::ServiceRules`), as the generated client
/// hands them over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeRules {
    /// Sign as S3 wants: the path neither normalised nor encoded twice, `x-amz-content-sha256`
    /// sent; otherwise standard SigV4.
    pub s3_signing: bool,
    /// The error code of an error response without a body, by status.
    pub status_codes: Vec<(u16, &'static str)>,
    /// Send `Content-Length` on every PUT and POST, an empty body included.
    pub content_length_on_put_and_post: bool,
}

/// The operation that creates the session credentials of session auth (`sigv4-s3express`), and
/// where its members are, by Rust name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAuth {
    /// The operation's module: `create_session`.
    pub operation: String,
    /// The input member naming what the session is for (`bucket`), which is also the
    /// `endpoint::Params` field that requests carry it in.
    pub scope: String,
    /// The input member choosing the session's mode (`session_mode`), and its enum type.
    pub mode: String,
    pub mode_type: String,
    /// The output member holding the credentials (`credentials`), and that structure's access
    /// key id, secret key, session token and expiration fields.
    pub credentials: String,
    pub credential_fields: [String; 4],
}

/// A parameter of the endpoint rule set (`smithy.rules#endpointRuleSet`).
#[derive(Debug)]
pub struct EndpointParam<'m> {
    /// The rule-set name: `ForcePathStyle`.
    pub name: &'m str,
    /// The Rust field name in the generated `endpoint::Params`: `force_path_style`.
    pub field: String,
    /// The client setting that feeds it (built-ins and `clientContextParams`), by Rust name.
    pub setting: Option<String>,
    /// The built-in it is bound to (`AWS::Region`).
    pub builtin: Option<&'m str>,
    pub ty: EndpointParamType,
    /// The default value: the parameter is then a plain value, not an `Option`.
    pub default: Option<&'m Value>,
    pub docs: Option<&'m str>,
    /// The environment variable `Config::from_env` reads the setting from (set by a service
    /// patch).
    pub env_var: Option<&'static str>,
}

/// The types of endpoint rule-set parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointParamType {
    Bool,
    String,
    /// The `SDK::Endpoint` built-in (see [`is_endpoint_url`]): the configuration holds it checked
    /// and parsed once (`s3_runtime::endpoint::EndpointUrl`), and every request reads it there.
    EndpointUrl,
}

/// An XML namespace declaration: `xmlns[:prefix]="uri"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlNamespace<'m> {
    pub uri: &'m str,
    pub prefix: Option<&'m str>,
}

/// A named type of the `types` module.
#[derive(Debug)]
pub enum TypeDef<'m> {
    Structure(StructureIr<'m>),
    Union(StructureIr<'m>),
    Enum(EnumIr<'m>),
}

/// What a structure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An operation's input: members may be bound to the request.
    Input,
    /// An operation's output: members may be bound to the response.
    Output,
    /// A modeled error: the code S3 sends is the shape name.
    Error {
        fault: ErrorFault,
        status: Option<u16>,
    },
    /// Nested data.
    Data,
}

/// A structure or union, with its members in model order.
#[derive(Debug)]
pub struct StructureIr<'m> {
    pub id: ShapeId,
    /// The Rust type name.
    pub name: String,
    pub docs: Option<&'m str>,
    pub role: Role,
    /// The element name when this structure is an XML document's root.
    pub xml_name: String,
    pub members: Vec<MemberIr<'m>>,
    /// Whether requests carry it as XML, so it needs an XML writer.
    pub xml_write: bool,
    /// Whether responses carry it as XML, so it needs an XML reader.
    pub xml_read: bool,
}

/// A member of a structure or union.
#[derive(Debug)]
pub struct MemberIr<'m> {
    /// The model's member name.
    pub name: &'m str,
    /// The Rust field name (a raw identifier where needed).
    pub field: String,
    /// The Rust variant name, for union members.
    pub variant: String,
    pub ty: RustType,
    pub required: bool,
    pub default: Option<&'m Value>,
    pub docs: Option<&'m str>,
    pub sensitive: bool,
    pub deprecated: bool,
    pub binding: Binding,
    pub xml: XmlMember<'m>,
    pub timestamp_format: Option<TimestampFormat>,
    /// The endpoint rule-set parameter this member feeds (`smithy.rules#contextParam`).
    pub context_param: Option<&'m str>,
    /// Human-readable constraints (`length`, `range`, `pattern`) for the docs.
    pub constraints: Vec<String>,
    /// The value an empty element stands for, where a service gives one meaning (see `customize`).
    pub empty_value: Option<&'static str>,
    /// Whether the field is boxed: its structure contains, directly, the structure it is in.
    pub boxed: bool,
    /// Header values travel as RFC 2047 encoded words when they are not ASCII (see
    /// `customize`).
    pub encoded_words: bool,
}

impl MemberIr<'_> {
    /// Whether the Rust field is an `Option`: members that are neither required nor defaulted.
    pub fn optional(&self) -> bool {
        !self.required && self.default.is_none()
    }
}

/// Where a member of an operation's input or output goes in the HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A `{label}` of the URI path (see [`UriTemplate`] for where and whether greedy).
    Label,
    /// One query parameter.
    Query(String),
    /// A map spread over query parameters.
    QueryParams,
    /// One header.
    Header(String),
    /// A map spread over headers with this prefix.
    PrefixHeaders(String),
    /// The whole body.
    Payload(PayloadKind),
    /// The HTTP status code (outputs only).
    ResponseCode,
    /// An element or attribute of the XML body (and every member of nested data).
    Body,
}

/// How an `httpPayload` member is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// A structure or union: an XML document rooted at the member's XML name.
    Xml,
    /// Raw bytes: `Content-Type: application/octet-stream` unless modeled otherwise.
    Blob { streaming: bool },
    /// Raw text: `Content-Type: text/plain`.
    Text,
}

/// The XML settings of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlMember<'m> {
    /// The element or attribute name: `xmlName`, else the member name.
    pub name: String,
    pub attribute: bool,
    pub flattened: bool,
    pub namespace: Option<XmlNamespace<'m>>,
}

/// Smithy's `timestampFormat` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    DateTime,
    HttpDate,
    EpochSeconds,
}

/// The Rust type of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    String,
    Bool,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Blob,
    /// A `@streaming` blob: an operation's whole body.
    ByteStream,
    Document,
    /// A structure, union or enum of the `types` module.
    Named {
        name: String,
        kind: NamedKind,
    },
    List(Box<ListType>),
    Map(Box<MapType>),
}

/// What a [`RustType::Named`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Structure,
    Union,
    Enum,
    IntEnum,
}

/// A list: its items and their XML element name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListType {
    pub item: RustType,
    pub item_xml_name: String,
    pub item_timestamp_format: Option<TimestampFormat>,
}

/// A map: its keys, values and their XML element names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapType {
    pub key: RustType,
    pub value: RustType,
    pub key_xml_name: String,
    pub value_xml_name: String,
}

/// A string or integer enum.
#[derive(Debug)]
pub struct EnumIr<'m> {
    pub id: ShapeId,
    pub name: String,
    pub docs: Option<&'m str>,
    pub int: bool,
    pub variants: Vec<VariantIr<'m>>,
}

/// One known value of an enum.
#[derive(Debug)]
pub struct VariantIr<'m> {
    pub name: String,
    /// The wire value: a string, or an integer's decimal text for int enums.
    pub value: String,
    pub docs: Option<&'m str>,
    pub deprecated: bool,
}

/// An operation's pagination: the input member that takes the token, the output member that
/// carries the next one, and the optional item list and page size, by Rust field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub input_token: String,
    pub output_token: String,
    pub items: Option<String>,
    pub page_size: Option<String>,
}

/// A waiter: poll the operation until an acceptor decides.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter<'m> {
    /// `BucketExists`.
    pub name: &'m str,
    pub docs: Option<&'m str>,
    pub min_delay: u64,
    pub max_delay: u64,
    pub acceptors: Vec<Acceptor>,
}

/// What a matching response means for a waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

/// One acceptor: when its matcher matches a response, the waiter enters its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
}

/// The matchers waiters here support; output path matchers are rejected at generation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The operation succeeded (`true`) or failed (`false`).
    Success(bool),
    /// The operation failed with this error code (an error shape's name is its code).
    ErrorType(String),
}

/// An operation: its HTTP binding, input, output and errors.
#[derive(Debug)]
pub struct OperationIr<'m> {
    pub id: ShapeId,
    /// `CreateBucket`.
    pub name: String,
    /// `create_bucket`: the module and the client method.
    pub module: String,
    pub docs: Option<&'m str>,
    pub method: String,
    pub uri: UriTemplate,
    pub code: u16,
    pub input: StructureIr<'m>,
    pub output: StructureIr<'m>,
    /// The modeled errors, by type name.
    pub errors: Vec<String>,
    /// Label members the endpoint carries instead of the path (see `customize`), by field: they
    /// are checked as labels all the same.
    pub endpoint_labels: Vec<String>,
    /// Endpoint parameters the operation fixes (`smithy.rules#staticContextParams`).
    pub static_context_params: Vec<(&'m str, &'m Value)>,
    /// The output's root element is its only member (`aws.customizations#s3UnwrappedXmlOutput`).
    pub unwrapped_output: bool,
    /// A 2xx response whose body is an `<Error>` document is an error (set by a service patch).
    pub error_in_success: bool,
    /// How to page through results (`smithy.api#paginated`).
    pub pagination: Option<Pagination>,
    /// Waiters polling this operation (`smithy.waiters#waitable`), in the model's order.
    pub waiters: Vec<Waiter<'m>>,
    /// Strings the client asks the service to URL-encode in the response, and decodes, when the
    /// caller leaves the choice open (set by a service patch).
    pub url_encoded_response: Option<UrlEncodedResponse>,
    /// What the operation asks of request and response checksums (`aws.protocols#httpChecksum`).
    pub checksum: Option<Checksum>,
    /// An output member naming a region, read through `region()` (set by a service patch).
    pub output_region: Option<RegionMember>,
    /// An input member filled from the client's region when unset (set by a service patch).
    pub region_default: Option<RegionDefault>,
    pub traits: &'m Traits,
}

impl OperationIr<'_> {
    /// Whether a successful response's body streams to the caller: the output's payload is a
    /// `@streaming` blob.
    pub fn streaming_output(&self) -> bool {
        self.output
            .members
            .iter()
            .any(|m| m.binding == Binding::Payload(PayloadKind::Blob { streaming: true }))
    }
}

/// An operation's `aws.protocols#httpChecksum` trait, with members by input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// Every request must carry a checksum (`requestChecksumRequired`).
    pub required: bool,
    /// The input enum member choosing the request's algorithm (`requestAlgorithmMember`).
    pub algorithm_member: Option<String>,
    /// The input enum member asking for the response to be validated
    /// (`requestValidationModeMember`), by setting it to `ENABLED`.
    pub validation_member: Option<String>,
    /// The algorithms a response may carry a checksum of (`responseAlgorithms`).
    pub response_algorithms: Vec<String>,
}

/// An input enum member that, left unset, is sent with a value asking the service to
/// URL-encode some output strings; the client then decodes them and clears the output's echo.
/// A value the caller sets is sent as it is, and the output is returned as the service sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlEncodedResponse {
    /// The input member (`encoding_type`) and its enum type (`EncodingType`).
    pub member: String,
    pub enum_type: String,
    /// The value sent: `url`.
    pub value: &'static str,
    /// The output member echoing the encoding (`encoding_type`).
    pub echo: String,
    /// The output strings to decode.
    pub decoded: Vec<DecodedString>,
}

/// An output string the service URL-encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodedString {
    /// An optional string member of the output.
    Member(String),
    /// An optional string member of each structure of an optional list member.
    InList { list: String, member: String },
}
