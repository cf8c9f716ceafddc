//! Small statistics and formatting helpers.

use std::time::Duration;

/// The median (upper median for an even count); `times` must not be empty.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Geometric mean of positive ratios; `None` if there are none.
pub fn geomean(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() {
        return None;
    }
    let log_sum: f64 = ratios.iter().map(|r| r.ln()).sum();
    Some((log_sum / ratios.len() as f64).exp())
}

pub fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// "1.23" plus how to read it: "(1.23x faster)" or "(1.23x slower)".
pub fn fmt_ratio(ratio: f64) -> String {
    if ratio <= 1.0 {
        format!("{ratio:.2} ({:.2}x faster)", 1.0 / ratio)
    } else {
        format!("{ratio:.2} ({ratio:.2}x slower)")
    }
}
