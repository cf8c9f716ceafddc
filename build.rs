//! Build script: re-run when the public C headers change, so that the
//! layout checks that compare them with the Rust side stay current; and
//! choose the interpreter's dispatch backend (see
//! `src/engine/executor/dispatch.rs`): handlers chained by tail calls where
//! LLVM turns them into jumps (optimised builds for x86-64 and AArch64), a
//! dispatch loop otherwise.
fn main() {
    println!("cargo:rerun-if-changed=wasm-c-api/include");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-check-cfg=cfg(weft_tail_dispatch)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimised = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let sibling_calls = matches!(arch.as_str(), "x86_64" | "aarch64");
    if optimised && sibling_calls && std::env::var_os("WEFT_LOOP_DISPATCH").is_none() {
        println!("cargo:rustc-cfg=weft_tail_dispatch");
    }
    println!("cargo:rerun-if-env-changed=WEFT_LOOP_DISPATCH");
}
