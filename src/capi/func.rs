//! `wasm_func_t`: functions (wasm or host), host callbacks with and without
//! an environment, type and arity reflection, and `wasm_func_call`.
//!
//! Calls check everything C can get wrong (argument and result counts and
//! kinds, references of the wrong kind) and report it as a trap. A host
//! callback receives its arguments as a `wasm_val_vec_t` whose references
//! it borrows, writes results into a vector pre-filled with zero values of
//! the right kinds, and may return a trap, which unwinds the wasm caller.

use super::refs::{declare_ref, wasm_finalizer_t, wasm_ref_t, RefKind};
use super::store::{wasm_store_t, StoreInner};
use super::trap::{trap_ptr, wasm_trap_t};
use super::types::functype::wasm_functype_t;
use super::types::functype_from_engine;
use super::val::{wasm_val_t, wasm_val_vec_t};
use super::{ffi, ffi_or};
use crate::core::{FuncType, Trap, Val};
use crate::runtime::{Caller, Engine, Func};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Weak;

pub type wasm_func_t = wasm_ref_t;

declare_ref!(
    wasm_func_delete,
    wasm_func_copy,
    wasm_func_same,
    wasm_func_get_host_info,
    wasm_func_set_host_info,
    wasm_func_set_host_info_with_finalizer,
    wasm_func_as_ref,
    wasm_ref_as_func,
    wasm_func_as_ref_const,
    wasm_ref_as_func_const,
    is_func
);

pub type wasm_func_callback_t = Option<
    unsafe extern "C" fn(args: *const wasm_val_vec_t, results: *mut wasm_val_vec_t) -> *mut wasm_trap_t,
>;
pub type wasm_func_callback_with_env_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        args: *const wasm_val_vec_t,
        results: *mut wasm_val_vec_t,
    ) -> *mut wasm_trap_t,
>;

enum Target {
    Plain(unsafe extern "C" fn(*const wasm_val_vec_t, *mut wasm_val_vec_t) -> *mut wasm_trap_t),
    Env {
        callback:
            unsafe extern "C" fn(*mut c_void, *const wasm_val_vec_t, *mut wasm_val_vec_t) -> *mut wasm_trap_t,
        env: *mut c_void,
        finalizer: wasm_finalizer_t,
    },
}

/// A C callback as the engine's host function. Dropped with the store that
/// owns the function, which runs the environment's finalizer (once).
struct HostCallback {
    store: Weak<StoreInner>,
    ty: FuncType,
    target: Target,
}

// SAFETY: the C API confines a store and everything in it, this callback
// included, to one thread at a time; the engine only requires the bounds
// because its host functions may be shared in other settings.
unsafe impl Send for HostCallback {}
// SAFETY: as above: never used from two threads at once.
unsafe impl Sync for HostCallback {}

impl Drop for HostCallback {
    fn drop(&mut self) {
        if let Target::Env {
            env,
            finalizer: Some(f),
            ..
        } = self.target
        {
            // SAFETY: the embedder registered `f` for `env`; the function
            // is gone with its store, so this is the one and only run.
            unsafe { f(env) }
        }
    }
}

impl HostCallback {
    fn invoke(&self, caller: &mut Caller<'_>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
        let store = self
            .store
            .upgrade()
            .ok_or_else(|| Trap::host("host function called after its store was deleted"))?;
        let guard = store.enter_callback(caller.store());
        let outcome = catch_unwind(AssertUnwindSafe(|| self.call_c(&store, args, results)));
        drop(guard);
        outcome.unwrap_or_else(|_| Err(Trap::host("internal error in a host function call")))
    }

    fn call_c(&self, store: &StoreInner, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
        let mut c_args =
            wasm_val_vec_t::from_vec(args.iter().map(|v| wasm_val_t::from_engine(store, *v)).collect());
        let mut c_results = wasm_val_vec_t::from_vec(
            self.ty
                .results()
                .iter()
                .map(|t| wasm_val_t::from_engine(store, t.default_val()))
                .collect(),
        );
        let trap = match self.target {
            // SAFETY: calling the embedder's callback with valid vectors,
            // as the C API specifies.
            Target::Plain(cb) => unsafe { cb(&c_args, &mut c_results) },
            // SAFETY: as above, with the environment it registered.
            Target::Env { callback, env, .. } => unsafe { callback(env, &c_args, &mut c_results) },
        };
        let outcome = if trap.is_null() {
            self.take_results(store, &c_results, results)
        } else {
            // SAFETY: a callback returns an owned trap made by this library.
            let trap = unsafe { Box::from_raw(trap) };
            Err(trap
                .as_trap()
                .cloned()
                .unwrap_or_else(|| Trap::host("a host function returned a reference that is not a trap")))
        };
        c_args.release_all();
        c_results.release_all();
        outcome
    }

    fn take_results(&self, store: &StoreInner, c: &wasm_val_vec_t, results: &mut [Val]) -> Result<(), Trap> {
        let c = c.as_slice();
        if c.len() != results.len() {
            return Err(Trap::host(
                "a host function changed the size of its results vector",
            ));
        }
        for (i, ((slot, cv), ty)) in results.iter_mut().zip(c).zip(self.ty.results()).enumerate() {
            *slot = cv
                .to_engine(store, Some(*ty))
                .map_err(|e| Trap::host(format!("host function result {i}: {e}")))?;
        }
        Ok(())
    }
}

