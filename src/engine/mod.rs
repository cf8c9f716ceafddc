//! The execution engine: the translator (wasm operators to `ir::Instr`) and
//! the executor (the interpreter loop).

pub mod executor;
pub mod translator;

use crate::ir::Instr;

/// A function body translated for the interpreter.
pub struct CompiledFunc {
    /// The code; each instruction's tag selects its handler.
    pub code: Box<[Instr]>,
    /// Module offset of the wasm operator each instruction came from.
    pub offsets: Box<[u32]>,
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

impl CompiledFunc {
    /// Module offset of the instruction at `pc` (for trap backtraces).
    pub fn offset_of(&self, pc: usize) -> u32 {
        self.offsets.get(pc).copied().unwrap_or(self.body_offset)
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
            let _ = writeln!(out, "{i:5}  {instr:?}");
        }
        out
    }
}
