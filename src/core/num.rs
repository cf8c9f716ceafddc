//! Numeric semantics that differ from Rust's operators: trapping integer
//! division, IEEE min/max with wasm's NaN and signed-zero rules, rounding,
//! and float-to-int conversions (trapping and saturating).

use super::trap::TrapCode;

macro_rules! int_div {
    ($divs:ident, $divu:ident, $rems:ident, $remu:ident, $s:ty, $u:ty) => {
        #[inline]
        pub fn $divs(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else if a == <$s>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }
        #[inline]
        pub fn $divu(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a / b)
            }
        }
        #[inline]
        pub fn $rems(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        #[inline]
        pub fn $remu(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a % b)
            }
        }
    };
}

int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_ops {
    ($min:ident, $max:ident, $nearest:ident, $t:ty) => {
        /// wasm `min`: NaN if either operand is NaN; -0 is less than +0.
        #[inline]
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                // Any NaN operand yields a (quiet) NaN.
                return a + b;
            }
            if a == b {
                // Distinguish the zeros: the result is -0 if either is -0.
                return <$t>::from_bits(a.to_bits() | b.to_bits());
            }
            if a < b {
                a
            } else {
                b
            }
        }
        /// wasm `max`: NaN if either operand is NaN; +0 is greater than -0.
        #[inline]
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                return <$t>::from_bits(a.to_bits() & b.to_bits());
            }
            if a > b {
                a
            } else {
                b
            }
        }
        /// wasm `nearest`: round to nearest, ties to even.
        #[inline]
        pub fn $nearest(a: $t) -> $t {
            quiet(a.round_ties_even())
        }
    };
}

/// Makes a NaN quiet: rounding operations must return an arithmetic NaN,
/// but some hosts pass a signalling NaN through unchanged.
trait Quiet {
    fn quiet_nan(self) -> Self;
}

impl Quiet for f32 {
    #[inline]
    fn quiet_nan(self) -> f32 {
        f32::from_bits(self.to_bits() | 0x0040_0000)
    }
}

impl Quiet for f64 {
    #[inline]
    fn quiet_nan(self) -> f64 {
        f64::from_bits(self.to_bits() | 0x0008_0000_0000_0000)
    }
}

#[inline]
fn quiet<T: Quiet + PartialEq + Copy>(x: T) -> T {
    // `x != x` only for NaN.
    #[allow(clippy::eq_op)]
    if x != x {
        x.quiet_nan()
    } else {
        x
    }
}

float_ops!(f32_min, f32_max, f32_nearest, f32);
float_ops!(f64_min, f64_max, f64_nearest, f64);

macro_rules! rounding {
    ($($name:ident: $t:ty => $m:ident;)*) => {$(
        /// wasm rounding operator (a NaN result is quiet).
        #[inline]
        pub fn $name(a: $t) -> $t {
            quiet(a.$m())
        }
    )*};
}

rounding! {
    f32_ceil: f32 => ceil;
    f32_floor: f32 => floor;
    f32_trunc: f32 => trunc;
    f64_ceil: f64 => ceil;
    f64_floor: f64 => floor;
    f64_trunc: f64 => trunc;
}

/// Checked float-to-int truncation. `lo` and `hi` are exclusive bounds in the
/// source float type, chosen so every representable value in between converts.
macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        #[inline]
        pub fn $name(x: $f) -> Result<$i, TrapCode> {
            if x.is_nan() {
                return Err(TrapCode::InvalidConversionToInteger);
            }
            if x <= $lo || x >= $hi {
                return Err(TrapCode::IntegerOverflow);
            }
            Ok(x as $i)
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(
    i64_trunc_f32_s,
    f32,
    i64,
    -9223373136366403584.0f32,
    9223372036854775808.0f32
);
trunc!(i64_trunc_f32_u, f32, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(
    i64_trunc_f64_s,
    f64,
    i64,
    -9223372036854777856.0f64,
    9223372036854775808.0f64
);
trunc!(i64_trunc_f64_u, f64, u64, -1.0f64, 18446744073709551616.0f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_div_s(1, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(7, 2), Ok(3));
    }

    #[test]
    fn min_max_zeros_and_nans() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(f64_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn truncation_bounds() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(
            i64_trunc_f64_s(f64::NAN),
            Err(TrapCode::InvalidConversionToInteger)
        );
        assert_eq!(f64_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(-3.5), -4.0);
    }
}
