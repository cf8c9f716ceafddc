//! The handlers: one function per instruction kind, named after its `Instr`
//! variant (see `dispatch` for how they chain).
//!
//! Shared safety argument for every handler (`# Safety` of `Handler`):
//! `fp + slot` lies inside the value stack because the translator only emits
//! slots below the function's `frame_size` and a frame is entered only after
//! checking that `frame_size` cells remain. `ip + WIDTH` and branch targets stay
//! inside the current code because every function ends in a control
//! transfer and targets are indices the translator produced for that code.
//! Code is owned by `Arc`ed modules the store keeps alive; a host call that
//! replaces the store is detected before anything is touched again.

#![allow(non_snake_case)]

mod control;
mod entities;
mod memory;
mod numeric;
mod steps;

pub(in crate::engine::executor) use control::switch_instance;
pub(crate) use control::{fast_call_cells, RETURN_TO_INSTANCE};

use super::dispatch::{Cx, Exit, Handler, Ip};
use crate::core::{Trap, TrapCode};
#[cfg(test)]
use crate::ir::Instr;
use crate::ir::Slot;

/// A value kept in a cell: 32-bit values zero-extended, floats as bits,
/// booleans as 0 or 1.
pub(super) trait Cell: Copy {
    fn from_cell(c: u64) -> Self;
    fn into_cell(self) -> u64;
}

macro_rules! int_cell {
    ($($t:ty => $via:ty),*) => {$(
        impl Cell for $t {
            #[inline(always)]
            fn from_cell(c: u64) -> Self {
                c as $via as $t
            }
            #[inline(always)]
            fn into_cell(self) -> u64 {
                self as $via as u64
            }
        }
    )*};
}
int_cell!(u32 => u32, i32 => u32, u64 => u64, i64 => u64);

impl Cell for f32 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f32::from_bits(c as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Cell for f64 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f64::from_bits(c)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
}

impl Cell for bool {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        c != 0
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self as u64
    }
}

/// A cell value as the accumulators carry it (see `dispatch`): every
/// value in `acc` as its cell bits, `f64` values in `fa` as well.
pub(super) trait Acc: Cell {
    /// The operand the accumulators hold.
    #[inline(always)]
    fn from_acc(acc: u64, _fa: f64) -> Self {
        Self::from_cell(acc)
    }
    /// The accumulators after producing `self` (`fa` is kept unless `self`
    /// is an `f64`).
    #[inline(always)]
    fn to_acc(self, fa: f64) -> (u64, f64) {
        (self.into_cell(), fa)
    }
}

impl Acc for u32 {}
impl Acc for i32 {}
impl Acc for u64 {}
impl Acc for i64 {}
impl Acc for f32 {}
impl Acc for bool {}
impl Acc for f64 {
    #[inline(always)]
    fn from_acc(_acc: u64, fa: f64) -> Self {
        fa
    }
    #[inline(always)]
    fn to_acc(self, _fa: f64) -> (u64, f64) {
        (self.to_bits(), self)
    }
}

/// The operand the accumulators hold, as a `T`.
#[inline(always)]
pub(super) fn from_acc<T: Acc>(acc: u64, fa: f64) -> T {
    T::from_acc(acc, fa)
}

/// A 32-bit instruction immediate widened to an operand type
/// (sign-extended for 64-bit types).
pub(super) trait Imm {
    fn from_imm(imm: u32) -> Self;
}

impl Imm for u32 {
    #[inline(always)]
    fn from_imm(imm: u32) -> Self {
        imm
    }
}
impl Imm for i32 {
    #[inline(always)]
    fn from_imm(imm: u32) -> Self {
        imm as i32
    }
}
impl Imm for u64 {
    #[inline(always)]
    fn from_imm(imm: u32) -> Self {
        imm as i32 as i64 as u64
    }
}
impl Imm for i64 {
    #[inline(always)]
    fn from_imm(imm: u32) -> Self {
        imm as i32 as i64
    }
}

/// Reads slot `s` of the frame at `fp`.
///
/// # Safety
/// `fp + s` is a cell of the value stack (see the module docs).
#[inline(always)]
pub(super) unsafe fn get<T: Cell>(fp: super::dispatch::Fp, s: Slot) -> T {
    // SAFETY: the caller's obligation.
    T::from_cell(unsafe { *fp.add(s as usize) })
}

/// Writes slot `s` of the frame at `fp`.
///
/// # Safety
/// As for `get`.
#[inline(always)]
pub(super) unsafe fn set<T: Cell>(fp: super::dispatch::Fp, s: Slot, v: T) {
    // SAFETY: the caller's obligation.
    unsafe { *fp.add(s as usize) = v.into_cell() }
}

