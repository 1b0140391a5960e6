//! The resolved, Rust-facing view of the selected part of a model.
//!
//! Everything emitters need is decided here once: the closure of shapes the selected operations
//! reach, every Rust name, the Rust type of every member, and where each member goes on the wire
//! ([`Binding`]). Emitters never look at traits or compare shape names.

mod uri;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::{ErrorFault, Model, Shape, ShapeId, ShapeKind, Simple, Traits, UNIT};
use crate::naming;
use crate::Error;

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
    pub traits: &'m Traits,
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
    pub traits: &'m Traits,
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

impl<'m> Ir<'m> {
    /// Resolves `selection` against `model`.
    pub fn new(model: &'m Model, selection: &Selection) -> Result<Self, Error> {
        let service_shape = model.shape(&selection.service).ok_or_else(|| {
            Error::new(format!("service {} is not in the model", selection.service))
        })?;
        let ShapeKind::Service(service) = &service_shape.kind else {
            return Err(Error::new(format!(
                "{} is not a service",
                selection.service
            )));
        };
        let service_ir = ServiceIr {
            id: service_shape.id.clone(),
            title: service_shape
                .traits
                .get("smithy.api#title")
                .and_then(Value::as_str),
            docs: service_shape.traits.documentation(),
            xml_namespace: xml_namespace(&service_shape.traits),
            endpoint_params: endpoint_params(&service_shape.traits)?,
            signing_name: service_shape
                .traits
                .get("aws.auth#sigv4")
                .and_then(|sigv4| sigv4.get("name"))
                .and_then(Value::as_str),
            session_auth: None,
            error_wrapped: !service_shape
                .traits
                .get(crate::PROTOCOL)
                .and_then(|p| p.get("noErrorWrapping"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            runtime_rules: RuntimeRules::default(),
            traits: &service_shape.traits,
        };
        let bound = bound_operations(model, &service.operations, &service.resources)?;
        let mut builder = Builder {
            model,
            service_traits: &service_shape.traits,
            names: BTreeMap::new(),
            reached: BTreeSet::new(),
        };
        let mut operations = Vec::new();
        for name in &selection.operations {
            let shape = bound.iter().find(|s| s.id.name() == name).ok_or_else(|| {
                Error::new(format!(
                    "operation {name} is not bound to {}",
                    selection.service
                ))
            })?;
            operations.push(builder.operation(shape)?);
        }
        // Building a type can reach more types: work until none is left.
        let mut types = BTreeMap::new();
        while let Some(id) = builder.reached.pop_first() {
            if let Entry::Vacant(slot) = types.entry(id) {
                let def = builder.type_def(builder.shape(slot.key())?)?;
                slot.insert(def);
            }
        }
        let mut ir = Ir {
            service: service_ir,
            operations,
            types: types.into_values().collect(),
        };
        ir.mark_xml_usage();
        ir.box_recursive_members();
        Ok(ir)
    }

    /// The service's operations the generator can serve, and a message for each it cannot.
    pub fn supported_operations(
        model: &Model,
        service: &ShapeId,
    ) -> Result<(Vec<String>, Vec<String>), Error> {
        let mut supported = Vec::new();
        let mut unsupported = Vec::new();
        for name in Self::all_operation_names(model, service)? {
            let selection = Selection {
                service: service.clone(),
                operations: vec![name.clone()],
            };
            match Ir::new(model, &selection) {
                Ok(_) => supported.push(name),
                Err(e) if e.is_unsupported() => unsupported.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Ok((supported, unsupported))
    }

    /// Every operation the service binds, directly or through resources, by name.
    pub fn all_operation_names(model: &Model, service: &ShapeId) -> Result<Vec<String>, Error> {
        let shape = model
            .shape(service)
            .ok_or_else(|| Error::new(format!("service {service} is not in the model")))?;
        let ShapeKind::Service(s) = &shape.kind else {
            return Err(Error::new(format!("{service} is not a service")));
        };
        Ok(bound_operations(model, &s.operations, &s.resources)?
            .into_iter()
            .map(|s| s.id.name().to_owned())
            .collect())
    }
}

impl Ir<'_> {
    /// Marks the structures and unions that travel as XML in requests or in responses.
    fn mark_xml_usage(&mut self) {
        let mut write = Vec::new();
        let mut read = Vec::new();
        let in_xml = |m: &&MemberIr<'_>| {
            matches!(
                m.binding,
                Binding::Body | Binding::Payload(PayloadKind::Xml)
            )
        };
        for op in &self.operations {
            write.extend(op.input.members.iter().filter(in_xml).map(|m| &m.ty));
            read.extend(op.output.members.iter().filter(in_xml).map(|m| &m.ty));
        }
        for def in &self.types {
            if let TypeDef::Structure(s) = def {
                if matches!(s.role, Role::Error { .. }) {
                    read.extend(s.members.iter().filter(in_xml).map(|m| &m.ty));
                }
            }
        }
        let write = self.reachable(write);
        let read = self.reachable(read);
        for def in &mut self.types {
            if let TypeDef::Structure(s) | TypeDef::Union(s) = def {
                s.xml_write = write.contains(&s.name);
                s.xml_read = read.contains(&s.name);
            }
        }
    }

    /// Boxes each member whose structure or union contains, without a list or map in between,
    /// the type the member is in: such a type would otherwise have infinite size.
    fn box_recursive_members(&mut self) {
        let direct: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .filter_map(|def| match def {
                TypeDef::Structure(s) | TypeDef::Union(s) => {
                    let targets = s
                        .members
                        .iter()
                        .filter_map(|m| direct_target(&m.ty))
                        .collect();
                    Some((s.name.clone(), targets))
                }
                TypeDef::Enum(_) => None,
            })
            .collect();
        let reaches = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut pending = vec![from.to_owned()];
            while let Some(name) = pending.pop() {
                if name == to {
                    return true;
                }
                if seen.insert(name.clone()) {
                    pending.extend(direct.get(&name).into_iter().flatten().cloned());
                }
            }
            false
        };
        for def in &mut self.types {
            if let TypeDef::Structure(s) = def {
                for m in &mut s.members {
                    m.boxed = direct_target(&m.ty).is_some_and(|target| reaches(&target, &s.name));
                }
            }
        }
    }

    /// The names of the structures and unions reachable from `roots`.
    fn reachable(&self, roots: Vec<&RustType>) -> BTreeSet<String> {
        let by_name: BTreeMap<&str, &StructureIr<'_>> = self
            .types
            .iter()
            .filter_map(|def| match def {
                TypeDef::Structure(s) | TypeDef::Union(s) => Some((s.name.as_str(), s)),
                TypeDef::Enum(_) => None,
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut pending: Vec<RustType> = roots.into_iter().cloned().collect();
        while let Some(ty) = pending.pop() {
            match ty {
                RustType::Named { name, .. } => {
                    if let Some(s) = by_name.get(name.as_str()) {
                        if seen.insert(name) {
                            pending.extend(s.members.iter().map(|m| m.ty.clone()));
                        }
                    }
                }
                RustType::List(list) => pending.push(list.item),
                RustType::Map(map) => pending.extend([map.key, map.value]),
                _ => {}
            }
        }
        seen
    }
}

/// The structure a member holds directly (not through a list or map), if any.
fn direct_target(ty: &RustType) -> Option<String> {
    match ty {
        RustType::Named {
            name,
            kind: NamedKind::Structure,
        } => Some(name.clone()),
        _ => None,
    }
}

/// The endpoint rules the resolver is compiled from: the decision-diagram form when the model
/// has it, else the rule tree.
pub fn endpoint_rules(traits: &Traits) -> Option<&Value> {
    traits
        .get("smithy.rules#endpointBdd")
        .or_else(|| traits.get("smithy.rules#endpointRuleSet"))
}

/// The rules' parameters, with the client setting (if any) that feeds each. A service without
/// rules gets the two every client needs: the region and the endpoint URL.
fn endpoint_params(traits: &Traits) -> Result<Vec<EndpointParam<'_>>, Error> {
    let Some(params) = endpoint_rules(traits)
        .and_then(|rules| rules.get("parameters"))
        .and_then(Value::as_object)
    else {
        let builtin = |name: &'static str, builtin| EndpointParam {
            name,
            field: naming::snake(name),
            setting: Some(naming::endpoint_setting(name, Some(builtin))),
            builtin: Some(builtin),
            ty: EndpointParamType::String,
            default: None,
            docs: None,
            env_var: None,
        };
        return Ok(vec![
            builtin("Region", "AWS::Region"),
            builtin("Endpoint", "SDK::Endpoint"),
        ]);
    };
    let client_context = traits
        .get("smithy.rules#clientContextParams")
        .and_then(Value::as_object);
    params
        .iter()
        .map(|(name, param)| {
            let ty = match param.get("type").and_then(Value::as_str) {
                Some("boolean") => EndpointParamType::Bool,
                Some("string") => EndpointParamType::String,
                other => {
                    return Err(Error::new(format!(
                        "endpoint parameter {name}: unsupported type {other:?}"
                    )))
                }
            };
            let builtin = param.get("builtIn").and_then(Value::as_str);
            let configurable =
                builtin.is_some() || client_context.is_some_and(|c| c.contains_key(name));
            Ok(EndpointParam {
                name,
                field: naming::snake(name),
                setting: configurable.then(|| naming::endpoint_setting(name, builtin)),
                builtin,
                ty,
                default: param.get("default"),
                docs: param.get("documentation").and_then(Value::as_str),
                env_var: None,
            })
        })
        .collect()
}

/// Operations bound to a service or resource, transitively, in id order.
fn bound_operations<'m>(
    model: &'m Model,
    operations: &[ShapeId],
    resources: &[ShapeId],
) -> Result<Vec<&'m Shape>, Error> {
    let mut out = BTreeMap::new();
    let mut pending: Vec<&ShapeId> = resources.iter().collect();
    for id in operations {
        out.insert(id.clone(), lookup(model, id)?);
    }
    while let Some(id) = pending.pop() {
        if let ShapeKind::Resource(r) = &lookup(model, id)?.kind {
            for op in &r.operations {
                out.insert(op.clone(), lookup(model, op)?);
            }
            pending.extend(&r.resources);
        }
    }
    Ok(out.into_values().collect())
}

