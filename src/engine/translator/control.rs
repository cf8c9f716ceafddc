//! Structured control flow: blocks, labels, branches (with the moves of
//! branch values into the target's slots) and returns.

use super::{Cond, Operand, Translator};
use crate::ir::{Instr, Slot};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CtrlKind {
    Block,
    Loop,
    If,
    Else,
}

/// A control frame at compile time.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ctrl {
    pub kind: CtrlKind,
    /// Operand stack height below the block's parameters.
    pub height: usize,
    pub n_params: u32,
    pub n_results: u32,
    /// Loop: bound at the loop start. Block/if: bound at the end.
    pub label: usize,
    /// If: where the false path continues (the else arm or the end).
    pub else_label: Option<usize>,
    /// The whole construct is in dead code; nothing is emitted for it.
    pub dead: bool,
    /// The current position inside the block is unreachable.
    pub unreachable: bool,
    /// Some branch targets the end label.
    pub branched: bool,
}

/// A jump target: its position once bound, and branches waiting for it.
#[derive(Default)]
pub(super) struct Label {
    pos: Option<u32>,
    fixups: Vec<usize>,
}

impl Translator {
    pub(super) fn new_label(&mut self) -> usize {
        self.labels.push(Label::default());
        self.labels.len() - 1
    }

    /// Binds `label` to the next instruction and patches waiting branches.
    pub(super) fn bind_label(&mut self, label: usize) {
        let pos = self.code.len() as u32;
        let fixups = std::mem::take(&mut self.labels[label].fixups);
        for at in fixups {
            self.code[at].set_branch_target(pos);
        }
        self.labels[label].pos = Some(pos);
        self.last_result = None;
        self.label_pos = pos as usize;
    }

    /// Emits a branch instruction whose target is `label`. A jump right
    /// after a constant or a copy (with no label between) takes it over.
    pub(super) fn emit_branch(&mut self, instr: Instr, label: usize) {
        let mut instr = instr;
        if let (Instr::Br { .. }, Some(&prev)) = (instr, self.code.last()) {
            let fused = match prev {
                Instr::Const { dst, val } if val.get() <= u32::MAX as u64 => Some(Instr::ConstBr {
                    dst,
                    val: val.get() as u32,
                    target: 0,
                }),
                Instr::Copy { dst, src } => Some(Instr::CopyBr { dst, src, target: 0 }),
                _ => None,
            };
            if let Some(f) = fused.filter(|_| self.label_pos != self.code.len()) {
                self.code.pop();
                self.offsets.pop();
                instr = f;
            }
        }
        let at = self.emit(instr);
        match self.labels[label].pos {
            Some(pos) => self.code[at].set_branch_target(pos),
            None => self.labels[label].fixups.push(at),
        }
    }

    pub(super) fn is_unreachable(&self) -> bool {
        self.ctrls.last().is_none_or(|c| c.unreachable)
    }

    pub(super) fn set_unreachable(&mut self) {
        if let Some(c) = self.ctrls.last_mut() {
            c.unreachable = true;
        }
    }

    pub(super) fn push_ctrl(&mut self, kind: CtrlKind, n_params: u32, n_results: u32, dead: bool) {
        let label = self.new_label();
        let height = self.stack.len().saturating_sub(n_params as usize);
        self.ctrls.push(Ctrl {
            kind,
            height,
            n_params,
            n_results,
            label,
            else_label: None,
            dead,
            unreachable: dead,
            branched: false,
        });
    }

    /// `block` / `loop` / `if` (with the condition slot for `if`).
    pub(super) fn enter(&mut self, kind: CtrlKind, n_params: u32, n_results: u32) {
        if self.is_unreachable() {
            self.push_ctrl(kind, n_params, n_results, true);
            return;
        }
        let cond = if kind == CtrlKind::If {
            Some(self.take_condition())
        } else {
            None
        };
        // Control may merge into this block from elsewhere: every value
        // must be in its home slot so all paths agree.
        self.materialize_all();
        self.push_ctrl(kind, n_params, n_results, false);
        let ctrl = *self.ctrls.last().expect("just pushed");
        match kind {
            CtrlKind::Loop => self.bind_label(ctrl.label),
            CtrlKind::If => {
                let else_label = self.new_label();
                self.ctrls.last_mut().expect("just pushed").else_label = Some(else_label);
                let cond = cond.expect("if has a condition");
                self.branch_if(cond, false, else_label);
            }
            _ => {}
        }
    }

    /// Resets the operand stack to `height` plus `n` values in home slots.
    fn reset_stack(&mut self, height: usize, n: u32) {
        self.stack.truncate(height);
        for _ in 0..n {
            self.push_home();
        }
    }

