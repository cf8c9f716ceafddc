//! Start-up: time to decode + validate + translate + instantiate a large
//! module, and the memory this takes (peak and resident after
//! instantiation, each minus a baseline process that only reads the file).
//!
//! Times are measured in this process (engines interleaved, median of
//! `BENCH_REPS`). Memory is measured in child processes (this executable
//! again, with `--child-startup ENGINE FILE`), one per engine and run: each
//! reports its own peak (`VmHWM`) and current (`VmRSS`) resident set size
//! after instantiation. The child's `ru_maxrss` from `wait4` is no use here:
//! Linux folds the high-water mark of the address space that `exec`
//! replaces, i.e. the parent's (std spawns with `vfork` semantics), into the
//! child's `maxrss`, so every child reported at least the harness's own peak.

use crate::engines::{wasmi_config, WASM3_STACK_BYTES};
use crate::report::{fmt_ms, median};
use crate::{gen, workloads};
use std::any::Any;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartupEngine {
    /// Reads the file and loads nothing (the memory baseline).
    Baseline,
    WeftLazy,
    WeftEager,
    WasmiEager,
    WasmiLazy,
    Wasm3Eager,
    Wasm3Lazy,
}

impl StartupEngine {
    const MEASURED: [StartupEngine; 6] = [
        StartupEngine::WeftLazy,
        StartupEngine::WeftEager,
        StartupEngine::WasmiEager,
        StartupEngine::WasmiLazy,
        StartupEngine::Wasm3Eager,
        StartupEngine::Wasm3Lazy,
    ];

    fn name(self) -> &'static str {
        match self {
            StartupEngine::Baseline => "baseline",
            StartupEngine::WeftLazy => "weft-lazy",
            StartupEngine::WeftEager => "weft-eager",
            StartupEngine::WasmiEager => "wasmi-eager",
            StartupEngine::WasmiLazy => "wasmi-lazy",
            StartupEngine::Wasm3Eager => "wasm3-eager",
            StartupEngine::Wasm3Lazy => "wasm3-lazy",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            StartupEngine::Baseline => "reads the file only",
            StartupEngine::WeftLazy => "its default: decode, validate, instantiate; translate on first call",
            StartupEngine::WeftEager => {
                "lazy_translation = false: decode, validate + translate all, instantiate"
            }
            StartupEngine::WasmiEager => "CompilationMode::Eager: validate + translate all",
            StartupEngine::WasmiLazy => "its default, LazyTranslation: validate, translate on first call",
            StartupEngine::Wasm3Eager => "parse + load, then Compile_Function on every function",
            StartupEngine::Wasm3Lazy => "its default: parse + load; compiles on first call, no validation",
        }
    }

    fn parse(s: &str) -> Option<StartupEngine> {
        std::iter::once(StartupEngine::Baseline)
            .chain(StartupEngine::MEASURED)
            .find(|e| e.name() == s)
    }

    /// Decodes, validates, translates and instantiates; returns whatever
    /// must stay alive (dropped by the caller, outside the timing).
    fn load(self, wasm: &[u8]) -> Result<Box<dyn Any>, String> {
        match self {
            StartupEngine::Baseline => Ok(Box::new(())),
            StartupEngine::WeftLazy | StartupEngine::WeftEager => {
                let engine = weft::Engine::new(weft::Config {
                    lazy_translation: self == StartupEngine::WeftLazy,
                    ..weft::Config::default()
                });
                let module = weft::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
                let mut store = weft::Store::new(&engine);
                let instance = weft::Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
                Ok(Box::new((module, store, instance)))
            }
            StartupEngine::WasmiEager | StartupEngine::WasmiLazy => {
                let mode = if self == StartupEngine::WasmiEager {
                    wasmi::CompilationMode::Eager
                } else {
                    wasmi::CompilationMode::LazyTranslation
                };
                let engine = wasmi::Engine::new(&wasmi_config(mode));
                let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
                let mut store = wasmi::Store::new(&engine, ());
                let instance = wasmi::Linker::<()>::new(&engine)
                    .instantiate_and_start(&mut store, &module)
                    .map_err(|e| e.to_string())?;
                Ok(Box::new((module, store, instance)))
            }
            StartupEngine::Wasm3Eager => wasm3_raw::Loaded::new(wasm, true).map(|l| Box::new(l) as _),
            StartupEngine::Wasm3Lazy => wasm3_raw::Loaded::new(wasm, false).map(|l| Box::new(l) as _),
        }
    }
}

