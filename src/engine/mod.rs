//! The execution engine: the translator (wasm operators to `ir::Instr`) and
//! the executor (the interpreter loop).

pub mod executor;
pub mod translator;

use crate::ir::Instr;

/// A function body translated for the interpreter.
pub struct CompiledFunc {
    /// The code; each instruction's tag selects its handler.
    pub code: Box<[Instr]>,
    /// Where in the module the wasm operator of each instruction starts.
    pub offsets: Offsets,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// Cells the frame needs: locals plus the deepest operand stack.
    pub frame_size: u32,
    /// Cells a call's fast path needs free (it zeroes a fixed block of
    /// cells after the parameters), or `u32::MAX` when the function has too
    /// many locals for it (see `executor::handlers::control::call`).
    pub fast_call_cells: u32,
    /// Module offset where the function body starts.
    pub body_offset: u32,
}

/// Module offsets of a function's instructions (for trap backtraces), as
/// distances from the body's start when they fit 16 bits (most bodies), to
/// save memory.
pub enum Offsets {
    Near(Box<[u16]>),
    Far(Box<[u32]>),
}

impl Offsets {
    /// Stores `offsets` (module offsets, none below `body_offset`).
    pub fn new(body_offset: u32, offsets: &[u32]) -> Offsets {
        let near: Option<Box<[u16]>> = offsets
            .iter()
            .map(|&o| u16::try_from(o.wrapping_sub(body_offset)).ok())
            .collect();
        match near {
            Some(near) => Offsets::Near(near),
            None => Offsets::Far(offsets.into()),
        }
    }
}

impl CompiledFunc {
    /// Module offset of the instruction at `pc` (for trap backtraces).
    pub fn offset_of(&self, pc: usize) -> u32 {
        match &self.offsets {
            Offsets::Near(o) => o
                .get(pc)
                .map_or(self.body_offset, |&d| self.body_offset + d as u32),
            Offsets::Far(o) => o.get(pc).copied().unwrap_or(self.body_offset),
        }
    }
}

impl CompiledFunc {
    /// A readable listing of the translated code, one instruction a line
    /// with its index (branch targets refer to these indices).
    pub fn disassemble(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "; params {}, locals {}, frame {} cells",
            self.num_params, self.num_locals, self.frame_size
        );
        for (i, instr) in self.code.iter().enumerate() {
            // Branch targets shown as instruction indices.
            let mut instr = *instr;
            if let Some(target) = instr.branch_target_mut() {
                *target = crate::ir::absolute_target(i, *target);
            }
            let _ = writeln!(out, "{i:5}  {instr:?}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{CompiledFunc, Offsets};

    fn func(body_offset: u32, offsets: &[u32]) -> CompiledFunc {
        CompiledFunc {
            code: Box::new([]),
            offsets: Offsets::new(body_offset, offsets),
            num_params: 0,
            num_locals: 0,
            frame_size: 0,
            fast_call_cells: 0,
            body_offset,
        }
    }

    #[test]
    fn offsets_round_trip_near_and_far() {
        let near = func(1000, &[1000, 1003, 66535]);
        assert!(matches!(near.offsets, Offsets::Near(_)));
        assert_eq!(
            (near.offset_of(0), near.offset_of(1), near.offset_of(2)),
            (1000, 1003, 66535)
        );
        // Past the end: the body's start.
        assert_eq!(near.offset_of(3), 1000);
        let far = func(1000, &[1000, 66536]);
        assert!(matches!(far.offsets, Offsets::Far(_)));
        assert_eq!((far.offset_of(0), far.offset_of(1)), (1000, 66536));
    }
}
