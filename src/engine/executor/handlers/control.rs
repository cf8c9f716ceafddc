//! Branches, calls and returns.

// "Jump when not less" is meant literally: NaN operands make it true.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::{after, from_acc, get, handler, raise, set, trap, Cell, Imm};
use crate::core::{Trap, TrapCode};
use crate::engine::executor::dispatch::{next, next_tagged, table, Cx, Exit, Fp, Ip, Mem, Table};
use crate::engine::executor::{call_host, Frame};
use crate::ir::{FloatImm, Instr, Slot};
use crate::runtime::func::{CallTarget, FuncKind};

/// Continues at `target` when `taken`, else with the next instruction. Two
/// dispatch sites (not a conditional move of `ip`), so the CPU predicts the
/// branch and runs ahead instead of waiting for the condition. The second
/// form is for a branch that is not the handler's own instruction (an
/// unreached one after a fused instruction): the jump is relative to
/// `$from`, the branch, and the fall-through is `$next`.
macro_rules! branch {
    ($taken:expr, $from:ident => $target:expr, else $next:expr, $fp:ident, $mem:ident, $acc:ident, $cx:ident, $tbl:ident, $fa:ident) => {
        if $taken {
            $crate::engine::executor::handlers::control::keep_branch();
            next!($from.jump($target), $fp, $mem, $acc, $cx, $tbl, $fa)
        } else {
            next!($next, $fp, $mem, $acc, $cx, $tbl, $fa)
        }
    };
    ($taken:expr, $target:expr, $ip:ident, $fp:ident, $mem:ident, $acc:ident, $cx:ident, $tbl:ident, $fa:ident) => {
        $crate::engine::executor::handlers::control::branch!(
            $taken, $ip => $target, else $ip.skip(WIDTH), $fp, $mem, $acc, $cx, $tbl, $fa
        )
    };
}
pub(super) use branch;

/// Marks one side of a branch handler's `if` as having an effect, so that
/// LLVM keeps a conditional jump there instead of merging both dispatches
/// behind a conditional move of `ip` (which would make the next handler
/// wait for the condition instead of running ahead on the prediction).
/// Emits no instruction.
#[inline(always)]
pub(super) fn keep_branch() {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: an empty assembly block: no instructions, no memory, no stack.
    unsafe {
        std::arch::asm!("", options(nomem, nostack, preserves_flags))
    };
}

handler!(Unreachable {} (ip, fp, mem, acc, cx, tbl, fa) {
    trap(cx, ip, TrapCode::Unreachable)
});

handler!(Br { target } (ip, fp, mem, acc, cx, tbl, fa) {
    next!(ip.jump(target), fp, mem, acc, cx, tbl, fa)
});

handler!(ConstBr { dst, val, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, val) };
    next!(ip.jump(target), fp, mem, acc, cx, tbl, fa)
});

handler!(CopyBr { dst, src, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    unsafe { *fp.add(dst as usize) = *fp.add(src as usize) };
    next!(ip.jump(target), fp, mem, acc, cx, tbl, fa)
});

handler!(BrIfNez { cond, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let taken = unsafe { get::<u32>(fp, cond) } != 0;
    branch!(taken, target, ip, fp, mem, acc, cx, tbl, fa)
});

handler!(BrIfEqz { cond, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let taken = unsafe { get::<u32>(fp, cond) } == 0;
    branch!(taken, target, ip, fp, mem, acc, cx, tbl, fa)
});

handler!(BrTable { index, len } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let i = unsafe { get::<u32>(fp, index) };
    br_table(i, len, ip, fp, mem, acc, cx, tbl, fa)
});

handler!(BrTableA { len } (ip, fp, mem, acc, cx, tbl, fa) {
    br_table(acc as u32, len, ip, fp, mem, acc, cx, tbl, fa)
});

