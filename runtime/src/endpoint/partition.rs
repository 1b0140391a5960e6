//! The AWS partitions table behind `aws.partition`, written in Rust.
//!
//! It mirrors `partitions.json` (format 1.1), which `runtime/tests/partitions.rs` checks field by
//! field. Region regexes stay as the source writes them and are matched by a small hand-written
//! matcher for the forms the table uses, so the runtime needs no regex engine.

use super::Text;

/// One partition: its identity, how regions are assigned to it, and its outputs.
#[derive(Debug)]
pub struct Partition {
    /// The partition ID, such as `aws-cn`.
    pub id: &'static str,
    /// Regions matching this anchored regex belong to the partition unless listed elsewhere.
    pub region_regex: &'static str,
    /// Regions listed by name, sorted (they win over every regex).
    pub regions: &'static [&'static str],
    /// [`key`] of each listed region, for a search that compares integers, not strings.
    keys: &'static [u128],
    /// What `aws.partition` returns for a region of this partition.
    pub outputs: PartitionOutputs,
}

/// The `Partition` structure that `aws.partition` returns.
#[derive(Debug, PartialEq, Eq)]
pub struct PartitionOutputs {
    /// The partition ID (`name` attribute).
    pub name: &'static str,
    /// `dnsSuffix`, such as `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// `dualStackDnsSuffix`, such as `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// `supportsFIPS`.
    pub supports_fips: bool,
    /// `supportsDualStack`.
    pub supports_dual_stack: bool,
    /// `implicitGlobalRegion`: the region that global endpoints of the partition sign for.
    pub implicit_global_region: &'static str,
}

/// The regions `partitions.json` lists for `aws`.
const AWS_REGIONS: [&str; 35] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "aws-global",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The regions `partitions.json` lists for `aws-cn`.
const AWS_CN_REGIONS: [&str; 3] = ["aws-cn-global", "cn-north-1", "cn-northwest-1"];

/// The regions `partitions.json` lists for `aws-eusc`.
const AWS_EUSC_REGIONS: [&str; 1] = ["eusc-de-east-1"];

/// The regions `partitions.json` lists for `aws-iso`.
const AWS_ISO_REGIONS: [&str; 3] = ["aws-iso-global", "us-iso-east-1", "us-iso-west-1"];

/// The regions `partitions.json` lists for `aws-iso-b`.
const AWS_ISO_B_REGIONS: [&str; 2] = ["aws-iso-b-global", "us-isob-east-1"];

/// The regions `partitions.json` lists for `aws-iso-e`.
const AWS_ISO_E_REGIONS: [&str; 2] = ["aws-iso-e-global", "eu-isoe-west-1"];

/// The regions `partitions.json` lists for `aws-iso-f`.
const AWS_ISO_F_REGIONS: [&str; 3] = ["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"];

/// The regions `partitions.json` lists for `aws-us-gov`.
const AWS_US_GOV_REGIONS: [&str; 3] = ["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"];

/// The partitions in the order of `partitions.json`; `aws` comes first and is the fallback.
pub static PARTITIONS: [Partition; 8] = [
    Partition {
        id: "aws",
        region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        regions: &AWS_REGIONS,
        keys: &keys(&AWS_REGIONS),
        outputs: PartitionOutputs {
            name: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-east-1",
        },
    },
    Partition {
        id: "aws-cn",
        region_regex: r"^cn\-\w+\-\d+$",
        regions: &AWS_CN_REGIONS,
        keys: &keys(&AWS_CN_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "cn-northwest-1",
        },
    },
    Partition {
        id: "aws-eusc",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        regions: &AWS_EUSC_REGIONS,
        keys: &keys(&AWS_EUSC_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            dual_stack_dns_suffix: "api.amazonwebservices.eu",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "eusc-de-east-1",
        },
    },
    Partition {
        id: "aws-iso",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        regions: &AWS_ISO_REGIONS,
        keys: &keys(&AWS_ISO_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            dual_stack_dns_suffix: "api.aws.ic.gov",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-iso-east-1",
        },
    },
    Partition {
        id: "aws-iso-b",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        regions: &AWS_ISO_B_REGIONS,
        keys: &keys(&AWS_ISO_B_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_dns_suffix: "api.aws.scloud",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-isob-east-1",
        },
    },
    Partition {
        id: "aws-iso-e",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        regions: &AWS_ISO_E_REGIONS,
        keys: &keys(&AWS_ISO_E_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "eu-isoe-west-1",
        },
    },
    Partition {
        id: "aws-iso-f",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        regions: &AWS_ISO_F_REGIONS,
        keys: &keys(&AWS_ISO_F_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_dns_suffix: "api.aws.hci.ic.gov",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-isof-south-1",
        },
    },
    Partition {
        id: "aws-us-gov",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        regions: &AWS_US_GOV_REGIONS,
        keys: &keys(&AWS_US_GOV_REGIONS),
        outputs: PartitionOutputs {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-gov-west-1",
        },
    },
];

/// `aws.partition(region)`: the partition that lists `region` by name, else the first whose
/// regex matches it, else `aws` (so an unknown region still gets the commercial partition, as
/// the reference implementations do).
pub fn partition(region: &str) -> &'static PartitionOutputs {
    let found = listing(region)
        .map(|(p, _)| p)
        .or_else(|| PARTITIONS.iter().find(|p| p.matches_regex(region)));
    &found.unwrap_or(&PARTITIONS[0]).outputs
}

/// `value` as a [`Text`]: borrowed from the table when a partition lists it as a region (the
/// value a result most often copies, as its signing region), else copied.
pub fn to_text(value: &str) -> Text {
    match listing(value) {
        Some((_, listed)) => Text::Borrowed(listed),
        None => Text::Owned(value.to_owned()),
    }
}

