//! `{X}Step{K}`: an instruction (or fused pair) `X` and the loop back edge
//! right after it, a `StepBrI32{K}Imm`, in one dispatch (see
//! `Instr::I32AddImmStepNe`). One handler per step kind, so that each has
//! one test and its own dispatch sites.

use super::control::{add_br_lt_u, branch};
use super::{after, get, handler, second, set, trap, Cell};
use crate::core::TrapCode;
use crate::engine::executor::dispatch::next;
use crate::ir::Instr;

/// Runs the `$variant` step at `$step_ip` after `X`, which left `$r` for
/// the accumulator: the counter update, then the branch on `$cond` over the
/// new counter `$x` and the immediate `$imm`, as the step's own handler
/// does. Another instruction there (never, by construction) is dispatched
/// as usual.
macro_rules! step_tail {
    ($name:ident: $variant:ident, |$x:ident, $imm:ident| $cond:expr, $ip:expr, $r:expr, $fp:ident, $mem:ident, $cx:ident, $tbl:ident, $fa:ident) => {{
        // The step is the last unreached instruction after `$name`.
        let step_ip = second!($ip, $name, $crate::ir::code::seconds::$name.len() - 1);
        // SAFETY: `step_ip` is an instruction of the current code (the
        // translator places `X` before the step).
        if let Instr::$variant {
            step,
            a,
            imm: $imm,
            target,
        } = unsafe { step_ip.instr() }
        {
            // SAFETY: a slot of the current frame (module docs).
            let $x = unsafe { get::<u32>($fp, a) }.wrapping_add(step as u32);
            // SAFETY: as above.
            unsafe { set($fp, a, $x) };
            // As the step's handler leaves them.
            let acc = $x.into_cell();
            branch!($cond, step_ip => target, else after!($ip, $name), $fp, $mem, acc, $cx, $tbl, $fa)
        } else {
            std::hint::cold_path();
            next!(step_ip, $fp, $mem, $r, $cx, $tbl, $fa)
        }
    }};
}

/// The three `{X}Step{K}` handlers of `X` (an instruction or a pair):
/// `$body` does `X` and evaluates to the cell it leaves in the accumulator.
macro_rules! with_steps {
    ($ne:ident $ltu:ident $gtu:ident { $($field:ident),* }
        ($ip:ident, $fp:ident, $mem:ident, $acc:ident, $cx:ident, $tbl:ident, $fa:ident) $body:block) => {
        handler!($ne { $($field),* } ($ip, $fp, $mem, $acc, $cx, $tbl, $fa) {
            let r: u64 = $body;
            step_tail!($ne: StepBrI32NeImm, |x, imm| x != imm, $ip, r, $fp, $mem, $cx, $tbl, $fa)
        });
        handler!($ltu { $($field),* } ($ip, $fp, $mem, $acc, $cx, $tbl, $fa) {
            let r: u64 = $body;
            step_tail!($ltu: StepBrI32LtUImm, |x, imm| x < imm, $ip, r, $fp, $mem, $cx, $tbl, $fa)
        });
        handler!($gtu { $($field),* } ($ip, $fp, $mem, $acc, $cx, $tbl, $fa) {
            let r: u64 = $body;
            step_tail!($gtu: StepBrI32GtUImm, |x, imm| x > imm, $ip, r, $fp, $mem, $cx, $tbl, $fa)
        });
    };
}

with_steps!(I32AddImmStepNe I32AddImmStepLtU I32AddImmStepGtU { dst, a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    unsafe {
        let r = get::<u32>(fp, a).wrapping_add(imm);
        set(fp, dst, r);
        r.into_cell()
    }
});

with_steps!(I32AddAStepNe I32AddAStepLtU I32AddAStepGtU { dst, b } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    unsafe {
        let r = (acc as u32).wrapping_add(get::<u32>(fp, b));
        set(fp, dst, r);
        r.into_cell()
    }
});

// The pair `I64Load32UAddTo` (its add the next instruction), then the step.
with_steps!(I64Load32UAddToStepNe I64Load32UAddToStepLtU I64Load32UAddToStepGtU
    { ld, addr, dst, a, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let p = unsafe { get::<u32>(fp, addr) };
    let ea = p as usize + offset as usize;
    if ea + 4 > cx.mem_len {
        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
    }
    // SAFETY: `ea + 4 <= len`, the accessible length at `mem`.
    let v = u32::from_le(unsafe { std::ptr::read_unaligned(mem.add(ea) as *const u32) }) as u64;
    // SAFETY: slots of the current frame, in the order of the two
    // instructions (as in `I64Load32UAddTo`).
    unsafe {
        set(fp, ld, v);
        let r = get::<u64>(fp, a).wrapping_add(v);
        set(fp, dst, r);
        r
    }
});

