//! Execution environments: the handle a call runs in. An exec env names
//! the instance it runs (switched to the calling node while a native
//! function runs), carries the embedder's user data and, during a native
//! call, the native's attachment. The stack size is recorded; the engine's
//! value stack is sized by its configuration.

use super::alloc::RtBox;
use super::guard;
use super::instance::{inst_ref, ModuleInst};
use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};

/// What `wasm_exec_env_t` points to.
pub struct ExecEnv {
    pub(crate) inst: AtomicPtr<ModuleInst>,
    pub(crate) user_data: AtomicPtr<c_void>,
    pub(crate) attachment: AtomicPtr<c_void>,
    pub(crate) stack_size: u32,
}

impl ExecEnv {
    pub(crate) fn new(inst: *mut ModuleInst, stack_size: u32) -> Option<RtBox<ExecEnv>> {
        RtBox::new(ExecEnv {
            inst: AtomicPtr::new(inst),
            user_data: AtomicPtr::new(std::ptr::null_mut()),
            attachment: AtomicPtr::new(std::ptr::null_mut()),
            stack_size,
        })
    }

    pub(crate) fn module_inst(&self) -> Option<&ModuleInst> {
        // SAFETY: an exec env's instance outlives it (WAMR's rule: destroy
        // exec envs before deinstantiating).
        unsafe { inst_ref(self.inst.load(Ordering::Acquire)) }
    }
}

/// # Safety
/// `env` is NULL or a live exec env.
pub(crate) unsafe fn env_ref<'a>(env: *const ExecEnv) -> Option<&'a ExecEnv> {
    // SAFETY: per the contract.
    unsafe { env.as_ref() }
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_create_exec_env(
    inst: *mut ModuleInst,
    stack_size: u32,
) -> *mut ExecEnv {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        if unsafe { inst_ref(inst) }.is_none() {
            return std::ptr::null_mut();
        }
        ExecEnv::new(inst, stack_size)
            .map(RtBox::into_raw)
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `env` is NULL or an exec env from `wasm_runtime_create_exec_env`, not
/// used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_destroy_exec_env(env: *mut ExecEnv) {
    guard((), || {
        if env.is_null() {
            return;
        }
        // SAFETY: the singleton is owned by its instance: never free it here.
        let is_singleton = unsafe { env_ref(env) }
            .and_then(|e| e.module_inst())
            .map(|h| h.shared().singleton(h.node) == env)
            .unwrap_or(false);
        if !is_singleton {
            // SAFETY: made by RtBox::into_raw in create/spawn.
            drop(unsafe { RtBox::from_raw(env) });
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_exec_env_singleton(inst: *mut ModuleInst) -> *mut ExecEnv {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .map(|h| h.shared().singleton(h.node))
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `env` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module_inst(env: *mut ExecEnv) -> *mut ModuleInst {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { env_ref(env) }
            .map(|e| e.inst.load(Ordering::Acquire))
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `env` is NULL or live; `inst` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_module_inst(env: *mut ExecEnv, inst: *mut ModuleInst) {
    guard((), || {
        // SAFETY: per the contract.
        if let (Some(e), false) = (unsafe { env_ref(env) }, inst.is_null()) {
            e.inst.store(inst, Ordering::Release);
        }
    })
}

/// # Safety
/// `env` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_function_attachment(env: *mut ExecEnv) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { env_ref(env) }
            .map(|e| e.attachment.load(Ordering::Acquire))
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `env` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_user_data(env: *mut ExecEnv, data: *mut c_void) {
    guard((), || {
        // SAFETY: per the contract.
        if let Some(e) = unsafe { env_ref(env) } {
            e.user_data.store(data, Ordering::Release);
        }
    })
}

/// # Safety
/// `env` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_user_data(env: *mut ExecEnv) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { env_ref(env) }
            .map(|e| e.user_data.load(Ordering::Acquire))
            .unwrap_or(std::ptr::null_mut())
    })
}
