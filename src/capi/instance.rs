//! `wasm_instance_t`: instantiation (with import checking that names the
//! offending import, the start function's trap through `trap_out`, and
//! WAMR's extension: imports left NULL resolved from the module registry
//! and reader) and the exports of an instance.

use super::externs::wasm_extern_vec_t;
use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::{wasm_store_t, StoreInner};
use super::trap::wasm_trap_t;
use super::{ffi, ffi_or};
use crate::core::{ExternType, Trap};
use crate::module::{ImportDesc, Module};
use crate::runtime::{Engine, Extern, Instance, Store};
use crate::wamr::bridge;
use crate::wasi::Wasi;
use std::collections::HashMap;
use std::mem::MaybeUninit;

pub type wasm_instance_t = wasm_ref_t;

declare_ref!(
    wasm_instance_delete,
    wasm_instance_copy,
    wasm_instance_same,
    wasm_instance_get_host_info,
    wasm_instance_set_host_info,
    wasm_instance_set_host_info_with_finalizer,
    wasm_instance_as_ref,
    wasm_ref_as_instance,
    wasm_instance_as_ref_const,
    wasm_ref_as_instance_const,
    is_instance
);

fn kind_name(e: &Extern) -> &'static str {
    match e {
        Extern::Func(_) => "a function",
        Extern::Global(_) => "a global",
        Extern::Table(_) => "a table",
        Extern::Memory(_) => "a memory",
    }
}

fn type_kind_name(t: &ExternType) -> &'static str {
    match t {
        ExternType::Func(_) => "a function",
        ExternType::Global(_) => "a global",
        ExternType::Table(_) => "a table",
        ExternType::Memory(_) => "a memory",
    }
}

fn kinds_match(e: &Extern, t: &ExternType) -> bool {
    matches!(
        (e, t),
        (Extern::Func(_), ExternType::Func(_))
            | (Extern::Global(_), ExternType::Global(_))
            | (Extern::Table(_), ExternType::Table(_))
            | (Extern::Memory(_), ExternType::Memory(_))
    )
}

/// Instantiates `module` in `store`. An import the client leaves NULL is
/// resolved, in this order: by `wasi` for the WASI module names (when
/// given), then from the WAMR layer's registry and module reader (a module
/// registered with `wasm_module_set_name` or `wasm_runtime_register_module`,
/// or one the reader supplies, instantiated in this store with its own
/// dependencies). `imports` of `None` means all of them are NULL. With
/// `wasi`, a reactor's `_initialize` runs before this returns.
pub(crate) fn instantiate(
    store: &StoreInner,
    module: &Module,
    imports: Option<&[Option<Box<wasm_ref_t>>]>,
    wasi: Option<&Wasi>,
) -> Result<Instance, Trap> {
    let module = if module.engine().same(&store.engine) {
        module.clone()
    } else {
        Module::from_binary(&store.engine, module.bytes()).map_err(|e| Trap::host(e.to_string()))?
    };
    let decls = module.imports();
    let all_null: Vec<Option<Box<wasm_ref_t>>>;
    let imports = match imports {
        Some(i) => i,
        None => {
            all_null = (0..decls.len()).map(|_| None).collect();
            &all_null
        }
    };
    if imports.len() != decls.len() {
        let mut msg = format!(
            "wasm_instance_new: the module has {} imports, {} given",
            decls.len(),
            imports.len()
        );
        if let Some(d) = decls.get(imports.len()) {
            msg.push_str(&format!(
                "; missing import #{} \"{}\" \"{}\" ({})",
                imports.len(),
                d.module,
                d.name,
                type_kind_name(&d.ty)
            ));
        }
        return Err(Trap::host(msg));
    }
    let mut externs = Vec::with_capacity(imports.len());
    let mut made = HashMap::new();
    for (i, (d, e)) in decls.iter().zip(imports).enumerate() {
        let name = format!("import #{i} \"{}\" \"{}\"", d.module, d.name);
        let Some(e) = e.as_deref() else {
            externs.push(resolve_null(store, d, &mut made, wasi, &name)?);
            continue;
        };
        let ext = e
            .core
            .kind
            .as_extern()
            .ok_or_else(|| Trap::host(format!("wasm_instance_new: {name} is not an extern")))?;
        if !kinds_match(&ext, &d.ty) {
            return Err(Trap::host(format!(
                "wasm_instance_new: {name} must be {}, {} given",
                type_kind_name(&d.ty),
                kind_name(&ext)
            )));
        }
        if e.store.store_id != store.store_id {
            return Err(Trap::host(format!(
                "wasm_instance_new: {name} belongs to another store"
            )));
        }
        externs.push(ext);
    }
    let inst = store
        .with(|s| Instance::new(s, &module, &externs))
        .map_err(|e| match e.as_trap() {
            Some(t) => t.clone(),
            None => Trap::host(format!("wasm_instance_new: {e}")),
        })?;
    if wasi.is_some() {
        // The WASI model: a reactor (`_initialize` without `_start`) is
        // initialised once, before the client can call any export.
        store.with(|s| {
            let is_func = |s: &Store, n: &str| matches!(inst.export(s, n), Ok(Some(Extern::Func(_))));
            if is_func(s, "_initialize") && !is_func(s, "_start") {
                if let Some(f) = inst.get_func(s, "_initialize") {
                    f.call(s, &[], &mut [])?;
                }
            }
            Ok::<(), Trap>(())
        })?;
    }
    Ok(inst)
}

