//! The regression corpus, `tests/corpus/`: modules (`.wasm`, or `.wat`
//! written by hand) on which Weft once misbehaved, each with a `.txt` note
//! saying what went wrong. Names starting with `mut-` are mutants (checked
//! leniently, as in the mutation mode); all others must agree with wasmi
//! exactly. Cases listed in `known-failures.txt` (file name, then the
//! reason) are engine bugs not fixed yet: the default test run skips them
//! and an ignored test checks them.

use super::exec::{self, Failure, Options, Verdict};
use super::mutate;
use super::rng::hash_bytes;
use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus")
}

pub const KNOWN_FAILURES: &str = "known-failures.txt";

/// One corpus file.
#[derive(Clone, Debug)]
pub struct Case {
    pub path: PathBuf,
    pub name: String,
}

impl Case {
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        let raw = std::fs::read(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        if self.name.ends_with(".wat") {
            wat::parse_bytes(&raw)
                .map(|b| b.into_owned())
                .map_err(|e| format!("{}: {e}", self.name))
        } else {
            Ok(raw)
        }
    }

    pub fn is_mutant(&self) -> bool {
        self.name.starts_with("mut-")
    }

    /// Runs the case; `Err` describes how it still fails.
    pub fn check(&self) -> Result<(), String> {
        super::driver::on_big_stack(|| self.check_here())
    }

    fn check_here(&self) -> Result<(), String> {
        let bytes = self.bytes()?;
        let failure = if self.is_mutant() {
            match mutate::check(&bytes) {
                mutate::Outcome::Fail(f) => Some(f),
                _ => None,
            }
        } else {
            match exec::run(&bytes, &Options::generated()) {
                Verdict::Fail(f) => Some(f),
                _ => None,
            }
        };
        match failure {
            Some(f) => Err(format!("{}: {}", f.category, f.detail)),
            None => Ok(()),
        }
    }
}

/// Every `.wasm` and `.wat` file of the corpus, sorted by name.
pub fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.ends_with(".wasm") || name.ends_with(".wat")).then(|| Case { path: e.path(), name })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `(file name, reason)` for every known failure.
pub fn known_failures() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir().join(KNOWN_FAILURES)).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Writes a failing module (and a note) to `dir`; returns its path.
pub fn save(
    dir: &Path,
    bytes: &[u8],
    failure: &Failure,
    origin: &str,
    mutant: bool,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stem = format!(
        "{}{}-{:016x}",
        if mutant { "mut-" } else { "" },
        failure.category,
        hash_bytes(bytes)
    );
    let path = dir.join(format!("{stem}.wasm"));
    std::fs::write(&path, bytes)?;
    let note = format!("{}: {}\norigin: {origin}\n", failure.category, failure.detail);
    std::fs::write(dir.join(format!("{stem}.txt")), note)?;
    Ok(path)
}