/// `Copy`: slot `dst` of the frame at `fp` takes slot `src`'s cell, which
/// is returned (a `Copy` passes it on in the accumulators). Also run by a
/// return that lands on a `Copy`.
///
/// # Safety
/// As for `get`, for both slots.
#[inline(always)]
pub(super) unsafe fn copy_cell(fp: super::dispatch::Fp, dst: Slot, src: Slot) -> u64 {
    // SAFETY: the caller's obligation.
    unsafe {
        let v = *fp.add(src as usize);
        *fp.add(dst as usize) = v;
        v
    }
}

/// Ends the execution with a trap raised by the instruction at `ip`.
#[cold]
#[inline(never)]
pub(super) fn trap(cx: &mut Cx<'_>, ip: Ip, code: TrapCode) -> Exit {
    raise(cx, ip, Trap::new(code))
}

/// Ends the execution with trap `t` raised by the instruction at `ip`.
#[cold]
#[inline(never)]
pub(super) fn raise(cx: &mut Cx<'_>, ip: Ip, t: Trap) -> Exit {
    cx.trap = Some(t);
    // Backtraces expect a position after the instruction's start, as for
    // callers (whose return address is past the call).
    cx.ip = ip.skip(1);
    Exit::Trap
}

/// Defines the handler for `Instr::$name`, binding its fields and `WIDTH`,
/// the code units the instruction occupies (`ip.skip(WIDTH)` is the next
/// one). The body must end by continuing (`next!`) or finishing
/// (`return`).
macro_rules! handler {
    ($name:ident { $($field:ident),* } ($ip:ident, $fp:ident, $mem:ident, $acc:ident, $cx:ident, $tbl:ident, $fa:ident) $body:block) => {
        #[allow(unused_mut, unused_variables)]
        pub(super) unsafe fn $name(
            mut $ip: $crate::engine::executor::dispatch::Ip,
            mut $fp: $crate::engine::executor::dispatch::Fp,
            mut $mem: $crate::engine::executor::dispatch::Mem,
            $acc: u64,
            $cx: &mut $crate::engine::executor::dispatch::Cx<'_>,
            $tbl: $crate::engine::executor::dispatch::Table,
            $fa: f64,
        ) -> $crate::engine::executor::dispatch::Exit {
            #[allow(dead_code)]
            const WIDTH: usize = $crate::ir::units::$name;
            // SAFETY: this handler is installed only for `Instr::$name`
            // (see `handler_for`) and `ip` points at that instruction.
            let $crate::ir::Instr::$name { $($field),* } = (unsafe { $ip.instr() }) else {
                // SAFETY: as above, no other variant reaches this handler.
                unsafe { std::hint::unreachable_unchecked() }
            };
            $body
        }
    };
}
pub(super) use handler;

/// Where unreached instruction `$k` (from 0) after the fused instruction
/// `$name` at `$ip` starts (see `ir::code::seconds`).
macro_rules! second {
    ($ip:expr, $name:ident, $k:expr) => {
        $ip.skip({
            const AT: usize =
                $crate::ir::units::$name + $crate::ir::code::sum($crate::ir::code::seconds::$name, $k);
            AT
        })
    };
}
pub(super) use second;

/// The instruction after the fused instruction `$name` at `$ip` and the
/// unreached ones after it.
macro_rules! after {
    ($ip:expr, $name:ident) => {
        $crate::engine::executor::handlers::second!($ip, $name, $crate::ir::code::seconds::$name.len())
    };
}
pub(super) use after;

