//! The `spectest` host module that the official test scripts import from:
//! `print*` functions (which print nothing), four immutable globals holding
//! 666 / 666.6, a funcref table of 10..20 elements and a memory of 1..2 pages.

use std::collections::HashMap;
use weft::{
    Error, Extern, Func, FuncType, Global, GlobalType, Memory, MemoryType, Mutability, RefType, Store, Table,
    TableType, Val, ValType,
};

/// Creates the `spectest` entities in `store` and returns them by export name.
pub fn create(store: &mut Store) -> Result<HashMap<String, Extern>, Error> {
    use ValType::{F32, F64, I32, I64};

    let mut exports = HashMap::new();

    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        let func = Func::new_host(store, ty, |_caller, _args, _results| Ok(()));
        exports.insert(name.to_string(), Extern::Func(func));
    }

    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::f32(666.6)),
        ("global_f64", Val::f64(666.6)),
    ];
    for (name, value) in globals {
        let ty = GlobalType::new(value.ty(), Mutability::Const);
        let global = Global::new(store, ty, value)?;
        exports.insert(name.to_string(), Extern::Global(global));
    }

    let table = Table::new(
        store,
        TableType::new(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    )?;
    exports.insert("table".to_string(), Extern::Table(table));

    let memory = Memory::new(store, MemoryType::new(1, Some(2)))?;
    exports.insert("memory".to_string(), Extern::Memory(memory));

    Ok(exports)
}
