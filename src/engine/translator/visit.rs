//! Translation of individual operators.

use super::control::CtrlKind;
use super::{Operand, Translator};
use crate::core::Error;
use crate::ir::{Instr, Slot};
use crate::module::ModuleInfo;
use wasmparser::{BlockType, Operator};

impl Translator {
    fn block_arity(info: &ModuleInfo, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let ty = &info.types[t as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    fn binop(&mut self, make: impl FnOnce(Slot, Slot, Slot) -> Instr) {
        let b = self.pop();
        let a = self.pop();
        let dst = self.push_home();
        self.emit_result(make(dst, a, b));
    }

    fn unop(&mut self, make: impl Fn(Slot, Slot) -> Instr) {
        if self.fuse_extending_load(&make) {
            return;
        }
        let src = self.pop();
        let dst = self.push_home();
        self.emit_result(make(dst, src));
    }

    /// `i64.extend_i32_s/u` of an `i32.load` just emitted into the top
    /// operand's home slot becomes `i64.load32_s/u` (the same value).
    fn fuse_extending_load(&mut self, make: &impl Fn(Slot, Slot) -> Instr) -> bool {
        let (Some(at), Some(Operand::Home)) = (self.last_result, self.stack.last()) else {
            return false;
        };
        let top = self.home(self.stack.len() - 1);
        let signed = match make(0, 0) {
            Instr::I64ExtendI32U { .. } => false,
            Instr::I64ExtendI32S { .. } => true,
            _ => return false,
        };
        self.code[at] = match self.code[at] {
            Instr::I32Load { dst, addr, offset } if dst == top => match signed {
                true => Instr::I64Load32S { dst, addr, offset },
                false => Instr::I64Load32U { dst, addr, offset },
            },
            Instr::I32LoadAdd { dst, base, imm } if dst == top => match signed {
                true => Instr::I64Load32SAdd { dst, base, imm },
                false => Instr::I64Load32UAdd { dst, base, imm },
            },
            _ => return false,
        };
        true
    }

    fn load(
        &mut self,
        offset: u64,
        make: impl Fn(Slot, Slot, u32) -> Instr,
        fused: impl FnOnce(Slot, Slot, u32) -> Instr,
    ) {
        if offset == 0 {
            if let Some((at, base, imm)) = self.address_add(self.stack.len() - 1) {
                // The address operand's home slot receives the loaded value.
                let Instr::I32AddImm { dst, .. } = self.code[at] else {
                    unreachable!()
                };
                self.code[at] = fused(dst, base, imm);
                self.offsets[at] = self.offset;
                return;
            }
        }
        if let Some(ea) = self.constant_address(self.stack.len() - 1, offset) {
            // The result goes to the address operand's home slot.
            let dst = self.home(self.stack.len() - 1);
            if let Some(instr) = make(dst, 0, 0).with_constant_address(ea) {
                self.stack.pop();
                self.push_home();
                self.emit_result(instr);
                return;
            }
        }
        let addr = self.pop();
        let dst = self.push_home();
        self.emit_result(make(dst, addr, offset as u32));
    }

    /// The effective address of an access with `offset` whose address is
    /// the constant operand at `pos`, when it fits 32 bits (beyond, the
    /// access traps: the general form handles it).
    fn constant_address(&self, pos: usize, offset: u64) -> Option<u32> {
        match self.stack[pos] {
            Operand::Const(c) => u32::try_from(c as u32 as u64 + offset).ok(),
            _ => None,
        }
    }

    /// A store; `constant` says whether the value is 64-bit and makes the
    /// form that stores a constant.
    fn store(
        &mut self,
        offset: u64,
        make: impl Fn(Slot, Slot, u32) -> Instr,
        fused: impl FnOnce(Slot, u32, Slot) -> Instr,
        constant: (bool, impl Fn(Slot, u32, u32) -> Instr),
    ) {
        let (wide, make_const) = constant;
        let n = self.stack.len();
        if let Some(imm) = self.top_imm(if wide { 64 } else { 32 }) {
            let generic = make_const(0, 0, imm);
            if let Some(instr) = self
                .constant_address(n - 2, offset)
                .and_then(|ea| generic.with_constant_address(ea))
            {
                self.stack.truncate(n - 2);
                self.emit(instr);
                return;
            }
            self.stack.pop();
            let addr = self.pop();
            self.emit(make_const(addr, offset as u32, imm));
            return;
        }
        // The value must be in a local: then nothing was emitted after the
        // address was computed, and nothing will be to materialise it.
        if offset == 0 && matches!(self.stack[n - 1], Operand::Local(_)) {
            if let Some((at, base, imm)) = self.address_add(n - 2) {
                let val = self.pop();
                self.stack.pop();
                self.code[at] = fused(base, imm, val);
                self.offsets[at] = self.offset;
                self.last_result = None;
                return;
            }
        }
        let val = self.pop();
        if let Some(ea) = self.constant_address(n - 2, offset) {
            if let Some(instr) = make(0, val, 0).with_constant_address(ea) {
                self.stack.pop();
                self.emit(instr);
                return;
            }
        }
        let addr = self.pop();
        self.emit(make(addr, val, offset as u32));
    }

    /// If stack operand `pos` is a temporary just computed by the last
    /// instruction as `base + imm` (`I32AddImm`), that instruction's index,
    /// `base` and `imm`: a memory access may take the addition over (its
    /// wrapping semantics are kept by the fused forms).
    fn address_add(&self, pos: usize) -> Option<(usize, Slot, u32)> {
        let at = self.last_result?;
        if !matches!(self.stack[pos], Operand::Home) {
            return None;
        }
        match self.code[at] {
            Instr::I32AddImm { dst, a, imm } if dst == self.home(pos) => Some((at, a, imm)),
            _ => None,
        }
    }

    fn constant(&mut self, val: u64) {
        self.push_deferred(Operand::Const(val));
    }

    /// The top operand as a 32-bit immediate for an op on `bits`-bit
    /// integers (64-bit ops sign-extend it), if it is a suitable constant.
    fn top_imm(&self, bits: u32) -> Option<u32> {
        match self.stack.last() {
            Some(Operand::Const(v)) if bits == 32 || (*v as i64) == (*v as i32 as i64) => Some(*v as u32),
            _ => None,
        }
    }

    /// A binary op whose right operand is a constant immediate.
    fn binop_imm(&mut self, imm: u32, make: impl Fn(Slot, Slot, u32) -> Instr) {
        let instr = make(0, 0, imm);
        if self.fuse_shift_pair(instr) {
            return;
        }
        self.stack.pop();
        let a = self.pop();
        let dst = self.push_home();
        self.emit_result(make(dst, a, imm));
    }

    /// `x << k >> k` (shift right `shr` by the same constant, applied to the
    /// temporary the last instruction computed) is a sign extension or a
    /// mask: C compilers emit it for narrow integer types.
    fn fuse_shift_pair(&mut self, shr: Instr) -> bool {
        let pos = self.stack.len() - 2;
        let Some(at) = self.last_result else {
            return false;
        };
        if !matches!(self.stack[pos], Operand::Home) {
            return false;
        }
        let home = self.home(pos);
        let fused = match (self.code[at], shr) {
            (Instr::I32ShlImm { dst, a, imm: k }, Instr::I32ShrSImm { imm, .. })
                if dst == home && k == imm =>
            {
                match k {
                    24 => Instr::I32Extend8S { dst, src: a },
                    16 => Instr::I32Extend16S { dst, src: a },
                    _ => return false,
                }
            }
            (Instr::I32ShlImm { dst, a, imm: k }, Instr::I32ShrUImm { imm, .. })
                if dst == home && k == imm && (1..32).contains(&k) =>
            {
                Instr::I32AndImm {
                    dst,
                    a,
                    imm: u32::MAX >> k,
                }
            }
            (Instr::I64ShlImm { dst, a, imm: k }, Instr::I64ShrSImm { imm, .. })
                if dst == home && k == imm =>
            {
                match k {
                    56 => Instr::I64Extend8S { dst, src: a },
                    48 => Instr::I64Extend16S { dst, src: a },
                    32 => Instr::I64Extend32S { dst, src: a },
                    _ => return false,
                }
            }
            // The mask must survive the immediate's sign extension.
            (Instr::I64ShlImm { dst, a, imm: k }, Instr::I64ShrUImm { imm, .. })
                if dst == home && k == imm && (33..64).contains(&k) =>
            {
                Instr::I64AndImm {
                    dst,
                    a,
                    imm: (u64::MAX >> k) as u32,
                }
            }
            _ => return false,
        };
        self.stack.pop();
        self.code[at] = fused;
        true
    }

    /// Pops `n` operands after moving them to consecutive home slots;
    /// returns the first slot.
    fn pop_args(&mut self, n: usize) -> Slot {
        let base = self.materialize_top(n);
        self.stack.truncate(self.stack.len() - n);
        base
    }

    /// `local.set` / `local.tee`.
    fn set_local(&mut self, local: Slot, tee: bool) {
        let pos = self.stack.len() - 1;
        let value = self.stack[pos];
        // Zeroing a local that still holds its initial zero (a common
        // prologue) changes nothing: no instruction.
        if value == Operand::Const(0) && self.known_zero(local) {
            if !tee {
                self.stack.pop();
            }
            self.last_result = None;
            return;
        }
        if local < 64 {
            self.zero_locals &= !(1 << local);
        }
        // Other deferred reads of this local must see the old value.
        self.stack.pop();
        let copied = self.materialize_local(local);
        match value {
            Operand::Const(val) => {
                self.emit(Instr::Const {
                    dst: local,
                    val: val.into(),
                });
            }
            Operand::Local(l) if l == local => {}
            Operand::Local(l) => {
                self.emit(Instr::Copy { dst: local, src: l });
            }
            Operand::Home => {
                let retarget = if copied { None } else { self.last_result };
                let retargeted = retarget.is_some_and(|at| retarget_dst(&mut self.code[at], local));
                if !retargeted {
                    let src = self.home(pos);
                    self.emit(Instr::Copy { dst: local, src });
                }
            }
        }
        self.last_result = None;
        if tee {
            self.stack.push(Operand::Local(local));
        }
    }

    pub(super) fn visit(&mut self, info: &ModuleInfo, op: Operator<'_>) -> Result<(), Error> {
        use Operator as O;
        // Control operators keep the block structure even in dead code.
        match op {
            O::Block { blockty } => {
                let (p, r) = Self::block_arity(info, blockty);
                self.enter(CtrlKind::Block, p, r);
                return Ok(());
            }
            O::Loop { blockty } => {
                let (p, r) = Self::block_arity(info, blockty);
                self.enter(CtrlKind::Loop, p, r);
                return Ok(());
            }
            O::If { blockty } => {
                let (p, r) = Self::block_arity(info, blockty);
                self.enter(CtrlKind::If, p, r);
                return Ok(());
            }
            O::Else => {
                self.enter_else();
                return Ok(());
            }
            O::End => {
                self.exit();
                return Ok(());
            }
            _ => {}
        }
        if self.is_unreachable() {
            return Ok(());
        }
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.set_unreachable();
            }
            O::Nop => {}
            O::Br { relative_depth } => self.br(relative_depth),
            O::BrIf { relative_depth } => {
                let cond = self.take_condition();
                self.br_if(cond, relative_depth);
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let default = targets.default();
                let list = targets
                    .targets()
                    .collect::<Result<Vec<u32>, _>>()
                    .map_err(|e| Error::invalid(e.message().to_string(), Some(e.offset())))?;
                self.br_table(index, &list, default);
            }
            O::Return => {
                let n = self.ctrls[0].n_results;
                self.emit_return(n);
                self.set_unreachable();
            }
            O::Call { function_index } => {
                let ty = info.func_type(function_index);
                let (np, nr) = (ty.params().len(), ty.results().len());
                let base = self.pop_args(np);
                self.emit(Instr::Call {
                    func: function_index,
                    base,
                });
                for _ in 0..nr {
                    self.push_home();
                }
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &info.types[type_index as usize];
                let (np, nr) = (ty.params().len(), ty.results().len());
                let base = self.pop_args(np + 1);
                let table = u16::try_from(table_index).map_err(|_| Error::resource("too many tables"))?;
                self.emit(Instr::CallIndirect {
                    table,
                    type_index,
                    base,
                    index: base.wrapping_add(np as Slot),
                });
                for _ in 0..nr {
                    self.push_home();
                }
            }
            O::Drop => {
                self.stack.pop();
                // The instruction that wrote the dropped value no longer
                // produced the top operand: `local.set` must not retarget it.
                self.last_result = None;
            }
            O::Select | O::TypedSelect { .. } => {
                let cond = self.pop();
                let b = self.pop();
                let pos = self.stack.len() - 1;
                // A first operand still in its local: read it there rather
                // than copy it to the result's slot first.
                if let Operand::Local(a) = self.stack[pos] {
                    let dst = self.home(pos);
                    self.stack.pop();
                    self.push_home();
                    self.emit_result(Instr::Select4 { dst, a, b, cond });
                    return Ok(());
                }
                self.materialize_at(pos);
                let dst = self.home(pos);
                self.emit_result(Instr::Select { dst, b, cond });
            }
            // Validation bounds locals to 50,000: an index fits a slot.
            O::LocalGet { local_index } => self.push_deferred(Operand::Local(local_index as Slot)),
            O::LocalSet { local_index } => self.set_local(local_index as Slot, false),
            O::LocalTee { local_index } => self.set_local(local_index as Slot, true),
            O::GlobalGet { global_index } => {
                let dst = self.push_home();
                self.emit_result(Instr::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            O::GlobalSet { global_index } => {
                let src = self.pop();
                self.emit(Instr::GlobalSet {
                    global: global_index,
                    src,
                });
            }
            O::TableGet { table } => {
                let index = self.pop();
                let dst = self.push_home();
                self.emit_result(Instr::TableGet { dst, table, index });
            }
            O::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                self.emit(Instr::TableSet { table, index, value });
            }
            O::TableSize { table } => {
                let dst = self.push_home();
                self.emit_result(Instr::TableSize { dst, table });
            }
            O::TableGrow { table } => {
                let args = self.pop_args(2);
                self.push_home();
                self.emit(Instr::TableGrow { table, args });
            }
            O::TableFill { table } => {
                let args = self.pop_args(3);
                self.emit(Instr::TableFill { table, args });
            }
            O::TableCopy { dst_table, src_table } => {
                let args = self.pop_args(3);
                self.emit(Instr::TableCopy {
                    dst_table,
                    src_table,
                    args,
                });
            }
            O::TableInit { elem_index, table } => {
                let args = self.pop_args(3);
                self.emit(Instr::TableInit {
                    table,
                    elem: elem_index,
                    args,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }
            O::MemorySize { .. } => {
                let dst = self.push_home();
                self.emit_result(Instr::MemorySize { dst });
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop();
                let dst = self.push_home();
                self.emit_result(Instr::MemoryGrow { dst, delta });
            }
            O::MemoryFill { .. } => {
                let args = self.pop_args(3);
                self.emit(Instr::MemoryFill { args });
            }
            O::MemoryCopy { .. } => {
                let args = self.pop_args(3);
                self.emit(Instr::MemoryCopy { args });
            }
            O::MemoryInit { data_index, .. } => {
                let args = self.pop_args(3);
                self.emit(Instr::MemoryInit {
                    data: data_index,
                    args,
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }
            O::I32Const { value } => self.constant(value as u32 as u64),
            O::I64Const { value } => self.constant(value as u64),
            O::F32Const { value } => self.constant(value.bits() as u64),
            O::F64Const { value } => self.constant(value.bits()),
            O::RefNull { .. } => self.constant(0),
            O::RefIsNull => self.unop(|dst, src| Instr::I64Eqz { dst, src }),
            O::RefFunc { function_index } => {
                let dst = self.push_home();
                self.emit_result(Instr::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            // Reinterpretations do not change a cell's bits.
            O::I32ReinterpretF32 | O::I64ReinterpretF64 | O::F32ReinterpretI32 | O::F64ReinterpretI64 => {
                self.acc_barriers.push(self.code.len())
            }
            O::I32Load { memarg } | O::F32Load { memarg } => self.load(
                memarg.offset,
                |dst, addr, offset| Instr::I32Load { dst, addr, offset },
                |dst, base, imm| Instr::I32LoadAdd { dst, base, imm },
            ),
            O::I64Load { memarg } | O::F64Load { memarg } => self.load(
                memarg.offset,
                |dst, addr, offset| Instr::I64Load { dst, addr, offset },
                |dst, base, imm| Instr::I64LoadAdd { dst, base, imm },
            ),
            O::I32Store { memarg } | O::F32Store { memarg } => self.store(
                memarg.offset,
                |addr, val, offset| Instr::I32Store { addr, val, offset },
                |base, imm, val| Instr::I32StoreAdd { base, imm, val },
                (false, |addr, offset, imm| Instr::I32StoreImm {
                    addr,
                    offset,
                    imm,
                }),
            ),
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(
                memarg.offset,
                |addr, val, offset| Instr::I64Store { addr, val, offset },
                |base, imm, val| Instr::I64StoreAdd { base, imm, val },
                (true, |addr, offset, imm| Instr::I64StoreImm { addr, offset, imm }),
            ),
            other => self.visit_uniform(other)?,
        }
        Ok(())
    }

    /// Operators that map one-to-one onto an op family member of the same name.
    fn visit_uniform(&mut self, op: Operator<'_>) -> Result<(), Error> {
        macro_rules! uniform {
            (
                binop: [$(($bin:ident $($_binx:ident)*))*]
                tbinop: [$(($tbin:ident $($_tbinx:ident)*))*]
                unop: [$(($un:ident $_unA:ident))*]
                tunop: [$(($tun:ident $_tunA:ident))*]
                load: [$(($ld:ident $lda:ident $_ldA:ident $_ldk:ident))*]
                store: [$(($st:ident $sta:ident $sti:ident $_stA:ident $_stk:ident $_stki:ident $_stiA:ident))*]
                cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
                fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident $fvi:ident $($_fx:ident)*))*]
                arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $_aiA:ident))*]
            ) => {
                // Constant right operands become immediates.
                match op {
                    $( Operator::$ab => {
                        if let Some(imm) = self.top_imm(<$aty>::BITS) {
                            // Division forms exist only for divisors that
                            // cannot trap: not 0 and, signed, not -1.
                            let traps = stringify!($aop).starts_with("wrapping_div")
                                || stringify!($aop).starts_with("wrapping_rem");
                            if !traps || (imm != 0 && (<$aty>::MIN == 0 || imm != u32::MAX)) {
                                self.binop_imm(imm, |dst, a, imm| Instr::$ai { dst, a, imm });
                                return Ok(());
                            }
                        }
                    } )*
                    $( Operator::$fv => {
                        let imm = match self.stack.last() {
                            Some(Operand::Const(cell)) => <$fty as crate::ir::FloatImm>::encode(*cell),
                            _ => None,
                        };
                        if let Some(imm) = imm {
                            self.binop_imm(imm, |dst, a, imm| Instr::$fvi { dst, a, imm });
                            return Ok(());
                        }
                    } )*
                    $( Operator::$cv => {
                        if let Some(imm) = self.top_imm(<$cty>::BITS) {
                            self.binop_imm(imm, |dst, a, imm| Instr::$cvi { dst, a, imm });
                            return Ok(());
                        }
                    } )*
                    _ => {}
                }
                match op {
                    $( Operator::$cv => self.binop(|dst, a, b| Instr::$cv { dst, a, b }), )*
                    $( Operator::$bin => self.binop(|dst, a, b| Instr::$bin { dst, a, b }), )*
                    $( Operator::$tbin => self.binop(|dst, a, b| Instr::$tbin { dst, a, b }), )*
                    $( Operator::$un => self.unop(|dst, src| Instr::$un { dst, src }), )*
                    $( Operator::$tun => self.unop(|dst, src| Instr::$tun { dst, src }), )*
                    $( Operator::$ld { memarg } => self.load(
                        memarg.offset,
                        |dst, addr, offset| Instr::$ld { dst, addr, offset },
                        |dst, base, imm| Instr::$lda { dst, base, imm },
                    ), )*
                    $( Operator::$st { memarg } => self.store(
                        memarg.offset,
                        |addr, val, offset| Instr::$st { addr, val, offset },
                        |base, imm, val| Instr::$sta { base, imm, val },
                        (stringify!($st).starts_with("I64"), |addr, offset, imm| Instr::$sti { addr, offset, imm }),
                    ), )*
                    other => {
                        return Err(Error::invalid(
                            format!("unsupported operator {other:?}"),
                            Some(self.offset as u64),
                        ))
                    }
                }
            };
        }
        crate::ir::for_each_op_family!(uniform);
        Ok(())
    }
}

/// Makes a result-producing instruction write to `slot` instead; false
/// (nothing changed: the caller copies the value) for an instruction this
/// does not know, which the debug builds of the tests report.
fn retarget_dst(instr: &mut Instr, slot: Slot) -> bool {
    macro_rules! retarget {
        (
            binop: [$(($bin:ident $($_binx:ident)*))*]
            tbinop: [$(($tbin:ident $($_tbinx:ident)*))*]
            unop: [$(($un:ident $_unA:ident))*]
            tunop: [$(($tun:ident $_tunA:ident))*]
            load: [$(($ld:ident $lda:ident $_ldA:ident $ldk:ident))*]
            store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident $fvi:ident $($_fx:ident)*))*]
            arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $_aiA:ident))*]
        ) => {
            match instr {
                $( Instr::$bin { dst, .. } )|*
                $( | Instr::$cv { dst, .. } | Instr::$cvi { dst, .. } )*
                $( | Instr::$ai { dst, .. } )*
                $( | Instr::$fvi { dst, .. } )*
                | $( Instr::$tbin { dst, .. } )|*
                | $( Instr::$un { dst, .. } )|*
                | $( Instr::$tun { dst, .. } )|*
                | $( Instr::$ld { dst, .. } | Instr::$lda { dst, .. } | Instr::$ldk { dst, .. } )|*
                | Instr::Const { dst, .. }
                | Instr::GlobalGet { dst, .. }
                | Instr::TableGet { dst, .. }
                | Instr::TableSize { dst, .. }
                | Instr::RefFunc { dst, .. }
                | Instr::MemorySize { dst }
                | Instr::MemoryGrow { dst, .. } => {
                    *dst = slot;
                    true
                }
                Instr::Select4 { dst, .. } => {
                    *dst = slot;
                    true
                }
                // `Select` writes over its first operand: elsewhere, it
                // becomes a `Select4` reading that operand.
                Instr::Select { dst, b, cond } => {
                    *instr = Instr::Select4 {
                        dst: slot,
                        a: *dst,
                        b: *b,
                        cond: *cond,
                    };
                    true
                }
                _ => {
                    debug_assert!(false, "retargeting an instruction without a result: {instr:?}");
                    false
                }
            }
        };
    }
    crate::ir::for_each_op_family!(retarget)
}

