//! The execution benchmark: every workload on every engine, interleaved.

use crate::engines::{Engine, Loaded};
use crate::report::{fmt_ms, fmt_ratio, geomean, median};
use crate::workloads::{self, Workload, WORKLOADS};
use std::fmt::Write as _;
use std::time::Duration;

pub struct Options {
    pub reps: usize,
    /// Multiplies every workload's n (work is linear in n).
    pub scale: f64,
    pub filters: Vec<String>,
    pub engines: Vec<Engine>,
    pub markdown: bool,
    pub verbose: bool,
    /// Append each workload's per-engine median to this file (one layout's
    /// run, see `benches/layout/suite.sh`).
    pub record: Option<std::path::PathBuf>,
    /// Measure nothing: report the medians over the runs recorded here.
    pub from_records: Option<std::path::PathBuf>,
}

/// What happened to one engine on one workload.
enum Outcome {
    Timed { times: Vec<Duration>, checksum: i64 },
    Failed(String),
}

struct Row {
    workload: &'static Workload,
    n: i32,
    /// Per engine of `Options::engines`.
    outcomes: Vec<Outcome>,
    /// The engines disagree on the checksum.
    mismatch: bool,
}

impl Row {
    fn median(&self, i: usize) -> Option<Duration> {
        match &self.outcomes[i] {
            Outcome::Timed { times, .. } if !self.mismatch => Some(median(times.clone())),
            _ => None,
        }
    }

    fn cell(&self, i: usize) -> String {
        match &self.outcomes[i] {
            Outcome::Failed(_) => "FAILED".to_string(),
            Outcome::Timed { .. } if self.mismatch => "MISMATCH".to_string(),
            Outcome::Timed { times, .. } => fmt_ms(median(times.clone())),
        }
    }
}

fn selected(w: &Workload, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str()))
}

/// Runs one workload on every engine; prints failures and mismatches as
/// they happen.
fn bench_workload(w: &'static Workload, opts: &Options, out_dir: &std::path::Path) -> Row {
    let n = ((f64::from(w.n) * opts.scale).round() as i32).max(1);
    let engines = &opts.engines;
    let wasm = match w.build(out_dir) {
        Ok(wasm) => wasm,
        Err(e) => {
            eprintln!("!! {}: build failed: {e}", w.name);
            return Row {
                workload: w,
                n,
                outcomes: engines
                    .iter()
                    .map(|_| Outcome::Failed("build failed".into()))
                    .collect(),
                mismatch: false,
            };
        }
    };
    let mut loaded: Vec<Result<Box<dyn Loaded>, String>> = engines
        .iter()
        .map(|e| e.load(&wasm).map_err(|err| format!("load: {err}")))
        .collect();
    // One untimed warm-up call each (wasm3 compiles functions on first call).
    let mut warm: Vec<Option<i64>> = vec![None; engines.len()];
    for (i, slot) in loaded.iter_mut().enumerate() {
        if let Ok(l) = slot {
            match l.call_run(1) {
                Ok((v, _)) => warm[i] = Some(v),
                Err(e) => *slot = Err(format!("warm-up run(1): {e}")),
            }
        }
    }
    let mut mismatch = check_agreement(w.name, "run(1)", engines, &warm);
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); engines.len()];
    let mut checksums: Vec<Option<i64>> = vec![None; engines.len()];
    for rep in 0..opts.reps {
        for k in 0..engines.len() {
            let i = (k + rep) % engines.len();
            let Ok(l) = &mut loaded[i] else { continue };
            match l.call_run(n) {
                Ok((v, t)) => {
                    if opts.verbose {
                        eprintln!(
                            "   {} {} rep {rep}: {} checksum {v:#018x}",
                            w.name,
                            engines[i].name(),
                            fmt_ms(t)
                        );
                    }
                    match checksums[i] {
                        Some(prev) if prev != v => {
                            eprintln!(
                                "!! CHECKSUM CHANGED: {} on {} returned {v:#x}, earlier {prev:#x}",
                                w.name,
                                engines[i].name()
                            );
                            mismatch = true;
                        }
                        _ => checksums[i] = Some(v),
                    }
                    times[i].push(t);
                }
                Err(e) => loaded[i] = Err(format!("run({n}): {e}")),
            }
        }
    }
    mismatch |= check_agreement(w.name, &format!("run({n})"), engines, &checksums);
    let outcomes = loaded
        .into_iter()
        .zip(times)
        .zip(checksums)
        .enumerate()
        .map(|(i, ((l, times), checksum))| match (l, checksum) {
            (Err(e), _) => {
                eprintln!("!! {} cannot run on {}: {e}", w.name, engines[i].name());
                Outcome::Failed(e)
            }
            (Ok(_), Some(checksum)) => Outcome::Timed { times, checksum },
            (Ok(_), None) => Outcome::Failed("no repetitions".into()),
        })
        .collect();
    Row {
        workload: w,
        n,
        outcomes,
        mismatch,
    }
}

