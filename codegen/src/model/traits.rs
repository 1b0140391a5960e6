//! Typed accessors for the traits the generator uses; every other trait stays JSON.

use serde_json::{Map, Value};

/// A shape's or member's traits by absolute id (`smithy.api#required`).
#[derive(Debug, Clone, Default)]
pub struct Traits(Map<String, Value>);

/// `smithy.api#http`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub code: u16,
}

/// `smithy.api#length` or `smithy.api#range` bounds, as the model writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub min: Option<Value>,
    pub max: Option<Value>,
}

/// `smithy.api#paginated`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paginated<'a> {
    pub input_token: Option<&'a str>,
    pub output_token: Option<&'a str>,
    pub items: Option<&'a str>,
    pub page_size: Option<&'a str>,
}

/// `smithy.api#error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFault {
    Client,
    Server,
}

impl Traits {
    pub fn new(traits: Map<String, Value>) -> Self {
        Self(traits)
    }

    /// The raw JSON of any trait.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// The ids of the traits applied.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    fn str(&self, id: &str) -> Option<&str> {
        self.get(id).and_then(Value::as_str)
    }

    pub fn documentation(&self) -> Option<&str> {
        self.str("smithy.api#documentation")
    }

    pub fn required(&self) -> bool {
        self.has("smithy.api#required")
    }

    pub fn sensitive(&self) -> bool {
        self.has("smithy.api#sensitive")
    }

    pub fn deprecated(&self) -> Option<&Value> {
        self.get("smithy.api#deprecated")
    }

    pub fn default_value(&self) -> Option<&Value> {
        self.get("smithy.api#default")
    }

    pub fn streaming(&self) -> bool {
        self.has("smithy.api#streaming")
    }

    pub fn enum_value(&self) -> Option<&Value> {
        self.get("smithy.api#enumValue")
    }

    pub fn http(&self) -> Option<Http<'_>> {
        let http = self.get("smithy.api#http")?;
        Some(Http {
            method: http.get("method")?.as_str()?,
            uri: http.get("uri")?.as_str()?,
            code: http
                .get("code")
                .and_then(Value::as_u64)
                .map_or(200, |c| c as u16),
        })
    }

    pub fn http_label(&self) -> bool {
        self.has("smithy.api#httpLabel")
    }

    pub fn http_query(&self) -> Option<&str> {
        self.str("smithy.api#httpQuery")
    }

    pub fn http_query_params(&self) -> bool {
        self.has("smithy.api#httpQueryParams")
    }

    pub fn http_header(&self) -> Option<&str> {
        self.str("smithy.api#httpHeader")
    }

    pub fn http_prefix_headers(&self) -> Option<&str> {
        self.str("smithy.api#httpPrefixHeaders")
    }

    pub fn http_payload(&self) -> bool {
        self.has("smithy.api#httpPayload")
    }

    pub fn http_response_code(&self) -> bool {
        self.has("smithy.api#httpResponseCode")
    }

    pub fn http_error(&self) -> Option<u16> {
        self.get("smithy.api#httpError")?.as_u64().map(|c| c as u16)
    }

    pub fn error(&self) -> Option<ErrorFault> {
        match self.str("smithy.api#error")? {
            "client" => Some(ErrorFault::Client),
            "server" => Some(ErrorFault::Server),
            _ => None,
        }
    }

    pub fn xml_name(&self) -> Option<&str> {
        self.str("smithy.api#xmlName")
    }

    pub fn xml_attribute(&self) -> bool {
        self.has("smithy.api#xmlAttribute")
    }

    pub fn xml_flattened(&self) -> bool {
        self.has("smithy.api#xmlFlattened")
    }

    /// `smithy.api#xmlNamespace`: (uri, prefix).
    pub fn xml_namespace(&self) -> Option<(&str, Option<&str>)> {
        let ns = self.get("smithy.api#xmlNamespace")?;
        Some((
            ns.get("uri")?.as_str()?,
            ns.get("prefix").and_then(Value::as_str),
        ))
    }

    pub fn timestamp_format(&self) -> Option<&str> {
        self.str("smithy.api#timestampFormat")
    }

    pub fn length(&self) -> Option<Bounds> {
        bounds(self.get("smithy.api#length")?)
    }

    pub fn range(&self) -> Option<Bounds> {
        bounds(self.get("smithy.api#range")?)
    }

    pub fn pattern(&self) -> Option<&str> {
        self.str("smithy.api#pattern")
    }

    pub fn paginated(&self) -> Option<Paginated<'_>> {
        let p = self.get("smithy.api#paginated")?;
        let field = |name| p.get(name).and_then(Value::as_str);
        Some(Paginated {
            input_token: field("inputToken"),
            output_token: field("outputToken"),
            items: field("items"),
            page_size: field("pageSize"),
        })
    }

    /// `smithy.rules#contextParam`: the endpoint parameter this member feeds.
    pub fn context_param(&self) -> Option<&str> {
        self.get("smithy.rules#contextParam")?.get("name")?.as_str()
    }

    /// `smithy.rules#staticContextParams`: endpoint parameters an operation fixes.
    pub fn static_context_params(&self) -> Option<&Map<String, Value>> {
        self.get("smithy.rules#staticContextParams")?.as_object()
    }
}

fn bounds(value: &Value) -> Option<Bounds> {
    let obj = value.as_object()?;
    Some(Bounds {
        min: obj.get("min").cloned(),
        max: obj.get("max").cloned(),
    })
}
