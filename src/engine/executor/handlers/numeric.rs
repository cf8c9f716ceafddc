//! Numeric instructions, moves, constants and `select`.

use super::{from_acc, get, handler, second, set, trap, Imm};
use crate::core::num;
use crate::engine::executor::dispatch::{next, Fp};
use crate::ir::{FloatImm, Slot};

/// `dst = f(a, b)` handlers, with their forms taking `a` (`$na`) or `b`
/// (`$nb`) from the accumulator; all pass the result on in it. `$produce`
/// is `produce` or, for an `f` that may trap (`Result`), `produce_or_trap`.
macro_rules! binary {
    ($produce:ident; $($name:ident $na:ident $nb:ident ($x:ident: $tx:ty, $y:ident: $ty:ty) $e:expr;)*) => {$(
        handler!($name { dst, a, b } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs).
            let ($x, $y): ($tx, $ty) = unsafe { (get(fp, a), get(fp, b)) };
            $produce!(dst, $e, ip, fp, mem, cx, tbl, fa)
        });
        handler!($na { dst, b } (ip, fp, mem, acc, cx, tbl, fa) {
            let $x: $tx = from_acc(acc, fa);
            // SAFETY: a slot of the current frame (module docs).
            let $y: $ty = unsafe { get(fp, b) };
            $produce!(dst, $e, ip, fp, mem, cx, tbl, fa)
        });
        handler!($nb { dst, a } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let $x: $tx = unsafe { get(fp, a) };
            let $y: $ty = from_acc(acc, fa);
            $produce!(dst, $e, ip, fp, mem, cx, tbl, fa)
        });
    )*};
}

/// `dst = f(src)` handlers, with their form taking `src` from the
/// accumulator (`$na`); `$produce` as for `binary!`.
macro_rules! unary {
    ($produce:ident; $($name:ident $na:ident ($x:ident: $t:ty) $e:expr;)*) => {$(
        handler!($name { dst, src } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let $x: $t = unsafe { get(fp, src) };
            $produce!(dst, $e, ip, fp, mem, cx, tbl, fa)
        });
        handler!($na { dst } (ip, fp, mem, acc, cx, tbl, fa) {
            let $x: $t = from_acc(acc, fa);
            $produce!(dst, $e, ip, fp, mem, cx, tbl, fa)
        });
    )*};
}

/// Writes `$v` to slot `$dst` and continues with the next instruction,
/// passing `$v` on in the accumulators.
macro_rules! produce {
    ($dst:ident, $v:expr, $ip:ident, $fp:ident, $mem:ident, $cx:ident, $tbl:ident, $fa:ident) => {{
        let v = $v;
        // SAFETY: a slot of the current frame (module docs).
        unsafe { set($fp, $dst, v) };
        let (acc, fa) = super::Acc::to_acc(v, $fa);
        next!($ip.skip(WIDTH), $fp, $mem, acc, $cx, $tbl, fa)
    }};
}
pub(super) use produce;

/// `produce!` of `$v`'s value, or the trap of its error.
macro_rules! produce_or_trap {
    ($dst:ident, $v:expr, $ip:ident, $fp:ident, $mem:ident, $cx:ident, $tbl:ident, $fa:ident) => {
        match $v {
            Ok(v) => produce!($dst, v, $ip, $fp, $mem, $cx, $tbl, $fa),
            Err(c) => trap($cx, $ip, c),
        }
    };
}