/// wasm3 through its C API (re-exported by the `wasm3` crate), since the
/// crate has no way to compile every function of a module.
mod wasm3_raw {
    use wasm3::wasm3_sys as ffi;

    extern "C" {
        // wasm3's internal compiler entry (m3_compile.h), in the same library.
        fn Compile_Function(function: ffi::IM3Function) -> ffi::M3Result;
    }

    pub struct Loaded {
        env: ffi::IM3Environment,
        runtime: ffi::IM3Runtime,
        /// wasm3 refers to the module's bytes as long as the module lives.
        _bytes: Box<[u8]>,
    }

    fn check(result: ffi::M3Result) -> Result<(), String> {
        if result.is_null() {
            Ok(())
        } else {
            // SAFETY: wasm3's results are static NUL-terminated strings.
            let msg = unsafe { std::ffi::CStr::from_ptr(result) };
            Err(msg.to_string_lossy().into_owned())
        }
    }

    impl Loaded {
        pub fn new(wasm: &[u8], eager: bool) -> Result<Loaded, String> {
            let bytes: Box<[u8]> = wasm.into();
            // SAFETY: plain use of wasm3's C API: the environment and runtime
            // are freed by Drop (which frees the loaded module with the
            // runtime), the module is freed here if loading fails, and the
            // bytes outlive the module.
            unsafe {
                let env = ffi::m3_NewEnvironment();
                if env.is_null() {
                    return Err("m3_NewEnvironment failed".into());
                }
                let runtime = ffi::m3_NewRuntime(env, super::WASM3_STACK_BYTES, std::ptr::null_mut());
                if runtime.is_null() {
                    ffi::m3_FreeEnvironment(env);
                    return Err("m3_NewRuntime failed".into());
                }
                let loaded = Loaded {
                    env,
                    runtime,
                    _bytes: bytes,
                };
                let mut module: ffi::IM3Module = std::ptr::null_mut();
                check(ffi::m3_ParseModule(
                    env,
                    &mut module,
                    loaded._bytes.as_ptr(),
                    loaded._bytes.len() as u32,
                ))?;
                if let Err(e) = check(ffi::m3_LoadModule(runtime, module)) {
                    ffi::m3_FreeModule(module);
                    return Err(e);
                }
                if eager {
                    let count = (*module).numFunctions as usize;
                    for i in 0..count {
                        let function = (*module).functions.add(i);
                        if (*function).compiled.is_null() && !(*function).wasm.is_null() {
                            check(Compile_Function(function))?;
                        }
                    }
                }
                Ok(loaded)
            }
        }
    }

    impl Drop for Loaded {
        fn drop(&mut self) {
            // SAFETY: created in `new`, freed once.
            unsafe {
                ffi::m3_FreeRuntime(self.runtime);
                ffi::m3_FreeEnvironment(self.env);
            }
        }
    }
}

/// This process's peak and current resident set size in KiB (`VmHWM` and
/// `VmRSS` of Linux's `/proc/self/status`).
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The child side: `--child-startup ENGINE FILE`. Loads the module, prints
/// its peak and current resident set size (KiB), and exits.
pub fn child(args: &[String]) -> Result<(), String> {
    let [engine, file] = args else {
        return Err("usage: --child-startup ENGINE FILE".into());
    };
    let engine = StartupEngine::parse(engine).ok_or(format!("unknown engine {engine}"))?;
    let wasm = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let loaded = engine.load(&wasm)?;
    let (peak, now) = rss_kib();
    println!("{peak} {now}");
    // Exit without freeing: freeing is no part of the measurement.
    std::mem::forget(loaded);
    std::process::exit(0);
}

struct MemoryUse {
    peak_kib: u64,
    after_kib: u64,
}

