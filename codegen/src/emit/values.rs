//! The values of members: `@default` initialisers and the boxing of recursive members, shared
//! by the builders and the XML readers.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::ir::{MemberIr, RustType, StructureIr};
use crate::naming::ident;
use crate::Error;

/// A field's value, boxed if the member is recursive.
pub(crate) fn boxed(m: &MemberIr<'_>, value: TokenStream) -> TokenStream {
    match (m.boxed, m.optional()) {
        (false, _) => value,
        (true, true) => quote!(#value.map(Box::new)),
        (true, false) => quote!(Box::new(#value)),
    }
}

/// `value.unwrap_or(default)` for a member with a `@default` (`value` is its `Option`), or `None`
/// for a member without one.
pub(crate) fn defaulted(
    s: &StructureIr<'_>,
    m: &MemberIr<'_>,
    value: &TokenStream,
) -> Result<Option<TokenStream>, Error> {
    let Some(default) = m.default else {
        return Ok(None);
    };
    let default = default_value(&m.ty, default).ok_or_else(|| {
        Error::new(format!(
            "{}${}: unsupported default {default}",
            s.id, m.name
        ))
    })?;
    let empty = match (&m.ty, m.default) {
        (RustType::Blob | RustType::ByteStream, Some(Value::String(s))) => s.is_empty(),
        (RustType::List(_), Some(Value::Array(a))) => a.is_empty(),
        (RustType::Map(_), Some(Value::Object(o))) => o.is_empty(),
        _ => false,
    };
    Ok(Some(if empty {
        quote!(#value.unwrap_or_default())
    } else if super::is_copy(&m.ty) {
        quote!(#value.unwrap_or(#default))
    } else {
        quote!(#value.unwrap_or_else(|| #default))
    }))
}

/// The Rust expression of a `@default` value.
pub(crate) fn default_value(ty: &RustType, value: &Value) -> Option<TokenStream> {
    Some(match (ty, value) {
        (RustType::Bool, Value::Bool(b)) => quote!(#b),
        (RustType::Byte, Value::Number(n)) => number(n.as_i64()? as i8),
        (RustType::Short, Value::Number(n)) => number(n.as_i64()? as i16),
        (RustType::Integer, Value::Number(n)) => number(n.as_i64()? as i32),
        (RustType::Long, Value::Number(n)) => number(n.as_i64()?),
        (RustType::Float, Value::Number(n)) => {
            let f = Literal::f32_suffixed(n.as_f64()? as f32);
            quote!(#f)
        }
        (RustType::Double, Value::Number(n)) => {
            let f = Literal::f64_suffixed(n.as_f64()?);
            quote!(#f)
        }
        (RustType::String | RustType::BigInteger | RustType::BigDecimal, Value::String(s)) => {
            quote!(String::from(#s))
        }
        (RustType::Named { name, .. }, Value::String(s)) => {
            let name = ident(name);
            quote!(crate::types::#name::from(#s))
        }
        (RustType::Blob, Value::String(s)) if s.is_empty() => quote!(bytes::Bytes::new()),
        (RustType::ByteStream, Value::String(s)) if s.is_empty() => {
            quote!(s3_runtime::body::ByteStream::default())
        }
        (RustType::Timestamp, Value::Number(n)) => {
            let secs = n.as_i64()?;
            quote!(s3_runtime::time::DateTime::from_secs(#secs))
        }
        (RustType::List(_), Value::Array(a)) if a.is_empty() => quote!(Vec::new()),
        (RustType::Map(_), Value::Object(o)) if o.is_empty() => {
            quote!(std::collections::BTreeMap::new())
        }
        _ => return None,
    })
}

fn number<T: Into<i64>>(n: T) -> TokenStream {
    let n: i64 = n.into();
    let lit = Literal::i64_unsuffixed(n);
    quote!(#lit)
}
