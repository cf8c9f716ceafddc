//! Long differential fuzzing campaign of Weft against wasmi (issue 7).
//!
//! ```text
//! cargo run --release --example fuzz -- --seconds 3600
//! cargo run --release --example fuzz -- --seeds 1000 --first-seed 42 --no-save
//! cargo run --release --example fuzz -- --check tests/corpus/some-case.wasm
//! ```
//!
//! Options: `--seconds N` (default 60) or `--seeds N` (a fixed count);
//! `--first-seed S` (default: random); `--threads N` (default 2);
//! `--mutant-every N` (every Nth seed is a mutant, default 4; 0 = never);
//! `--mutants` (mutants only); `--no-save` (do not write failures to
//! `tests/corpus/`); `--save-dir DIR` (write them there instead);
//! `--minimise-seconds N` (default 60 per failure);
//! `--check FILE...` (run corpus files, print how each fares);
//! `--emit SEED FILE` (write the module generated from SEED, and run it).
//! Exits with status 1 if anything failed. With `WEFT_FUZZ_TRACE` set in
//! the environment, every seed is printed before it runs (to find the
//! module behind a crash that cannot be caught, such as a stack overflow).

#[path = "../tests/differential/mod.rs"]
mod harness;

use harness::corpus::{self, Case};
use harness::driver::{self, Plan};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut seconds: Option<u64> = None;
    let mut seeds: Option<u64> = None;
    let mut first_seed: Option<u64> = None;
    let mut threads = 2usize;
    let mut mutant_every = 4u64;
    let mut mutants_only = false;
    let mut save = true;
    let mut save_dir = corpus::dir();
    let mut minimise_seconds = 60u64;
    let mut check: Vec<PathBuf> = Vec::new();
    let mut emit: Option<(u64, PathBuf)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> u64 {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => v,
                None => {
                    eprintln!("fuzz: {name} needs a number");
                    std::process::exit(2);
                }
            }
        };
        match a.as_str() {
            "--seconds" => seconds = Some(num("--seconds")),
            "--seeds" => seeds = Some(num("--seeds")),
            "--first-seed" => first_seed = Some(num("--first-seed")),
            "--threads" => threads = num("--threads").max(1) as usize,
            "--mutant-every" => mutant_every = num("--mutant-every"),
            "--minimise-seconds" => minimise_seconds = num("--minimise-seconds"),
            "--mutants" => mutants_only = true,
            "--no-save" => save = false,
            "--save-dir" => save_dir = PathBuf::from(args.next().unwrap_or_default()),
            "--check" => check.extend(args.by_ref().map(PathBuf::from)),
            "--emit" => {
                let seed = num("--emit");
                emit = Some((
                    seed,
                    PathBuf::from(args.next().unwrap_or_else(|| "seed.wasm".into())),
                ));
            }
            "-h" | "--help" => {
                println!(
                    "{}",
                    include_str!("fuzz.rs")
                        .lines()
                        .take(24)
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("fuzz: unknown option {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    if let Some((seed, path)) = emit {
        return match harness::gen::generate(seed) {
            Ok(bytes) => {
                std::fs::write(&path, &bytes).expect("write");
                println!(
                    "seed {seed}: {} bytes -> {}: {:?}",
                    bytes.len(),
                    path.display(),
                    harness::exec::run(&bytes, &harness::exec::Options::generated())
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("seed {seed}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if !check.is_empty() {
        let mut bad = 0;
        for path in check {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let case = Case { path, name };
            match case.check() {
                Ok(()) => println!("{}: ok", case.name),
                Err(e) => {
                    bad += 1;
                    println!("{}: FAILS: {e}", case.name);
                }
            }
        }
        return if bad == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let first_seed = first_seed.unwrap_or_else(driver::random_seed);
    let started = Instant::now();
    let deadline = match (seconds, seeds) {
        (_, Some(_)) => None,
        (s, None) => Some(started + Duration::from_secs(s.unwrap_or(60))),
    };
    println!(
        "fuzz: first seed {first_seed}, {threads} threads, {}",
        match (seeds, deadline) {
            (Some(n), _) => format!("{n} seeds"),
            _ => format!("{} s", seconds.unwrap_or(60)),
        }
    );
    let tally = driver::run(&Plan {
        first_seed,
        seeds,
        deadline,
        threads,
        mutant_every,
        mutants_only,
        save: save.then(|| (save_dir, Duration::from_secs(minimise_seconds))),
        progress: Some(Duration::from_secs(30)),
    });
    let secs = started.elapsed().as_secs_f64();
    println!("fuzz: {} in {secs:.0} s", tally.summary());
    println!(
        "fuzz: {:.0} modules/s",
        (tally.generated + tally.mutants) as f64 / secs.max(1e-9)
    );
    for f in &tally.failures {
        println!(
            "fuzz: FAILURE {} on {}: {}{}",
            f.failure.category,
            f.origin,
            f.failure.detail,
            f.saved
                .as_ref()
                .map(|p| format!("\n  saved: {}", p.display()))
                .unwrap_or_default()
        );
    }
    if tally.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
