//! The interpreter.
//!
//! Threaded code (`dispatch`, `handlers`) runs all wasm code of an
//! invocation: a wasm-to-wasm call pushes a small `Frame` record and switches
//! the instruction pointer; nothing recurses on the host stack and nothing
//! is allocated per call or per instruction (the value stack and frame stack
//! are reused between invocations). Host functions are called out of line;
//! if they call back into wasm, that nested invocation takes another value
//! stack from the store's pool.

pub(crate) mod dispatch;
mod handlers;
mod run;

pub(crate) use handlers::fast_call_cells;
pub(crate) use run::call_host;

use crate::core::{Trap, TrapCode, TrapFrame, Val};
use crate::runtime::func::FuncKind;
use crate::runtime::{Caller, Store};

/// Deepest nesting of host-to-wasm re-entry (each level uses host stack).
const MAX_NESTING: u32 = 100;

/// A caller's state saved across a call.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    /// The instruction to resume at.
    pub ret: dispatch::Ip,
    /// First cell of the frame.
    pub fp: dispatch::Fp,
    /// Store index of the function.
    pub func: u32,
    /// Store index of the function's instance.
    pub inst: u32,
}

/// A value stack with its frame records and host-call buffers.
pub(crate) struct Stack {
    pub cells: Box<[u64]>,
    pub frames: Vec<Frame>,
    pub host_args: Vec<Val>,
    pub host_results: Vec<Val>,
}

// SAFETY: the raw code pointers in `frames` point into modules that are
// `Send + Sync`; they are only dereferenced by the thread running the store.
unsafe impl Send for Stack {}
// SAFETY: as above; shared access never dereferences them.
unsafe impl Sync for Stack {}

impl Stack {
    fn new(cells: usize) -> Stack {
        Stack {
            // Zeroed allocation: the OS hands out pages lazily.
            cells: vec![0u64; cells].into_boxed_slice(),
            frames: Vec::with_capacity(64),
            host_args: Vec::new(),
            host_results: Vec::new(),
        }
    }
}

/// Calls function `func` (store index) with type-checked `args`.
pub(crate) fn invoke(store: &mut Store, func: u32, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    if store.nesting >= MAX_NESTING {
        return Err(Trap::new(TrapCode::StackExhausted));
    }
    if let FuncKind::Host(f) = &store.funcs[func as usize].kind {
        let f = f.clone();
        let ty = store.funcs[func as usize].ty.clone();
        for (r, t) in results.iter_mut().zip(ty.results()) {
            *r = t.default_val();
        }
        store.nesting += 1;
        let out = f(
            &mut Caller {
                store,
                instance: None,
            },
            args,
            results,
        );
        store.nesting = store.nesting.saturating_sub(1);
        out?;
        return check_host_results(store, &ty, results);
    }
    let mut stack = match store.stacks.pop() {
        Some(s) if s.cells.len() == store.max_stack_cells => s,
        _ => Stack::new(store.max_stack_cells),
    };
    store.nesting += 1;
    let out = run::run(store, &mut stack, func, args);
    store.nesting = store.nesting.saturating_sub(1);
    if out.is_ok() {
        let ty = &store.funcs[func as usize].ty;
        for (i, (r, t)) in results.iter_mut().zip(ty.results()).enumerate() {
            *r = Val::from_cell(*t, stack.cells[i], store.id);
        }
    }
    stack.frames.clear();
    store.stacks.push(stack);
    out
}

/// A host function must produce results of the declared types.
pub(crate) fn check_host_results(
    store: &Store,
    ty: &crate::core::FuncType,
    results: &[Val],
) -> Result<(), Trap> {
    for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
        if r.ty() != *t {
            return Err(Trap::host(format!(
                "host function returned a {} as result {i}, expected {t}",
                r.ty()
            )));
        }
        if store.check_val(r).is_err() {
            return Err(Trap::host(
                "host function returned a reference from another store",
            ));
        }
    }
    Ok(())
}

/// Builds the backtrace of a trap: the trapping frame, then its callers.
/// Each frame's `ret` is one past its current instruction (the trapping one,
/// or the call).
pub(crate) fn backtrace(store: &Store, current: Frame, frames: &[Frame]) -> Vec<TrapFrame> {
    let mut out = Vec::with_capacity(frames.len() + 1);
    let marker = dispatch::Ip::new(handlers::RETURN_TO_INSTANCE.as_ptr().cast());
    // Records that return to another instance repeat their caller's.
    for f in std::iter::once(&current).chain(frames.iter().rev().filter(|f| f.ret != marker)) {
        if let FuncKind::Wasm {
            instance,
            module,
            def,
        } = &store.funcs[f.func as usize].kind
        {
            let code = &module.info().code[*def as usize];
            let module_offset = code
                .offset_before(f.ret.as_ptr(), |installed| module.offsets_again(*def, installed))
                as usize;
            out.push(TrapFrame {
                instance: *instance,
                func_index: module.info().num_imported_funcs + def,
                func_offset: module_offset.saturating_sub(code.body_start as usize),
                module_offset,
            });
        }
    }
    out
}
