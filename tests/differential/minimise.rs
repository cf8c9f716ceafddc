//! Test-case reduction: repeatedly drops custom sections, the start
//! section and exports, and replaces function bodies with `unreachable`,
//! keeping each change under which the module still fails in the same
//! category. Small and structural, but it turns a 5 KiB generated module
//! into a handful of functions worth reading.

use super::binary::{self, CUSTOM, START};
use super::exec::FUEL_PREFIX;
use std::time::{Duration, Instant};

/// Shrinks `bytes` while `still_fails` holds; stops after `budget`.
pub fn minimise(bytes: &[u8], budget: Duration, still_fails: &dyn Fn(&[u8]) -> bool) -> Vec<u8> {
    let deadline = Instant::now() + budget;
    let mut best = bytes.to_vec();
    loop {
        let before = best.len();
        let try_edit = |cand: Option<Vec<u8>>, best: &mut Vec<u8>| -> bool {
            match cand {
                Some(c) if c.len() < best.len() && Instant::now() < deadline && still_fails(&c) => {
                    *best = c;
                    true
                }
                _ => false,
            }
        };
        while try_edit(binary::remove_section(&best, CUSTOM, 0), &mut best) {}
        try_edit(binary::remove_section(&best, START, 0), &mut best);
        // Exports, last first (indices of earlier ones stay valid).
        let mut k = binary::export_count(&best);
        while k > 0 {
            k -= 1;
            let is_fuel = binary::export_name(&best, k).is_some_and(|n| n.starts_with(FUEL_PREFIX));
            if !is_fuel {
                try_edit(binary::remove_export(&best, k), &mut best);
            }
        }
        for k in 0..binary::body_count(&best) {
            try_edit(binary::stub_body(&best, k), &mut best);
        }
        if best.len() >= before || Instant::now() >= deadline {
            return best;
        }
    }
}