/// Continues at entry `min(i, len)` of the `BrTable` at `ip`: `len + 1`
/// `BrEntry`s follow it. The entry's jump is taken here, with the handler
/// its tag names: the jump then waits for one load less, which shortens
/// the recovery when it was mispredicted (a data-dependent `br_table` often
/// is).
///
/// # Safety
/// As for a handler; `ip` is a `BrTable` or `BrTableA` of length `len`.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's state plus the operands
pub(super) unsafe fn br_table(
    i: u32,
    len: u32,
    ip: Ip,
    fp: Fp,
    mem: Mem,
    acc: u64,
    cx: &mut Cx<'_>,
    tbl: Table,
    fa: f64,
) -> Exit {
    // Both table forms take the same units, and so does each entry (a
    // `BrEntry` or a `Br`).
    const TABLE: usize = crate::ir::units::BrTable;
    const ENTRY: usize = crate::ir::units::BrEntry;
    const _: () = assert!(TABLE == crate::ir::units::BrTableA && ENTRY == crate::ir::units::Br);
    let entry = ip.skip(TABLE + ENTRY * i.min(len) as usize);
    // SAFETY: the entry is an instruction of the current code.
    match unsafe { entry.instr() } {
        crate::ir::Instr::BrEntry { tag, target } => {
            let to = entry.jump(target);
            // SAFETY: `to` is an instruction of the current code.
            debug_assert_eq!(tag, unsafe { to.tag() });
            next_tagged!(to, tag, fp, mem, acc, cx, tbl, fa)
        }
        _ => next!(entry, fp, mem, acc, cx, tbl, fa),
    }
}

handler!(BrEntry { tag, target } (ip, fp, mem, acc, cx, tbl, fa) {
    next!(ip.jump(target), fp, mem, acc, cx, tbl, fa)
});

handler!(BrIfNezA { target } (ip, fp, mem, acc, cx, tbl, fa) {
    branch!(acc as u32 != 0, target, ip, fp, mem, acc, cx, tbl, fa)
});

handler!(BrIfEqzA { target } (ip, fp, mem, acc, cx, tbl, fa) {
    branch!(acc as u32 == 0, target, ip, fp, mem, acc, cx, tbl, fa)
});

/// A compare-and-branch on two slots, and its forms taking the left
/// (`$na`) or right (`$nb`) operand from the accumulator: `$cond` over
/// `$x` and `$y` (both `$t`) decides.
macro_rules! branch_forms {
    ($name:ident $na:ident $nb:ident, $t:ty, |$x:ident, $y:ident| $cond:expr) => {
        handler!($name { a, b, target } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs).
            let ($x, $y): ($t, $t) = unsafe { (get(fp, a), get(fp, b)) };
            branch!($cond, target, ip, fp, mem, acc, cx, tbl, fa)
        });
        handler!($na { b, target } (ip, fp, mem, acc, cx, tbl, fa) {
            let $x: $t = from_acc(acc, fa);
            // SAFETY: a slot of the current frame (module docs).
            let $y: $t = unsafe { get(fp, b) };
            branch!($cond, target, ip, fp, mem, acc, cx, tbl, fa)
        });
        handler!($nb { a, target } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let $x: $t = unsafe { get(fp, a) };
            let $y: $t = from_acc(acc, fa);
            branch!($cond, target, ip, fp, mem, acc, cx, tbl, fa)
        });
    };
}

/// Runs the `I32AddBrLtU` at `$ip` (fields given): `dst = a + b`, then
/// continue at `target` when `dst < limit`, else after its branch (the
/// unreached instruction after it). Also the tail of `I32AddStore8ImmAddBrLtU`.
macro_rules! add_br_lt_u {
    ($ip:expr, $dst:ident, $a:ident, $b:ident, $limit:ident, $target:ident, $fp:ident, $mem:ident, $cx:ident, $tbl:ident, $fa:ident) => {{
        let ip = $ip;
        // SAFETY: slots of the current frame (module docs); in the order of
        // the two instructions (the limit is read after the sum is written).
        let (r, l) = unsafe {
            let r = get::<u32>($fp, $a).wrapping_add(get($fp, $b));
            set($fp, $dst, r);
            (r, get::<u32>($fp, $limit))
        };
        let acc = r as u64;
        $crate::engine::executor::handlers::control::branch!(
            r < l, ip => $target, else after!(ip, I32AddBrLtU), $fp, $mem, acc, $cx, $tbl, $fa
        )
    }};
}

pub(super) use add_br_lt_u;

handler!(I32AddBrLtU { dst, a, b, limit, target } (ip, fp, mem, acc, cx, tbl, fa) {
    add_br_lt_u!(ip, dst, a, b, limit, target, fp, mem, cx, tbl, fa)
});

handler!(I32AddImmBr { dst, a, imm, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe {
        let r = get::<u32>(fp, a).wrapping_add(imm);
        set(fp, dst, r);
        r
    };
    next!(ip.jump(target), fp, mem, r as u64, cx, tbl, fa)
});

