//! The workloads (`benches/workloads/`) and how they are built.
//!
//! C files are compiled with clang at bench time, into the build directory
//! (never into the source tree); `.wat` files are assembled with the `wat`
//! crate. Every module exports `run: (param i32) (result i64)`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub enum Source {
    /// A C file in `benches/workloads/`.
    C(&'static str),
    /// A text-format file in `benches/workloads/`.
    Wat(&'static str),
}

pub struct Workload {
    pub name: &'static str,
    pub source: Source,
    /// The argument of `run`, chosen so that one call takes 0.5-3 s on the
    /// slowest engine on the reference machine (see benches/RESULTS.md).
    pub n: i32,
    pub what: &'static str,
}

pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        source: Source::C("fib.c"),
        n: 50,
        what: "recursive fib(27) or fib(28), n times",
    },
    Workload {
        name: "sieve",
        source: Source::C("sieve.c"),
        n: 25,
        what: "sieve of Eratosthenes, 1M flags, n times",
    },
    Workload {
        name: "matmul",
        source: Source::C("matmul.c"),
        n: 70,
        what: "96x96 u32 matrix multiply, n times",
    },
    Workload {
        name: "nbody",
        source: Source::C("nbody.c"),
        n: 500_000,
        what: "f64 n-body (5 bodies), n steps",
    },
    Workload {
        name: "mandelbrot",
        source: Source::C("mandelbrot.c"),
        n: 750,
        what: "f64 mandelbrot, n rows of 512 points",
    },
    Workload {
        name: "sha256",
        source: Source::C("sha256.c"),
        n: 400,
        what: "sha256 of 16 KiB, n times",
    },
    Workload {
        name: "quicksort",
        source: Source::C("quicksort.c"),
        n: 18,
        what: "quicksort of 100k u32, n times",
    },
    Workload {
        name: "bf",
        source: Source::C("bf.c"),
        n: 180,
        what: "brainf*ck byte-code interpreter, n programs",
    },
    Workload {
        name: "lz",
        source: Source::C("lz.c"),
        n: 120,
        what: "LZ77 compress + decompress 64 KiB, n times",
    },
    Workload {
        name: "calls",
        source: Source::C("calls.c"),
        n: 220,
        what: "small functions, call_indirect, vtables",
    },
    Workload {
        name: "memory",
        source: Source::C("memory.c"),
        n: 130,
        what: "8/16/32/64-bit loads/stores, s/u, 256 KiB",
    },
    Workload {
        name: "branch",
        source: Source::C("branch.c"),
        n: 180,
        what: "24-way switch (br_table) state machine",
    },
    Workload {
        name: "wat-loop",
        source: Source::Wat("loop.wat"),
        n: 300,
        what: "counting loop, n * 1M iterations",
    },
    Workload {
        name: "wat-memsum",
        source: Source::Wat("memsum.wat"),
        n: 500,
        what: "i32.load sum over 1 MiB, n times",
    },
    Workload {
        name: "wat-callloop",
        source: Source::Wat("callloop.wat"),
        n: 18,
        what: "call + call_indirect, n * 1M iterations",
    },
];

/// `benches/workloads/`, found from this crate's manifest directory.
pub fn workloads_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../workloads")
}

/// Where built modules go: `$BENCH_OUT`, or `bench-wasm/` next to this
/// executable (inside cargo's target directory).
pub fn out_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("BENCH_OUT") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find the harness executable: {e}"))?
            .parent()
            .ok_or("the harness executable has no directory")?
            .join("bench-wasm"),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// The C compiler: `$CLANG`, or `clang`.
pub fn clang() -> String {
    std::env::var("CLANG").unwrap_or_else(|_| "clang".to_string())
}

/// Flags for every C workload (the export flags are added per module).
pub const CFLAGS: &[&str] = &[
    "--target=wasm32",
    "-O2",
    "-nostdlib",
    "-Wl,--no-entry",
    "-Wl,-z,stack-size=1048576",
];

/// Runs clang with `CFLAGS`, the include directory, `extra` and `-o out`.
pub fn run_clang(extra: &[String], out: &Path) -> Result<(), String> {
    let mut cmd = Command::new(clang());
    cmd.args(CFLAGS)
        .arg(format!("-I{}", workloads_dir().display()))
        .args(extra)
        .arg("-o")
        .arg(out);
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e} (set CLANG)", clang()))?;
    if !output.status.success() {
        return Err(format!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

impl Workload {
    /// Builds the module and returns its bytes.
    pub fn build(&self, out_dir: &Path) -> Result<Vec<u8>, String> {
        match self.source {
            Source::C(file) => {
                let out = out_dir.join(format!("{}.wasm", self.name));
                let src = workloads_dir().join(file);
                run_clang(&["-Wl,--export=run".to_string(), src.display().to_string()], &out)?;
                std::fs::read(&out).map_err(|e| format!("{}: {e}", out.display()))
            }
            Source::Wat(file) => {
                let src = workloads_dir().join(file);
                wat::parse_file(&src).map_err(|e| format!("{}: {e}", src.display()))
            }
        }
    }
}