    /// `else`.
    pub(super) fn enter_else(&mut self) {
        let ctrl = *self.ctrls.last().expect("validated");
        if ctrl.dead {
            self.ctrls.last_mut().expect("validated").kind = CtrlKind::Else;
            return;
        }
        if !ctrl.unreachable {
            self.materialize_top(ctrl.n_results as usize);
            self.emit_branch(Instr::Br { target: 0 }, ctrl.label);
            self.ctrls.last_mut().expect("validated").branched = true;
        }
        if let Some(l) = ctrl.else_label {
            self.bind_label(l);
        }
        let c = self.ctrls.last_mut().expect("validated");
        c.kind = CtrlKind::Else;
        c.else_label = None;
        c.unreachable = false;
        self.reset_stack(ctrl.height, ctrl.n_params);
    }

    /// `end` of a block (the function body's `end` returns).
    pub(super) fn exit(&mut self) {
        let ctrl = self.ctrls.pop().expect("validated");
        if self.ctrls.is_empty() {
            // End of the function body.
            if !ctrl.unreachable {
                self.emit_return(ctrl.n_results);
            }
            return;
        }
        if ctrl.dead {
            return;
        }
        if !ctrl.unreachable {
            self.materialize_top(ctrl.n_results as usize);
        }
        let mut reachable = !ctrl.unreachable;
        if let Some(l) = ctrl.else_label {
            // `if` without `else`: the false path arrives here with the
            // parameters, which are the results.
            self.bind_label(l);
            reachable = true;
        }
        if ctrl.kind != CtrlKind::Loop {
            self.bind_label(ctrl.label);
            reachable |= ctrl.branched;
        }
        self.reset_stack(ctrl.height, ctrl.n_results);
        if !reachable {
            self.set_unreachable();
        }
    }

    /// Number of values a branch to `depth` carries, and their target slot.
    fn branch_dest(&self, depth: u32) -> (usize, u32, Slot) {
        let idx = self.ctrls.len() - 1 - depth as usize;
        let c = &self.ctrls[idx];
        let arity = if c.kind == CtrlKind::Loop {
            c.n_params
        } else {
            c.n_results
        };
        (idx, arity, self.home(c.height))
    }

    /// Whether a branch to `depth` needs moves (or is a return).
    fn branch_needs_moves(&self, depth: u32) -> bool {
        let (idx, arity, dest) = self.branch_dest(depth);
        if idx == 0 {
            return true;
        }
        let len = self.stack.len();
        (0..arity as usize).any(|i| {
            let pos = len - arity as usize + i;
            match self.stack[pos] {
                Operand::Home => self.home(pos) != dest.wrapping_add(i as Slot),
                Operand::Local(_) | Operand::Const(_) => true,
            }
        })
    }

    /// Emits the moves and the jump (or return) of a branch to `depth`,
    /// leaving the compile-time stack untouched.
    fn emit_branch_to(&mut self, depth: u32) {
        let (idx, arity, dest) = self.branch_dest(depth);
        if idx == 0 {
            self.emit_return(arity);
            return;
        }
        let len = self.stack.len();
        for i in 0..arity as usize {
            let pos = len - arity as usize + i;
            let dst = dest.wrapping_add(i as Slot);
            match self.stack[pos] {
                Operand::Const(val) => {
                    self.emit(Instr::Const { dst, val: val.into() });
                }
                Operand::Local(src) => {
                    self.emit(Instr::Copy { dst, src });
                }
                Operand::Home => {
                    let src = self.home(pos);
                    if src != dst {
                        self.emit(Instr::Copy { dst, src });
                    }
                }
            }
        }
        let label = self.ctrls[idx].label;
        if self.ctrls[idx].kind != CtrlKind::Loop {
            self.ctrls[idx].branched = true;
        }
        self.emit_branch(Instr::Br { target: 0 }, label);
    }

    /// Emits a return of the top `n` operands (without changing the
    /// compile-time stack).
    pub(super) fn emit_return(&mut self, n: u32) {
        let len = self.stack.len();
        let n = n as usize;
        if n == 0 {
            self.emit(Instr::Return { src: 0, n: 0 });
            return;
        }
        if n == 1 {
            if let Operand::Local(src) = self.stack[len - 1] {
                self.emit(Instr::Return { src, n: 1 });
                return;
            }
        }
        // Results must be contiguous: move deferred entries home (only on
        // this path; home slots of deferred entries are free).
        for pos in len - n..len {
            let dst = self.home(pos);
            match self.stack[pos] {
                Operand::Local(src) => {
                    self.emit(Instr::Copy { dst, src });
                }
                Operand::Const(val) => {
                    self.emit(Instr::Const { dst, val: val.into() });
                }
                Operand::Home => {}
            }
        }
        let src = self.home(len - n);
        self.emit(Instr::Return { src, n: n as u32 });
    }

    /// `br`.
    pub(super) fn br(&mut self, depth: u32) {
        self.emit_branch_to(depth);
        self.set_unreachable();
    }

