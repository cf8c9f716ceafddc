//! The interpreter's internal code.
//!
//! Each wasm function body is translated once into a flat `Vec<Instr>`,
//! then encoded compactly (`code`). The
//! code is register-style over *frame slots*: a frame holds the function's
//! locals (slots `0..num_locals`, parameters first) followed by the operand
//! stack, whose heights the translator knows statically. Every instruction
//! names the slots it reads and writes (`dst`, `a`, `b`, ...), so nothing is
//! pushed or popped at run time, operands may be locals directly, and results
//! may be written straight into a local. Cells are untyped `u64`: i32 values
//! are kept zero-extended, f32/f64 as their bits, references as described in
//! `core::value`.
//!
//! Branch targets are instruction indices within the function while the
//! translator works; in encoded code they are distances in bytes from the
//! branching instruction (`code::Code::encode`), so that a jump is one
//! addition to the instruction pointer.
//! Memory instructions access memory 0 of the current instance and trap with
//! `out of bounds memory access` when `addr + offset + size` exceeds its
//! length. Calls place arguments at `base..` in the caller's frame; the
//! callee's frame starts there and its results come back at `base..`.
//!
//! The list below is the single definition of every op; each comment states
//! the wasm operator(s) it lowers, its operands and its traps.

pub mod code;

/// Index of a cell in the current frame.
pub type Slot = u16;

/// A 64-bit immediate as two 32-bit halves (low first), so that `Instr`
/// needs only 4-byte alignment (see `code`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Imm64([u32; 2]);

impl Imm64 {
    #[inline(always)]
    pub fn get(self) -> u64 {
        self.0[0] as u64 | (self.0[1] as u64) << 32
    }
}

impl From<u64> for Imm64 {
    fn from(v: u64) -> Imm64 {
        Imm64([v as u32, (v >> 32) as u32])
    }
}

impl std::fmt::Debug for Imm64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A float constant as an instruction immediate: the bits of an `f32`
/// (an `f64` constant qualifies when it is exactly an `f32`'s value).
pub(crate) trait FloatImm: Sized {
    /// The immediate for the constant whose cell is `cell`, if any.
    fn encode(cell: u64) -> Option<u32>;
    fn decode(imm: u32) -> Self;
}

impl FloatImm for f32 {
    fn encode(cell: u64) -> Option<u32> {
        Some(cell as u32)
    }
    #[inline(always)]
    fn decode(imm: u32) -> f32 {
        f32::from_bits(imm)
    }
}

impl FloatImm for f64 {
    fn encode(cell: u64) -> Option<u32> {
        let narrow = f64::from_bits(cell) as f32;
        // Exact: the same bits come back (for a NaN too, payload included).
        ((narrow as f64).to_bits() == cell).then_some(narrow.to_bits())
    }
    #[inline(always)]
    fn decode(imm: u32) -> f64 {
        f32::from_bits(imm) as f64
    }
}

