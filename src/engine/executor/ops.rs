//! The dispatch loop and the semantics of every instruction.
//!
//! Registers of the loop: `code`/`pc` (current function's code and the next
//! instruction), `fp` (first cell of the current frame), `inst` (current
//! instance) and `mem_base`/`mem_len` (memory 0 of that instance, reloaded
//! after anything that may change it: calls, returns, `memory.grow`).

use super::{backtrace, check_host_results, Frame, Stack};
use crate::core::num;
use crate::core::{Trap, TrapCode, Val};
use crate::ir::Instr;
use crate::runtime::func::{CallTarget, FuncKind};
use crate::runtime::{Caller, Store};

/// What the loop caches about the current instance: its call targets and
/// the store index of its memory 0 (`usize::MAX` if it has none).
#[inline]
fn instance_view(store: &Store, inst: u32) -> (*const CallTarget, usize) {
    let entity = &store.instances[inst as usize];
    let mem = entity.memories.first().map_or(usize::MAX, |&m| m as usize);
    (entity.targets.as_ptr(), mem)
}

/// Base and length of memory `mem` (a store index from `instance_view`).
#[inline]
fn memory_view(store: &Store, mem: usize) -> (*mut u8, usize) {
    match store.memories.get(mem) {
        Some(m) => (m.base_ptr(), m.len()),
        None => (std::ptr::NonNull::<u8>::dangling().as_ptr(), 0),
    }
}

