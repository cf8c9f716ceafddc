//! Native (host) functions described by `NativeSymbol` arrays, WAMR-style.
//!
//! A registration is copied (names, signature, function pointer,
//! attachment). At instantiation an import whose module and field names
//! match a registered symbol (latest registration first) and whose type
//! agrees with the symbol's signature is linked to a host function that
//! marshals the arguments, checks pointer arguments against the calling
//! instance's memory 0, and calls the C function.
//!
//! Ordinary natives are called with their own C signature: the exec env,
//! then one C argument per parameter. There is no C-side trampoline per
//! signature; instead [`invoke`] places integer-class and floating-point
//! arguments in the platform's argument registers (and the rest on the
//! stack) as the C calling convention does, for x86-64 (System V) and
//! AArch64 (AAPCS64). Raw natives take `(exec_env, uint64_t *args)`.

use super::exec_env::ExecEnv;
use super::instance::Shared;
use super::runtime::with_runtime;
use super::{cstr, guard, SendPtr};
use crate::core::{ExternRef, FuncType, Trap, TrapCode, Val, ValType};
use crate::runtime::{Caller, Store};
use std::ffi::{c_char, c_void};
use std::sync::atomic::Ordering;

/// `NativeSymbol` of lib_export.h.
#[repr(C)]
pub struct NativeSymbol {
    pub symbol: *const c_char,
    pub func_ptr: *mut c_void,
    pub signature: *const c_char,
    pub attachment: *mut c_void,
}

#[derive(Clone)]
pub(crate) struct NativeEntry {
    symbol: String,
    func: SendPtr<c_void>,
    signature: Option<String>,
    attachment: SendPtr<c_void>,
}

/// One registration: a module name and its symbols.
pub(crate) struct NativeGroup {
    pub module: String,
    /// The caller's array, which identifies the group for unregistering.
    key: SendPtr<NativeSymbol>,
    raw: bool,
    entries: Vec<NativeEntry>,
}

/// How one parameter reaches C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    I32,
    I64,
    F32,
    F64,
    ExternRef,
    /// An app address checked for the following length parameter (or one
    /// byte) and passed as a native pointer.
    Ptr {
        with_len: bool,
    },
    /// The length of the preceding pointer.
    Len,
    /// An app address of a NUL-terminated string, passed as a pointer.
    Str,
}

/// A native matched to an import: what to call and how.
#[derive(Clone)]
pub(crate) struct Resolved {
    entry: NativeEntry,
    raw: bool,
    args: Vec<Arg>,
    result: Option<ValType>,
}

/// Copies a C array of symbols into a group.
///
/// # Safety
/// `symbols` points to `n` valid entries whose strings are NULL or C strings.
pub(crate) unsafe fn group_from_c(
    module: *const c_char,
    symbols: *mut NativeSymbol,
    n: u32,
    raw: bool,
) -> Option<NativeGroup> {
    // SAFETY: per the contract.
    let module = unsafe { cstr(module) }?.to_string();
    if symbols.is_null() {
        return None;
    }
    let mut entries = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        // SAFETY: `n` valid entries per the contract.
        let s = unsafe { &*symbols.add(i) };
        // SAFETY: strings are NULL or C strings per the contract.
        let (symbol, signature) = unsafe { (cstr(s.symbol)?, cstr(s.signature)) };
        if s.func_ptr.is_null() {
            return None;
        }
        entries.push(NativeEntry {
            symbol: symbol.to_string(),
            func: SendPtr(s.func_ptr),
            signature: signature.map(str::to_string),
            attachment: SendPtr(s.attachment),
        });
    }
    Some(NativeGroup {
        module,
        key: SendPtr(symbols),
        raw,
        entries,
    })
}

