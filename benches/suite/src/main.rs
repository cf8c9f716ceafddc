//! Weft's benchmark suite: our own C and WAT workloads on Weft, wasmi 2.0.0
//! and wasm3 0.3.1, interleaved; and start-up time and memory for large
//! modules. See `benches/README.md`.
//!
//! ```text
//! weft-bench-suite [OPTIONS] [NAME...]   execution benchmark (names select by substring)
//! weft-bench-suite --startup [OPTIONS]   start-up time and memory of large modules
//! ```
//! Options: `--engines=weft,wasmi,wasm3`, `--markdown`, `-v`, `--list`.
//! Environment: `BENCH_REPS` (default 5), `BENCH_SCALE` (multiplies every
//! n, default 1), `CLANG`, `BENCH_OUT`, `BENCH_STARTUP_FUNCS` (default
//! 30000), `BENCH_STARTUP_CFUNCS` (default 3000).

mod engines;
mod execution;
mod gen;
mod report;
mod startup;
mod workloads;

use engines::Engine;

const USAGE: &str =
    "usage: weft-bench-suite [--startup] [--engines=weft,wasmi,wasm3] [--markdown] [-v] [--list] [NAME...]
  NAME...      run the workloads whose name contains one of these strings
  --startup    start-up time and memory of large modules instead
  --markdown   also print the results as a markdown table (for benches/RESULTS.md)
  -v           print every timed run
  --record=F   also append each workload's per-engine median to file F
  --from-records=F  measure nothing: report the medians of the runs recorded in F
               (benches/layout/suite.sh: one run per code layout)
environment: BENCH_REPS (5), BENCH_SCALE (1.0), CLANG (clang), BENCH_OUT (build directory),
  BENCH_STARTUP_FUNCS (30000), BENCH_STARTUP_CFUNCS (3000)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child-startup") {
        if let Err(e) = startup::child(&args[1..]) {
            eprintln!("child: {e}");
            std::process::exit(1);
        }
        return;
    }
    match run(&args) {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("\nsome measurements FAILED or DISAGREED (see the !! lines)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn run(args: &[String]) -> Result<bool, String> {
    let mut opts = execution::Options {
        reps: env_parse("BENCH_REPS", 5usize).max(1),
        scale: env_parse("BENCH_SCALE", 1.0f64),
        filters: Vec::new(),
        engines: Engine::ALL.to_vec(),
        markdown: false,
        verbose: false,
        record: None,
        from_records: None,
    };
    if opts.scale.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err("BENCH_SCALE must be a positive number".into());
    }
    let mut startup = false;
    for arg in args {
        match arg.as_str() {
            "--startup" => startup = true,
            "--markdown" => opts.markdown = true,
            "-v" | "--verbose" => opts.verbose = true,
            "--list" => {
                for w in workloads::WORKLOADS {
                    println!("{:<14} n={:<8} {}", w.name, w.n, w.what);
                }
                return Ok(true);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            a if a.starts_with("--record=") => opts.record = Some(a["--record=".len()..].into()),
            a if a.starts_with("--from-records=") => {
                opts.from_records = Some(a["--from-records=".len()..].into())
            }
            a if a.starts_with("--engines=") => {
                opts.engines = a["--engines=".len()..]
                    .split(',')
                    .map(|name| {
                        Engine::ALL
                            .into_iter()
                            .find(|e| e.name() == name)
                            .ok_or(format!("unknown engine {name}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            a if a.starts_with('-') => return Err(format!("unknown option {a}\n{USAGE}")),
            name => opts.filters.push(name.to_string()),
        }
    }
    if startup {
        startup::run(opts.reps, opts.markdown)
    } else {
        execution::run(&opts)
    }
}

fn env_parse<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