/// A compare-and-branch of a slot with a constant, and its form taking the
/// slot's value from the accumulator (`$na`): `$cond` over `$x` (a `$t`)
/// and the immediate `$imm` decides.
macro_rules! imm_branch_forms {
    ($name:ident $na:ident, $t:ty, |$x:ident, $imm:ident| $cond:expr) => {
        handler!($name { a, $imm, target } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let $x: $t = unsafe { get(fp, a) };
            branch!($cond, target, ip, fp, mem, acc, cx, tbl, fa)
        });
        handler!($na { $imm, target } (ip, fp, mem, acc, cx, tbl, fa) {
            let $x: $t = from_acc(acc, fa);
            branch!($cond, target, ip, fp, mem, acc, cx, tbl, fa)
        });
    };
}

/// The fused compare-and-branch forms of the comparisons, and their forms
/// with an operand from the accumulator.
macro_rules! compare_branches {
    (
        binop: $_binop:tt tbinop: $_tbinop:tt unop: $_unop:tt tunop: $_tunop:tt load: $_load:tt store: $_store:tt
        cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt
            $cvA:ident $cvB:ident $cviA:ident $cbA:ident $cbB:ident $cbiA:ident))*]
        fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $fbA:ident $fbB:ident $fnbA:ident $fnbB:ident
            $fvi:ident $fbi:ident $fnbi:ident $fbiA:ident $fnbiA:ident))*]
        arith_imm: $_arith_imm:tt
    ) => {$(
        branch_forms!($cb $cbA $cbB, $cty, |x, y| x $cop y);
        imm_branch_forms!($cbi $cbiA, $cty, |x, imm| x $cop <$cty>::from_imm(imm));
        handler!($cs { step, a, b, target } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs).
            let x: $cty = unsafe { get::<$cty>(fp, a) }.wrapping_add(step as $cty);
            // SAFETY: as above; `b` is read after the update, as in wasm.
            let y: $cty = unsafe {
                set(fp, a, x);
                get(fp, b)
            };
            // No instruction after a branch reads the accumulators (see
            // `Instr::acc_result`): they carry the new counter, which frees
            // the register of the old value (no spill).
            let acc = x.into_cell();
            branch!(x $cop y, target, ip, fp, mem, acc, cx, tbl, fa)
        });
        handler!($csi { step, a, imm, target } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let x: $cty = unsafe { get::<$cty>(fp, a) }.wrapping_add(step as $cty);
            // SAFETY: as above.
            unsafe { set(fp, a, x) };
            // As in the form above.
            let acc = x.into_cell();
            branch!(x $cop <$cty>::from_imm(imm), target, ip, fp, mem, acc, cx, tbl, fa)
        });
    )*
    $(
        branch_forms!($fb $fbA $fbB, $fty, |x, y| x $fop y);
        branch_forms!($fnb $fnbA $fnbB, $fty, |x, y| !(x $fop y));
        imm_branch_forms!($fbi $fbiA, $fty, |x, imm| x $fop <$fty as FloatImm>::decode(imm));
        imm_branch_forms!($fnbi $fnbiA, $fty, |x, imm| !(x $fop <$fty as FloatImm>::decode(imm)));
    )*};
}
crate::ir::for_each_op_family!(compare_branches);

handler!(Return { src, n } (ip, fp, mem, acc, cx, tbl, fa) {
    if n > 1 {
        std::hint::cold_path();
        return return_values(src, n, fp, mem, cx);
    }
    let mut first = 0;
    if n == 1 {
        // SAFETY: slots of the current frame (module docs).
        unsafe {
            first = *fp.add(src as usize);
            *fp = first;
        }
    }
    resume_caller(first, mem, cx, tbl)
});

handler!(Return1A {} (ip, fp, mem, acc, cx, tbl, fa) {
    return_one(acc, fp, mem, cx, tbl)
});

handler!(I32AddReturn { a, b } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { get::<u32>(fp, a).wrapping_add(get(fp, b)) };
    return_one(r.into_cell(), fp, mem, cx, tbl)
});

handler!(I32AddImmReturn { a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let r = unsafe { get::<u32>(fp, a).wrapping_add(imm) };
    return_one(r.into_cell(), fp, mem, cx, tbl)
});

