//! Generator speed on the real S3 model: loading it, generating the pinned selection, and
//! generating every operation of the service. Goals: the selection in at most 1 s, the whole
//! model in at most 5 s.
//!
//! Needs `model/s3.json` (see `model/selection.json`). Run with
//! `cargo bench -p s3-benches --bench codegen`.

use std::fs;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use s3_codegen::ir::Ir;
use s3_codegen::{Model, Selection};

fn codegen(c: &mut Criterion) {
    let pin = xtask::Pin::load(&xtask::repo_root()).expect("model/selection.json");
    let json =
        fs::read_to_string(&pin.model_path).expect("model/s3.json: see model/selection.json");
    let model = pin.read_model().expect("the pinned model");
    let all = Selection {
        service: pin.selection.service.clone(),
        operations: Ir::all_operation_names(&model, &pin.selection.service)
            .expect("the service's operations"),
    };

    let mut load = c.benchmark_group("load");
    load.sample_size(10)
        .throughput(Throughput::Bytes(json.len() as u64));
    load.bench_function("from_json", |b| {
        b.iter(|| Model::from_json(&json).expect("the model parses"))
    });
    load.bench_function("read_model (read, sha256, parse)", |b| {
        b.iter(|| pin.read_model().expect("the pinned model"))
    });
    load.finish();

    let mut generate = c.benchmark_group("generate");
    generate
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for (name, selection) in [("selection", &pin.selection), ("all operations", &all)] {
        let files = s3_codegen::generate(&model, selection).expect("generation succeeds");
        let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
        eprintln!(
            "generate/{name}: {} operations -> {} files, {bytes} bytes",
            selection.operations.len(),
            files.len(),
        );
        generate.throughput(Throughput::Elements(selection.operations.len() as u64));
        generate.bench_function(name, |b| {
            b.iter(|| s3_codegen::generate(&model, selection).expect("generation succeeds"))
        });
    }
    generate.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