/// Defines `Instr` from its variants, and the code units (`code::UNIT`
/// bytes) each variant occupies in encoded code: its tag and fields, laid
/// out as `repr(u16)` lays out a variant (a `repr(C)` struct of the tag
/// and the fields, in order), rounded up to whole units (`units`).
macro_rules! instr_enum {
    ($( $(#[$attr:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?) => {
        /// One interpreter instruction. See the module docs for conventions.
        ///
        /// `repr(u16)` fixes the layout: a `u16` tag (the variant's index in
        /// declaration order), then the fields; the interpreter reads the
        /// tag to find the handler (`executor::handlers::HANDLERS`). In
        /// encoded code (`code::Code`) each instruction takes only the units
        /// its fields reach (`units`), so the fields that make a variant
        /// small come first.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[repr(u16)]
        pub enum Instr {
            $( $(#[$attr])* $name $({ $($field: $ty),* })?, )*
        }

        /// Code units each kind of instruction occupies, by variant name.
        #[allow(non_upper_case_globals)]
        pub(crate) mod units {
            #[allow(unused_imports)]
            use super::*;
            $(
                pub(crate) const $name: usize = {
                    #[allow(dead_code)]
                    #[repr(C)]
                    struct Shape {
                        the_tag_: u16,
                        $($($field: $ty),*)?
                    }
                    std::mem::size_of::<Shape>().div_ceil(super::code::UNIT)
                };
            )*
        }

        /// Code units each kind of instruction occupies, by tag.
        pub(crate) static UNITS: [u8; [$(stringify!($name)),*].len()] = [$(units::$name as u8),*];
    };
}

macro_rules! define_instr {
    (
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
        instr_enum! {
            /// `unreachable`. Traps: unreachable.
            Unreachable,
            /// `br` (and block exits): continue at `target`.
            Br { target: u32 },
            /// `br_if` taken when `cond != 0`.
            BrIfNez { cond: Slot, target: u32 },
            /// `if`/`br_if` helper: jump when `cond == 0`.
            BrIfEqz { cond: Slot, target: u32 },
            /// `br_table`: followed by `len + 1` `BrEntry` entries (the last
            /// one is the default); takes entry `min(index, len)`.
            BrTable { index: Slot, len: u32 },
            /// `return` / end of function: copy `n` results from `src..` to
            /// slot 0.. and return to the caller.
            Return { src: Slot, n: u32 },
            /// `call`: call function `func` (module index) with arguments at
            /// `base..`; results come back at `base..`. Traps: call stack
            /// exhausted, or whatever the callee raises.
            Call { base: Slot, func: u32 },
            /// `call_indirect` through table `table` (tables are fewer than
            /// 2^16): arguments at `base..`, the element index at `index`
            /// (`base + n_params`). Traps: undefined element, uninitialized
            /// element, indirect call type mismatch.
            CallIndirect { table: u16, base: Slot, index: Slot, type_index: u32 },
            /// `local.get`/`local.set` materialisation and branch value moves.
            Copy { dst: Slot, src: Slot },
            /// `i32.const` … `f64.const`, `ref.null`: `dst = val`.
            Const { dst: Slot, val: Imm64 },
            /// `select`: `dst` holds the first operand; `if cond == 0 { dst = b }`.
            Select { dst: Slot, b: Slot, cond: Slot },
            /// `ref.func`: `dst` = reference to function `func` (module index).
            RefFunc { dst: Slot, func: u32 },
            /// `global.get`.
            GlobalGet { dst: Slot, global: u32 },
            /// `global.set`.
            GlobalSet { src: Slot, global: u32 },
            /// `table.get`. Traps: out of bounds table access.
            TableGet { dst: Slot, index: Slot, table: u32 },
            /// `table.set`. Traps: out of bounds table access.
            TableSet { index: Slot, value: Slot, table: u32 },
            /// `table.size`.
            TableSize { dst: Slot, table: u32 },
            /// `table.grow`: operands (init, delta) at `args..`; the old size
            /// or -1 is written to `args`.
            TableGrow { args: Slot, table: u32 },
            /// `table.fill`: operands (index, value, len) at `args..`.
            TableFill { args: Slot, table: u32 },
            /// `table.copy`: operands (dst, src, len) at `args..`.
            TableCopy { args: Slot, dst_table: u32, src_table: u32 },
            /// `table.init`: operands (dst, src, len) at `args..`.
            TableInit { args: Slot, table: u32, elem: u32 },
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
            MemoryInit { args: Slot, data: u32 },
            /// `data.drop`.
            DataDrop { data: u32 },
            /// `Const` then `Br` (a value flowing to a join): `dst = val`
            /// (zero-extended), continue at `target`.
            ConstBr { dst: Slot, val: u32, target: u32 },
            /// `Copy` then `Br`: `dst = src`, continue at `target`.
            CopyBr { dst: Slot, src: Slot, target: u32 },
            /// `Return` of one result, the accumulator.
            Return1A {},
            /// `select` reading its first operand where it is (a local):
            /// `dst = if cond != 0 { a } else { b }`.
            Select4 { dst: u16, a: u16, b: u16, cond: u16 },
            /// `Select4` with the condition from the accumulator.
            Select4A { dst: u16, a: u16, b: u16 },
            /// `Select` with the condition from the accumulator.
            SelectA { dst: Slot, b: Slot },
            /// An entry of a `BrTable`: continue at `target`. `tag` is the tag
            /// of the instruction there (set once the code is final), so that
            /// the table can dispatch to it without reading it first.
            BrEntry { tag: u16, target: u32 },
            /// The whole code of a function not translated yet: translates
            /// it and continues at its first instruction (see
            /// `engine::FuncCode`). Traps: call stack exhausted, or a
            /// translation error.
            TranslateAndEnter,
            /// Not in any function's code: where a call into another
            /// instance returns (the frame record it pushed above the
            /// caller's own). Makes the caller's instance current and
            /// continues in the caller.
            ReturnToInstance,
            /// Two `Copy`s in a row, in one dispatch: `dst = src`, then
            /// `dst2 = src2`. The second `Copy` stays after it (unreached:
            /// the handler skips it), so positions and offsets do not move.
            Copy2 { dst: u16, src: u16, dst2: u16, src2: u16 },
            /// `I32Add` then `BrI32LtUA` of its result, in one dispatch:
            /// `dst = a + b`, then continue at `target` when `dst < limit`
            /// (unsigned). The branch stays after it, unreached.
            I32AddBrLtU { dst: u16, a: u16, b: u16, limit: u16, target: u32 },
            /// `I32AddImm` then `Br`: `dst = a + imm`, continue at `target`.
            I32AddImmBr { dst: u16, a: u16, imm: u32, target: u32 },
            /// `I32AddImm` then a `Copy` of its result: `dst = a + imm`, then
            /// `dst2 = dst`.
            I32AddImmCopy { dst: u16, a: u16, dst2: u16, imm: u32 },
            /// `I64Load32U` then `I64AddB` of the loaded value: `ld =
            /// mem[addr + offset]` (zero-extended), then `dst = a + ld`.
            /// Traps: out of bounds memory access.
            I64Load32UAddTo { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// `I32MulImm` then `I32AddImmA` of its result (a linear
            /// congruential step): `dst = a * mul`, then `dst2 = dst + add`.
            I32MulImmAddImm { dst: u16, a: u16, dst2: u16, mul: u32, add: u32 },
            /// `I32Load8U` then `BrTableA` on the loaded byte (a byte-code
            /// dispatch): `dst = mem[addr + offset]`, then the table of `len`
            /// (its `BrEntry`s follow the `BrTableA`, which stays in place).
            /// Traps: out of bounds memory access.
            I32Load8UBrTable { dst: u16, addr: u16, offset: u32, len: u32 },
            /// `I32MulImmA` then `I32Store16A` of its result: `dst = acc * imm`,
            /// then `mem[addr + offset] = dst` (16 bits). Traps (as the
            /// store, the next instruction): out of bounds memory access.
            I32MulImmStore16 { dst: u16, addr: u16, imm: u32, offset: u32 },
            /// `I32XorA` then `I32Store8A` of its result: `dst = acc ^ b`, then
            /// `mem[addr + offset] = dst` (8 bits). Traps as the store.
            I32XorStore8 { dst: u16, b: u16, addr: u16, offset: u32 },
            /// `I64ExtendI32S` then `I64AddB` of its result: `dst =
            /// extend(src)`, then `dst2 = a + dst`.
            I64AddExtendI32S { dst: u16, src: u16, dst2: u16, a: u16 },
            /// `I32Add` then `I32Store8ImmA` at its result (a byte store at
            /// base + index): `dst = a + b`, then `mem[dst + offset] = imm`.
            /// Traps as the store (the next instruction): out of bounds memory
            /// access.
            I32AddStore8Imm { dst: u16, a: u16, b: u16, imm: u8, offset: u32 },
            /// `I32Add` then `I32Load8UA` at its result (a byte load at base +
            /// index): `dst = a + b`, then `ld = mem[dst + offset]`
            /// (zero-extended). Traps as the load (the next instruction).
            I32AddLoad8U { dst: u16, a: u16, b: u16, ld: u16, offset: u32 },
            /// `I32Load8U` then `I32AddB` (or `I32AddA`) of the loaded byte:
            /// `ld = mem[addr + offset]` (zero-extended), then `dst = a + ld`.
            /// Traps: out of bounds memory access.
            I32Load8UAddTo { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// `I32Load8S` then `I32AddB` (or `I32AddA`): as `I32Load8UAddTo`
            /// with the byte sign-extended.
            I32Load8SAddTo { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// Two `I32AddImm`s (the second may read the first's result): `dst
            /// = a + imm`, then `dst2 = a2 + imm2`; both immediates fit `i16`.
            I32AddImm2 { dst: u16, a: u16, dst2: u16, a2: u16, imm: i16, imm2: i16 },
            /// `I32LoadA` then `BrI32LtUA` of the loaded value (a scan): `dst =
            /// mem[acc + offset]`, then continue at `target` when `dst < b`
            /// (unsigned). Traps: out of bounds memory access.
            I32LoadBrLtU { dst: u16, b: u16, offset: u32, target: u32 },
            /// `I32AddImm` then `I32Load` (or `I32LoadA` of the sum, with `addr
            /// = dst`): `dst = a + imm` (`imm` fits `i16`), then `ld =
            /// mem[addr + offset]` (`addr` read after `dst` is written; a
            /// pointer walk's step and load). Traps as the load (the next
            /// instruction): out of bounds memory access.
            I32AddImmLoad { dst: u16, a: u16, ld: u16, addr: u16, imm: i16, offset: u32 },
            /// `I32Load8UAdd` then `BrI32NeB` (or `BrI32NeA`) of the loaded
            /// byte (a byte comparison loop): `dst = mem[base + imm]`, then
            /// continue at `target` when `dst != a`. Traps: out of bounds
            /// memory access.
            I32Load8UAddBrNe { dst: u16, base: u16, a: u16, imm: u32, target: u32 },
            /// `I32LoadAdd` then `I32MulB` (or `I32MulA`) of the loaded value
            /// (a dot product's step): `ld = mem[base + imm]`, then `dst = a *
            /// ld`. Traps: out of bounds memory access.
            I32LoadAddMul { ld: u16, base: u16, dst: u16, a: u16, imm: u32 },
            /// `I32Load` then `I32MulB` (or `I32MulA`) of the loaded value:
            /// `ld = mem[addr + offset]`, then `dst = a * ld`. Traps: out of
            /// bounds memory access.
            I32LoadMul { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// `I32RotlImm` then `I32XorB` (or `I32XorA`) of its result (a
            /// hash's mixing step): `dst = rotl(a, imm)`, then `dst2 = b ^ dst`.
            I32RotlImmXor { dst: u16, a: u16, dst2: u16, b: u16, imm: u32 },
            /// `I32ShrUImm` then `I32XorB` (or `I32XorA`) of its result (a
            /// xorshift step, `x ^ (x >> k)`): `dst = a >> imm`, then `dst2 =
            /// b ^ dst`.
            I32ShrUImmXor { dst: u16, a: u16, dst2: u16, b: u16, imm: u32 },
            /// As `I32ShrUImmXor`, with the shifted value from the
            /// accumulator (`I32ShrUImmA` first).
            I32ShrUImmAXor { dst: u16, dst2: u16, b: u16, imm: u32 },
            /// Two accumulator adds in a row (`I32AddA` or `I32AddB`, either
            /// order; a sum of several terms): `dst = acc + x`, then `dst2 =
            /// dst + y` (`y` read after `dst` is written).
            I32AddAccAdd { dst: u16, x: u16, dst2: u16, y: u16 },
            /// `I32Add` then `Return1A` of its sum (a function returning a sum):
            /// returns `a + b` (the sum's slot, dead after the return, is not
            /// written).
            I32AddReturn { a: Slot, b: Slot },
            /// `I32AddImm` then `Return1A`: returns `a + imm`.
            I32AddImmReturn { a: Slot, imm: u32 },
            // `{X}Step{K}`: `X`, then the loop back edge after it, a
            // `StepBrI32{K}Imm`, in one dispatch. The step's operands are
            // read from that instruction, which stays in place (unreached).
            /// `I32AddImm`, then a `StepBrI32NeImm`.
            I32AddImmStepNe { dst: Slot, a: Slot, imm: u32 },
            /// `I32AddImm`, then a `StepBrI32LtUImm`.
            I32AddImmStepLtU { dst: Slot, a: Slot, imm: u32 },
            /// `I32AddImm`, then a `StepBrI32GtUImm`.
            I32AddImmStepGtU { dst: Slot, a: Slot, imm: u32 },
            /// `I32AddA`, then a `StepBrI32NeImm`.
            I32AddAStepNe { dst: Slot, b: Slot },
            /// `I32AddA`, then a `StepBrI32LtUImm`.
            I32AddAStepLtU { dst: Slot, b: Slot },
            /// `I32AddA`, then a `StepBrI32GtUImm`.
            I32AddAStepGtU { dst: Slot, b: Slot },
            /// `I64Load32UAddTo` (a reduction loop's body), then a
            /// `StepBrI32NeImm` after its add. Traps: out of bounds memory
            /// access.
            I64Load32UAddToStepNe { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// As `I64Load32UAddToStepNe`, with a `StepBrI32LtUImm`.
            I64Load32UAddToStepLtU { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// As `I64Load32UAddToStepNe`, with a `StepBrI32GtUImm`.
            I64Load32UAddToStepGtU { ld: u16, addr: u16, dst: u16, a: u16, offset: u32 },
            /// `I32AddStore8Imm`, then the loop back edge after it when that
            /// is an `I32AddBrLtU` (a strided fill: `a[j] = imm` for `j +=
            /// step` while `j < limit`), whose operands are read from it in
            /// place. Traps: out of bounds memory access (the store's).
            I32AddStore8ImmAddBrLtU { dst: u16, a: u16, b: u16, imm: u8, offset: u32 },
            /// `I32AddImmCopy`, then the back edge after it when that is a
            /// `BrI32GtU` (a scan's pointer step and comparison), whose
            /// operands are read from it in place.
            I32AddImmCopyBrGtU { dst: u16, a: u16, dst2: u16, imm: u32 },
            /// `I32AddImm2`, then the `I32LoadBrLtU` after it (a scan: counter
            /// and pointer steps, the load at the new pointer and the back
            /// edge), whose operands are read from it in place. Traps as the
            /// load: out of bounds memory access.
            I32AddImm2LoadBrLtU { dst: u16, a: u16, dst2: u16, a2: u16, imm: i16, imm2: i16 },
            // `F64{X}Then{Y}{A|B}`: `F64{X}` (`dst = a op b`) then the
            // accumulator form of `F64{Y}` reading its result (`A`: `dst2 =
            // dst op c`, `B`: `dst2 = c op dst`), in one dispatch.
            /// `F64Add` then `F64AddA`: `dst = a + b`, `dst2 = dst + c`.
            F64AddThenAddA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Add` then `F64AddB`: `dst = a + b`, `dst2 = c + dst`.
            F64AddThenAddB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Add` then `F64SubA`: `dst = a + b`, `dst2 = dst - c`.
            F64AddThenSubA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Add` then `F64SubB`: `dst = a + b`, `dst2 = c - dst`.
            F64AddThenSubB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Add` then `F64MulA`: `dst = a + b`, `dst2 = dst * c`.
            F64AddThenMulA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Add` then `F64MulB`: `dst = a + b`, `dst2 = c * dst`.
            F64AddThenMulB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64AddA`: `dst = a - b`, `dst2 = dst + c`.
            F64SubThenAddA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64AddB`: `dst = a - b`, `dst2 = c + dst`.
            F64SubThenAddB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64SubA`: `dst = a - b`, `dst2 = dst - c`.
            F64SubThenSubA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64SubB`: `dst = a - b`, `dst2 = c - dst`.
            F64SubThenSubB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64MulA`: `dst = a - b`, `dst2 = dst * c`.
            F64SubThenMulA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Sub` then `F64MulB`: `dst = a - b`, `dst2 = c * dst`.
            F64SubThenMulB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64AddA`: `dst = a * b`, `dst2 = dst + c`.
            F64MulThenAddA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64AddB`: `dst = a * b`, `dst2 = c + dst`.
            F64MulThenAddB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64SubA`: `dst = a * b`, `dst2 = dst - c`.
            F64MulThenSubA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64SubB`: `dst = a * b`, `dst2 = c - dst`.
            F64MulThenSubB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64MulA`: `dst = a * b`, `dst2 = dst * c`.
            F64MulThenMulA { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            /// `F64Mul` then `F64MulB`: `dst = a * b`, `dst2 = c * dst`.
            F64MulThenMulB { dst: u16, a: u16, b: u16, dst2: u16, c: u16 },
            // `I64Load{,Add}F64{Op}{A|B}`: an `f64.load` (as `I64Load`, or
            // `I64LoadAdd` with the address `base + imm`) then the accumulator
            // form of `F64{Op}` reading it: `ld = mem[..]`, then `dst = ld op
            // c` (`A`) or `c op ld` (`B`). Traps: out of bounds memory access.
            /// `I64Load` then `F64AddA`.
            I64LoadF64AddA { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64Load` then `F64AddB`.
            I64LoadF64AddB { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64Load` then `F64SubA`.
            I64LoadF64SubA { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64Load` then `F64SubB`.
            I64LoadF64SubB { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64Load` then `F64MulA`.
            I64LoadF64MulA { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64Load` then `F64MulB`.
            I64LoadF64MulB { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadAdd` then `F64AddA`.
            I64LoadAddF64AddA { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            /// `I64LoadAdd` then `F64AddB`.
            I64LoadAddF64AddB { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            /// `I64LoadAdd` then `F64SubA`.
            I64LoadAddF64SubA { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            /// `I64LoadAdd` then `F64SubB`.
            I64LoadAddF64SubB { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            /// `I64LoadAdd` then `F64MulA`.
            I64LoadAddF64MulA { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            /// `I64LoadAdd` then `F64MulB`.
            I64LoadAddF64MulB { ld: u16, base: u16, dst: u16, c: u16, imm: u32 },
            // `F64{Op}{A|B}Store`: the accumulator form of `F64{Op}` (`dst =
            // acc op c`, `A`, or `c op acc`, `B`), then an `I64StoreA` of the
            // result: `mem[addr + offset] = dst`. Traps: out of bounds memory
            // access (the store's).
            /// `F64AddA`, then an `I64StoreA` of its result.
            F64AddAStore { dst: u16, c: u16, addr: u16, offset: u32 },
            /// `F64AddB`, then an `I64StoreA` of its result.
            F64AddBStore { dst: u16, c: u16, addr: u16, offset: u32 },
            /// `F64SubA`, then an `I64StoreA` of its result.
            F64SubAStore { dst: u16, c: u16, addr: u16, offset: u32 },
            /// `F64SubB`, then an `I64StoreA` of its result.
            F64SubBStore { dst: u16, c: u16, addr: u16, offset: u32 },
            /// `F64MulA`, then an `I64StoreA` of its result.
            F64MulAStore { dst: u16, c: u16, addr: u16, offset: u32 },
            /// `F64MulB`, then an `I64StoreA` of its result.
            F64MulBStore { dst: u16, c: u16, addr: u16, offset: u32 },
            // `I64LoadF64{Op}{A|B}Store`: as `I64LoadF64{Op}{A|B}`, then the
            // `I64StoreA` after it storing the result where the load read
            // (`mem[p] op= c`; neither result overwrites `addr`).
            /// `I64LoadF64AddA`, then its result stored back.
            I64LoadF64AddAStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadF64AddB`, then its result stored back.
            I64LoadF64AddBStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadF64SubA`, then its result stored back.
            I64LoadF64SubAStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadF64SubB`, then its result stored back.
            I64LoadF64SubBStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadF64MulA`, then its result stored back.
            I64LoadF64MulAStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            /// `I64LoadF64MulB`, then its result stored back.
            I64LoadF64MulBStore { ld: u16, addr: u16, dst: u16, c: u16, offset: u32 },
            // Three `f64` operations in one dispatch, each reading the one
            // before; the second and third instructions stay in place
            // (unreached).
            /// `F64Add`, `F64MulA`, `F64AddA` (`(a + b) * c + d`): `dst = a +
            /// b`, `dst2 = dst * c`, `dst3 = dst2 + d`.
            F64AddMulAddA { dst: u16, a: u16, b: u16, dst2: u16, c: u16, dst3: u16, d: u16 },
            /// As `F64AddMulAddA`, ending with `F64AddB`: `dst3 = d + dst2`.
            F64AddMulAddB { dst: u16, a: u16, b: u16, dst2: u16, c: u16, dst3: u16, d: u16 },
            /// `F64Mul`, `F64Mul`, `F64AddB` of both products (`a * b + c *
            /// e`): `dst = a * b`, `dst2 = c * e`, `dst3 = dst + dst2`.
            F64MulMulAddB { dst: u16, a: u16, b: u16, dst2: u16, c: u16, e: u16, dst3: u16 },
            /// As `F64MulMulAddB`, ending with `F64AddA`: `dst3 = dst2 + dst`.
            F64MulMulAddA { dst: u16, a: u16, b: u16, dst2: u16, c: u16, e: u16, dst3: u16 },
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
            /// `BrIfNez` of the accumulator.
            BrIfNezA { target: u32 },
            /// `BrIfEqz` of the accumulator.
            BrIfEqzA { target: u32 },
            /// `BrTable` indexed by the accumulator.
            BrTableA { len: u32 },
            $(
                #[doc = concat!("`", stringify!($bin), "` with `a` from the accumulator.")]
                $binA { dst: Slot, b: Slot },
                #[doc = concat!("`", stringify!($bin), "` with `b` from the accumulator.")]
                $binB { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($tbin), "` with `a` from the accumulator.")]
                $tbinA { dst: Slot, b: Slot },
                #[doc = concat!("`", stringify!($tbin), "` with `b` from the accumulator.")]
                $tbinB { dst: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($un), "` of the accumulator.")]
                $unA { dst: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($tun), "` of the accumulator.")]
                $tunA { dst: Slot },
            )*
            $(
                #[doc = concat!("`", stringify!($ld), "` from address `accumulator + offset`.")]
                $ldA { dst: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($st), "` of the accumulator.")]
                $stA { addr: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($cv), "` with `a` from the accumulator.")]
                $cvA { dst: Slot, b: Slot },
                #[doc = concat!("`", stringify!($cv), "` with `b` from the accumulator.")]
                $cvB { dst: Slot, a: Slot },
                #[doc = concat!("`", stringify!($cvi), "` of the accumulator.")]
                $cviA { dst: Slot, imm: u32 },
                #[doc = concat!("`", stringify!($cb), "` with `a` from the accumulator.")]
                $cbA { b: Slot, target: u32 },
                #[doc = concat!("`", stringify!($cb), "` with `b` from the accumulator.")]
                $cbB { a: Slot, target: u32 },
                #[doc = concat!("`", stringify!($cbi), "` of the accumulator.")]
                $cbiA { imm: u32, target: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($fb), "` with `a` from the accumulator.")]
                $fbA { b: Slot, target: u32 },
                #[doc = concat!("`", stringify!($fb), "` with `b` from the accumulator.")]
                $fbB { a: Slot, target: u32 },
                #[doc = concat!("`", stringify!($fnb), "` with `a` from the accumulator.")]
                $fnbA { b: Slot, target: u32 },
                #[doc = concat!("`", stringify!($fnb), "` with `b` from the accumulator.")]
                $fnbB { a: Slot, target: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($ai), "` of the accumulator.")]
                $aiA { dst: Slot, imm: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($ld), "` from the constant effective address `ea` (a constant address plus the offset).")]
                $ldk { dst: Slot, ea: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($st), "` to the constant effective address `ea`.")]
                $stk { val: Slot, ea: u32 },
                #[doc = concat!("`", stringify!($sti), "` to the constant effective address `ea`.")]
                $stki { ea: u32, imm: u32 },
                #[doc = concat!("`", stringify!($sti), "` to address `accumulator + offset`.")]
                $stiA { offset: u32, imm: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($fv), "` with a constant right operand (`FloatImm`).")]
                $fvi { dst: Slot, a: Slot, imm: u32 },
                #[doc = concat!("`", stringify!($fb), "` with a constant right operand (`FloatImm`).")]
                $fbi { a: Slot, imm: u32, target: u32 },
                #[doc = concat!("`", stringify!($fnb), "` with a constant right operand (`FloatImm`).")]
                $fnbi { a: Slot, imm: u32, target: u32 },
                #[doc = concat!("`", stringify!($fbi), "` of the accumulator.")]
                $fbiA { imm: u32, target: u32 },
                #[doc = concat!("`", stringify!($fnbi), "` of the accumulator.")]
                $fnbiA { imm: u32, target: u32 },
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
                (I32Add I32AddA I32AddB) (I32Sub I32SubA I32SubB) (I32Mul I32MulA I32MulB)
                (I32And I32AndA I32AndB) (I32Or I32OrA I32OrB) (I32Xor I32XorA I32XorB)
                (I32Shl I32ShlA I32ShlB) (I32ShrS I32ShrSA I32ShrSB) (I32ShrU I32ShrUA I32ShrUB)
                (I32Rotl I32RotlA I32RotlB) (I32Rotr I32RotrA I32RotrB) (I64Add I64AddA I64AddB)
                (I64Sub I64SubA I64SubB) (I64Mul I64MulA I64MulB) (I64And I64AndA I64AndB)
                (I64Or I64OrA I64OrB) (I64Xor I64XorA I64XorB) (I64Shl I64ShlA I64ShlB)
                (I64ShrS I64ShrSA I64ShrSB) (I64ShrU I64ShrUA I64ShrUB) (I64Rotl I64RotlA I64RotlB)
                (I64Rotr I64RotrA I64RotrB) (F32Add F32AddA F32AddB) (F32Sub F32SubA F32SubB)
                (F32Mul F32MulA F32MulB) (F32Div F32DivA F32DivB) (F32Min F32MinA F32MinB)
                (F32Max F32MaxA F32MaxB) (F32Copysign F32CopysignA F32CopysignB) (F32Eq F32EqA F32EqB)
                (F32Ne F32NeA F32NeB) (F32Lt F32LtA F32LtB) (F32Gt F32GtA F32GtB) (F32Le F32LeA F32LeB)
                (F32Ge F32GeA F32GeB) (F64Add F64AddA F64AddB) (F64Sub F64SubA F64SubB)
                (F64Mul F64MulA F64MulB) (F64Div F64DivA F64DivB) (F64Min F64MinA F64MinB)
                (F64Max F64MaxA F64MaxB) (F64Copysign F64CopysignA F64CopysignB) (F64Eq F64EqA F64EqB)
                (F64Ne F64NeA F64NeB) (F64Lt F64LtA F64LtB) (F64Gt F64GtA F64GtB) (F64Le F64LeA F64LeB)
                (F64Ge F64GeA F64GeB)
            ]
            tbinop: [
                (I32DivS I32DivSA I32DivSB) (I32DivU I32DivUA I32DivUB) (I32RemS I32RemSA I32RemSB)
                (I32RemU I32RemUA I32RemUB) (I64DivS I64DivSA I64DivSB) (I64DivU I64DivUA I64DivUB)
                (I64RemS I64RemSA I64RemSB) (I64RemU I64RemUA I64RemUB)
            ]
            unop: [
                (I32Eqz I32EqzA) (I32Clz I32ClzA) (I32Ctz I32CtzA) (I32Popcnt I32PopcntA)
                (I64Eqz I64EqzA) (I64Clz I64ClzA) (I64Ctz I64CtzA) (I64Popcnt I64PopcntA)
                (F32Abs F32AbsA) (F32Neg F32NegA) (F32Ceil F32CeilA) (F32Floor F32FloorA)
                (F32Trunc F32TruncA) (F32Nearest F32NearestA) (F32Sqrt F32SqrtA) (F64Abs F64AbsA)
                (F64Neg F64NegA) (F64Ceil F64CeilA) (F64Floor F64FloorA) (F64Trunc F64TruncA)
                (F64Nearest F64NearestA) (F64Sqrt F64SqrtA) (I32WrapI64 I32WrapI64A)
                (I64ExtendI32S I64ExtendI32SA) (I64ExtendI32U I64ExtendI32UA)
                (F32ConvertI32S F32ConvertI32SA) (F32ConvertI32U F32ConvertI32UA)
                (F32ConvertI64S F32ConvertI64SA) (F32ConvertI64U F32ConvertI64UA)
                (F32DemoteF64 F32DemoteF64A) (F64ConvertI32S F64ConvertI32SA)
                (F64ConvertI32U F64ConvertI32UA) (F64ConvertI64S F64ConvertI64SA)
                (F64ConvertI64U F64ConvertI64UA) (F64PromoteF32 F64PromoteF32A)
                (I32Extend8S I32Extend8SA) (I32Extend16S I32Extend16SA) (I64Extend8S I64Extend8SA)
                (I64Extend16S I64Extend16SA) (I64Extend32S I64Extend32SA)
                (I32TruncSatF32S I32TruncSatF32SA) (I32TruncSatF32U I32TruncSatF32UA)
                (I32TruncSatF64S I32TruncSatF64SA) (I32TruncSatF64U I32TruncSatF64UA)
                (I64TruncSatF32S I64TruncSatF32SA) (I64TruncSatF32U I64TruncSatF32UA)
                (I64TruncSatF64S I64TruncSatF64SA) (I64TruncSatF64U I64TruncSatF64UA)
            ]
            tunop: [
                (I32TruncF32S I32TruncF32SA) (I32TruncF32U I32TruncF32UA) (I32TruncF64S I32TruncF64SA)
                (I32TruncF64U I32TruncF64UA) (I64TruncF32S I64TruncF32SA) (I64TruncF32U I64TruncF32UA)
                (I64TruncF64S I64TruncF64SA) (I64TruncF64U I64TruncF64UA)
            ]
            load: [
                (I32Load I32LoadAdd I32LoadA I32LoadAt) (I64Load I64LoadAdd I64LoadA I64LoadAt)
                (I32Load8S I32Load8SAdd I32Load8SA I32Load8SAt) (I32Load8U I32Load8UAdd I32Load8UA I32Load8UAt)
                (I32Load16S I32Load16SAdd I32Load16SA I32Load16SAt) (I32Load16U I32Load16UAdd I32Load16UA I32Load16UAt)
                (I64Load8S I64Load8SAdd I64Load8SA I64Load8SAt) (I64Load8U I64Load8UAdd I64Load8UA I64Load8UAt)
                (I64Load16S I64Load16SAdd I64Load16SA I64Load16SAt) (I64Load16U I64Load16UAdd I64Load16UA I64Load16UAt)
                (I64Load32S I64Load32SAdd I64Load32SA I64Load32SAt) (I64Load32U I64Load32UAdd I64Load32UA I64Load32UAt)
            ]
            store: [
                (I32Store I32StoreAdd I32StoreImm I32StoreA I32StoreAt I32StoreImmAt I32StoreImmA) (I64Store I64StoreAdd I64StoreImm I64StoreA I64StoreAt I64StoreImmAt I64StoreImmA)
                (I32Store8 I32Store8Add I32Store8Imm I32Store8A I32Store8At I32Store8ImmAt I32Store8ImmA) (I32Store16 I32Store16Add I32Store16Imm I32Store16A I32Store16At I32Store16ImmAt I32Store16ImmA)
                (I64Store8 I64Store8Add I64Store8Imm I64Store8A I64Store8At I64Store8ImmAt I64Store8ImmA) (I64Store16 I64Store16Add I64Store16Imm I64Store16A I64Store16At I64Store16ImmAt I64Store16ImmA)
                (I64Store32 I64Store32Add I64Store32Imm I64Store32A I64Store32At I64Store32ImmAt I64Store32ImmA)
            ]
            cmp: [
                (I32Eq I32EqImm BrI32Eq BrI32EqImm StepBrI32Eq StepBrI32EqImm I32Ne u32 ==
                    I32EqA I32EqB I32EqImmA BrI32EqA BrI32EqB BrI32EqImmA)
                (I32Ne I32NeImm BrI32Ne BrI32NeImm StepBrI32Ne StepBrI32NeImm I32Eq u32 !=
                    I32NeA I32NeB I32NeImmA BrI32NeA BrI32NeB BrI32NeImmA)
                (I32LtS I32LtSImm BrI32LtS BrI32LtSImm StepBrI32LtS StepBrI32LtSImm I32GeS i32 <
                    I32LtSA I32LtSB I32LtSImmA BrI32LtSA BrI32LtSB BrI32LtSImmA)
                (I32LtU I32LtUImm BrI32LtU BrI32LtUImm StepBrI32LtU StepBrI32LtUImm I32GeU u32 <
                    I32LtUA I32LtUB I32LtUImmA BrI32LtUA BrI32LtUB BrI32LtUImmA)
                (I32GtS I32GtSImm BrI32GtS BrI32GtSImm StepBrI32GtS StepBrI32GtSImm I32LeS i32 >
                    I32GtSA I32GtSB I32GtSImmA BrI32GtSA BrI32GtSB BrI32GtSImmA)
                (I32GtU I32GtUImm BrI32GtU BrI32GtUImm StepBrI32GtU StepBrI32GtUImm I32LeU u32 >
                    I32GtUA I32GtUB I32GtUImmA BrI32GtUA BrI32GtUB BrI32GtUImmA)
                (I32LeS I32LeSImm BrI32LeS BrI32LeSImm StepBrI32LeS StepBrI32LeSImm I32GtS i32 <=
                    I32LeSA I32LeSB I32LeSImmA BrI32LeSA BrI32LeSB BrI32LeSImmA)
                (I32LeU I32LeUImm BrI32LeU BrI32LeUImm StepBrI32LeU StepBrI32LeUImm I32GtU u32 <=
                    I32LeUA I32LeUB I32LeUImmA BrI32LeUA BrI32LeUB BrI32LeUImmA)
                (I32GeS I32GeSImm BrI32GeS BrI32GeSImm StepBrI32GeS StepBrI32GeSImm I32LtS i32 >=
                    I32GeSA I32GeSB I32GeSImmA BrI32GeSA BrI32GeSB BrI32GeSImmA)
                (I32GeU I32GeUImm BrI32GeU BrI32GeUImm StepBrI32GeU StepBrI32GeUImm I32LtU u32 >=
                    I32GeUA I32GeUB I32GeUImmA BrI32GeUA BrI32GeUB BrI32GeUImmA)
                (I64Eq I64EqImm BrI64Eq BrI64EqImm StepBrI64Eq StepBrI64EqImm I64Ne u64 ==
                    I64EqA I64EqB I64EqImmA BrI64EqA BrI64EqB BrI64EqImmA)
                (I64Ne I64NeImm BrI64Ne BrI64NeImm StepBrI64Ne StepBrI64NeImm I64Eq u64 !=
                    I64NeA I64NeB I64NeImmA BrI64NeA BrI64NeB BrI64NeImmA)
                (I64LtS I64LtSImm BrI64LtS BrI64LtSImm StepBrI64LtS StepBrI64LtSImm I64GeS i64 <
                    I64LtSA I64LtSB I64LtSImmA BrI64LtSA BrI64LtSB BrI64LtSImmA)
                (I64LtU I64LtUImm BrI64LtU BrI64LtUImm StepBrI64LtU StepBrI64LtUImm I64GeU u64 <
                    I64LtUA I64LtUB I64LtUImmA BrI64LtUA BrI64LtUB BrI64LtUImmA)
                (I64GtS I64GtSImm BrI64GtS BrI64GtSImm StepBrI64GtS StepBrI64GtSImm I64LeS i64 >
                    I64GtSA I64GtSB I64GtSImmA BrI64GtSA BrI64GtSB BrI64GtSImmA)
                (I64GtU I64GtUImm BrI64GtU BrI64GtUImm StepBrI64GtU StepBrI64GtUImm I64LeU u64 >
                    I64GtUA I64GtUB I64GtUImmA BrI64GtUA BrI64GtUB BrI64GtUImmA)
                (I64LeS I64LeSImm BrI64LeS BrI64LeSImm StepBrI64LeS StepBrI64LeSImm I64GtS i64 <=
                    I64LeSA I64LeSB I64LeSImmA BrI64LeSA BrI64LeSB BrI64LeSImmA)
                (I64LeU I64LeUImm BrI64LeU BrI64LeUImm StepBrI64LeU StepBrI64LeUImm I64GtU u64 <=
                    I64LeUA I64LeUB I64LeUImmA BrI64LeUA BrI64LeUB BrI64LeUImmA)
                (I64GeS I64GeSImm BrI64GeS BrI64GeSImm StepBrI64GeS StepBrI64GeSImm I64LtS i64 >=
                    I64GeSA I64GeSB I64GeSImmA BrI64GeSA BrI64GeSB BrI64GeSImmA)
                (I64GeU I64GeUImm BrI64GeU BrI64GeUImm StepBrI64GeU StepBrI64GeUImm I64LtU u64 >=
                    I64GeUA I64GeUB I64GeUImmA BrI64GeUA BrI64GeUB BrI64GeUImmA)
            ]
            fcmp: [
                (F32Eq BrF32Eq BrF32NotEq f32 == BrF32EqA BrF32EqB BrF32NotEqA BrF32NotEqB
                    F32EqImm BrF32EqImm BrF32NotEqImm BrF32EqImmA BrF32NotEqImmA)
                (F32Ne BrF32Ne BrF32NotNe f32 != BrF32NeA BrF32NeB BrF32NotNeA BrF32NotNeB
                    F32NeImm BrF32NeImm BrF32NotNeImm BrF32NeImmA BrF32NotNeImmA)
                (F32Lt BrF32Lt BrF32NotLt f32 < BrF32LtA BrF32LtB BrF32NotLtA BrF32NotLtB
                    F32LtImm BrF32LtImm BrF32NotLtImm BrF32LtImmA BrF32NotLtImmA)
                (F32Gt BrF32Gt BrF32NotGt f32 > BrF32GtA BrF32GtB BrF32NotGtA BrF32NotGtB
                    F32GtImm BrF32GtImm BrF32NotGtImm BrF32GtImmA BrF32NotGtImmA)
                (F32Le BrF32Le BrF32NotLe f32 <= BrF32LeA BrF32LeB BrF32NotLeA BrF32NotLeB
                    F32LeImm BrF32LeImm BrF32NotLeImm BrF32LeImmA BrF32NotLeImmA)
                (F32Ge BrF32Ge BrF32NotGe f32 >= BrF32GeA BrF32GeB BrF32NotGeA BrF32NotGeB
                    F32GeImm BrF32GeImm BrF32NotGeImm BrF32GeImmA BrF32NotGeImmA)
                (F64Eq BrF64Eq BrF64NotEq f64 == BrF64EqA BrF64EqB BrF64NotEqA BrF64NotEqB
                    F64EqImm BrF64EqImm BrF64NotEqImm BrF64EqImmA BrF64NotEqImmA)
                (F64Ne BrF64Ne BrF64NotNe f64 != BrF64NeA BrF64NeB BrF64NotNeA BrF64NotNeB
                    F64NeImm BrF64NeImm BrF64NotNeImm BrF64NeImmA BrF64NotNeImmA)
                (F64Lt BrF64Lt BrF64NotLt f64 < BrF64LtA BrF64LtB BrF64NotLtA BrF64NotLtB
                    F64LtImm BrF64LtImm BrF64NotLtImm BrF64LtImmA BrF64NotLtImmA)
                (F64Gt BrF64Gt BrF64NotGt f64 > BrF64GtA BrF64GtB BrF64NotGtA BrF64NotGtB
                    F64GtImm BrF64GtImm BrF64NotGtImm BrF64GtImmA BrF64NotGtImmA)
                (F64Le BrF64Le BrF64NotLe f64 <= BrF64LeA BrF64LeB BrF64NotLeA BrF64NotLeB
                    F64LeImm BrF64LeImm BrF64NotLeImm BrF64LeImmA BrF64NotLeImmA)
                (F64Ge BrF64Ge BrF64NotGe f64 >= BrF64GeA BrF64GeB BrF64NotGeA BrF64NotGeB
                    F64GeImm BrF64GeImm BrF64NotGeImm BrF64GeImmA BrF64NotGeImmA)
            ]
            arith_imm: [
                (I32Add I32AddImm u32 wrapping_add I32AddImmA)
                (I32Sub I32SubImm u32 wrapping_sub I32SubImmA)
                (I32Mul I32MulImm u32 wrapping_mul I32MulImmA)
                (I32And I32AndImm u32 bitand I32AndImmA)
                (I32Or I32OrImm u32 bitor I32OrImmA)
                (I32Xor I32XorImm u32 bitxor I32XorImmA)
                (I32Shl I32ShlImm u32 shl I32ShlImmA)
                (I32ShrS I32ShrSImm i32 shr I32ShrSImmA)
                (I32ShrU I32ShrUImm u32 shr I32ShrUImmA)
                (I64Add I64AddImm u64 wrapping_add I64AddImmA)
                (I64Sub I64SubImm u64 wrapping_sub I64SubImmA)
                (I64Mul I64MulImm u64 wrapping_mul I64MulImmA)
                (I64And I64AndImm u64 bitand I64AndImmA)
                (I64Or I64OrImm u64 bitor I64OrImmA)
                (I64Xor I64XorImm u64 bitxor I64XorImmA)
                (I64Shl I64ShlImm u64 shl I64ShlImmA)
                (I64ShrS I64ShrSImm i64 shr I64ShrSImmA)
                (I64ShrU I64ShrUImm u64 shr I64ShrUImmA)
                (I32Rotl I32RotlImm u32 rotl I32RotlImmA)
                (I32Rotr I32RotrImm u32 rotr I32RotrImmA)
                (I64Rotl I64RotlImm u64 rotl I64RotlImmA)
                (I64Rotr I64RotrImm u64 rotr I64RotrImmA)
                (I32DivS I32DivSImm i32 wrapping_div I32DivSImmA)
                (I32DivU I32DivUImm u32 wrapping_div I32DivUImmA)
                (I32RemS I32RemSImm i32 wrapping_rem I32RemSImmA)
                (I32RemU I32RemUImm u32 wrapping_rem I32RemUImmA)
                (I64DivS I64DivSImm i64 wrapping_div I64DivSImmA)
                (I64DivU I64DivUImm u64 wrapping_div I64DivUImmA)
                (I64RemS I64RemSImm i64 wrapping_rem I64RemSImmA)
                (I64RemU I64RemUImm u64 wrapping_rem I64RemUImmA)
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
        match self.branch_target_mut() {
            Some(target) => *target = new,
            None => debug_assert!(false, "not a branch: {self:?}"),
        }
    }

    /// The target of a branch instruction (`BrTable` entries are `Br`s).
    pub(crate) fn branch_target_mut(&mut self) -> Option<&mut u32> {
        macro_rules! target {
            (
                binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
                cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt
                    $cvA:ident $cvB:ident $cviA:ident $cbA:ident $cbB:ident $cbiA:ident))*]
                fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
            $fvi:ident $fbi:ident $fnbi:ident $fbiA:ident $fnbiA:ident))*]
                arith_imm: $_arith_imm:tt
            ) => {
                match self {
                    Instr::Br { target }
                    | Instr::I32AddBrLtU { target, .. }
                    | Instr::I32AddImmBr { target, .. }
                    | Instr::I32LoadBrLtU { target, .. }
                    | Instr::I32Load8UAddBrNe { target, .. }
                    | Instr::BrEntry { target, .. }
                    | Instr::ConstBr { target, .. }
                    | Instr::CopyBr { target, .. }
                    | Instr::BrIfNez { target, .. }
                    | Instr::BrIfEqz { target, .. }
                    | Instr::BrIfNezA { target }
                    | Instr::BrIfEqzA { target }
                    $( | Instr::$cb { target, .. } | Instr::$cbi { target, .. } )*
                    $( | Instr::$cbA { target, .. } | Instr::$cbB { target, .. } | Instr::$cbiA { target, .. } )*
                    $( | Instr::$cs { target, .. } | Instr::$csi { target, .. } )*
                    $( | Instr::$fb { target, .. } | Instr::$fnb { target, .. } )*
                    $( | Instr::$fbA { target, .. } | Instr::$fbB { target, .. } )*
                    $( | Instr::$fnbA { target, .. } | Instr::$fnbB { target, .. } )*
                    $( | Instr::$fbi { target, .. } | Instr::$fnbi { target, .. } )*
                    $( | Instr::$fbiA { target, .. } | Instr::$fnbiA { target, .. } )* => Some(target),
                    _ => None,
                }
            };
        }
        for_each_op_family!(target)
    }

    /// The tag of this instruction: its variant's index, which selects
    /// its handler (read by every dispatch).
    #[inline(always)]
    pub(crate) fn tag(&self) -> u16 {
        // SAFETY: `Instr` is `repr(u16)`: every value starts with its tag.
        unsafe { *(self as *const Instr).cast::<u16>() }
    }

    /// The slot this instruction writes when it also leaves the value in
    /// the accumulator (see `executor::dispatch`): the typed operations,
    /// the loads, constants and copies.
    pub(crate) fn acc_result(&self) -> Option<Slot> {
        macro_rules! result {
            (
                binop: [$(($bin:ident $binA:ident $binB:ident))*]
                tbinop: [$(($tbin:ident $tbinA:ident $tbinB:ident))*]
                unop: [$(($un:ident $unA:ident))*]
                tunop: [$(($tun:ident $tunA:ident))*]
                load: [$(($ld:ident $lda:ident $ldA:ident $ldk:ident))*]
                store: $_store:tt
                cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt
                    $cvA:ident $cvB:ident $cviA:ident $cbA:ident $cbB:ident $cbiA:ident))*]
                fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
                    $fvi:ident $fbi:ident $fnbi:ident $fbiA:ident $fnbiA:ident))*]
                arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $aiA:ident))*]
            ) => {
                match *self {
                    $( Instr::$bin { dst, .. } | Instr::$binA { dst, .. } | Instr::$binB { dst, .. } )|*
                    $( | Instr::$tbin { dst, .. } | Instr::$tbinA { dst, .. } | Instr::$tbinB { dst, .. } )*
                    $( | Instr::$un { dst, .. } | Instr::$unA { dst } )*
                    $( | Instr::$tun { dst, .. } | Instr::$tunA { dst } )*
                    $( | Instr::$ld { dst, .. } | Instr::$lda { dst, .. } | Instr::$ldA { dst, .. } )*
                    $( | Instr::$ldk { dst, .. } )*
                    $( | Instr::$cv { dst, .. } | Instr::$cvA { dst, .. } | Instr::$cvB { dst, .. } )*
                    $( | Instr::$cvi { dst, .. } | Instr::$cviA { dst, .. } )*
                    $( | Instr::$ai { dst, .. } | Instr::$aiA { dst, .. } )*
                    $( | Instr::$fvi { dst, .. } )*
                    | Instr::Const { dst, .. }
                    | Instr::Copy { dst, .. }
                    | Instr::Select { dst, .. }
                    | Instr::SelectA { dst, .. } => Some(dst),
                    Instr::Select4 { dst, .. } | Instr::Select4A { dst, .. } => Some(dst),
                    Instr::Copy2 { dst2, .. } | Instr::I32AddImmCopy { dst2, .. } => Some(dst2),
                    Instr::I64Load32UAddTo { dst, .. } => Some(dst),
                    Instr::I32MulImmAddImm { dst2, .. } => Some(dst2),
                    Instr::I64AddExtendI32S { dst2, .. } => Some(dst2),
                    Instr::I32AddLoad8U { ld, .. } => Some(ld),
                    Instr::I32Load8UAddTo { dst, .. } | Instr::I32Load8SAddTo { dst, .. } => Some(dst),
                    Instr::I32AddImm2 { dst2, .. } => Some(dst2),
                    Instr::I32LoadAddMul { dst, .. } | Instr::I32LoadMul { dst, .. } => Some(dst),
                    Instr::I32AddImmLoad { ld, .. } => Some(ld),
                    Instr::I32RotlImmXor { dst2, .. } => Some(dst2),
                    Instr::I32ShrUImmXor { dst2, .. } | Instr::I32ShrUImmAXor { dst2, .. } => Some(dst2),
                    Instr::I32AddAccAdd { dst2, .. } => Some(dst2),
                    Instr::F64AddThenAddA { dst2, .. } | Instr::F64AddThenAddB { dst2, .. } | Instr::F64AddThenSubA { dst2, .. } | Instr::F64AddThenSubB { dst2, .. } | Instr::F64AddThenMulA { dst2, .. } | Instr::F64AddThenMulB { dst2, .. } | Instr::F64SubThenAddA { dst2, .. } | Instr::F64SubThenAddB { dst2, .. } | Instr::F64SubThenSubA { dst2, .. } | Instr::F64SubThenSubB { dst2, .. } | Instr::F64SubThenMulA { dst2, .. } | Instr::F64SubThenMulB { dst2, .. } | Instr::F64MulThenAddA { dst2, .. } | Instr::F64MulThenAddB { dst2, .. } | Instr::F64MulThenSubA { dst2, .. } | Instr::F64MulThenSubB { dst2, .. } | Instr::F64MulThenMulA { dst2, .. } | Instr::F64MulThenMulB { dst2, .. } => Some(dst2),
                    // A call's first result (at `base`) comes back in the
                    // accumulators (see `executor::handlers::control`); a
                    // call without results leaves `base` unread.
                    Instr::Call { base, .. } | Instr::CallIndirect { base, .. } => Some(base),
                    _ => None,
                }
            };
        }
        for_each_op_family!(result)
    }

    /// This load or store with the constant effective address `ea` instead
    /// of its address operand and offset, if it has such a form.
    pub(crate) fn with_constant_address(&self, ea: u32) -> Option<Instr> {
        macro_rules! forms {
            (
                binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt
                load: [$(($ld:ident $lda:ident $ldA:ident $ldk:ident))*]
                store: [$(($st:ident $sta:ident $sti:ident $stA:ident $stk:ident $stki:ident $stiA:ident))*]
                cmp: $_cmp:tt fcmp: $_fcmp:tt arith_imm: $_arith_imm:tt
            ) => {
                Some(match *self {
                    $( Instr::$ld { dst, .. } => Instr::$ldk { dst, ea }, )*
                    $(
                        Instr::$st { val, .. } => Instr::$stk { val, ea },
                        Instr::$sti { imm, .. } => Instr::$stki { ea, imm },
                    )*
                    _ => return None,
                })
            };
        }
        for_each_op_family!(forms)
    }

    /// This instruction with its operand in slot `s` taken from the
    /// accumulator instead, if it has such a form.
    pub(crate) fn with_acc(&self, s: Slot) -> Option<Instr> {
        macro_rules! forms {
            (
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
                Some(match *self {
                    $(
                        Instr::$bin { dst, a, b } if a == s => Instr::$binA { dst, b },
                        Instr::$bin { dst, a, b } if b == s => Instr::$binB { dst, a },
                    )*
                    $(
                        Instr::$tbin { dst, a, b } if a == s => Instr::$tbinA { dst, b },
                        Instr::$tbin { dst, a, b } if b == s => Instr::$tbinB { dst, a },
                    )*
                    $( Instr::$un { dst, src } if src == s => Instr::$unA { dst }, )*
                    $( Instr::$tun { dst, src } if src == s => Instr::$tunA { dst }, )*
                    $( Instr::$ld { dst, addr, offset } if addr == s => Instr::$ldA { dst, offset }, )*
                    $( Instr::$st { addr, val, offset } if val == s => Instr::$stA { addr, offset }, )*
                    $( Instr::$sti { addr, offset, imm } if addr == s => Instr::$stiA { offset, imm }, )*
                    $(
                        Instr::$cv { dst, a, b } if a == s => Instr::$cvA { dst, b },
                        Instr::$cv { dst, a, b } if b == s => Instr::$cvB { dst, a },
                        Instr::$cvi { dst, a, imm } if a == s => Instr::$cviA { dst, imm },
                        Instr::$cb { a, b, target } if a == s => Instr::$cbA { b, target },
                        Instr::$cb { a, b, target } if b == s => Instr::$cbB { a, target },
                        Instr::$cbi { a, imm, target } if a == s => Instr::$cbiA { imm, target },
                    )*
                    $(
                        Instr::$fb { a, b, target } if a == s => Instr::$fbA { b, target },
                        Instr::$fb { a, b, target } if b == s => Instr::$fbB { a, target },
                        Instr::$fnb { a, b, target } if a == s => Instr::$fnbA { b, target },
                        Instr::$fnb { a, b, target } if b == s => Instr::$fnbB { a, target },
                    )*
                    $(
                        Instr::$fbi { a, imm, target } if a == s => Instr::$fbiA { imm, target },
                        Instr::$fnbi { a, imm, target } if a == s => Instr::$fnbiA { imm, target },
                    )*
                    $( Instr::$ai { dst, a, imm } if a == s => Instr::$aiA { dst, imm }, )*
                    Instr::BrIfNez { cond, target } if cond == s => Instr::BrIfNezA { target },
                    Instr::BrIfEqz { cond, target } if cond == s => Instr::BrIfEqzA { target },
                    Instr::BrTable { index, len } if index == s => Instr::BrTableA { len },
                    Instr::Return { src, n: 1 } if src == s => Instr::Return1A {},
                    Instr::Select { dst, b, cond } if cond == s => Instr::SelectA { dst, b },
                    Instr::Select4 { dst, a, b, cond } if cond == s => Instr::Select4A { dst, a, b },
                    _ => return None,
                })
            };
        }
        for_each_op_family!(forms)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instr_is_16_bytes_aligned_to_4() {
        // Encoded code stores less (`code`); 4-byte alignment lets an
        // instruction start at any unit.
        assert_eq!(std::mem::size_of::<super::Instr>(), 16);
        assert_eq!(std::mem::align_of::<super::Instr>(), 4);
    }

    #[test]
    fn float_immediates_are_exact() {
        use super::FloatImm;
        for v in [
            0.0,
            -0.0,
            2.5,
            4.0,
            -1.25,
            f64::INFINITY,
            f64::NAN,
            1e30f32 as f64,
        ] {
            let imm = <f64 as FloatImm>::encode(v.to_bits()).expect("exact in f32");
            assert_eq!(<f64 as FloatImm>::decode(imm).to_bits(), v.to_bits());
        }
        let payload_nan = f64::from_bits(0x7ff8_0000_0000_0001);
        for v in [0.1, 1e300, payload_nan, f64::MIN_POSITIVE, 1.0 + f64::EPSILON] {
            assert_eq!(<f64 as FloatImm>::encode(v.to_bits()), None, "{v}");
        }
        let nan = f32::from_bits(0x7fa0_0001);
        let imm = <f32 as FloatImm>::encode(nan.to_bits() as u64).expect("any f32");
        assert_eq!(<f32 as FloatImm>::decode(imm).to_bits(), 0x7fa0_0001);
    }
}
