//! Checks the Rust partitions table against `shared/endpoints/partitions.json`, field by field.

use s3_runtime::endpoint::{partition, PARTITIONS};
use serde_json::Value;

fn source() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/endpoints/partitions.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).expect("partitions.json is JSON")
}

fn str_field<'a>(object: &'a Value, key: &str) -> &'a str {
    object[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {object}"))
}

fn bool_field(object: &Value, key: &str) -> bool {
    object[key]
        .as_bool()
        .unwrap_or_else(|| panic!("`{key}` is not a boolean in {object}"))
}

#[test]
fn table_matches_partitions_json() {
    let source = source();
    assert_eq!(source["version"], "1.1", "the table follows format 1.1");
    let partitions = source["partitions"].as_array().expect("partitions array");
    let ids: Vec<&str> = partitions.iter().map(|p| str_field(p, "id")).collect();
    let ours: Vec<&str> = PARTITIONS.iter().map(|p| p.id).collect();
    assert_eq!(ours, ids, "same partitions in the same order");

    for (json, ours) in partitions.iter().zip(&PARTITIONS) {
        let id = ours.id;
        assert_eq!(
            ours.region_regex,
            str_field(json, "regionRegex"),
            "{id}: regionRegex"
        );

        let outputs = &json["outputs"];
        let known = [
            "name",
            "dnsSuffix",
            "dualStackDnsSuffix",
            "supportsFIPS",
            "supportsDualStack",
            "implicitGlobalRegion",
        ];
        for key in outputs.as_object().expect("outputs object").keys() {
            assert!(
                known.contains(&key.as_str()),
                "{id}: the table has no field for output `{key}`"
            );
        }
        let o = &ours.outputs;
        assert_eq!(o.name, str_field(outputs, "name"), "{id}: name");
        assert_eq!(
            o.dns_suffix,
            str_field(outputs, "dnsSuffix"),
            "{id}: dnsSuffix"
        );
        assert_eq!(
            o.dual_stack_dns_suffix,
            str_field(outputs, "dualStackDnsSuffix"),
            "{id}: dualStackDnsSuffix"
        );
        assert_eq!(
            o.supports_fips,
            bool_field(outputs, "supportsFIPS"),
            "{id}: supportsFIPS"
        );
        assert_eq!(
            o.supports_dual_stack,
            bool_field(outputs, "supportsDualStack"),
            "{id}: supportsDualStack"
        );
        assert_eq!(
            o.implicit_global_region,
            str_field(outputs, "implicitGlobalRegion"),
            "{id}: implicitGlobalRegion"
        );

        let regions = json["regions"].as_object().expect("regions object");
        let names: Vec<&str> = regions.keys().map(String::as_str).collect();
        assert_eq!(ours.regions, names.as_slice(), "{id}: regions");
        for (region, overrides) in regions {
            // The table has no per-region outputs: fail loudly if the source starts using them.
            let keys: Vec<&String> = overrides
                .as_object()
                .into_iter()
                .flat_map(|o| o.keys())
                .collect();
            assert!(
                keys.iter().all(|k| *k == "description"),
                "{id}/{region}: per-region outputs {keys:?} are not in the table"
            );
        }
    }
}

/// Every listed region resolves to its own partition, and every listed region that is not a
/// `*-global` alias also matches its partition's regex, so the hand-written matcher agrees
/// with the regexes on real data.
#[test]
fn listed_regions_resolve_and_match_their_regex() {
    for p in &PARTITIONS {
        for region in p.regions {
            assert_eq!(partition(region).name, p.id, "{region}");
            if !region.ends_with("-global") {
                assert!(
                    p.matches_regex(region),
                    "{region} should match {}",
                    p.region_regex
                );
            }
        }
    }
}
