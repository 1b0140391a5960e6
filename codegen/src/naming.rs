//! Every Rust name the generator emits is decided here, once.
//!
//! heck does the case conversion; a small override table fixes the words heck splits badly, and
//! Rust keywords become raw identifiers (or get a suffix where raw identifiers are not allowed).

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words heck splits wrongly, by their model spelling, with the snake_case form we want.
///
/// Each entry is applied to whole words of a member name before conversion, so `IfMatchETag`
/// and `ETag` both come out right.
const SNAKE_OVERRIDES: &[(&str, &str)] = &[("ETag", "Etag")];

/// Keywords that can be raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NON_RAW_KEYWORDS: &[&str] = &["crate", "self", "super", "Self"];

/// Type names the generated code or the prelude relies on, which a shape must not shadow.
const RESERVED_TYPE_NAMES: &[&str] = &["Self", "Option", "Result", "String", "Vec", "Box"];

fn apply_overrides(name: &str) -> String {
    SNAKE_OVERRIDES
        .iter()
        .fold(name.to_owned(), |name, (from, to)| name.replace(from, to))
}

/// A field, function or module name: `GrantReadACP` → `grant_read_acp`, `Type` → `r#type`.
pub fn snake(name: &str) -> String {
    escape_value_name(apply_overrides(name).to_snake_case())
}

/// A type name: `BucketCannedACL` → `BucketCannedAcl`; names that would shadow prelude types or
/// are keywords get a `Value` suffix: `Result` → `ResultValue`.
pub fn type_name(name: &str) -> String {
    let camel = apply_overrides(name).to_upper_camel_case();
    if RESERVED_TYPE_NAMES.contains(&camel.as_str()) {
        format!("{camel}Value")
    } else {
        camel
    }
}

/// An enum variant: like [`type_name`], and `Unknown` is taken by the forward-compatible variant.
pub fn variant_name(name: &str) -> String {
    let name = type_name(name);
    // Enum members such as `1x` or `_2` would not start with a letter.
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("V{name}")
    } else {
        name
    };
    if name == "Unknown" {
        "UnknownValue".to_owned()
    } else {
        name
    }
}

/// The client setting for an endpoint parameter: the standard built-ins keep the names every AWS
/// SDK uses (`SDK::Endpoint` is `endpoint_url`), the rest are their parameter's name.
pub fn endpoint_setting(param: &str, builtin: Option<&str>) -> String {
    match builtin {
        Some("AWS::Region") => "region".to_owned(),
        Some("SDK::Endpoint") => "endpoint_url".to_owned(),
        _ => snake(param),
    }
}

/// A `SCREAMING_SNAKE` constant name.
pub fn constant(name: &str) -> String {
    apply_overrides(name).to_snake_case().to_uppercase()
}

fn escape_value_name(name: String) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("v{name}")
    } else {
        name
    };
    if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The identifier for a name from this module (`r#type` becomes a raw identifier).
pub fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_members() {
        let cases = [
            ("Bucket", "bucket"),
            ("GrantReadACP", "grant_read_acp"),
            ("ETag", "etag"),
            ("IfMatchETag", "if_match_etag"),
            ("ChecksumCRC32C", "checksum_crc32c"),
            ("SSEKMSKeyId", "ssekms_key_id"),
            ("Type", "r#type"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("Error", "error"),
            ("MaxBuckets", "max_buckets"),
            ("x-amz-id", "x_amz_id"),
            ("2Fast", "v2fast"),
        ];
        for (model, rust) in cases {
            assert_eq!(snake(model), rust, "{model}");
        }
    }

    #[test]
    fn type_names() {
        let cases = [
            ("BucketCannedACL", "BucketCannedAcl"),
            ("CRC32C", "Crc32c"),
            ("ETag", "Etag"),
            ("Type", "Type"),
            ("Self", "SelfValue"),
            ("Result", "ResultValue"),
            ("Error", "Error"),
        ];
        for (model, rust) in cases {
            assert_eq!(type_name(model), rust, "{model}");
        }
    }

    #[test]
    fn variants() {
        assert_eq!(variant_name("af_south_1"), "AfSouth1");
        assert_eq!(variant_name("STANDARD_IA"), "StandardIa");
        assert_eq!(variant_name("Unknown"), "UnknownValue");
        assert_eq!(variant_name("Self"), "SelfValue");
        assert_eq!(variant_name("1x"), "V1x");
    }

    #[test]
    fn endpoint_settings() {
        assert_eq!(
            endpoint_setting("Endpoint", Some("SDK::Endpoint")),
            "endpoint_url"
        );
        assert_eq!(endpoint_setting("Region", Some("AWS::Region")), "region");
        assert_eq!(
            endpoint_setting("UseFIPS", Some("AWS::UseFIPS")),
            "use_fips"
        );
        assert_eq!(endpoint_setting("ForcePathStyle", None), "force_path_style");
    }

    #[test]
    fn raw_identifiers() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("bucket").to_string(), "bucket");
    }
}
