//! Loads, stores and the bulk memory instructions (memory 0).

use super::control::branch;
use super::numeric::produce;
use super::{after, from_acc, get, handler, second, set, trap};
use crate::core::limits::PAGE_SIZE;
use crate::core::TrapCode;
use crate::engine::executor::dispatch::{next, Cx, Exit, Fp, Ip, Mem, Table};
use crate::ir::Slot;
use crate::runtime::Store;

/// Reads a `$t` at effective address `ea` (`usize`, at most 2^33) or
/// traps when it is not inside the memory.
macro_rules! read {
    ($t:ty, $ea:expr, $ip:ident, $mem:ident, $cx:ident) => {{
        let ea: usize = $ea;
        if ea + std::mem::size_of::<$t>() > $cx.mem_len {
            return trap($cx, $ip, TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `ea + size <= len`, the accessible length at `mem`.
        <$t>::from_le(unsafe { std::ptr::read_unaligned($mem.add(ea) as *const $t) })
    }};
}

/// Writes `$v as $t` at effective address `ea` or traps.
macro_rules! write {
    ($t:ty, $ea:expr, $v:expr, $ip:ident, $mem:ident, $cx:ident) => {{
        let ea: usize = $ea;
        if ea + std::mem::size_of::<$t>() > $cx.mem_len {
            return trap($cx, $ip, TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `ea + size <= len`, the accessible length at `mem`.
        unsafe { std::ptr::write_unaligned($mem.add(ea) as *mut $t, ($v as $t).to_le()) };
    }};
}

/// `dst = convert(mem[addr + offset])` handlers, their forms with the
/// address `base + imm` (wrapping 32-bit addition, offset 0), with the
/// address from the accumulator and with a constant effective address. All pass the value on in the accumulators
/// (an `i64.load` as an `f64` too: it also serves `f64.load`).
macro_rules! load {
    ($($name:ident / $fused:ident / $acc_form:ident / $at:ident: $t:ty => |$v:ident| $conv:expr;)*) => {$(
        handler!($name { dst, addr, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, addr) };
            let $v = read!($t, a as usize + offset as usize, ip, mem, cx);
            produce!(dst, $conv, ip, fp, mem, cx, tbl, fa)
        });
        handler!($fused { dst, base, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, base) }.wrapping_add(imm);
            let $v = read!($t, a as usize, ip, mem, cx);
            produce!(dst, $conv, ip, fp, mem, cx, tbl, fa)
        });
        handler!($acc_form { dst, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            let a: u32 = from_acc(acc, fa);
            let $v = read!($t, a as usize + offset as usize, ip, mem, cx);
            produce!(dst, $conv, ip, fp, mem, cx, tbl, fa)
        });
        handler!($at { dst, ea } (ip, fp, mem, acc, cx, tbl, fa) {
            let $v = read!($t, ea as usize, ip, mem, cx);
            produce!(dst, $conv, ip, fp, mem, cx, tbl, fa)
        });
    )*};
}

handler!(I32Load8UBrTable { dst, addr, offset, len } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let p = unsafe { get::<u32>(fp, addr) };
    let v = read!(u8, p as usize + offset as usize, ip, mem, cx) as u32;
    // SAFETY: as above.
    unsafe { set(fp, dst, v) };
    // SAFETY: the `BrTableA` of length `len` is the next instruction (see `Instr`).
    unsafe { super::control::br_table(v, len, second!(ip, I32Load8UBrTable, 0), fp, mem, v as u64, cx, tbl, fa) }
});

handler!(I32MulImmStore16 { dst, addr, imm, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    let x = from_acc::<u32>(acc, fa).wrapping_mul(imm);
    // SAFETY: slots of the current frame (module docs); in the order of the
    // two instructions (`addr` is read after `dst` is written).
    let p = unsafe {
        set(fp, dst, x);
        get::<u32>(fp, addr)
    };
    // A trap is the store's, the instruction after this one.
    let store = second!(ip, I32MulImmStore16, 0);
    write!(u16, p as usize + offset as usize, x, store, mem, cx);
    next!(second!(ip, I32MulImmStore16, 1), fp, mem, x as u64, cx, tbl, fa)
});

