//! Build script: re-run when the public C headers change, so that the
//! layout checks that compare them with the Rust side stay current.
fn main() {
    println!("cargo:rerun-if-changed=wasm-c-api/include");
    println!("cargo:rerun-if-changed=build.rs");
}
