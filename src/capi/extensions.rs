//! Weft's own additions for `wasm.h` clients (`wasm-c-api/include/weft.h`):
//! WAMR's c-api extensions `wasm_module_set_name`/`wasm_module_get_name`,
//! the module reader for imports left NULL (`weft_set_module_reader`), and
//! a small WASI configuration (`weft_wasi_config_t`) with
//! `weft_instance_new_with_wasi`, plus `weft_trap_exit_code` for the exit
//! status of a WASI `proc_exit`.

use super::externs::wasm_extern_vec_t;
use super::instance::{instance_new_c, wasm_instance_t};
use super::refs::wasm_ref_t;
use super::store::wasm_store_t;
use super::trap::wasm_trap_t;
use super::{ffi, ffi_or};
use crate::wamr::bridge;
use crate::wasi::{Wasi, WasiCtxBuilder};
use std::ffi::{c_char, c_int, CStr, CString};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::PathBuf;

/// Reads a C string; `None` for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Names `module` and registers it under that name (as WAMR does), so that
/// a module importing from `name` with that import left NULL links to it.
/// False if an argument is NULL, the name is reserved (`env`, the WASI
/// names, `spectest`, empty) or taken by another module, or the module's
/// own dependencies cannot be loaded.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn wasm_module_set_name(module: Option<&wasm_ref_t>, name: *const c_char) -> bool {
    ffi(|| {
        let Some(module) = module else { return false };
        let Some(m) = module.as_module() else {
            return false;
        };
        // SAFETY: per the contract.
        let Some(name) = (unsafe { text(name) }) else {
            return false;
        };
        if bridge::register_named(name, m.bytes()).is_err() {
            return false;
        }
        let Ok(c) = CString::new(name) else {
            return false;
        };
        *module.core.ident.name.borrow_mut() = Some(c);
        true
    })
}

/// The module's name, or "" when it has none (or `module` is NULL). The
/// string lives as long as the module, or until its name is set again.
#[no_mangle]
pub extern "C" fn wasm_module_get_name(module: Option<&wasm_ref_t>) -> *const c_char {
    static EMPTY: &CStr = c"";
    ffi_or(EMPTY.as_ptr(), || {
        module
            .filter(|m| m.as_module().is_some())
            .and_then(|m| m.core.ident.name.borrow().as_ref().map(|c| c.as_ptr()))
            .unwrap_or(EMPTY.as_ptr())
    })
}

/// Reader of a module by name (WAMR's `module_reader`).
pub type weft_module_reader_t =
    Option<unsafe extern "C" fn(u32, *const c_char, *mut *mut u8, *mut u32) -> bool>;
/// Releases what the reader handed out (WAMR's `module_destroyer`).
pub type weft_module_destroyer_t = Option<unsafe extern "C" fn(*mut u8, u32)>;

/// Sets the reader that supplies, by module name, the modules that imports
/// left NULL come from (when no registered module has that name), and the
/// function that gets each buffer back, once. The same setting as
/// `wasm_runtime_set_module_reader` of `wasm_export.h`.
#[no_mangle]
pub extern "C" fn weft_set_module_reader(reader: weft_module_reader_t, destroyer: weft_module_destroyer_t) {
    ffi(|| {
        bridge::ensure_runtime();
        crate::wamr::module::wasm_runtime_set_module_reader(reader, destroyer);
    })
}

/// WASI settings for `weft_instance_new_with_wasi`.
#[derive(Default)]
pub struct weft_wasi_config_t {
    args: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    preopens: Vec<(PathBuf, String)>,
    /// Descriptors for stdin, stdout, stderr (`None`: the host's own).
    stdio: [Option<OwnedFd>; 3],
}

impl weft_wasi_config_t {
    /// A fresh WASI context from these settings.
    fn build(&self) -> Result<Wasi, String> {
        let mut b = WasiCtxBuilder::new().inherit_stdio().args(&self.args);
        for (k, v) in &self.env {
            b = b.env(k, v);
        }
        for (host, guest) in &self.preopens {
            b = b.preopened_dir(host, guest.clone());
        }
        for (i, fd) in self.stdio.iter().enumerate() {
            let Some(fd) = fd else { continue };
            let fd = fd
                .try_clone()
                .map_err(|e| format!("cannot duplicate a stdio descriptor: {e}"))?;
            b = match i {
                0 => b.stdin(fd),
                1 => b.stdout(fd),
                _ => b.stderr(fd),
            };
        }
        b.build().map(Wasi::new).map_err(|e| e.to_string())
    }
}

/// Copies `n` C strings from `list`; `None` if any is NULL.
///
/// # Safety
/// `list` is NULL (then `n` is 0) or holds `n` pointers to C strings.
unsafe fn strings(list: *const *const c_char, n: usize) -> Option<Vec<Vec<u8>>> {
    if n == 0 {
        return Some(Vec::new());
    }
    if list.is_null() {
        return None;
    }
    (0..n)
        .map(|i| {
            // SAFETY: per the contract.
            let p = unsafe { *list.add(i) };
            // SAFETY: a C string when not NULL.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
        })
        .collect()
}

/// Settings with no arguments, no environment, no preopened directories
/// and the host's stdin, stdout and stderr.
#[no_mangle]
pub extern "C" fn weft_wasi_config_new() -> Option<Box<weft_wasi_config_t>> {
    ffi(|| Some(Box::default()))
}

#[no_mangle]
pub extern "C" fn weft_wasi_config_delete(config: Option<Box<weft_wasi_config_t>>) {
    ffi(|| drop(config))
}

