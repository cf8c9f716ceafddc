//! The differential driver: runs one module in Weft and in wasmi and
//! compares compilation, instantiation, every exported function's result or
//! trap, the fuel each call consumed, the host calls made, and the final
//! contents of exported memories, tables and globals.
//!
//! wasmi runs first with fuel; whatever it did not finish within that fuel
//! is never started in Weft (which has no fuel), so a mutated module with
//! an infinite loop ends the comparison instead of hanging it.

use super::binary;
use super::host::MAX_CALL_DEPTH;
use super::rng::{hash_bytes, mix, Rng};
use super::side::Side;
use super::values::{show, show_outcome, CallOutcome, ExportKind, Kind, Ty, V};
use super::wasmi_bugs;
use super::wasmi_side::WasmiSide;
use super::weft_side::WeftSide;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Exported i32 globals named `__fuel_<N>` hold wasm-smith's termination
/// fuel; the harness resets them to `N` before every call.
pub const FUEL_PREFIX: &str = "__fuel_";

#[derive(Clone, Debug)]
pub struct Options {
    /// wasmi fuel for instantiation and for each call.
    pub wasmi_fuel: u64,
    /// For generated (valid, terminating) modules: Weft rejecting a module
    /// wasmi accepts, and stack exhaustion in one engine only, are failures.
    /// Otherwise (mutated modules) they end the comparison quietly.
    pub strict: bool,
    /// How many times every exported function is called.
    pub passes: u32,
}

impl Options {
    /// For modules from the generator (valid and terminating).
    pub fn generated() -> Options {
        Options {
            wasmi_fuel: 1 << 32,
            strict: true,
            passes: 2,
        }
    }

    /// For mutated modules (possibly invalid, possibly non-terminating).
    pub fn mutated() -> Options {
        Options {
            wasmi_fuel: 2_000_000,
            strict: false,
            passes: 1,
        }
    }
}

/// A disagreement (or a Weft panic).
#[derive(Clone, Debug)]
pub struct Failure {
    /// Short, stable name of what went wrong (minimisation keeps it).
    pub category: String,
    pub detail: String,
}

/// Counts for a module on which the engines agreed.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub compiled: bool,
    pub instantiated: bool,
    pub calls: u64,
    pub traps: u64,
    /// Traps by kind.
    pub trap_kinds: std::collections::BTreeMap<String, u64>,
    /// wasmi ran out of fuel (or both exhausted the stack) before the end.
    pub cut_short: bool,
}

#[derive(Clone, Debug)]
pub enum Verdict {
    Agree(Stats),
    /// Not comparable (e.g. wasmi panicked or cannot express the module).
    Skipped(String),
    Fail(Failure),
}

impl Verdict {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Verdict::Fail(f) => Some(f),
            _ => None,
        }
    }
}

fn fail(category: &str, detail: impl Into<String>) -> Verdict {
    Verdict::Fail(Failure {
        category: category.to_string(),
        detail: detail.into(),
    })
}

/// The message of a caught panic.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// Runs Weft code, turning a panic into a failure.
fn weft<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Verdict> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        fail(
            "weft-panic",
            format!("Weft panicked in {what}: {}", panic_message(&*p)),
        )
    })
}

/// Runs wasmi code, turning a panic into a skip (not our bug).
fn wasmi<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Verdict> {
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|p| Verdict::Skipped(format!("wasmi panicked in {what}: {}", panic_message(&*p))))
}

/// An argument of type `ty`, biased towards edge cases. `funcs` are the
/// export positions of functions (for non-null function references).
fn arg(rng: &mut Rng, ty: Ty, funcs: &[u32]) -> V {
    let k = rng.below(16);
    match ty {
        Ty::I32 => V::I32(match k {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i32::MIN,
            4 => i32::MAX,
            5..=8 => rng.below(64) as i32,
            9 => 0xdead,
            10 => rng.below(0x30000) as i32,
            _ => rng.next_u32() as i32,
        }),
        Ty::I64 => V::I64(match k {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i64::MIN,
            4 => i64::MAX,
            5..=8 => rng.below(64) as i64,
            9 => rng.next_u32() as i64,
            _ => rng.next_u64() as i64,
        }),
        Ty::F32 => V::F32(match k {
            0 => 0,
            1 => 0x8000_0000,
            2 => 1.0f32.to_bits(),
            3 => 0x7fc0_0000,
            4 => 0x7fa0_0001,
            5 => 0xff80_0000,
            6 => 0x7f80_0000,
            7 => 1,
            8 => 0x4f00_0000,
            9..=11 => ((rng.below(2000) as f32) - 1000.0).to_bits(),
            _ => rng.next_u32(),
        }),
        Ty::F64 => V::F64(match k {
            0 => 0,
            1 => 0x8000_0000_0000_0000,
            2 => 1.0f64.to_bits(),
            3 => 0x7ff8_0000_0000_0000,
            4 => 0x7ff4_0000_0000_0001,
            5 => 0xfff0_0000_0000_0000,
            6 => 0x7ff0_0000_0000_0000,
            7 => 1,
            8 => 0x43e0_0000_0000_0000,
            9..=11 => ((rng.below(2000) as f64) - 1000.0).to_bits(),
            _ => rng.next_u64(),
        }),
        Ty::FuncRef => V::FuncRef(if k < 4 || funcs.is_empty() {
            None
        } else {
            Some(*rng.pick(funcs))
        }),
        Ty::ExternRef => V::ExternRef(if k < 4 { None } else { Some(rng.below(1000) + 1) }),
    }
}

