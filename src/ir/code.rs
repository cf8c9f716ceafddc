//! Encoded code: a function's instructions end to end, each taking only the
//! 4-byte units its variant reaches (`units`), not the 16 bytes of an
//! `Instr`. Most take 8 or 12 bytes: 9.0 on average over the generated
//! start-up benchmark module and 9.3 over the clang-built one, so translated
//! code needs about 43% less memory (and cache) than an array of `Instr`.
//!
//! The interpreter reads the instruction at a unit as a whole `Instr`: the
//! bytes past its own units belong to the instructions after it, or to the
//! padding at the end. That is sound because an enum value consists of its
//! tag and its variant's fields only; its other bytes are padding, whatever
//! they hold.
//!
//! Branch targets in encoded code are distances in bytes from the
//! branching instruction (`Code::encode` makes them from the instruction
//! indices the translator works with), so that a jump is one addition.

use super::{units, Instr, UNITS};
use std::mem::MaybeUninit;

/// Bytes in a code unit: the alignment of `Instr`, whose fields are at
/// most 32 bits wide.
pub(crate) const UNIT: usize = 4;

const _: () = assert!(std::mem::align_of::<Instr>() == UNIT);
const _: () = assert!(std::mem::size_of::<Instr>().is_multiple_of(UNIT));

/// Units after the last instruction, so that reading any instruction as a
/// whole `Instr` stays inside the code.
const PAD: usize = std::mem::size_of::<Instr>() / UNIT - 1;

/// Most units a function's code may have: a branch distance in bytes must
/// fit an `i32`.
const MAX_UNITS: usize = (i32::MAX as usize) / UNIT - PAD;

/// One unit of encoded code: four bytes of an instruction, padding
/// included (hence possibly uninitialised).
#[derive(Clone, Copy)]
#[repr(C, align(4))]
pub struct Unit(MaybeUninit<[u8; UNIT]>);

/// Units the instruction with tag `tag` occupies.
#[inline(always)]
pub(crate) fn units_of_tag(tag: u16) -> usize {
    UNITS[tag as usize] as usize
}

/// Declares, for each fused instruction (the pairs and joins of
/// `translator::pairs`, which do the work of the instructions after them
/// in one dispatch, those staying in place unreached), the code units of
/// each unreached instruction after it. `Code::encode` pads an
/// instruction there that needs fewer units (an alternative form) to
/// these, so that a handler knows statically where each of them and the
/// next instruction start (`seconds::$name`).
macro_rules! fused {
    ($($($name:ident)|+ => $seconds:tt;)*) => {
        /// Units of the unreached instructions after each fused one.
        #[allow(non_upper_case_globals)]
        pub(crate) mod seconds {
            #[allow(unused_imports)]
            use super::{max, units};
            use super::F64_ACC_OP;
            $($(pub(crate) const $name: &[usize] = &$seconds;)+)*
        }

        /// Units of the unreached instructions after `instr` (none unless
        /// it is a fused instruction).
        fn seconds_of(instr: &Instr) -> &'static [usize] {
            match instr {
                $($(Instr::$name { .. } => seconds::$name,)+)*
                _ => &[],
            }
        }
    };
}

/// The larger of two unit counts (a second with two forms).
pub(crate) const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// The sum of the first `k` unit counts of `seconds` (where unreached
/// instruction `k` starts, counted from the first).
pub(crate) const fn sum(seconds: &[usize], k: usize) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < k {
        total += seconds[i];
        i += 1;
    }
    total
}