/// `dst = a + b` (i32), returned too: the address half of the
/// `I32Add{Store8Imm,Load8U}` pairs.
///
/// # Safety
/// The slots are cells of the frame at `fp` (module docs).
#[inline(always)]
unsafe fn add_address(fp: Fp, dst: u16, a: u16, b: u16) -> u32 {
    // SAFETY: the caller's obligation.
    unsafe {
        let p = get::<u32>(fp, a).wrapping_add(get(fp, b));
        set(fp, dst, p);
        p
    }
}

handler!(I32AddStore8Imm { dst, a, b, imm, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let p = unsafe { add_address(fp, dst, a, b) };
    // A trap is the store's, the instruction after this one.
    let store = second!(ip, I32AddStore8Imm, 0);
    write!(u8, p as usize + offset as usize, imm, store, mem, cx);
    // As the store leaves them: the address.
    next!(second!(ip, I32AddStore8Imm, 1), fp, mem, p as u64, cx, tbl, fa)
});

handler!(I32AddLoad8U { dst, a, b, ld, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let p = unsafe { add_address(fp, dst, a, b) };
    // A trap is the load's, the instruction after this one.
    let load = second!(ip, I32AddLoad8U, 0);
    let v = read!(u8, p as usize + offset as usize, load, mem, cx) as u32;
    // SAFETY: a slot of the current frame.
    unsafe { set(fp, ld, v) };
    let (acc, fa) = super::Acc::to_acc(v, fa);
    next!(second!(ip, I32AddLoad8U, 1), fp, mem, acc, cx, tbl, fa)
});

/// `{I64Load32U,I32Load8U,I32Load8S}AddTo`: a load of a `$t`, widened (by
/// `as`: zero- or sign-extended) to the `$w` of the addition with slot `a`.
macro_rules! load_add_to {
    ($($name:ident: $t:ty => $w:ty;)*) => {$(
        handler!($name { ld, addr, dst, a, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let p = unsafe { get::<u32>(fp, addr) };
            let v = read!($t, p as usize + offset as usize, ip, mem, cx) as $w;
            // SAFETY: slots of the current frame; in the order of the two
            // instructions (`a` is read after the load's result is written).
            let r = unsafe {
                set(fp, ld, v);
                let r = get::<$w>(fp, a).wrapping_add(v);
                set(fp, dst, r);
                r
            };
            let (acc, fa) = super::Acc::to_acc(r, fa);
            // The add, the next instruction, is done: skip it.
            next!(second!(ip, $name, 1), fp, mem, acc, cx, tbl, fa)
        });
    )*};
}
load_add_to! {
    I64Load32UAddTo: u32 => u64;
    I32Load8UAddTo: u8 => u32;
    I32Load8SAddTo: i8 => u32;
}