/// The extern for an import the client left NULL (see [`instantiate`]).
fn resolve_null(
    store: &StoreInner,
    d: &ImportDesc,
    made: &mut HashMap<String, Instance>,
    wasi: Option<&Wasi>,
    name: &str,
) -> Result<Extern, Trap> {
    let found = store.with(|s| -> Result<Option<Extern>, String> {
        if let Some(w) = wasi {
            if let Some(e) = w.resolve(s, d).map_err(|e| e.to_string())? {
                return Ok(Some(e));
            }
        }
        bridge::resolve_import(s, d, made, wasi)
    });
    match found {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(Trap::host(format!(
            "wasm_instance_new: {name} is NULL{}",
            if crate::wasi::is_wasi_module(&d.module) && wasi.is_none() {
                " (WASI imports are provided by weft_instance_new_with_wasi)"
            } else {
                ""
            }
        ))),
        Err(e) => Err(Trap::host(format!(
            "wasm_instance_new: {name} is NULL and cannot be resolved: {e}"
        ))),
    }
}

/// Runs [`instantiate`] for the C entry points: the result as C sees it,
/// with the reason for a failure in `trap_out` (set to NULL on success).
pub(crate) fn instance_new_c(
    store: Option<&wasm_store_t>,
    module: Option<&wasm_ref_t>,
    imports: Option<&[Option<Box<wasm_ref_t>>]>,
    wasi: Option<&Wasi>,
    trap_out: Option<&mut MaybeUninit<Option<Box<wasm_trap_t>>>>,
) -> Option<Box<wasm_instance_t>> {
    let (result, trap) = ffi_or((None, None), || {
        let Some(store) = store else {
            let engine = Engine::default();
            let orphan = StoreInner::new(&engine);
            let trap = orphan.trap_ref(Trap::host("wasm_instance_new: the store is NULL"));
            return (None, Some(trap));
        };
        let store = &store.inner;
        let outcome = match module.and_then(|m| m.as_module()) {
            None => Err(Trap::host(
                "wasm_instance_new: the module is NULL or not a module",
            )),
            Some(m) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                instantiate(store, m, imports, wasi)
            }))
            .unwrap_or_else(|_| Err(Trap::host("wasm_instance_new: internal error"))),
        };
        match outcome {
            Ok(inst) => (Some(store.make_ref(RefKind::Instance(inst))), None),
            Err(t) => (None, Some(store.trap_ref(t))),
        }
    });
    match trap_out {
        Some(out) => {
            out.write(trap);
        }
        None => drop(trap),
    }
    result
}

/// NULL on failure, with the reason in `*trap_out` when it is not NULL
/// (set to NULL on success).
#[no_mangle]
pub extern "C" fn wasm_instance_new(
    store: Option<&wasm_store_t>,
    module: Option<&wasm_ref_t>,
    imports: Option<&wasm_extern_vec_t>,
    trap_out: Option<&mut MaybeUninit<Option<Box<wasm_trap_t>>>>,
) -> Option<Box<wasm_instance_t>> {
    let imports = Some(imports.map_or(&[][..], |v| v.as_slice()));
    instance_new_c(store, module, imports, None, trap_out)
}

/// Writes the instance's exports, in the module's order, to `out`.
#[no_mangle]
pub extern "C" fn wasm_instance_exports(
    inst: Option<&wasm_instance_t>,
    out: Option<&mut MaybeUninit<wasm_extern_vec_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let items = inst
            .and_then(|i| {
                let RefKind::Instance(instance) = i.core.kind else {
                    return None;
                };
                let exports = i.store.with(|s| instance.exports(s)).ok()?;
                Some(
                    exports
                        .into_iter()
                        .map(|(_, e)| Some(i.store.make_ref(RefKind::from_extern(e))))
                        .collect(),
                )
            })
            .unwrap_or_default();
        out.write(wasm_extern_vec_t::from_vec(items));
    })
}