    /// `br_if` (the condition is already taken).
    pub(super) fn br_if(&mut self, cond: Cond, depth: u32) {
        if !self.branch_needs_moves(depth) {
            let (idx, _, _) = self.branch_dest(depth);
            let label = self.ctrls[idx].label;
            if self.ctrls[idx].kind != CtrlKind::Loop {
                self.ctrls[idx].branched = true;
            }
            self.branch_if(cond, true, label);
            return;
        }
        let skip = self.new_label();
        self.branch_if(cond, false, skip);
        self.emit_branch_to(depth);
        self.bind_label(skip);
    }

    /// Pops a branch condition. A comparison that was just emitted for it
    /// is taken back so that it can be fused with the branch.
    pub(super) fn take_condition(&mut self) -> Cond {
        let pos = self.stack.len() - 1;
        if let (Some(at), Operand::Home) = (self.last_result, self.stack[pos]) {
            if at + 1 == self.code.len() {
                let instr = self.code[at];
                let fused = if super::visit::is_comparison(&instr) {
                    Some(Cond::Cmp(instr))
                } else {
                    match instr {
                        Instr::I32Eqz { src, .. } => match self.comparison_before(at, src) {
                            Some(cmp) => {
                                // The comparison goes too.
                                self.code.pop();
                                self.offsets.pop();
                                Some(Cond::NotCmp(cmp))
                            }
                            None => Some(Cond::Zero(src)),
                        },
                        _ => None,
                    }
                };
                if let Some(c) = fused {
                    self.code.pop();
                    self.offsets.pop();
                    self.last_result = None;
                    self.stack.pop();
                    return c;
                }
            }
        }
        Cond::Slot(self.pop())
    }

    /// The comparison at `at - 1`, if it computed `slot` (a temporary the
    /// instruction at `at` consumed) with no label in between.
    fn comparison_before(&self, at: usize, slot: Slot) -> Option<Instr> {
        let prev = at.checked_sub(1)?;
        let cmp = self.code[prev];
        let fits = self.label_pos != at
            && u32::from(slot) >= self.num_locals
            && super::visit::is_comparison(&cmp)
            && super::visit::comparison_dst(&cmp) == Some(slot);
        fits.then_some(cmp)
    }

    /// Emits a jump to `label` taken when `cond` is `when`.
    pub(super) fn branch_if(&mut self, cond: Cond, when: bool, label: usize) {
        let instr = match (cond, when) {
            (Cond::Slot(cond), true) | (Cond::Zero(cond), false) => Instr::BrIfNez { cond, target: 0 },
            (Cond::Slot(cond), false) | (Cond::Zero(cond), true) => Instr::BrIfEqz { cond, target: 0 },
            (Cond::Cmp(cmp), when) => super::visit::fuse_branch(cmp, !when),
            (Cond::NotCmp(cmp), when) => super::visit::fuse_branch(cmp, when),
        };
        let instr = self.fuse_counter_step(instr);
        self.emit_branch(instr, label);
    }

    /// A conditional branch testing a counter that the previous instruction
    /// stepped in place by a small constant (`i += k; if i < n ...`)
    /// becomes one instruction that does both.
    fn fuse_counter_step(&mut self, br: Instr) -> Instr {
        if self.label_pos == self.code.len() {
            return br;
        }
        let Some(&add) = self.code.last() else {
            return br;
        };
        let test = match br {
            Instr::BrIfNez { cond, target } => Instr::BrI32NeImm {
                a: cond,
                imm: 0,
                target,
            },
            Instr::BrIfEqz { cond, target } => Instr::BrI32EqImm {
                a: cond,
                imm: 0,
                target,
            },
            other => other,
        };
        match super::visit::step_branch(add, test) {
            Some(fused) => {
                self.code.pop();
                self.offsets.pop();
                self.last_result = None;
                fused
            }
            None => br,
        }
    }

    /// `br_table` (the index is already popped into `index`).
    pub(super) fn br_table(&mut self, index: Slot, targets: &[u32], default: u32) {
        let len = targets.len() as u32;
        self.emit(Instr::BrTable { index, len });
        let first_entry = self.code.len();
        let all: Vec<u32> = targets.iter().copied().chain(std::iter::once(default)).collect();
        // Entries: a direct jump where no moves are needed, else a jump to a
        // stub emitted after the table.
        let mut stubs = Vec::new();
        for (i, &depth) in all.iter().enumerate() {
            if self.branch_needs_moves(depth) {
                self.emit(Instr::BrEntry { tag: 0, target: 0 });
                stubs.push((first_entry + i, depth));
            } else {
                let (idx, _, _) = self.branch_dest(depth);
                let label = self.ctrls[idx].label;
                if self.ctrls[idx].kind != CtrlKind::Loop {
                    self.ctrls[idx].branched = true;
                }
                self.emit_branch(Instr::BrEntry { tag: 0, target: 0 }, label);
            }
        }
        for (entry, depth) in stubs {
            let pos = self.code.len() as u32;
            self.code[entry].set_branch_target(pos);
            self.emit_branch_to(depth);
        }
        self.set_unreachable();
    }
}