/// `I64Load{,Add}F64{Op}{A|B}`: the load, then `$op` with the loaded `f64`
/// on the left (`A`) or right (`B`) of slot `c`, read after the load's
/// result is written; the op (at the next instruction) is skipped. `$rmw`
/// (`I64LoadF64{Op}{A|B}Store`) stores the result back where the load read
/// (`mem[p] op= c`): the `I64StoreA` after it is skipped too.
macro_rules! load_f64_op {
    ($($plain:ident $added:ident $rmw:ident = $form:ident ($op:tt);)*) => {$(
        handler!($rmw { ld, addr, dst, c, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let p = unsafe { get::<u32>(fp, addr) };
            let ea = p as usize + offset as usize;
            let v = read!(u64, ea, ip, mem, cx);
            // SAFETY: slots of the current frame (module docs), in the order
            // of the instructions.
            let r = unsafe {
                set(fp, ld, v);
                let x = f64::from_bits(v);
                let y = get::<f64>(fp, c);
                let r = load_f64_op!(@ $form x y $op);
                set(fp, dst, r);
                r
            };
            // SAFETY: the load just read these 8 bytes (a memory never
            // shrinks), and the translator checked that neither result
            // changes the address slot.
            unsafe { std::ptr::write_unaligned(mem.add(ea) as *mut u64, r.to_bits().to_le()) };
            // As the store leaves them.
            let (acc, fa) = super::Acc::to_acc(r, fa);
            next!(second!(ip, $rmw, 2), fp, mem, acc, cx, tbl, fa)
        });
        handler!($plain { ld, addr, dst, c, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let p = unsafe { get::<u32>(fp, addr) };
            let v = read!(u64, p as usize + offset as usize, ip, mem, cx);
            load_f64_op!(@then $plain $form $op, v, ld, dst, c, ip, fp, mem, cx, tbl, fa)
        });
        handler!($added { ld, base, dst, c, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let p = unsafe { get::<u32>(fp, base) }.wrapping_add(imm);
            let v = read!(u64, p as usize, ip, mem, cx);
            load_f64_op!(@then $added $form $op, v, ld, dst, c, ip, fp, mem, cx, tbl, fa)
        });
    )*};
    (@then $name:ident $form:ident $op:tt, $v:ident, $ld:ident, $dst:ident, $c:ident, $ip:ident, $fp:ident, $mem:ident, $cx:ident, $tbl:ident, $fa:ident) => {{
        // SAFETY: slots of the current frame (module docs), in the order of
        // the two instructions.
        let r = unsafe {
            set($fp, $ld, $v);
            let x = f64::from_bits($v);
            let y = get::<f64>($fp, $c);
            let r = load_f64_op!(@ $form x y $op);
            set($fp, $dst, r);
            r
        };
        let (acc, fa) = super::Acc::to_acc(r, $fa);
        next!(after!($ip, $name), $fp, $mem, acc, $cx, $tbl, fa)
    }};
    (@ A $x:ident $y:ident $op:tt) => { $x $op $y };
    (@ B $x:ident $y:ident $op:tt) => { $y $op $x };
}
load_f64_op! {
    I64LoadF64AddA I64LoadAddF64AddA I64LoadF64AddAStore = A (+);
    I64LoadF64AddB I64LoadAddF64AddB I64LoadF64AddBStore = B (+);
    I64LoadF64SubA I64LoadAddF64SubA I64LoadF64SubAStore = A (-);
    I64LoadF64SubB I64LoadAddF64SubB I64LoadF64SubBStore = B (-);
    I64LoadF64MulA I64LoadAddF64MulA I64LoadF64MulAStore = A (*);
    I64LoadF64MulB I64LoadAddF64MulB I64LoadF64MulBStore = B (*);
}

/// `F64{Op}{A|B}Store`: the accumulator form of an `f64` operation (the
/// accumulator on the left, `A`, or right, `B`, of slot `c`), then the
/// `I64StoreA` of its result (the next instruction: its trap, skipped).
macro_rules! f64_op_store {
    ($($name:ident = $form:ident ($op:tt);)*) => {$(
        handler!($name { dst, c, addr, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            let x: f64 = from_acc(acc, fa);
            // SAFETY: slots of the current frame (module docs), in the order
            // of the two instructions (`addr` is read after `dst` is written).
            let (r, p) = unsafe {
                let y = get::<f64>(fp, c);
                let r = load_f64_op!(@ $form x y $op);
                set(fp, dst, r);
                (r, get::<u32>(fp, addr))
            };
            let store = second!(ip, $name, 0);
            write!(u64, p as usize + offset as usize, r.to_bits(), store, mem, cx);
            let (acc, fa) = super::Acc::to_acc(r, fa);
            next!(second!(ip, $name, 1), fp, mem, acc, cx, tbl, fa)
        });
    )*};
}
f64_op_store! {
    F64AddAStore = A (+);
    F64AddBStore = B (+);
    F64SubAStore = A (-);
    F64SubBStore = B (-);
    F64MulAStore = A (*);
    F64MulBStore = B (*);
}

handler!(I32LoadBrLtU { dst, b, offset, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: `ip` is this instruction.
    unsafe { load_br_lt_u(ip, from_acc(acc, fa), dst, b, offset, target, fp, mem, cx, tbl, fa) }
});

