//! Modules: loading with recursive dependency loading, the registry of
//! named modules, the module reader, unloading.
//!
//! A module's dependencies are the module names of its imports, except the
//! reserved names (resolved by natives, WASI or the spectest built-ins) and
//! names under which natives are registered. Each is taken from the
//! registry, else read with the embedder's reader, loaded (recursively) and
//! registered under its name. A name met again while it is still being
//! loaded is a cycle. The reader's buffer is handed back to the destroyer
//! as soon as the module is decoded (the module keeps its own copy), so the
//! destroyer runs exactly once per buffer, whether loading succeeds or not.

use super::alloc::RtBox;
use super::runtime::{self, with_runtime};
use super::{cstr, guard, set_error_buf, SendPtr};
use crate::module::Module;
use std::collections::HashSet;
use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// `package_type_t`.
pub const WASM_MODULE_BYTECODE: u32 = 0;
pub const WASM_MODULE_AOT: u32 = 1;
pub const PACKAGE_TYPE_UNKNOWN: u32 = 0xFFFF;

/// Import module names that never name another module.
pub const RESERVED: [&str; 5] = ["env", "wasi_snapshot_preview1", "wasi_unstable", "spectest", ""];

pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

pub fn is_wasi_name(name: &str) -> bool {
    name == "wasi_snapshot_preview1" || name == "wasi_unstable"
}

/// What `wasm_module_t` points to.
pub struct WamrModule {
    pub module: Module,
    /// Name given by registration or `wasm_runtime_set_module_name`.
    name: Mutex<CString>,
    registered: AtomicBool,
    /// Direct dependencies: import module name and the (registered) module.
    pub(crate) deps: Vec<(String, SendPtr<WamrModule>)>,
    wasi_args: Mutex<Option<super::wasi::WasiArgs>>,
    /// The latest live instance of this module as a root (group, node).
    live: Mutex<Option<InstanceRef>>,
    /// The instance registered with the module (see `register`).
    registered_instance: Mutex<Option<InstanceRef>>,
}

/// A root instance: its group and node.
pub(crate) type InstanceRef = (SendPtr<super::instance::Shared>, u32);