/// The partition that lists `region` by name, and the name as it lists it.
fn listing(region: &str) -> Option<(&'static Partition, &'static str)> {
    let key = key(region);
    PARTITIONS.iter().find_map(|p| {
        let listed = *p.regions.get(p.keys.binary_search(&key).ok()?)?;
        (listed == region).then_some((p, listed))
    })
}

/// The first 16 bytes of `region` as a big-endian integer, zero-padded. For strings without
/// NUL bytes, keys order like the strings, so sorted regions have sorted keys; regions that
/// share their first 16 bytes would share a key, which the table test rules out.
const fn key(region: &str) -> u128 {
    let bytes = region.as_bytes();
    let len = if bytes.len() < 16 { bytes.len() } else { 16 };
    // One copy and one load rather than a shift per byte. An empty input has key 0 and
    // matches no listed region.
    let mut padded = [0; 16];
    padded
        .split_at_mut(len)
        .0
        .copy_from_slice(bytes.split_at(len).0);
    u128::from_be_bytes(padded)
}

const fn keys<const N: usize>(regions: &[&str; N]) -> [u128; N] {
    let mut keys = [0; N];
    let mut i = 0;
    while i < N {
        keys[i] = key(regions[i]);
        i += 1;
    }
    keys
}

impl Partition {
    /// Whether `region` matches [`Partition::region_regex`].
    ///
    /// The matcher knows the forms the table uses: `^`…`$` anchors, literal characters,
    /// backslash escapes of literals, `\w+` and `\d+`, and groups of literal alternatives
    /// `(a|b)`. A pattern outside that subset matches nothing.
    pub fn matches_regex(&self, region: &str) -> bool {
        let pattern = self.region_regex.as_bytes();
        match pattern {
            [b'^', inner @ .., b'$'] => matches(inner, region.as_bytes()),
            _ => false,
        }
    }
}

/// Backtracking match of the regex subset described at [`Partition::matches_regex`].
fn matches(pattern: &[u8], input: &[u8]) -> bool {
    match pattern {
        [] => input.is_empty(),
        [b'(', rest @ ..] => {
            let Some(close) = rest.iter().position(|&b| b == b')') else {
                return false;
            };
            let after = &rest[close + 1..];
            rest[..close]
                .split(|&b| b == b'|')
                .any(|alt| input.starts_with(alt) && matches(after, &input[alt.len()..]))
        }
        [b'\\', class @ (b'w' | b'd'), b'+', after @ ..] => {
            let in_class = |b: &u8| match class {
                b'w' => b.is_ascii_alphanumeric() || *b == b'_',
                _ => b.is_ascii_digit(),
            };
            let run = input.iter().take_while(|b| in_class(b)).count();
            (1..=run).rev().any(|n| matches(after, &input[n..]))
        }
        [b'\\', c, after @ ..] | [c, after @ ..] => {
            !matches!(c, b'(' | b')' | b'|' | b'+' | b'*' | b'?' | b'[' | b'\\')
                && input.first() == Some(c)
                && matches(after, &input[1..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_regions_win_then_regexes_then_aws() {
        assert_eq!(partition("us-east-1").name, "aws");
        assert_eq!(partition("aws-global").name, "aws");
        assert_eq!(partition("cn-north-1").name, "aws-cn");
        assert_eq!(partition("us-gov-west-1").name, "aws-us-gov");
        assert_eq!(partition("us-west-9").name, "aws");
        assert_eq!(partition("cn-south-7").name, "aws-cn");
        assert_eq!(partition("us-isob-west-3").name, "aws-iso-b");
        assert_eq!(partition("eusc-de-west-2").name, "aws-eusc");
        assert_eq!(partition("us-gov-central-2").name, "aws-us-gov");
        assert_eq!(partition("mars-east-1").name, "aws");
        assert_eq!(partition("").name, "aws");
    }

    #[test]
    fn listed_regions_become_text_without_a_copy() {
        assert!(matches!(to_text("us-east-1"), Text::Borrowed("us-east-1")));
        assert!(matches!(
            to_text("cn-north-1"),
            Text::Borrowed("cn-north-1")
        ));
        for unlisted in ["us-east-1x", "us-east-", "", "my-bucket"] {
            assert!(matches!(to_text(unlisted), Text::Owned(ref s) if s == unlisted));
        }
    }

    #[test]
    fn keys_are_strictly_increasing() {
        // Sorted, so binary search works; distinct, so a key names one region.
        for p in &PARTITIONS {
            assert_eq!(p.keys.len(), p.regions.len(), "{}", p.id);
            assert!(p.keys.windows(2).all(|w| w[0] < w[1]), "{}", p.id);
        }
        assert_eq!(key("aws-us-gov-global"), key("aws-us-gov-globa"));
    }

    #[test]
    fn regex_subset() {
        let aws = &PARTITIONS[0];
        assert!(aws.matches_regex("eu-west-12"));
        assert!(aws.matches_regex("mx-a_b-1"));
        assert!(!aws.matches_regex("us-gov-west-1"));
        assert!(!aws.matches_regex("us-west-1a"));
        assert!(!aws.matches_regex("us-west-"));
        assert!(!aws.matches_regex("xx-west-1"));
        assert!(!aws.matches_regex("us-east.special"));
        let odd = Partition {
            id: "x",
            region_regex: r"^a*$",
            regions: &[],
            keys: &[],
            outputs: PartitionOutputs {
                ..PARTITIONS[0].outputs
            },
        };
        assert!(!odd.matches_regex("a"));
    }
}
