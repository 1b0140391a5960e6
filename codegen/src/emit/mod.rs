//! Token emitters: one module per kind of generated code.

mod endpoint;
