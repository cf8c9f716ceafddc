//! Calls: `wasm_runtime_call_wasm` (arguments and results in 32-bit
//! cells), `_a` (arrays of WAMR's `wasm_val_t`), `_v` (C variadic
//! arguments) and `call_indirect` (through table 0).
//!
//! Cells: i32, f32 and funcref (a function index, 0xFFFFFFFF for null)
//! take one; i64 and f64 two, low half first; externref a `uintptr_t`
//! (two cells on 64-bit hosts).
//!
//! `wasm_runtime_call_wasm_v` is variadic in C. Stable Rust cannot define
//! a variadic function, so on x86-64 and AArch64 a small naked entry
//! stores the argument registers next to each other and passes them, with
//! the address of the stack arguments, to [`call_wasm_v_impl`], which reads
//! them the way `va_arg` would (both ABIs pass variadic arguments like
//! named ones on Linux).

use super::exec_env::{env_ref, ExecEnv};
use super::guard;
use super::instance::{func_ref, valkind, FuncRec, Shared};
use crate::core::{ExternRef, FuncType, Val, ValType};
use crate::runtime::{Func, Store};
use std::ffi::c_void;
use std::sync::atomic::Ordering;

/// WAMR's null function reference in cells.
const NULL_REF: u32 = u32::MAX;
const PTR_CELLS: usize = std::mem::size_of::<usize>() / 4;

/// WAMR's `wasm_val_t`: a kind byte, padding, and an 8-byte union.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasm_val_t {
    pub kind: u8,
    pub _paddings: [u8; 7],
    pub of: u64,
}

pub(crate) fn cells_of(t: ValType) -> usize {
    match t {
        ValType::I32 | ValType::F32 | ValType::FuncRef => 1,
        ValType::I64 | ValType::F64 => 2,
        ValType::ExternRef => PTR_CELLS,
    }
}

/// Runs `func` in `env`'s tree, recording the outcome like WAMR: false
/// with the exception set on failure; a WASI exit counts as success.
pub(crate) fn run(shared: &Shared, env: *mut ExecEnv, func: Func, args: &[Val], results: &mut [Val]) -> bool {
    shared.set_exception(None);
    let out = shared.with_store(|store| {
        let old = shared.current_env.swap(env, Ordering::AcqRel);
        let r = func.call(store, args, results);
        shared.current_env.store(old, Ordering::Release);
        r
    });
    match out {
        Ok(Ok(())) => true,
        Ok(Err(t)) => shared.record_trap(&t),
        Err(e) => {
            shared.set_exception(Some(&e));
            false
        }
    }
}

/// The tree of `env` and function `rec`, if they agree.
fn check<'a>(env: &ExecEnv, rec: &'a FuncRec) -> Result<&'a Shared, ()> {
    // SAFETY: a function record's tree outlives the record.
    let shared = unsafe { &*rec.shared };
    match env.module_inst() {
        Some(h) if std::ptr::eq(h.shared(), shared) => Ok(shared),
        Some(h) => {
            h.shared()
                .set_exception(Some("the function belongs to another instance than the exec env"));
            Err(())
        }
        None => Err(()),
    }
}

fn funcref_from_cell(shared: &Shared, node: u32, store: &Store, cell: u32) -> Val {
    if cell == NULL_REF {
        return Val::FuncRef(None);
    }
    let f = shared.node(node).instance.get().and_then(|i| i.func(store, cell));
    Val::FuncRef(f)
}

fn funcref_to_cell(store: &Store, v: &Val) -> u32 {
    match v {
        Val::FuncRef(Some(f)) => f.wasm_origin(store).map(|(_, i)| i).unwrap_or(NULL_REF),
        _ => NULL_REF,
    }
}