binary! {
    produce;
    I32Add I32AddA I32AddB(a: u32, b: u32) a.wrapping_add(b);
    I32Sub I32SubA I32SubB(a: u32, b: u32) a.wrapping_sub(b);
    I32Mul I32MulA I32MulB(a: u32, b: u32) a.wrapping_mul(b);
    I32And I32AndA I32AndB(a: u32, b: u32) a & b;
    I32Or I32OrA I32OrB(a: u32, b: u32) a | b;
    I32Xor I32XorA I32XorB(a: u32, b: u32) a ^ b;
    I32Shl I32ShlA I32ShlB(a: u32, b: u32) a.wrapping_shl(b);
    I32ShrS I32ShrSA I32ShrSB(a: i32, b: u32) a.wrapping_shr(b);
    I32ShrU I32ShrUA I32ShrUB(a: u32, b: u32) a.wrapping_shr(b);
    I32Rotl I32RotlA I32RotlB(a: u32, b: u32) a.rotate_left(b & 31);
    I32Rotr I32RotrA I32RotrB(a: u32, b: u32) a.rotate_right(b & 31);
    I64Add I64AddA I64AddB(a: u64, b: u64) a.wrapping_add(b);
    I64Sub I64SubA I64SubB(a: u64, b: u64) a.wrapping_sub(b);
    I64Mul I64MulA I64MulB(a: u64, b: u64) a.wrapping_mul(b);
    I64And I64AndA I64AndB(a: u64, b: u64) a & b;
    I64Or I64OrA I64OrB(a: u64, b: u64) a | b;
    I64Xor I64XorA I64XorB(a: u64, b: u64) a ^ b;
    I64Shl I64ShlA I64ShlB(a: u64, b: u64) a.wrapping_shl(b as u32);
    I64ShrS I64ShrSA I64ShrSB(a: i64, b: u64) a.wrapping_shr(b as u32);
    I64ShrU I64ShrUA I64ShrUB(a: u64, b: u64) a.wrapping_shr(b as u32);
    I64Rotl I64RotlA I64RotlB(a: u64, b: u64) a.rotate_left((b & 63) as u32);
    I64Rotr I64RotrA I64RotrB(a: u64, b: u64) a.rotate_right((b & 63) as u32);
    F32Add F32AddA F32AddB(a: f32, b: f32) a + b;
    F32Sub F32SubA F32SubB(a: f32, b: f32) a - b;
    F32Mul F32MulA F32MulB(a: f32, b: f32) a * b;
    F32Div F32DivA F32DivB(a: f32, b: f32) a / b;
    F32Min F32MinA F32MinB(a: f32, b: f32) num::f32_min(a, b);
    F32Max F32MaxA F32MaxB(a: f32, b: f32) num::f32_max(a, b);
    F32Copysign F32CopysignA F32CopysignB(a: u32, b: u32) (a & 0x7fff_ffff) | (b & 0x8000_0000);
    F32Eq F32EqA F32EqB(a: f32, b: f32) a == b;
    F32Ne F32NeA F32NeB(a: f32, b: f32) a != b;
    F32Lt F32LtA F32LtB(a: f32, b: f32) a < b;
    F32Gt F32GtA F32GtB(a: f32, b: f32) a > b;
    F32Le F32LeA F32LeB(a: f32, b: f32) a <= b;
    F32Ge F32GeA F32GeB(a: f32, b: f32) a >= b;
    F64Add F64AddA F64AddB(a: f64, b: f64) a + b;
    F64Sub F64SubA F64SubB(a: f64, b: f64) a - b;
    F64Mul F64MulA F64MulB(a: f64, b: f64) a * b;
    F64Div F64DivA F64DivB(a: f64, b: f64) a / b;
    F64Min F64MinA F64MinB(a: f64, b: f64) num::f64_min(a, b);
    F64Max F64MaxA F64MaxB(a: f64, b: f64) num::f64_max(a, b);
    F64Copysign F64CopysignA F64CopysignB(a: u64, b: u64) f64::from_bits((a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000));
    F64Eq F64EqA F64EqB(a: f64, b: f64) a == b;
    F64Ne F64NeA F64NeB(a: f64, b: f64) a != b;
    F64Lt F64LtA F64LtB(a: f64, b: f64) a < b;
    F64Gt F64GtA F64GtB(a: f64, b: f64) a > b;
    F64Le F64LeA F64LeB(a: f64, b: f64) a <= b;
    F64Ge F64GeA F64GeB(a: f64, b: f64) a >= b;
}

