//! First execution benchmark: the same small WAT workloads on Weft and on
//! `wasmi` 2.0, with interleaved repetitions; prints the median time of each
//! engine per workload and the ratio Weft / wasmi. Informational, not a gate.
//!
//! Run with `make bench` (`cargo bench --bench startpoint`). Extra arguments
//! that do not start with `-` select workloads by name; `BENCH_REPS` sets
//! the number of repetitions (default 5).

use std::time::{Duration, Instant};

struct Workload {
    name: &'static str,
    wat: &'static str,
    /// Export of type `(param i32) (result i64)` that is timed.
    export: &'static str,
    arg: i32,
    expected: i64,
    /// Export of type `(param i32) (result i64)` called once before timing.
    setup: Option<(&'static str, i32)>,
}

const FIB_WAT: &str = r#"
(module
  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"#;

const LOOP_WAT: &str = r#"
(module
  (func (export "count") (param $n i32) (result i64) (local $i i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (i64.extend_i32_u (local.get $i))))
"#;

/// 1 MiB of i32s, filled with their index, summed `reps` times.
const MEMSUM_WAT: &str = r#"
(module
  (memory 16)
  (func (export "fill") (param $unused i32) (result i64) (local $i i32)
    (loop $next
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 262144))))
    (i64.const 0))
  (func (export "sum") (param $reps i32) (result i64) (local $addr i32) (local $acc i64)
    (block $done
      (loop $rep
        (br_if $done (i32.eqz (local.get $reps)))
        (local.set $addr (i32.const 0))
        (loop $next
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.load (local.get $addr)))))
          (local.set $addr (i32.add (local.get $addr) (i32.const 4)))
          (br_if $next (i32.lt_u (local.get $addr) (i32.const 1048576))))
        (local.set $reps (i32.sub (local.get $reps) (i32.const 1)))
        (br $rep)))
    (local.get $acc)))
"#;

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib(30) recursive",
        wat: FIB_WAT,
        export: "fib",
        arg: 30,
        expected: 832_040,
        setup: None,
    },
    Workload {
        name: "count loop 100M",
        wat: LOOP_WAT,
        export: "count",
        arg: 100_000_000,
        expected: 100_000_000,
        setup: None,
    },
    Workload {
        name: "memory sum 100x1MiB",
        wat: MEMSUM_WAT,
        export: "sum",
        arg: 100,
        // 100 * (0 + 1 + ... + 262143)
        expected: 100 * (262_143 * 262_144 / 2),
        setup: Some(("fill", 0)),
    },
];

/// One engine with one workload instantiated, ready to be timed.
trait Runner {
    fn run(&mut self, arg: i32) -> Result<i64, String>;
}

struct WeftRunner {
    store: weft::Store,
    func: weft::Func,
}

impl WeftRunner {
    fn new(w: &Workload) -> Result<WeftRunner, String> {
        let engine = weft::Engine::default();
        let module = weft::Module::new(&engine, w.wat.as_bytes()).map_err(|e| e.to_string())?;
        let mut store = weft::Store::new(&engine);
        let instance = weft::Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
        let get = |name: &str| instance.get_func(&store, name).ok_or(format!("no export {name}"));
        let func = get(w.export)?;
        let setup = w
            .setup
            .map(|(name, arg)| get(name).map(|f| (f, arg)))
            .transpose()?;
        let mut runner = WeftRunner { store, func };
        if let Some((f, arg)) = setup {
            call_weft(&mut runner.store, f, arg)?;
        }
        Ok(runner)
    }
}

fn call_weft(store: &mut weft::Store, f: weft::Func, arg: i32) -> Result<i64, String> {
    let mut out = [weft::Val::I64(0)];
    f.call(store, &[weft::Val::I32(arg)], &mut out)
        .map_err(|t| t.to_string())?;
    match out[0] {
        weft::Val::I64(v) => Ok(v),
        other => Err(format!("unexpected result {other:?}")),
    }
}

impl Runner for WeftRunner {
    fn run(&mut self, arg: i32) -> Result<i64, String> {
        call_weft(&mut self.store, self.func, arg)
    }
}

struct WasmiRunner {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<i32, i64>,
}

impl WasmiRunner {
    fn new(w: &Workload) -> Result<WasmiRunner, String> {
        let wasm = wat::parse_str(w.wat).map_err(|e| e.to_string())?;
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let get = |store: &wasmi::Store<()>, name: &str| {
            instance
                .get_typed_func::<i32, i64>(store, name)
                .map_err(|e| e.to_string())
        };
        let func = get(&store, w.export)?;
        if let Some((name, arg)) = w.setup {
            get(&store, name)?
                .call(&mut store, arg)
                .map_err(|e| e.to_string())?;
        }
        Ok(WasmiRunner { store, func })
    }
}

impl Runner for WasmiRunner {
    fn run(&mut self, arg: i32) -> Result<i64, String> {
        self.func.call(&mut self.store, arg).map_err(|e| e.to_string())
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Times `reps` interleaved runs of each runner; `None` for a runner that
/// failed to set up or returned a wrong result.
fn measure(
    w: &Workload,
    runners: &mut [(&str, Option<Box<dyn Runner>>)],
    reps: usize,
) -> Vec<Option<Duration>> {
    let mut times = vec![Vec::new(); runners.len()];
    for _ in 0..reps {
        for (i, (engine, slot)) in runners.iter_mut().enumerate() {
            let Some(runner) = slot else { continue };
            let start = Instant::now();
            let result = runner.run(w.arg);
            let elapsed = start.elapsed();
            match result {
                Ok(v) if v == w.expected => times[i].push(elapsed),
                Ok(v) => {
                    eprintln!("  {engine}: wrong result {v}, expected {}", w.expected);
                    *slot = None;
                }
                Err(e) => {
                    eprintln!("  {engine}: {e}");
                    *slot = None;
                }
            }
        }
    }
    runners
        .iter()
        .zip(times)
        .map(|((_, slot), t)| slot.as_ref().map(|_| median(t)))
        .collect()
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    println!("startpoint: median of {reps} interleaved runs per engine");
    println!(
        "{:<22} {:>12} {:>12} {:>12}",
        "workload", "weft", "wasmi", "weft/wasmi"
    );
    for w in WORKLOADS {
        if !filters.is_empty() && !filters.iter().any(|f| w.name.contains(f.as_str())) {
            continue;
        }
        let weft = WeftRunner::new(w)
            .map(|r| Box::new(r) as Box<dyn Runner>)
            .map_err(|e| eprintln!("  weft setup failed for {}: {e}", w.name))
            .ok();
        let wasmi = WasmiRunner::new(w)
            .map(|r| Box::new(r) as Box<dyn Runner>)
            .map_err(|e| eprintln!("  wasmi setup failed for {}: {e}", w.name))
            .ok();
        let mut runners = [("weft", weft), ("wasmi", wasmi)];
        let medians = measure(w, &mut runners, reps);
        let show = |d: Option<Duration>| match d {
            Some(d) => format!("{:.1} ms", d.as_secs_f64() * 1e3),
            None => "failed".to_string(),
        };
        let ratio = match (medians[0], medians[1]) {
            (Some(a), Some(b)) => format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64()),
            _ => "-".to_string(),
        };
        println!(
            "{:<22} {:>12} {:>12} {:>12}",
            w.name,
            show(medians[0]),
            show(medians[1]),
            ratio
        );
    }
}