/// Whether `instr` is a comparison in value form (fusable with a branch).
pub(super) fn is_comparison(instr: &Instr) -> bool {
    macro_rules! is_cmp {
        (
            binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident $fvi:ident $($_fx:ident)*))*]
            arith_imm: $_arith_imm:tt
        ) => {
            matches!(instr, $( Instr::$cv { .. } | Instr::$cvi { .. } )|* $( | Instr::$fv { .. } | Instr::$fvi { .. } )*)
        };
    }
    crate::ir::for_each_op_family!(is_cmp)
}

/// `add` (an `I32AddImm`/`I64AddImm`, or `SubImm`, stepping a slot in place by a constant
/// that fits 16 bits) followed by `br` (an integer compare-and-branch of the
/// same width whose left operand is that slot) as one instruction.
pub(super) fn step_branch(add: Instr, br: Instr) -> Option<Instr> {
    let (wide, slot, step) = match add {
        Instr::I32AddImm { dst, a, imm } if dst == a => (false, dst, imm),
        Instr::I64AddImm { dst, a, imm } if dst == a => (true, dst, imm),
        Instr::I32SubImm { dst, a, imm } if dst == a => (false, dst, (imm as i32).wrapping_neg() as u32),
        Instr::I64SubImm { dst, a, imm } if dst == a => (true, dst, (imm as i32).wrapping_neg() as u32),
        _ => return None,
    };
    let step = i16::try_from(step as i32).ok()?;
    macro_rules! step {
        (
            binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: $_fcmp:tt arith_imm: $_arith_imm:tt
        ) => {
            match br {
                $(
                    Instr::$cb { a, b, target } if a == slot && wide == (<$cty>::BITS == 64) => {
                        Some(Instr::$cs { step, a, b, target })
                    }
                    Instr::$cbi { a, imm, target } if a == slot && wide == (<$cty>::BITS == 64) => {
                        Some(Instr::$csi { step, a, imm, target })
                    }
                )*
                _ => None,
            }
        };
    }
    crate::ir::for_each_op_family!(step)
}

