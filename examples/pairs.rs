//! Which pairs of instructions run one after the other most often: the
//! candidates for fusion (`src/engine/translator/pairs.rs`).
//!
//! ```sh
//! WEFT_LOOP_DISPATCH=1 cargo run --release --features dispatch-pairs --example pairs -- \
//!     [--top N] FILE.wasm|FILE.wat[:ARG] ...
//! ```
//!
//! Each module's export `run` is called with the `i32` argument `ARG`
//! (default 1), as the benchmark workloads are. Prints each module's most
//! frequent pairs (share of its dispatches), then the mean share over all
//! the modules.

use std::collections::HashMap;
use weft::{Engine, Instance, Module, Store, Val};

fn main() {
    if let Err(e) = run() {
        eprintln!("pairs: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut top = 12;
    if args.first().map(String::as_str) == Some("--top") {
        top = args
            .get(1)
            .and_then(|n| n.parse().ok())
            .ok_or("--top needs a number")?;
        args.drain(..2);
    }
    if args.is_empty() {
        return Err("usage: pairs [--top N] FILE.wasm|FILE.wat[:ARG] ...".into());
    }
    let mut mean: HashMap<(&str, &str), f64> = HashMap::new();
    for spec in &args {
        let (path, arg) = match spec.rsplit_once(':') {
            Some((path, arg)) => (path, arg.parse::<i32>().map_err(|e| format!("{spec}: {e}"))?),
            None => (spec.as_str(), 1),
        };
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let engine = Engine::default();
        let module = Module::new(&engine, &bytes).map_err(|e| format!("{path}: {e}"))?;
        let mut store = Store::new(&engine);
        let instance = Instance::new(&mut store, &module, &[]).map_err(|e| format!("{path}: {e}"))?;
        let func = instance
            .get_func(&store, "run")
            .ok_or(format!("{path}: no export `run`"))?;
        let n_results = func.ty(&store).map_err(|e| e.to_string())?.results().len();
        let mut results = vec![Val::I32(0); n_results];
        weft::dispatch_pairs::take();
        func.call(&mut store, &[Val::I32(arg)], &mut results)
            .map_err(|t| format!("{path}: {t}"))?;
        let pairs = weft::dispatch_pairs::take();
        let total: u64 = pairs.iter().map(|p| p.0).sum();
        if total == 0 {
            return Err("nothing counted: build with WEFT_LOOP_DISPATCH=1 (the loop backend)".into());
        }
        println!("{path}: {total} dispatches");
        for (count, first, second) in pairs.iter().take(top) {
            println!(
                "  {:6.2}%  {first} -> {second}",
                *count as f64 * 100.0 / total as f64
            );
        }
        for (count, first, second) in pairs {
            *mean.entry((first, second)).or_default() += count as f64 / total as f64 / args.len() as f64;
        }
    }
    let mut mean: Vec<_> = mean.into_iter().collect();
    mean.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("mean share over {} modules:", args.len());
    for ((first, second), share) in mean.into_iter().take(top * 2) {
        println!("  {:6.2}%  {first} -> {second}", share * 100.0);
    }
    Ok(())
}