/// Replaces the arguments (`argv[0]` is the program name by convention).
///
/// # Safety
/// `argv` holds `argc` C strings (it may be NULL when `argc` is 0).
#[no_mangle]
pub unsafe extern "C" fn weft_wasi_config_set_args(
    config: Option<&mut weft_wasi_config_t>,
    argc: usize,
    argv: *const *const c_char,
) -> bool {
    ffi(|| {
        let Some(c) = config else { return false };
        // SAFETY: per the contract.
        match unsafe { strings(argv, argc) } {
            Some(a) => {
                c.args = a;
                true
            }
            None => false,
        }
    })
}

/// Replaces the environment with `n` variables `names[i]=values[i]`.
///
/// # Safety
/// `names` and `values` each hold `n` C strings (NULL when `n` is 0).
#[no_mangle]
pub unsafe extern "C" fn weft_wasi_config_set_env(
    config: Option<&mut weft_wasi_config_t>,
    n: usize,
    names: *const *const c_char,
    values: *const *const c_char,
) -> bool {
    ffi(|| {
        let Some(c) = config else { return false };
        // SAFETY: per the contract.
        let (Some(k), Some(v)) = (unsafe { strings(names, n) }, unsafe { strings(values, n) }) else {
            return false;
        };
        if k.iter().any(|k| k.is_empty() || k.contains(&b'=')) {
            return false;
        }
        c.env = k.into_iter().zip(v).collect();
        true
    })
}

/// Gives the guest the host directory `host_path` as `guest_path`; false if
/// an argument is NULL or `host_path` is not a directory.
///
/// # Safety
/// The paths are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn weft_wasi_config_preopen_dir(
    config: Option<&mut weft_wasi_config_t>,
    host_path: *const c_char,
    guest_path: *const c_char,
) -> bool {
    ffi(|| {
        let Some(c) = config else { return false };
        // SAFETY: per the contract.
        let (Some(host), Some(guest)) = (unsafe { text(host_path) }, unsafe { text(guest_path) }) else {
            return false;
        };
        let host = PathBuf::from(host);
        if !host.is_dir() {
            return false;
        }
        c.preopens.push((host, guest.to_string()));
        true
    })
}

/// Sets the guest's stdin, stdout and stderr to (duplicates of) the given
/// descriptors, which the caller keeps; -1 keeps the host's own stream.
/// False (and nothing changes) if a descriptor cannot be duplicated.
#[no_mangle]
pub extern "C" fn weft_wasi_config_set_stdio(
    config: Option<&mut weft_wasi_config_t>,
    stdin_fd: c_int,
    stdout_fd: c_int,
    stderr_fd: c_int,
) -> bool {
    ffi(|| {
        let Some(c) = config else { return false };
        let mut out: [Option<OwnedFd>; 3] = [None, None, None];
        for (slot, fd) in out.iter_mut().zip([stdin_fd, stdout_fd, stderr_fd]) {
            if fd < 0 {
                continue;
            }
            // SAFETY: only checked for validity before being borrowed.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
                return false;
            }
            // SAFETY: an open descriptor (checked above) that the caller
            // keeps open for the duration of this call.
            let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
            match borrowed.try_clone_to_owned() {
                Ok(o) => *slot = Some(o),
                Err(_) => return false,
            }
        }
        c.stdio = out;
        true
    })
}

/// Like `wasm_instance_new`, with WASI: the imports left NULL in `imports`
/// (or all of them, when `imports` is NULL) come from a WASI context made
/// from `config` (NULL: the defaults of `weft_wasi_config_new`) for the
/// WASI module names, and from the registry and module reader otherwise.
/// Modules pulled in that way share this context. The config is only read:
/// it can serve several instances, each with a context of its own.
#[no_mangle]
pub extern "C" fn weft_instance_new_with_wasi(
    store: Option<&wasm_store_t>,
    module: Option<&wasm_ref_t>,
    imports: Option<&wasm_extern_vec_t>,
    config: Option<&weft_wasi_config_t>,
    trap_out: Option<&mut MaybeUninit<Option<Box<wasm_trap_t>>>>,
) -> Option<Box<wasm_instance_t>> {
    if store.is_none() {
        // Reported as wasm_instance_new reports it.
        return instance_new_c(None, module, None, None, trap_out);
    }
    let default;
    let config = match config {
        Some(c) => c,
        None => {
            default = weft_wasi_config_t::default();
            &default
        }
    };
    let wasi = match ffi_or(Err("internal error".to_string()), || config.build()) {
        Ok(w) => w,
        Err(e) => {
            // Report through the same path as any other failure.
            let msg = format!("weft_instance_new_with_wasi: the WASI context: {e}");
            return fail_with(store, msg, trap_out);
        }
    };
    instance_new_c(
        store,
        module,
        imports.map(|v| v.as_slice()),
        Some(&wasi),
        trap_out,
    )
}

fn fail_with(
    store: Option<&wasm_store_t>,
    msg: String,
    trap_out: Option<&mut MaybeUninit<Option<Box<wasm_trap_t>>>>,
) -> Option<Box<wasm_instance_t>> {
    let trap = ffi_or(None, || {
        store.map(|s| s.inner.trap_ref(crate::core::Trap::host(msg)))
    });
    match trap_out {
        Some(out) => {
            out.write(trap);
        }
        None => drop(trap),
    }
    None
}

/// True if `trap` is a WASI `proc_exit`, with its status in `*code` (when
/// `code` is not NULL).
#[no_mangle]
pub extern "C" fn weft_trap_exit_code(trap: Option<&wasm_trap_t>, code: Option<&mut c_int>) -> bool {
    ffi(|| {
        let Some(c) = trap.and_then(|t| t.as_trap()).and_then(|t| t.exit_code()) else {
            return false;
        };
        if let Some(out) = code {
            *out = c;
        }
        true
    })
}