fn lookup<'m>(model: &'m Model, id: &ShapeId) -> Result<&'m Shape, Error> {
    model
        .shape(id)
        .ok_or_else(|| Error::new(format!("shape {id} is targeted but not defined")))
}

fn xml_namespace(traits: &Traits) -> Option<XmlNamespace<'_>> {
    traits
        .xml_namespace()
        .map(|(uri, prefix)| XmlNamespace { uri, prefix })
}

fn timestamp_format(traits: &Traits) -> Result<Option<TimestampFormat>, String> {
    traits
        .timestamp_format()
        .map(|f| match f {
            "date-time" => Ok(TimestampFormat::DateTime),
            "http-date" => Ok(TimestampFormat::HttpDate),
            "epoch-seconds" => Ok(TimestampFormat::EpochSeconds),
            other => Err(format!("unknown timestampFormat `{other}`")),
        })
        .transpose()
}

/// Walks the selection, naming shapes and collecting the closure.
struct Builder<'m> {
    model: &'m Model,
    /// The service's traits: `paginated` there gives defaults for every operation.
    service_traits: &'m Traits,
    /// Rust type names given so far, to catch two shapes that would share one.
    names: BTreeMap<String, ShapeId>,
    /// Named types reached, to emit into `types`.
    reached: BTreeSet<ShapeId>,
}

