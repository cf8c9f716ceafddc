//! Runtime initialisation and global state: the engine every module is
//! compiled with, registered natives, the module registry and reader, the
//! thread limit. `wasm_runtime_init`/`full_init` nest: each successful call
//! needs one `wasm_runtime_destroy`; the last one releases everything.

use super::alloc;
use super::module::WamrModule;
use super::natives::{self, NativeGroup, NativeSymbol};
use super::{guard, SendPtr};
use crate::runtime::{Config, Engine};
use std::collections::HashMap;
use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex, MutexGuard};

/// `mem_alloc_type_t`.
pub const ALLOC_WITH_POOL: u32 = 0;
pub const ALLOC_WITH_ALLOCATOR: u32 = 1;
pub const ALLOC_WITH_SYSTEM_ALLOCATOR: u32 = 2;

/// `RunningMode::Mode_Interp`, the only mode there is.
pub const MODE_INTERP: u32 = 1;

/// Threads allowed at once when `max_thread_num` is 0.
pub const DEFAULT_MAX_THREADS: u32 = 4;

/// `MemAllocOption`: a union of the pool and allocator forms.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MemAllocOption {
    pub a: *mut c_void,
    pub b: *mut c_void,
    pub c: *mut c_void,
    pub d: *mut c_void,
}

/// `RuntimeInitArgs` (the fields after `max_thread_num` are ignored).
#[repr(C)]
pub struct RuntimeInitArgs {
    pub mem_alloc_type: u32,
    pub mem_alloc_option: MemAllocOption,
    pub native_module_name: *const c_char,
    pub native_symbols: *mut NativeSymbol,
    pub n_native_symbols: u32,
    pub max_thread_num: u32,
    pub ip_addr: [c_char; 128],
    pub unused: i32,
    pub instance_port: i32,
    pub fast_jit_code_cache_size: u32,
    pub gc_heap_size: u32,
    pub running_mode: u32,
    pub llvm_jit_opt_level: u32,
    pub llvm_jit_size_level: u32,
    pub segue_flags: u32,
    pub enable_linux_perf: bool,
}

pub(crate) type ReaderFn = unsafe extern "C" fn(u32, *const c_char, *mut *mut u8, *mut u32) -> bool;
pub(crate) type DestroyerFn = unsafe extern "C" fn(*mut u8, u32);

/// Everything that lives from init to destroy.
pub(crate) struct Runtime {
    pub engine: Engine,
    refs: u32,
    pub natives: Vec<NativeGroup>,
    /// Registered modules by name (owned by the runtime).
    pub registry: HashMap<String, SendPtr<WamrModule>>,
    pub reader: Option<ReaderFn>,
    pub destroyer: Option<DestroyerFn>,
    pub max_threads: u32,
    pub log_level: u32,
}

static STATE: Mutex<Option<Runtime>> = Mutex::new(None);

fn state() -> MutexGuard<'static, Option<Runtime>> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` on the runtime; `None` if it is not initialised. Never call
/// back into C while holding it.
pub(crate) fn with_runtime<R>(f: impl FnOnce(&mut Runtime) -> R) -> Option<R> {
    state().as_mut().map(f)
}

pub(crate) fn engine() -> Option<Engine> {
    with_runtime(|rt| rt.engine.clone())
}

#[no_mangle]
pub extern "C" fn wasm_runtime_init() -> bool {
    guard(false, || {
        // SAFETY: the system allocator needs no arguments.
        unsafe {
            init(
                ALLOC_WITH_SYSTEM_ALLOCATOR,
                None,
                std::ptr::null(),
                std::ptr::null_mut(),
                0,
                0,
            )
        }
    })
}

/// # Safety
/// `args` is NULL or a valid `RuntimeInitArgs`.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_full_init(args: *mut RuntimeInitArgs) -> bool {
    guard(false, || {
        if args.is_null() {
            return false;
        }
        // SAFETY: non-null per the check; the caller owns it.
        let a = unsafe { &*args };
        // SAFETY: forwarded from the caller's structure.
        unsafe {
            init(
                a.mem_alloc_type,
                Some(a.mem_alloc_option),
                a.native_module_name,
                a.native_symbols,
                a.n_native_symbols,
                a.max_thread_num,
            )
        }
    })
}