/// Runs the `I32LoadBrLtU { dst, b, offset, target }` at `ip` with address
/// `p`: `dst = mem[p + offset]`, then continue at `target` when `dst < b`
/// (unsigned), else after its branch. Also the tail of the
/// `I32AddImm2LoadBrLtU` join.
///
/// # Safety
/// As for a handler whose instruction is the `I32LoadBrLtU` at `ip`.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's state plus the operands
pub(super) unsafe fn load_br_lt_u(
    ip: Ip,
    p: u32,
    dst: u16,
    b: u16,
    offset: u32,
    target: u32,
    fp: Fp,
    mem: Mem,
    cx: &mut Cx<'_>,
    tbl: Table,
    fa: f64,
) -> Exit {
    let v = read!(u32, p as usize + offset as usize, ip, mem, cx);
    // SAFETY: slots of the current frame (the caller's contract); in the
    // order of the two instructions (`b` is read after the load's result is
    // written).
    let limit = unsafe {
        set(fp, dst, v);
        get::<u32>(fp, b)
    };
    let (acc, fa) = super::Acc::to_acc(v, fa);
    // The branch, the next instruction, is done: skip it.
    branch!(v < limit, ip => target, else second!(ip, I32LoadBrLtU, 1), fp, mem, acc, cx, tbl, fa)
}

