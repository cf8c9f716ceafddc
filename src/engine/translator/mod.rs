//! Translation of one function body into `ir::Instr`, interleaved with
//! validation (each operator is validated before it is translated, so the
//! translator may rely on well-typed input).
//!
//! The translator mirrors the wasm operand stack at compile time. An entry is
//! either a value in its *home slot* (`num_locals + position`) or a deferred
//! `local.get` that still lives in its local's slot. Deferred locals are
//! copied home ("materialised") before the local is overwritten, before
//! control flow merges (block entry), and where an op needs operands in
//! consecutive slots (calls, bulk ops). Results are produced in home slots;
//! a following `local.set` retargets the producing instruction to write the
//! local directly.

mod control;
mod pairs;
mod visit;

use super::CompiledFunc;
use crate::core::Error;
use crate::ir::code::Code;
use crate::ir::{Instr, Slot};
use crate::module::ModuleInfo;
use control::{Ctrl, Label};
use wasmparser::{FuncValidator, FunctionBody, ValidatorResources};

/// Most cells a frame may have: every slot must fit a `Slot`.
const MAX_FRAME_CELLS: u64 = Slot::MAX as u64 + 1;

/// An operand stack entry at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operand {
    /// The value is in its home slot.
    Home,
    /// The value is (still) in the slot of this local.
    Local(Slot),
    /// A constant not yet written anywhere (it may end up as an immediate).
    Const(u64),
}

/// A branch condition: a slot, or a comparison still to be fused with the
/// branch that consumes it.
#[derive(Clone, Copy, Debug)]
enum Cond {
    /// Taken when the i32 in the slot is non-zero.
    Slot(Slot),
    /// Taken when the i32 in the slot is zero (a consumed `i32.eqz`).
    Zero(Slot),
    /// A comparison instruction (value form), removed from the code.
    Cmp(Instr),
    /// Taken when the comparison is false (an `i32.eqz` of it); removed too.
    NotCmp(Instr),
}

/// The declared locals (not the parameters) among the first 64, which a
/// call zeroes, as a `Translator::zero_locals` mask.
fn zero_local_mask(num_params: u32, num_locals: u32) -> u64 {
    let below = |n: u32| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    below(num_locals) & !below(num_params)
}

/// Reusable translation state (allocations are kept between functions).
#[derive(Default)]
pub(crate) struct Translator {
    code: Vec<Instr>,
    offsets: Vec<u32>,
    stack: Vec<Operand>,
    ctrls: Vec<Ctrl>,
    labels: Vec<Label>,
    num_locals: u32,
    max_height: u32,
    /// Offset of the operator being translated.
    offset: u32,
    /// Index of the last instruction if it wrote a fresh result to the home
    /// slot of the top operand and nothing (no label) came after it.
    last_result: Option<usize>,
    /// Where the most recent label was bound (`usize::MAX`: none yet); no
    /// instruction may be fused with the one before a label's position.
    label_pos: usize,
    /// Locals (of the first 64) that still hold their initial zero: bit `l`
    /// for local `l`. Meaningful only while no label is bound (`label_pos`
    /// is `usize::MAX`): until then every instruction runs at most once per
    /// call, in order.
    zero_locals: u64,
    /// Positions where a value changes type without an instruction (a
    /// reinterpretation): the accumulators may not carry it across.
    acc_barriers: Vec<usize>,
    /// Scratch for `finish_code`: positions a branch may reach, and the
    /// positions of the branch instructions.
    entries: Vec<bool>,
    branches: Vec<u32>,
    /// The unit where each instruction of the last translation starts in
    /// its encoded code, and its end (`Code::encode`).
    positions: Vec<u32>,
}