/// Calls `func` of type `ty` with arguments in `argv[..argc]`, results
/// written back to `argv`.
///
/// # Safety
/// `argv` points to at least max(argc, result cells) cells, or is NULL
/// when neither arguments nor results need cells.
unsafe fn call_cells(
    shared: &Shared,
    env: *mut ExecEnv,
    node: u32,
    func: Func,
    ty: &FuncType,
    argc: u32,
    argv: *mut u32,
) -> bool {
    let need: usize = ty.params().iter().map(|t| cells_of(*t)).sum();
    let out_cells: usize = ty.results().iter().map(|t| cells_of(*t)).sum();
    if (argc as usize) < need {
        shared.set_exception(Some(&format!(
            "invalid argument count {argc}: the function takes {need} cells"
        )));
        return false;
    }
    if argv.is_null() && (need > 0 || out_cells > 0) {
        shared.set_exception(Some("argv is NULL"));
        return false;
    }
    let cell = |i: usize| -> u32 {
        // SAFETY: i < need <= argc cells, readable per the contract.
        unsafe { *argv.add(i) }
    };
    let mut args = Vec::with_capacity(ty.params().len());
    let mut pos = 0;
    let decoded = shared.with_store(|store| {
        for t in ty.params() {
            let lo = cell(pos) as u64;
            let wide = || lo | (cell(pos + 1) as u64) << 32;
            args.push(match t {
                ValType::I32 => Val::I32(lo as i32),
                ValType::F32 => Val::F32(lo as u32),
                ValType::I64 => Val::I64(wide() as i64),
                ValType::F64 => Val::F64(wide()),
                ValType::FuncRef => funcref_from_cell(shared, node, store, lo as u32),
                ValType::ExternRef => {
                    let raw = if PTR_CELLS == 2 { wide() } else { lo };
                    Val::ExternRef(ExternRef::from_raw(raw))
                }
            });
            pos += cells_of(*t);
        }
    });
    if let Err(e) = decoded {
        shared.set_exception(Some(&e));
        return false;
    }
    let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
    if !run(shared, env, func, &args, &mut results) {
        return false;
    }
    let mut pos = 0;
    let mut put = |v: u32| {
        // SAFETY: the caller provides room for the result cells.
        unsafe { *argv.add(pos) = v };
        pos += 1;
    };
    let encoded = shared.with_store(|store| {
        for r in &results {
            match r {
                Val::I32(v) => put(*v as u32),
                Val::F32(b) => put(*b),
                Val::I64(v) => {
                    put(*v as u64 as u32);
                    put((*v as u64 >> 32) as u32);
                }
                Val::F64(b) => {
                    put(*b as u32);
                    put((*b >> 32) as u32);
                }
                Val::FuncRef(_) => put(funcref_to_cell(store, r)),
                Val::ExternRef(e) => {
                    let raw = e.map(|e| e.raw()).unwrap_or(0);
                    put(raw as u32);
                    if PTR_CELLS == 2 {
                        put((raw >> 32) as u32);
                    }
                }
            }
        }
    });
    encoded.is_ok()
}

/// # Safety
/// `env` and `function` are NULL or live; `argv` as WAMR documents.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm(
    env: *mut ExecEnv,
    function: *mut c_void,
    argc: u32,
    argv: *mut u32,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let (Some(e), Some(rec)) = (unsafe { env_ref(env) }, unsafe { func_ref(function) }) else {
            return false;
        };
        let Ok(shared) = check(e, rec) else {
            return false;
        };
        // SAFETY: forwarded contract on argv.
        unsafe { call_cells(shared, env, rec.node, rec.func, &rec.ty, argc, argv) }
    })
}

/// # Safety
/// `env` is NULL or live; `argv` as for `wasm_runtime_call_wasm`.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_indirect(
    env: *mut ExecEnv,
    element_index: u32,
    argc: u32,
    argv: *mut u32,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = unsafe { env_ref(env) }.and_then(|e| e.module_inst()) else {
            return false;
        };
        let shared = h.shared();
        let Some(inst) = h.node().instance.get().copied() else {
            return false;
        };
        let found = shared.with_store(|store| {
            let table = table0(store, inst)?;
            match table.get(store, element_index as u64) {
                Ok(Some(Val::FuncRef(Some(f)))) => f.ty(store).ok().map(|t| (f, t)),
                _ => None,
            }
        });
        match found {
            Ok(Some((f, ty))) => {
                // SAFETY: forwarded contract on argv.
                unsafe { call_cells(shared, env, h.node, f, &ty, argc, argv) }
            }
            Ok(None) => {
                shared.set_exception(Some("uninitialized element"));
                false
            }
            Err(e) => {
                shared.set_exception(Some(&e));
                false
            }
        }
    })
}

/// Table 0 of `inst` (imported or defined). The engine has no public
/// accessor for an instance's tables by index yet, so this reads its
/// crate-visible instance record.
fn table0(store: &Store, inst: crate::runtime::Instance) -> Option<crate::runtime::Table> {
    store.owns(inst.store).ok()?;
    let entity = store.instances.get(inst.index() as usize)?;
    let index = *entity.tables.first()?;
    Some(crate::runtime::Table {
        store: inst.store,
        index,
    })
}