impl<'m> Builder<'m> {
    fn shape(&self, id: &ShapeId) -> Result<&'m Shape, Error> {
        lookup(self.model, id)
    }

    /// Claims a Rust type name for a shape; two shapes may not share one.
    fn claim(&mut self, name: String, id: &ShapeId) -> Result<String, Error> {
        match self.names.get(&name) {
            Some(other) if other != id => Err(Error::new(format!(
                "shapes {other} and {id} would both be named `{name}` in Rust"
            ))),
            _ => {
                self.names.insert(name.clone(), id.clone());
                Ok(name)
            }
        }
    }

    fn operation(&mut self, shape: &'m Shape) -> Result<OperationIr<'m>, Error> {
        let ShapeKind::Operation(op) = &shape.kind else {
            return Err(Error::new(format!("{} is not an operation", shape.id)));
        };
        let at = |e: String| Error::new(format!("operation {}: {e}", shape.id));
        let http = shape
            .traits
            .http()
            .ok_or_else(|| at("no smithy.api#http trait".into()))?;
        let name = naming::type_name(shape.id.name());
        let input_id = op.input.clone().unwrap_or_else(|| ShapeId::new(UNIT));
        let output_id = op.output.clone().unwrap_or_else(|| ShapeId::new(UNIT));
        for id in [&input_id, &output_id] {
            for m in self.shape(id)?.members() {
                let target = self.shape(&m.target)?;
                if matches!(target.kind, ShapeKind::Union(_)) && target.traits.streaming() {
                    return Err(Error::unsupported(format!(
                        "operation {} is not supported yet: {id}${} is an event stream ({})",
                        shape.id.name(),
                        m.name,
                        target.id
                    )));
                }
            }
        }
        let input_name = self.claim(format!("{name}Input"), &input_id)?;
        let output_name = self.claim(format!("{name}Output"), &output_id)?;
        let input = self.structure(self.shape(&input_id)?, input_name, Role::Input)?;
        let output = self.structure(self.shape(&output_id)?, output_name, Role::Output)?;

        let uri = UriTemplate::parse(http.uri, &input).map_err(at)?;
        let mut errors = Vec::new();
        for id in &op.errors {
            errors.push(self.named(id)?.0);
        }
        let static_context_params = shape
            .traits
            .static_context_params()
            .map(|params| {
                params
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str(), v.get("value")?)))
                    .collect()
            })
            .unwrap_or_default();
        let pagination =
            pagination(&shape.traits, self.service_traits, &input, &output).map_err(at)?;
        let waiters = waiters(&shape.traits).map_err(at)?;
        self.claim(name.clone(), &shape.id)?;
        Ok(OperationIr {
            id: shape.id.clone(),
            module: naming::snake(shape.id.name()),
            name,
            docs: shape.traits.documentation(),
            method: http.method.to_owned(),
            uri,
            code: http.code,
            input,
            output,
            errors,
            endpoint_labels: Vec::new(),
            static_context_params,
            unwrapped_output: shape.traits.has("aws.customizations#s3UnwrappedXmlOutput"),
            error_in_success: false,
            pagination,
            waiters,
            url_encoded_response: None,
            traits: &shape.traits,
        })
    }

    /// Names a structure, union or enum shape and queues it for the `types` module.
    fn named(&mut self, id: &ShapeId) -> Result<(String, NamedKind), Error> {
        let shape = self.shape(id)?;
        let kind = match &shape.kind {
            ShapeKind::Structure(_) => NamedKind::Structure,
            ShapeKind::Union(_) => NamedKind::Union,
            ShapeKind::Enum(_) => NamedKind::Enum,
            ShapeKind::IntEnum(_) => NamedKind::IntEnum,
            _ => return Err(Error::new(format!("{id} is not a named type"))),
        };
        let name = self.claim(naming::type_name(id.name()), id)?;
        self.reached.insert(id.clone());
        Ok((name, kind))
    }

    fn type_def(&mut self, shape: &'m Shape) -> Result<TypeDef<'m>, Error> {
        let name = naming::type_name(shape.id.name());
        Ok(match &shape.kind {
            ShapeKind::Structure(_) => {
                let role = match shape.traits.error() {
                    Some(fault) => Role::Error {
                        fault,
                        status: shape.traits.http_error(),
                    },
                    None => Role::Data,
                };
                TypeDef::Structure(self.structure(shape, name, role)?)
            }
            ShapeKind::Union(_) => TypeDef::Union(self.structure(shape, name, Role::Data)?),
            ShapeKind::Enum(members) | ShapeKind::IntEnum(members) => {
                let int = matches!(shape.kind, ShapeKind::IntEnum(_));
                let mut variants = Vec::new();
                for m in members {
                    let value = match m.traits.enum_value() {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        None if !int => m.name.clone(),
                        _ => {
                            return Err(Error::new(format!(
                                "{}${}: an intEnum member needs an integer enumValue",
                                shape.id, m.name
                            )))
                        }
                    };
                    variants.push(VariantIr {
                        name: naming::variant_name(&m.name),
                        value,
                        docs: m.traits.documentation(),
                        deprecated: m.traits.deprecated().is_some(),
                    });
                }
                TypeDef::Enum(EnumIr {
                    id: shape.id.clone(),
                    name,
                    docs: shape.traits.documentation(),
                    int,
                    variants,
                })
            }
            _ => return Err(Error::new(format!("{} is not a named type", shape.id))),
        })
    }

    fn structure(
        &mut self,
        shape: &'m Shape,
        name: String,
        role: Role,
    ) -> Result<StructureIr<'m>, Error> {
        let mut members = Vec::new();
        for m in shape.members() {
            let at = |e: String| Error::new(format!("{}${}: {e}", shape.id, m.name));
            let target = self.shape(&m.target)?;
            let binding = match role {
                Role::Input | Role::Output | Role::Error { .. } => {
                    binding(m, target, role).map_err(at)?
                }
                Role::Data => Binding::Body,
            };
            let ty = self.rust_type(target)?;
            let timestamp_format = match timestamp_format(&m.traits).map_err(at)? {
                Some(f) => Some(f),
                None => timestamp_format(&target.traits).map_err(at)?,
            };
            members.push(MemberIr {
                name: &m.name,
                field: naming::snake(&m.name),
                variant: naming::variant_name(&m.name),
                ty,
                required: m.traits.required(),
                default: m.traits.default_value(),
                docs: m.traits.documentation().or(target.traits.documentation()),
                sensitive: m.traits.sensitive() || target.traits.sensitive(),
                deprecated: m.traits.deprecated().is_some(),
                binding,
                xml: XmlMember {
                    name: m.traits.xml_name().unwrap_or(&m.name).to_owned(),
                    attribute: m.traits.xml_attribute(),
                    flattened: m.traits.xml_flattened(),
                    namespace: xml_namespace(&m.traits),
                },
                timestamp_format,
                context_param: m.traits.context_param(),
                constraints: constraints(&m.traits, &target.traits),
                empty_value: None,
                boxed: false,
            });
        }
        Ok(StructureIr {
            id: shape.id.clone(),
            xml_name: shape
                .traits
                .xml_name()
                .unwrap_or(shape.id.name())
                .to_owned(),
            name,
            docs: shape.traits.documentation(),
            role,
            members,
            xml_write: false,
            xml_read: false,
        })
    }

    fn rust_type(&mut self, target: &'m Shape) -> Result<RustType, Error> {
        Ok(match &target.kind {
            ShapeKind::Simple(simple) => match simple {
                Simple::Blob if target.traits.streaming() => RustType::ByteStream,
                Simple::Blob => RustType::Blob,
                Simple::Boolean => RustType::Bool,
                Simple::String => RustType::String,
                Simple::Byte => RustType::Byte,
                Simple::Short => RustType::Short,
                Simple::Integer => RustType::Integer,
                Simple::Long => RustType::Long,
                Simple::Float => RustType::Float,
                Simple::Double => RustType::Double,
                Simple::BigInteger => RustType::BigInteger,
                Simple::BigDecimal => RustType::BigDecimal,
                Simple::Timestamp => RustType::Timestamp,
                Simple::Document => RustType::Document,
            },
            ShapeKind::Enum(_)
            | ShapeKind::IntEnum(_)
            | ShapeKind::Structure(_)
            | ShapeKind::Union(_) => {
                let (name, kind) = self.named(&target.id)?;
                RustType::Named { name, kind }
            }
            ShapeKind::List(member) => {
                let item_target = self.shape(&member.target)?;
                let item_timestamp_format = match timestamp_format(&member.traits) {
                    Ok(Some(f)) => Some(f),
                    Ok(None) => timestamp_format(&item_target.traits).map_err(Error::new)?,
                    Err(e) => return Err(Error::new(format!("{}: {e}", target.id))),
                };
                RustType::List(Box::new(ListType {
                    item: self.rust_type(item_target)?,
                    item_xml_name: member.traits.xml_name().unwrap_or("member").to_owned(),
                    item_timestamp_format,
                }))
            }
            ShapeKind::Map { key, value } => {
                let key_target = self.shape(&key.target)?;
                let value_target = self.shape(&value.target)?;
                RustType::Map(Box::new(MapType {
                    key: self.rust_type(key_target)?,
                    value: self.rust_type(value_target)?,
                    key_xml_name: key.traits.xml_name().unwrap_or("key").to_owned(),
                    value_xml_name: value.traits.xml_name().unwrap_or("value").to_owned(),
                }))
            }
            ShapeKind::Operation(_) | ShapeKind::Resource(_) | ShapeKind::Service(_) => {
                return Err(Error::new(format!(
                    "{} is a {}, which a member cannot target",
                    target.id,
                    kind_name(&target.kind)
                )))
            }
        })
    }
}