impl Translator {
    /// Translates function `func_index` (module index space), validating it
    /// with `validator` on the way (`None`: validated before).
    pub(crate) fn translate(
        &mut self,
        info: &ModuleInfo,
        func_index: u32,
        body: &FunctionBody<'_>,
        mut validator: Option<&mut FuncValidator<ValidatorResources>>,
        module_bytes: &[u8],
    ) -> Result<CompiledFunc, Error> {
        let err =
            |e: wasmparser::BinaryReaderError| Error::invalid(e.message().to_string(), Some(e.offset()));
        let ty = info.func_type(func_index);
        let num_params = ty.params().len() as u32;
        let mut num_locals = num_params as u64;
        let mut locals = body.get_locals_reader().map_err(err)?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, t) = locals.read().map_err(err)?;
            if let Some(v) = validator.as_deref_mut() {
                v.define_locals(offset, count, t).map_err(err)?;
            }
            num_locals += count as u64;
        }
        // The validator bounds the number of locals (50,000).
        let num_locals = u32::try_from(num_locals).map_err(|_| Error::invalid("too many locals", None))?;
        self.reset(num_params, num_locals);
        let body_offset = body.range().start as u32;
        // The function body is the outermost block; branching to it returns.
        let n_results = ty.results().len() as u32;
        self.push_ctrl(control::CtrlKind::Block, 0, n_results, false);

        // Decode with exactly the enabled features, as validation does.
        let mut reader = body.get_binary_reader_for_operators().map_err(err)?;
        reader.set_features(crate::module::features());
        let mut ops = wasmparser::OperatorsReader::new(reader);
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(err)?;
            if let Some(v) = validator.as_deref_mut() {
                v.op(offset, &op).map_err(err)?;
                crate::module::strict::memory_op(module_bytes, offset as usize)?;
            }
            self.offset = offset as u32;
            self.visit(info, op)?;
        }
        ops.finish().map_err(err)?;
        self.thread_jumps_to_returns();
        self.finish_code();
        let code = Code::encode(&self.code, &mut self.positions)
            .ok_or_else(|| Error::resource("function body too large to translate"))?;
        // Slots are 16 bits (instructions stay small), so a frame has at
        // most 2^16 cells: locals plus the deepest operand stack.
        let frame_size = num_locals as u64 + self.max_height as u64;
        if frame_size > MAX_FRAME_CELLS {
            return Err(Error::resource(format!(
                "function frame too large: {frame_size} cells of locals and operands (at most {MAX_FRAME_CELLS})"
            )));
        }
        let frame_size = frame_size as u32;
        Ok(CompiledFunc {
            code,
            offsets: std::sync::OnceLock::new(),
            num_params,
            num_locals,
            frame_size,
            fast_call_cells: crate::engine::executor::fast_call_cells(num_params, num_locals, frame_size),
            body_offset,
        })
    }

    /// The module offsets of the instructions of the last translation (of
    /// a body starting at `body_offset`): a backtrace's, made on demand.
    pub(crate) fn offsets(&self, body_offset: u32) -> super::Offsets {
        // By unit: each unit of an instruction maps to its offset.
        let mut by_unit = Vec::with_capacity(self.positions.last().map_or(0, |&end| end as usize));
        for (i, span) in self.positions.windows(2).enumerate() {
            by_unit.extend(std::iter::repeat_n(self.offsets[i], (span[1] - span[0]) as usize));
        }
        super::Offsets::new(body_offset, &by_unit)
    }

    /// Peephole: a jump whose target is a `Return` becomes that `Return`
    /// (both run in the same frame), saving a dispatch per function exit.
    fn thread_jumps_to_returns(&mut self) {
        for i in 0..self.code.len() {
            if let Instr::Br { target } = self.code[i] {
                if let Some(ret @ Instr::Return { .. }) = self.code.get(target as usize).copied() {
                    self.code[i] = ret;
                }
            }
        }
    }

    /// The passes over the finished body: (1) each instruction that reads
    /// the value its predecessor just wrote takes it from the accumulators
    /// instead (see `executor::dispatch`), except where a branch may arrive
    /// in between or the value changes type there; (2) frequent pairs run
    /// as one instruction (`pairs`); (3) each `BrEntry` gets the tag of its
    /// target. Branch targets stay instruction indices (`Code::encode`
    /// makes them distances).
    fn finish_code(&mut self) {
        let code = &mut self.code;
        let entries = &mut self.entries;
        let branches = &mut self.branches;
        entries.clear();
        entries.resize(code.len(), false);
        branches.clear();
        for (at, instr) in code.iter_mut().enumerate() {
            if let Some(&mut target) = instr.branch_target_mut() {
                entries[target as usize] = true;
                branches.push(at as u32);
            }
        }
        for &at in &self.acc_barriers {
            if let Some(e) = entries.get_mut(at) {
                *e = true;
            }
        }
        // (1) Accumulator forms keep their branch targets: `branches` stays
        // valid.
        for at in 1..code.len() {
            if entries[at] {
                continue;
            }
            if let Some(slot) = code[at - 1].acc_result() {
                if let Some(form) = code[at].with_acc(slot) {
                    code[at] = form;
                }
            }
        }
        // (2) Pairs that run in one dispatch (`pairs`); the second
        // instruction stays in place, unreached. A fused branch joins
        // `branches` (its unreached original stays there too, so that both
        // read alike in a listing).
        // A loop's back edge right after an instruction or pair may join it
        // too (`pairs::with_step`), once the back edge itself is final (it
        // may be a pair, `I32AddBrLtU`): `prev` is where the instruction or
        // pair that ends at `at` starts.
        let mut at = 0;
        let mut prev = None;
        while at + 1 < code.len() {
            let mut next = at + 1;
            if at + 2 < code.len() && !entries[at + 1] && !entries[at + 2] {
                if let Some(fused) = pairs::fuse3(code[at], code[at + 1], code[at + 2]) {
                    code[at] = fused;
                    at += 3;
                    prev = None;
                    continue;
                }
            }
            if !entries[next] {
                if let Some(mut fused) = pairs::fuse(code[at], code[next]) {
                    if fused.branch_target_mut().is_some() {
                        branches.push(at as u32);
                    }
                    code[at] = fused;
                    next += 1;
                }
            }
            join_step(code, entries, prev, at);
            prev = Some(at);
            at = next;
        }
        if at < code.len() {
            join_step(code, entries, prev, at);
        }
        // (3) Targets are inside the code; were one not, the entry would
        // become a plain jump, which the table runs.
        for &at in branches.iter() {
            let at = at as usize;
            if let Instr::BrEntry { target, .. } = code[at] {
                code[at] = match code.get(target as usize) {
                    Some(to) => Instr::BrEntry {
                        tag: to.tag(),
                        target,
                    },
                    None => Instr::Br { target },
                };
            }
        }
    }

    /// Whether `local` is known to hold zero here (see `zero_locals`).
    fn known_zero(&self, local: Slot) -> bool {
        self.label_pos == usize::MAX && local < 64 && self.zero_locals >> local & 1 == 1
    }

    fn reset(&mut self, num_params: u32, num_locals: u32) {
        self.zero_locals = zero_local_mask(num_params, num_locals);
        self.acc_barriers.clear();
        self.code.clear();
        self.offsets.clear();
        self.stack.clear();
        self.ctrls.clear();
        self.labels.clear();
        self.num_locals = num_locals;
        self.max_height = 0;
        self.last_result = None;
        self.label_pos = usize::MAX;
    }

    /// Appends an instruction.
    fn emit(&mut self, instr: Instr) -> usize {
        self.code.push(instr);
        self.offsets.push(self.offset);
        self.last_result = None;
        self.code.len() - 1
    }

    /// Appends an instruction that writes a new value to the home slot of
    /// the (already pushed) top operand.
    fn emit_result(&mut self, instr: Instr) {
        let at = self.emit(instr);
        self.last_result = Some(at);
    }

    /// Home slot of stack position `pos`.
    fn home(&self, pos: usize) -> Slot {
        // Truncated when the frame outgrows the slots: such a function is
        // refused once translated (`translate`), so the code never runs.
        (self.num_locals as usize + pos) as Slot
    }

    /// Slot where the operand at `pos` lives; a deferred constant is first
    /// written to its home slot.
    fn slot_at(&mut self, pos: usize) -> Slot {
        match self.stack[pos] {
            Operand::Home => self.home(pos),
            Operand::Local(l) => l,
            Operand::Const(val) => {
                let dst = self.home(pos);
                self.emit(Instr::Const { dst, val: val.into() });
                self.stack[pos] = Operand::Home;
                dst
            }
        }
    }

    /// Pops the top operand and returns the slot that holds it.
    fn pop(&mut self) -> Slot {
        let pos = self.stack.len() - 1;
        let s = self.slot_at(pos);
        self.stack.pop();
        s
    }

    /// Pushes an entry that occupies no code yet.
    fn push_deferred(&mut self, op: Operand) {
        self.stack.push(op);
        let h = self.stack.len() as u32;
        if h > self.max_height {
            self.max_height = h;
        }
    }

    /// Pushes a value in its home slot and returns that slot.
    fn push_home(&mut self) -> Slot {
        self.stack.push(Operand::Home);
        let h = self.stack.len() as u32;
        if h > self.max_height {
            self.max_height = h;
        }
        self.home(self.stack.len() - 1)
    }

    /// Copies the operand at `pos` to its home slot if it is deferred.
    fn materialize_at(&mut self, pos: usize) {
        let dst = self.home(pos);
        match self.stack[pos] {
            Operand::Home => return,
            Operand::Local(l) => self.emit(Instr::Copy { dst, src: l }),
            Operand::Const(val) => self.emit(Instr::Const { dst, val: val.into() }),
        };
        self.stack[pos] = Operand::Home;
    }

    /// Materialises the top `n` operands; returns the home slot of the first.
    fn materialize_top(&mut self, n: usize) -> Slot {
        let len = self.stack.len();
        for pos in len - n..len {
            self.materialize_at(pos);
        }
        self.home(len - n)
    }

    fn materialize_all(&mut self) {
        for pos in 0..self.stack.len() {
            self.materialize_at(pos);
        }
    }

    /// Materialises every deferred read of `local` (before it is written).
    /// Returns whether any copy was emitted.
    fn materialize_local(&mut self, local: Slot) -> bool {
        let mut any = false;
        for pos in 0..self.stack.len() {
            if self.stack[pos] == Operand::Local(local) {
                self.materialize_at(pos);
                any = true;
            }
        }
        any
    }
}

/// Joins the back edge at `at` (final: fused already) to the instruction or
/// pair before it, which starts at `prev` (`pairs::with_step`), unless a
/// branch may arrive between the two.
fn join_step(code: &mut [Instr], entries: &[bool], prev: Option<usize>, at: usize) {
    if let Some(prev) = prev {
        if !entries[at] {
            if let Some(joined) = pairs::with_step(code[prev], code[at]) {
                code[prev] = joined;
            }
        }
    }
}