/// # Safety
/// `env`, `function` NULL or live; the arrays hold the given counts.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm_a(
    env: *mut ExecEnv,
    function: *mut c_void,
    num_results: u32,
    results: *mut wasm_val_t,
    num_args: u32,
    args: *const wasm_val_t,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let (Some(e), Some(rec)) = (unsafe { env_ref(env) }, unsafe { func_ref(function) }) else {
            return false;
        };
        let Ok(shared) = check(e, rec) else {
            return false;
        };
        let args: &[wasm_val_t] = if num_args == 0 || args.is_null() {
            &[]
        } else {
            // SAFETY: `num_args` readable values per the contract.
            unsafe { std::slice::from_raw_parts(args, num_args as usize) }
        };
        // SAFETY: `results` has room for `num_results` values.
        unsafe { call_vals(shared, env, rec, args, num_results, results) }
    })
}

/// Converts WAMR values to engine values (checking kinds), calls, and
/// writes the results.
///
/// # Safety
/// `results` is NULL or has room for `num_results` values.
unsafe fn call_vals(
    shared: &Shared,
    env: *mut ExecEnv,
    rec: &FuncRec,
    args: &[wasm_val_t],
    num_results: u32,
    results: *mut wasm_val_t,
) -> bool {
    let ty = &rec.ty;
    if args.len() != ty.params().len() || num_results as usize != ty.results().len() {
        shared.set_exception(Some(&format!(
            "the function takes {} arguments and returns {} results; {} and {} given",
            ty.params().len(),
            ty.results().len(),
            args.len(),
            num_results
        )));
        return false;
    }
    if results.is_null() && num_results > 0 {
        shared.set_exception(Some("results is NULL"));
        return false;
    }
    let mut vals = Vec::with_capacity(args.len());
    let decoded = shared.with_store(|store| {
        for (i, (a, t)) in args.iter().zip(ty.params()).enumerate() {
            if a.kind != valkind(*t) {
                return Err(format!(
                    "argument {i} has kind {}, expected {}",
                    a.kind,
                    valkind(*t)
                ));
            }
            vals.push(match t {
                ValType::I32 => Val::I32(a.of as u32 as i32),
                ValType::F32 => Val::F32(a.of as u32),
                ValType::I64 => Val::I64(a.of as i64),
                ValType::F64 => Val::F64(a.of),
                ValType::FuncRef => funcref_from_cell(shared, rec.node, store, a.of as u32),
                ValType::ExternRef => Val::ExternRef(ExternRef::from_raw(a.of as usize as u64)),
            });
        }
        Ok(())
    });
    match decoded {
        Ok(Ok(())) => {}
        Ok(Err(e)) | Err(e) => {
            shared.set_exception(Some(&e));
            return false;
        }
    }
    let mut outs: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
    if !run(shared, env, rec.func, &vals, &mut outs) {
        return false;
    }
    let written = shared.with_store(|store| {
        for (i, r) in outs.iter().enumerate() {
            let of = match r {
                Val::I32(v) => *v as u32 as u64,
                Val::F32(b) => *b as u64,
                Val::I64(v) => *v as u64,
                Val::F64(b) => *b,
                Val::FuncRef(_) => funcref_to_cell(store, r) as u64,
                Val::ExternRef(e) => e.map(|e| e.raw()).unwrap_or(0),
            };
            // SAFETY: room for `num_results` values per the contract.
            unsafe {
                results.add(i).write(wasm_val_t {
                    kind: valkind(r.ty()),
                    _paddings: [0; 7],
                    of,
                })
            };
        }
    });
    written.is_ok()
}

/// Number of integer and floating-point argument registers.
#[cfg(target_arch = "x86_64")]
const GP_REGS: usize = 6;
#[cfg(target_arch = "aarch64")]
const GP_REGS: usize = 8;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const FP_REGS: usize = 8;

/// The variadic entry: saves the argument registers (integer ones, then
/// floating-point ones) in a block on the stack and calls
/// [`call_wasm_v_impl`] with that block and the address of the first stack
/// argument.
///
/// # Safety
/// Called from C as `bool (wasm_exec_env_t, wasm_function_inst_t,
/// uint32_t num_results, wasm_val_t *results, uint32_t num_args, ...)`
/// with one variadic argument per parameter of the function.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm_v() {
    std::arch::naked_asm!(
        "push rbp",
        "mov rbp, rsp",
        "sub rsp, 112",
        "mov [rsp], rdi",
        "mov [rsp + 8], rsi",
        "mov [rsp + 16], rdx",
        "mov [rsp + 24], rcx",
        "mov [rsp + 32], r8",
        "mov [rsp + 40], r9",
        "movsd [rsp + 48], xmm0",
        "movsd [rsp + 56], xmm1",
        "movsd [rsp + 64], xmm2",
        "movsd [rsp + 72], xmm3",
        "movsd [rsp + 80], xmm4",
        "movsd [rsp + 88], xmm5",
        "movsd [rsp + 96], xmm6",
        "movsd [rsp + 104], xmm7",
        "mov rdi, rsp",
        "lea rsi, [rbp + 16]",
        "call {imp}",
        "leave",
        "ret",
        imp = sym call_wasm_v_impl,
    )
}

