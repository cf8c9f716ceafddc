//! The execution engine: the translator (wasm operators to `ir::Instr`) and
//! the executor (the interpreter loop).

pub mod executor;
pub mod translator;

use crate::core::Error;
use crate::ir::code::{Code, Unit, UNIT};
use crate::ir::Instr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::OnceLock;

/// The code a not yet translated function starts with: its one instruction
/// translates the function and continues in the translation
/// (`executor::handlers::control::TranslateAndEnter`).
static LAZY_ENTRY: [Instr; 1] = [Instr::TranslateAndEnter];

/// A defined function as calls see it. With lazy translation (the default)
/// the body is translated on its first call: until then `code` is
/// `LAZY_ENTRY`, `frame_size` covers only the locals and `fast_call_cells`
/// is `u32::MAX` (so calls take the general path, which zeroes the locals).
/// Translation publishes the real values, `code` last: a thread that sees
/// the translated code also sees its frame size (`Acquire`/`Release`); one
/// that sees the old code runs `LAZY_ENTRY`, which checks again.
pub struct FuncCode {
    code: AtomicPtr<Unit>,
    fast_call_cells: AtomicU32,
    frame_size: AtomicU32,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// Module byte range of the body (local declarations and operators).
    pub body_start: u32,
    pub body_end: u32,
    /// Boxed: most functions of a large module are never translated.
    translated: OnceLock<Box<CompiledFunc>>,
}

impl FuncCode {
    /// A function to translate on its first call.
    pub fn lazy(num_params: u32, num_locals: u32, body_start: u32, body_end: u32) -> FuncCode {
        FuncCode {
            code: AtomicPtr::new(LAZY_ENTRY.as_ptr().cast::<Unit>().cast_mut()),
            fast_call_cells: AtomicU32::new(u32::MAX),
            frame_size: AtomicU32::new(num_locals),
            num_params,
            num_locals,
            body_start,
            body_end,
            translated: OnceLock::new(),
        }
    }

    /// A function translated already.
    pub fn translated(compiled: CompiledFunc, body_end: u32) -> FuncCode {
        let code = FuncCode::lazy(
            compiled.num_params,
            compiled.num_locals,
            compiled.body_offset,
            body_end,
        );
        code.publish(code.translated.get_or_init(|| Box::new(compiled)));
        code
    }

    /// The translation, if there is one yet.
    pub fn get(&self) -> Option<&CompiledFunc> {
        self.translated.get().map(|c| &**c)
    }

    /// The translation, made by `translate` if there is none yet (when two
    /// threads race, both translate and one result is kept).
    pub fn get_or_translate(
        &self,
        translate: impl FnOnce() -> Result<CompiledFunc, Error>,
    ) -> Result<&CompiledFunc, Error> {
        if let Some(done) = self.get() {
            return Ok(done);
        }
        let compiled = translate()?;
        let done = self.translated.get_or_init(|| Box::new(compiled));
        self.publish(done);
        Ok(done)
    }

    fn publish(&self, done: &CompiledFunc) {
        self.frame_size.store(done.frame_size, Ordering::Relaxed);
        self.fast_call_cells
            .store(done.fast_call_cells, Ordering::Relaxed);
        self.code.store(done.code.as_ptr().cast_mut(), Ordering::Release);
    }

    /// Where calls enter the function: its translation or `LAZY_ENTRY`.
    /// Read it before `frame_size` (see the type's docs).
    #[inline(always)]
    pub fn entry(&self) -> *const Unit {
        self.code.load(Ordering::Acquire)
    }

    /// Cells the frame needs (only the locals before translation).
    #[inline(always)]
    pub fn frame_size(&self) -> u32 {
        self.frame_size.load(Ordering::Relaxed)
    }

    /// See `CompiledFunc::fast_call_cells` (`u32::MAX` before translation).
    #[inline(always)]
    pub fn fast_call_cells(&self) -> u32 {
        self.fast_call_cells.load(Ordering::Relaxed)
    }