/// Returns the single result `v` (the cell's bits): writes it to slot 0,
/// where the caller finds results, and resumes the caller. Inlined so that
/// the continuation stays in tail position.
#[inline(always)]
fn return_one(v: u64, fp: Fp, mem: Mem, cx: &mut Cx<'_>, tbl: Table) -> Exit {
    // SAFETY: slot 0 of the current frame (module docs).
    unsafe { *fp = v };
    resume_caller(v, mem, cx, tbl)
}

/// Pops the caller's frame and continues there (or finishes the execution
/// when there is none), passing the first result (`first`, 0 for none) on
/// in the accumulators: a call produces it (see `Instr::acc_result`).
/// Inlined so that the continuation stays in tail position.
#[inline(always)]
fn resume_caller(first: u64, mem: Mem, cx: &mut Cx<'_>, tbl: Table) -> Exit {
    // A call into another instance pushed a record that resumes at
    // `RETURN_TO_INSTANCE`, so no check of the instance is needed here.
    let Some(caller) = cx.frames.pop() else {
        return Exit::Done;
    };
    cx.func = caller.func;
    // A `Copy` after the call (typically a `local.set` of its result) runs
    // here: one dispatch less per such call.
    // SAFETY: `ret` is the instruction after the call, in the caller's code.
    if let Instr::Copy { dst, src } = unsafe { caller.ret.instr() } {
        // SAFETY: slots of the caller's frame (module docs).
        let v = unsafe { super::copy_cell(caller.fp, dst, src) };
        // As the `Copy` leaves them.
        next!(
            caller.ret.skip(crate::ir::units::Copy),
            caller.fp,
            mem,
            v,
            cx,
            tbl,
            f64::from_bits(v)
        )
    }
    next!(caller.ret, caller.fp, mem, first, cx, tbl, f64::from_bits(first))
}

/// `Return` with several results.
///
/// # Safety
/// As for a handler.
#[inline(never)]
unsafe fn return_values(src: Slot, n: u32, fp: Fp, mem: Mem, cx: &mut Cx<'_>) -> Exit {
    // SAFETY: both ranges lie inside the frame; `copy` handles overlap.
    // SAFETY: as above; `n > 1` results were copied to `fp..`.
    let first = unsafe {
        std::ptr::copy(fp.add(src as usize), fp, n as usize);
        *fp
    };
    resume_caller(first, mem, cx, table())
}

/// Where a call into another instance returns: `call_general` pushes a
/// record resuming here above the caller's own.
pub(crate) static RETURN_TO_INSTANCE: [Instr; 1] = [Instr::ReturnToInstance];

handler!(ReturnToInstance {} (ip, fp, mem, acc, cx, tbl, fa) {
    // `resume_caller` popped the record that led here; the caller's is next.
    let Some(caller) = cx.frames.pop() else {
        return Exit::Done;
    };
    cx.func = caller.func;
    let mem = switch_instance(cx, caller.inst);
    // The accumulators carry the first result (see `resume_caller`).
    next!(caller.ret, caller.fp, mem, acc, cx, table(), fa)
});

handler!(Call { func, base } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: `func` is a validated index into the function space, which
    // the instance's `targets` covers.
    let target = unsafe { *cx.targets.add(func as usize) };
    // A function of another instance has no code in `targets`.
    call::<false>(target, base, ip, ip.skip(WIDTH), fp, mem, cx, tbl)
});

handler!(CallIndirect { table, type_index, base, index } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the element index is an operand of the current frame.
    let element = unsafe { get::<u32>(fp, index) };
    match resolve_indirect(cx, type_index, table, element) {
        Ok(target) => call::<true>(target, base, ip, ip.skip(WIDTH), fp, mem, cx, tbl),
        Err(code) => trap(cx, ip, code),
    }
});