/// # Safety
/// As for the x86-64 entry.
#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm_v() {
    std::arch::naked_asm!(
        "stp x29, x30, [sp, #-16]!",
        "mov x29, sp",
        "sub sp, sp, #128",
        "stp x0, x1, [sp, #0]",
        "stp x2, x3, [sp, #16]",
        "stp x4, x5, [sp, #32]",
        "stp x6, x7, [sp, #48]",
        "stp d0, d1, [sp, #64]",
        "stp d2, d3, [sp, #80]",
        "stp d4, d5, [sp, #96]",
        "stp d6, d7, [sp, #112]",
        "mov x0, sp",
        "add x1, x29, #16",
        "bl {imp}",
        "mov sp, x29",
        "ldp x29, x30, [sp], #16",
        "ret",
        imp = sym call_wasm_v_impl,
    )
}

/// Reads variadic arguments like `va_arg` from the saved registers.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
struct VaReader {
    regs: *const u64,
    stack: *const u64,
    gp: usize,
    fp: usize,
    st: usize,
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
impl VaReader {
    /// # Safety
    /// The caller passed an integer-class argument here.
    unsafe fn int(&mut self) -> u64 {
        if self.gp < GP_REGS {
            self.gp += 1;
            // SAFETY: the saved block holds GP_REGS integer registers.
            unsafe { *self.regs.add(self.gp - 1) }
        } else {
            self.st += 1;
            // SAFETY: the caller pushed this stack argument.
            unsafe { *self.stack.add(self.st - 1) }
        }
    }

    /// # Safety
    /// The caller passed a double here.
    unsafe fn float(&mut self) -> u64 {
        if self.fp < FP_REGS {
            self.fp += 1;
            // SAFETY: the floating-point registers follow the integer ones.
            unsafe { *self.regs.add(GP_REGS + self.fp - 1) }
        } else {
            self.st += 1;
            // SAFETY: the caller pushed this stack argument.
            unsafe { *self.stack.add(self.st - 1) }
        }
    }
}

/// # Safety
/// Called only by the naked entry with its saved block and stack pointer.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
unsafe extern "C" fn call_wasm_v_impl(regs: *const u64, stack: *const u64) -> bool {
    guard(false, || {
        let mut va = VaReader {
            regs,
            stack,
            gp: 0,
            fp: 0,
            st: 0,
        };
        // SAFETY: the named parameters: exec env, function, num_results,
        // results, num_args, all integer class.
        let (env, function, num_results, results, num_args) = unsafe {
            (
                va.int() as usize as *mut ExecEnv,
                va.int() as usize as *mut c_void,
                va.int() as u32,
                va.int() as usize as *mut wasm_val_t,
                va.int() as u32,
            )
        };
        // SAFETY: per the C caller's contract.
        let (Some(e), Some(rec)) = (unsafe { env_ref(env) }, unsafe { func_ref(function) }) else {
            return false;
        };
        let Ok(shared) = check(e, rec) else {
            return false;
        };
        if num_args as usize != rec.ty.params().len() {
            shared.set_exception(Some(&format!(
                "the function takes {} arguments, {num_args} given",
                rec.ty.params().len()
            )));
            return false;
        }
        let mut args = Vec::with_capacity(num_args as usize);
        for t in rec.ty.params() {
            // SAFETY: the caller passed one argument of the documented C
            // type per parameter.
            let (kind, of) = unsafe {
                match t {
                    ValType::I32 => (0, va.int() as u32 as u64),
                    ValType::I64 => (1, va.int()),
                    ValType::F32 => (2, (f64::from_bits(va.float()) as f32).to_bits() as u64),
                    ValType::F64 => (3, va.float()),
                    ValType::ExternRef => (128, va.int()),
                    ValType::FuncRef => (129, va.int() as u32 as u64),
                }
            };
            args.push(wasm_val_t {
                kind,
                _paddings: [0; 7],
                of,
            });
        }
        // SAFETY: `results` has room for `num_results` values per the contract.
        unsafe { call_vals(shared, env, rec, &args, num_results, results) }
    })
}