/// Runs one child and returns the peak and current RSS it reported.
fn measure_child(engine: StartupEngine, file: &Path) -> Result<MemoryUse, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .arg("--child-startup")
        .arg(engine.name())
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start a child: {e}"))?;
    if !output.status.success() {
        return Err(format!("{} child failed: {}", engine.name(), output.status));
    }
    let out = String::from_utf8_lossy(&output.stdout);
    let mut fields = out.split_whitespace().map(str::parse::<u64>);
    match (fields.next(), fields.next()) {
        (Some(Ok(peak_kib)), Some(Ok(after_kib))) => Ok(MemoryUse { peak_kib, after_kib }),
        _ => Err(format!("{} child printed {out:?}", engine.name())),
    }
}

/// The large modules: (name, description, path).
fn build_modules() -> Result<Vec<(String, String, PathBuf)>, String> {
    let out = workloads::out_dir()?;
    let mut modules = Vec::new();

    let funcs = env_u32("BENCH_STARTUP_FUNCS", 30_000);
    let wasm = gen::wasm_module(funcs);
    let path = out.join(format!("startup-generated-{funcs}.wasm"));
    std::fs::write(&path, &wasm).map_err(|e| format!("{}: {e}", path.display()))?;
    modules.push((
        "generated".to_string(),
        format!("wasm-encoder, {funcs} functions, {}", fmt_size(wasm.len())),
        path,
    ));

    match c_module(&out) {
        Ok((desc, path)) => modules.push(("c-all".to_string(), desc, path)),
        Err(e) => eprintln!("!! the C start-up module could not be built (skipped): {e}"),
    }
    Ok(modules)
}

