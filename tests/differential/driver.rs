//! Seed loops over the generator and the mutator, on a few threads, with
//! counting, failure collection (minimised and saved when asked), and a
//! watchdog that reports a module Weft hangs on and aborts the process.

use super::corpus;
use super::exec::{self, Failure, Options, Verdict};
use super::gen;
use super::minimise::minimise;
use super::mutate;
use super::rng::{hash_bytes, mix, Rng};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Stack size of threads that run engines. wasmi 2.0's interpreter nests a
/// native frame for every `memory.grow` it executes in one call (its
/// handlers are not all tail calls), so long-running code needs a deep
/// stack; only the pages touched are committed.
pub const WORKER_STACK: usize = 1 << 30;

/// Runs `f` on a thread with a `WORKER_STACK` stack.
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, f)
            .expect("spawn thread")
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// How long one module may take before the watchdog calls it a hang.
pub const HANG_LIMIT: Duration = Duration::from_secs(60);

/// One failure found.
#[derive(Clone, Debug)]
pub struct Found {
    pub origin: String,
    pub failure: Failure,
    /// The (minimised, if asked) module.
    pub bytes: Vec<u8>,
    pub saved: Option<PathBuf>,
}

/// Counts of a run.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Generated modules run through both engines.
    pub generated: u64,
    /// Seeds for which wasm-smith produced nothing.
    pub not_generated: u64,
    /// Mutants checked.
    pub mutants: u64,
    pub compiled: u64,
    pub instantiated: u64,
    pub calls: u64,
    pub traps: u64,
    pub cut_short: u64,
    pub skipped: u64,
    /// Traps by kind (agreed by both engines).
    pub trap_kinds: std::collections::BTreeMap<String, u64>,
    pub failures: Vec<Found>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.generated += o.generated;
        self.not_generated += o.not_generated;
        self.mutants += o.mutants;
        self.compiled += o.compiled;
        self.instantiated += o.instantiated;
        self.calls += o.calls;
        self.traps += o.traps;
        self.cut_short += o.cut_short;
        self.skipped += o.skipped;
        for (k, n) in &o.trap_kinds {
            *self.trap_kinds.entry(k.clone()).or_default() += n;
        }
        self.failures.extend(o.failures.iter().cloned());
    }

    pub fn summary(&self) -> String {
        format!(
            "{} generated modules, {} mutants; {} compiled, {} instantiated, {} calls ({} trapped: {}), \
             {} cut short by fuel or stack, {} skipped, {} not generated, {} failures",
            self.generated,
            self.mutants,
            self.compiled,
            self.instantiated,
            self.calls,
            self.traps,
            self.trap_kinds
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.cut_short,
            self.skipped,
            self.not_generated,
            self.failures.len()
        )
    }
}

/// What a run does.
#[derive(Clone, Debug)]
pub struct Plan {
    /// First seed; thread `t` of `threads` takes seeds `first + t + k * threads`.
    pub first_seed: u64,
    /// Stop after this many seeds in all (`None`: until the deadline).
    pub seeds: Option<u64>,
    pub deadline: Option<Instant>,
    pub threads: usize,
    /// Every `n`th seed checks a mutant instead of a generated module
    /// (`0`: never).
    pub mutant_every: u64,
    /// Only mutants.
    pub mutants_only: bool,
    /// Minimise failures (for up to this long each) and save them here.
    pub save: Option<(PathBuf, Duration)>,
    /// Print progress every so often.
    pub progress: Option<Duration>,
}

/// What a worker is running (origin and module) and since when.
type Slot = Mutex<Option<(Instant, String, Arc<Vec<u8>>)>>;

/// A slot per worker thread.
struct Watch {
    slots: Vec<Slot>,
    done: AtomicBool,
}

fn watchdog(watch: &Watch, save: Option<PathBuf>) {
    while !watch.done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        for slot in &watch.slots {
            let slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((since, what, bytes)) = &*slot {
                if since.elapsed() > HANG_LIMIT {
                    let dir = save
                        .clone()
                        .unwrap_or_else(|| std::env::temp_dir().join("weft-differential"));
                    let failure = Failure {
                        category: "hang".into(),
                        detail: format!("no result after {HANG_LIMIT:?}"),
                    };
                    let saved = corpus::save(&dir, bytes, &failure, what, what.starts_with("mutant"));
                    eprintln!("differential: HANG on {what}; module saved as {saved:?}; aborting");
                    std::process::abort();
                }
            }
        }
    }
}

