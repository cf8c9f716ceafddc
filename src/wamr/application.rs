//! `wasm_application_execute_main` and `wasm_application_execute_func`:
//! running a program's entry point, or one function with arguments given
//! as strings, in the instance's own exec env.

use super::calls;
use super::instance::{inst_ref, lookup, FuncRec, ModuleInst};
use super::memory;
use super::{cstr, guard};
use crate::core::{ExternRef, Val, ValType};
use std::ffi::{c_char, CStr};
use std::io::Write;

fn run_rec(h: &ModuleInst, rec: *mut FuncRec, args: &[Val], results: &mut [Val]) -> bool {
    let shared = h.shared();
    // SAFETY: records live as long as their tree.
    let rec = unsafe { &*rec };
    calls::run(shared, shared.singleton(h.node), rec.func, args, results)
}

/// # Safety
/// `inst` is NULL or live; `argv` NULL or `argc` C strings.
#[no_mangle]
pub unsafe extern "C" fn wasm_application_execute_main(
    inst: *mut ModuleInst,
    argc: i32,
    argv: *mut *mut c_char,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return false;
        };
        let shared = h.shared();
        if let Some(start) = lookup(h, "_start") {
            return run_rec(h, start, &[], &mut []);
        }
        let Some(main) = ["main", "__main_argc_argv", "__main_void"]
            .iter()
            .find_map(|n| lookup(h, n))
        else {
            shared.set_exception(Some("lookup the entry point symbol (main or _start) failed"));
            return false;
        };
        // SAFETY: records live as long as their tree.
        let ty = unsafe { &*main }.ty.clone();
        let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
        let ok = match ty.params() {
            [] => run_rec(h, main, &[], &mut results),
            [ValType::I32, ValType::I32] => {
                let args: Vec<Vec<u8>> = (0..argc.max(0) as usize)
                    .map(|i| {
                        // SAFETY: `argc` C strings per the contract.
                        let p = if argv.is_null() {
                            std::ptr::null_mut()
                        } else {
                            unsafe { *argv.add(i) }
                        };
                        if p.is_null() {
                            Vec::new()
                        } else {
                            // SAFETY: a C string.
                            unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()
                        }
                    })
                    .collect();
                let Some((block, argv_off)) = copy_args(h, &args) else {
                    shared.set_exception(Some("allocate memory failed: no app heap for the arguments"));
                    return false;
                };
                let ok = run_rec(
                    h,
                    main,
                    &[Val::I32(args.len() as i32), Val::I32(argv_off as i32)],
                    &mut results,
                );
                memory::free(h, block);
                ok
            }
            _ => {
                shared.set_exception(Some("the main function has an unexpected type"));
                false
            }
        };
        if ok && !argv.is_null() {
            if let Some(Val::I32(r)) = results.first() {
                // SAFETY: WAMR stores main's result at *(int *)argv.
                unsafe { *(argv as *mut i32) = *r };
            }
        }
        ok
    })
}

/// Copies the argument strings and a NULL-terminated pointer array into
/// one app-heap block: returns the block and the array's offset.
fn copy_args(h: &ModuleInst, args: &[Vec<u8>]) -> Option<(u64, u32)> {
    let strings: usize = args.iter().map(|a| a.len() + 1).sum();
    let table_at = strings.div_ceil(4) * 4;
    let total = table_at + 4 * (args.len() + 1);
    let block = memory::malloc(h, total as u64);
    if block == 0 {
        return None;
    }
    let (base, len) = memory::view(h)?;
    if block as usize + total > len {
        return None;
    }
    let mut bytes = vec![0u8; total];
    let mut at = 0;
    for (i, a) in args.iter().enumerate() {
        bytes[at..at + a.len()].copy_from_slice(a);
        let ptr = (block as usize + at) as u32;
        bytes[table_at + 4 * i..table_at + 4 * i + 4].copy_from_slice(&ptr.to_le_bytes());
        at += a.len() + 1;
    }
    // SAFETY: [block, block + total) is inside linear memory (checked),
    // which does not move.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(block as usize), total) };
    Some((block, (block as usize + table_at) as u32))
}

fn parse_int(s: &str) -> Option<u64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => body.parse::<u64>().ok()?,
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

fn parse_arg(t: ValType, s: &str) -> Option<Val> {
    Some(match t {
        ValType::I32 => Val::I32(parse_int(s)? as u32 as i32),
        ValType::I64 => Val::I64(parse_int(s)? as i64),
        ValType::F32 => Val::f32(s.trim().parse::<f32>().ok()?),
        ValType::F64 => Val::f64(s.trim().parse::<f64>().ok()?),
        ValType::ExternRef => Val::ExternRef(if s.trim() == "null" {
            None
        } else {
            ExternRef::from_raw(parse_int(s)?)
        }),
        ValType::FuncRef => Val::FuncRef(None),
    })
}

fn format_result(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("0x{:x}:i32", *x as u32),
        Val::I64(x) => format!("0x{:x}:i64", *x as u64),
        Val::F32(b) => format!("{}:f32", f32::from_bits(*b)),
        Val::F64(b) => format!("{}:f64", f64::from_bits(*b)),
        Val::FuncRef(f) => if f.is_some() { "ref.func" } else { "ref.null" }.to_string(),
        Val::ExternRef(e) => match e {
            Some(e) => format!("ref.extern:0x{:x}", e.raw()),
            None => "ref.null".to_string(),
        },
    }
}

/// # Safety
/// `inst` is NULL or live; `name` a C string; `argv` `argc` C strings.
#[no_mangle]
pub unsafe extern "C" fn wasm_application_execute_func(
    inst: *mut ModuleInst,
    name: *const c_char,
    argc: i32,
    argv: *mut *mut c_char,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let (Some(h), Some(name)) = (unsafe { inst_ref(inst) }, unsafe { cstr(name) }) else {
            return false;
        };
        let shared = h.shared();
        let Some(rec) = lookup(h, name) else {
            shared.set_exception(Some(&format!("lookup function {name} failed")));
            return false;
        };
        // SAFETY: records live as long as their tree.
        let ty = unsafe { &*rec }.ty.clone();
        if argc < 0 || argc as usize != ty.params().len() || (argc > 0 && argv.is_null()) {
            shared.set_exception(Some(&format!(
                "invalid input argument count {argc}: {name} takes {}",
                ty.params().len()
            )));
            return false;
        }
        let mut args = Vec::with_capacity(argc as usize);
        for (i, t) in ty.params().iter().enumerate() {
            // SAFETY: `argc` C strings per the contract.
            let s = unsafe { cstr(*argv.add(i)) }.unwrap_or("");
            match parse_arg(*t, s) {
                Some(v) => args.push(v),
                None => {
                    shared.set_exception(Some(&format!("invalid input argument {i}: {s:?} is not a {t}")));
                    return false;
                }
            }
        }
        let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
        if !run_rec(h, rec, &args, &mut results) {
            return false;
        }
        let text: Vec<String> = results.iter().map(format_result).collect();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", text.join(","));
        let _ = out.flush();
        true
    })
}
