//! What the `wasm.h` layer (`crate::capi`) can use of this one, for WAMR's
//! c-api extensions: `wasm_module_set_name` (make a module available by
//! name, as `wasm_runtime_register_module` does) and `wasm_instance_new`
//! resolving the imports a client leaves NULL from the module registry
//! and the module reader.
//!
//! A `wasm.h` store has its own engine and store, so a dependency is
//! instantiated into the client's store (recompiled for its engine), each
//! once per call of [`resolve_import`]'s `made` map. Its own imports are
//! resolved the same way, or, for the reserved module names, by WASI (when
//! a context is given) and the spectest built-ins; registered natives
//! need a WAMR exec env and are not available there.

use super::instance::builtin;
use super::module::{self, is_reserved, WamrModule};
use super::runtime;
use crate::module::{ImportDesc, Module};
use crate::runtime::{Extern, Instance, Store};
use crate::wasi::Wasi;
use std::collections::HashMap;

/// Initialises the WAMR runtime with the system allocator if no one has.
/// This implicit runtime is released by a later `wasm_runtime_destroy`
/// (or lives until the process ends).
pub fn ensure_runtime() {
    runtime::init_implicit();
}

/// Loads `bytes` (and its dependencies) and registers the module as
/// `name`, so that modules importing from `name` link to it.
pub fn register_named(name: &str, bytes: &[u8]) -> Result<(), String> {
    ensure_runtime();
    if let Some(m) = module::find_registered(name) {
        // SAFETY: registered modules live until the runtime is destroyed.
        if unsafe { &*m }.module.bytes() == bytes {
            return Ok(());
        }
    }
    let m = module::load_bytes(bytes, &mut vec![name.to_string()])?;
    let p = m.into_raw();
    // SAFETY: just made; owned by us until registered.
    match module::register(name, p, unsafe { &*p }) {
        Ok(()) => Ok(()),
        Err(e) => {
            // SAFETY: not registered, so still ours.
            drop(unsafe { super::alloc::RtBox::from_raw(p) });
            Err(e)
        }
    }
}

/// The extern for `import` from a registered (or readable) module, made in
/// `store`: `Ok(None)` for the reserved module names, which the caller
/// resolves itself.
pub fn resolve_import(
    store: &mut Store,
    import: &ImportDesc,
    made: &mut HashMap<String, Instance>,
    wasi: Option<&Wasi>,
) -> Result<Option<Extern>, String> {
    if is_reserved(&import.module) {
        return Ok(None);
    }
    ensure_runtime();
    let inst = instance_of(store, &import.module, made, wasi)?;
    match inst.export(store, &import.name) {
        Ok(Some(e)) => Ok(Some(e)),
        _ => Err(format!(
            "unknown import {}.{}: module {} has no such export",
            import.module, import.name, import.module
        )),
    }
}

/// The instance of module `name` in `store`, made (with its dependencies)
/// if `made` has none.
fn instance_of(
    store: &mut Store,
    name: &str,
    made: &mut HashMap<String, Instance>,
    wasi: Option<&Wasi>,
) -> Result<Instance, String> {
    if let Some(i) = made.get(name) {
        return Ok(*i);
    }
    let m = module::find_or_load(name)?;
    // SAFETY: registered modules live until the runtime is destroyed.
    let wm: &WamrModule = unsafe { &*m };
    let compiled = Module::from_binary(store.engine(), wm.module.bytes()).map_err(|e| e.to_string())?;
    let mut imports = Vec::with_capacity(compiled.imports().len());
    for imp in compiled.imports() {
        if wm.dep(&imp.module).is_some() {
            let dep = instance_of(store, &imp.module, made, wasi)?;
            match dep.export(store, &imp.name) {
                Ok(Some(e)) => imports.push(e),
                _ => {
                    return Err(format!(
                        "unknown import {}.{}: module {} has no such export",
                        imp.module, imp.name, imp.module
                    ))
                }
            }
        } else {
            imports.push(builtin(None, wasi, store, &imp.module, &imp.name, &imp.ty)?);
        }
    }
    let inst = Instance::new(store, &compiled, &imports).map_err(|e| e.to_string())?;
    made.insert(name.to_string(), inst);
    let is_func = |n: &str| matches!(inst.export(store, n), Ok(Some(Extern::Func(_))));
    if is_func("_initialize") && !is_func("_start") {
        if let Some(f) = inst.get_func(store, "_initialize") {
            f.call(store, &[], &mut []).map_err(|t| t.message().to_string())?;
        }
    }
    Ok(inst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_h_style_resolution_from_the_registry() {
        let _serial = crate::wamr::tests::RUNTIME
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let lib = wat::parse_str(
            r#"(module (global (export "g") (mut i32) (i32.const 3))
                 (func (export "f") (result i32) (global.get 0)))"#,
        )
        .unwrap();
        register_named("bridge_lib", &lib).unwrap();
        register_named("bridge_lib", &lib).unwrap();
        let engine = crate::runtime::Engine::default();
        let user = Module::new(
            &engine,
            br#"(module (import "bridge_lib" "f" (func (result i32)))
                        (import "bridge_lib" "g" (global (mut i32)))
                        (import "spectest" "global_i32" (global i32)))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine);
        let mut made = HashMap::new();
        let f = resolve_import(&mut store, &user.imports()[0], &mut made, None).unwrap();
        let g = resolve_import(&mut store, &user.imports()[1], &mut made, None).unwrap();
        assert!(matches!(f, Some(Extern::Func(_))));
        assert!(matches!(g, Some(Extern::Global(_))));
        assert_eq!(made.len(), 1);
        assert!(resolve_import(&mut store, &user.imports()[2], &mut made, None)
            .unwrap()
            .is_none());
        let Some(Extern::Func(f)) = f else { unreachable!() };
        let mut out = [crate::core::Val::I32(0)];
        f.call(&mut store, &[], &mut out).unwrap();
        assert_eq!(out[0], crate::core::Val::I32(3));
    }
}