/// Parses a signature against the import's type; `None` if they disagree.
fn plan(signature: Option<&str>, ty: &FuncType) -> Option<(Vec<Arg>, Option<ValType>)> {
    let result = match ty.results() {
        [] => None,
        [t] => Some(*t),
        _ => return None,
    };
    let Some(sig) = signature else {
        let args = ty
            .params()
            .iter()
            .map(|t| match t {
                ValType::I32 => Some(Arg::I32),
                ValType::I64 => Some(Arg::I64),
                ValType::F32 => Some(Arg::F32),
                ValType::F64 => Some(Arg::F64),
                ValType::ExternRef => Some(Arg::ExternRef),
                ValType::FuncRef => None,
            })
            .collect::<Option<Vec<_>>>()?;
        return Some((args, result));
    };
    let inner = sig.strip_prefix('(')?;
    let (params, ret) = inner.split_once(')')?;
    let chars: Vec<char> = params.chars().collect();
    if chars.len() != ty.params().len() {
        return None;
    }
    let mut args = Vec::with_capacity(chars.len());
    for (i, (c, t)) in chars.iter().zip(ty.params()).enumerate() {
        let (arg, want) = match c {
            'i' => (Arg::I32, ValType::I32),
            'I' => (Arg::I64, ValType::I64),
            'f' => (Arg::F32, ValType::F32),
            'F' => (Arg::F64, ValType::F64),
            'r' => (Arg::ExternRef, ValType::ExternRef),
            '*' => (
                Arg::Ptr {
                    with_len: chars.get(i + 1) == Some(&'~'),
                },
                ValType::I32,
            ),
            '~' if i > 0 && chars[i - 1] == '*' => (Arg::Len, ValType::I32),
            '$' => (Arg::Str, ValType::I32),
            _ => return None,
        };
        if *t != want {
            return None;
        }
        args.push(arg);
    }
    let want_ret = match ret {
        "" => None,
        "i" => Some(ValType::I32),
        "I" => Some(ValType::I64),
        "f" => Some(ValType::F32),
        "F" => Some(ValType::F64),
        "r" => Some(ValType::ExternRef),
        _ => return None,
    };
    (want_ret == result).then_some((args, result))
}

/// The native linked to import `module`.`name` of type `ty`, if any.
pub(crate) fn resolve(module: &str, name: &str, ty: &FuncType) -> Option<Resolved> {
    let found = with_runtime(|rt| {
        rt.natives.iter().rev().find_map(|g| {
            if g.module != module {
                return None;
            }
            let e = g.entries.iter().find(|e| e.symbol == name)?;
            Some((e.clone(), g.raw))
        })
    })??;
    let (entry, raw) = found;
    let (args, result) = plan(entry.signature.as_deref(), ty)?;
    if !raw && !supported(&args) {
        return None;
    }
    Some(Resolved {
        entry,
        raw,
        args,
        result,
    })
}

/// The host function for a resolved native in the tree `sp`.
pub(crate) fn host_closure(
    sp: SendPtr<Shared>,
    importer: u32,
    n: Resolved,
) -> impl Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static {
    move |caller, args, results| {
        // SAFETY: the tree owns the store that owns this closure, so it is
        // alive whenever the closure runs.
        let shared = unsafe { &*sp.get() };
        call_native(shared, importer, &n, caller, args, results)
    }
}

fn oob() -> Trap {
    Trap::new(TrapCode::MemoryOutOfBounds)
}

