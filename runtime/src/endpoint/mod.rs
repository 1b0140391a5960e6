//! Endpoint resolution: the resolved [`Endpoint`], the [`ResolveError`], and the rules-engine
//! standard library that the generated resolver calls.
//!
//! The generated resolver is a table-driven walk of the model's `smithy.rules#endpointBdd`
//! ([`evaluate_bdd`]); its conditions call the functions re-exported here ([`substring`],
//! [`parse_url`], [`partition`], ...) on borrowed strings, so resolving allocates only the
//! pieces of the endpoint it returns.

mod configured;
mod functions;
mod partition;
mod settings;

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

pub use configured::configured_endpoint_url;
pub use functions::{
    is_valid_host_label, is_virtual_hostable_s3_bucket, parse_arn, parse_url, split, substring,
    substring_equals, uri_encode, Arn, Segments, Url,
};
pub use partition::{partition, to_text, Partition, PartitionOutputs, PARTITIONS};
pub use settings::{check_endpoint_url, check_region, EndpointUrl};

/// A string that is usually a literal of the rule set and sometimes built from a template.
pub type Text = Cow<'static, str>;

/// Where and how to send a request, as the endpoint rules decided.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The URL to send the request to (scheme, authority and base path).
    pub url: String,
    /// Headers to add to the request: each name with its values, in rule-set order.
    pub headers: Vec<(Text, Vec<Text>)>,
    /// The `authSchemes` property: how to sign, in order of preference.
    pub auth_schemes: AuthSchemes,
    /// The `backend` property (S3 Express uses `S3Express`).
    pub backend: Option<Text>,
    /// Every other property, as the rule set wrote it.
    pub properties: Vec<(Text, Value)>,
}

impl Endpoint {
    /// An endpoint with only a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            headers: Vec::new(),
            auth_schemes: AuthSchemes::default(),
            backend: None,
            properties: Vec::new(),
        }
    }

    /// Adds the `authSchemes` property.
    pub fn with_auth_schemes(mut self, auth_schemes: impl Into<AuthSchemes>) -> Self {
        self.auth_schemes = auth_schemes.into();
        self
    }

    /// Adds the `backend` property.
    pub fn with_backend(mut self, backend: impl Into<Text>) -> Self {
        self.backend = Some(backend.into());
        self
    }

    /// Adds a header value.
    pub fn with_header(mut self, name: impl Into<Text>, values: impl Into<Vec<Text>>) -> Self {
        self.headers.push((name.into(), values.into()));
        self
    }

    /// Adds a property that has no typed field.
    pub fn with_property(mut self, name: impl Into<Text>, value: Value) -> Self {
        self.properties.push((name.into(), value));
        self
    }
}

/// The `authSchemes` endpoint property: a list of [`AuthScheme`]s. Most endpoints name one,
/// which is held inline, so that resolving them allocates nothing for it.
#[derive(Clone, Default)]
pub struct AuthSchemes(Schemes);

#[derive(Clone)]
enum Schemes {
    One([AuthScheme; 1]),
    Many(Vec<AuthScheme>),
}

impl Default for Schemes {
    fn default() -> Self {
        Schemes::Many(Vec::new())
    }
}

impl Deref for AuthSchemes {
    type Target = [AuthScheme];

    fn deref(&self) -> &[AuthScheme] {
        match &self.0 {
            Schemes::One(schemes) => schemes,
            Schemes::Many(schemes) => schemes,
        }
    }
}

/// Inline for one scheme; `N` is a constant, so the choice folds away.
impl<const N: usize> From<[AuthScheme; N]> for AuthSchemes {
    fn from(schemes: [AuthScheme; N]) -> Self {
        let mut schemes = schemes.into_iter();
        Self(match (schemes.next(), schemes.len()) {
            (Some(only), 0) => Schemes::One([only]),
            (first, _) => Schemes::Many(first.into_iter().chain(schemes).collect()),
        })
    }
}

impl From<Vec<AuthScheme>> for AuthSchemes {
    fn from(schemes: Vec<AuthScheme>) -> Self {
        Self(Schemes::Many(schemes))
    }
}