/// A record line: workload, n, engine, median in nanoseconds, checksum.
fn record_lines(row: &Row, engines: &[Engine]) -> String {
    let mut out = String::new();
    for (i, e) in engines.iter().enumerate() {
        if let (Some(t), Outcome::Timed { checksum, .. }) = (row.median(i), &row.outcomes[i]) {
            let (name, n, nanos) = (row.workload.name, row.n, t.as_nanos());
            let _ = writeln!(out, "{name} {n} {} {nanos} {checksum}", e.name());
        }
    }
    out
}

/// The row of workload `w` from recorded runs: each engine's "times" are
/// its medians of the recorded runs (so the row's median is the median
/// over runs); an engine without records failed.
fn recorded_row(w: &'static Workload, engines: &[Engine], records: &str) -> Row {
    let mut n = 0;
    let outcomes = engines
        .iter()
        .map(|e| {
            let mut checksum = None;
            let times: Vec<Duration> = records
                .lines()
                .filter_map(|line| {
                    let f: Vec<&str> = line.split_whitespace().collect();
                    if f.len() != 5 || f[0] != w.name || f[2] != e.name() {
                        return None;
                    }
                    n = f[1].parse().ok()?;
                    checksum = f[4].parse().ok();
                    Some(Duration::from_nanos(f[3].parse().ok()?))
                })
                .collect();
            match checksum {
                Some(checksum) if !times.is_empty() => Outcome::Timed { times, checksum },
                _ => Outcome::Failed("no recorded run".into()),
            }
        })
        .collect();
    Row {
        workload: w,
        n,
        outcomes,
        mismatch: false,
    }
}

/// True (and a loud message) if the engines that produced a value disagree.
fn check_agreement(name: &str, call: &str, engines: &[Engine], values: &[Option<i64>]) -> bool {
    let seen: Vec<(Engine, i64)> = engines
        .iter()
        .zip(values)
        .filter_map(|(e, v)| v.map(|v| (*e, v)))
        .collect();
    let agree = seen.windows(2).all(|p| p[0].1 == p[1].1);
    if !agree {
        let list: Vec<String> = seen.iter().map(|(e, v)| format!("{}={v:#x}", e.name())).collect();
        eprintln!(
            "!!!!!! CHECKSUM MISMATCH in {name}, {call}: {} !!!!!!",
            list.join(", ")
        );
    }
    !agree
}

/// The ratio Weft / `peer` for a row, if both ran and agree.
fn ratio(row: &Row, engines: &[Engine], peer: Engine) -> Option<f64> {
    let w = engines.iter().position(|e| *e == Engine::Weft)?;
    let p = engines.iter().position(|e| *e == peer)?;
    Some(row.median(w)?.as_secs_f64() / row.median(p)?.as_secs_f64())
}