fn kind_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Operation(_) => "operation",
        ShapeKind::Resource(_) => "resource",
        ShapeKind::Service(_) => "service",
        _ => "data shape",
    }
}

/// The operation's `paginated` trait, completed from the service's, resolved to fields.
fn pagination(
    traits: &Traits,
    service: &Traits,
    input: &StructureIr<'_>,
    output: &StructureIr<'_>,
) -> Result<Option<Pagination>, String> {
    let Some(op) = traits.paginated() else {
        return Ok(None);
    };
    let defaults = service.paginated().unwrap_or_default();
    let (Some(input_token), Some(output_token)) = (
        op.input_token.or(defaults.input_token),
        op.output_token.or(defaults.output_token),
    ) else {
        return Err("paginated without inputToken and outputToken".into());
    };
    let field = |s: &StructureIr<'_>, name: &str| {
        s.members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.field.clone())
            .ok_or_else(|| {
                format!(
                    "paginated names `{name}`, which is not a member of {}",
                    s.id
                )
            })
    };
    Ok(Some(Pagination {
        input_token: field(input, input_token)?,
        output_token: field(output, output_token)?,
        items: op
            .items
            .or(defaults.items)
            .map(|n| field(output, n))
            .transpose()?,
        page_size: op
            .page_size
            .or(defaults.page_size)
            .map(|n| field(input, n))
            .transpose()?,
    }))
}

