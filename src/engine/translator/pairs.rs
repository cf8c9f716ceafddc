//! Pairs of instructions that run in one dispatch. The pair's first
//! instruction becomes the fused one; the second stays in place, unreached
//! (the fused handler continues after it), so positions, offsets and branch
//! targets do not move. A pair is fused only when no branch arrives at its
//! second instruction, and only when its slots fit 16 bits.

use crate::ir::{Instr, Slot};

/// The instruction that does `first` then `second`, if there is one. Runs
/// after the accumulator pass: an accumulator form in `second` reads what
/// `first` produced.
pub(super) fn fuse(first: Instr, second: Instr) -> Option<Instr> {
    let n = |s: Slot| u16::try_from(s).ok();
    Some(match (first, second) {
        (Instr::Copy { dst, src }, Instr::Copy { dst: dst2, src: src2 }) => Instr::Copy2 {
            dst: n(dst)?,
            src: n(src)?,
            dst2: n(dst2)?,
            src2: n(src2)?,
        },
        (Instr::I32Add { dst, a, b }, Instr::BrI32LtUA { b: limit, target }) => Instr::I32AddBrLtU {
            dst: n(dst)?,
            a: n(a)?,
            b: n(b)?,
            limit: n(limit)?,
            target,
        },
        (Instr::I32AddImm { dst, a, imm }, Instr::Br { target }) => Instr::I32AddImmBr {
            dst: n(dst)?,
            a: n(a)?,
            imm,
            target,
        },
        (Instr::I32AddImm { dst, a, imm }, Instr::Copy { dst: dst2, src }) if src == dst => {
            Instr::I32AddImmCopy {
                dst: n(dst)?,
                a: n(a)?,
                dst2: n(dst2)?,
                imm,
            }
        }
        (
            Instr::I64Load32U {
                dst: ld,
                addr,
                offset,
            },
            Instr::I64AddB { dst, a } | Instr::I64AddA { dst, b: a },
        ) => Instr::I64Load32UAddTo {
            ld: n(ld)?,
            addr: n(addr)?,
            dst: n(dst)?,
            a: n(a)?,
            offset,
        },
        _ => return None,
    })
}
