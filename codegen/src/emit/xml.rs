//! restXml bodies: `write_xml` and `read_xml` for structures and unions, and the member-level
//! code the operation serializers and deserializers share.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{builder_ident, lit};
use crate::ir::{
    Binding, MemberIr, NamedKind, RustType, StructureIr, TimestampFormat, XmlNamespace,
};
use crate::naming::ident;
use crate::Error;

/// The `xmlns` attribute pair of a namespace.
pub fn namespace_attr(ns: Option<XmlNamespace<'_>>) -> TokenStream {
    match ns {
        Some(XmlNamespace {
            uri,
            prefix: Some(prefix),
        }) => {
            let key = format!("xmlns:{prefix}");
            quote!((#key, #uri))
        }
        Some(XmlNamespace { uri, prefix: None }) => quote!(("xmlns", #uri)),
        None => quote!(),
    }
}

/// The `impl` with `write_xml` and/or `read_xml` a structure or union needs.
pub fn impls(s: &StructureIr<'_>, union: bool) -> Result<TokenStream, Error> {
    if !s.xml_write && !s.xml_read {
        return Ok(quote!());
    }
    let name = ident(&s.name);
    let write = if !s.xml_write {
        quote!()
    } else if union {
        union_writer(s)?
    } else {
        struct_writer(s)?
    };
    let read = if !s.xml_read {
        quote!()
    } else if union {
        union_reader(s)?
    } else {
        struct_reader(s)?
    };
    Ok(quote! {
        impl #name {
            #write
            #read
        }
    })
}

fn struct_writer(s: &StructureIr<'_>) -> Result<TokenStream, Error> {
    let (attributes, elements): (Vec<_>, Vec<_>) = s.members.iter().partition(|m| m.xml.attribute);
    let mut body = TokenStream::new();
    for m in &elements {
        let field = ident(&m.field);
        let write = write_member(m, &quote!(value))?;
        body.extend(if m.optional() {
            quote!(if let Some(value) = &self.#field { #write })
        } else {
            quote!({ let value = &self.#field; #write })
        });
    }
    let start = if attributes.is_empty() {
        quote!(w.start(name, attributes);)
    } else {
        let pushes = attributes.iter().map(|m| {
            let field = ident(&m.field);
            let key = &m.xml.name;
            let text = to_text(&m.ty, &quote!(value), TimestampFormat::DateTime);
            if m.optional() {
                quote!(let #field = self.#field.as_ref().map(|value| #text.to_string());
                       if let Some(text) = &#field { all.push((#key, text.as_str())); })
            } else {
                quote!(let #field = { let value = &self.#field; #text.to_string() };
                       all.push((#key, #field.as_str()));)
            }
        });
        quote! {
            let mut all = attributes.to_vec();
            #(#pushes)*
            w.start(name, &all);
        }
    };
    let allow = super::allow_deprecated(s);
    Ok(quote! {
        /// Writes this value as the element `name` with `attributes`.
        #allow
        pub(crate) fn write_xml(&self, w: &mut s3_runtime::xml::Writer, name: &'static str, attributes: &[(&'static str, &str)]) {
            #start
            #body
            w.end(name);
        }
    })
}

fn union_writer(u: &StructureIr<'_>) -> Result<TokenStream, Error> {
    let mut arms = Vec::new();
    for m in &u.members {
        let variant = ident(&m.variant);
        let write = write_member(m, &quote!(value))?;
        arms.push(quote!(Self::#variant(value) => { #write }));
    }
    Ok(quote! {
        /// Writes this value as the element `name` with `attributes`; `Unknown` writes no member.
        pub(crate) fn write_xml(&self, w: &mut s3_runtime::xml::Writer, name: &'static str, attributes: &[(&'static str, &str)]) {
            w.start(name, attributes);
            match self {
                #(#arms)*
                Self::Unknown => {}
            }
            w.end(name);
        }
    })
}

/// Writes one member's value (`value: &T`) as its element(s).
pub fn write_member(m: &MemberIr<'_>, value: &TokenStream) -> Result<TokenStream, Error> {
    let name = &m.xml.name;
    let ns = namespace_attr(m.xml.namespace);
    let format = m.timestamp_format.unwrap_or(TimestampFormat::DateTime);
    if m.xml.flattened {
        let RustType::List(list) = &m.ty else {
            return write_value(&m.ty, value, &quote!(#name), &ns, format, m);
        };
        let item_format = list
            .item_timestamp_format
            .unwrap_or(TimestampFormat::DateTime);
        let write = write_value(
            &list.item,
            &quote!(item),
            &quote!(#name),
            &ns,
            item_format,
            m,
        )?;
        return Ok(quote!(for item in #value { #write }));
    }
    write_value(&m.ty, value, &quote!(#name), &ns, format, m)
}

fn write_value(
    ty: &RustType,
    value: &TokenStream,
    name: &TokenStream,
    ns: &TokenStream,
    format: TimestampFormat,
    m: &MemberIr<'_>,
) -> Result<TokenStream, Error> {
    Ok(match ty {
        RustType::Named {
            kind: NamedKind::Structure | NamedKind::Union,
            ..
        } => quote!(#value.write_xml(w, #name, &[#ns]);),
        RustType::List(list) => {
            let item_name = &list.item_xml_name;
            let item_format = list
                .item_timestamp_format
                .unwrap_or(TimestampFormat::DateTime);
            let item = write_value(
                &list.item,
                &quote!(item),
                &quote!(#item_name),
                &quote!(),
                item_format,
                m,
            )?;
            quote! {
                w.start(#name, &[#ns]);
                for item in #value { #item }
                w.end(#name);
            }
        }
        RustType::Map(map) => {
            let (key_name, value_name) = (&map.key_xml_name, &map.value_xml_name);
            let key = write_value(
                &map.key,
                &quote!(key),
                &quote!(#key_name),
                &quote!(),
                format,
                m,
            )?;
            let val = write_value(
                &map.value,
                &quote!(value),
                &quote!(#value_name),
                &quote!(),
                format,
                m,
            )?;
            let entry = quote!(w.start("entry", &[]); #key #val w.end("entry"););
            quote! {
                w.start(#name, &[#ns]);
                for (key, value) in #value { #entry }
                w.end(#name);
            }
        }
        RustType::Document => {
            return Err(Error::new(format!(
                "member {}: restXml cannot carry documents",
                m.name
            )))
        }
        _ => {
            let text = to_text(ty, value, format);
            if ns.is_empty() {
                quote!(w.element(#name, #text);)
            } else {
                quote!(w.start(#name, &[#ns]); w.text(#text); w.end(#name);)
            }
        }
    })
}

/// A `&str` expression: the text of a simple value (`value: &T`), borrowed for one statement.
pub fn to_text(ty: &RustType, value: &TokenStream, format: TimestampFormat) -> TokenStream {
    let format = format_path(format);
    match ty {
        RustType::String | RustType::BigInteger | RustType::BigDecimal => quote!(#value.as_str()),
        RustType::Bool => quote!(if *#value { "true" } else { "false" }),
        RustType::Byte | RustType::Short | RustType::Integer | RustType::Long => {
            quote!(&#value.to_string())
        }
        RustType::Float | RustType::Double => {
            quote!(&s3_runtime::rest::fmt_float(f64::from(*#value)))
        }
        RustType::Timestamp => quote!(&#value.format(#format)),
        RustType::Blob => quote!(&s3_runtime::types::base64_encode(#value)),
        // The IR keeps streams to payloads, which are not text.
        RustType::ByteStream => quote!(compile_error!("a stream is not text")),
        RustType::Named {
            kind: NamedKind::IntEnum,
            ..
        } => quote!(&#value.as_i32().to_string()),
        _ => quote!(#value.as_str()),
    }
}

pub fn format_path(format: TimestampFormat) -> TokenStream {
    match format {
        TimestampFormat::DateTime => quote!(s3_runtime::time::Format::DateTime),
        TimestampFormat::HttpDate => quote!(s3_runtime::time::Format::HttpDate),
        TimestampFormat::EpochSeconds => quote!(s3_runtime::time::Format::EpochSeconds),
    }
}

fn struct_reader(s: &StructureIr<'_>) -> Result<TokenStream, Error> {
    if s.members.is_empty() {
        let name = ident(&s.name);
        return Ok(quote! {
            /// Reads this value from the element the reader is in, consuming it.
            pub(crate) fn read_xml(
                r: &mut s3_runtime::xml::Reader<'_>,
                _element: &s3_runtime::xml::Element<'_>,
            ) -> Result<Self, s3_runtime::xml::XmlError> {
                r.skip()?;
                Ok(#name {})
            }
        });
    }
    let builder = builder_ident(&s.name);
    let attributes = attribute_reads(&s.members, &quote!(element))?;
    let element = if attributes.is_empty() {
        quote!(_element)
    } else {
        quote!(element)
    };
    let children = child_loop(&s.members, Growth::Push)?;
    let build = corrected_literal(
        s,
        &quote!(builder),
        &quote!(s3_runtime::xml::XmlError::missing_element),
        &quote!(),
    )?;
    let allow = super::allow_deprecated(s);
    Ok(quote! {
        /// Reads this value from the element the reader is in (`element`), consuming it.
        #allow
        pub(crate) fn read_xml(
            r: &mut s3_runtime::xml::Reader<'_>,
            #element: &s3_runtime::xml::Element<'_>,
        ) -> Result<Self, s3_runtime::xml::XmlError> {
            let mut builder = #builder::default();
            #attributes
            #children
            Ok(#build)
        }
    })
}

fn union_reader(u: &StructureIr<'_>) -> Result<TokenStream, Error> {
    let mut arms = Vec::new();
    for m in &u.members {
        let variant = ident(&m.variant);
        let name = proc_macro2::Literal::byte_string(m.xml.name.as_bytes());
        let read = read_value(&m.ty, m, 0, Growth::Push)?;
        arms.push(quote!(#name => Some(Self::#variant(#read)),));
    }
    Ok(quote! {
        /// Reads this value from the element the reader is in; its first known member wins.
        pub(crate) fn read_xml(
            r: &mut s3_runtime::xml::Reader<'_>,
            _element: &s3_runtime::xml::Element<'_>,
        ) -> Result<Self, s3_runtime::xml::XmlError> {
            let mut value = None;
            while let Some(child) = r.next_child()? {
                if value.is_some() {
                    r.skip()?;
                    continue;
                }
                value = match child.local_name() {
                    #(#arms)*
                    _ => {
                        r.skip()?;
                        None
                    }
                };
            }
            Ok(value.unwrap_or(Self::Unknown))
        }
    })
}

/// Reads the XML attributes of `members` from `element` into `builder`.
fn attribute_reads(members: &[MemberIr<'_>], element: &TokenStream) -> Result<TokenStream, Error> {
    let mut out = TokenStream::new();
    for m in members.iter().filter(|m| m.xml.attribute) {
        let field = ident(&m.field);
        let key = &m.xml.name;
        let parse = parse_text(&m.ty, m, &quote!(text), &quote!(#key))?;
        out.extend(quote! {
            if let Some(text) = #element.attribute(#key)? {
                builder.#field = Some(#parse);
            }
        });
    }
    Ok(out)
}

/// How a list being read grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Growth {
    /// Room reserved after the first item from what the rest of the body could hold
    /// (`Reader::push_item`): for the lists of an operation's output, which may span the body.
    Reserve,
    /// By `Vec::push` alone: for lists inside structures, of which a body may hold thousands,
    /// each ending long before the body does.
    Push,
}

impl Growth {
    /// The statement adding `item` to `items`, a `&mut Vec` expression, after reading the item
    /// from `element`.
    fn push(self, items: TokenStream, element: TokenStream) -> TokenStream {
        match self {
            Growth::Reserve => quote!(r.push_item(#items, &#element, item);),
            Growth::Push => quote!(Vec::push(#items, item);),
        }
    }
}

/// The loop over an element's children that fills `builder` from the body members.
pub fn child_loop(members: &[MemberIr<'_>], growth: Growth) -> Result<TokenStream, Error> {
    let mut arms = Vec::new();
    for m in members
        .iter()
        .filter(|m| m.binding == Binding::Body && !m.xml.attribute)
    {
        let field = ident(&m.field);
        let name = proc_macro2::Literal::byte_string(m.xml.name.as_bytes());
        let arm = match &m.ty {
            RustType::List(list) if m.xml.flattened => {
                let read = read_value(&list.item, m, 0, Growth::Push)?;
                let push = growth.push(
                    quote!(builder.#field.get_or_insert_with(Vec::new)),
                    quote!(child),
                );
                quote!(#name => {
                    let item = #read;
                    #push
                })
            }
            RustType::Map(map) if m.xml.flattened => {
                let entry = map_entry(map, m, 0)?;
                quote!(#name => {
                    if let Some((key, value)) = #entry {
                        builder.#field.get_or_insert_with(std::collections::BTreeMap::new).insert(key, value);
                    }
                })
            }
            _ => {
                let read = read_value(&m.ty, m, 0, growth)?;
                quote!(#name => builder.#field = Some(#read),)
            }
        };
        arms.push(arm);
    }
    if arms.is_empty() {
        return Ok(quote!(r.skip()?;));
    }
    Ok(quote! {
        while let Some(child) = r.next_child()? {
            match child.local_name() {
                #(#arms)*
                _ => r.skip()?,
            }
        }
    })
}

/// An expression reading the value of type `ty` from the element the reader is in; a list
/// grows as `growth` says.
pub fn read_value(
    ty: &RustType,
    m: &MemberIr<'_>,
    depth: usize,
    growth: Growth,
) -> Result<TokenStream, Error> {
    let element = lit(&m.xml.name);
    Ok(match ty {
        RustType::Named {
            name,
            kind: NamedKind::Structure | NamedKind::Union,
        } => {
            let name = ident(name);
            let child = child_ident(depth);
            quote!(crate::types::#name::read_xml(r, &#child)?)
        }
        RustType::List(list) => {
            let item_name = proc_macro2::Literal::byte_string(list.item_xml_name.as_bytes());
            let item = child_ident(depth + 1);
            let read = read_value(&list.item, m, depth + 1, Growth::Push)?;
            let push = growth.push(quote!(&mut items), quote!(#item));
            quote!({
                let mut items = Vec::new();
                while let Some(#item) = r.next_child()? {
                    if #item.local_name() == #item_name {
                        let item = #read;
                        #push
                    } else {
                        r.skip()?;
                    }
                }
                items
            })
        }
        RustType::Map(map) => {
            let entry = child_ident(depth + 1);
            let read_entry = map_entry(map, m, depth + 1)?;
            quote!({
                let mut map = std::collections::BTreeMap::new();
                while let Some(#entry) = r.next_child()? {
                    if #entry.local_name() != b"entry" {
                        r.skip()?;
                    } else if let Some((key, value)) = #read_entry {
                        map.insert(key, value);
                    }
                }
                map
            })
        }
        RustType::Document => {
            return Err(Error::new(format!(
                "member {}: restXml cannot carry documents",
                m.name
            )))
        }
        _ => {
            let parse = parse_text(ty, m, &quote!(text), &quote!(#element))?;
            match m.empty_value {
                Some(empty) => quote!({
                    let text = r.text()?;
                    let text = if text.is_empty() { std::borrow::Cow::Borrowed(#empty) } else { text };
                    #parse
                }),
                None => quote!({ let text = r.text()?; #parse }),
            }
        }
    })
}

/// Reads one map entry (`<key>…</key><value>…</value>`); `None` if either is missing.
fn map_entry(
    map: &crate::ir::MapType,
    m: &MemberIr<'_>,
    depth: usize,
) -> Result<TokenStream, Error> {
    let (key_name, value_name) = (
        proc_macro2::Literal::byte_string(map.key_xml_name.as_bytes()),
        proc_macro2::Literal::byte_string(map.value_xml_name.as_bytes()),
    );
    let part = child_ident(depth + 1);
    let key = read_value(&map.key, m, depth + 1, Growth::Push)?;
    let value = read_value(&map.value, m, depth + 1, Growth::Push)?;
    Ok(quote!({
        let (mut key, mut value) = (None, None);
        while let Some(#part) = r.next_child()? {
            match #part.local_name() {
                #key_name => key = Some(#key),
                #value_name => value = Some(#value),
                _ => r.skip()?,
            }
        }
        key.zip(value)
    }))
}

fn child_ident(depth: usize) -> Ident {
    if depth == 0 {
        format_ident!("child")
    } else {
        format_ident!("child{}", depth)
    }
}

/// Parses `text: &str` as a simple value of `ty` inside an XML body, or fails with `XmlError`.
fn parse_text(
    ty: &RustType,
    m: &MemberIr<'_>,
    text: &TokenStream,
    element: &TokenStream,
) -> Result<TokenStream, Error> {
    let format = m.timestamp_format.unwrap_or(TimestampFormat::DateTime);
    let invalid = |expected: &str| quote!(|_| s3_runtime::xml::XmlError::invalid_value(#element, &#text, #expected));
    Ok(match ty {
        RustType::String | RustType::BigInteger | RustType::BigDecimal => {
            quote!(#text.into_owned())
        }
        RustType::Bool => quote!(s3_runtime::xml::parse_bool(#element, &#text)?),
        RustType::Byte => {
            quote!(s3_runtime::xml::parse_number::<i8>(#element, &#text, "an integer")?)
        }
        RustType::Short => {
            quote!(s3_runtime::xml::parse_number::<i16>(#element, &#text, "an integer")?)
        }
        RustType::Integer => {
            quote!(s3_runtime::xml::parse_number::<i32>(#element, &#text, "an integer")?)
        }
        RustType::Long => {
            quote!(s3_runtime::xml::parse_number::<i64>(#element, &#text, "an integer")?)
        }
        RustType::Float => {
            quote!(s3_runtime::xml::parse_number::<f32>(#element, &#text, "a number")?)
        }
        RustType::Double => {
            quote!(s3_runtime::xml::parse_number::<f64>(#element, &#text, "a number")?)
        }
        RustType::Timestamp => {
            let path = format_path(format);
            let err = invalid("a timestamp");
            quote!(s3_runtime::time::DateTime::parse(&#text, #path).map_err(#err)?)
        }
        RustType::Blob => {
            let err = invalid("base64");
            quote!(bytes::Bytes::from(s3_runtime::types::base64_decode(&#text).ok_or(()).map_err(#err)?))
        }
        // The IR keeps streams to payloads, which are not text.
        RustType::ByteStream => quote!(compile_error!("a stream is not text")),
        RustType::Named {
            name,
            kind: NamedKind::Enum,
        } => {
            let name = ident(name);
            quote!(crate::types::#name::from(&*#text))
        }
        RustType::Named {
            name,
            kind: NamedKind::IntEnum,
        } => {
            let name = ident(name);
            quote!(crate::types::#name::from(s3_runtime::xml::parse_number::<i32>(#element, &#text, "an integer")?))
        }
        _ => {
            return Err(Error::new(format!(
                "member {}: {ty:?} is not a simple XML value",
                m.name
            )))
        }
    })
}

/// The struct literal built from a filled `builder`, with Smithy's error correction: a missing
/// required member takes its type's zero value, except structures and unions, which have none
/// and make `missing` fail naming the member. Outputs get `request_ids`.
pub fn corrected_literal(
    s: &StructureIr<'_>,
    builder: &TokenStream,
    missing: &TokenStream,
    request_ids: &TokenStream,
) -> Result<TokenStream, Error> {
    let name = ident(&s.name);
    let type_name = lit(&s.name);
    let mut inits = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let label = lit(&m.xml.name);
        let init = if let Some(init) = super::values::defaulted(s, m, &quote!(#builder.#field))? {
            init
        } else if !m.required {
            quote!(#builder.#field)
        } else {
            match &m.ty {
                RustType::Named {
                    kind: NamedKind::Structure | NamedKind::Union,
                    ..
                } => {
                    quote!(#builder.#field.ok_or_else(|| #missing(#type_name, #label))?)
                }
                RustType::Named {
                    name,
                    kind: NamedKind::Enum,
                } => {
                    let name = ident(name);
                    quote!(#builder.#field.unwrap_or_else(|| crate::types::#name::from("")))
                }
                RustType::Named {
                    name,
                    kind: NamedKind::IntEnum,
                } => {
                    let name = ident(name);
                    quote!(#builder.#field.unwrap_or_else(|| crate::types::#name::from(0)))
                }
                _ => quote!(#builder.#field.unwrap_or_default()),
            }
        };
        let init = super::values::boxed(m, init);
        inits.push(quote!(#field: #init));
    }
    let extra = (s.role == crate::ir::Role::Output).then(|| quote!(request_ids: #request_ids,));
    Ok(quote!(#name { #(#inits,)* #extra }))
}