/// The operation's `smithy.waiters#waitable` waiters.
fn waiters(traits: &Traits) -> Result<Vec<Waiter<'_>>, String> {
    let Some(waitable) = traits
        .get("smithy.waiters#waitable")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    waitable
        .iter()
        .map(|(name, waiter)| {
            let delay = |key, default| waiter.get(key).and_then(Value::as_u64).unwrap_or(default);
            let acceptors = waiter
                .get("acceptors")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("waiter {name} has no acceptors"))?
                .iter()
                .map(|a| acceptor(a).map_err(|e| format!("waiter {name}: {e}")))
                .collect::<Result<_, _>>()?;
            Ok(Waiter {
                name,
                docs: waiter.get("documentation").and_then(Value::as_str),
                min_delay: delay("minDelay", 2),
                max_delay: delay("maxDelay", 120),
                acceptors,
            })
        })
        .collect()
}

fn acceptor(value: &Value) -> Result<Acceptor, String> {
    let state = match value.get("state").and_then(Value::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        other => return Err(format!("unknown acceptor state {other:?}")),
    };
    let matcher = value
        .get("matcher")
        .and_then(Value::as_object)
        .ok_or("acceptor without matcher")?;
    let matcher = match (matcher.get("success"), matcher.get("errorType")) {
        (Some(Value::Bool(success)), None) => Matcher::Success(*success),
        (None, Some(Value::String(code))) => Matcher::ErrorType(code.clone()),
        _ => {
            let kinds: Vec<&str> = matcher.keys().map(String::as_str).collect();
            return Err(format!(
                "matcher {kinds:?} is not supported (only success and errorType)"
            ));
        }
    };
    Ok(Acceptor { state, matcher })
}

