//! The interpreter's internal code.
//!
//! Each wasm function body is translated once into a flat `Vec<Instr>`. The
//! code is register-style over *frame slots*: a frame holds the function's
//! locals (slots `0..num_locals`, parameters first) followed by the operand
//! stack, whose heights the translator knows statically. Every instruction
//! names the slots it reads and writes (`dst`, `a`, `b`, ...), so nothing is
//! pushed or popped at run time, operands may be locals directly, and results
//! may be written straight into a local. Cells are untyped `u64`: i32 values
//! are kept zero-extended, f32/f64 as their bits, references as described in
//! `core::value`.
//!
//! Branch targets are absolute instruction indices within the function.
//! Memory instructions access memory 0 of the current instance and trap with
//! `out of bounds memory access` when `addr + offset + size` exceeds its
//! length. Calls place arguments at `base..` in the caller's frame; the
//! callee's frame starts there and its results come back at `base..`.
//!
//! The list below is the single definition of every op; each comment states
//! the wasm operator(s) it lowers, its operands and its traps.

/// Index of a cell in the current frame.
pub type Slot = u32;

macro_rules! define_instr {
    (
        binop: [$($bin:ident)*]
        tbinop: [$($tbin:ident)*]
        unop: [$($un:ident)*]
        tunop: [$($tun:ident)*]
        load: [$(($ld:ident $lda:ident))*]
        store: [$(($st:ident $sta:ident $sti:ident))*]
        cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt))*]
        fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt))*]
        arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident))*]
    ) => {
        /// One interpreter instruction. See the module docs for conventions.
        ///
        /// `repr(u16)` fixes the layout: a `u16` tag (the variant's index in
        /// declaration order), then the fields; the interpreter reads the
        /// tag to find the handler (`executor::handlers::HANDLERS`).
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[repr(u16)]
        pub enum Instr {
            /// `unreachable`. Traps: unreachable.
            Unreachable,
            /// `br` (and block exits): continue at `target`.
            Br { target: u32 },
            /// `br_if` taken when `cond != 0`.
            BrIfNez { cond: Slot, target: u32 },
            /// `if`/`br_if` helper: jump when `cond == 0`.
            BrIfEqz { cond: Slot, target: u32 },
            /// `br_table`: followed by `len + 1` `Br` entries (the last one is
            /// the default); executes entry `min(index, len)`.
            BrTable { index: Slot, len: u32 },
            /// `return` / end of function: copy `n` results from `src..` to
            /// slot 0.. and return to the caller.
            Return { src: Slot, n: u32 },
            /// `call`: call function `func` (module index) with arguments at
            /// `base..`; results come back at `base..`. Traps: call stack
            /// exhausted, or whatever the callee raises.
            Call { func: u32, base: Slot },
            /// `call_indirect` through table `table` (tables are fewer than
            /// 2^16): arguments at `base..`, the element index at `index`
            /// (`base + n_params`). Traps: undefined element, uninitialized
            /// element, indirect call type mismatch.
            CallIndirect { table: u16, type_index: u32, base: Slot, index: Slot },
            /// `local.get`/`local.set` materialisation and branch value moves.
            Copy { dst: Slot, src: Slot },
            /// `i32.const` … `f64.const`, `ref.null`: `dst = val`.
            Const { dst: Slot, val: u64 },
            /// `select`: `dst` holds the first operand; `if cond == 0 { dst = b }`.
            Select { dst: Slot, b: Slot, cond: Slot },
            /// `ref.func`: `dst` = reference to function `func` (module index).
            RefFunc { dst: Slot, func: u32 },
            /// `global.get`.
            GlobalGet { dst: Slot, global: u32 },
            /// `global.set`.
            GlobalSet { global: u32, src: Slot },
            /// `table.get`. Traps: out of bounds table access.
            TableGet { dst: Slot, table: u32, index: Slot },
            /// `table.set`. Traps: out of bounds table access.
            TableSet { table: u32, index: Slot, value: Slot },
            /// `table.size`.
            TableSize { dst: Slot, table: u32 },
            /// `table.grow`: operands (init, delta) at `args..`; the old size
            /// or -1 is written to `args`.
            TableGrow { table: u32, args: Slot },
            /// `table.fill`: operands (index, value, len) at `args..`.
            TableFill { table: u32, args: Slot },
            /// `table.copy`: operands (dst, src, len) at `args..`.
            TableCopy { dst_table: u32, src_table: u32, args: Slot },
            /// `table.init`: operands (dst, src, len) at `args..`.
            TableInit { table: u32, elem: u32, args: Slot },
            /// `elem.drop`.
            ElemDrop { elem: u32 },
            /// `memory.size` (memory 0).
            MemorySize { dst: Slot },
            /// `memory.grow`: old size in pages or -1.
            MemoryGrow { dst: Slot, delta: Slot },
            /// `memory.fill`: operands (dst, value, len) at `args..`.
            MemoryFill { args: Slot },
            /// `memory.copy`: operands (dst, src, len) at `args..`.
            MemoryCopy { args: Slot },
            /// `memory.init`: operands (dst, src, len) at `args..`.
            MemoryInit { data: u32, args: Slot },
            /// `data.drop`.
            DataDrop { data: u32 },
            /// `Const` then `Br` (a value flowing to a join): `dst = val`
            /// (zero-extended), continue at `target`.
            ConstBr { dst: Slot, val: u32, target: u32 },
            /// `Copy` then `Br`: `dst = src`, continue at `target`.
            CopyBr { dst: Slot, src: Slot, target: u32 },
            $(
                #[doc = concat!("wasm `", stringify!($bin), "`: `dst = a op b`.")]
                $bin { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($tbin), "`: `dst = a op b`; traps on zero divisor or overflow.")]
                $tbin { dst: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($un), "`: `dst = op src`.")]
                $un { dst: Slot, src: Slot },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($tun), "`: `dst = op src`; traps on NaN or overflow.")]
                $tun { dst: Slot, src: Slot },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($ld), "` (memory 0).")]
                $ld { dst: Slot, addr: Slot, offset: u32 },
                #[doc = concat!("`", stringify!($ld), "` with offset 0 from address `base + imm` (a wrapping `i32.add`).")]
                $lda { dst: Slot, base: Slot, imm: u32 },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($st), "` (memory 0).")]
                $st { addr: Slot, val: Slot, offset: u32 },
                #[doc = concat!("`", stringify!($st), "` with offset 0 to address `base + imm` (a wrapping `i32.add`).")]
                $sta { base: Slot, imm: u32, val: Slot },
                #[doc = concat!("`", stringify!($st), "` of a constant (sign-extended to 64 bits, then truncated).")]
                $sti { addr: Slot, offset: u32, imm: u32 },
            )*
            $(
                #[doc = concat!("wasm `", stringify!($cv), "`: `dst = a op b` (0 or 1).")]
                $cv { dst: Slot, a: Slot, b: Slot },
                #[doc = concat!("`", stringify!($cv), "` with a constant right operand (sign-extended).")]
                $cvi { dst: Slot, a: Slot, imm: u32 },
                #[doc = concat!("`", stringify!($cv), "` fused with `br_if`/`if`: jump to `target` when true.")]
                $cb { a: Slot, b: Slot, target: u32 },
                #[doc = concat!("`", stringify!($cvi), "` fused with a branch: jump to `target` when true.")]
                $cbi { a: Slot, imm: u32, target: u32 },
                #[doc = concat!("`a += step` (wrapping), then `", stringify!($cb), "`: a loop's counter update and exit test.")]
                $cs { step: i16, a: Slot, b: Slot, target: u32 },
                #[doc = concat!("`a += step` (wrapping), then `", stringify!($cbi), "`.")]
                $csi { step: i16, a: Slot, imm: u32, target: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($fv), "` fused with a branch: jump to `target` when true.")]
                $fb { a: Slot, b: Slot, target: u32 },
                #[doc = concat!("`", stringify!($fv), "` fused with a branch: jump to `target` when false (NaN operands make it false).")]
                $fnb { a: Slot, b: Slot, target: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($ab), "` with a constant right operand (sign-extended).")]
                $ai { dst: Slot, a: Slot, imm: u32 },
            )*
        }
    };
}