/// The slot a comparison in value form writes.
pub(super) fn comparison_dst(instr: &Instr) -> Option<Slot> {
    macro_rules! dst {
        (
            binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident $fvi:ident $($_fx:ident)*))*]
            arith_imm: $_arith_imm:tt
        ) => {
            match *instr {
                $( Instr::$cv { dst, .. } | Instr::$cvi { dst, .. } => Some(dst), )*
                $( Instr::$fv { dst, .. } | Instr::$fvi { dst, .. } => Some(dst), )*
                _ => None,
            }
        };
    }
    crate::ir::for_each_op_family!(dst)
}

/// The compare-and-branch form of a comparison (negated if asked), with
/// its target still to be set.
pub(super) fn fuse_branch(cmp: Instr, negate: bool) -> Instr {
    macro_rules! fuse {
        (
            binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
                $fvi:ident $fbi:ident $fnbi:ident $($_fx:ident)*))*]
            arith_imm: $_arith_imm:tt
        ) => {{
            // Negation maps a comparison to its complement (exact for integers).
            let cmp = if negate {
                match cmp {
                    $(
                        Instr::$cv { dst, a, b } => Instr::$cneg { dst, a, b },
                        Instr::$cvi { dst, a, imm } => imm_form(Instr::$cneg { dst, a, b: 0 }, imm),
                    )*
                    other => other,
                }
            } else {
                cmp
            };
            match cmp {
                $(
                    Instr::$cv { a, b, .. } => Instr::$cb { a, b, target: 0 },
                    Instr::$cvi { a, imm, .. } => Instr::$cbi { a, imm, target: 0 },
                )*
                // Float comparisons have no complement (NaN): a negated one
                // becomes its "jump when false" form.
                $(
                    Instr::$fv { a, b, .. } if negate => Instr::$fnb { a, b, target: 0 },
                    Instr::$fv { a, b, .. } => Instr::$fb { a, b, target: 0 },
                    Instr::$fvi { a, imm, .. } if negate => Instr::$fnbi { a, imm, target: 0 },
                    Instr::$fvi { a, imm, .. } => Instr::$fbi { a, imm, target: 0 },
                )*
                other => unreachable!("not a comparison: {other:?}"),
            }
        }};
    }
    crate::ir::for_each_op_family!(fuse)
}

/// The constant-operand form of a comparison given in register form.
fn imm_form(cmp: Instr, imm: u32) -> Instr {
    macro_rules! to_imm {
        (
            binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: $_fcmp:tt arith_imm: $_arith_imm:tt
        ) => {
            match cmp {
                $( Instr::$cv { dst, a, .. } => Instr::$cvi { dst, a, imm }, )*
                other => other,
            }
        };
    }
    crate::ir::for_each_op_family!(to_imm)
}
