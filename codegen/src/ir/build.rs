//! Resolving the model into the IR: the selected operations, the closure of shapes they reach,
//! every Rust name and type, and each member's wire binding.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::endpoint::endpoint_params;
use super::pagination::pagination;
use super::waiters::waiters;
use super::{
    Binding, Checksum, EnumIr, Ir, ListType, MapType, MemberIr, NamedKind, OperationIr,
    PayloadKind, Role, RuntimeRules, RustType, Selection, ServiceIr, StructureIr, TimestampFormat,
    TypeDef, UriTemplate, VariantIr, XmlMember, XmlNamespace,
};
use crate::model::{Member, Model, Shape, ShapeId, ShapeKind, Simple, Traits, UNIT};
use crate::naming;
use crate::Error;

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
            bucket_region: None,
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
        let checksum = checksum(&shape.traits, &input).map_err(at)?;
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
            checksum,
            output_region: None,
            region_default: None,
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
            if ty == RustType::ByteStream
                && binding != Binding::Payload(PayloadKind::Blob { streaming: true })
            {
                return Err(at(
                    "a @streaming blob must be an operation's httpPayload member".into(),
                ));
            }
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
                encoded_words: false,
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

/// Where an input, output or error member goes on the wire.
fn binding(member: &Member, target: &Shape, role: Role) -> Result<Binding, String> {
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

/// The operation's `aws.protocols#httpChecksum` trait, its members checked to be input enum
/// members.
fn checksum(traits: &Traits, input: &StructureIr<'_>) -> Result<Option<Checksum>, String> {
    let Some(trait_value) = traits.get("aws.protocols#httpChecksum") else {
        return Ok(None);
    };
    let member = |key: &str| -> Result<Option<String>, String> {
        let Some(name) = trait_value.get(key) else {
            return Ok(None);
        };
        let name = name
            .as_str()
            .ok_or(format!("httpChecksum {key} is not a string"))?;
        match input.members.iter().find(|m| m.name == name) {
            Some(m)
                if matches!(
                    m.ty,
                    RustType::Named {
                        kind: NamedKind::Enum,
                        ..
                    }
                ) =>
            {
                Ok(Some(m.field.clone()))
            }
            _ => Err(format!(
                "httpChecksum {key} `{name}` is not an input enum member"
            )),
        }
    };
    let response_algorithms = match trait_value.get("responseAlgorithms") {
        None => Vec::new(),
        Some(list) => list
            .as_array()
            .ok_or("httpChecksum responseAlgorithms is not a list")?
            .iter()
            .map(|a| {
                a.as_str()
                    .map(str::to_owned)
                    .ok_or("httpChecksum algorithm is not a string")
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Some(Checksum {
        required: trait_value
            .get("requestChecksumRequired")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        algorithm_member: member("requestAlgorithmMember")?,
        validation_member: member("requestValidationModeMember")?,
        response_algorithms,
    }))
}