binary! {
    produce_or_trap;
    I32DivS I32DivSA I32DivSB(a: i32, b: i32) num::i32_div_s(a, b);
    I32DivU I32DivUA I32DivUB(a: u32, b: u32) num::i32_div_u(a, b);
    I32RemS I32RemSA I32RemSB(a: i32, b: i32) num::i32_rem_s(a, b);
    I32RemU I32RemUA I32RemUB(a: u32, b: u32) num::i32_rem_u(a, b);
    I64DivS I64DivSA I64DivSB(a: i64, b: i64) num::i64_div_s(a, b);
    I64DivU I64DivUA I64DivUB(a: u64, b: u64) num::i64_div_u(a, b);
    I64RemS I64RemSA I64RemSB(a: i64, b: i64) num::i64_rem_s(a, b);
    I64RemU I64RemUA I64RemUB(a: u64, b: u64) num::i64_rem_u(a, b);
}

unary! {
    produce;
    I32Eqz I32EqzA(x: u32) x == 0;
    I32Clz I32ClzA(x: u32) x.leading_zeros();
    I32Ctz I32CtzA(x: u32) x.trailing_zeros();
    I32Popcnt I32PopcntA(x: u32) x.count_ones();
    I64Eqz I64EqzA(x: u64) x == 0;
    I64Clz I64ClzA(x: u64) x.leading_zeros() as u64;
    I64Ctz I64CtzA(x: u64) x.trailing_zeros() as u64;
    I64Popcnt I64PopcntA(x: u64) x.count_ones() as u64;
    F32Abs F32AbsA(x: u32) x & 0x7fff_ffff;
    F32Neg F32NegA(x: u32) x ^ 0x8000_0000;
    F32Ceil F32CeilA(x: f32) num::f32_ceil(x);
    F32Floor F32FloorA(x: f32) num::f32_floor(x);
    F32Trunc F32TruncA(x: f32) num::f32_trunc(x);
    F32Nearest F32NearestA(x: f32) num::f32_nearest(x);
    F32Sqrt F32SqrtA(x: f32) x.sqrt();
    F64Abs F64AbsA(x: u64) f64::from_bits(x & 0x7fff_ffff_ffff_ffff);
    F64Neg F64NegA(x: u64) f64::from_bits(x ^ 0x8000_0000_0000_0000);
    F64Ceil F64CeilA(x: f64) num::f64_ceil(x);
    F64Floor F64FloorA(x: f64) num::f64_floor(x);
    F64Trunc F64TruncA(x: f64) num::f64_trunc(x);
    F64Nearest F64NearestA(x: f64) num::f64_nearest(x);
    F64Sqrt F64SqrtA(x: f64) x.sqrt();
    I32WrapI64 I32WrapI64A(x: u64) x as u32;
    I64ExtendI32S I64ExtendI32SA(x: i32) x as i64;
    I64ExtendI32U I64ExtendI32UA(x: u32) x as u64;
    F32ConvertI32S F32ConvertI32SA(x: i32) x as f32;
    F32ConvertI32U F32ConvertI32UA(x: u32) x as f32;
    F32ConvertI64S F32ConvertI64SA(x: i64) x as f32;
    F32ConvertI64U F32ConvertI64UA(x: u64) x as f32;
    F32DemoteF64 F32DemoteF64A(x: f64) x as f32;
    F64ConvertI32S F64ConvertI32SA(x: i32) x as f64;
    F64ConvertI32U F64ConvertI32UA(x: u32) x as f64;
    F64ConvertI64S F64ConvertI64SA(x: i64) x as f64;
    F64ConvertI64U F64ConvertI64UA(x: u64) x as f64;
    F64PromoteF32 F64PromoteF32A(x: f32) x as f64;
    I32Extend8S I32Extend8SA(x: u32) x as i8 as i32;
    I32Extend16S I32Extend16SA(x: u32) x as i16 as i32;
    I64Extend8S I64Extend8SA(x: u64) x as i8 as i64;
    I64Extend16S I64Extend16SA(x: u64) x as i16 as i64;
    I64Extend32S I64Extend32SA(x: u64) x as i32 as i64;
    // Rust's float-to-int `as` saturates and maps NaN to 0, exactly the
    // semantics of the `trunc_sat` family.
    I32TruncSatF32S I32TruncSatF32SA(x: f32) x as i32;
    I32TruncSatF32U I32TruncSatF32UA(x: f32) x as u32;
    I32TruncSatF64S I32TruncSatF64SA(x: f64) x as i32;
    I32TruncSatF64U I32TruncSatF64UA(x: f64) x as u32;
    I64TruncSatF32S I64TruncSatF32SA(x: f32) x as i64;
    I64TruncSatF32U I64TruncSatF32UA(x: f32) x as u64;
    I64TruncSatF64S I64TruncSatF64SA(x: f64) x as i64;
    I64TruncSatF64U I64TruncSatF64UA(x: f64) x as u64;
}

