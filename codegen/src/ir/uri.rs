//! `smithy.api#http` URI templates, parsed once at generation time.

use super::{Binding, StructureIr};

/// A parsed URI template: `/{Bucket}/{Key+}?x-id=GetObject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    /// The path's segments, in order.
    pub path: Vec<PathSegment>,
    /// Literal query parameters (`?location` has no value).
    pub query: Vec<(String, Option<String>)>,
}

/// One `/`-separated segment of a URI path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Literal(String),
    /// A label bound to an input member, by its Rust field name; greedy labels keep `/`.
    Label {
        field: String,
        greedy: bool,
    },
}

impl UriTemplate {
    /// Parses `uri`, checking each label against the input's `httpLabel` members.
    pub fn parse(uri: &str, input: &StructureIr<'_>) -> Result<Self, String> {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let path = path
            .strip_prefix('/')
            .ok_or_else(|| format!("URI `{uri}` does not start with `/`"))?;
        let mut segments = Vec::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            let Some(label) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                if segment.contains(['{', '}']) {
                    return Err(format!("URI `{uri}`: a label must be a whole segment"));
                }
                segments.push(PathSegment::Literal(segment.to_owned()));
                continue;
            };
            let (name, greedy) = match label.strip_suffix('+') {
                Some(name) => (name, true),
                None => (label, false),
            };
            let member = input
                .members
                .iter()
                .find(|m| m.name == name && m.binding == Binding::Label)
                .ok_or_else(|| format!("URI `{uri}`: label `{name}` has no httpLabel member"))?;
            if !member.required {
                return Err(format!(
                    "URI `{uri}`: label member `{name}` must be required"
                ));
            }
            segments.push(PathSegment::Label {
                field: member.field.clone(),
                greedy,
            });
        }
        let labels = segments
            .iter()
            .filter(|s| matches!(s, PathSegment::Label { .. }))
            .count();
        let bound = input
            .members
            .iter()
            .filter(|m| m.binding == Binding::Label)
            .count();
        if labels != bound {
            return Err(format!("URI `{uri}` does not use every httpLabel member"));
        }
        let query = query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (pair.to_owned(), None),
            })
            .collect();
        Ok(Self {
            path: segments,
            query,
        })
    }
}