// `I32AddStore8Imm` (its store the next instruction), then the back edge after it
// when that is an `I32AddBrLtU` (`for (j = ..; j < limit; j += step)
// a[j] = imm`): the store, the counter update and the branch in one
// dispatch. Another instruction there (never, by construction) is
// dispatched as usual.
handler!(I32AddStore8ImmAddBrLtU { dst, a, b, imm, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let p = unsafe {
        let p = get::<u32>(fp, a).wrapping_add(get(fp, b));
        set(fp, dst, p);
        p
    };
    let ea = p as usize + offset as usize;
    if ea >= cx.mem_len {
        // The store's trap, the instruction after this one.
        return trap(cx, second!(ip, I32AddStore8ImmAddBrLtU, 0), TrapCode::MemoryOutOfBounds);
    }
    // SAFETY: `ea < len`, the accessible length at `mem`.
    unsafe { *mem.add(ea) = imm };
    let step_ip = second!(ip, I32AddStore8ImmAddBrLtU, 1);
    // SAFETY: `step_ip` is an instruction of the current code (the
    // translator places the pair before the back edge).
    if let Instr::I32AddBrLtU { dst, a, b, limit, target } = unsafe { step_ip.instr() } {
        add_br_lt_u!(step_ip, dst, a, b, limit, target, fp, mem, cx, tbl, fa)
    } else {
        std::hint::cold_path();
        // As the store leaves them: the address.
        next!(step_ip, fp, mem, p as u64, cx, tbl, fa)
    }
});

// `I32AddImmCopy` (its copy the next instruction), then the back edge after it when
// that is a `BrI32GtU` (`while (*p > pivot) p--`, the pointer in a fresh
// slot copied back): the step and the comparison in one dispatch. Another
// instruction there (never, by construction) is dispatched as usual.
handler!(I32AddImmCopyBrGtU { dst, a, dst2, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { super::numeric::add_imm_copy(fp, dst, a, dst2, imm) };
    // As the `Copy` leaves them.
    let acc = r as u64;
    let fa = f64::from_bits(acc);
    let br_ip = second!(ip, I32AddImmCopyBrGtU, 1);
    // SAFETY: `br_ip` is an instruction of the current code (the
    // translator places the pair before the branch).
    if let Instr::BrI32GtU { a, b, target } = unsafe { br_ip.instr() } {
        // SAFETY: slots of the current frame (module docs).
        let taken = unsafe { get::<u32>(fp, a) > get::<u32>(fp, b) };
        branch!(taken, br_ip => target, else after!(ip, I32AddImmCopyBrGtU), fp, mem, acc, cx, tbl, fa)
    } else {
        std::hint::cold_path();
        next!(br_ip, fp, mem, acc, cx, tbl, fa)
    }
});

// `I32AddImm2` (its second add the next instruction), then the `I32LoadBrLtU` after
// it, which loads at the second sum (`while (*++p < limit) i++`): one
// dispatch. Another instruction there (never, by construction) is
// dispatched as usual.
handler!(I32AddImm2LoadBrLtU { dst, a, dst2, a2, imm, imm2 } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let p = unsafe { super::numeric::add_imm2(fp, dst, a, dst2, a2, imm, imm2) };
    let ld_ip = second!(ip, I32AddImm2LoadBrLtU, 1);
    // SAFETY: `ld_ip` is an instruction of the current code (the translator
    // places the pair before the load).
    if let Instr::I32LoadBrLtU { dst, b, offset, target } = unsafe { ld_ip.instr() } {
        // SAFETY: `ld_ip` is that instruction; its address is the sum.
        unsafe { super::memory::load_br_lt_u(ld_ip, p, dst, b, offset, target, fp, mem, cx, tbl, fa) }
    } else {
        std::hint::cold_path();
        // As the second add leaves them.
        let (acc, fa) = super::Acc::to_acc(p, fa);
        next!(ld_ip, fp, mem, acc, cx, tbl, fa)
    }
});