/// # Safety
/// The pointers are as `RuntimeInitArgs` documents.
unsafe fn init(
    alloc_type: u32,
    opt: Option<MemAllocOption>,
    native_module: *const c_char,
    symbols: *mut NativeSymbol,
    n_symbols: u32,
    max_threads: u32,
) -> bool {
    let mut st = state();
    if let Some(rt) = st.as_mut() {
        rt.refs += 1;
        return true;
    }
    let ok = match (alloc_type, opt) {
        (ALLOC_WITH_SYSTEM_ALLOCATOR, _) => {
            alloc::use_system();
            true
        }
        // SAFETY: the pool form of the union: buffer and size.
        (ALLOC_WITH_POOL, Some(o)) => unsafe {
            alloc::use_pool(o.a as *mut u8, o.b as usize as u32 as usize)
        },
        // SAFETY: the allocator form: three function pointers.
        (ALLOC_WITH_ALLOCATOR, Some(o)) => unsafe { alloc::use_user(o.a, o.b, o.c) },
        _ => false,
    };
    if !ok {
        return false;
    }
    // With a pool or the embedder's allocator, linear memories come out of
    // it too (WAMR's promise); the system allocator keeps the engine's
    // `mmap` reservations.
    let engine = if alloc_type == ALLOC_WITH_SYSTEM_ALLOCATOR {
        Engine::default()
    } else {
        Engine::new(Config {
            memory_allocator: Some(Arc::new(alloc::RuntimeMemories)),
            ..Config::default()
        })
    };
    let mut rt = Runtime {
        engine,
        refs: 1,
        natives: Vec::new(),
        registry: HashMap::new(),
        reader: None,
        destroyer: None,
        max_threads: if max_threads == 0 {
            DEFAULT_MAX_THREADS
        } else {
            max_threads
        },
        log_level: 2,
    };
    if !symbols.is_null() && n_symbols > 0 {
        // SAFETY: forwarded contract of the init arguments.
        match unsafe { natives::group_from_c(native_module, symbols, n_symbols, false) } {
            Some(g) => rt.natives.push(g),
            None => {
                alloc::use_system();
                return false;
            }
        }
    }
    *st = Some(rt);
    true
}

/// Creates a runtime with the system allocator if there is none, without
/// counting as an initialisation (see `bridge::ensure_runtime`).
pub(crate) fn init_implicit() {
    let mut st = state();
    if st.is_none() {
        *st = Some(Runtime {
            engine: Engine::default(),
            refs: 0,
            natives: Vec::new(),
            registry: HashMap::new(),
            reader: None,
            destroyer: None,
            max_threads: DEFAULT_MAX_THREADS,
            log_level: 2,
        });
    }
}

#[no_mangle]
pub extern "C" fn wasm_runtime_destroy() {
    guard((), || {
        let rt = {
            let mut st = state();
            match st.as_mut() {
                Some(rt) if rt.refs > 1 => {
                    rt.refs -= 1;
                    return;
                }
                Some(_) => st.take(),
                None => return,
            }
        };
        if let Some(rt) = rt {
            for (_, m) in rt.registry {
                // SAFETY: registered modules are owned by the runtime and
                // were produced by RtBox::into_raw.
                drop(unsafe { alloc::RtBox::from_raw(m.0) });
            }
        }
        alloc::use_system();
    })
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_log_level(level: u32) {
    guard((), || {
        with_runtime(|rt| rt.log_level = level);
    })
}

#[no_mangle]
pub extern "C" fn wasm_runtime_is_running_mode_supported(mode: u32) -> bool {
    mode == MODE_INTERP
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_default_running_mode(mode: u32) -> bool {
    mode == MODE_INTERP
}

#[no_mangle]
pub extern "C" fn wasm_runtime_init_thread_env() -> bool {
    true
}

#[no_mangle]
pub extern "C" fn wasm_runtime_destroy_thread_env() {}

#[no_mangle]
pub extern "C" fn wasm_runtime_thread_env_inited() -> bool {
    true
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_max_thread_num(num: u32) {
    guard((), || {
        with_runtime(|rt| rt.max_threads = if num == 0 { DEFAULT_MAX_THREADS } else { num });
    })
}