/// Equal when the lists are, however they are held.
impl PartialEq for AuthSchemes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for AuthSchemes {}

impl fmt::Debug for AuthSchemes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One entry of the `authSchemes` endpoint property.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthScheme {
    /// The scheme: `sigv4`, `sigv4a` or `sigv4-s3express`.
    pub name: Text,
    /// The service name to sign with, when it differs from the default.
    pub signing_name: Option<Text>,
    /// The region to sign with (SigV4).
    pub signing_region: Option<Text>,
    /// The regions the signature is valid in (SigV4a); `*` means all.
    pub signing_region_set: Cow<'static, [Text]>,
    /// Whether the path must be encoded once only (S3 does not double-encode).
    pub disable_double_encoding: Option<bool>,
}

impl AuthScheme {
    /// A scheme with only a name.
    pub fn new(name: impl Into<Text>) -> Self {
        Self {
            name: name.into(),
            signing_name: None,
            signing_region: None,
            signing_region_set: Cow::Borrowed(&[]),
            disable_double_encoding: None,
        }
    }

    /// Sets `signingName`.
    pub fn signing_name(mut self, value: impl Into<Text>) -> Self {
        self.signing_name = Some(value.into());
        self
    }

    /// Sets `signingRegion`.
    pub fn signing_region(mut self, value: impl Into<Text>) -> Self {
        self.signing_region = Some(value.into());
        self
    }

    /// Sets `signingRegionSet`.
    pub fn signing_region_set(mut self, value: Cow<'static, [Text]>) -> Self {
        self.signing_region_set = value;
        self
    }

    /// Sets `disableDoubleEncoding`.
    pub fn disable_double_encoding(mut self, value: bool) -> Self {
        self.disable_double_encoding = Some(value);
        self
    }
}

/// A property value of the rule set's JSON-like literal language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string, with its template already filled in.
    String(Text),
    /// A list of values.
    Array(Vec<Value>),
    /// Named values, in rule-set order.
    Object(Vec<(Text, Value)>),
}

/// Why no endpoint could be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    kind: ResolveErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ResolveErrorKind {
    /// An error rule of the rule set matched.
    Rule(Text),
    /// No rule matched at all.
    NoMatch,
    /// A rule needed a parameter or a bound value that is not set.
    Unset(&'static str),
}

impl ResolveError {
    /// An error rule matched; `message` is its message with the template filled in.
    pub fn rule(message: impl Into<Text>) -> Self {
        Self {
            kind: ResolveErrorKind::Rule(message.into()),
        }
    }

    /// No rule matched the parameters.
    pub fn no_match() -> Self {
        Self {
            kind: ResolveErrorKind::NoMatch,
        }
    }

    /// The rule that matched needs `name` (a parameter or an assigned value), which is not set.
    pub fn unset(name: &'static str) -> Self {
        Self {
            kind: ResolveErrorKind::Unset(name),
        }
    }

    /// The message of the error rule that matched, if one did.
    pub fn rule_message(&self) -> Option<&str> {
        match &self.kind {
            ResolveErrorKind::Rule(message) => Some(message),
            _ => None,
        }
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ResolveErrorKind::Rule(message) => f.write_str(message),
            ResolveErrorKind::NoMatch => f.write_str("no endpoint rule matched"),
            ResolveErrorKind::Unset(name) => {
                write!(f, "endpoint rules need `{name}`, which is not set")
            }
        }
    }
}

impl std::error::Error for ResolveError {}

impl From<ResolveError> for crate::error::BuildError {
    fn from(e: ResolveError) -> Self {
        crate::error::BuildError::endpoint(e.to_string())
    }
}

/// The value a rule needs, or [`ResolveError::unset`] naming it.
///
/// The rule set guards every reference with conditions, so this fails only if the rule set and
/// the generated code disagree; it is an error rather than a panic all the same.
#[inline]
pub fn need<T>(value: Option<T>, name: &'static str) -> Result<T, ResolveError> {
    value.ok_or_else(|| ResolveError::unset(name))
}

/// Joins template pieces into a string with a single allocation.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// A node of an endpoint BDD: condition index, then the references taken when the condition
/// is true and when it is false.
pub type BddNode = [i32; 3];