/// Runs wasm function `func` (store index) with `args` placed at cell 0.
/// On success the results are in cells `0..n_results`.
pub(super) fn run(store: &mut Store, stack: &mut Stack, func: u32, args: &[Val]) -> Result<(), Trap> {
    let cap = stack.cells.len();
    let max_depth = store.max_call_depth as usize;

    let (mut inst, mut code, frame_size, np, nl) = match &store.funcs[func as usize].kind {
        FuncKind::Wasm {
            instance,
            module,
            def,
        } => {
            let cf = &module.info().code[*def as usize];
            (
                *instance,
                cf.code.as_ptr(),
                cf.frame_size as usize,
                cf.num_params as usize,
                cf.num_locals as usize,
            )
        }
        FuncKind::Host(_) => return Err(Trap::host("internal: run called on a host function")),
    };
    if frame_size > cap {
        return Err(Trap::new(TrapCode::StackExhausted));
    }
    for (i, a) in args.iter().enumerate().take(np) {
        stack.cells[i] = a.to_cell();
    }
    stack.cells[np..nl].fill(0);
    let cells: *mut u64 = stack.cells.as_mut_ptr();
    // Callers' frames; the buffer is reused between invocations.
    let mut saved: Vec<Frame> = std::mem::take(&mut stack.frames);
    saved.clear();

    let mut func = func;
    let mut base: usize = 0;
    let mut fp: *mut u64 = cells;
    let mut pc: *const Instr = code;
    let (mut targets, mut mem_idx) = instance_view(store, inst);
    let (mut mem_base, mut mem_len) = memory_view(store, mem_idx);

    // SAFETY (for every use of the macros below): `fp + slot` lies inside
    // the value stack because the translator only emits slots below the
    // function's `frame_size` and every frame is entered only after checking
    // `base + frame_size <= cap`. `pc` stays inside the current function's
    // code because every function ends in `Return`/`Br`/`Unreachable` and
    // branch targets are indices produced by the translator for that code.
    // The code is owned by `Arc`ed modules held by the store's function
    // entities, which are never removed while the store lives; a host call
    // that replaces the store is detected by its id before `pc` is used.
    macro_rules! get {
        ($s:expr) => {
            unsafe { *fp.add($s as usize) }
        };
    }
    macro_rules! set {
        ($s:expr, $v:expr) => {{
            let v: u64 = $v;
            unsafe { *fp.add($s as usize) = v }
        }};
    }
    macro_rules! r32 {
        ($s:expr) => {
            get!($s) as u32
        };
    }
    macro_rules! f32v {
        ($s:expr) => {
            f32::from_bits(get!($s) as u32)
        };
    }
    macro_rules! f64v {
        ($s:expr) => {
            f64::from_bits(get!($s))
        };
    }
    macro_rules! pc_index {
        () => {
            unsafe { pc.offset_from(code) as usize }
        };
    }
    // Leaves the loop with a trap; the backtrace is built after the loop,
    // out of the hot code.
    macro_rules! trap {
        ($e:expr) => {{
            break Exit::Trap($e);
        }};
    }
    macro_rules! trapc {
        ($c:expr) => {
            trap!(Trap::new($c))
        };
    }
    macro_rules! tr {
        ($r:expr) => {
            match $r {
                Ok(v) => v,
                Err(c) => trapc!(c),
            }
        };
    }
    macro_rules! ea {
        ($addr:expr, $off:expr, $n:expr) => {{
            let ea = (get!($addr) as u32 as u64) + ($off as u64);
            if ea + $n > mem_len as u64 {
                trapc!(TrapCode::MemoryOutOfBounds);
            }
            // SAFETY: `ea + n <= mem_len`, the accessible length of memory 0.
            unsafe { mem_base.add(ea as usize) }
        }};
    }
    macro_rules! load {
        ($dst:expr, $addr:expr, $off:expr, $t:ty, $conv:expr) => {{
            let p = ea!($addr, $off, std::mem::size_of::<$t>() as u64);
            // SAFETY: `p` points at `size_of::<$t>()` accessible bytes.
            let raw = <$t>::from_le(unsafe { std::ptr::read_unaligned(p as *const $t) });
            let conv: fn($t) -> u64 = $conv;
            set!($dst, conv(raw))
        }};
    }
    macro_rules! store_ {
        ($addr:expr, $val:expr, $off:expr, $t:ty) => {{
            let v = get!($val) as $t;
            let p = ea!($addr, $off, std::mem::size_of::<$t>() as u64);
            // SAFETY: `p` points at `size_of::<$t>()` accessible bytes.
            unsafe { std::ptr::write_unaligned(p as *mut $t, v.to_le()) }
        }};
    }
    macro_rules! b2c {
        ($b:expr) => {
            ($b) as u64
        };
    }
    macro_rules! c32 {
        ($v:expr) => {
            ($v) as u32 as u64
        };
    }
    macro_rules! cf32 {
        ($v:expr) => {
            (($v) as f32).to_bits() as u64
        };
    }
    macro_rules! cf64 {
        ($v:expr) => {
            (($v) as f64).to_bits()
        };
    }
    macro_rules! reload_mem {
        () => {{
            let (b, l) = memory_view(store, mem_idx);
            mem_base = b;
            mem_len = l;
        }};
    }
    macro_rules! switch_instance {
        ($new:expr) => {{
            inst = $new;
            (targets, mem_idx) = instance_view(store, inst);
            reload_mem!();
        }};
    }
    // Calls `$target` (a `CallTarget`) with arguments at slot `$b`.
    macro_rules! call {
        ($target:expr, $b:expr) => {{
            let target: CallTarget = $target;
            let b = $b as usize;
            if !target.code.is_null() {
                // SAFETY: see `CallTarget`: the code outlives the store.
                let cf = unsafe { &*target.code };
                let new_base = base + b;
                if saved.len() >= max_depth || new_base + cf.frame_size as usize > cap {
                    trapc!(TrapCode::StackExhausted);
                }
                let (np, nl) = (cf.num_params as usize, cf.num_locals as usize);
                for i in new_base + np..new_base + nl {
                    // SAFETY: i < new_base + frame_size <= cap.
                    unsafe { *cells.add(i) = 0 };
                }
                saved.push(Frame {
                    func,
                    inst,
                    pc: pc_index!(),
                    base,
                    code,
                });
                func = target.func;
                base = new_base;
                // SAFETY: new_base < cap (checked above).
                fp = unsafe { cells.add(base) };
                code = cf.code.as_ptr();
                pc = code;
                if target.instance != inst {
                    switch_instance!(target.instance);
                }
            } else {
                // SAFETY: the arguments and results occupy slots
                // `b..b + max(params, results)` of the current frame, which
                // the translator reserved.
                let args = unsafe { fp.add(b) };
                match call_host(store, stack, target.func, args, inst) {
                    Ok(()) => {}
                    Err(None) => break Exit::Replaced,
                    Err(Some(t)) => trap!(t),
                }
                reload_mem!();
            }
        }};
    }

    // Integer operand views for the generated families.
    macro_rules! as_ty {
        (u32, $v:expr) => {
            ($v) as u32
        };
        (i32, $v:expr) => {
            ($v) as u32 as i32
        };
        (u64, $v:expr) => {
            ($v)
        };
        (i64, $v:expr) => {
            ($v) as i64
        };
    }
    // A 32-bit immediate widened to the operand type (sign-extended).
    macro_rules! imm_as {
        (u32, $v:expr) => {
            ($v) as u32
        };
        (i32, $v:expr) => {
            ($v) as i32
        };
        (u64, $v:expr) => {
            ($v) as i32 as i64 as u64
        };
        (i64, $v:expr) => {
            ($v) as i32 as i64
        };
    }
    // Back to a cell: 32-bit results are zero-extended.
    macro_rules! to_cell {
        (u32, $v:expr) => {
            ($v) as u64
        };
        (i32, $v:expr) => {
            ($v) as u32 as u64
        };
        (u64, $v:expr) => {
            ($v)
        };
        (i64, $v:expr) => {
            ($v) as u64
        };
    }
    macro_rules! arith {
        ($t:ident, wrapping_add, $a:expr, $b:expr) => {
            $a.wrapping_add($b)
        };
        ($t:ident, wrapping_sub, $a:expr, $b:expr) => {
            $a.wrapping_sub($b)
        };
        ($t:ident, wrapping_mul, $a:expr, $b:expr) => {
            $a.wrapping_mul($b)
        };
        ($t:ident, bitand, $a:expr, $b:expr) => {
            $a & $b
        };
        ($t:ident, bitor, $a:expr, $b:expr) => {
            $a | $b
        };
        ($t:ident, bitxor, $a:expr, $b:expr) => {
            $a ^ $b
        };
        ($t:ident, shl, $a:expr, $b:expr) => {
            $a.wrapping_shl($b as u32)
        };
        ($t:ident, shr, $a:expr, $b:expr) => {
            $a.wrapping_shr($b as u32)
        };
    }
    let exit = loop {
        // SAFETY: see above; `pc` points at an instruction of the current code.
        let instr = unsafe { *pc };
        // SAFETY: the next instruction exists or this one transfers control.
        pc = unsafe { pc.add(1) };
        macro_rules! exec_match {
            (
                binop: [$($bin:ident)*]
                tbinop: [$($tbin:ident)*]
                unop: [$($un:ident)*]
                tunop: [$($tun:ident)*]
                load: [$($ld:ident)*]
                store: [$($st:ident)*]
                cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cneg:ident $cty:ident $cop:tt))*]
                arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident))*]
            ) => {
                match instr {
                    $(
                        Instr::$cv { dst, a, b } => {
                            set!(dst, b2c!(as_ty!($cty, get!(a)) $cop as_ty!($cty, get!(b))))
                        }
                        Instr::$cvi { dst, a, imm } => {
                            set!(dst, b2c!(as_ty!($cty, get!(a)) $cop imm_as!($cty, imm)))
                        }
                        Instr::$cb { a, b, target } => {
                            if as_ty!($cty, get!(a)) $cop as_ty!($cty, get!(b)) {
                                // SAFETY: targets index into the current code.
                                pc = unsafe { code.add(target as usize) };
                            }
                        }
                        Instr::$cbi { a, imm, target } => {
                            if as_ty!($cty, get!(a)) $cop imm_as!($cty, imm) {
                                // SAFETY: targets index into the current code.
                                pc = unsafe { code.add(target as usize) };
                            }
                        }
                    )*
                    $(
                        Instr::$ai { dst, a, imm } => {
                            set!(dst, to_cell!($aty, arith!($aty, $aop, as_ty!($aty, get!(a)), imm_as!($aty, imm))))
                        }
                    )*
                Instr::Unreachable => trapc!(TrapCode::Unreachable),
                Instr::Br { target } => {
                    // SAFETY: targets index into the current code.
                    pc = unsafe { code.add(target as usize) };
                }
                Instr::BrIfNez { cond, target } => {
                    if r32!(cond) != 0 {
                        // SAFETY: as for `Br`.
                        pc = unsafe { code.add(target as usize) };
                    }
                }
                Instr::BrIfEqz { cond, target } => {
                    if r32!(cond) == 0 {
                        // SAFETY: as for `Br`.
                        pc = unsafe { code.add(target as usize) };
                    }
                }
                Instr::BrTable { index, len } => {
                    let i = r32!(index).min(len);
                    // SAFETY: `len + 1` entries follow the table.
                    pc = unsafe { pc.add(i as usize) };
                }
                Instr::Return { src, n } => {
                    if n > 0 && src != 0 {
                        // SAFETY: both ranges lie inside the frame; `copy`
                        // handles the overlap.
                        unsafe { std::ptr::copy(fp.add(src as usize), fp, n as usize) };
                    }
                    match saved.pop() {
                        None => {
                            break Exit::Done;
                        }
                        Some(s) => {
                            func = s.func;
                            base = s.base;
                            // SAFETY: a saved frame was valid when it was saved.
                            fp = unsafe { cells.add(base) };
                            code = s.code;
                            // SAFETY: the saved pc is inside the saved code.
                            pc = unsafe { code.add(s.pc) };
                            if s.inst != inst {
                                switch_instance!(s.inst);
                            } else {
                                // The callee may have grown the memory.
                                reload_mem!();
                            }
                        }
                    }
                }
                Instr::Call { func: f, base: b } => {
                    // SAFETY: `f` is a validated index into the function
                    // space, which `targets` covers.
                    let target = unsafe { *targets.add(f as usize) };
                    call!(target, b);
                }
                Instr::CallIndirect {
                    type_index,
                    table,
                    base: b,
                } => {
                    let entity = &store.instances[inst as usize];
                    let info = entity.module.info();
                    let np = info.types[type_index as usize].params().len();
                    let expected = entity.module.type_ids()[type_index as usize];
                    let idx = r32!(b as usize + np) as usize;
                    let t = entity.tables[table as usize] as usize;
                    let cell = match store.tables[t].elems.get(idx) {
                        Some(&c) => c,
                        None => trapc!(TrapCode::UndefinedElement),
                    };
                    if cell == 0 {
                        trapc!(TrapCode::IndirectCallToNull);
                    }
                    let callee = (cell - 1) as u32;
                    let entity = &store.funcs[callee as usize];
                    if entity.type_id != expected {
                        trapc!(TrapCode::IndirectCallTypeMismatch);
                    }
                    let target = entity.call_target(callee);
                    call!(target, b);
                }
                Instr::Copy { dst, src } => set!(dst, get!(src)),
                Instr::Const { dst, val } => set!(dst, val),
                Instr::Select { dst, b, cond } => {
                    if r32!(cond) == 0 {
                        set!(dst, get!(b));
                    }
                }
                Instr::RefFunc { dst, func: f } => {
                    set!(dst, store.instances[inst as usize].funcs[f as usize] as u64 + 1)
                }
                Instr::GlobalGet { dst, global } => {
                    let g = store.instances[inst as usize].globals[global as usize];
                    set!(dst, store.globals[g as usize].value)
                }
                Instr::GlobalSet { global, src } => {
                    let g = store.instances[inst as usize].globals[global as usize];
                    store.globals[g as usize].value = get!(src);
                }
                Instr::TableGet { dst, table, index } => {
                    let t = store.instances[inst as usize].tables[table as usize] as usize;
                    match store.tables[t].elems.get(r32!(index) as usize) {
                        Some(&c) => set!(dst, c),
                        None => trapc!(TrapCode::TableOutOfBounds),
                    }
                }
                Instr::TableSet { table, index, value } => {
                    let t = store.instances[inst as usize].tables[table as usize] as usize;
                    let v = get!(value);
                    match store.tables[t].elems.get_mut(r32!(index) as usize) {
                        Some(c) => *c = v,
                        None => trapc!(TrapCode::TableOutOfBounds),
                    }
                }
                Instr::TableSize { dst, table } => {
                    let t = store.instances[inst as usize].tables[table as usize] as usize;
                    set!(dst, c32!(store.tables[t].elems.len()))
                }
                Instr::TableGrow { table, args } => {
                    let t = store.instances[inst as usize].tables[table as usize] as usize;
                    let init = get!(args);
                    let delta = r32!(args + 1) as u64;
                    let r = match store.tables[t].grow(delta, init) {
                        Some(old) => old as u32,
                        None => u32::MAX,
                    };
                    set!(args, r as u64)
                }
                Instr::TableFill { table, args } => {
                    let t = store.instances[inst as usize].tables[table as usize] as usize;
                    let (i, v, n) = (r32!(args) as usize, get!(args + 1), r32!(args + 2) as usize);
                    let elems = &mut store.tables[t].elems;
                    if i + n > elems.len() {
                        trapc!(TrapCode::TableOutOfBounds);
                    }
                    elems[i..i + n].fill(v);
                }
                Instr::TableCopy {
                    dst_table,
                    src_table,
                    args,
                } => {
                    let entity = &store.instances[inst as usize];
                    let dt = entity.tables[dst_table as usize] as usize;
                    let st = entity.tables[src_table as usize] as usize;
                    let (d, s, n) = (
                        r32!(args) as usize,
                        r32!(args + 1) as usize,
                        r32!(args + 2) as usize,
                    );
                    if s + n > store.tables[st].elems.len() || d + n > store.tables[dt].elems.len() {
                        trapc!(TrapCode::TableOutOfBounds);
                    }
                    if dt == st {
                        store.tables[dt].elems.copy_within(s..s + n, d);
                    } else {
                        let (a, b) = if dt < st {
                            let (lo, hi) = store.tables.split_at_mut(st);
                            (&mut lo[dt], &hi[0])
                        } else {
                            let (lo, hi) = store.tables.split_at_mut(dt);
                            (&mut hi[0], &lo[st])
                        };
                        a.elems[d..d + n].copy_from_slice(&b.elems[s..s + n]);
                    }
                }
                Instr::TableInit { table, elem, args } => {
                    let entity = &store.instances[inst as usize];
                    let t = entity.tables[table as usize] as usize;
                    let e = entity.elems[elem as usize] as usize;
                    let (d, s, n) = (
                        r32!(args) as usize,
                        r32!(args + 1) as usize,
                        r32!(args + 2) as usize,
                    );
                    let seg: &[u64] = store.elems[e].as_deref().unwrap_or(&[]);
                    if s + n > seg.len() || d + n > store.tables[t].elems.len() {
                        trapc!(TrapCode::TableOutOfBounds);
                    }
                    let (tables, elems) = (&mut store.tables, &store.elems);
                    let seg: &[u64] = elems[e].as_deref().unwrap_or(&[]);
                    tables[t].elems[d..d + n].copy_from_slice(&seg[s..s + n]);
                }
                Instr::ElemDrop { elem } => {
                    let e = store.instances[inst as usize].elems[elem as usize] as usize;
                    store.elems[e] = None;
                }
                Instr::MemorySize { dst } => set!(dst, (mem_len / crate::core::limits::PAGE_SIZE) as u64),
                Instr::MemoryGrow { dst, delta } => {
                    let m = store.instances[inst as usize].memories[0] as usize;
                    let r = match store.memories[m].grow(r32!(delta) as u64) {
                        Some(old) => old as u32,
                        None => u32::MAX,
                    };
                    reload_mem!();
                    set!(dst, r as u64)
                }
                Instr::MemoryFill { args } => {
                    let (d, v, n) = (r32!(args) as usize, r32!(args + 1) as u8, r32!(args + 2) as usize);
                    if d + n > mem_len {
                        trapc!(TrapCode::MemoryOutOfBounds);
                    }
                    let m = store.instances[inst as usize].memories[0] as usize;
                    store.memories[m].data_mut()[d..d + n].fill(v);
                }
                Instr::MemoryCopy { args } => {
                    let (d, s, n) = (
                        r32!(args) as usize,
                        r32!(args + 1) as usize,
                        r32!(args + 2) as usize,
                    );
                    if d + n > mem_len || s + n > mem_len {
                        trapc!(TrapCode::MemoryOutOfBounds);
                    }
                    let m = store.instances[inst as usize].memories[0] as usize;
                    store.memories[m].data_mut().copy_within(s..s + n, d);
                }
                Instr::MemoryInit { data, args } => {
                    let entity = &store.instances[inst as usize];
                    let di = entity.datas[data as usize] as usize;
                    let m = entity.memories[0] as usize;
                    let (d, s, n) = (
                        r32!(args) as usize,
                        r32!(args + 1) as usize,
                        r32!(args + 2) as usize,
                    );
                    let seg: &[u8] = store.datas[di].as_deref().unwrap_or(&[]);
                    if s + n > seg.len() || d + n > mem_len {
                        trapc!(TrapCode::MemoryOutOfBounds);
                    }
                    let (memories, datas) = (&mut store.memories, &store.datas);
                    let seg: &[u8] = datas[di].as_deref().unwrap_or(&[]);
                    memories[m].data_mut()[d..d + n].copy_from_slice(&seg[s..s + n]);
                }
                Instr::DataDrop { data } => {
                    let di = store.instances[inst as usize].datas[data as usize] as usize;
                    store.datas[di] = None;
                }

                // Loads and stores.
                Instr::I32Load { dst, addr, offset } => load!(dst, addr, offset, u32, |v| v as u64),
                Instr::I64Load { dst, addr, offset } => load!(dst, addr, offset, u64, |v| v),
                Instr::I32Load8S { dst, addr, offset } => {
                    load!(dst, addr, offset, u8, |v| v as i8 as i32 as u32 as u64)
                }
                Instr::I32Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, |v| v as u64),
                Instr::I32Load16S { dst, addr, offset } => {
                    load!(dst, addr, offset, u16, |v| v as i16 as i32 as u32 as u64)
                }
                Instr::I32Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, |v| v as u64),
                Instr::I64Load8S { dst, addr, offset } => load!(dst, addr, offset, u8, |v| v as i8 as i64 as u64),
                Instr::I64Load8U { dst, addr, offset } => load!(dst, addr, offset, u8, |v| v as u64),
                Instr::I64Load16S { dst, addr, offset } => {
                    load!(dst, addr, offset, u16, |v| v as i16 as i64 as u64)
                }
                Instr::I64Load16U { dst, addr, offset } => load!(dst, addr, offset, u16, |v| v as u64),
                Instr::I64Load32S { dst, addr, offset } => {
                    load!(dst, addr, offset, u32, |v| v as i32 as i64 as u64)
                }
                Instr::I64Load32U { dst, addr, offset } => load!(dst, addr, offset, u32, |v| v as u64),
                Instr::I32Store { addr, val, offset } => store_!(addr, val, offset, u32),
                Instr::I64Store { addr, val, offset } => store_!(addr, val, offset, u64),
                Instr::I32Store8 { addr, val, offset } | Instr::I64Store8 { addr, val, offset } => {
                    store_!(addr, val, offset, u8)
                }
                Instr::I32Store16 { addr, val, offset } | Instr::I64Store16 { addr, val, offset } => {
                    store_!(addr, val, offset, u16)
                }
                Instr::I64Store32 { addr, val, offset } => store_!(addr, val, offset, u32),

                // i32 arithmetic.
                Instr::I32Add { dst, a, b } => set!(dst, c32!(r32!(a).wrapping_add(r32!(b)))),
                Instr::I32Sub { dst, a, b } => set!(dst, c32!(r32!(a).wrapping_sub(r32!(b)))),
                Instr::I32Mul { dst, a, b } => set!(dst, c32!(r32!(a).wrapping_mul(r32!(b)))),
                Instr::I32DivS { dst, a, b } => {
                    set!(dst, c32!(tr!(num::i32_div_s(r32!(a) as i32, r32!(b) as i32))))
                }
                Instr::I32DivU { dst, a, b } => set!(dst, c32!(tr!(num::i32_div_u(r32!(a), r32!(b))))),
                Instr::I32RemS { dst, a, b } => {
                    set!(dst, c32!(tr!(num::i32_rem_s(r32!(a) as i32, r32!(b) as i32))))
                }
                Instr::I32RemU { dst, a, b } => set!(dst, c32!(tr!(num::i32_rem_u(r32!(a), r32!(b))))),
                Instr::I32And { dst, a, b } => set!(dst, c32!(r32!(a) & r32!(b))),
                Instr::I32Or { dst, a, b } => set!(dst, c32!(r32!(a) | r32!(b))),
                Instr::I32Xor { dst, a, b } => set!(dst, c32!(r32!(a) ^ r32!(b))),
                Instr::I32Shl { dst, a, b } => set!(dst, c32!(r32!(a).wrapping_shl(r32!(b)))),
                Instr::I32ShrS { dst, a, b } => set!(dst, c32!((r32!(a) as i32).wrapping_shr(r32!(b)))),
                Instr::I32ShrU { dst, a, b } => set!(dst, c32!(r32!(a).wrapping_shr(r32!(b)))),
                Instr::I32Rotl { dst, a, b } => set!(dst, c32!(r32!(a).rotate_left(r32!(b) & 31))),
                Instr::I32Rotr { dst, a, b } => set!(dst, c32!(r32!(a).rotate_right(r32!(b) & 31))),
                Instr::I32Eqz { dst, src } => set!(dst, b2c!(r32!(src) == 0)),
                Instr::I32Clz { dst, src } => set!(dst, c32!(r32!(src).leading_zeros())),
                Instr::I32Ctz { dst, src } => set!(dst, c32!(r32!(src).trailing_zeros())),
                Instr::I32Popcnt { dst, src } => set!(dst, c32!(r32!(src).count_ones())),

                // i64 arithmetic.
                Instr::I64Add { dst, a, b } => set!(dst, get!(a).wrapping_add(get!(b))),
                Instr::I64Sub { dst, a, b } => set!(dst, get!(a).wrapping_sub(get!(b))),
                Instr::I64Mul { dst, a, b } => set!(dst, get!(a).wrapping_mul(get!(b))),
                Instr::I64DivS { dst, a, b } => {
                    set!(dst, tr!(num::i64_div_s(get!(a) as i64, get!(b) as i64)) as u64)
                }
                Instr::I64DivU { dst, a, b } => set!(dst, tr!(num::i64_div_u(get!(a), get!(b)))),
                Instr::I64RemS { dst, a, b } => {
                    set!(dst, tr!(num::i64_rem_s(get!(a) as i64, get!(b) as i64)) as u64)
                }
                Instr::I64RemU { dst, a, b } => set!(dst, tr!(num::i64_rem_u(get!(a), get!(b)))),
                Instr::I64And { dst, a, b } => set!(dst, get!(a) & get!(b)),
                Instr::I64Or { dst, a, b } => set!(dst, get!(a) | get!(b)),
                Instr::I64Xor { dst, a, b } => set!(dst, get!(a) ^ get!(b)),
                Instr::I64Shl { dst, a, b } => set!(dst, get!(a).wrapping_shl(get!(b) as u32)),
                Instr::I64ShrS { dst, a, b } => set!(dst, (get!(a) as i64).wrapping_shr(get!(b) as u32) as u64),
                Instr::I64ShrU { dst, a, b } => set!(dst, get!(a).wrapping_shr(get!(b) as u32)),
                Instr::I64Rotl { dst, a, b } => set!(dst, get!(a).rotate_left((get!(b) & 63) as u32)),
                Instr::I64Rotr { dst, a, b } => set!(dst, get!(a).rotate_right((get!(b) & 63) as u32)),
                Instr::I64Eqz { dst, src } => set!(dst, b2c!(get!(src) == 0)),
                Instr::I64Clz { dst, src } => set!(dst, get!(src).leading_zeros() as u64),
                Instr::I64Ctz { dst, src } => set!(dst, get!(src).trailing_zeros() as u64),
                Instr::I64Popcnt { dst, src } => set!(dst, get!(src).count_ones() as u64),

                // f32 arithmetic.
                Instr::F32Add { dst, a, b } => set!(dst, cf32!(f32v!(a) + f32v!(b))),
                Instr::F32Sub { dst, a, b } => set!(dst, cf32!(f32v!(a) - f32v!(b))),
                Instr::F32Mul { dst, a, b } => set!(dst, cf32!(f32v!(a) * f32v!(b))),
                Instr::F32Div { dst, a, b } => set!(dst, cf32!(f32v!(a) / f32v!(b))),
                Instr::F32Min { dst, a, b } => set!(dst, cf32!(num::f32_min(f32v!(a), f32v!(b)))),
                Instr::F32Max { dst, a, b } => set!(dst, cf32!(num::f32_max(f32v!(a), f32v!(b)))),
                Instr::F32Copysign { dst, a, b } => {
                    set!(dst, c32!((r32!(a) & 0x7fff_ffff) | (r32!(b) & 0x8000_0000)))
                }
                Instr::F32Eq { dst, a, b } => set!(dst, b2c!(f32v!(a) == f32v!(b))),
                Instr::F32Ne { dst, a, b } => set!(dst, b2c!(f32v!(a) != f32v!(b))),
                Instr::F32Lt { dst, a, b } => set!(dst, b2c!(f32v!(a) < f32v!(b))),
                Instr::F32Gt { dst, a, b } => set!(dst, b2c!(f32v!(a) > f32v!(b))),
                Instr::F32Le { dst, a, b } => set!(dst, b2c!(f32v!(a) <= f32v!(b))),
                Instr::F32Ge { dst, a, b } => set!(dst, b2c!(f32v!(a) >= f32v!(b))),
                Instr::F32Abs { dst, src } => set!(dst, c32!(r32!(src) & 0x7fff_ffff)),
                Instr::F32Neg { dst, src } => set!(dst, c32!(r32!(src) ^ 0x8000_0000)),
                Instr::F32Ceil { dst, src } => set!(dst, cf32!(num::f32_ceil(f32v!(src)))),
                Instr::F32Floor { dst, src } => set!(dst, cf32!(num::f32_floor(f32v!(src)))),
                Instr::F32Trunc { dst, src } => set!(dst, cf32!(num::f32_trunc(f32v!(src)))),
                Instr::F32Nearest { dst, src } => set!(dst, cf32!(num::f32_nearest(f32v!(src)))),
                Instr::F32Sqrt { dst, src } => set!(dst, cf32!(f32v!(src).sqrt())),

                // f64 arithmetic.
                Instr::F64Add { dst, a, b } => set!(dst, cf64!(f64v!(a) + f64v!(b))),
                Instr::F64Sub { dst, a, b } => set!(dst, cf64!(f64v!(a) - f64v!(b))),
                Instr::F64Mul { dst, a, b } => set!(dst, cf64!(f64v!(a) * f64v!(b))),
                Instr::F64Div { dst, a, b } => set!(dst, cf64!(f64v!(a) / f64v!(b))),
                Instr::F64Min { dst, a, b } => set!(dst, cf64!(num::f64_min(f64v!(a), f64v!(b)))),
                Instr::F64Max { dst, a, b } => set!(dst, cf64!(num::f64_max(f64v!(a), f64v!(b)))),
                Instr::F64Copysign { dst, a, b } => {
                    set!(
                        dst,
                        (get!(a) & 0x7fff_ffff_ffff_ffff) | (get!(b) & 0x8000_0000_0000_0000)
                    )
                }
                Instr::F64Eq { dst, a, b } => set!(dst, b2c!(f64v!(a) == f64v!(b))),
                Instr::F64Ne { dst, a, b } => set!(dst, b2c!(f64v!(a) != f64v!(b))),
                Instr::F64Lt { dst, a, b } => set!(dst, b2c!(f64v!(a) < f64v!(b))),
                Instr::F64Gt { dst, a, b } => set!(dst, b2c!(f64v!(a) > f64v!(b))),
                Instr::F64Le { dst, a, b } => set!(dst, b2c!(f64v!(a) <= f64v!(b))),
                Instr::F64Ge { dst, a, b } => set!(dst, b2c!(f64v!(a) >= f64v!(b))),
                Instr::F64Abs { dst, src } => set!(dst, get!(src) & 0x7fff_ffff_ffff_ffff),
                Instr::F64Neg { dst, src } => set!(dst, get!(src) ^ 0x8000_0000_0000_0000),
                Instr::F64Ceil { dst, src } => set!(dst, cf64!(num::f64_ceil(f64v!(src)))),
                Instr::F64Floor { dst, src } => set!(dst, cf64!(num::f64_floor(f64v!(src)))),
                Instr::F64Trunc { dst, src } => set!(dst, cf64!(num::f64_trunc(f64v!(src)))),
                Instr::F64Nearest { dst, src } => set!(dst, cf64!(num::f64_nearest(f64v!(src)))),
                Instr::F64Sqrt { dst, src } => set!(dst, cf64!(f64v!(src).sqrt())),

                // Conversions.
                Instr::I32WrapI64 { dst, src } => set!(dst, c32!(get!(src))),
                Instr::I64ExtendI32S { dst, src } => set!(dst, r32!(src) as i32 as i64 as u64),
                Instr::I64ExtendI32U { dst, src } => set!(dst, r32!(src) as u64),
                Instr::I32TruncF32S { dst, src } => set!(dst, c32!(tr!(num::i32_trunc_f32_s(f32v!(src))))),
                Instr::I32TruncF32U { dst, src } => set!(dst, c32!(tr!(num::i32_trunc_f32_u(f32v!(src))))),
                Instr::I32TruncF64S { dst, src } => set!(dst, c32!(tr!(num::i32_trunc_f64_s(f64v!(src))))),
                Instr::I32TruncF64U { dst, src } => set!(dst, c32!(tr!(num::i32_trunc_f64_u(f64v!(src))))),
                Instr::I64TruncF32S { dst, src } => set!(dst, tr!(num::i64_trunc_f32_s(f32v!(src))) as u64),
                Instr::I64TruncF32U { dst, src } => set!(dst, tr!(num::i64_trunc_f32_u(f32v!(src)))),
                Instr::I64TruncF64S { dst, src } => set!(dst, tr!(num::i64_trunc_f64_s(f64v!(src))) as u64),
                Instr::I64TruncF64U { dst, src } => set!(dst, tr!(num::i64_trunc_f64_u(f64v!(src)))),
                // Rust's float-to-int `as` saturates and maps NaN to 0, exactly
                // the semantics of the `trunc_sat` family.
                Instr::I32TruncSatF32S { dst, src } => set!(dst, c32!(f32v!(src) as i32)),
                Instr::I32TruncSatF32U { dst, src } => set!(dst, c32!(f32v!(src) as u32)),
                Instr::I32TruncSatF64S { dst, src } => set!(dst, c32!(f64v!(src) as i32)),
                Instr::I32TruncSatF64U { dst, src } => set!(dst, c32!(f64v!(src) as u32)),
                Instr::I64TruncSatF32S { dst, src } => set!(dst, f32v!(src) as i64 as u64),
                Instr::I64TruncSatF32U { dst, src } => set!(dst, f32v!(src) as u64),
                Instr::I64TruncSatF64S { dst, src } => set!(dst, f64v!(src) as i64 as u64),
                Instr::I64TruncSatF64U { dst, src } => set!(dst, f64v!(src) as u64),
                Instr::F32ConvertI32S { dst, src } => set!(dst, cf32!(r32!(src) as i32 as f32)),
                Instr::F32ConvertI32U { dst, src } => set!(dst, cf32!(r32!(src) as f32)),
                Instr::F32ConvertI64S { dst, src } => set!(dst, cf32!(get!(src) as i64 as f32)),
                Instr::F32ConvertI64U { dst, src } => set!(dst, cf32!(get!(src) as f32)),
                Instr::F32DemoteF64 { dst, src } => set!(dst, cf32!(f64v!(src) as f32)),
                Instr::F64ConvertI32S { dst, src } => set!(dst, cf64!(r32!(src) as i32 as f64)),
                Instr::F64ConvertI32U { dst, src } => set!(dst, cf64!(r32!(src) as f64)),
                Instr::F64ConvertI64S { dst, src } => set!(dst, cf64!(get!(src) as i64 as f64)),
                Instr::F64ConvertI64U { dst, src } => set!(dst, cf64!(get!(src) as f64)),
                Instr::F64PromoteF32 { dst, src } => set!(dst, cf64!(f32v!(src) as f64)),
                Instr::I32Extend8S { dst, src } => set!(dst, c32!(r32!(src) as i8 as i32)),
                Instr::I32Extend16S { dst, src } => set!(dst, c32!(r32!(src) as i16 as i32)),
                Instr::I64Extend8S { dst, src } => set!(dst, get!(src) as i8 as i64 as u64),
                Instr::I64Extend16S { dst, src } => set!(dst, get!(src) as i16 as i64 as u64),
                Instr::I64Extend32S { dst, src } => set!(dst, get!(src) as i32 as i64 as u64),

                }
            };
        }
        crate::ir::for_each_op_family!(exec_match);
    };
    let out = match exit {
        Exit::Done => Ok(()),
        Exit::Trap(mut t) => {
            let current = Frame {
                func,
                inst,
                pc: pc_index!(),
                base,
                code,
            };
            t.set_trace(backtrace(store, current, &saved));
            Err(t)
        }
        Exit::Replaced => Err(Trap::host("the store was replaced during a host call")),
    };
    stack.frames = saved;
    out
}