/// Converts the arguments to 64-bit slots (pointers checked and made
/// native), calls the native with the store lent to nested API calls,
/// and converts its result.
fn call_native(
    shared: &Shared,
    importer: u32,
    n: &Resolved,
    caller: &mut Caller<'_>,
    args: &[Val],
    results: &mut [Val],
) -> Result<(), Trap> {
    let inst = caller.instance();
    // Called from wasm: the calling instance; called directly by the
    // embedder: the instance that imported the native.
    let node = shared.node_of(inst).unwrap_or(importer);
    let (base, len) = {
        let store = caller.store_ref();
        let mem = shared.node(node).instance.get().and_then(|i| i.memory(store, 0));
        match mem.and_then(|m| m.data(store).ok()) {
            Some(d) => (d.as_ptr() as usize, d.len()),
            None => (0, 0),
        }
    };
    let mut slots: Vec<u64> = Vec::with_capacity(args.len().max(1));
    for (i, (a, kind)) in args.iter().zip(&n.args).enumerate() {
        let bits = match *a {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(b) => b as u64,
            Val::F64(b) => b,
            Val::ExternRef(e) => e.map(|e| e.raw()).unwrap_or(0),
            Val::FuncRef(_) => 0,
        };
        let slot = match kind {
            Arg::Ptr { with_len } => {
                let off = bits as usize;
                let size = if *with_len {
                    match args.get(i + 1) {
                        Some(Val::I32(l)) => *l as u32 as usize,
                        _ => return Err(oob()),
                    }
                } else {
                    1
                };
                if base == 0 || off.checked_add(size).is_none_or(|end| end > len) {
                    return Err(oob());
                }
                (base + off) as u64
            }
            Arg::Str => {
                let off = bits as usize;
                if base == 0 || off >= len {
                    return Err(oob());
                }
                // SAFETY: [base, base + len) is the caller's accessible memory.
                let tail = unsafe { std::slice::from_raw_parts((base + off) as *const u8, len - off) };
                if !tail.contains(&0) {
                    return Err(oob());
                }
                (base + off) as u64
            }
            _ => bits,
        };
        slots.push(slot);
    }
    let env_ptr = shared.env_for_natives(node);
    // SAFETY: exec envs used for calls outlive those calls.
    let env = unsafe { env_ptr.as_ref() };
    let node_handle = shared.node(node).handle.as_ptr();
    let saved = env.map(|e| {
        (
            e.inst.swap(node_handle, Ordering::AcqRel),
            e.attachment.swap(n.entry.attachment.0, Ordering::AcqRel),
        )
    });
    let store: &mut Store = caller.store();
    let ret = shared.lend_store(store, || {
        if n.raw {
            if slots.is_empty() {
                slots.push(0);
            }
            let f: RawFn = {
                // SAFETY: registered as a raw native: void fn(exec_env, uint64_t *).
                unsafe { std::mem::transmute::<*mut c_void, RawFn>(n.entry.func.0) }
            };
            // SAFETY: calling the embedder's raw native with one slot per
            // parameter (at least one, for the result).
            unsafe { f(env_ptr, slots.as_mut_ptr()) };
            slots[0]
        } else {
            // SAFETY: the signature was checked against the import's type
            // and describes the C function's parameters.
            unsafe { invoke(n.entry.func.0, env_ptr, &n.args, &slots, n.result) }
        }
    });
    if let (Some(e), Some((i, a))) = (env, saved) {
        e.inst.store(i, Ordering::Release);
        e.attachment.store(a, Ordering::Release);
    }
    if let Some(msg) = shared.exception() {
        return Err(Trap::host(msg));
    }
    if let (Some(t), Some(r)) = (n.result, results.first_mut()) {
        *r = match t {
            ValType::I32 => Val::I32(ret as u32 as i32),
            ValType::I64 => Val::I64(ret as i64),
            ValType::F32 => Val::F32(ret as u32),
            ValType::F64 => Val::F64(ret),
            ValType::ExternRef => Val::ExternRef(ExternRef::from_raw(ret)),
            ValType::FuncRef => Val::FuncRef(None),
        };
    }
    Ok(())
}

type RawFn = unsafe extern "C" fn(*mut ExecEnv, *mut u64);

#[cfg(target_arch = "x86_64")]
const INT_REGS: usize = 6;
#[cfg(target_arch = "aarch64")]
const INT_REGS: usize = 8;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const INT_REGS: usize = 0;
const FLOAT_REGS: usize = 8;
/// Stack slots [`invoke`] can pass (always pushes this many).
const STACK_SLOTS: usize = 16;

fn is_float(a: Arg) -> bool {
    matches!(a, Arg::F32 | Arg::F64)
}

/// True if [`invoke`] can pass these arguments on this platform.
fn supported(args: &[Arg]) -> bool {
    if INT_REGS == 0 {
        return false;
    }
    let ints = 1 + args.iter().filter(|a| !is_float(**a)).count();
    let floats = args.iter().filter(|a| is_float(**a)).count();
    ints.saturating_sub(INT_REGS) + floats.saturating_sub(FLOAT_REGS) <= STACK_SLOTS
}

