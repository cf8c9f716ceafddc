//! Globals, tables, element segments and function references. The work is
//! done by safe functions on the store; handlers read operands and continue.

use super::{get, handler, set, trap};
use crate::core::TrapCode;
use crate::engine::executor::dispatch::next;
use crate::runtime::Store;

/// Store index of table `table` (module index) of instance `inst`.
fn table_of(store: &Store, inst: u32, table: u32) -> usize {
    store.instances[inst as usize].tables[table as usize] as usize
}

handler!(RefFunc { dst, func } (ip, fp, mem, acc, cx, tbl, fa) {
    let f = cx.store.instances[cx.inst as usize].funcs[func as usize];
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, f as u64 + 1) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(GlobalGet { dst, global } (ip, fp, mem, acc, cx, tbl, fa) {
    let g = cx.store.instances[cx.inst as usize].globals[global as usize];
    let v = cx.store.globals[g as usize].value;
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, v) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(GlobalSet { global, src } (ip, fp, mem, acc, cx, tbl, fa) {
    let g = cx.store.instances[cx.inst as usize].globals[global as usize];
    // SAFETY: a slot of the current frame (module docs).
    cx.store.globals[g as usize].value = unsafe { get(fp, src) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableGet { dst, table, index } (ip, fp, mem, acc, cx, tbl, fa) {
    let t = table_of(cx.store, cx.inst, table);
    // SAFETY: a slot of the current frame (module docs).
    let i = unsafe { get::<u32>(fp, index) } as usize;
    match cx.store.tables[t].elems.get(i) {
        // SAFETY: as above.
        Some(&c) => unsafe { set(fp, dst, c) },
        None => return trap(cx, ip, TrapCode::TableOutOfBounds),
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableSet { table, index, value } (ip, fp, mem, acc, cx, tbl, fa) {
    let t = table_of(cx.store, cx.inst, table);
    // SAFETY: slots of the current frame (module docs).
    let (i, v) = unsafe { (get::<u32>(fp, index) as usize, get::<u64>(fp, value)) };
    match cx.store.tables[t].elems.get_mut(i) {
        Some(c) => *c = v,
        None => return trap(cx, ip, TrapCode::TableOutOfBounds),
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableSize { dst, table } (ip, fp, mem, acc, cx, tbl, fa) {
    let t = table_of(cx.store, cx.inst, table);
    let n = cx.store.tables[t].elems.len() as u32;
    // SAFETY: a slot of the current frame (module docs).
    unsafe { set(fp, dst, n) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableGrow { table, args } (ip, fp, mem, acc, cx, tbl, fa) {
    let t = table_of(cx.store, cx.inst, table);
    // SAFETY: the operands are slots of the current frame (module docs).
    let (init, delta) = unsafe { (get::<u64>(fp, args), get::<u32>(fp, args + 1)) };
    let old = cx.store.tables[t].grow(delta as u64, init).map_or(u32::MAX, |old| old as u32);
    // SAFETY: as above.
    unsafe { set(fp, args, old) };
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableFill { table, args } (ip, fp, mem, acc, cx, tbl, fa) {
    let t = table_of(cx.store, cx.inst, table);
    // SAFETY: the operands are slots of the current frame (module docs).
    let (i, v, n) = unsafe {
        (get::<u32>(fp, args) as usize, get::<u64>(fp, args + 1), get::<u32>(fp, args + 2) as usize)
    };
    match cx.store.tables[t].elems.get_mut(i..i + n) {
        Some(range) => range.fill(v),
        None => return trap(cx, ip, TrapCode::TableOutOfBounds),
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

handler!(TableCopy { dst_table, src_table, args } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe {
        (get::<u32>(fp, args) as usize, get::<u32>(fp, args + 1) as usize, get::<u32>(fp, args + 2) as usize)
    };
    let (dt, st) = (table_of(cx.store, cx.inst, dst_table), table_of(cx.store, cx.inst, src_table));
    if let Err(code) = table_copy(cx.store, dt, st, d, s, n) {
        return trap(cx, ip, code);
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

/// `table.copy` between store tables `dt` and `st`.
fn table_copy(store: &mut Store, dt: usize, st: usize, d: usize, s: usize, n: usize) -> Result<(), TrapCode> {
    if s + n > store.tables[st].elems.len() || d + n > store.tables[dt].elems.len() {
        return Err(TrapCode::TableOutOfBounds);
    }
    if dt == st {
        store.tables[dt].elems.copy_within(s..s + n, d);
    } else {
        let (to, from) = if dt < st {
            let (lo, hi) = store.tables.split_at_mut(st);
            (&mut lo[dt], &hi[0])
        } else {
            let (lo, hi) = store.tables.split_at_mut(dt);
            (&mut hi[0], &lo[st])
        };
        to.elems[d..d + n].copy_from_slice(&from.elems[s..s + n]);
    }
    Ok(())
}

handler!(TableInit { table, elem, args } (ip, fp, mem, acc, cx, tbl, fa) {
    // SAFETY: the operands are slots of the current frame (module docs).
    let (d, s, n) = unsafe {
        (get::<u32>(fp, args) as usize, get::<u32>(fp, args + 1) as usize, get::<u32>(fp, args + 2) as usize)
    };
    if let Err(code) = table_init(cx.store, cx.inst, table, elem, d, s, n) {
        return trap(cx, ip, code);
    }
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});

/// `table.init`: copies `n` entries of element segment `elem` from `s` to
/// table `table` at `d` (module indices of instance `inst`).
fn table_init(
    store: &mut Store,
    inst: u32,
    table: u32,
    elem: u32,
    d: usize,
    s: usize,
    n: usize,
) -> Result<(), TrapCode> {
    let t = table_of(store, inst, table);
    let e = store.instances[inst as usize].elems[elem as usize] as usize;
    let seg: &[u64] = store.elems[e].as_deref().unwrap_or(&[]);
    let src = seg.get(s..s + n).ok_or(TrapCode::TableOutOfBounds)?;
    let dst = store.tables[t]
        .elems
        .get_mut(d..d + n)
        .ok_or(TrapCode::TableOutOfBounds)?;
    dst.copy_from_slice(src);
    Ok(())
}

handler!(ElemDrop { elem } (ip, fp, mem, acc, cx, tbl, fa) {
    let e = cx.store.instances[cx.inst as usize].elems[elem as usize] as usize;
    cx.store.elems[e] = None;
    next!(ip.skip(WIDTH), fp, mem, acc, cx, tbl, fa)
});
