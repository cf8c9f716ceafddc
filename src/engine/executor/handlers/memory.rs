//! Loads, stores and the bulk memory instructions (memory 0).

use super::{get, handler, set, trap};
use crate::core::limits::PAGE_SIZE;
use crate::core::TrapCode;
use crate::engine::executor::dispatch::{next, Cx};
use crate::runtime::Store;

/// Reads a `$t` at effective address `ea` (`usize`, at most 2^33) or
/// traps when it is not inside the memory.
macro_rules! read {
    ($t:ty, $ea:expr, $ip:ident, $mem:ident, $len:ident, $cx:ident) => {{
        let ea: usize = $ea;
        if ea + std::mem::size_of::<$t>() > $len {
            return trap($cx, $ip, TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `ea + size <= len`, the accessible length at `mem`.
        <$t>::from_le(unsafe { std::ptr::read_unaligned($mem.add(ea) as *const $t) })
    }};
}

/// Writes `$v as $t` at effective address `ea` or traps.
macro_rules! write {
    ($t:ty, $ea:expr, $v:expr, $ip:ident, $mem:ident, $len:ident, $cx:ident) => {{
        let ea: usize = $ea;
        if ea + std::mem::size_of::<$t>() > $len {
            return trap($cx, $ip, TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `ea + size <= len`, the accessible length at `mem`.
        unsafe { std::ptr::write_unaligned($mem.add(ea) as *mut $t, ($v as $t).to_le()) };
    }};
}

/// `dst = convert(mem[addr + offset])` handlers, and their forms with the
/// address `base + imm` (wrapping 32-bit addition, offset 0).
macro_rules! load {
    ($($name:ident / $fused:ident: $t:ty => |$v:ident| $conv:expr;)*) => {$(
        handler!($name { dst, addr, offset } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, addr) };
            let $v = read!($t, a as usize + offset as usize, ip, mem, len, cx);
            // SAFETY: a slot of the current frame.
            unsafe { set(fp, dst, $conv) };
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
        handler!($fused { dst, base, imm } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, base) }.wrapping_add(imm);
            let $v = read!($t, a as usize, ip, mem, len, cx);
            // SAFETY: a slot of the current frame.
            unsafe { set(fp, dst, $conv) };
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

/// `mem[addr + offset] = val as $t` handlers, their forms with the address
/// `base + imm` (wrapping 32-bit addition, offset 0) and with a constant.
macro_rules! store {
    ($($name:ident / $fused:ident / $imm:ident: $t:ty;)*) => {$(
        handler!($name { addr, val, offset } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let (a, v) = unsafe { (get::<u32>(fp, addr), get::<u64>(fp, val)) };
            write!($t, a as usize + offset as usize, v, ip, mem, len, cx);
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
        handler!($fused { base, imm, val } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: slots of the current frame (module docs).
            let (a, v) = unsafe { (get::<u32>(fp, base), get::<u64>(fp, val)) };
            write!($t, a.wrapping_add(imm) as usize, v, ip, mem, len, cx);
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
        handler!($imm { addr, offset, imm } (ip, fp, mem, len, cx, tbl) {
            // SAFETY: a slot of the current frame (module docs).
            let a = unsafe { get::<u32>(fp, addr) };
            write!($t, a as usize + offset as usize, imm as i32 as i64, ip, mem, len, cx);
            next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
        });
    )*};
}

load! {
    I32Load / I32LoadAdd: u32 => |v| v;
    I64Load / I64LoadAdd: u64 => |v| v;
    I32Load8S / I32Load8SAdd: u8 => |v| v as i8 as i32;
    I32Load8U / I32Load8UAdd: u8 => |v| v as u32;
    I32Load16S / I32Load16SAdd: u16 => |v| v as i16 as i32;
    I32Load16U / I32Load16UAdd: u16 => |v| v as u32;
    I64Load8S / I64Load8SAdd: u8 => |v| v as i8 as i64;
    I64Load8U / I64Load8UAdd: u8 => |v| v as u64;
    I64Load16S / I64Load16SAdd: u16 => |v| v as i16 as i64;
    I64Load16U / I64Load16UAdd: u16 => |v| v as u64;
    I64Load32S / I64Load32SAdd: u32 => |v| v as i32 as i64;
    I64Load32U / I64Load32UAdd: u32 => |v| v as u64;
}

store! {
    I32Store / I32StoreAdd / I32StoreImm: u32;
    I64Store / I64StoreAdd / I64StoreImm: u64;
    I32Store8 / I32Store8Add / I32Store8Imm: u8;
    I32Store16 / I32Store16Add / I32Store16Imm: u16;
    I64Store8 / I64Store8Add / I64Store8Imm: u8;
    I64Store16 / I64Store16Add / I64Store16Imm: u16;
    I64Store32 / I64Store32Add / I64Store32Imm: u32;
}

handler!(MemorySize { dst } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, (len / PAGE_SIZE) as u32) };
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

handler!(MemoryGrow { dst, delta } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: slots of the current frame (module docs).
    let d = unsafe { get::<u32>(fp, delta) };
    let old = memory(cx).grow(d as u64).map_or(u32::MAX, |old| old as u32);
    // SAFETY: as above.
    unsafe { set(fp, dst, old) };
    // The base never moves; the length changed.
    // SAFETY: `mem_len` points at the current memory's length.
    let len = unsafe { *cx.mem_len };
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

/// Memory 0 of the current instance (validation guarantees it exists).
fn memory<'a>(cx: &'a mut Cx<'_>) -> &'a mut crate::runtime::memory::LinearMemory {
    &mut cx.store.memories[cx.mem_idx]
}

/// Reads the three `i32` operands of a bulk instruction at `args..`.
///
/// # Safety
/// `args..args + 3` are slots of the frame at `fp`.
unsafe fn three(fp: crate::engine::executor::dispatch::Fp, args: u32) -> (usize, usize, usize) {
    // SAFETY: the caller's obligation.
    unsafe {
        (
            get::<u32>(fp, args) as usize,
            get::<u32>(fp, args + 1) as usize,
            get::<u32>(fp, args + 2) as usize,
        )
    }
}

handler!(MemoryFill { args } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, v, n) = unsafe { three(fp, args) };
    match memory(cx).data_mut().get_mut(d..d.saturating_add(n)) {
        Some(range) => range.fill(v as u8),
        None => return trap(cx, ip, TrapCode::MemoryOutOfBounds),
    }
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

handler!(MemoryCopy { args } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe { three(fp, args) };
    if d + n > len || s + n > len {
        return trap(cx, ip, TrapCode::MemoryOutOfBounds);
    }
    memory(cx).data_mut().copy_within(s..s + n, d);
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});

handler!(MemoryInit { data, args } (ip, fp, mem, len, cx, tbl) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe { three(fp, args) };
    if let Err(code) = memory_init(cx.store, cx.inst, cx.mem_idx, data, d, s, n) {
        return trap(cx, ip, code);
    }
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
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

handler!(DataDrop { data } (ip, fp, mem, len, cx, tbl) {
    let di = cx.store.instances[cx.inst as usize].datas[data as usize] as usize;
    cx.store.datas[di] = None;
    next!(ip.wrapping_add(1), fp, mem, len, cx, tbl)
});
