//! `getAttr` paths (`a.b[2]`): parsed into steps, and applied to typed values.

use proc_macro2::Literal;
use quote::quote;

use super::typed::{apply, Ty, Typed};

/// One step of a `getAttr` path.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(i64),
}

/// Parses `a.b[2]` into keys and indexes.
pub(super) fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => {
                let digits = rest
                    .strip_suffix(']')
                    .ok_or_else(|| format!("bad getAttr path {path:?}"))?;
                let index = digits
                    .parse::<i64>()
                    .map_err(|_| format!("bad index in getAttr path {path:?}"))?;
                (key, Some(index))
            }
            None => (part, None),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        steps.extend(index.map(Step::Index));
        if key.is_empty() && index.is_none() {
            return Err(format!("bad getAttr path {path:?}"));
        }
    }
    Ok(steps)
}

/// One `getAttr` step on a typed value.
pub(super) fn attr(value: Typed, step: &Step) -> Result<Typed, String> {
    let (access, ty, opt) = match (value.ty, step) {
        (Ty::Array, Step::Index(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            (quote!(get(#i)), Ty::Str, true)
        }
        (ty, Step::Key(key)) => {
            let (access, ty) = match (ty, key.as_str()) {
                (Ty::Url, "scheme") => (quote!(scheme), Ty::Str),
                (Ty::Url, "authority") => (quote!(authority), Ty::Str),
                (Ty::Url, "path") => (quote!(path), Ty::Str),
                (Ty::Url, "normalizedPath") => (quote!(normalized_path()), Ty::CowStr),
                (Ty::Url, "isIp") => (quote!(is_ip), Ty::Bool),
                (Ty::Arn, "partition") => (quote!(partition), Ty::Str),
                (Ty::Arn, "service") => (quote!(service), Ty::Str),
                (Ty::Arn, "region") => (quote!(region), Ty::Str),
                (Ty::Arn, "accountId") => (quote!(account_id), Ty::Str),
                (Ty::Arn, "resourceId") => (quote!(resource_id()), Ty::Array),
                (Ty::Partition, "name") => (quote!(name), Ty::StaticStr),
                (Ty::Partition, "dnsSuffix") => (quote!(dns_suffix), Ty::StaticStr),
                (Ty::Partition, "dualStackDnsSuffix") => {
                    (quote!(dual_stack_dns_suffix), Ty::StaticStr)
                }
                (Ty::Partition, "supportsFIPS") => (quote!(supports_fips), Ty::Bool),
                (Ty::Partition, "supportsDualStack") => (quote!(supports_dual_stack), Ty::Bool),
                (Ty::Partition, "implicitGlobalRegion") => {
                    (quote!(implicit_global_region), Ty::StaticStr)
                }
                _ => return Err(format!("no attribute `{key}` on {ty:?}")),
            };
            (access, ty, false)
        }
        (ty, step) => return Err(format!("cannot apply {step:?} to {ty:?}")),
    };
    Ok(apply(vec![value], ty, opt, None, |a| {
        let x = &a[0];
        quote!(#x.#access)
    }))
}
