//! The `smithy.api#paginated` trait, completed from the service's and resolved to fields.

use super::{Pagination, StructureIr};
use crate::model::Traits;

/// The operation's `paginated` trait, completed from the service's, resolved to fields.
pub(super) fn pagination(
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