/// References at or above this value name a result: `reference - BDD_RESULT_BASE` is the result
/// index, and index 0 means "no rule matched".
pub const BDD_RESULT_BASE: i32 = 100_000_000;

/// Walks an endpoint BDD (the `smithy.rules#endpointBdd` trait) from `root` and returns the
/// index of the result it reaches; 0 means that no rule matched.
///
/// A reference `r` names node `|r| - 1`; a negative reference complements the node's condition.
/// References 1 and -1 are the true and false terminals, which mean no match. `condition(i)`
/// evaluates condition `i`; the BDD's order guarantees it is asked at most once per condition.
/// A reference outside `nodes` ends the walk with no match.
#[inline]
pub fn evaluate_bdd(nodes: &[BddNode], root: i32, mut condition: impl FnMut(i32) -> bool) -> usize {
    let mut reference = root;
    loop {
        if reference >= BDD_RESULT_BASE {
            return (reference - BDD_RESULT_BASE) as usize;
        }
        // 0 is invalid and ±1 are the terminals: none of them names a node.
        let index = reference.unsigned_abs() as usize;
        let Some(&[cond, high, low]) = nodes.get(index.wrapping_sub(1)).filter(|_| index > 1)
        else {
            return 0;
        };
        reference = if condition(cond) != (reference < 0) {
            high
        } else {
            low
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdd_walk_follows_complemented_edges_to_results() {
        // Node 2 tests condition 0 → result 1 when true, node 3 when false.
        // Node 3 is entered through a complemented edge: its condition 1 is negated.
        let nodes = [
            [-1, 1, -1],
            [0, BDD_RESULT_BASE + 1, -3],
            [1, BDD_RESULT_BASE + 2, BDD_RESULT_BASE + 3],
        ];
        assert_eq!(evaluate_bdd(&nodes, 2, |c| c == 0), 1);
        assert_eq!(evaluate_bdd(&nodes, 2, |_| false), 2);
        assert_eq!(evaluate_bdd(&nodes, 2, |c| c == 1), 3);
        assert_eq!(evaluate_bdd(&nodes, 1, |_| true), 0);
        assert_eq!(evaluate_bdd(&nodes, 9, |_| true), 0);
        assert_eq!(evaluate_bdd(&nodes, 0, |_| true), 0);
    }

    #[test]
    fn auth_schemes_compare_as_lists() {
        let sigv4 = || AuthScheme::new("sigv4").signing_region("us-east-1");
        let inline = AuthSchemes::from([sigv4()]);
        assert_eq!(inline, AuthSchemes::from(vec![sigv4()]));
        assert_ne!(inline, AuthSchemes::from([sigv4(), sigv4()]));
        let three = AuthSchemes::from([sigv4(), AuthScheme::new("sigv4a"), sigv4()]);
        assert_eq!(three[1].name, "sigv4a");
        assert_eq!(three.len(), 3);
        assert_eq!(inline.len(), 1);
        assert!(AuthSchemes::default().is_empty());
        assert_eq!(format!("{inline:?}"), format!("{:?}", [sigv4()]));
    }

    #[test]
    fn concat_joins_pieces() {
        assert_eq!(
            concat(&["https://", "b", ".s3.amazonaws.com"]),
            "https://b.s3.amazonaws.com"
        );
        assert_eq!(concat(&[]), "");
    }

    #[test]
    fn errors_say_what_failed() {
        let rule = ResolveError::rule("Invalid region: region was not a valid DNS name.");
        assert_eq!(
            rule.rule_message(),
            Some("Invalid region: region was not a valid DNS name.")
        );
        assert_eq!(
            rule.to_string(),
            "Invalid region: region was not a valid DNS name."
        );
        assert_eq!(ResolveError::no_match().rule_message(), None);
        assert_eq!(
            ResolveError::no_match().to_string(),
            "no endpoint rule matched"
        );
        assert_eq!(need::<u8>(None, "url"), Err(ResolveError::unset("url")));
        assert_eq!(
            crate::error::BuildError::from(ResolveError::unset("url")).to_string(),
            "no endpoint: endpoint rules need `url`, which is not set"
        );
    }
}