/// The single list of the uniform op families. A callback macro receives
/// every family: `binop` (`dst = a op b`), `tbinop` (same, may trap on a
/// zero divisor or overflow), `unop` (`dst = op src`), `tunop` (same, may
/// trap on NaN or overflow), `load` (`dst = mem[addr + offset]`; f32/f64
/// loads are `I32Load`/`I64Load`) with its form whose address is a slot
/// plus a constant (an `i32.add` fused in), `store` (`mem[addr + offset] =
/// val`, likewise with its fused form, and its form storing a constant),
/// `cmp` rows (integer comparison, its constant-operand form, its fused
/// compare-and-branch forms, those forms preceded by adding a small constant
/// to the left operand (a loop counter), its negation, the operand type and the Rust
/// operator), `fcmp` rows (a float comparison, its fused compare-and-branch
/// forms taken when true and when false, the operand type and the Rust
/// operator) and `arith_imm` rows (an arithmetic op, its constant-operand
/// form, the operand type and the Rust method or operator trait method).
/// Constant operands are 32 bits, sign-extended for 64-bit ops; shift
/// amounts are taken modulo the bit width as in wasm; the translator uses
/// the division forms only with divisors that cannot trap (not 0, and not
/// -1 for signed division).
macro_rules! for_each_op_family {
    ($m:ident) => {
        $m! {
            binop: [
                I32Add I32Sub I32Mul I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
                I64Add I64Sub I64Mul I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
                F32Add F32Sub F32Mul F32Div F32Min F32Max F32Copysign F32Eq F32Ne F32Lt F32Gt F32Le F32Ge
                F64Add F64Sub F64Mul F64Div F64Min F64Max F64Copysign F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
            ]
            tbinop: [I32DivS I32DivU I32RemS I32RemU I64DivS I64DivU I64RemS I64RemU]
            unop: [
                I32Eqz I32Clz I32Ctz I32Popcnt I64Eqz I64Clz I64Ctz I64Popcnt
                F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt
                F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt
                I32WrapI64 I64ExtendI32S I64ExtendI32U
                F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
                F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
                I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
                I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
                I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
            ]
            tunop: [
                I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
                I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
            ]
            load: [
                (I32Load I32LoadAdd) (I64Load I64LoadAdd)
                (I32Load8S I32Load8SAdd) (I32Load8U I32Load8UAdd)
                (I32Load16S I32Load16SAdd) (I32Load16U I32Load16UAdd)
                (I64Load8S I64Load8SAdd) (I64Load8U I64Load8UAdd)
                (I64Load16S I64Load16SAdd) (I64Load16U I64Load16UAdd)
                (I64Load32S I64Load32SAdd) (I64Load32U I64Load32UAdd)
            ]
            store: [
                (I32Store I32StoreAdd I32StoreImm) (I64Store I64StoreAdd I64StoreImm)
                (I32Store8 I32Store8Add I32Store8Imm) (I32Store16 I32Store16Add I32Store16Imm)
                (I64Store8 I64Store8Add I64Store8Imm) (I64Store16 I64Store16Add I64Store16Imm)
                (I64Store32 I64Store32Add I64Store32Imm)
            ]
            cmp: [
                (I32Eq I32EqImm BrI32Eq BrI32EqImm StepBrI32Eq StepBrI32EqImm I32Ne u32 ==)
                (I32Ne I32NeImm BrI32Ne BrI32NeImm StepBrI32Ne StepBrI32NeImm I32Eq u32 !=)
                (I32LtS I32LtSImm BrI32LtS BrI32LtSImm StepBrI32LtS StepBrI32LtSImm I32GeS i32 <)
                (I32LtU I32LtUImm BrI32LtU BrI32LtUImm StepBrI32LtU StepBrI32LtUImm I32GeU u32 <)
                (I32GtS I32GtSImm BrI32GtS BrI32GtSImm StepBrI32GtS StepBrI32GtSImm I32LeS i32 >)
                (I32GtU I32GtUImm BrI32GtU BrI32GtUImm StepBrI32GtU StepBrI32GtUImm I32LeU u32 >)
                (I32LeS I32LeSImm BrI32LeS BrI32LeSImm StepBrI32LeS StepBrI32LeSImm I32GtS i32 <=)
                (I32LeU I32LeUImm BrI32LeU BrI32LeUImm StepBrI32LeU StepBrI32LeUImm I32GtU u32 <=)
                (I32GeS I32GeSImm BrI32GeS BrI32GeSImm StepBrI32GeS StepBrI32GeSImm I32LtS i32 >=)
                (I32GeU I32GeUImm BrI32GeU BrI32GeUImm StepBrI32GeU StepBrI32GeUImm I32LtU u32 >=)
                (I64Eq I64EqImm BrI64Eq BrI64EqImm StepBrI64Eq StepBrI64EqImm I64Ne u64 ==)
                (I64Ne I64NeImm BrI64Ne BrI64NeImm StepBrI64Ne StepBrI64NeImm I64Eq u64 !=)
                (I64LtS I64LtSImm BrI64LtS BrI64LtSImm StepBrI64LtS StepBrI64LtSImm I64GeS i64 <)
                (I64LtU I64LtUImm BrI64LtU BrI64LtUImm StepBrI64LtU StepBrI64LtUImm I64GeU u64 <)
                (I64GtS I64GtSImm BrI64GtS BrI64GtSImm StepBrI64GtS StepBrI64GtSImm I64LeS i64 >)
                (I64GtU I64GtUImm BrI64GtU BrI64GtUImm StepBrI64GtU StepBrI64GtUImm I64LeU u64 >)
                (I64LeS I64LeSImm BrI64LeS BrI64LeSImm StepBrI64LeS StepBrI64LeSImm I64GtS i64 <=)
                (I64LeU I64LeUImm BrI64LeU BrI64LeUImm StepBrI64LeU StepBrI64LeUImm I64GtU u64 <=)
                (I64GeS I64GeSImm BrI64GeS BrI64GeSImm StepBrI64GeS StepBrI64GeSImm I64LtS i64 >=)
                (I64GeU I64GeUImm BrI64GeU BrI64GeUImm StepBrI64GeU StepBrI64GeUImm I64LtU u64 >=)
            ]
            fcmp: [
                (F32Eq BrF32Eq BrF32NotEq f32 ==) (F32Ne BrF32Ne BrF32NotNe f32 !=)
                (F32Lt BrF32Lt BrF32NotLt f32 <) (F32Gt BrF32Gt BrF32NotGt f32 >)
                (F32Le BrF32Le BrF32NotLe f32 <=) (F32Ge BrF32Ge BrF32NotGe f32 >=)
                (F64Eq BrF64Eq BrF64NotEq f64 ==) (F64Ne BrF64Ne BrF64NotNe f64 !=)
                (F64Lt BrF64Lt BrF64NotLt f64 <) (F64Gt BrF64Gt BrF64NotGt f64 >)
                (F64Le BrF64Le BrF64NotLe f64 <=) (F64Ge BrF64Ge BrF64NotGe f64 >=)
            ]
            arith_imm: [
                (I32Add I32AddImm u32 wrapping_add)
                (I32Sub I32SubImm u32 wrapping_sub)
                (I32Mul I32MulImm u32 wrapping_mul)
                (I32And I32AndImm u32 bitand)
                (I32Or I32OrImm u32 bitor)
                (I32Xor I32XorImm u32 bitxor)
                (I32Shl I32ShlImm u32 shl)
                (I32ShrS I32ShrSImm i32 shr)
                (I32ShrU I32ShrUImm u32 shr)
                (I64Add I64AddImm u64 wrapping_add)
                (I64Sub I64SubImm u64 wrapping_sub)
                (I64Mul I64MulImm u64 wrapping_mul)
                (I64And I64AndImm u64 bitand)
                (I64Or I64OrImm u64 bitor)
                (I64Xor I64XorImm u64 bitxor)
                (I64Shl I64ShlImm u64 shl)
                (I64ShrS I64ShrSImm i64 shr)
                (I64ShrU I64ShrUImm u64 shr)
                (I32Rotl I32RotlImm u32 rotl)
                (I32Rotr I32RotrImm u32 rotr)
                (I64Rotl I64RotlImm u64 rotl)
                (I64Rotr I64RotrImm u64 rotr)
                (I32DivS I32DivSImm i32 wrapping_div)
                (I32DivU I32DivUImm u32 wrapping_div)
                (I32RemS I32RemSImm i32 wrapping_rem)
                (I32RemU I32RemUImm u32 wrapping_rem)
                (I64DivS I64DivSImm i64 wrapping_div)
                (I64DivU I64DivUImm u64 wrapping_div)
                (I64RemS I64RemSImm i64 wrapping_rem)
                (I64RemU I64RemUImm u64 wrapping_rem)
            ]
        }
    };
}

pub(crate) use for_each_op_family;

for_each_op_family!(define_instr);

impl Instr {
    /// Redirects a branch instruction to `target` (used to patch forward
    /// branches once their label is bound).
    pub(crate) fn set_branch_target(&mut self, new: u32) {
        macro_rules! set_target {
            (
                binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
                cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt))*]
                fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt))*]
                arith_imm: $_arith_imm:tt
            ) => {
                match self {
                    Instr::Br { target }
                    | Instr::ConstBr { target, .. }
                    | Instr::CopyBr { target, .. }
                    | Instr::BrIfNez { target, .. }
                    | Instr::BrIfEqz { target, .. }
                    $( | Instr::$cb { target, .. } | Instr::$cbi { target, .. } )*
                    $( | Instr::$cs { target, .. } | Instr::$csi { target, .. } )*
                    $( | Instr::$fb { target, .. } | Instr::$fnb { target, .. } )* => *target = new,
                    _ => debug_assert!(false, "not a branch: {self:?}"),
                }
            };
        }
        for_each_op_family!(set_target);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instr_is_16_bytes() {
        assert_eq!(std::mem::size_of::<super::Instr>(), 16);
    }
}