fused! {
    Copy2 | I32AddImmCopy => [units::Copy];
    I32AddBrLtU | I32LoadBrLtU => [units::BrI32LtUA];
    I32AddImmBr => [units::Br];
    I64Load32UAddTo | I64AddExtendI32S => [max(units::I64AddB, units::I64AddA)];
    I32MulImmAddImm => [units::I32AddImmA];
    I32Load8UBrTable => [units::BrTableA];
    I32MulImmStore16 => [units::I32Store16A];
    I32XorStore8 => [units::I32Store8A];
    I32AddStore8Imm => [units::I32Store8ImmA];
    I32AddLoad8U => [units::I32Load8UA];
    I32Load8UAddTo | I32Load8SAddTo | I32AddAccAdd => [max(units::I32AddB, units::I32AddA)];
    I32AddImm2 => [max(units::I32AddImm, units::I32AddImmA)];
    I32AddImmLoad => [max(units::I32Load, units::I32LoadA)];
    I32Load8UAddBrNe => [max(units::BrI32NeB, units::BrI32NeA)];
    I32LoadAddMul | I32LoadMul => [max(units::I32MulB, units::I32MulA)];
    I32RotlImmXor | I32ShrUImmXor | I32ShrUImmAXor => [max(units::I32XorB, units::I32XorA)];
    I32AddReturn | I32AddImmReturn => [units::Return1A];
    I32AddImmStepNe | I32AddAStepNe => [units::StepBrI32NeImm];
    I32AddImmStepLtU | I32AddAStepLtU => [units::StepBrI32LtUImm];
    I32AddImmStepGtU | I32AddAStepGtU => [units::StepBrI32GtUImm];
    I64Load32UAddToStepNe => [max(units::I64AddB, units::I64AddA), units::StepBrI32NeImm];
    I64Load32UAddToStepLtU => [max(units::I64AddB, units::I64AddA), units::StepBrI32LtUImm];
    I64Load32UAddToStepGtU => [max(units::I64AddB, units::I64AddA), units::StepBrI32GtUImm];
    I32AddStore8ImmAddBrLtU => [units::I32Store8ImmA, units::I32AddBrLtU, units::BrI32LtUA];
    I32AddImmCopyBrGtU => [units::Copy, units::BrI32GtU];
    I32AddImm2LoadBrLtU => [max(units::I32AddImm, units::I32AddImmA), units::I32LoadBrLtU, units::BrI32LtUA];
    F64AddThenAddA | F64AddThenAddB | F64AddThenSubA | F64AddThenSubB | F64AddThenMulA
        | F64AddThenMulB | F64SubThenAddA | F64SubThenAddB | F64SubThenSubA | F64SubThenSubB
        | F64SubThenMulA | F64SubThenMulB | F64MulThenAddA | F64MulThenAddB | F64MulThenSubA
        | F64MulThenSubB | F64MulThenMulA | F64MulThenMulB
        | I64LoadF64AddA | I64LoadF64AddB | I64LoadF64SubA | I64LoadF64SubB | I64LoadF64MulA
        | I64LoadF64MulB | I64LoadAddF64AddA | I64LoadAddF64AddB | I64LoadAddF64SubA
        | I64LoadAddF64SubB | I64LoadAddF64MulA | I64LoadAddF64MulB => [F64_ACC_OP];
    F64AddAStore | F64AddBStore | F64SubAStore | F64SubBStore | F64MulAStore | F64MulBStore
        => [units::I64StoreA];
    I64LoadF64AddAStore | I64LoadF64AddBStore | I64LoadF64SubAStore | I64LoadF64SubBStore
        | I64LoadF64MulAStore | I64LoadF64MulBStore => [F64_ACC_OP, units::I64StoreA];
    F64AddMulAddA | F64AddMulAddB => [units::F64MulA, F64_ACC_OP];
    F64MulMulAddA | F64MulMulAddB => [units::F64Mul, F64_ACC_OP];
}

/// Units of an accumulator form of `f64.add`, `sub` or `mul`.
const F64_ACC_OP: usize = max(
    max(
        max(units::F64AddA, units::F64AddB),
        max(units::F64SubA, units::F64SubB),
    ),
    max(units::F64MulA, units::F64MulB),
);

/// The encoded code of one function.
pub struct Code {
    units: Box<[Unit]>,
}