/// Calls `f(env, args...)` with the C calling convention: integer-class
/// arguments (the exec env, integers, pointers) in integer registers, f32
/// and f64 in floating-point registers (an f32 in the low half), the
/// overflow on the stack in order, 8 bytes each; the result from the
/// integer or floating-point return register.
///
/// # Safety
/// `f` is a C function whose parameters are described by `kinds` (after
/// the exec env) and whose result by `result`; `slots` holds one value per
/// parameter.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
unsafe fn invoke(
    f: *mut c_void,
    env: *mut ExecEnv,
    kinds: &[Arg],
    slots: &[u64],
    result: Option<ValType>,
) -> u64 {
    let mut ints = [0u64; INT_REGS];
    let mut floats = [0u64; FLOAT_REGS];
    let mut stack = [0u64; STACK_SLOTS];
    let (mut ni, mut nf, mut ns) = (1usize, 0usize, 0usize);
    ints[0] = env as usize as u64;
    for (k, v) in kinds.iter().zip(slots) {
        let v = match k {
            Arg::F32 => *v & 0xffff_ffff,
            _ => *v,
        };
        if is_float(*k) && nf < FLOAT_REGS {
            floats[nf] = v;
            nf += 1;
        } else if !is_float(*k) && ni < INT_REGS {
            ints[ni] = v;
            ni += 1;
        } else {
            stack[ns] = v;
            ns += 1;
        }
    }
    // SAFETY: forwarded contract; `supported` bounded the stack slots.
    let (ri, rf) = unsafe { call_c(f, &ints, &floats, &stack) };
    match result {
        Some(ValType::F32) => rf & 0xffff_ffff,
        Some(ValType::F64) => rf,
        _ => ri,
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn invoke(
    _f: *mut c_void,
    _env: *mut ExecEnv,
    _kinds: &[Arg],
    _slots: &[u64],
    _result: Option<ValType>,
) -> u64 {
    0
}

/// The register-level call: returns the integer and floating-point return
/// registers.
///
/// # Safety
/// `f` is a C function taking at most the arguments passed.
#[cfg(target_arch = "x86_64")]
unsafe fn call_c(
    f: *mut c_void,
    ints: &[u64; INT_REGS],
    floats: &[u64; FLOAT_REGS],
    stack: &[u64; STACK_SLOTS],
) -> (u64, u64) {
    let ri: u64;
    let rf: u64;
    // SAFETY: reserves 128 bytes (16 slots, keeping 16-byte alignment),
    // copies the stack arguments, calls `f` with the argument registers
    // set, and restores the stack pointer. Caller-saved registers are
    // declared clobbered.
    unsafe {
        std::arch::asm!(
            "sub rsp, 128",
            "mov rax, [r10]", "mov [rsp], rax",
            "mov rax, [r10 + 8]", "mov [rsp + 8], rax",
            "mov rax, [r10 + 16]", "mov [rsp + 16], rax",
            "mov rax, [r10 + 24]", "mov [rsp + 24], rax",
            "mov rax, [r10 + 32]", "mov [rsp + 32], rax",
            "mov rax, [r10 + 40]", "mov [rsp + 40], rax",
            "mov rax, [r10 + 48]", "mov [rsp + 48], rax",
            "mov rax, [r10 + 56]", "mov [rsp + 56], rax",
            "mov rax, [r10 + 64]", "mov [rsp + 64], rax",
            "mov rax, [r10 + 72]", "mov [rsp + 72], rax",
            "mov rax, [r10 + 80]", "mov [rsp + 80], rax",
            "mov rax, [r10 + 88]", "mov [rsp + 88], rax",
            "mov rax, [r10 + 96]", "mov [rsp + 96], rax",
            "mov rax, [r10 + 104]", "mov [rsp + 104], rax",
            "mov rax, [r10 + 112]", "mov [rsp + 112], rax",
            "mov rax, [r10 + 120]", "mov [rsp + 120], rax",
            "mov eax, 8",
            "call r11",
            "add rsp, 128",
            "movq rdx, xmm0",
            in("rdi") ints[0],
            in("rsi") ints[1],
            in("rcx") ints[3],
            in("r8") ints[4],
            in("r9") ints[5],
            inout("rdx") ints[2] => rf,
            in("xmm0") floats[0],
            in("xmm1") floats[1],
            in("xmm2") floats[2],
            in("xmm3") floats[3],
            in("xmm4") floats[4],
            in("xmm5") floats[5],
            in("xmm6") floats[6],
            in("xmm7") floats[7],
            in("r10") stack.as_ptr(),
            in("r11") f,
            lateout("rax") ri,
            clobber_abi("C"),
        );
    }
    (ri, rf)
}

#[cfg(target_arch = "aarch64")]
unsafe fn call_c(
    f: *mut c_void,
    ints: &[u64; INT_REGS],
    floats: &[u64; FLOAT_REGS],
    stack: &[u64; STACK_SLOTS],
) -> (u64, u64) {
    let ri: u64;
    let rf: u64;
    // SAFETY: as for x86-64: 128 bytes of stack arguments, the argument
    // registers, the call, the stack pointer restored.
    unsafe {
        std::arch::asm!(
            "sub sp, sp, #128",
            "ldp x9, x10, [x11, #0]", "stp x9, x10, [sp, #0]",
            "ldp x9, x10, [x11, #16]", "stp x9, x10, [sp, #16]",
            "ldp x9, x10, [x11, #32]", "stp x9, x10, [sp, #32]",
            "ldp x9, x10, [x11, #48]", "stp x9, x10, [sp, #48]",
            "ldp x9, x10, [x11, #64]", "stp x9, x10, [sp, #64]",
            "ldp x9, x10, [x11, #80]", "stp x9, x10, [sp, #80]",
            "ldp x9, x10, [x11, #96]", "stp x9, x10, [sp, #96]",
            "ldp x9, x10, [x11, #112]", "stp x9, x10, [sp, #112]",
            "blr x12",
            "add sp, sp, #128",
            "fmov x1, d0",
            inout("x0") ints[0] => ri,
            inout("x1") ints[1] => rf,
            in("x2") ints[2],
            in("x3") ints[3],
            in("x4") ints[4],
            in("x5") ints[5],
            in("x6") ints[6],
            in("x7") ints[7],
            in("d0") f64::from_bits(floats[0]),
            in("d1") f64::from_bits(floats[1]),
            in("d2") f64::from_bits(floats[2]),
            in("d3") f64::from_bits(floats[3]),
            in("d4") f64::from_bits(floats[4]),
            in("d5") f64::from_bits(floats[5]),
            in("d6") f64::from_bits(floats[6]),
            in("d7") f64::from_bits(floats[7]),
            in("x11") stack.as_ptr(),
            in("x12") f,
            clobber_abi("C"),
        );
    }
    (ri, rf)
}

unsafe fn register(module: *const c_char, symbols: *mut NativeSymbol, n: u32, raw: bool) -> bool {
    // SAFETY: forwarded contract.
    let Some(g) = (unsafe { group_from_c(module, symbols, n, raw) }) else {
        return false;
    };
    with_runtime(|rt| rt.natives.push(g)).is_some()
}

/// # Safety
/// `module` is a C string; `symbols` points to `n` valid entries.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_register_natives(
    module: *const c_char,
    symbols: *mut NativeSymbol,
    n: u32,
) -> bool {
    // SAFETY: forwarded contract.
    guard(false, || unsafe { register(module, symbols, n, false) })
}

/// # Safety
/// As [`wasm_runtime_register_natives`].
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_register_natives_raw(
    module: *const c_char,
    symbols: *mut NativeSymbol,
    n: u32,
) -> bool {
    // SAFETY: forwarded contract.
    guard(false, || unsafe { register(module, symbols, n, true) })
}

/// # Safety
/// `module` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_unregister_natives(
    module: *const c_char,
    symbols: *mut NativeSymbol,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(module) = (unsafe { cstr(module) }) else {
            return false;
        };
        with_runtime(|rt| {
            let before = rt.natives.len();
            rt.natives.retain(|g| !(g.module == module && g.key.0 == symbols));
            rt.natives.len() != before
        })
        .unwrap_or(false)
    })
}