handler!(I32AddImmLoad { dst, a, ld, addr, imm, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs); in the order of the
    // two instructions (`addr` is read after the sum is written).
    let p = unsafe {
        set(fp, dst, get::<u32>(fp, a).wrapping_add(imm as i32 as u32));
        get::<u32>(fp, addr)
    };
    // A trap is the load's, the instruction after this one.
    let load = second!(ip, I32AddImmLoad, 0);
    let v = read!(u32, p as usize + offset as usize, load, mem, cx);
    // SAFETY: a slot of the current frame.
    unsafe { set(fp, ld, v) };
    let (acc, fa) = super::Acc::to_acc(v, fa);
    next!(second!(ip, I32AddImmLoad, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32Load8UAddBrNe { dst, base, a, imm, target } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let p = unsafe { get::<u32>(fp, base) }.wrapping_add(imm);
    let v = read!(u8, p as usize, ip, mem, cx) as u32;
    // SAFETY: slots of the current frame; in the order of the two
    // instructions (`a` is read after the load's result is written).
    let other = unsafe {
        set(fp, dst, v);
        get::<u32>(fp, a)
    };
    let (acc, fa) = super::Acc::to_acc(v, fa);
    // The branch, the next instruction, is done: skip it.
    branch!(v != other, ip => target, else second!(ip, I32Load8UAddBrNe, 1), fp, mem, acc, cx, tbl, fa)
});

/// The product half of `I32LoadAddMul` and `I32LoadMul`: `ld = v`, then
/// `dst = a * v`; returns the product.
///
/// # Safety
/// The slots are cells of the frame at `fp` (module docs).
#[inline(always)]
unsafe fn load_product(fp: Fp, ld: u16, dst: u16, a: u16, v: u32) -> u32 {
    // SAFETY: the caller's obligation; in the order of the two instructions
    // (`a` is read after the load's result is written).
    unsafe {
        set(fp, ld, v);
        let r = get::<u32>(fp, a).wrapping_mul(v);
        set(fp, dst, r);
        r
    }
}

handler!(I32LoadAddMul { ld, base, dst, a, imm } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let p = unsafe { get::<u32>(fp, base) }.wrapping_add(imm);
    let v = read!(u32, p as usize, ip, mem, cx);
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { load_product(fp, ld, dst, a, v) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The multiplication, the next instruction, is done: skip it.
    next!(second!(ip, I32LoadAddMul, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32LoadMul { ld, addr, dst, a, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    let p = unsafe { get::<u32>(fp, addr) };
    let v = read!(u32, p as usize + offset as usize, ip, mem, cx);
    // SAFETY: slots of the current frame (module docs).
    let r = unsafe { load_product(fp, ld, dst, a, v) };
    let (acc, fa) = super::Acc::to_acc(r, fa);
    // The multiplication, the next instruction, is done: skip it.
    next!(second!(ip, I32LoadMul, 1), fp, mem, acc, cx, tbl, fa)
});

handler!(I32XorStore8 { dst, b, addr, offset } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs); in the order of the
    // two instructions.
    let (x, p) = unsafe {
        let x = from_acc::<u32>(acc, fa) ^ get::<u32>(fp, b);
        set(fp, dst, x);
        (x, get::<u32>(fp, addr))
    };
    // A trap is the store's, the instruction after this one.
    let store = second!(ip, I32XorStore8, 0);
    write!(u8, p as usize + offset as usize, x, store, mem, cx);
    next!(second!(ip, I32XorStore8, 1), fp, mem, x as u64, cx, tbl, fa)
});

/// `mem[addr + offset] = val as $t` handlers, their forms with the address
/// `base + imm` (wrapping 32-bit addition, offset 0), with a constant, with
/// the value from the accumulator, and with a constant effective address
/// (storing a slot or a constant).
macro_rules! store {
    ($($name:ident / $fused:ident / $imm:ident / $acc_form:ident / $at:ident / $imm_at:ident / $imm_acc:ident: $t:ty;)*) => {$(
        handler!($name { addr, val, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs).
            let (a, v) = unsafe { (get::<u32>(fp, addr), get::<u64>(fp, val)) };
            write!($t, a as usize + offset as usize, v, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($fused { base, imm, val } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: slots of the current frame (module docs).
            let (a, v) = unsafe { (get::<u32>(fp, base), get::<u64>(fp, val)) };
            write!($t, a.wrapping_add(imm) as usize, v, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($imm { addr, offset, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, addr) };
            write!($t, a as usize + offset as usize, imm as i32 as i64, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($acc_form { addr, offset } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, addr) };
            write!($t, a as usize + offset as usize, acc, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($at { val, ea } (ip, fp, mem, acc, cx, tbl, fa) {
            // SAFETY: a slot of the current frame (module docs).
            let v = unsafe { get::<u64>(fp, val) };
            write!($t, ea as usize, v, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($imm_at { ea, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            write!($t, ea as usize, imm as i32 as i64, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
        handler!($imm_acc { offset, imm } (ip, fp, mem, acc, cx, tbl, fa) {
            let a: u32 = from_acc(acc, fa);
            write!($t, a as usize + offset as usize, imm as i32 as i64, ip, mem, cx);
            next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
        });
    )*};
}

load! {
    I32Load / I32LoadAdd / I32LoadA / I32LoadAt: u32 => |v| v;
    I64Load / I64LoadAdd / I64LoadA / I64LoadAt: u64 => |v| f64::from_bits(v);
    I32Load8S / I32Load8SAdd / I32Load8SA / I32Load8SAt: u8 => |v| v as i8 as i32;
    I32Load8U / I32Load8UAdd / I32Load8UA / I32Load8UAt: u8 => |v| v as u32;
    I32Load16S / I32Load16SAdd / I32Load16SA / I32Load16SAt: u16 => |v| v as i16 as i32;
    I32Load16U / I32Load16UAdd / I32Load16UA / I32Load16UAt: u16 => |v| v as u32;
    I64Load8S / I64Load8SAdd / I64Load8SA / I64Load8SAt: u8 => |v| v as i8 as i64;
    I64Load8U / I64Load8UAdd / I64Load8UA / I64Load8UAt: u8 => |v| v as u64;
    I64Load16S / I64Load16SAdd / I64Load16SA / I64Load16SAt: u16 => |v| v as i16 as i64;
    I64Load16U / I64Load16UAdd / I64Load16UA / I64Load16UAt: u16 => |v| v as u64;
    I64Load32S / I64Load32SAdd / I64Load32SA / I64Load32SAt: u32 => |v| v as i32 as i64;
    I64Load32U / I64Load32UAdd / I64Load32UA / I64Load32UAt: u32 => |v| v as u64;
}

store! {
    I32Store / I32StoreAdd / I32StoreImm / I32StoreA / I32StoreAt / I32StoreImmAt / I32StoreImmA: u32;
    I64Store / I64StoreAdd / I64StoreImm / I64StoreA / I64StoreAt / I64StoreImmAt / I64StoreImmA: u64;
    I32Store8 / I32Store8Add / I32Store8Imm / I32Store8A / I32Store8At / I32Store8ImmAt / I32Store8ImmA: u8;
    I32Store16 / I32Store16Add / I32Store16Imm / I32Store16A / I32Store16At / I32Store16ImmAt / I32Store16ImmA: u16;
    I64Store8 / I64Store8Add / I64Store8Imm / I64Store8A / I64Store8At / I64Store8ImmAt / I64Store8ImmA: u8;
    I64Store16 / I64Store16Add / I64Store16Imm / I64Store16A / I64Store16At / I64Store16ImmAt / I64Store16ImmA: u16;
    I64Store32 / I64Store32Add / I64Store32Imm / I64Store32A / I64Store32At / I64Store32ImmAt / I64Store32ImmA: u32;
}

handler!(MemorySize { dst } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, (cx.mem_len / PAGE_SIZE) as u32) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(MemoryGrow { dst, delta } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: slots of the current frame (module docs).
    let d = unsafe { get::<u32>(fp, delta) };
    let memory = memory(cx);
    let old = memory.grow(d as u64).map_or(u32::MAX, |old| old as u32);
    // The base never moves; the length may have changed.
    cx.mem_len = memory.len();
    // SAFETY: as above.
    unsafe { set(fp, dst, old) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

/// Memory 0 of the current instance (validation guarantees it exists).
fn memory<'a>(cx: &'a mut Cx<'_>) -> &'a mut crate::runtime::memory::LinearMemory {
    &mut cx.store.memories[cx.mem_idx]
}

/// Reads the three `i32` operands of a bulk instruction at `args..`.
///
/// # Safety
/// `args..args + 3` are slots of the frame at `fp`.
unsafe fn three(fp: Fp, args: Slot) -> (usize, usize, usize) {
    // SAFETY: the caller's obligation.
    unsafe {
        (
            get::<u32>(fp, args) as usize,
            get::<u32>(fp, args + 1) as usize,
            get::<u32>(fp, args + 2) as usize,
        )
    }
}

handler!(MemoryFill { args } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, v, n) = unsafe { three(fp, args) };
    match memory(cx).data_mut().get_mut(d..d.saturating_add(n)) {
        Some(range) => range.fill(v as u8),
        None => return trap(cx, ip, TrapCode::MemoryOutOfBounds),
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(MemoryCopy { args } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe { three(fp, args) };
    let len = cx.mem_len;
    if d + n > len || s + n > len {
        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
    }
    memory(cx).data_mut().copy_within(s..s + n, d);
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(MemoryInit { data, args } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe { three(fp, args) };
    if let Err(code) = memory_init(cx.store, cx.inst, cx.mem_idx, data, d, s, n) {
        return trap(cx, ip, code);
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

/// `memory.init`: copies `n` bytes of data segment `data` (module index)
/// from `s` to memory `mem` at `d`.
fn memory_init(
    store: &mut Store,
    inst: u32,
    mem: usize,
    data: u32,
    d: usize,
    s: usize,
    n: usize,
) -> Result<(), TrapCode> {
    let di = store.instances[inst as usize].datas[data as usize] as usize;
    let seg: &[u8] = store.datas[di].as_deref().unwrap_or(&[]);
    let src = seg.get(s..s + n).ok_or(TrapCode::MemoryOutOfBounds)?;
    let dst = store.memories[mem]
        .data_mut()
        .get_mut(d..d + n)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    dst.copy_from_slice(src);
    Ok(())
}

handler!(DataDrop { data } (ip, fp, mem, acc, cx, tbl, fa) {
    let di = cx.store.instances[cx.inst as usize].datas[data as usize] as usize;
    cx.store.datas[di] = None;
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});
