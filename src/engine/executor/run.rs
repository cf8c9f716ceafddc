//! Entering the threaded code, leaving it, and calling host functions.

use super::dispatch::{execute, Cx, Exit, Fp, Ip};
use super::{backtrace, check_host_results, Frame, Stack};
use crate::core::{Trap, TrapCode, Val};
use crate::runtime::func::FuncKind;
use crate::runtime::{Caller, Store};

/// Runs wasm function `func` (store index) with `args` placed at cell 0.
/// On success the results are in cells `0..n_results`.
pub(super) fn run(store: &mut Store, stack: &mut Stack, func: u32, args: &[Val]) -> Result<(), Trap> {
    let (inst, code) = match &store.funcs[func as usize].kind {
        FuncKind::Wasm {
            instance,
            module,
            def,
        } => {
            let code = module.translated_for_call(*def)?;
            (*instance, code)
        }
        FuncKind::Host(_) => return Err(Trap::host("internal: run called on a host function")),
    };
    let (frame_size, np, nl) = (
        code.frame_size as usize,
        code.num_params as usize,
        code.num_locals as usize,
    );
    let ops = Ip::new(code.code.as_ptr());
    if frame_size > stack.cells.len() {
        return Err(Trap::new(TrapCode::StackExhausted));
    }
    for (cell, a) in stack.cells.iter_mut().zip(args.iter().take(np)) {
        *cell = a.to_cell();
    }
    stack.cells[np..nl].fill(0);
    let cells = stack.cells.as_mut_ptr();
    // SAFETY: one past the end of the cells.
    let cells_end = unsafe { cells.add(stack.cells.len()) };
    let mut frames = std::mem::take(&mut stack.frames);
    frames.clear();
    let max_depth = store.max_call_depth as usize;
    let mut cx = Cx {
        max_depth,
        frames_limit: frames.capacity().min(max_depth),
        store,
        cells_end,
        frames,
        func,
        inst,
        targets: std::ptr::null(),
        type_ids: std::ptr::null(),
        tables: std::ptr::null(),
        mem_idx: usize::MAX,
        mem_len: 0,
        host_args: std::mem::take(&mut stack.host_args),
        host_results: std::mem::take(&mut stack.host_results),
        trap: None,
        ip: ops,
        fp: cells,
        mem: std::ptr::null_mut(),
        acc: 0,
        fa: 0.0,
    };
    let mem = super::handlers::switch_instance(&mut cx, inst);
    // SAFETY: `ops` is the function's code, the frame at `cells` holds its
    // arguments and zeroed locals and fits the stack (checked above), and
    // `mem` is the base of the instance's memory 0.
    let exit = unsafe { execute(ops, cells, mem, &mut cx) };
    let out = match exit {
        Exit::Done => Ok(()),
        Exit::Trap => {
            let mut t = cx
                .trap
                .take()
                .unwrap_or_else(|| Trap::host("internal: trap without a cause"));
            let current = Frame {
                ret: cx.ip,
                fp: cells,
                func: cx.func,
                inst: cx.inst,
            };
            t.set_trace(backtrace(cx.store, current, &cx.frames));
            Err(t)
        }
        Exit::Replaced => Err(Trap::host("the store was replaced during a host call")),
        Exit::Continue => Err(Trap::host("internal: dispatch stopped early")),
    };
    stack.frames = std::mem::take(&mut cx.frames);
    stack.host_args = std::mem::take(&mut cx.host_args);
    stack.host_results = std::mem::take(&mut cx.host_results);
    out
}

/// Calls host function `callee` (store index) with arguments read from
/// `args[..]` and results written back there; returns the first result's
/// cell (0 if none). `Err(None)` means the host replaced the store.
#[inline(never)]
pub(crate) fn call_host(cx: &mut Cx<'_>, callee: u32, args: Fp) -> Result<u64, Option<Trap>> {
    let store_id = cx.store.id;
    let entity = &cx.store.funcs[callee as usize];
    let FuncKind::Host(h) = &entity.kind else {
        return Err(Some(Trap::host("internal: not a host function")));
    };
    let h = h.clone();
    let ty = entity.ty.clone();
    cx.host_args.clear();
    for (i, t) in ty.params().iter().enumerate() {
        // SAFETY: the arguments occupy slots `0..max(params, results)` of
        // the argument area, which the translator reserved in the frame.
        let cell = unsafe { *args.add(i) };
        cx.host_args.push(Val::from_cell(*t, cell, store_id));
    }
    cx.host_results.clear();
    cx.host_results
        .extend(ty.results().iter().map(|t| t.default_val()));
    let out = h(
        &mut Caller {
            store: cx.store,
            instance: Some(crate::runtime::Instance {
                store: store_id,
                index: cx.inst,
            }),
        },
        &cx.host_args,
        &mut cx.host_results,
    );
    if cx.store.id != store_id {
        return Err(None);
    }
    out.map_err(Some)?;
    check_host_results(cx.store, &ty, &cx.host_results).map_err(Some)?;
    for (i, r) in cx.host_results.iter().enumerate() {
        // SAFETY: as above: result slot `i` exists.
        unsafe { *args.add(i) = r.to_cell() };
    }
    Ok(cx.host_results.first().map_or(0, |r| r.to_cell()))
}