unary! {
    produce_or_trap;
    I32TruncF32S I32TruncF32SA(x: f32) num::i32_trunc_f32_s(x);
    I32TruncF32U I32TruncF32UA(x: f32) num::i32_trunc_f32_u(x);
    I32TruncF64S I32TruncF64SA(x: f64) num::i32_trunc_f64_s(x);
    I32TruncF64U I32TruncF64UA(x: f64) num::i32_trunc_f64_u(x);
    I64TruncF32S I64TruncF32SA(x: f32) num::i64_trunc_f32_s(x);
    I64TruncF32U I64TruncF32UA(x: f32) num::i64_trunc_f32_u(x);
    I64TruncF64S I64TruncF64SA(x: f64) num::i64_trunc_f64_s(x);
    I64TruncF64U I64TruncF64UA(x: f64) num::i64_trunc_f64_u(x);
}

/// The value forms of the integer comparisons and the arithmetic ops with a
/// constant operand (the branch forms are in `control`), with their forms
/// taking the left operand from the accumulator.
macro_rules! compare_and_imm {
    (
        binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
        cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt
            $cvA:ident $cvB:ident $cviA:ident $cbA:ident $cbB:ident $cbiA:ident))*]
        fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $($_fx:ident)*))*]
        arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $aiA:ident))*]
    ) => {
        float_imm_compares! { $(($fty $fop $($_fx)*))* }
        $(
            binary! { produce; $cv $cvA $cvB(x: $cty, y: $cty) x $cop y; }
            handler!($cvi { dst, a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
                // SAFETY: a slot of the current frame (module docs).
                let x: $cty = unsafe { get(fp, a) };
                produce!(dst, x $cop <$cty>::from_imm(imm), ip, fp, mem, cx, tbl, fa)
            });
            handler!($cviA { dst, imm } (ip, fp, mem, acc, cx, tbl, fa) {
                let x: $cty = from_acc(acc, fa);
                produce!(dst, x $cop <$cty>::from_imm(imm), ip, fp, mem, cx, tbl, fa)
            });
        )*
        $(
            handler!($ai { dst, a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
                // SAFETY: a slot of the current frame (module docs).
                let x: $aty = unsafe { get(fp, a) };
                let y = <$aty>::from_imm(imm);
                produce!(dst, arith!($aop, x, y), ip, fp, mem, cx, tbl, fa)
            });
            handler!($aiA { dst, imm } (ip, fp, mem, acc, cx, tbl, fa) {
                let x: $aty = from_acc(acc, fa);
                let y = <$aty>::from_imm(imm);
                produce!(dst, arith!($aop, x, y), ip, fp, mem, cx, tbl, fa)
            });
        )*
    };
}

/// The value forms of the float comparisons with a constant operand, from
/// the tail of each `fcmp` row (its accumulator and constant forms).
macro_rules! float_imm_compares {
    ($(($fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
        $fvi:ident $fbi:ident $fnbi:ident $fbiA:ident $fnbiA:ident))*) => {$(
        handler!($fvi { dst, a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let x: $fty = unsafe { get(fp, a) };
            produce!(dst, x $fop <$fty as FloatImm>::decode(imm), ip, fp, mem, cx, tbl, fa)
        });
    )*};
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

// The untyped moves pass their value on in both accumulators (`fa` as the
// same bits), whatever its type.
handler!(Copy { dst, src } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let v = unsafe { super::copy_cell(fp, dst, src) };
    next!(ip.skip(WIDTH), fp, mem, v, cx, tbl, f64::from_bits(v))
});