fn new_func(store: &wasm_store_t, ty: &wasm_functype_t, target: Target) -> Option<Box<wasm_func_t>> {
    let ty = ty.data().to_engine()?;
    let cb = HostCallback {
        store: store.inner.self_weak.clone(),
        ty: ty.clone(),
        target,
    };
    let f = store.inner.with(|s| {
        Func::new_host(s, ty, move |caller, args, results| {
            cb.invoke(caller, args, results)
        })
    });
    Some(store.inner.make_ref(RefKind::Func(f)))
}

#[no_mangle]
pub extern "C" fn wasm_func_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: wasm_func_callback_t,
) -> Option<Box<wasm_func_t>> {
    ffi(|| new_func(store?, ty?, Target::Plain(callback?)))
}

/// `finalizer` (if any) runs on `env` once, when the function is gone.
#[no_mangle]
pub extern "C" fn wasm_func_new_with_env(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: wasm_func_callback_with_env_t,
    env: *mut c_void,
    finalizer: wasm_finalizer_t,
) -> Option<Box<wasm_func_t>> {
    ffi(|| {
        new_func(
            store?,
            ty?,
            Target::Env {
                callback: callback?,
                env,
                finalizer,
            },
        )
    })
}

impl wasm_ref_t {
    pub(crate) fn as_func(&self) -> Option<Func> {
        match self.core.kind {
            RefKind::Func(f) => Some(f),
            _ => None,
        }
    }

    fn func_type(&self) -> Option<FuncType> {
        let f = self.as_func()?;
        self.store.with(|s| f.ty(s)).ok()
    }
}

#[no_mangle]
pub extern "C" fn wasm_func_type(f: Option<&wasm_func_t>) -> Option<Box<wasm_functype_t>> {
    ffi(|| Some(functype_from_engine(&f?.func_type()?)))
}

#[no_mangle]
pub extern "C" fn wasm_func_param_arity(f: Option<&wasm_func_t>) -> usize {
    ffi(|| f.and_then(|f| f.func_type()).map_or(0, |t| t.params().len()))
}

#[no_mangle]
pub extern "C" fn wasm_func_result_arity(f: Option<&wasm_func_t>) -> usize {
    ffi(|| f.and_then(|f| f.func_type()).map_or(0, |t| t.results().len()))
}

/// A trap for a call that has no store to put it in (a NULL function).
fn orphan_trap(message: &str) -> Option<Box<wasm_trap_t>> {
    let store = StoreInner::new(&Engine::default());
    trap_ptr(&store, message)
}

/// Why a call failed: misuse detected here, or a trap from the engine.
enum CallError {
    Usage(String),
    Trap(Trap),
}

impl From<String> for CallError {
    fn from(s: String) -> CallError {
        CallError::Usage(s)
    }
}

fn call(
    func: &wasm_func_t,
    args: Option<&wasm_val_vec_t>,
    results: Option<&mut wasm_val_vec_t>,
) -> Result<(), CallError> {
    let store = &*func.store;
    let f = func
        .as_func()
        .ok_or_else(|| "wasm_func_call: the reference is not a function".to_string())?;
    let ty = store.with(|s| f.ty(s)).map_err(|e| e.to_string())?;
    let args = args.map_or(&[][..], |a| a.as_slice());
    if args.len() != ty.params().len() {
        return Err(format!(
            "wasm_func_call: the function takes {} arguments, {} given",
            ty.params().len(),
            args.len()
        )
        .into());
    }
    let vals = args
        .iter()
        .zip(ty.params())
        .enumerate()
        .map(|(i, (a, t))| {
            a.to_engine(store, Some(*t))
                .map_err(|e| format!("wasm_func_call: argument {i}: {e}"))
        })
        .collect::<Result<Vec<Val>, String>>()?;
    let n_results = results.as_ref().map_or(0, |r| r.as_slice().len());
    if n_results != ty.results().len() {
        return Err(format!(
            "wasm_func_call: the function returns {} results, the results vector has room for {}",
            ty.results().len(),
            n_results
        )
        .into());
    }
    let mut out: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
    store
        .with(|s| f.call(s, &vals, &mut out))
        .map_err(CallError::Trap)?;
    if let Some(results) = results {
        for (slot, v) in results.as_mut_slice().iter_mut().zip(out) {
            // Plain assignment: the caller's slots hold nothing we own.
            *slot = wasm_val_t::from_engine(store, v);
        }
    }
    Ok(())
}

/// Calls `func`; NULL on success (results written), else the trap.
#[no_mangle]
pub extern "C" fn wasm_func_call(
    func: Option<&wasm_func_t>,
    args: Option<&wasm_val_vec_t>,
    results: Option<&mut wasm_val_vec_t>,
) -> Option<Box<wasm_trap_t>> {
    ffi_or(None, || {
        let Some(func) = func else {
            return orphan_trap("wasm_func_call: the function is NULL");
        };
        let store = &*func.store;
        match catch_unwind(AssertUnwindSafe(|| call(func, args, results))) {
            Ok(Ok(())) => None,
            Ok(Err(CallError::Trap(trap))) => Some(store.trap_ref(trap)),
            Ok(Err(CallError::Usage(message))) => trap_ptr(store, message),
            Err(_) => trap_ptr(store, "wasm_func_call: internal error"),
        }
    })
}