/// Runs `plan`.
pub fn run(plan: &Plan) -> Tally {
    let watch = Watch {
        slots: (0..plan.threads).map(|_| Mutex::new(None)).collect(),
        done: AtomicBool::new(false),
    };
    let started = Instant::now();
    let progress_count = AtomicU64::new(0);
    let total = Mutex::new(Tally::default());
    /// Stops the watchdog however the workers end.
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    std::thread::scope(|s| {
        let _stop = Stop(&watch.done);
        let save_dir = plan.save.as_ref().map(|(d, _)| d.clone());
        let w = &watch;
        s.spawn(move || watchdog(w, save_dir));
        let workers: Vec<_> = (0..plan.threads)
            .map(|t| {
                let (watch, total, progress_count) = (&watch, &total, &progress_count);
                let worker = std::thread::Builder::new().stack_size(WORKER_STACK);
                worker
                    .spawn_scoped(s, move || {
                        let mut last_print = Instant::now();
                        let mut mine = Tally::default();
                        let mut k = 0u64;
                        loop {
                            let index = t as u64 + k * plan.threads as u64;
                            k += 1;
                            if plan.seeds.is_some_and(|n| index >= n)
                                || plan.deadline.is_some_and(|d| Instant::now() >= d)
                            {
                                break;
                            }
                            let seed = plan.first_seed.wrapping_add(index);
                            let mutant = plan.mutants_only
                                || (plan.mutant_every > 0 && seed.is_multiple_of(plan.mutant_every));
                            one(seed, mutant, plan, &watch.slots[t], &mut mine);
                            progress_count.fetch_add(1, Ordering::Relaxed);
                            if let Some(every) = plan.progress {
                                if t == 0 && last_print.elapsed() >= every {
                                    last_print = Instant::now();
                                    let mut now = total.lock().unwrap().clone();
                                    now.add(&mine);
                                    eprintln!(
                                        "differential: {:>6.0?}s, {} seeds (thread 0: {})",
                                        started.elapsed().as_secs_f64(),
                                        progress_count.load(Ordering::Relaxed),
                                        mine.summary()
                                    );
                                }
                            }
                        }
                        total.lock().unwrap().add(&mine);
                    })
                    .expect("spawn worker")
            })
            .collect();
        for w in workers {
            w.join()
                .expect("worker panicked outside the guarded engine calls");
        }
    });
    total.into_inner().unwrap()
}

/// One seed: a generated module or a mutant.
fn one(seed: u64, mutant: bool, plan: &Plan, slot: &Slot, tally: &mut Tally) {
    if std::env::var_os("WEFT_FUZZ_TRACE").is_some() {
        // For crashes the process cannot report (e.g. a stack overflow).
        eprintln!(
            "differential: seed {seed}{}",
            if mutant { " (mutant)" } else { "" }
        );
    }
    let (origin, bytes) = if mutant {
        let mut rng = Rng::new(mix(seed, 0x4D55_7441));
        let base = mutate::pick_seed(&mut rng);
        let other = mutate::pick_seed(&mut rng);
        (
            format!("mutant of seed {seed}"),
            mutate::mutate(&mut rng, base, other),
        )
    } else {
        match gen::generate(seed) {
            Ok(b) => (format!("generated seed {seed}"), b),
            Err(_) => {
                tally.not_generated += 1;
                return;
            }
        }
    };
    *slot.lock().unwrap() = Some((Instant::now(), origin.clone(), Arc::new(bytes.clone())));
    let failure = if mutant {
        tally.mutants += 1;
        match mutate::check(&bytes) {
            mutate::Outcome::Agree {
                compiled,
                instantiated,
                calls,
            } => {
                tally.compiled += compiled as u64;
                tally.instantiated += instantiated as u64;
                tally.calls += calls;
                None
            }
            mutate::Outcome::Skipped => {
                tally.skipped += 1;
                None
            }
            mutate::Outcome::Fail(f) => Some(f),
        }
    } else {
        tally.generated += 1;
        match exec::run(&bytes, &Options::generated()) {
            Verdict::Agree(s) => {
                tally.compiled += s.compiled as u64;
                tally.instantiated += s.instantiated as u64;
                tally.calls += s.calls;
                tally.traps += s.traps;
                for (k, n) in s.trap_kinds {
                    *tally.trap_kinds.entry(k).or_default() += n;
                }
                tally.cut_short += s.cut_short as u64;
                None
            }
            Verdict::Skipped(_) => {
                tally.skipped += 1;
                None
            }
            Verdict::Fail(f) => Some(f),
        }
    };
    if let Some(failure) = failure {
        let mut found = Found {
            origin,
            failure,
            bytes,
            saved: None,
        };
        if let Some((dir, budget)) = &plan.save {
            found.bytes = shrink(&found.bytes, &found.failure.category, mutant, *budget);
            // Re-run for the minimised module's own description.
            if let Some(f) = failure_of(&found.bytes, mutant) {
                found.failure = f;
            }
            found.saved = corpus::save(dir, &found.bytes, &found.failure, &found.origin, mutant).ok();
        }
        eprintln!(
            "differential: FAILURE ({}) on {}: {}{}",
            found.failure.category,
            found.origin,
            found.failure.detail,
            found
                .saved
                .as_ref()
                .map(|p| format!(" [saved {}]", p.display()))
                .unwrap_or_default()
        );
        tally.failures.push(found);
    }
    *slot.lock().unwrap() = None;
}

/// How `bytes` fails, if it does.
pub fn failure_of(bytes: &[u8], mutant: bool) -> Option<Failure> {
    if mutant {
        match mutate::check(bytes) {
            mutate::Outcome::Fail(f) => Some(f),
            _ => None,
        }
    } else {
        exec::run(bytes, &Options::generated()).failure().cloned()
    }
}

/// Minimises a failing module, keeping the failure category.
pub fn shrink(bytes: &[u8], category: &str, mutant: bool, budget: Duration) -> Vec<u8> {
    minimise(bytes, budget, &|cand| {
        failure_of(cand, mutant).is_some_and(|f| f.category == category)
    })
}

/// A seed that differs from run to run (for campaigns).
pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    mix(t, std::process::id() as u64) & 0x0000_FFFF_FFFF_FFFF
}

/// Hex digest used in reports.
pub fn id(bytes: &[u8]) -> String {
    format!("{:016x}", hash_bytes(bytes))
}

/// Where a campaign saves what it finds.
pub fn corpus_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(corpus::dir)
}