handler!(Copy2 { dst, src, dst2, src2 } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs); in order, as the
    // two copies would.
    let v = unsafe {
        *fp.add(dst as usize) = *fp.add(src as usize);
        let v = *fp.add(src2 as usize);
        *fp.add(dst2 as usize) = v;
        v
    };
    // The second `Copy`, the next instruction, is done: skip it.
    next!(second!(ip, Copy2, 1), fp, mem, v, cx, tbl, f64::from_bits(v))
});

/// `dst = a + imm`, copied to `dst2`: the step of `I32AddImmCopy` and of
/// its join with a back edge.
///
/// # Safety
/// The three slots are of the frame at `fp`.
#[inline(always)]
pub(super) unsafe fn add_imm_copy(fp: Fp, dst: u16, a: u16, dst2: u16, imm: u32) -> u32 {
    // SAFETY: the caller's contract.
    unsafe {
        let r = get::<u32>(fp, a).wrapping_add(imm);
        set(fp, dst, r);
        set(fp, dst2, r);
        r
    }
}

handler!(I32AddImmCopy { dst, a, dst2, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { add_imm_copy(fp, dst, a, dst2, imm) };
    // As the `Copy` (the next instruction, skipped) leaves them.
    let v = r as u64;
    next!(second!(ip, I32AddImmCopy, 1), fp, mem, v, cx, tbl, f64::from_bits(v))
});

handler!(I32MulImmAddImm { dst, a, dst2, mul, add } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe {
        let r = get::<u32>(fp, a).wrapping_mul(mul);
        set(fp, dst, r);
        let r = r.wrapping_add(add);
        set(fp, dst2, r);
        r
    };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The add, the next instruction, is done: skip it.
    next!(second!(ip, I32MulImmAddImm, 1), fp, mem, acc, cx, tbl, fa)
});

/// `dst = a + imm`, then `dst2 = a2 + imm2` (`a2` read after `dst` is
/// written, in the order of the two additions), whose value it returns:
/// `I32AddImm2` and the start of its join with a scan's load.
///
/// # Safety
/// The four slots are of the frame at `fp`.
#[inline(always)]
pub(super) unsafe fn add_imm2(fp: Fp, dst: u16, a: u16, dst2: u16, a2: u16, imm: i16, imm2: i16) -> u32 {
    // SAFETY: the caller's contract.
    unsafe {
        set(fp, dst, get::<u32>(fp, a).wrapping_add(imm as i32 as u32));
        let r = get::<u32>(fp, a2).wrapping_add(imm2 as i32 as u32);
        set(fp, dst2, r);
        r
    }
}

handler!(I32AddImm2 { dst, a, dst2, a2, imm, imm2 } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { add_imm2(fp, dst, a, dst2, a2, imm, imm2) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The second addition, the next instruction, is done: skip it.
    next!(second!(ip, I32AddImm2, 1), fp, mem, acc, cx, tbl, fa)
});

/// The second half of a shift-then-xor pair: `dst = r` (the shift's
/// result), then `dst2 = b ^ dst`, whose value it returns (`b` is read after
/// `dst` is written, in the order of the two instructions).
///
/// # Safety
/// The three slots are of the frame at `fp`.
#[inline(always)]
unsafe fn then_xor(fp: Fp, dst: u16, r: u32, b: u16, dst2: u16) -> u32 {
    // SAFETY: the caller's contract.
    unsafe {
        set(fp, dst, r);
        let r = get::<u32>(fp, b) ^ r;
        set(fp, dst2, r);
        r
    }
}

