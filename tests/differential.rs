//! Differential fuzzing of Weft against wasmi 2.0 (issue 7).
//!
//! - `generated_modules_agree`: a fixed range of wasm-smith seeds (at least
//!   20,000 modules, 20 to 60 seconds on two cores): every module must behave
//!   the same in both engines (results, traps, fuel used, host calls, final
//!   memories, tables and globals).
//! - `mutants_never_break_weft`: a fixed range of byte-wise mutants (100,000,
//!   a few seconds) of the spec suites' modules and the corpus: Weft must
//!   answer `Ok` or `Err`, never panic or hang, `Module::validate` must agree
//!   with `Module::from_binary`, and Weft must agree with wasmi wherever
//!   both run.
//! - `corpus_regressions`: every case in `tests/corpus/` except the known
//!   failures.
//! - `known_failures` (ignored): the cases listed in
//!   `tests/corpus/known-failures.txt`; fails while any of them still fails.
//! - `campaign` (ignored): random seeds for `WEFT_FUZZ_SECONDS` seconds
//!   (default 60), saving minimised failures to `tests/corpus/`. The same
//!   campaign runs as `cargo run --release --example fuzz -- --seconds N`.
//!
//! Counts are printed; run with `--nocapture` to see them. A failure is
//! printed with its seed and detail, minimised and saved under the system's
//! temporary directory (`weft-differential/`), and its bytes in hex.

#[path = "differential/mod.rs"]
mod harness;

use harness::corpus;
use harness::driver::{self, Plan, Tally};
use std::time::{Duration, Instant};

/// Generated modules the CI run must execute.
const CI_MODULES: u64 = 20_000;
/// Seeds tried for them (a few seeds yield no module).
const CI_SEEDS: u64 = 20_400;
/// Mutants checked in CI.
const CI_MUTANTS: u64 = 100_000;
/// Worker threads (the machine has two cores, shared).
const THREADS: usize = 2;

fn report(what: &str, tally: &Tally, started: Instant) {
    println!(
        "differential/{what}: {} in {:.1?}",
        tally.summary(),
        started.elapsed()
    );
    for f in &tally.failures {
        println!(
            "  FAILURE {} on {}: {}\n    module ({} bytes, minimised): {}",
            f.failure.category,
            f.origin,
            f.failure.detail,
            f.bytes.len(),
            f.saved
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "not saved".into())
        );
        if f.bytes.len() <= 1024 {
            let hex: Vec<String> = f.bytes.iter().map(|b| format!("{b:02x}")).collect();
            println!("    hex: {}", hex.join(""));
        }
    }
}

/// Where CI runs put what they find (minimised): outside the repository.
fn scratch() -> Option<(std::path::PathBuf, Duration)> {
    Some((
        std::env::temp_dir().join("weft-differential"),
        Duration::from_secs(20),
    ))
}

fn plan(first_seed: u64, seeds: u64, mutants_only: bool) -> Plan {
    Plan {
        first_seed,
        seeds: Some(seeds),
        deadline: None,
        threads: THREADS,
        mutant_every: 0,
        mutants_only,
        save: scratch(),
        progress: None,
    }
}

#[test]
fn generated_modules_agree() {
    let started = Instant::now();
    let tally = driver::run(&plan(0, CI_SEEDS, false));
    report("generated", &tally, started);
    assert!(
        tally.generated >= CI_MODULES,
        "only {} generated modules ran (need {CI_MODULES})",
        tally.generated
    );
    assert!(tally.failures.is_empty(), "{} mismatches", tally.failures.len());
}

#[test]
fn mutants_never_break_weft() {
    let started = Instant::now();
    let tally = driver::run(&plan(2 << 40, CI_MUTANTS, true));
    report("mutants", &tally, started);
    assert_eq!(tally.mutants, CI_MUTANTS);
    assert!(tally.failures.is_empty(), "{} failures", tally.failures.len());
}

#[test]
fn corpus_regressions() {
    let known: Vec<String> = corpus::known_failures().into_iter().map(|(n, _)| n).collect();
    let mut ran = 0;
    let mut failed = Vec::new();
    for case in corpus::cases() {
        if known.contains(&case.name) {
            continue;
        }
        ran += 1;
        if let Err(e) = case.check() {
            failed.push(format!("{}: {e}", case.name));
        }
    }
    println!(
        "differential/corpus: {ran} cases run, {} known failures skipped",
        known.len()
    );
    assert!(failed.is_empty(), "corpus failures:\n{}", failed.join("\n"));
}

#[test]
#[ignore = "known engine bugs: fails until they are fixed (see tests/corpus/known-failures.txt)"]
fn known_failures() {
    let cases = corpus::cases();
    let mut still = Vec::new();
    for (name, reason) in corpus::known_failures() {
        let Some(case) = cases.iter().find(|c| c.name == name) else {
            still.push(format!("{name}: listed but missing from tests/corpus/"));
            continue;
        };
        match case.check() {
            Ok(()) => println!("differential/known: {name} PASSES now; remove it from the list ({reason})"),
            Err(e) => still.push(format!("{name} ({reason}): {e}")),
        }
    }
    assert!(still.is_empty(), "still failing:\n{}", still.join("\n"));
}

#[test]
#[ignore = "long campaign with random seeds; set WEFT_FUZZ_SECONDS"]
fn campaign() {
    let seconds: u64 = std::env::var("WEFT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let started = Instant::now();
    let tally = driver::run(&Plan {
        first_seed: driver::random_seed(),
        seeds: None,
        deadline: Some(started + Duration::from_secs(seconds)),
        threads: THREADS,
        mutant_every: 4,
        mutants_only: false,
        save: Some((corpus::dir(), Duration::from_secs(60))),
        progress: Some(Duration::from_secs(30)),
    });
    report("campaign", &tally, started);
    assert!(tally.failures.is_empty(), "{} failures", tally.failures.len());
}
