//! Converts the model's HTML documentation to rustdoc Markdown (in progress).
