//! Converts a WebAssembly text file to a binary module:
//! `wat2wasm INPUT.wat OUTPUT.wasm` (used to build the C tests' modules).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: wat2wasm INPUT.wat OUTPUT.wasm");
        std::process::exit(2);
    }
    let wasm = match wat::parse_file(&args[1]) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{}: {e}", args[1]);
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(&args[2], wasm) {
        eprintln!("{}: {e}", args[2]);
        std::process::exit(1);
    }
}