impl WamrModule {
    pub fn is_registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }

    pub fn name(&self) -> String {
        self.name
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .to_string_lossy()
            .into_owned()
    }

    fn set_name(&self, name: &str) {
        let c = CString::new(name).unwrap_or_default();
        *self.name.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }

    pub(crate) fn registered_instance(&self) -> Option<InstanceRef> {
        *self.registered_instance.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_live_instance(&self, r: Option<InstanceRef>) {
        *self.live.lock().unwrap_or_else(|p| p.into_inner()) = r;
    }

    /// Called when root instance `node` of `group` goes away.
    pub(crate) fn forget_instance(&self, group: SendPtr<super::instance::Shared>, node: u32) {
        for slot in [&self.live, &self.registered_instance] {
            let mut s = slot.lock().unwrap_or_else(|p| p.into_inner());
            if *s == Some((group, node)) {
                *s = None;
            }
        }
    }

    pub(crate) fn wasi_args(&self) -> Option<super::wasi::WasiArgs> {
        self.wasi_args.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set_wasi_args(&self, args: super::wasi::WasiArgs) {
        *self.wasi_args.lock().unwrap_or_else(|p| p.into_inner()) = Some(args);
    }

    /// True if the module imports WASI.
    pub fn imports_wasi(&self) -> bool {
        self.module.imports().iter().any(|i| is_wasi_name(&i.module))
    }

    /// The dependency loaded for import module name `name`.
    pub fn dep(&self, name: &str) -> Option<&WamrModule> {
        self.deps
            .iter()
            .find(|(n, _)| n == name)
            // SAFETY: dependencies are registered modules, which live until
            // the runtime is destroyed.
            .map(|(_, m)| unsafe { &*m.0 })
    }
}

/// The package type of a buffer, by its magic number.
pub fn package_type(bytes: &[u8]) -> u32 {
    if bytes.len() >= 4 && &bytes[..4] == b"\0asm" {
        WASM_MODULE_BYTECODE
    } else if bytes.len() >= 4 && &bytes[..4] == b"\0aot" {
        WASM_MODULE_AOT
    } else {
        PACKAGE_TYPE_UNKNOWN
    }
}

/// Loads `bytes` and its dependencies. `loading` holds the names of the
/// modules being loaded further up (for cycle detection).
pub(crate) fn load_bytes(bytes: &[u8], loading: &mut Vec<String>) -> Result<RtBox<WamrModule>, String> {
    match package_type(bytes) {
        WASM_MODULE_BYTECODE => {}
        WASM_MODULE_AOT => return Err("AOT modules are not supported; load the .wasm file".into()),
        _ => return Err("magic header not detected: not a WebAssembly module".into()),
    }
    let engine = runtime::engine().ok_or("the runtime is not initialised")?;
    let module = Module::from_binary(&engine, bytes).map_err(|e| e.to_string())?;
    let mut names: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for imp in module.imports() {
        if seen.insert(imp.module.clone()) {
            names.push(imp.module.clone());
        }
    }
    let mut deps = Vec::new();
    for name in names {
        if is_reserved(&name) {
            continue;
        }
        let native = with_runtime(|rt| rt.natives.iter().any(|g| g.module == name)).unwrap_or(false);
        if native {
            continue;
        }
        let dep = load_dependency(&name, loading)?;
        deps.push((name, dep));
    }
    RtBox::new(WamrModule {
        module,
        name: Mutex::new(CString::default()),
        registered: AtomicBool::new(false),
        deps,
        wasi_args: Mutex::new(None),
        live: Mutex::new(None),
        registered_instance: Mutex::new(None),
    })
    .ok_or_else(|| "out of memory: the runtime's allocator is exhausted".to_string())
}

/// The registered module `name`, loading it with the reader if needed.
fn load_dependency(name: &str, loading: &mut Vec<String>) -> Result<SendPtr<WamrModule>, String> {
    let (found, reader, destroyer) =
        with_runtime(|rt| (rt.registry.get(name).copied(), rt.reader, rt.destroyer))
            .ok_or("the runtime is not initialised")?;
    if let Some(m) = found {
        return Ok(m);
    }
    if loading.iter().any(|n| n == name) {
        return Err(format!("circular dependency on {name}"));
    }
    let Some(reader) = reader else {
        return Err(format!(
            "cannot load dependency {name}: it is not registered and no module reader is set"
        ));
    };
    let cname = CString::new(name).map_err(|_| format!("invalid module name {name:?}"))?;
    let mut buf: *mut u8 = std::ptr::null_mut();
    let mut size: u32 = 0;
    // SAFETY: the embedder's reader, called with valid out-pointers.
    let ok = unsafe { reader(WASM_MODULE_BYTECODE, cname.as_ptr(), &mut buf, &mut size) };
    if !ok || buf.is_null() {
        return Err(format!("cannot load dependency {name}: the module reader failed"));
    }
    // SAFETY: the reader handed out `size` readable bytes at `buf`.
    let bytes = unsafe { std::slice::from_raw_parts(buf, size as usize) };
    loading.push(name.to_string());
    let result = load_bytes(bytes, loading);
    loading.pop();
    if let Some(d) = destroyer {
        // SAFETY: handing the reader's buffer back, once.
        unsafe { d(buf, size) };
    }
    let m = result.map_err(|e| format!("cannot load dependency {name}: {e}"))?;
    m.set_name(name);
    m.registered.store(true, Ordering::Release);
    let raw = SendPtr(m.into_raw());
    // Another thread may have registered the name meanwhile: keep theirs.
    let winner = with_runtime(|rt| *rt.registry.entry(name.to_string()).or_insert(raw));
    match winner {
        Some(w) if w == raw => Ok(raw),
        other => {
            // SAFETY: ours was not registered; we still own it.
            drop(unsafe { RtBox::from_raw(raw.0) });
            other.ok_or_else(|| "the runtime was destroyed while loading".to_string())
        }
    }
}

/// The module registered as `name`.
pub(crate) fn find_registered(name: &str) -> Option<*mut WamrModule> {
    with_runtime(|rt| rt.registry.get(name).map(|m| m.0)).flatten()
}

/// The module registered as `name`, else read with the module reader (and
/// registered).
pub(crate) fn find_or_load(name: &str) -> Result<*mut WamrModule, String> {
    load_dependency(name, &mut Vec::new()).map(|m| m.0)
}

/// # Safety
/// `m` is NULL or a live `wasm_module_t`.
pub(crate) unsafe fn module_ref<'a>(m: *const WamrModule) -> Option<&'a WamrModule> {
    // SAFETY: per the contract.
    unsafe { m.as_ref() }
}

/// # Safety
/// `buf` points to `size` readable bytes (or is NULL); `error_buf` as usual.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_load(
    buf: *mut u8,
    size: u32,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut WamrModule {
    // SAFETY: forwarded contract.
    unsafe { load_named(buf, size, None, error_buf, error_buf_size) }
}

/// `LoadArgs`.
#[repr(C)]
pub struct LoadArgs {
    pub name: *mut c_char,
    pub clone_wasm_binary: bool,
    pub wasm_binary_freeable: bool,
    pub no_resolve: bool,
}

/// # Safety
/// As [`wasm_runtime_load`]; `args` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_load_ex(
    buf: *mut u8,
    size: u32,
    args: *const LoadArgs,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut WamrModule {
    // SAFETY: `args` is NULL or valid, its name NULL or a C string.
    let name = unsafe { args.as_ref().and_then(|a| cstr(a.name)) };
    // SAFETY: forwarded contract.
    unsafe { load_named(buf, size, name, error_buf, error_buf_size) }
}

unsafe fn load_named(
    buf: *mut u8,
    size: u32,
    name: Option<&str>,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut WamrModule {
    let out = guard(Err("internal error while loading".to_string()), || {
        if buf.is_null() {
            return Err("the module buffer is NULL".to_string());
        }
        // SAFETY: the caller's buffer of `size` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(buf, size as usize) };
        let mut loading: Vec<String> = name.map(|n| vec![n.to_string()]).unwrap_or_default();
        let m = load_bytes(bytes, &mut loading)?;
        if let Some(n) = name {
            m.set_name(n);
        }
        Ok(m.into_raw())
    });
    match out {
        Ok(p) => p,
        Err(e) => {
            // SAFETY: the caller's error buffer.
            unsafe {
                set_error_buf(
                    error_buf,
                    error_buf_size,
                    &format!("WASM module load failed: {e}"),
                )
            };
            std::ptr::null_mut()
        }
    }
}

/// # Safety
/// `module` is NULL or a live module that is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_unload(module: *mut WamrModule) {
    guard((), || {
        // SAFETY: per the contract.
        let Some(m) = (unsafe { module_ref(module) }) else {
            return;
        };
        if m.is_registered() {
            // Owned by the runtime until wasm_runtime_destroy.
            return;
        }
        // SAFETY: an unregistered module is owned by the caller.
        drop(unsafe { RtBox::from_raw(module) });
    })
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_module_reader(
    reader: Option<runtime::ReaderFn>,
    destroyer: Option<runtime::DestroyerFn>,
) {
    guard((), || {
        with_runtime(|rt| {
            rt.reader = reader;
            rt.destroyer = destroyer;
        });
    })
}

/// # Safety
/// `name` is NULL or a C string; `module` NULL or live; `error_buf` as usual.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_register_module(
    name: *const c_char,
    module: *mut WamrModule,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> bool {
    let out = guard(Err("internal error".to_string()), || {
        // SAFETY: per the contract.
        let name = unsafe { cstr(name) }.ok_or("the module name is NULL or not UTF-8")?;
        // SAFETY: per the contract.
        let m = unsafe { module_ref(module) }.ok_or("the module is NULL")?;
        register(name, module, m)
    });
    match out {
        Ok(()) => true,
        Err(e) => {
            // SAFETY: the caller's error buffer.
            unsafe { set_error_buf(error_buf, error_buf_size, &format!("register module failed: {e}")) };
            false
        }
    }
}

pub(crate) fn register(name: &str, ptr: *mut WamrModule, m: &WamrModule) -> Result<(), String> {
    if is_reserved(name) {
        return Err(format!("\"{name}\" is a reserved module name"));
    }
    with_runtime(|rt| {
        let live = *m.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = rt.registry.get(name) {
            return if existing.0 == ptr {
                if live.is_some() {
                    *m.registered_instance.lock().unwrap_or_else(|p| p.into_inner()) = live;
                }
                Ok(())
            } else {
                Err(format!("another module is registered as {name}"))
            };
        }
        if m.is_registered() {
            return Err(format!("the module is already registered as {}", m.name()));
        }
        rt.registry.insert(name.to_string(), SendPtr(ptr));
        *m.registered_instance.lock().unwrap_or_else(|p| p.into_inner()) = live;
        m.set_name(name);
        m.registered.store(true, Ordering::Release);
        Ok(())
    })
    .unwrap_or_else(|| Err("the runtime is not initialised".to_string()))
}

/// # Safety
/// `name` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_find_module_registered(name: *const c_char) -> *mut WamrModule {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let Some(name) = (unsafe { cstr(name) }) else {
            return std::ptr::null_mut();
        };
        with_runtime(|rt| rt.registry.get(name).map(|m| m.0))
            .flatten()
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// As for registration.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_module_name(
    module: *mut WamrModule,
    name: *const c_char,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> bool {
    let out = guard(Err("internal error".to_string()), || {
        // SAFETY: per the contract.
        let m = unsafe { module_ref(module) }.ok_or("the module is NULL")?;
        // SAFETY: per the contract.
        let name = unsafe { cstr(name) }.ok_or("the name is NULL or not UTF-8")?;
        if m.is_registered() && m.name() != name {
            return Err(format!("a registered module keeps its name {}", m.name()));
        }
        m.set_name(name);
        Ok(())
    });
    match out {
        Ok(()) => true,
        Err(e) => {
            // SAFETY: the caller's error buffer.
            unsafe { set_error_buf(error_buf, error_buf_size, &e) };
            false
        }
    }
}

/// # Safety
/// `module` is NULL or live. The string lives until the name changes.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module_name(module: *mut WamrModule) -> *const c_char {
    guard(c"".as_ptr(), || {
        // SAFETY: per the contract.
        match unsafe { module_ref(module) } {
            Some(m) => m.name.lock().unwrap_or_else(|p| p.into_inner()).as_ptr(),
            None => c"".as_ptr(),
        }
    })
}

/// # Safety
/// `buf` is NULL or points to `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn get_package_type(buf: *const u8, size: u32) -> u32 {
    guard(PACKAGE_TYPE_UNKNOWN, || {
        if buf.is_null() {
            return PACKAGE_TYPE_UNKNOWN;
        }
        // SAFETY: per the contract.
        package_type(unsafe { std::slice::from_raw_parts(buf, size as usize) })
    })
}

/// # Safety
/// As [`get_package_type`].
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_file_package_type(buf: *const u8, size: u32) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { get_package_type(buf, size) }
}

/// # Safety
/// `module` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module_package_type(module: *const WamrModule) -> u32 {
    // SAFETY: per the contract.
    match unsafe { module_ref(module) } {
        Some(_) => WASM_MODULE_BYTECODE,
        None => PACKAGE_TYPE_UNKNOWN,
    }
}

#[no_mangle]
pub extern "C" fn wasm_runtime_is_xip_file(_buf: *const u8, _size: u32) -> bool {
    false
}
