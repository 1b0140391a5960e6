//! restXml HTTP bindings: each operation's request serializer and response deserializers.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::xml::{
    child_loop, corrected_literal, format_path, namespace_attr, to_text, write_member, Growth,
};
use super::{builder_ident, doc_lines, file, lit};
use crate::ir::{
    Binding, Ir, MemberIr, NamedKind, OperationIr, PathSegment, PayloadKind, Role, RustType,
    ServiceIr, StructureIr, TimestampFormat, TypeDef,
};
use crate::naming::{constant, ident};
use crate::{Error, GeneratedFile};

/// `src/headers.rs`: a constant for every header name an operation sends or reads, which the
/// serializers and deserializers share.
pub fn headers_file(ir: &Ir<'_>) -> Result<GeneratedFile, Error> {
    let structures = ir
        .operations
        .iter()
        .flat_map(|op| [&op.input, &op.output])
        .chain(ir.types.iter().filter_map(|t| match t {
            TypeDef::Structure(s) if matches!(s.role, Role::Error { .. }) => Some(s),
            _ => None,
        }));
    let mut names = BTreeSet::new();
    for s in structures {
        for m in &s.members {
            if let Binding::Header(name) = &m.binding {
                names.insert(name.to_ascii_lowercase());
            }
        }
    }
    let consts = names.iter().map(|name| {
        let id = header_ident(name);
        quote!(pub const #id: http::HeaderName = http::HeaderName::from_static(#name);)
    });
    file(
        "src/headers.rs",
        quote! {
            //! The header names the operations send and read.
            #(#consts)*
        },
    )
}

fn header_ident(lowercase: &str) -> Ident {
    format_ident!("{}", constant(lowercase))
}

/// The `crate::headers` constant of a header name.
fn header_const(name: &str) -> TokenStream {
    let id = header_ident(&name.to_ascii_lowercase());
    quote!(crate::headers::#id)
}

/// `serialize`: the input as a request relative to the endpoint.
pub fn serializer(op: &OperationIr<'_>, service: &ServiceIr<'_>) -> Result<TokenStream, Error> {
    let input_ty = ident(&op.input.name);
    let method = format_ident!("{}", op.method.to_ascii_uppercase());
    let mut steps = Vec::new();
    for field in &op.endpoint_labels {
        let m = member_by_field(&op.input, field)?;
        if m.ty != RustType::String || m.optional() {
            return Err(Error::new(format!(
                "{}: the endpoint label {field} must be a required string",
                op.id
            )));
        }
        let (f, label) = (ident(field), lit(field.trim_start_matches("r#")));
        steps.push(quote!(s3_runtime::rest::check_label(#label, &input.#f)?;));
    }
    for segment in &op.uri.path {
        steps.push(match segment {
            PathSegment::Literal(text) => quote!(request.push_path_literal(#text);),
            PathSegment::Label { field, greedy } => {
                let m = member_by_field(&op.input, field)?;
                let f = ident(field);
                let label = lit(field.trim_start_matches("r#"));
                let text = to_text(
                    &m.ty,
                    &quote!(value),
                    format_of(m, TimestampFormat::DateTime),
                );
                quote! {{
                    let value = &input.#f;
                    request.push_label(#label, #text, #greedy)?;
                }}
            }
        });
    }
    for (key, value) in &op.uri.query {
        let value = match value {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        steps.push(quote!(request.push_query(#key, #value);));
    }
    // Query params maps go last so a modeled `httpQuery` wins over a map key.
    let mut query_params = Vec::new();
    let mut body_members = Vec::new();
    let mut payload = None;
    for m in &op.input.members {
        let label = lit(m.field.trim_start_matches("r#"));
        let step = match &m.binding {
            Binding::Query(key) => Some(query_step(m, key)),
            Binding::QueryParams => {
                query_params.push(with_value(m, &quote!(input), query_params_step(m)?));
                None
            }
            Binding::Header(name) => {
                let constant = header_const(name);
                let text = header_text(m)?;
                Some(if m.sensitive {
                    quote!(request.set_sensitive_header(#label, #constant, #text)?;)
                } else {
                    quote!(request.set_header(#label, #constant, #text)?;)
                })
            }
            Binding::PrefixHeaders(prefix) => {
                let RustType::Map(map) = &m.ty else {
                    return Err(Error::new(format!(
                        "{}: httpPrefixHeaders needs a map",
                        m.name
                    )));
                };
                let mut text = to_text(&map.value, &quote!(value), TimestampFormat::HttpDate);
                if m.encoded_words {
                    text = quote!(&s3_runtime::rest::encode_words(#text));
                }
                Some(quote! {
                    for (key, value) in value {
                        request.set_prefixed_header(#label, #prefix, key, #text)?;
                    }
                })
            }
            Binding::Payload(kind) => {
                // Last, so that a Content-Type member, set by then, wins over the default.
                payload = Some(with_value(
                    m,
                    &quote!(input),
                    payload_step(m, *kind, service),
                ));
                None
            }
            Binding::Body => {
                body_members.push(m);
                None
            }
            Binding::Label | Binding::ResponseCode => None,
        };
        if let Some(step) = step {
            steps.push(with_value(m, &quote!(input), step));
        }
    }
    steps.extend(query_params);
    if !body_members.is_empty() {
        steps.push(body_step(&op.input, &body_members, service)?);
    }
    steps.extend(payload);
    Ok(quote! {
        /// The request for `input`, relative to the endpoint; fails on values that cannot be sent.
        ///
        /// The client calls this; it is public for presigning and for tests.
        pub fn serialize(input: &#input_ty) -> Result<s3_runtime::rest::SerializedRequest, s3_runtime::error::BuildError> {
            let mut request = s3_runtime::rest::SerializedRequest::new(http::Method::#method);
            #(#steps)*
            Ok(request)
        }
    })
}

fn member_by_field<'a, 'm>(s: &'a StructureIr<'m>, field: &str) -> Result<&'a MemberIr<'m>, Error> {
    s.members
        .iter()
        .find(|m| m.field == field)
        .ok_or_else(|| Error::new(format!("{}: no member `{field}`", s.id)))
}

/// Runs `step` with `value` bound to a reference to the member's value, if it is set.
fn with_value(m: &MemberIr<'_>, owner: &TokenStream, step: TokenStream) -> TokenStream {
    let field = ident(&m.field);
    if m.optional() {
        quote!(if let Some(value) = &#owner.#field { #step })
    } else {
        quote!({ let value = &#owner.#field; #step })
    }
}

fn format_of(m: &MemberIr<'_>, default: TimestampFormat) -> TimestampFormat {
    m.timestamp_format.unwrap_or(default)
}

fn query_step(m: &MemberIr<'_>, key: &str) -> TokenStream {
    match &m.ty {
        RustType::List(list) => {
            let format = list
                .item_timestamp_format
                .unwrap_or(format_of(m, TimestampFormat::DateTime));
            let text = to_text(&list.item, &quote!(item), format);
            quote!(for item in value { request.push_query(#key, Some(#text)); })
        }
        ty => {
            let text = to_text(ty, &quote!(value), format_of(m, TimestampFormat::DateTime));
            quote!(request.push_query(#key, Some(#text));)
        }
    }
}

fn query_params_step(m: &MemberIr<'_>) -> Result<TokenStream, Error> {
    let RustType::Map(map) = &m.ty else {
        return Err(Error::new(format!(
            "{}: httpQueryParams needs a map",
            m.name
        )));
    };
    let add = match &map.value {
        RustType::List(list) => {
            let text = to_text(&list.item, &quote!(item), TimestampFormat::DateTime);
            quote!(for item in value { request.push_query(key, Some(#text)); })
        }
        ty => {
            let text = to_text(ty, &quote!(value), TimestampFormat::DateTime);
            quote!(request.push_query(key, Some(#text));)
        }
    };
    Ok(quote! {
        for (key, value) in value {
            if !request.has_query(key) {
                #add
            }
        }
    })
}

/// The header text of a member's value: lists are joined per Smithy's header-list rules.
fn header_text(m: &MemberIr<'_>) -> Result<TokenStream, Error> {
    let format = format_of(m, TimestampFormat::HttpDate);
    Ok(match &m.ty {
        RustType::List(list) => {
            let item_format = list.item_timestamp_format.unwrap_or(format);
            let text = to_text(&list.item, &quote!(item), item_format);
            quote!(&s3_runtime::rest::header_list(value.iter().map(|item| #text.to_owned()).collect::<Vec<_>>().iter().map(String::as_str)))
        }
        ty => to_text(ty, &quote!(value), format),
    })
}

fn payload_step(m: &MemberIr<'_>, kind: PayloadKind, service: &ServiceIr<'_>) -> TokenStream {
    match kind {
        PayloadKind::Xml => {
            let name = &m.xml.name;
            let ns = namespace_attr(m.xml.namespace.or(service.xml_namespace));
            quote! {
                let mut w = s3_runtime::xml::Writer::new();
                value.write_xml(&mut w, #name, &[#ns]);
                request.set_body(w.finish()?, "application/xml");
            }
        }
        PayloadKind::Blob { .. } => {
            quote!(request.set_body(value.clone(), "application/octet-stream");)
        }
        PayloadKind::Text => {
            let text = to_text(&m.ty, &quote!(value), TimestampFormat::DateTime);
            quote!(request.set_body(bytes::Bytes::from(#text.to_owned()), "text/plain");)
        }
    }
}

/// The XML body of the input's unbound members, rooted at the input's XML name; none when no
/// such member is set.
fn body_step(
    input: &StructureIr<'_>,
    members: &[&MemberIr<'_>],
    service: &ServiceIr<'_>,
) -> Result<TokenStream, Error> {
    let root = &input.xml_name;
    let ns = namespace_attr(service.xml_namespace);
    let mut writes = Vec::new();
    let mut any_set = Vec::new();
    for m in members {
        let field = ident(&m.field);
        let write = write_member(m, &quote!(value))?;
        writes.push(with_value(m, &quote!(input), write));
        any_set.push(if m.optional() {
            quote!(input.#field.is_some())
        } else {
            quote!(true)
        });
    }
    Ok(quote! {
        if #(#any_set)||* {
            let mut writer = s3_runtime::xml::Writer::new();
            let w = &mut writer;
            w.start(#root, &[#ns]);
            #(#writes)*
            w.end(#root);
            request.set_body(writer.finish()?, "application/xml");
        }
    })
}

/// `deserialize`: the output from a successful response.
pub fn deserializer(op: &OperationIr<'_>) -> Result<TokenStream, Error> {
    let output = &op.output;
    let output_ty = ident(&output.name);
    let builder = response_builder(output)?;
    let (reader_fn, body) = output_body(op)?;
    let build = corrected_literal(
        output,
        &quote!(builder),
        &quote!(s3_runtime::rest::missing_member),
        &quote!(s3_runtime::rest::RequestIds::from_response(response)),
    )?;
    let (doc, param, take_body) = if op.streaming_output() {
        (
            "The output of a successful `response`, its body streaming.",
            quote!(mut response: http::Response<s3_runtime::body::ByteStream>),
            quote! {
                let body = std::mem::take(response.body_mut());
                let response = &response;
            },
        )
    } else {
        (
            "The output of a successful `response`.",
            quote!(response: &http::Response<bytes::Bytes>),
            quote!(),
        )
    };
    let doc = doc_lines(&format!(
        "{doc}\n\nThe client calls this; it is public for responses obtained another way (a\n\
         presigned request) and for tests."
    ));
    Ok(quote! {
        #doc
        pub fn deserialize(#param) -> Result<#output_ty, s3_runtime::error::ResponseError> {
            #take_body
            #builder
            #body
            Ok(#build)
        }

        #reader_fn
    })
}

/// The builder of `s`, initialised from the header, status and payload members of `response`;
/// `mut` when body members are still to be read into it. Nothing for a memberless structure.
fn response_builder(s: &StructureIr<'_>) -> Result<TokenStream, Error> {
    if s.members.is_empty() {
        return Ok(quote!());
    }
    let builder_ty = builder_ident(&s.name);
    let inits = response_reads(s)?;
    let has_body = s.members.iter().any(|m| m.binding == Binding::Body);
    let mutability = has_body.then(|| quote!(mut));
    let rest = (inits.len() < s.members.len()).then(|| quote!(..Default::default()));
    Ok(quote!(let #mutability builder = #builder_ty { #(#inits,)* #rest };))
}

/// `field: Option<T>` initialisers reading the header, status and payload members of `s`.
fn response_reads(s: &StructureIr<'_>) -> Result<Vec<TokenStream>, Error> {
    let mut out = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let read = match &m.binding {
            Binding::Header(name) => header_read(m, &header_const(name))?,
            Binding::PrefixHeaders(prefix) => {
                let prefix = prefix.to_ascii_lowercase();
                let read = quote!(s3_runtime::rest::prefix_headers(response, #prefix));
                if m.encoded_words {
                    quote!(#read.map(s3_runtime::rest::decode_encoded_words))
                } else {
                    read
                }
            }
            Binding::ResponseCode => quote!(Some(i32::from(response.status().as_u16()))),
            Binding::Payload(kind) => payload_read(m, *kind)?,
            Binding::Body | Binding::Label | Binding::Query(_) | Binding::QueryParams => continue,
        };
        out.push(quote!(#field: #read));
    }
    Ok(out)
}

/// An `Option<T>` expression reading a header-bound member.
fn header_read(m: &MemberIr<'_>, name: &TokenStream) -> Result<TokenStream, Error> {
    let format = format_path(format_of(m, TimestampFormat::HttpDate));
    // A function from `&str` to `Result<T, impl Error>`.
    let parse = |ty: &RustType| -> Result<TokenStream, Error> {
        Ok(match ty {
            RustType::String | RustType::BigInteger | RustType::BigDecimal => {
                quote!(|text: &str| Ok::<_, std::convert::Infallible>(text.to_owned()))
            }
            RustType::Bool => quote!(s3_runtime::rest::parse_bool),
            RustType::Byte => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<i8>(text, "an integer"))
            }
            RustType::Short => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<i16>(text, "an integer"))
            }
            RustType::Integer => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<i32>(text, "an integer"))
            }
            RustType::Long => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<i64>(text, "an integer"))
            }
            RustType::Float => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<f32>(text, "a number"))
            }
            RustType::Double => {
                quote!(|text: &str| s3_runtime::rest::parse_number::<f64>(text, "a number"))
            }
            RustType::Timestamp => {
                quote!(|text: &str| s3_runtime::time::DateTime::parse(text, #format))
            }
            RustType::Blob => quote!(|text: &str| s3_runtime::types::base64_decode(text)
                .map(bytes::Bytes::from)
                .ok_or_else(|| s3_runtime::rest::InvalidValue::new(text, "base64"))),
            RustType::Named {
                name,
                kind: NamedKind::Enum,
            } => {
                let name = ident(name);
                quote!(|text: &str| Ok::<_, std::convert::Infallible>(crate::types::#name::from(text)))
            }
            RustType::Named {
                name,
                kind: NamedKind::IntEnum,
            } => {
                let name = ident(name);
                quote!(|text: &str| s3_runtime::rest::parse_number::<i32>(text, "an integer").map(crate::types::#name::from))
            }
            other => {
                return Err(Error::new(format!(
                    "{}: {other:?} cannot be a header",
                    m.name
                )))
            }
        })
    };
    Ok(match &m.ty {
        RustType::List(list) => {
            let item = parse(&list.item)?;
            quote!(s3_runtime::rest::parse_header(response, &#name, |text| {
                s3_runtime::rest::split_header_list(text)
                    .iter()
                    .map(String::as_str)
                    .map(#item)
                    .collect::<Result<Vec<_>, _>>()
            })?)
        }
        RustType::String => quote!(s3_runtime::rest::string_header(response, &#name)),
        ty => {
            let parse = parse(ty)?;
            quote!(s3_runtime::rest::parse_header(response, &#name, #parse)?)
        }
    })
}

/// An `Option<T>` expression reading an `httpPayload` member from the body.
fn payload_read(m: &MemberIr<'_>, kind: PayloadKind) -> Result<TokenStream, Error> {
    Ok(match kind {
        PayloadKind::Xml => {
            let RustType::Named { name, .. } = &m.ty else {
                return Err(Error::new(format!(
                    "{}: an XML payload must be a structure or union",
                    m.name
                )));
            };
            let (ty, root) = (ident(name), &m.xml.name);
            quote! {
                if response.body().is_empty() {
                    None
                } else {
                    let (mut r, root) = s3_runtime::rest::xml_root(response.body(), #root)?;
                    Some(crate::types::#ty::read_xml(&mut r, &root).map_err(s3_runtime::rest::malformed)?)
                }
            }
        }
        PayloadKind::Blob { streaming: true } => quote!(Some(body)),
        PayloadKind::Blob { streaming: false } => quote!(Some(response.body().clone())),
        PayloadKind::Text => {
            let text = quote!(std::str::from_utf8(response.body()).map_err(|e| {
                s3_runtime::error::ResponseError::new("the body is not UTF-8").with_source(e)
            })?);
            match &m.ty {
                RustType::Named { name, .. } => {
                    let name = ident(name);
                    quote!(Some(crate::types::#name::from(#text)))
                }
                _ => quote!(Some(#text.to_owned())),
            }
        }
    })
}

/// The statement reading the output's body members, and the reader function it calls.
fn output_body(op: &OperationIr<'_>) -> Result<(TokenStream, TokenStream), Error> {
    let output = &op.output;
    let body_members: Vec<&MemberIr<'_>> = output
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body)
        .collect();
    if body_members.is_empty() {
        return Ok((quote!(), quote!()));
    }
    let builder_ty = builder_ident(&output.name);
    if op.unwrapped_output {
        // The root element is the member itself (see `customize::s3::unwrapped_output`).
        let m = body_members[0];
        let field = ident(&m.field);
        let root = &m.xml.name;
        let read = super::xml::read_value(&m.ty, m, 0, Growth::Reserve)?;
        // Only structures and unions read their own element's attributes.
        let child = match &m.ty {
            RustType::Named {
                kind: NamedKind::Structure | NamedKind::Union,
                ..
            } => quote!(child),
            _ => quote!(_),
        };
        return Ok((
            quote! {
                /// Reads the unwrapped body: the root element is the member itself.
                fn read_body(body: &[u8], builder: &mut #builder_ty) -> Result<(), s3_runtime::error::ResponseError> {
                    let (mut r, #child) = s3_runtime::rest::xml_root(body, #root)?;
                    let read = |r: &mut s3_runtime::xml::Reader<'_>| -> Result<_, s3_runtime::xml::XmlError> {
                        Ok(#read)
                    };
                    builder.#field = Some(read(&mut r).map_err(s3_runtime::rest::malformed)?);
                    Ok(())
                }
            },
            quote!(read_body(response.body(), &mut builder)?;),
        ));
    }
    let root = &output.xml_name;
    let children = child_loop(&output.members, Growth::Reserve)?;
    Ok((
        quote! {
            /// Reads the body members of the output, from the root element on.
            fn read_body(body: &[u8], builder: &mut #builder_ty) -> Result<(), s3_runtime::error::ResponseError> {
                let (mut r, _) = s3_runtime::rest::xml_root(body, #root)?;
                let mut read = |r: &mut s3_runtime::xml::Reader<'_>| -> Result<(), s3_runtime::xml::XmlError> {
                    #children
                    Ok(())
                };
                read(&mut r).map_err(s3_runtime::rest::malformed)
            }
        },
        // An empty body carries no members; S3 sends one for every such output.
        quote! {
            if !response.body().is_empty() {
                read_body(response.body(), &mut builder)?;
            }
        },
    ))
}

/// `deserialize_error`: the operation's error for an error response and its metadata.
pub fn error_deserializer(op: &OperationIr<'_>) -> TokenStream {
    let error_ty = format_ident!("{}Error", op.name);
    let arms = op.errors.iter().map(|e| {
        let variant = ident(e);
        quote! {
            Some(crate::types::#variant::CODE) => match crate::types::#variant::from_response(response) {
                Ok(error) => #error_ty::#variant(error),
                Err(_) => #error_ty::Unhandled(s3_runtime::error::Unhandled::new(meta.clone())),
            },
        }
    });
    let unhandled = quote!(#error_ty::Unhandled(s3_runtime::error::Unhandled::new(meta.clone())));
    let (response, body) = if op.errors.is_empty() {
        (quote!(_response), unhandled)
    } else {
        (
            quote!(response),
            quote!(match meta.code() { #(#arms)* _ => #unhandled, }),
        )
    };
    quote! {
        /// The operation's error for an error `response` whose metadata is
        /// [`s3_runtime::rest::error_metadata`] of it.
        pub fn deserialize_error(#response: &http::Response<bytes::Bytes>, meta: &s3_runtime::error::ErrorMetadata) -> #error_ty {
            #body
        }
    }
}

/// `from_response` for a modeled error: its members from the headers and the `<Error>` element,
/// wrapped in `<ErrorResponse>` or not as the protocol trait says.
pub fn error_reader(s: &StructureIr<'_>, wrapped: bool) -> Result<TokenStream, Error> {
    let builder = response_builder(s)?;
    let has_body = s.members.iter().any(|m| m.binding == Binding::Body);
    let body = has_body.then(|| -> Result<TokenStream, Error> {
        let children = child_loop(&s.members, Growth::Push)?;
        Ok(quote! {
            if let Ok((mut r, _)) = s3_runtime::rest::error_element(response.body(), #wrapped) {
                let mut read = |r: &mut s3_runtime::xml::Reader<'_>| -> Result<(), s3_runtime::xml::XmlError> {
                    #children
                    Ok(())
                };
                read(&mut r).map_err(s3_runtime::rest::malformed)?;
            }
        })
    });
    let body = body.transpose()?;
    let build = corrected_literal(
        s,
        &quote!(builder),
        &quote!(s3_runtime::rest::missing_member),
        &quote!(),
    )?;
    let response = if s.members.is_empty() {
        quote!(_response)
    } else {
        quote!(response)
    };
    Ok(quote! {
        /// This error's members from an error response.
        pub(crate) fn from_response(#response: &http::Response<bytes::Bytes>) -> Result<Self, s3_runtime::error::ResponseError> {
            #builder
            #body
            Ok(#build)
        }
    })
}