/// Where an input, output or error member goes on the wire.
fn binding(member: &crate::model::Member, target: &Shape, role: Role) -> Result<Binding, String> {
    let t = &member.traits;
    let binding = if t.http_label() {
        Binding::Label
    } else if let Some(name) = t.http_query() {
        Binding::Query(name.to_owned())
    } else if t.http_query_params() {
        Binding::QueryParams
    } else if let Some(name) = t.http_header() {
        Binding::Header(name.to_owned())
    } else if let Some(prefix) = t.http_prefix_headers() {
        Binding::PrefixHeaders(prefix.to_owned())
    } else if t.http_payload() {
        Binding::Payload(match &target.kind {
            ShapeKind::Simple(Simple::Blob) => PayloadKind::Blob {
                streaming: target.traits.streaming(),
            },
            ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_) => PayloadKind::Text,
            ShapeKind::Structure(_) | ShapeKind::Union(_) => PayloadKind::Xml,
            _ => {
                return Err(
                    "httpPayload must target a blob, string, enum, structure or union".into(),
                )
            }
        })
    } else if t.http_response_code() {
        Binding::ResponseCode
    } else {
        Binding::Body
    };
    let allowed = match (&binding, role) {
        (Binding::Label | Binding::Query(_) | Binding::QueryParams, Role::Input) => true,
        (Binding::Label | Binding::Query(_) | Binding::QueryParams, _) => false,
        (Binding::ResponseCode, Role::Output) => true,
        (Binding::ResponseCode, _) => false,
        _ => true,
    };
    if !allowed {
        return Err(format!(
            "{binding:?} binding is not allowed on this structure"
        ));
    }
    Ok(binding)
}

/// Doc lines for `length`, `range` and `pattern` constraints on a member or its target.
fn constraints(member: &Traits, target: &Traits) -> Vec<String> {
    let mut lines = Vec::new();
    let number = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    if let Some(b) = member.length().or_else(|| target.length()) {
        lines.push(format!(
            "Length: {}",
            bounds_text(number(&b.min), number(&b.max))
        ));
    }
    if let Some(b) = member.range().or_else(|| target.range()) {
        lines.push(format!(
            "Range: {}",
            bounds_text(number(&b.min), number(&b.max))
        ));
    }
    if let Some(p) = member.pattern().or_else(|| target.pattern()) {
        lines.push(format!("Pattern: `{p}`"));
    }
    lines
}

fn bounds_text(min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "unbounded".to_owned(),
    }
}