/// # Safety
/// The names are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_is_import_func_linked(
    module: *const c_char,
    name: *const c_char,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let (Some(m), Some(f)) = (unsafe { cstr(module) }, unsafe { cstr(name) }) else {
            return false;
        };
        with_runtime(|rt| {
            rt.natives
                .iter()
                .any(|g| g.module == m && g.entries.iter().any(|e| e.symbol == f))
        })
        .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::{plan, Arg};
    use crate::core::{FuncType, ValType};

    #[test]
    fn signatures_match_types() {
        use ValType::*;
        let t = FuncType::new([I32, I32, I32, I64, F64], [I32]);
        let (args, r) = plan(Some("(*~$IF)i"), &t).unwrap();
        assert_eq!(
            args,
            vec![
                Arg::Ptr { with_len: true },
                Arg::Len,
                Arg::Str,
                Arg::I64,
                Arg::F64
            ]
        );
        assert_eq!(r, Some(I32));
        assert!(plan(Some("(ii)i"), &FuncType::new([I32, I32], [I32])).is_some());
        assert!(plan(Some("(ii)"), &FuncType::new([I32, I32], [I32])).is_none());
        assert!(plan(Some("(i~)"), &FuncType::new([I32, I32], [])).is_none());
        assert!(plan(Some("(f)F"), &FuncType::new([F32], [F64])).is_some());
        assert!(plan(None, &FuncType::new([F32], [F64])).is_some());
        assert!(plan(Some("ii"), &FuncType::new([I32, I32], [])).is_none());
    }
}