impl Code {
    /// Encodes `instrs`, whose branch targets are instruction indices, into
    /// units; `positions` receives the unit where each instruction starts,
    /// plus the end. `None` when the code is too large for byte distances
    /// (or, which would be a translator bug, a fused instruction is not
    /// followed by the instructions `fused!` declares for it).
    pub(crate) fn encode(instrs: &[Instr], positions: &mut Vec<u32>) -> Option<Code> {
        // Widths first (in `positions`): each instruction's units, or more
        // for an unreached one after a fused instruction.
        positions.clear();
        positions.extend(instrs.iter().map(|i| units_of_tag(i.tag()) as u32));
        for (i, instr) in instrs.iter().enumerate() {
            for (k, &units) in seconds_of(instr).iter().enumerate() {
                let width = positions.get_mut(i + 1 + k)?;
                // An alternative never needs more than declared (else the
                // handler would skip into it): refuse rather than run that.
                if *width as usize > units {
                    return None;
                }
                *width = units as u32;
            }
        }
        let mut end = 0usize;
        for width in positions.iter_mut() {
            let here = end;
            end += *width as usize;
            *width = here as u32;
        }
        if end > MAX_UNITS {
            return None;
        }
        positions.push(end as u32);
        let mut units = vec![Unit(MaybeUninit::zeroed()); end + PAD].into_boxed_slice();
        for (i, instr) in instrs.iter().enumerate() {
            let mut instr = *instr;
            let at = positions[i] as usize;
            if let Some(target) = instr.branch_target_mut() {
                // A target past the end (none in practice) stays there.
                let to = positions.get(*target as usize).copied().unwrap_or(end as u32);
                *target = ((to as i64 - at as i64) * UNIT as i64) as i32 as u32;
            }
            let n = units_of_tag(instr.tag());
            // SAFETY: `at + n <= end` units are inside `units`, and `n`
            // units are at most the bytes of an `Instr`; a byte copy into
            // `MaybeUninit` units is fine for padding bytes too.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    (&instr as *const Instr).cast::<u8>(),
                    units.as_mut_ptr().add(at).cast::<u8>(),
                    n * UNIT,
                )
            };
        }
        Some(Code { units })
    }

    /// Code of no instructions (padding only; never run).
    #[cfg(test)]
    pub(crate) fn empty() -> Code {
        Code {
            units: vec![Unit(MaybeUninit::zeroed()); PAD].into_boxed_slice(),
        }
    }

    /// The first unit.
    pub(crate) fn as_ptr(&self) -> *const Unit {
        self.units.as_ptr()
    }

    /// Units the instructions occupy (the padding after them excluded).
    pub fn len(&self) -> usize {
        self.units.len() - PAD
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The instruction at unit `at`, which must start an instruction.
    fn at(&self, at: usize) -> Instr {
        assert!(at < self.len());
        // SAFETY: `at` starts an instruction (the caller's obligation; every
        // position `iter` yields does) and a whole `Instr` from there is
        // inside `units` (`PAD`); see the module docs for the bytes past
        // its units.
        unsafe { self.units.as_ptr().add(at).cast::<Instr>().read() }
    }

    /// Each instruction with the unit where it starts, in order; branch
    /// targets as encoded (byte distances).
    pub fn iter(&self) -> impl Iterator<Item = (usize, Instr)> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            (at < self.len()).then(|| {
                let instr = self.at(at);
                let here = at;
                at += units_of_tag(instr.tag());
                (here, instr)
            })
        })
    }

    /// The instructions with their branch targets as unit positions (for
    /// listings and tests).
    pub fn decoded(&self) -> Vec<(usize, Instr)> {
        self.iter()
            .map(|(at, mut instr)| {
                if let Some(target) = instr.branch_target_mut() {
                    *target = (at as i64 + (*target as i32 as i64) / UNIT as i64) as u32;
                }
                (at, instr)
            })
            .collect()
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.decoded()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_take_the_units_their_fields_reach() {
        assert_eq!(units::Unreachable, 1);
        assert_eq!(units::Br, 2);
        assert_eq!(units::I32Add, 2);
        assert_eq!(units::I32AddImm, 3);
        assert_eq!(units::Const, 3);
        assert_eq!(units::I32AddImmLoad, 4);
    }

    #[test]
    fn encoding_round_trips_and_relocates_targets() {
        let instrs = [
            Instr::I32AddImm { dst: 1, a: 0, imm: 7 },
            Instr::BrI32LtS {
                a: 1,
                b: 2,
                target: 3,
            },
            Instr::Const {
                dst: 3,
                val: u64::MAX.into(),
            },
            Instr::Br { target: 0 },
            Instr::Return1A {},
        ];
        let mut positions = Vec::new();
        let code = Code::encode(&instrs, &mut positions).expect("small");
        assert_eq!(positions, [0, 3, 6, 9, 11, 12]);
        assert_eq!(code.len(), 12);
        let decoded = code.decoded();
        let expect: Vec<(usize, Instr)> = vec![
            (0, instrs[0]),
            (
                3,
                Instr::BrI32LtS {
                    a: 1,
                    b: 2,
                    target: 9,
                },
            ),
            (6, instrs[2]),
            (9, Instr::Br { target: 0 }),
            (11, instrs[4]),
        ];
        assert_eq!(decoded, expect);
        // Distances in bytes from the branch.
        assert_eq!(
            code.iter().nth(1).map(|(_, i)| i),
            Some(Instr::BrI32LtS {
                a: 1,
                b: 2,
                target: 24
            })
        );
        let again = Code::encode(&instrs, &mut positions).expect("small");
        assert!(again == code);
        assert!(Code::encode(&instrs[..4], &mut positions).expect("small") != code);
    }
}