/// All C workloads (each `run` renamed `run_NAME`) plus generated C
/// functions, compiled and linked by clang into one module.
fn c_module(out: &Path) -> Result<(String, PathBuf), String> {
    let funcs = env_u32("BENCH_STARTUP_CFUNCS", 3_000);
    let src = out.join(format!("startup-gen-{funcs}.c"));
    let text = gen::c_source(funcs);
    let wasm_path = out.join(format!("startup-c-all-{funcs}.wasm"));
    let unchanged = std::fs::read_to_string(&src).is_ok_and(|old| old == text);
    if !unchanged || !wasm_path.exists() {
        std::fs::write(&src, &text).map_err(|e| format!("{}: {e}", src.display()))?;
        let mut args = vec!["-Wl,--export=gen_entry".to_string()];
        let mut objects = Vec::new();
        for w in workloads::WORKLOADS {
            if let workloads::Source::C(file) = w.source {
                let object = out.join(format!("startup-{}.o", w.name));
                workloads::run_clang(
                    &[
                        "-c".to_string(),
                        format!("-Drun=run_{}", w.name),
                        workloads::workloads_dir().join(file).display().to_string(),
                    ],
                    &object,
                )?;
                args.push(format!("-Wl,--export=run_{}", w.name));
                objects.push(object.display().to_string());
            }
        }
        eprintln!("compiling {} generated C functions with clang...", funcs);
        let gen_object = out.join(format!("startup-gen-{funcs}.o"));
        workloads::run_clang(&["-c".to_string(), src.display().to_string()], &gen_object)?;
        objects.push(gen_object.display().to_string());
        args.extend(objects);
        workloads::run_clang(&args, &wasm_path)?;
    }
    let size = std::fs::metadata(&wasm_path).map_err(|e| e.to_string())?.len();
    Ok((
        format!(
            "clang -O2: all C workloads + {funcs} generated C functions, {}",
            fmt_size(size as usize)
        ),
        wasm_path,
    ))
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn fmt_size(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn fmt_mib(kib: i64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The `--startup` mode. Returns false if anything failed.
pub fn run(reps: usize, markdown: bool) -> Result<bool, String> {
    let modules = build_modules()?;
    let mem_runs = reps.clamp(1, 3);
    println!(
        "start-up: decode + validate + translate + instantiate, median of {reps} interleaved runs;\n\
         memory: peak RSS (VmHWM) and RSS after instantiation (VmRSS) of a child process that\n\
         loads the module, minus those of a baseline child that only reads the file\n\
         (median of {mem_runs} children)"
    );
    for engine in StartupEngine::MEASURED {
        println!("  {:<12} {}", engine.name(), engine.describe());
    }
    let mut ok = true;
    let mut md = String::new();
    for (name, desc, path) in &modules {
        println!("\n{name}: {desc}");
        let wasm = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Times, interleaved, engine order rotated per repetition.
        let engines = StartupEngine::MEASURED;
        let mut times: Vec<Result<Vec<Duration>, String>> = engines.iter().map(|_| Ok(Vec::new())).collect();
        for rep in 0..reps {
            for k in 0..engines.len() {
                let i = (k + rep) % engines.len();
                let Ok(list) = &mut times[i] else { continue };
                let start = Instant::now();
                let loaded = engines[i].load(&wasm);
                let elapsed = start.elapsed();
                match loaded {
                    Ok(loaded) => {
                        list.push(elapsed);
                        drop(loaded);
                    }
                    Err(e) => times[i] = Err(e),
                }
            }
        }
        // Memory, in child processes.
        let mem = |engine| -> Result<MemoryUse, String> {
            let mut runs = Vec::new();
            for _ in 0..mem_runs {
                runs.push(measure_child(engine, path)?);
            }
            Ok(MemoryUse {
                peak_kib: median_u64(runs.iter().map(|m| m.peak_kib).collect()),
                after_kib: median_u64(runs.iter().map(|m| m.after_kib).collect()),
            })
        };
        let base = mem(StartupEngine::Baseline)?;
        let medians: Vec<Option<Duration>> = times
            .iter()
            .map(|t| t.as_ref().ok().map(|t| median(t.clone())))
            .collect();
        // Ratios against both Weft modes (`MEASURED` starts with them).
        let (lazy_time, eager_time) = (medians[0], medians[1]);
        println!(
            "  {:<12} {:>11} {:>11} {:>11} {:>12} {:>14}",
            "engine", "time", "lazy/this", "eager/this", "peak memory", "after instant."
        );
        let _ = std::fmt::Write::write_fmt(
            &mut md,
            format_args!(
                "\n{name}: {desc}\n\n| engine | time | weft-lazy/this | weft-eager/this | peak memory | after instantiation |\n|---|---:|---:|---:|---:|---:|\n"
            ),
        );
        for (i, engine) in engines.iter().enumerate() {
            let ratio_to = |w: Option<Duration>, t: Duration| {
                w.map(|w| format!("{:.2}", w.as_secs_f64() / t.as_secs_f64()))
                    .unwrap_or_else(|| "-".into())
            };
            let (time, lazy_ratio, eager_ratio) = match (&times[i], medians[i]) {
                (Err(e), _) => {
                    ok = false;
                    eprintln!("!! {} failed to load {name}: {e}", engine.name());
                    ("FAILED".to_string(), "-".to_string(), "-".to_string())
                }
                (Ok(_), Some(t)) => (fmt_ms(t), ratio_to(lazy_time, t), ratio_to(eager_time, t)),
                _ => ("-".into(), "-".into(), "-".into()),
            };
            let (peak, after) = match mem(*engine) {
                Ok(m) => (
                    fmt_mib(m.peak_kib as i64 - base.peak_kib as i64),
                    fmt_mib(m.after_kib as i64 - base.after_kib as i64),
                ),
                Err(e) => {
                    ok = false;
                    eprintln!("!! {} memory measurement failed: {e}", engine.name());
                    ("FAILED".into(), "FAILED".into())
                }
            };
            println!(
                "  {:<12} {:>11} {:>11} {:>11} {:>12} {:>14}",
                engine.name(),
                time,
                lazy_ratio,
                eager_ratio,
                peak,
                after
            );
            let _ = std::fmt::Write::write_fmt(
                &mut md,
                format_args!(
                    "| {} | {time} | {lazy_ratio} | {eager_ratio} | {peak} | {after} |\n",
                    engine.name()
                ),
            );
        }
        println!(
            "  (baseline child: peak {}, after {}; a ratio below 1 means that Weft mode is faster)",
            fmt_mib(base.peak_kib as i64),
            fmt_mib(base.after_kib as i64)
        );
    }
    if markdown {
        println!("\n--- markdown ---{md}");
    }
    Ok(ok)
}

fn median_u64(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}
