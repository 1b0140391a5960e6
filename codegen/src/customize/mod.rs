//! Service quirks the model's traits do not express, one named patch each.

pub mod s3;