fn same_results(a: &[V], b: &[V]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.canonical() == y.canonical())
}

/// Compares the digests of every exported memory, table and global.
fn compare_state(
    order: &[(String, ExportKind)],
    a: &WeftSide,
    b: &WasmiSide,
    when: &str,
) -> Result<(), Verdict> {
    for (i, (name, kind)) in order.iter().enumerate() {
        if matches!(kind, ExportKind::Func { .. }) {
            continue;
        }
        let (da, db) = (a.digest(i), b.digest(i));
        if da != db {
            let extra = match kind {
                ExportKind::Global { .. } => {
                    format!(": weft {} wasmi {}", a.get_global(i), b.get_global(i))
                }
                _ => String::new(),
            };
            return Err(fail(
                "state",
                format!("{when}: exported {kind:?} {name:?} differs{extra}"),
            ));
        }
    }
    if a.host_log() != b.host_log() {
        return Err(fail("host-calls", format!("{when}: the host calls made differ")));
    }
    Ok(())
}

/// Runs `bytes` in both engines and compares everything observable.
pub fn run(bytes: &[u8], opts: &Options) -> Verdict {
    match run_inner(bytes, opts) {
        Ok(v) | Err(v) => v,
    }
}

fn run_inner(bytes: &[u8], opts: &Options) -> Result<Verdict, Verdict> {
    let mut stats = Stats::default();
    let a = weft("compile", || WeftSide::compile(bytes))?;
    let patched = if wasmi_bugs::enabled() {
        wasmi_bugs::patch(bytes)
    } else {
        None
    };
    let b = wasmi("compile", || {
        WasmiSide::compile(patched.as_deref().unwrap_or(bytes))
    })?;
    let (mut a, mut b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(_), Err(_)) => return Ok(Verdict::Agree(stats)),
        (Err(e), Ok(_)) => {
            return Ok(if opts.strict {
                fail(
                    "weft-rejects",
                    format!("Weft rejects a module wasmi accepts: {e}"),
                )
            } else {
                Verdict::Skipped(format!("only Weft rejects: {e}"))
            })
        }
        (Ok(_), Err(e)) if opts.strict => {
            return Err(fail(
                "wasmi-rejects",
                format!(
                    "wasmi rejects a generated module (patched: {}): {e}",
                    patched.is_some()
                ),
            ))
        }
        (Ok(a), Err(e)) => return weft_alone(a, bytes, &e),
    };
    stats.compiled = true;

    // Each engine links against its own view of the imports (wasmi lists
    // them grouped by kind); the two views must be the same set.
    let imports = a.imports().map_err(Verdict::Skipped)?;
    let b_imports = b.imports().map_err(Verdict::Skipped)?;
    let (mut sa, mut sb) = (imports.clone(), b_imports.clone());
    sa.sort_by_key(|i| i.key());
    sb.sort_by_key(|i| i.key());
    if sa != sb {
        return Err(fail(
            "imports",
            format!("import lists differ:\n weft  {imports:?}\n wasmi {b_imports:?}"),
        ));
    }
    let order = a.exports().map_err(Verdict::Skipped)?;
    let mut b_exports = b.exports().map_err(Verdict::Skipped)?;
    let mut sorted = order.clone();
    sorted.sort_by(|x, y| x.0.cmp(&y.0));
    b_exports.sort_by(|x, y| x.0.cmp(&y.0));
    if sorted != b_exports {
        return Err(fail(
            "exports",
            format!("export lists differ:\n weft  {sorted:?}\n wasmi {b_exports:?}"),
        ));
    }

    let fuel: Option<(usize, i32)> = order.iter().enumerate().find_map(|(i, (n, k))| {
        let amount = n.strip_prefix(FUEL_PREFIX)?.parse::<i32>().ok()?;
        matches!(
            k,
            ExportKind::Global {
                ty: Ty::I32,
                mutable: true
            }
        )
        .then_some((i, amount))
    });
    // Call depth can legitimately differ at the limit (what each engine
    // counts as a frame): stack exhaustion in one engine only is a failure
    // only where the depth limit is out of reach of the termination fuel.
    let deep = !opts.strict || fuel.is_none_or(|(_, n)| n as u32 >= MAX_CALL_DEPTH);

    // Instantiate: wasmi first, as the gate.
    let rb = wasmi("instantiate", || b.instantiate(&b_imports, opts.wasmi_fuel))?;
    if rb == Err(Kind::OutOfFuel) {
        return Ok(Verdict::Skipped("wasmi ran out of fuel instantiating".into()));
    }
    let ra = weft("instantiate", || a.instantiate(&imports, 0))?;
    match (&ra, &rb) {
        (Ok(()), Ok(())) => {}
        (Err(x), Err(y)) if x.same_as(y) => return Ok(Verdict::Agree(stats)),
        (Err(Kind::StackExhausted), _) | (_, Err(Kind::StackExhausted)) if deep => {
            stats.cut_short = true;
            return Ok(Verdict::Agree(stats));
        }
        _ => {
            return Err(fail(
                "instantiate",
                format!("instantiation: weft {ra:?}, wasmi {rb:?}"),
            ))
        }
    }
    stats.instantiated = true;
    let names: Vec<String> = order.iter().map(|(n, _)| n.clone()).collect();
    weft("bind", || a.bind(&names))?;
    b.bind(&names);
    compare_state(&order, &a, &b, "after instantiation")?;

    let funcs: Vec<u32> = order
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| matches!(k, ExportKind::Func { .. }))
        .map(|(i, _)| i as u32)
        .collect();

    'passes: for pass in 0..opts.passes {
        for &i in &funcs {
            let (name, ExportKind::Func { params, .. }) = &order[i as usize] else {
                unreachable!()
            };
            // Arguments depend on the export's name and type and the pass
            // only, so that a module being minimised keeps getting them.
            let mut rng = Rng::new(mix(
                hash_bytes(name.as_bytes()),
                pass as u64 * 31 + params.len() as u64,
            ));
            let args: Vec<V> = params.iter().map(|&t| arg(&mut rng, t, &funcs)).collect();
            if let Some((g, amount)) = fuel {
                let ra = weft("set_global", || a.set_global(g, V::I32(amount)))?;
                let rb = b.set_global(g, V::I32(amount));
                if ra.is_err() || rb.is_err() {
                    return Err(fail("fuel", format!("setting fuel: weft {ra:?}, wasmi {rb:?}")));
                }
            }
            let ob: CallOutcome = wasmi("call", || b.call(i as usize, &args, opts.wasmi_fuel))?;
            if ob == Err(Kind::OutOfFuel) {
                stats.cut_short = true;
                break 'passes;
            }
            let oa: CallOutcome = weft("call", || a.call(i as usize, &args, 0))?;
            stats.calls += 1;
            let call = format!("pass {pass}, call {name:?} {}", show(&args));
            if deep && (a.nested_exhaustion() || b.nested_exhaustion()) {
                // As below: the exact depth reached is engine-specific.
                stats.cut_short = true;
                break 'passes;
            }
            match (&oa, &ob) {
                (Ok(x), Ok(y)) if same_results(x, y) => {}
                (Err(x), Err(y)) if x.same_as(y) => {
                    stats.traps += 1;
                    *stats.trap_kinds.entry(format!("{x:?}")).or_default() += 1;
                    if *x == Kind::StackExhausted {
                        // Side effects before exhaustion depend on the depth.
                        stats.cut_short = true;
                        break 'passes;
                    }
                }
                (Err(Kind::StackExhausted), _) | (_, Err(Kind::StackExhausted)) if deep => {
                    stats.cut_short = true;
                    break 'passes;
                }
                (Ok(_), Ok(_)) => {
                    return Err(fail(
                        "result",
                        format!("{call}: weft {}, wasmi {}", show_outcome(&oa), show_outcome(&ob)),
                    ))
                }
                _ => {
                    let category = match (&oa, &ob) {
                        (Err(_), Err(_)) => "trap-kind",
                        (Err(Kind::StackExhausted), _) | (_, Err(Kind::StackExhausted)) => "stack",
                        _ => "trap-vs-return",
                    };
                    return Err(fail(
                        category,
                        format!("{call}: weft {}, wasmi {}", show_outcome(&oa), show_outcome(&ob)),
                    ));
                }
            }
            if let Some((g, _)) = fuel {
                let (fa, fb) = (a.get_global(g), b.get_global(g));
                if fa != fb {
                    return Err(fail(
                        "fuel",
                        format!(
                            "{call}: termination fuel left: weft {fa}, wasmi {fb} (control flow differs)"
                        ),
                    ));
                }
            }
            if a.host_log() != b.host_log() {
                return Err(fail("host-calls", format!("{call}: the host calls made differ")));
            }
        }
    }
    if !stats.cut_short {
        compare_state(&order, &a, &b, "after all calls")?;
    }
    Ok(Verdict::Agree(stats))
}

/// wasmi rejected what Weft accepted (mutated modules only; generated
/// modules are valid). Instantiate in Weft alone when that runs no code
/// that could loop: no start function.
fn weft_alone(mut a: WeftSide, bytes: &[u8], wasmi_error: &str) -> Result<Verdict, Verdict> {
    if !binary::has_start(bytes) {
        if let Ok(imports) = a.imports() {
            let _ = weft("instantiate (alone)", || a.instantiate(&imports, 0))?;
        }
    }
    Ok(Verdict::Skipped(format!("only wasmi rejects: {wasmi_error}")))
}