/// How the dispatch loop ended.
enum Exit {
    Done,
    Trap(Trap),
    /// A host function swapped the store out: nothing of it may be touched.
    Replaced,
}

/// Calls host function `callee` with arguments read from `args[..]` and
/// results written back there. `Err(None)` means the host replaced the store.
#[inline(never)]
fn call_host(
    store: &mut Store,
    stack: &mut Stack,
    callee: u32,
    args: *mut u64,
    inst: u32,
) -> Result<(), Option<Trap>> {
    let store_id = store.id;
    let entity = &store.funcs[callee as usize];
    let FuncKind::Host(h) = &entity.kind else {
        return Err(Some(Trap::host("internal: not a host function")));
    };
    let h = h.clone();
    let ty = entity.ty.clone();
    stack.host_args.clear();
    for (i, t) in ty.params().iter().enumerate() {
        // SAFETY: see the caller: slot `i` of the argument area exists.
        let cell = unsafe { *args.add(i) };
        stack.host_args.push(Val::from_cell(*t, cell, store_id));
    }
    stack.host_results.clear();
    stack
        .host_results
        .extend(ty.results().iter().map(|t| t.default_val()));
    let out = h(
        &mut Caller {
            store,
            instance: Some(crate::runtime::Instance {
                store: store_id,
                index: inst,
            }),
        },
        &stack.host_args,
        &mut stack.host_results,
    );
    if store.id != store_id {
        return Err(None);
    }
    out.map_err(Some)?;
    check_host_results(store, &ty, &stack.host_results).map_err(Some)?;
    for (i, r) in stack.host_results.iter().enumerate() {
        // SAFETY: see the caller: result slot `i` exists.
        unsafe { *args.add(i) = r.to_cell() };
    }
    Ok(())
}
