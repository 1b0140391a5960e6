//! Converts the model's HTML documentation to rustdoc Markdown (placeholder until the converter lands).

/// The documentation as Markdown.
pub(crate) fn to_rustdoc(html: &str) -> String {
    html.split_whitespace().collect::<Vec<_>>().join(" ")
}