    /// Module offset of the instruction before `ret`, a frame's resume
    /// point, one past its current instruction (for trap backtraces): the
    /// body's start when `ret` is not in the translation (a frame still in
    /// `LAZY_ENTRY`). The translation keeps no offsets until a backtrace
    /// needs them: the first asks `offsets` to make them for the
    /// translation it is given (see `CompiledFunc::offsets`).
    pub fn offset_before(
        &self,
        ret: *const Unit,
        offsets: impl FnOnce(&CompiledFunc) -> Option<Offsets>,
    ) -> u32 {
        let Some(done) = self.get() else {
            return self.body_start;
        };
        // Address arithmetic only.
        let start = done.code.as_ptr() as usize;
        match (ret as usize).checked_sub(start) {
            Some(bytes) if bytes <= done.code.len() * UNIT => {
                done.offset_of((bytes / UNIT).saturating_sub(1), || offsets(done))
            }
            _ => self.body_start,
        }
    }
}

/// A function body translated for the interpreter.
pub struct CompiledFunc {
    /// The code; each instruction's tag selects its handler.
    pub code: Code,
    /// Where in the module the wasm operator of each instruction starts, by
    /// code unit: made on a backtrace's first need by translating the body
    /// again (translation is deterministic), so that code nobody traps in
    /// does not keep them (2 bytes a unit).
    pub offsets: OnceLock<Offsets>,
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
    /// No offsets: every instruction reports the body's start.
    pub fn none() -> Offsets {
        Offsets::Near(Box::new([]))
    }

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

    /// Module offset of the instruction at `pc`, in a body starting at
    /// `body_offset` (the body's start for a `pc` out of range).
    fn offset_of(&self, body_offset: u32, pc: usize) -> u32 {
        match self {
            Offsets::Near(o) => o.get(pc).map_or(body_offset, |&d| body_offset + d as u32),
            Offsets::Far(o) => o.get(pc).copied().unwrap_or(body_offset),
        }
    }
}

impl CompiledFunc {
    /// Module offset of the instruction at `pc` (for trap backtraces);
    /// `offsets` makes the function's offsets if they are not kept yet
    /// (`None`: they cannot be made, and every instruction reports the
    /// body's start).
    pub fn offset_of(&self, pc: usize, offsets: impl FnOnce() -> Option<Offsets>) -> u32 {
        self.offsets
            .get_or_init(|| offsets().unwrap_or_else(Offsets::none))
            .offset_of(self.body_offset, pc)
    }
}

impl CompiledFunc {
    /// A readable listing of the translated code, one instruction a line
    /// with the unit where it starts (branch targets refer to these).
    pub fn disassemble(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "; params {}, locals {}, frame {} cells",
            self.num_params, self.num_locals, self.frame_size
        );
        for (at, instr) in self.code.decoded() {
            let _ = writeln!(out, "{at:5}  {instr:?}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{CompiledFunc, Offsets};
    use std::sync::OnceLock;

    fn func(body_offset: u32, offsets: &[u32]) -> CompiledFunc {
        CompiledFunc {
            code: crate::ir::code::Code::empty(),
            offsets: OnceLock::from(Offsets::new(body_offset, offsets)),
            num_params: 0,
            num_locals: 0,
            frame_size: 0,
            fast_call_cells: 0,
            body_offset,
        }
    }

    #[test]
    fn offsets_round_trip_near_and_far() {
        let kept = || -> Option<Offsets> { unreachable!("offsets are kept") };
        let near = func(1000, &[1000, 1003, 66535]);
        assert!(matches!(near.offsets.get(), Some(Offsets::Near(_))));
        assert_eq!(
            (
                near.offset_of(0, kept),
                near.offset_of(1, kept),
                near.offset_of(2, kept)
            ),
            (1000, 1003, 66535)
        );
        // Past the end: the body's start.
        assert_eq!(near.offset_of(3, kept), 1000);
        let far = func(1000, &[1000, 66536]);
        assert!(matches!(far.offsets.get(), Some(Offsets::Far(_))));
        assert_eq!((far.offset_of(0, kept), far.offset_of(1, kept)), (1000, 66536));
    }

    #[test]
    fn offsets_are_made_once_on_first_need() {
        let f = CompiledFunc {
            offsets: OnceLock::new(),
            ..func(10, &[])
        };
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            Some(Offsets::new(10, &[10, 12, 15]))
        };
        assert_eq!(f.offset_of(2, make), 15);
        assert_eq!(f.offset_of(1, make), 12);
        assert_eq!(made.get(), 1);
        // When they cannot be made, the body's start.
        let g = CompiledFunc {
            offsets: OnceLock::new(),
            body_offset: 7,
            ..func(0, &[])
        };
        assert_eq!(g.offset_of(1, || None), 7);
    }
}