handler!(I32RotlImmXor { dst, a, dst2, b, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { then_xor(fp, dst, get::<u32>(fp, a).rotate_left(imm), b, dst2) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The xor, the next instruction, is done: skip it.
    next!(second!(ip, I32RotlImmXor, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32ShrUImmXor { dst, a, dst2, b, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { then_xor(fp, dst, get::<u32>(fp, a).wrapping_shr(imm), b, dst2) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The xor, the next instruction, is done: skip it.
    next!(second!(ip, I32ShrUImmXor, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32ShrUImmAXor { dst, dst2, b, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    let r = from_acc::<u32>(acc, fa).wrapping_shr(imm);
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { then_xor(fp, dst, r, b, dst2) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The xor, the next instruction, is done: skip it.
    next!(second!(ip, I32ShrUImmAXor, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32AddAccAdd { dst, x, dst2, y } (ip, fp, mem, acc, cx, tbl, fa) {
    let s = from_acc::<u32>(acc, fa);
    // SAFETY: slots of the current frame (module docs); in the order of the
    // two instructions (`y` is read after `dst` is written).
    let r = unsafe {
        let s = s.wrapping_add(get(fp, x));
        set(fp, dst, s);
        let r = s.wrapping_add(get(fp, y));
        set(fp, dst2, r);
        r
    };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The second add, the next instruction, is done: skip it.
    next!(second!(ip, I32AddAccAdd, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I64AddExtendI32S { dst, src, dst2, a } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs); in the order of the
    // two instructions (`a` is read after `dst` is written).
    let r = unsafe {
        let e = get::<i32>(fp, src) as i64;
        set(fp, dst, e);
        let r = get::<i64>(fp, a).wrapping_add(e);
        set(fp, dst2, r);
        r
    };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The add, the next instruction, is done: skip it.
    next!(second!(ip, I64AddExtendI32S, 1), fp, mem, acc, cx, tbl, fa)
});

/// Handlers of the `F64{X}Then{Y}{A|B}` pairs: the first operation, then
/// the second with the first's result as its left (`A`) or right (`B`)
/// operand, both results written in order; the second instruction (the
/// next one) is skipped.
macro_rules! f64_pairs {
    ($($name:ident = ($op1:tt) then $form:ident ($op2:tt);)*) => {$(
        handler!($name { dst, a, b, dst2, c } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs); in the order
            // of the two instructions (`c` is read after `dst` is written).
            let r = unsafe {
                let r = get::<f64>(fp, a) $op1 get::<f64>(fp, b);
                set(fp, dst, r);
                let c = get::<f64>(fp, c);
                let r = f64_pairs!(@ $form r c $op2);
                set(fp, dst2, r);
                r
            };
            let (acc, fa) = super::Acc::to_acc(r, fa);
            next!(second!(ip, $name, 1), fp, mem, acc, cx, tbl, fa)
        });
    )*};
    (@ A $r:ident $c:ident $op:tt) => { $r $op $c };
    (@ B $r:ident $c:ident $op:tt) => { $c $op $r };
}

f64_pairs! {
    F64AddThenAddA = (+) then A (+);
    F64AddThenAddB = (+) then B (+);
    F64AddThenSubA = (+) then A (-);
    F64AddThenSubB = (+) then B (-);
    F64AddThenMulA = (+) then A (*);
    F64AddThenMulB = (+) then B (*);
    F64SubThenAddA = (-) then A (+);
    F64SubThenAddB = (-) then B (+);
    F64SubThenSubA = (-) then A (-);
    F64SubThenSubB = (-) then B (-);
    F64SubThenMulA = (-) then A (*);
    F64SubThenMulB = (-) then B (*);
    F64MulThenAddA = (*) then A (+);
    F64MulThenAddB = (*) then B (+);
    F64MulThenSubA = (*) then A (-);
    F64MulThenSubB = (*) then B (-);
    F64MulThenMulA = (*) then A (*);
    F64MulThenMulB = (*) then B (*);
}

/// `F64AddMulAdd{A|B}`: `(a + b) * c`, then `+ d` on its left (`A`) or
/// right (`B`); all three results written in order, two instructions
/// skipped.
macro_rules! f64_add_mul_add {
    ($($name:ident: |$u:ident, $d:ident| $last:expr;)*) => {$(
        handler!($name { dst, a, b, dst2, c, dst3, d } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs); each read
            // after the writes of the instructions before it.
            let r = unsafe {
                let t = get::<f64>(fp, a) + get::<f64>(fp, b);
                set(fp, dst, t);
                let $u = t * get::<f64>(fp, c);
                set(fp, dst2, $u);
                let $d = get::<f64>(fp, d);
                let r = $last;
                set(fp, dst3, r);
                r
            };
            let (acc, fa) = super::Acc::to_acc(r, fa);
            next!(second!(ip, $name, 2), fp, mem, acc, cx, tbl, fa)
        });
    )*};
}
f64_add_mul_add! {
    F64AddMulAddA: |u, d| u + d;
    F64AddMulAddB: |u, d| d + u;
}

/// `F64MulMulAdd{B|A}`: two products, then their sum (first product on the
/// left for `B`, where the add reads the second from the accumulator and
/// the first from its slot; on the right for `A`).
macro_rules! f64_mul_mul_add {
    ($($name:ident: |$t:ident, $u:ident| $last:expr;)*) => {$(
        handler!($name { dst, a, b, dst2, c, e, dst3 } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs); each read
            // after the writes of the instructions before it.
            let r = unsafe {
                let $t = get::<f64>(fp, a) * get::<f64>(fp, b);
                set(fp, dst, $t);
                let $u = get::<f64>(fp, c) * get::<f64>(fp, e);
                set(fp, dst2, $u);
                // The third instruction reads the first product back from
                // its slot, which the second may have overwritten.
                let $t = get::<f64>(fp, dst);
                let r = $last;
                set(fp, dst3, r);
                r
            };
            let (acc, fa) = super::Acc::to_acc(r, fa);
            next!(second!(ip, $name, 2), fp, mem, acc, cx, tbl, fa)
        });
    )*};
}
f64_mul_mul_add! {
    F64MulMulAddB: |t, u| t + u;
    F64MulMulAddA: |t, u| u + t;
}

handler!(Const { dst, val } (ip, fp, mem, acc, cx, tbl, fa) {
    let val = val.get();
    // SAFETY: a slot of the current frame (module docs).
    unsafe { *fp.add(dst as usize) = val };
    next!(ip.skip(WIDTH), fp, mem, val, cx, tbl, f64::from_bits(val))
});

// The selects are untyped moves too: the chosen value goes on in both
// accumulators.
handler!(Select { dst, b, cond } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let c = unsafe { get::<u32>(fp, cond) };
    select(dst, dst, b, c, ip.skip(WIDTH), fp, mem, cx, tbl)
});

handler!(SelectA { dst, b } (ip, fp, mem, acc, cx, tbl, fa) {
    select(dst, dst, b, acc as u32, ip.skip(WIDTH), fp, mem, cx, tbl)
});

handler!(Select4 { dst, a, b, cond } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let c = unsafe { get::<u32>(fp, cond) };
    select(dst, a, b, c, ip.skip(WIDTH), fp, mem, cx, tbl)
});

handler!(Select4A { dst, a, b } (ip, fp, mem, acc, cx, tbl, fa) {
    select(dst, a, b, acc as u32, ip.skip(WIDTH), fp, mem, cx, tbl)
});

/// `dst = if c != 0 { a } else { b }` (slots), then the instruction at
/// `to`.
///
/// # Safety
/// As for a handler; `dst`, `a` and `b` are slots of the current frame.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's state plus the operands
unsafe fn select(
    dst: Slot,
    a: Slot,
    b: Slot,
    c: u32,
    to: crate::engine::executor::dispatch::Ip,
    fp: crate::engine::executor::dispatch::Fp,
    mem: crate::engine::executor::dispatch::Mem,
    cx: &mut crate::engine::executor::dispatch::Cx<'_>,
    tbl: crate::engine::executor::dispatch::Table,
) -> crate::engine::executor::dispatch::Exit {
    // SAFETY: the caller's obligation.
    let v = unsafe { *fp.add(if c != 0 { a } else { b } as usize) };
    // SAFETY: as above.
    unsafe { *fp.add(dst as usize) = v };
    next!(to, fp, mem, v, cx, tbl, f64::from_bits(v))
}
