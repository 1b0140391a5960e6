//! Service quirks the model's traits do not express, one named patch each, applied as a pass
//! over the finished IR.

pub mod s3;

use crate::ir::Ir;
use crate::Error;

/// Applies the patches of the IR's service.
pub fn apply(ir: &mut Ir<'_>) -> Result<(), Error> {
    s3::apply(ir)
}
