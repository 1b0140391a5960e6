#!/usr/bin/env bash
# Clean-build cost and binary size of two equivalent small programs that call ListBuckets once:
# one through this repository's generated client (`s3-client`, a path dependency), one through
# aws-sdk-s3 with the features and versions the benches crate resolves (the repository's
# Cargo.lock is copied into both projects).
#
#   benches/build-size.sh [--runs N] [--client ours|peer|both] [--dir DIR]
#
# For each program and profile (dev, release), every run builds from an empty target directory
# and records the CPU time of the whole cargo process tree (user + sys, what bash's `time`
# reports for waited children), the wall time, the number of crates compiled, and for release
# the size of the binary after `strip`. The table gives the median of N runs (default 1) and the
# ratio peer / ours. On a shared machine, CPU time is the figure to compare: wall time moves
# with load. Downloads happen once, in a `cargo fetch` before the timed runs.
set -euo pipefail

runs=1
clients=(ours peer)
dir=
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --client)
            case $2 in
                both) clients=(ours peer) ;;
                ours | peer) clients=("$2") ;;
                *) echo "--client takes ours, peer or both" >&2; exit 2 ;;
            esac
            shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/build-size.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# Writes the project for client $1 into $dir/$1.
write_project() {
    local name=$1 project=$dir/$1
    mkdir -p "$project/src"
    cp "$repo/Cargo.lock" "$project/Cargo.lock"
    case $name in
        ours)
            cat >"$project/Cargo.toml" <<EOF
[package]
name = "list-buckets-ours"
version = "0.1.0"
edition = "2021"

[dependencies]
s3-client = { path = "$repo/generated" }
tokio = { version = "1", features = ["rt", "macros"] }

[workspace]
EOF
            cat >"$project/src/main.rs" <<'EOF'
use s3_client::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config::from_env().expect("configuration");
    let client = Client::new(&config);
    match client.list_buckets().send().await {
        Ok(out) => println!("{} buckets", out.buckets.unwrap_or_default().len()),
        Err(e) => eprintln!("{e}"),
    }
}
EOF
            ;;
        peer)
            cat >"$project/Cargo.toml" <<EOF
[package]
name = "list-buckets-peer"
version = "0.1.0"
edition = "2021"

[dependencies]
aws-sdk-s3 = { version = "1", default-features = false, features = ["rt-tokio"] }
aws-smithy-http-client = { version = "1", default-features = false, features = ["default-client"] }
tokio = { version = "1", features = ["rt", "macros"] }

[workspace]
EOF
            cat >"$project/src/main.rs" <<'EOF'
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let credentials = Credentials::new(
        env("AWS_ACCESS_KEY_ID"),
        env("AWS_SECRET_ACCESS_KEY"),
        None,
        None,
        "environment",
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(env("AWS_REGION")))
        .credentials_provider(credentials)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    match client.list_buckets().send().await {
        Ok(out) => println!("{} buckets", out.buckets().len()),
        Err(e) => eprintln!("{e}"),
    }
}
EOF
            ;;
    esac
    (cd "$project" && cargo fetch --quiet)
}

# Builds $dir/$1 in profile $2 from an empty target directory; prints "cpu wall crates size".
build_once() {
    local project=$dir/$1 profile=$2 target=$dir/target-$1-$2 timing
    rm -rf "$target"
    timing=$(
        cd "$project"
        TIMEFORMAT='%R %U %S'
        { time CARGO_TARGET_DIR=$target cargo build --locked --profile "$profile" \
            2>"$target.log"; } 2>&1
    ) || { cat "$target.log" >&2; exit 1; }
    local wall user sys crates size=-
    read -r wall user sys <<<"$timing"
    crates=$(grep -c '^ *Compiling ' "$target.log")
    if [[ $profile == release ]]; then
        local binary="$target/release/list-buckets-$1"
        strip -o "$target.stripped" "$binary"
        size=$(stat -c %s "$target.stripped")
    fi
    rm -rf "$target" "$target.stripped"
    echo "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $wall $crates $size"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A result
for client in "${clients[@]}"; do write_project "$client"; done
for ((run = 1; run <= runs; run++)); do
    for profile in dev release; do
        for client in "${clients[@]}"; do
            line=$(build_once "$client" "$profile")
            echo "run $run, $client, $profile: cpu wall crates size = $line" >&2
            result[$client.$profile]+="$line"$'\n'
        done
    done
done

# Prints the median of column $2 of the runs of $1.
figure() { printf '%s' "${result[$1]}" | awk -v c="$2" '{ print $c }' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", b / a; else print "-" }'; }

echo
echo "median of $runs run(s); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measure |$(printf ' %s |' "${clients[@]}") peer / ours |"
echo "| --- |$(printf ' --- |%.0s' "${clients[@]}") --- |"
row() {
    local label=$1 key=$2 column=$3 unit=$4 values=() client
    for client in "${clients[@]}"; do values+=("$(figure "$client.$key" "$column")"); done
    local cells="" v
    for v in "${values[@]}"; do cells+=" $(awk -v v="$v" -v u="$unit" 'BEGIN {
        if (u == "MB") printf "%.2f MB", v / 1e6; else if (u == "s") printf "%.1f s", v; else print v }') |"; done
    local r="-"
    ((${#values[@]} == 2)) && r=$(ratio "${values[0]}" "${values[1]}")
    echo "| $label |$cells $r |"
}
row "clean build CPU, debug" dev 1 s
row "clean build CPU, release" release 1 s
row "clean build wall, debug" dev 2 s
row "clean build wall, release" release 2 s
row "crates compiled" release 3 ""
row "stripped release binary" release 4 MB
