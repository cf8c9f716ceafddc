//! WASI for WAMR embedders: `wasm_runtime_set_wasi_args(_ex)` records a
//! module's arguments, environment, preopened directories and stdio; at
//! instantiation a tree that imports WASI gets one context (built from its
//! root module's settings, or the defaults: no arguments, inherited stdio,
//! no preopens) shared by all its instances.

use super::guard;
use super::module::{module_ref, WamrModule};
use crate::wasi::{Wasi, WasiCtxBuilder};
use std::ffi::{c_char, CStr};
use std::os::fd::{FromRawFd, OwnedFd};

/// What `wasm_runtime_set_wasi_args_ex` recorded.
#[derive(Clone, Default)]
pub(crate) struct WasiArgs {
    dirs: Vec<String>,
    map_dirs: Vec<String>,
    env: Vec<Vec<u8>>,
    argv: Vec<Vec<u8>>,
    stdio: [i64; 3],
}

/// Copies `n` C strings from `list` (NULL entries are skipped).
///
/// # Safety
/// `list` is NULL or holds `n` pointers, each NULL or a C string.
unsafe fn strings(list: *const *const c_char, n: usize) -> Vec<Vec<u8>> {
    if list.is_null() {
        return Vec::new();
    }
    (0..n)
        .filter_map(|i| {
            // SAFETY: per the contract.
            let p = unsafe { *list.add(i) };
            // SAFETY: a C string when not NULL.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
        })
        .collect()
}

fn text(v: Vec<Vec<u8>>) -> Vec<String> {
    v.into_iter()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

/// Builds the WASI context for a tree whose root is `root`.
pub(crate) fn context(root: &WamrModule) -> Result<Wasi, String> {
    let args = root.wasi_args().unwrap_or_else(|| WasiArgs {
        stdio: [-1; 3],
        ..WasiArgs::default()
    });
    let mut b = WasiCtxBuilder::new().inherit_stdio().args(&args.argv);
    for e in &args.env {
        let (k, v) = match e.iter().position(|&c| c == b'=') {
            Some(i) => (&e[..i], &e[i + 1..]),
            None => (&e[..], &b""[..]),
        };
        b = b.env(k, v);
    }
    for d in &args.dirs {
        b = b.preopened_dir(d, d.clone());
    }
    for m in &args.map_dirs {
        let (guest, host) = m
            .split_once("::")
            .ok_or_else(|| format!("mapped directory {m:?} is not of the form <guest>::<host>"))?;
        b = b.preopened_dir(host, guest.to_string());
    }
    for (i, &fd) in args.stdio.iter().enumerate() {
        if fd < 0 {
            continue;
        }
        // SAFETY: duplicating the embedder's descriptor; the copy is ours.
        let dup = unsafe { libc::dup(fd as i32) };
        if dup < 0 {
            return Err(format!("cannot duplicate stdio descriptor {fd}"));
        }
        // SAFETY: `dup` is a fresh descriptor we own.
        let owned = unsafe { OwnedFd::from_raw_fd(dup) };
        b = match i {
            0 => b.stdin(owned),
            1 => b.stdout(owned),
            _ => b.stderr(owned),
        };
    }
    b.build().map(Wasi::new).map_err(|e| e.to_string())
}

/// # Safety
/// `module` is NULL or live; the lists as WAMR documents.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wasm_runtime_set_wasi_args_ex(
    module: *mut WamrModule,
    dir_list: *const *const c_char,
    dir_count: u32,
    map_dir_list: *const *const c_char,
    map_dir_count: u32,
    env: *const *const c_char,
    env_count: u32,
    argv: *const *const c_char,
    argc: i32,
    stdinfd: i64,
    stdoutfd: i64,
    stderrfd: i64,
) {
    guard((), || {
        // SAFETY: per the contract.
        let Some(m) = (unsafe { module_ref(module) }) else {
            return;
        };
        // SAFETY: per the contract.
        let args = unsafe {
            WasiArgs {
                dirs: text(strings(dir_list, dir_count as usize)),
                map_dirs: text(strings(map_dir_list, map_dir_count as usize)),
                env: strings(env, env_count as usize),
                argv: strings(argv, argc.max(0) as usize),
                stdio: [stdinfd, stdoutfd, stderrfd],
            }
        };
        m.set_wasi_args(args);
    })
}

/// # Safety
/// As [`wasm_runtime_set_wasi_args_ex`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wasm_runtime_set_wasi_args(
    module: *mut WamrModule,
    dir_list: *const *const c_char,
    dir_count: u32,
    map_dir_list: *const *const c_char,
    map_dir_count: u32,
    env: *const *const c_char,
    env_count: u32,
    argv: *const *const c_char,
    argc: i32,
) {
    // SAFETY: forwarded contract.
    unsafe {
        wasm_runtime_set_wasi_args_ex(
            module,
            dir_list,
            dir_count,
            map_dir_list,
            map_dir_count,
            env,
            env_count,
            argv,
            argc,
            -1,
            -1,
            -1,
        )
    }
}
