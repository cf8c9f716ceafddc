//! Threads: spawned exec envs and threads started by the runtime. An
//! instance tree's store is single-threaded, so a spawned exec env runs
//! the same instance and its calls are serialised with every other call on
//! that instance (see `instance::Shared::with_store`). At most
//! `max_thread_num` spawned threads run at once.

use super::exec_env::{env_ref, ExecEnv};
use super::runtime::{with_runtime, DEFAULT_MAX_THREADS};
use super::{alloc::RtBox, guard, SendPtr};
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::JoinHandle;

type ThreadCallback = unsafe extern "C" fn(*mut ExecEnv, *mut c_void) -> *mut c_void;

static THREADS: Mutex<Option<HashMap<usize, JoinHandle<usize>>>> = Mutex::new(None);
static NEXT_TID: AtomicUsize = AtomicUsize::new(1);
static RUNNING: AtomicU32 = AtomicU32::new(0);

fn spawn_env(env: &ExecEnv) -> *mut ExecEnv {
    let inst = env.inst.load(Ordering::Acquire);
    ExecEnv::new(inst, env.stack_size)
        .map(RtBox::into_raw)
        .unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `env` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_spawn_exec_env(env: *mut ExecEnv) -> *mut ExecEnv {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { env_ref(env) }
            .map(spawn_env)
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `env` is NULL or from `wasm_runtime_spawn_exec_env`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_destroy_spawned_exec_env(env: *mut ExecEnv) {
    // SAFETY: forwarded contract (same ownership as a created exec env).
    guard((), || unsafe {
        super::exec_env::wasm_runtime_destroy_exec_env(env)
    })
}

/// Decrements the running count when the thread ends, however it ends.
struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// # Safety
/// `env` is NULL or live (and stays live while the thread runs); `tid`
/// NULL or writable; `callback` a valid function.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_spawn_thread(
    env: *mut ExecEnv,
    tid: *mut usize,
    callback: Option<ThreadCallback>,
    arg: *mut c_void,
) -> i32 {
    guard(-1, || {
        // SAFETY: per the contract.
        let (Some(e), Some(cb), false) = (unsafe { env_ref(env) }, callback, tid.is_null()) else {
            return -1;
        };
        let max = with_runtime(|rt| rt.max_threads).unwrap_or(DEFAULT_MAX_THREADS);
        if RUNNING.fetch_add(1, Ordering::AcqRel) >= max {
            RUNNING.fetch_sub(1, Ordering::AcqRel);
            return -1;
        }
        let running = Running;
        let child = spawn_env(e);
        if child.is_null() {
            return -1;
        }
        let child = SendPtr(child);
        let arg = SendPtr(arg);
        let handle = std::thread::Builder::new()
            .name("wamr-spawned".into())
            .spawn(move || {
                let _running = running;
                let (child, arg) = (child, arg);
                // SAFETY: the embedder's callback with the spawned exec env.
                let r = guard(std::ptr::null_mut(), || unsafe { cb(child.0, arg.0) });
                // SAFETY: the spawned exec env is ours to free.
                drop(unsafe { RtBox::from_raw(child.0) });
                r as usize
            });
        let Ok(handle) = handle else {
            // SAFETY: the thread never started, so the exec env is still ours.
            drop(unsafe { RtBox::from_raw(child.0) });
            return -1;
        };
        let id = NEXT_TID.fetch_add(1, Ordering::Relaxed);
        THREADS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(HashMap::new)
            .insert(id, handle);
        // SAFETY: writable per the contract.
        unsafe { *tid = id };
        0
    })
}

/// # Safety
/// `retval` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_join_thread(tid: usize, retval: *mut *mut c_void) -> i32 {
    guard(-1, || {
        let handle = THREADS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .and_then(|m| m.remove(&tid));
        let Some(h) = handle else {
            return libc::ESRCH;
        };
        match h.join() {
            Ok(r) => {
                if !retval.is_null() {
                    // SAFETY: writable per the contract.
                    unsafe { *retval = r as *mut c_void };
                }
                0
            }
            Err(_) => -1,
        }
    })
}
