//! The committed `generated/` is exactly what `cargo xtask codegen` produces.

#[test]
fn generated_code_is_fresh() {
    if let Err(e) = xtask::codegen(&xtask::repo_root(), xtask::Mode::Check) {
        panic!("{e}");
    }
}