/// The function a `call_indirect` calls, after the checks it makes.
#[inline]
fn resolve_indirect(cx: &Cx<'_>, type_index: u32, table: u16, element: u32) -> Result<CallTarget, TrapCode> {
    // SAFETY: `type_ids` and `tables` describe the current instance (see
    // `Cx`); validation bounds `type_index` and `table` by their lengths.
    let (expected, t) = unsafe {
        (
            *cx.type_ids.add(type_index as usize),
            *cx.tables.add(table as usize),
        )
    };
    let store = &*cx.store;
    let cell = *store.tables[t as usize]
        .elems
        .get(element as usize)
        .ok_or(TrapCode::UndefinedElement)?;
    if cell == 0 {
        return Err(TrapCode::IndirectCallToNull);
    }
    let callee = &store.func_targets[(cell - 1) as usize];
    if callee.type_id != expected {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    Ok(callee.target)
}

/// Locals a call zeroes without calling `memset` (see `call`).
const INLINE_ZEROED: usize = 8;

/// `CompiledFunc::fast_call_cells` of a function.
pub(crate) fn fast_call_cells(num_params: u32, num_locals: u32, frame_size: u32) -> u32 {
    if (num_locals - num_params) as usize > INLINE_ZEROED {
        return u32::MAX;
    }
    frame_size.max(num_params + INLINE_ZEROED as u32)
}

/// Calls `target` with its arguments at slot `base` of the current frame and
/// continues with its first instruction (or, for a host function, after the
/// call). Inlined so that the continuation stays in tail position. The fast
/// path (a wasm function of the same instance with few locals, room on both
/// stacks) makes three checks and calls nothing; `OTHER_INSTANCE` adds the
/// check for a target of another instance (one with code: those in
/// `Cx::targets` have none).
///
/// # Safety
/// As for a handler; `ip` is the calling instruction.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's state plus the call's operands
unsafe fn call<const OTHER_INSTANCE: bool>(
    target: CallTarget,
    base: Slot,
    ip: Ip,
    ret: Ip,
    fp: Fp,
    mem: Mem,
    cx: &mut Cx<'_>,
    tbl: Table,
) -> Exit {
    if target.code.is_null() {
        return call_slow(target.func, base, ip, ret, fp, cx);
    }
    // SAFETY: see `CallTarget`: the code outlives the store.
    let callee = unsafe { &*target.code };
    // SAFETY: the argument area is a slot range of the current frame.
    let callee_fp = unsafe { fp.add(base as usize) };
    // SAFETY: `callee_fp` and `cells_end` lie in the same allocation.
    let room = unsafe { cx.cells_end.offset_from(callee_fp) } as usize;
    let frames = cx.frames.len();
    // Before translation `fast_call_cells` is `u32::MAX`: the general path.
    // After it, `entry` may still be `LAZY_ENTRY` (another thread
    // translating), which checks the frame again.
    if (OTHER_INSTANCE && target.instance != cx.inst)
        || room < callee.fast_call_cells() as usize
        || frames >= cx.frames_limit
    {
        std::hint::cold_path();
        return call_general(target.func, base, ip, ret, fp, cx);
    }
    // Zero the locals (and maybe some operand cells above them, which are
    // unused): a fixed-size store the compiler emits inline.
    // SAFETY: `fast_call_cells` cells from `callee_fp` are available.
    unsafe {
        callee_fp
            .add(callee.num_params as usize)
            .cast::<[u64; INLINE_ZEROED]>()
            .write_unaligned([0; INLINE_ZEROED])
    };
    // SAFETY: `frames < frames_limit <= capacity`: the slot exists; the
    // length covers it next.
    unsafe {
        cx.frames
            .as_mut_ptr()
            .add(frames)
            .write(caller_frame(ret, fp, cx));
        cx.frames.set_len(frames + 1);
    }
    cx.func = target.func;
    next!(Ip::new(callee.entry()), callee_fp, mem, 0, cx, tbl, 0.0)
}

/// The frame record of the current function, to resume at `ret`.
#[inline(always)]
fn caller_frame(ret: Ip, fp: Fp, cx: &Cx<'_>) -> Frame {
    Frame {
        ret,
        fp,
        func: cx.func,
        inst: cx.inst,
    }
}

/// `call` in general: another instance, many locals, a frame stack that
/// must grow, or no room left.
#[inline(never)]
fn call_general(func: u32, base: Slot, ip: Ip, ret: Ip, fp: Fp, cx: &mut Cx<'_>) -> Exit {
    let target = cx.store.func_targets[func as usize].target;
    // SAFETY: see `CallTarget`: the code outlives the store.
    let callee = unsafe { &*target.code };
    // The entry first: its frame size is current (see `FuncCode`).
    let entry = callee.entry();
    // SAFETY: the argument area is a slot range of the current frame.
    let callee_fp = unsafe { fp.add(base as usize) };
    // SAFETY: `callee_fp` and `cells_end` lie in the same allocation.
    let room = unsafe { cx.cells_end.offset_from(callee_fp) } as usize;
    let other = target.instance != cx.inst;
    if cx.frames.len() + usize::from(other) >= cx.max_depth || room < callee.frame_size() as usize {
        return trap(cx, ip, TrapCode::StackExhausted);
    }
    let (np, nl) = (callee.num_params as usize, callee.num_locals as usize);
    // SAFETY: the locals lie inside the callee frame (checked above).
    unsafe { std::ptr::write_bytes(callee_fp.add(np), 0, nl - np) };
    let caller = caller_frame(ret, fp, cx);
    cx.frames.push(caller);
    if other {
        // The return comes back through `RETURN_TO_INSTANCE`, which
        // restores this instance.
        cx.frames.push(Frame {
            ret: Ip::new(RETURN_TO_INSTANCE.as_ptr().cast()),
            ..caller
        });
    }
    cx.frames_limit = cx.frames.capacity().min(cx.max_depth);
    cx.func = target.func;
    let mem = switch_instance(cx, target.instance);
    next!(Ip::new(entry), callee_fp, mem, 0, cx, table(), 0.0)
}

handler!(TranslateAndEnter {} (ip, fp, mem, acc, cx, tbl, fa) {
    match translate_current(cx, fp) {
        Ok(code) => next!(code, fp, mem, 0, cx, tbl, 0.0),
        Err(t) => raise(cx, ip, t),
    }
});

/// Translates the current function (its first call; see `FuncCode`) and
/// returns its code, after checking that its frame fits at `fp`. The caller
/// zeroed the locals already.
#[cold]
#[inline(never)]
fn translate_current(cx: &mut Cx<'_>, fp: Fp) -> Result<Ip, Trap> {
    let FuncKind::Wasm { module, def, .. } = &cx.store.funcs[cx.func as usize].kind else {
        return Err(Trap::host("internal: lazy entry of a host function"));
    };
    let (module, def) = (module.clone(), *def);
    let code = module.translated_for_call(def)?;
    // SAFETY: `fp` and `cells_end` lie in the same allocation.
    let room = unsafe { cx.cells_end.offset_from(fp) } as usize;
    if room < code.frame_size as usize {
        return Err(Trap::new(TrapCode::StackExhausted));
    }
    Ok(Ip::new(code.code.as_ptr()))
}

/// `call` of a target without code in hand: a host function, or (from
/// `Cx::targets`) a function of another instance, which `call_general`
/// enters.
#[inline(never)]
fn call_slow(func: u32, base: Slot, ip: Ip, ret: Ip, fp: Fp, cx: &mut Cx<'_>) -> Exit {
    if cx.store.func_targets[func as usize].target.code.is_null() {
        call_host_and_continue(func, base, ip, ret, fp, cx)
    } else {
        call_general(func, base, ip, ret, fp, cx)
    }
}

/// Calls host function `func` (store index) with arguments at `args`, then
/// continues at `ret`, after the calling instruction at `ip`.
#[inline(always)]
fn call_host_and_continue(func: u32, base: Slot, ip: Ip, ret: Ip, fp: Fp, cx: &mut Cx<'_>) -> Exit {
    // SAFETY: the argument area is a slot range of the current frame.
    let args = unsafe { fp.add(base as usize) };
    let first = match call_host(cx, func, args) {
        Ok(first) => first,
        Err(None) => return Exit::Replaced,
        Err(Some(t)) => return raise(cx, ip, t),
    };
    // The host may have created memories (moving the store's list) or grown
    // this instance's memory.
    let mem = switch_instance(cx, cx.inst);
    // The first result goes on in the accumulators, as after a wasm callee.
    next!(ret, fp, mem, first, cx, table(), f64::from_bits(first))
}

/// Makes instance `inst` current: its call targets and memory 0.
#[inline(never)]
pub(in crate::engine::executor) fn switch_instance(cx: &mut Cx<'_>, inst: u32) -> Mem {
    cx.inst = inst;
    let entity = &cx.store.instances[inst as usize];
    cx.targets = entity.targets.as_ptr();
    cx.type_ids = entity.module.type_ids().as_ptr();
    cx.tables = entity.tables.as_ptr();
    cx.mem_idx = entity.memories.first().map_or(usize::MAX, |&m| m as usize);
    memory_view(cx)
}

/// Re-derives the current memory's base and length cell.
pub(in crate::engine::executor) fn memory_view(cx: &mut Cx<'_>) -> Mem {
    match cx.store.memories.get(cx.mem_idx) {
        Some(m) => {
            cx.mem_len = m.len();
            m.base_ptr()
        }
        None => {
            cx.mem_len = 0;
            std::ptr::NonNull::<u8>::dangling().as_ptr()
        }
    }
}