/// Runs the selected workloads; returns false if anything failed or
/// disagreed.
pub fn run(opts: &Options) -> Result<bool, String> {
    let out_dir = workloads::out_dir()?;
    let chosen: Vec<&'static Workload> = WORKLOADS.iter().filter(|w| selected(w, &opts.filters)).collect();
    if chosen.is_empty() {
        return Err(format!("no workload matches {:?} (try --list)", opts.filters));
    }
    let peers: Vec<Engine> = opts
        .engines
        .iter()
        .copied()
        .filter(|e| *e != Engine::Weft)
        .collect();
    let with_weft = opts.engines.contains(&Engine::Weft);
    let records = match &opts.from_records {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            println!(
                "execution: medians over the recorded runs in {} (one per code layout), each the median of \
                 interleaved repetitions of one call of run(n)",
                path.display()
            );
            Some(text)
        }
        None => {
            println!(
                "execution: time of one call of run(n), median of {} interleaved repetitions (engine order rotated);\n\
                 modules built with: {} {} (C) / wat crate (WAT), in {}",
                opts.reps,
                workloads::clang(),
                workloads::CFLAGS.join(" "),
                out_dir.display()
            );
            None
        }
    };
    if with_weft && !peers.is_empty() {
        println!("weft/PEER = Weft's time / the peer's time: < 1 means Weft is faster");
    }
    let mut header = format!("{:<14} {:>7}", "workload", "n");
    for e in &opts.engines {
        let _ = write!(header, " {:>11}", e.name());
    }
    if with_weft {
        for p in &peers {
            let _ = write!(header, " {:>11}", format!("weft/{}", p.name()));
        }
    }
    println!("{header}");
    let mut rows = Vec::new();
    for w in chosen {
        let row = match &records {
            Some(text) => recorded_row(w, &opts.engines, text),
            None => bench_workload(w, opts, &out_dir),
        };
        if let Some(path) = &opts.record {
            use std::io::Write as _;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(record_lines(&row, &opts.engines).as_bytes()))
                .map_err(|e| format!("cannot record to {}: {e}", path.display()))?;
        }
        let mut line = format!("{:<14} {:>7}", w.name, row.n);
        for i in 0..opts.engines.len() {
            let _ = write!(line, " {:>11}", row.cell(i));
        }
        if with_weft {
            for p in &peers {
                let r = ratio(&row, &opts.engines, *p)
                    .map(|r| format!("{r:.2}"))
                    .unwrap_or_else(|| "-".into());
                let _ = write!(line, " {r:>11}");
            }
        }
        println!("{line}");
        rows.push(row);
    }

    let mut summary = Vec::new();
    if with_weft {
        for p in &peers {
            let ratios: Vec<f64> = rows.iter().filter_map(|r| ratio(r, &opts.engines, *p)).collect();
            let text = match geomean(&ratios) {
                Some(g) => format!(
                    "geometric mean weft/{} over {} of {} workloads: {}",
                    p.name(),
                    ratios.len(),
                    rows.len(),
                    fmt_ratio(g)
                ),
                None => format!("geometric mean weft/{}: no workload ran on both", p.name()),
            };
            println!("{text}");
            summary.push(text);
        }
    }

    let mut ok = true;
    for row in &rows {
        if row.mismatch {
            ok = false;
            println!(
                "!! {}: the engines' checksums DISAGREE (see above)",
                row.workload.name
            );
        }
        for (i, o) in row.outcomes.iter().enumerate() {
            if let Outcome::Failed(e) = o {
                ok = false;
                println!(
                    "!! {} did not run on {}: {e}",
                    row.workload.name,
                    opts.engines[i].name()
                );
            }
        }
    }

    if opts.markdown {
        print_markdown(&rows, opts, &peers, with_weft, &summary);
    }
    Ok(ok)
}

fn print_markdown(rows: &[Row], opts: &Options, peers: &[Engine], with_weft: bool, summary: &[String]) {
    let mut md = String::from("\n--- markdown ---\n\n| workload | n |");
    for e in &opts.engines {
        let _ = write!(md, " {} |", e.name());
    }
    if with_weft {
        for p in peers {
            let _ = write!(md, " weft/{} |", p.name());
        }
    }
    md.push_str(" checksum |\n|---|---:|");
    for _ in 0..opts.engines.len() + if with_weft { peers.len() } else { 0 } {
        md.push_str("---:|");
    }
    md.push_str("---|\n");
    for row in rows {
        let what = row.workload.what.replace('|', "\\|");
        let _ = write!(md, "| {} ({what}) | {} |", row.workload.name, row.n);
        for i in 0..opts.engines.len() {
            let _ = write!(md, " {} |", row.cell(i));
        }
        if with_weft {
            for p in peers {
                let r = ratio(row, &opts.engines, *p)
                    .map(|r| format!("{r:.2}"))
                    .unwrap_or_else(|| "-".into());
                let _ = write!(md, " {r} |");
            }
        }
        let checksum = row.outcomes.iter().find_map(|o| match o {
            Outcome::Timed { checksum, .. } => Some(*checksum),
            Outcome::Failed(_) => None,
        });
        match checksum {
            Some(c) if !row.mismatch => {
                let _ = writeln!(md, " `{c:#x}` |");
            }
            _ => md.push_str(" MISMATCH or none |\n"),
        }
    }
    for s in summary {
        let _ = writeln!(md, "\n{s}");
    }
    println!("{md}");
}
