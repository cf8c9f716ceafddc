//! Numeric instructions, moves, constants and `select`.

use super::{get, handler, set, trap, Imm};
use crate::core::num;
use crate::engine::executor::dispatch::next;

/// `dst = f(a, b)` handlers.
macro_rules! binop {
    ($($name:ident($x:ident: $tx:ty, $y:ident: $ty:ty) $e:expr;)*) => {$(
        handler!($name { dst, a, b } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let ($x, $y): ($tx, $ty) = unsafe { (get(fp, a), get(fp, b)) };
            // SAFETY: as above.
            unsafe { set(fp, dst, $e) };
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

/// `dst = f(a, b)?` handlers: `f` may trap.
macro_rules! tbinop {
    ($($name:ident($x:ident: $t:ty, $y:ident) $e:expr;)*) => {$(
        handler!($name { dst, a, b } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let ($x, $y): ($t, $t) = unsafe { (get(fp, a), get(fp, b)) };
            match $e {
                // SAFETY: as above.
                Ok(v) => unsafe { set(fp, dst, v) },
                Err(c) => return trap(cx, ip, c),
            }
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

/// `dst = f(src)` handlers.
macro_rules! unop {
    ($($name:ident($x:ident: $t:ty) $e:expr;)*) => {$(
        handler!($name { dst, src } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let $x: $t = unsafe { get(fp, src) };
            // SAFETY: as above.
            unsafe { set(fp, dst, $e) };
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

/// `dst = f(src)?` handlers: `f` may trap.
macro_rules! tunop {
    ($($name:ident($x:ident: $t:ty) $e:expr;)*) => {$(
        handler!($name { dst, src } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let $x: $t = unsafe { get(fp, src) };
            match $e {
                // SAFETY: as above.
                Ok(v) => unsafe { set(fp, dst, v) },
                Err(c) => return trap(cx, ip, c),
            }
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

binop! {
    I32Add(a: u32, b: u32) a.wrapping_add(b);
    I32Sub(a: u32, b: u32) a.wrapping_sub(b);
    I32Mul(a: u32, b: u32) a.wrapping_mul(b);
    I32And(a: u32, b: u32) a & b;
    I32Or(a: u32, b: u32) a | b;
    I32Xor(a: u32, b: u32) a ^ b;
    I32Shl(a: u32, b: u32) a.wrapping_shl(b);
    I32ShrS(a: i32, b: u32) a.wrapping_shr(b);
    I32ShrU(a: u32, b: u32) a.wrapping_shr(b);
    I32Rotl(a: u32, b: u32) a.rotate_left(b & 31);
    I32Rotr(a: u32, b: u32) a.rotate_right(b & 31);
    I64Add(a: u64, b: u64) a.wrapping_add(b);
    I64Sub(a: u64, b: u64) a.wrapping_sub(b);
    I64Mul(a: u64, b: u64) a.wrapping_mul(b);
    I64And(a: u64, b: u64) a & b;
    I64Or(a: u64, b: u64) a | b;
    I64Xor(a: u64, b: u64) a ^ b;
    I64Shl(a: u64, b: u64) a.wrapping_shl(b as u32);
    I64ShrS(a: i64, b: u64) a.wrapping_shr(b as u32);
    I64ShrU(a: u64, b: u64) a.wrapping_shr(b as u32);
    I64Rotl(a: u64, b: u64) a.rotate_left((b & 63) as u32);
    I64Rotr(a: u64, b: u64) a.rotate_right((b & 63) as u32);
    F32Add(a: f32, b: f32) a + b;
    F32Sub(a: f32, b: f32) a - b;
    F32Mul(a: f32, b: f32) a * b;
    F32Div(a: f32, b: f32) a / b;
    F32Min(a: f32, b: f32) num::f32_min(a, b);
    F32Max(a: f32, b: f32) num::f32_max(a, b);
    F32Copysign(a: u32, b: u32) (a & 0x7fff_ffff) | (b & 0x8000_0000);
    F32Eq(a: f32, b: f32) a == b;
    F32Ne(a: f32, b: f32) a != b;
    F32Lt(a: f32, b: f32) a < b;
    F32Gt(a: f32, b: f32) a > b;
    F32Le(a: f32, b: f32) a <= b;
    F32Ge(a: f32, b: f32) a >= b;
    F64Add(a: f64, b: f64) a + b;
    F64Sub(a: f64, b: f64) a - b;
    F64Mul(a: f64, b: f64) a * b;
    F64Div(a: f64, b: f64) a / b;
    F64Min(a: f64, b: f64) num::f64_min(a, b);
    F64Max(a: f64, b: f64) num::f64_max(a, b);
    F64Copysign(a: u64, b: u64) (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000);
    F64Eq(a: f64, b: f64) a == b;
    F64Ne(a: f64, b: f64) a != b;
    F64Lt(a: f64, b: f64) a < b;
    F64Gt(a: f64, b: f64) a > b;
    F64Le(a: f64, b: f64) a <= b;
    F64Ge(a: f64, b: f64) a >= b;
}

tbinop! {
    I32DivS(a: i32, b) num::i32_div_s(a, b);
    I32DivU(a: u32, b) num::i32_div_u(a, b);
    I32RemS(a: i32, b) num::i32_rem_s(a, b);
    I32RemU(a: u32, b) num::i32_rem_u(a, b);
    I64DivS(a: i64, b) num::i64_div_s(a, b);
    I64DivU(a: u64, b) num::i64_div_u(a, b);
    I64RemS(a: i64, b) num::i64_rem_s(a, b);
    I64RemU(a: u64, b) num::i64_rem_u(a, b);
}

unop! {
    I32Eqz(x: u32) x == 0;
    I32Clz(x: u32) x.leading_zeros();
    I32Ctz(x: u32) x.trailing_zeros();
    I32Popcnt(x: u32) x.count_ones();
    I64Eqz(x: u64) x == 0;
    I64Clz(x: u64) x.leading_zeros() as u64;
    I64Ctz(x: u64) x.trailing_zeros() as u64;
    I64Popcnt(x: u64) x.count_ones() as u64;
    F32Abs(x: u32) x & 0x7fff_ffff;
    F32Neg(x: u32) x ^ 0x8000_0000;
    F32Ceil(x: f32) num::f32_ceil(x);
    F32Floor(x: f32) num::f32_floor(x);
    F32Trunc(x: f32) num::f32_trunc(x);
    F32Nearest(x: f32) num::f32_nearest(x);
    F32Sqrt(x: f32) x.sqrt();
    F64Abs(x: u64) x & 0x7fff_ffff_ffff_ffff;
    F64Neg(x: u64) x ^ 0x8000_0000_0000_0000;
    F64Ceil(x: f64) num::f64_ceil(x);
    F64Floor(x: f64) num::f64_floor(x);
    F64Trunc(x: f64) num::f64_trunc(x);
    F64Nearest(x: f64) num::f64_nearest(x);
    F64Sqrt(x: f64) x.sqrt();
    I32WrapI64(x: u64) x as u32;
    I64ExtendI32S(x: i32) x as i64;
    I64ExtendI32U(x: u32) x as u64;
    F32ConvertI32S(x: i32) x as f32;
    F32ConvertI32U(x: u32) x as f32;
    F32ConvertI64S(x: i64) x as f32;
    F32ConvertI64U(x: u64) x as f32;
    F32DemoteF64(x: f64) x as f32;
    F64ConvertI32S(x: i32) x as f64;
    F64ConvertI32U(x: u32) x as f64;
    F64ConvertI64S(x: i64) x as f64;
    F64ConvertI64U(x: u64) x as f64;
    F64PromoteF32(x: f32) x as f64;
    I32Extend8S(x: u32) x as i8 as i32;
    I32Extend16S(x: u32) x as i16 as i32;
    I64Extend8S(x: u64) x as i8 as i64;
    I64Extend16S(x: u64) x as i16 as i64;
    I64Extend32S(x: u64) x as i32 as i64;
    // Rust's float-to-int `as` saturates and maps NaN to 0, exactly the
    // semantics of the `trunc_sat` family.
    I32TruncSatF32S(x: f32) x as i32;
    I32TruncSatF32U(x: f32) x as u32;
    I32TruncSatF64S(x: f64) x as i32;
    I32TruncSatF64U(x: f64) x as u32;
    I64TruncSatF32S(x: f32) x as i64;
    I64TruncSatF32U(x: f32) x as u64;
    I64TruncSatF64S(x: f64) x as i64;
    I64TruncSatF64U(x: f64) x as u64;
}

tunop! {
    I32TruncF32S(x: f32) num::i32_trunc_f32_s(x);
    I32TruncF32U(x: f32) num::i32_trunc_f32_u(x);
    I32TruncF64S(x: f64) num::i32_trunc_f64_s(x);
    I32TruncF64U(x: f64) num::i32_trunc_f64_u(x);
    I64TruncF32S(x: f32) num::i64_trunc_f32_s(x);
    I64TruncF32U(x: f32) num::i64_trunc_f32_u(x);
    I64TruncF64S(x: f64) num::i64_trunc_f64_s(x);
    I64TruncF64U(x: f64) num::i64_trunc_f64_u(x);
}

/// The value forms of the integer comparisons and the arithmetic ops with a
/// constant operand (the branch forms are in `control`).
macro_rules! compare_and_imm {
    (
        binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
        cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt))*]
        fcmp: $_fcmp:tt
        arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident))*]
    ) => {
        $(
            binop! { $cv(x: $cty, y: $cty) x $cop y; }
            handler!($cvi { dst, a, imm } (ip, fp, mem, len, cx, tbl) {
                // SAFETY: slots of the current frame (module docs).
                let x: $cty = unsafe { get(fp, a) };
                // SAFETY: as above.
                unsafe { set(fp, dst, x $cop <$cty>::from_imm(imm)) };
                next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
            });
        )*
        $(
            handler!($ai { dst, a, imm } (ip, fp, mem, len, cx, tbl) {
                // SAFETY: slots of the current frame (module docs).
                let x: $aty = unsafe { get(fp, a) };
                let y = <$aty>::from_imm(imm);
                // SAFETY: as above.
                unsafe { set(fp, dst, arith!($aop, x, y)) };
                next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
            });
        )*
    };
}

/// The operation an `arith_imm` row names (shift amounts modulo the width).
macro_rules! arith {
    (wrapping_add, $a:expr, $b:expr) => {
        $a.wrapping_add($b)
    };
    (wrapping_sub, $a:expr, $b:expr) => {
        $a.wrapping_sub($b)
    };
    (wrapping_mul, $a:expr, $b:expr) => {
        $a.wrapping_mul($b)
    };
    (bitand, $a:expr, $b:expr) => {
        $a & $b
    };
    (bitor, $a:expr, $b:expr) => {
        $a | $b
    };
    (bitxor, $a:expr, $b:expr) => {
        $a ^ $b
    };
    (shl, $a:expr, $b:expr) => {
        $a.wrapping_shl($b as u32)
    };
    (shr, $a:expr, $b:expr) => {
        $a.wrapping_shr($b as u32)
    };
    // `rotate_*` take the amount modulo the width, as wasm does.
    (rotl, $a:expr, $b:expr) => {
        $a.rotate_left($b as u32)
    };
    (rotr, $a:expr, $b:expr) => {
        $a.rotate_right($b as u32)
    };
    // Divisors are never 0 (see `ir::for_each_op_family`).
    (wrapping_div, $a:expr, $b:expr) => {
        $a.wrapping_div($b)
    };
    (wrapping_rem, $a:expr, $b:expr) => {
        $a.wrapping_rem($b)
    };
}

crate::ir::for_each_op_family!(compare_and_imm);

handler!(Copy { dst, src } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: slots of the current frame (module docs).
    unsafe { *fp.add(dst as usize) = *fp.add(src as usize) };
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

handler!(Const { dst, val } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: a slot of the current frame (module docs).
    unsafe { *fp.add(dst as usize) = val };
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

handler!(Select { dst, b, cond } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: slots of the current frame (module docs).
    unsafe {
        if get::<u32>(fp, cond) == 0 {
            *fp.add(dst as usize) = *fp.add(b as usize);
        }
    }
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});