/// Passes every variant of `Instr`, in declaration order (the order of the
/// tags), to `$m`.
macro_rules! list_variants {
    (
        $m:ident;
        binop: [$(($bin:ident $binA:ident $binB:ident))*]
        tbinop: [$(($tbin:ident $tbinA:ident $tbinB:ident))*]
        unop: [$(($un:ident $unA:ident))*]
        tunop: [$(($tun:ident $tunA:ident))*]
        load: [$(($ld:ident $lda:ident $ldA:ident $ldk:ident))*]
        store: [$(($st:ident $sta:ident $sti:ident $stA:ident $stk:ident $stki:ident $stiA:ident))*]
        cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt
            $cvA:ident $cvB:ident $cviA:ident $cbA:ident $cbB:ident $cbiA:ident))*]
        fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
            $fvi:ident $fbi:ident $fnbi:ident $fbiA:ident $fnbiA:ident))*]
        arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $aiA:ident))*]
    ) => {
        $m! {
            Unreachable Br BrIfNez BrIfEqz BrTable Return Call CallIndirect Copy Const
            Select RefFunc GlobalGet GlobalSet TableGet TableSet TableSize TableGrow
            TableFill TableCopy TableInit ElemDrop MemorySize MemoryGrow MemoryFill
            MemoryCopy MemoryInit DataDrop ConstBr CopyBr Return1A Select4 Select4A SelectA BrEntry
            TranslateAndEnter ReturnToInstance Copy2 I32AddBrLtU I32AddImmBr I32AddImmCopy I64Load32UAddTo I32MulImmAddImm
            I32Load8UBrTable I32MulImmStore16 I32XorStore8 I64AddExtendI32S
            I32AddStore8Imm I32AddLoad8U I32Load8UAddTo I32Load8SAddTo I32AddImm2 I32LoadBrLtU
            I32AddImmLoad I32Load8UAddBrNe
            I32LoadAddMul I32LoadMul I32RotlImmXor I32ShrUImmXor I32ShrUImmAXor I32AddAccAdd I32AddReturn I32AddImmReturn
            I32AddImmStepNe I32AddImmStepLtU I32AddImmStepGtU I32AddAStepNe I32AddAStepLtU I32AddAStepGtU
            I64Load32UAddToStepNe I64Load32UAddToStepLtU I64Load32UAddToStepGtU I32AddStore8ImmAddBrLtU
            I32AddImmCopyBrGtU I32AddImm2LoadBrLtU
            F64AddThenAddA F64AddThenAddB F64AddThenSubA F64AddThenSubB F64AddThenMulA F64AddThenMulB F64SubThenAddA F64SubThenAddB F64SubThenSubA F64SubThenSubB F64SubThenMulA F64SubThenMulB F64MulThenAddA F64MulThenAddB F64MulThenSubA F64MulThenSubB F64MulThenMulA F64MulThenMulB
            I64LoadF64AddA I64LoadF64AddB I64LoadF64SubA I64LoadF64SubB I64LoadF64MulA I64LoadF64MulB I64LoadAddF64AddA I64LoadAddF64AddB I64LoadAddF64SubA I64LoadAddF64SubB I64LoadAddF64MulA I64LoadAddF64MulB
            F64AddAStore F64AddBStore F64SubAStore F64SubBStore F64MulAStore F64MulBStore
            I64LoadF64AddAStore I64LoadF64AddBStore I64LoadF64SubAStore I64LoadF64SubBStore I64LoadF64MulAStore I64LoadF64MulBStore
            F64AddMulAddA F64AddMulAddB F64MulMulAddB F64MulMulAddA
            $($bin)* $($tbin)* $($un)* $($tun)* $($ld $lda)* $($st $sta $sti)*
            $($cv $cvi $cb $cbi $cs $csi)* $($fb $fnb)* $($ai)*
            BrIfNezA BrIfEqzA BrTableA
            $($binA $binB)* $($tbinA $tbinB)* $($unA)* $($tunA)* $($ldA)* $($stA)*
            $($cvA $cvB $cviA $cbA $cbB $cbiA)* $($fbA $fbB $fnbA $fnbB)* $($aiA)*
            $($ldk)* $($stk $stki $stiA)* $($fvi $fbi $fnbi $fbiA $fnbiA)*
        }
    };
}

/// `for_each_op_family!` for callbacks that want the plain variant list.
macro_rules! table_families {
    ($($families:tt)*) => {
        list_variants!(handler_table; $($families)*);
    };
}

macro_rules! handler_table {
    ($($v:ident)*) => {
        /// The handler of each instruction, indexed by its tag. The order is
        /// `Instr`'s declaration order; `tests::table_matches_variants`
        /// checks every entry against the variant it serves.
        pub(crate) static HANDLERS: [Handler; NUM_TAGS] = {
            use control::*;
            use entities::*;
            use memory::*;
            use numeric::*;
            use steps::*;
            [$($v as Handler),*]
        };

        /// How many kinds of instruction there are (tags `0..NUM_TAGS`).
        pub(crate) const NUM_TAGS: usize = [$(stringify!($v)),*].len();

        /// The name of each instruction kind, indexed by its tag.
        #[cfg_attr(not(feature = "dispatch-pairs"), allow(dead_code))]
        pub(crate) static INSTR_NAMES: [&str; NUM_TAGS] = [$(stringify!($v)),*];
    };
}
crate::ir::for_each_op_family!(table_families);

/// The handler of an instruction, by variant (checks `HANDLERS`).
#[cfg(test)]
pub(crate) fn handler_for(instr: &Instr) -> Handler {
    use control::*;
    use entities::*;
    use memory::*;
    use numeric::*;
    use steps::*;
    macro_rules! map {
        ($($v:ident)*) => {
            match instr {
                $(Instr::$v { .. } => $v,)*
            }
        };
    }
    macro_rules! map_families {
        ($($families:tt)*) => {
            list_variants!(map; $($families)*)
        };
    }
    crate::ir::for_each_op_family!(map_families)
}

// After `list_variants!`, which the tests use too.
#[cfg(test)]
mod tests;
