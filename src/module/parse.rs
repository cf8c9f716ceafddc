//! The decoding driver: walks the sections with `wasmparser`, validates as
//! it goes, collects `ModuleInfo` and translates each function body right
//! after validating it (one pass per body).

use super::const_expr::ConstExpr;
use super::parallel;
use super::{
    DataMode, DataSegment, ElemMode, ElemSegment, ExportDesc, ExternKind, GlobalDef, ImportDesc, ModuleInfo,
    TableDef,
};
use crate::core::{
    Error, ExternType, FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType,
};
use crate::engine::translator::Translator;
use crate::engine::{CompiledFunc, FuncCode, Offsets};
use wasmparser::{
    BinaryReaderError, ElementItems, ElementKind, FuncToValidate, FuncValidatorAllocations, FunctionBody,
    Parser, Payload, TypeRef, ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// The proposals Weft implements: WebAssembly 2.0 without SIMD, plus
/// extended constant expressions.
pub(crate) fn features() -> WasmFeatures {
    let mut f = WasmFeatures::WASM2;
    f.remove(WasmFeatures::SIMD);
    f.insert(WasmFeatures::EXTENDED_CONST);
    f
}

#[cold]
fn err(e: BinaryReaderError) -> Error {
    Error::invalid(e.message().to_string(), Some(e.offset()))
}

/// Validation accepts exactly what `parse` accepts (including the strict
/// binary-format checks on the bodies), so it simply parses (translating
/// nothing).
pub(crate) fn validate_only(bytes: &[u8]) -> Result<(), Error> {
    parse(bytes, Translation::Lazy).map(|_| ())
}

/// When function bodies are translated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Translation {
    /// While decoding: `parse` validates and translates each body.
    Eager,
    /// On first call: `parse` only validates the bodies.
    Lazy,
}

pub(crate) fn val_type(t: wasmparser::ValType, offset: u64) -> Result<ValType, Error> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::Ref(r) => ref_type(r, offset)?.into(),
        wasmparser::ValType::V128 => {
            return Err(Error::invalid("SIMD (v128) is not supported", Some(offset)))
        }
    })
}

fn ref_type(r: wasmparser::RefType, offset: u64) -> Result<RefType, Error> {
    if r.is_func_ref() {
        Ok(RefType::FuncRef)
    } else if r.is_extern_ref() {
        Ok(RefType::ExternRef)
    } else {
        Err(Error::invalid(
            format!("unsupported reference type {r}"),
            Some(offset),
        ))
    }
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, Error> {
    if t.table64 {
        return Err(Error::invalid("64-bit tables are not supported", Some(offset)));
    }
    Ok(TableType {
        element: ref_type(t.element_type, offset)?,
        limits: Limits {
            min: t.initial,
            max: t.maximum,
        },
    })
}

fn memory_type(m: &wasmparser::MemoryType, offset: u64) -> Result<MemoryType, Error> {
    if m.memory64 || m.shared || m.page_size_log2.is_some() {
        return Err(Error::invalid(
            "64-bit, shared and custom-page-size memories are not supported",
            Some(offset),
        ));
    }
    Ok(MemoryType {
        limits: Limits {
            min: m.initial,
            max: m.maximum,
        },
        shared: false,
        memory64: false,
    })
}

fn global_type(g: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType, Error> {
    Ok(GlobalType {
        content: val_type(g.content_type, offset)?,
        mutability: if g.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

pub(crate) fn parse(bytes: &[u8], translation: Translation) -> Result<ModuleInfo, Error> {
    let mut info = ModuleInfo::default();
    // A large module's bodies are checked after its other sections, on
    // several threads.
    let mut pending = (parallel::threads_for(bytes.len()) > 1).then(PendingBodies::default);
    let read = read_sections(bytes, translation, &mut info, &mut pending);
    if let Some(pending) = pending {
        // The pending bodies come before whatever failed later in the
        // module: their error first, as in one pass.
        let checked = check_bodies_in_parallel(&info, pending, translation, bytes);
        match (read, checked) {
            (_, Err(e)) | (Err(e), Ok(_)) => return Err(e),
            (Ok(()), Ok(code)) => info.code = code,
        }
    } else {
        read?;
    }
    Ok(info)
}

/// Reads and validates every section, checking each body as it comes
/// (`pending` is `None`) or setting it aside.
fn read_sections(
    bytes: &[u8],
    translation: Translation,
    info: &mut ModuleInfo,
    pending: &mut Option<PendingBodies>,
) -> Result<(), Error> {
    let mut validator = Validator::new_with_features(features());
    let mut checker = BodyChecker::default();
    let mut next_defined_func = 0u32;

    let mut parser = Parser::new(0);
    parser.set_features(features());
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(err)?;
        let valid = validator.payload(&payload).map_err(err)?;
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(err)?;
                    for sub in group.into_types() {
                        match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                let params = f
                                    .params()
                                    .iter()
                                    .map(|t| val_type(*t, 0))
                                    .collect::<Result<Vec<_>, _>>()?;
                                let results = f
                                    .results()
                                    .iter()
                                    .map(|t| val_type(*t, 0))
                                    .collect::<Result<Vec<_>, _>>()?;
                                info.types.push(FuncType::new(params, results));
                            }
                            _ => return Err(Error::invalid("only function types are supported", None)),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports_with_offsets() {
                    let (offset, import) = import.map_err(err)?;
                    let ty = match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            info.funcs.push(t);
                            info.num_imported_funcs += 1;
                            ExternType::Func(info.types[t as usize].clone())
                        }
                        TypeRef::Table(t) => {
                            let ty = table_type(&t, offset)?;
                            info.tables.push(TableDef { ty, init: None });
                            info.num_imported_tables += 1;
                            ExternType::Table(ty)
                        }
                        TypeRef::Memory(m) => {
                            super::strict::memory_import(bytes, offset as usize)?;
                            let ty = memory_type(&m, offset)?;
                            info.memories.push(ty);
                            info.num_imported_memories += 1;
                            ExternType::Memory(ty)
                        }
                        TypeRef::Global(g) => {
                            let ty = global_type(&g, offset)?;
                            info.globals.push(GlobalDef {
                                ty,
                                init: ConstExpr { ops: Vec::new() },
                            });
                            info.num_imported_globals += 1;
                            ExternType::Global(ty)
                        }
                        TypeRef::Tag(_) => {
                            return Err(Error::invalid("tags are not supported", Some(offset)))
                        }
                    };
                    info.imports.push(ImportDesc {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        ty,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    info.funcs.push(t.map_err(err)?);
                }
            }
            Payload::TableSection(reader) => {
                for t in reader.into_iter_with_offsets() {
                    let (offset, t) = t.map_err(err)?;
                    let init = match &t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(ConstExpr::parse(e)?),
                    };
                    info.tables.push(TableDef {
                        ty: table_type(&t.ty, offset)?,
                        init,
                    });
                }
            }
            Payload::MemorySection(reader) => {
                super::strict::memory_section(bytes, reader.range().start as usize)?;
                for m in reader.into_iter_with_offsets() {
                    let (offset, m) = m.map_err(err)?;
                    info.memories.push(memory_type(&m, offset)?);
                }
            }
            Payload::GlobalSection(reader) => {
                for g in reader.into_iter_with_offsets() {
                    let (offset, g) = g.map_err(err)?;
                    info.globals.push(GlobalDef {
                        ty: global_type(&g.ty, offset)?,
                        init: ConstExpr::parse(&g.init_expr)?,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e.map_err(err)?;
                    let kind = match e.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            ExternKind::Func
                        }
                        wasmparser::ExternalKind::Table => ExternKind::Table,
                        wasmparser::ExternalKind::Memory => ExternKind::Memory,
                        wasmparser::ExternalKind::Global => ExternKind::Global,
                        wasmparser::ExternalKind::Tag => {
                            return Err(Error::invalid("tags are not supported", None))
                        }
                    };
                    info.exports.push(ExportDesc {
                        name: e.name.to_string(),
                        kind,
                        index: e.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for e in reader.into_iter_with_offsets() {
                    let (offset, e) = e.map_err(err)?;
                    let mode = match &e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::parse(offset_expr)?,
                        },
                    };
                    let (ty, items) = match e.items {
                        ElementItems::Functions(r) => {
                            let mut items = Vec::new();
                            for f in r {
                                items.push(ConstExpr::func(f.map_err(err)?));
                            }
                            (RefType::FuncRef, items)
                        }
                        ElementItems::Expressions(rt, r) => {
                            let mut items = Vec::new();
                            for x in r {
                                items.push(ConstExpr::parse(&x.map_err(err)?)?);
                            }
                            (ref_type(rt, offset)?, items)
                        }
                    };
                    let _ = ty;
                    info.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(reader) => {
                for d in reader {
                    let d = d.map_err(err)?;
                    let mode = match &d.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: *memory_index,
                            offset: ConstExpr::parse(offset_expr)?,
                        },
                    };
                    info.datas.push(DataSegment {
                        mode,
                        bytes: d.data.into(),
                    });
                }
            }
            Payload::CustomSection(reader) => {
                if let wasmparser::KnownCustom::Name(names) = reader.as_known() {
                    read_names(info, names);
                }
            }
            Payload::CodeSectionEntry(_) => {
                let ValidPayload::Func(to_validate, body) = valid else {
                    return Err(Error::invalid("code entry without a validator", None));
                };
                let func_index = info.num_imported_funcs + next_defined_func;
                next_defined_func += 1;
                if let Some(pending) = pending.as_mut() {
                    pending.add(func_index, to_validate, &body);
                    continue;
                }
                let code = check_body(
                    info,
                    &mut checker,
                    func_index,
                    to_validate,
                    &body,
                    translation,
                    bytes,
                )?;
                info.code.push(code);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads the name section; a malformed one is ignored (custom sections
/// never make a module invalid).
fn read_names(info: &mut ModuleInfo, names: wasmparser::NameSectionReader<'_>) {
    for name in names {
        let Ok(name) = name else { return };
        match name {
            wasmparser::Name::Module { name, .. } => info.name = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for n in map {
                    let Ok(n) = n else { return };
                    info.func_names.push((n.index, n.name.to_string()));
                }
            }
            _ => {}
        }
    }
}

/// Validates a function body without translating it; returns its number of
/// locals (parameters included).
fn validate_body(
    body: &wasmparser::FunctionBody<'_>,
    num_params: u32,
    validator: &mut wasmparser::FuncValidator<wasmparser::ValidatorResources>,
    module_bytes: &[u8],
) -> Result<u32, Error> {
    let mut num_locals = num_params as u64;
    let mut locals = body.get_locals_reader().map_err(err)?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, t) = locals.read().map_err(err)?;
        validator.define_locals(offset, count, t).map_err(err)?;
        num_locals += count as u64;
    }
    let mut reader = body.get_binary_reader_for_operators().map_err(err)?;
    reader.set_features(features());
    // Each operator is decoded straight into the validator (no `Operator`
    // value in between), then its immediates checked strictly.
    while !reader.eof() {
        let offset = reader.original_position();
        reader
            .visit_operator(&mut validator.visitor(offset))
            .map_err(err)?
            .map_err(err)?;
        super::strict::memory_op(module_bytes, offset as usize)?;
    }
    reader
        .finish_expression(&validator.visitor(reader.original_position()))
        .map_err(err)?;
    // The validator bounds the number of locals (50,000).
    u32::try_from(num_locals).map_err(|_| Error::invalid("too many locals", None))
}

/// Translates defined function `def` of a validated module (lazy
/// translation: its first call).
pub(crate) fn translate_lazily(
    info: &ModuleInfo,
    def: u32,
    module_bytes: &[u8],
) -> Result<CompiledFunc, Error> {
    translate_again(info, def, module_bytes, |_, compiled| compiled)
}

/// The module offsets of the instructions of defined function `def` (of a
/// validated module), by translating it again (see `CompiledFunc::offsets`):
/// `None` if that fails or, as a check, if the code differs from
/// `installed`, the translation that runs.
pub(crate) fn offsets_again(
    info: &ModuleInfo,
    def: u32,
    module_bytes: &[u8],
    installed: &CompiledFunc,
) -> Option<Offsets> {
    let body_start = info.code.get(def as usize)?.body_start;
    translate_again(info, def, module_bytes, |translator, again| {
        (again.code == installed.code).then(|| translator.offsets(body_start))
    })
    .ok()
    .flatten()
}

/// Translates defined function `def` of a validated module (without
/// validating it again), then hands the translator and its result to
/// `then`. Uses this thread's translator (its buffers stay allocated).
fn translate_again<R>(
    info: &ModuleInfo,
    def: u32,
    module_bytes: &[u8],
    then: impl FnOnce(&Translator, CompiledFunc) -> R,
) -> Result<R, Error> {
    thread_local! {
        static TRANSLATOR: std::cell::RefCell<Translator> = std::cell::RefCell::default();
    }
    let code = info
        .code
        .get(def as usize)
        .ok_or_else(|| Error::invalid("no such function", None))?;
    let body = body_at(module_bytes, code.body_start, code.body_end)?;
    let func_index = info.num_imported_funcs + def;
    let run = |t: &mut Translator| {
        let compiled = t.translate(info, func_index, &body, None, module_bytes)?;
        Ok(then(t, compiled))
    };
    TRANSLATOR.with(|t| match t.try_borrow_mut() {
        Ok(mut t) => run(&mut t),
        // Not reentrant in practice; a fresh translator is correct anyway.
        Err(_) => run(&mut Translator::default()),
    })
}

/// The body at `start..end` of the module (a range the parser reported).
fn body_at(module_bytes: &[u8], start: u32, end: u32) -> Result<FunctionBody<'_>, Error> {
    let bytes = module_bytes
        .get(start as usize..end as usize)
        .ok_or_else(|| Error::invalid("function body outside the module", None))?;
    Ok(FunctionBody::new(wasmparser::BinaryReader::new(
        bytes,
        start as u64,
    )))
}

/// What validating and translating bodies reuses from one to the next.
#[derive(Default)]
struct BodyChecker {
    allocs: FuncValidatorAllocations,
    translator: Translator,
}

/// Validates a function body, and translates it unless translation is lazy.
fn check_body(
    info: &ModuleInfo,
    checker: &mut BodyChecker,
    func_index: u32,
    to_validate: FuncToValidate<ValidatorResources>,
    body: &FunctionBody<'_>,
    translation: Translation,
    bytes: &[u8],
) -> Result<FuncCode, Error> {
    let mut fv = to_validate.into_validator(std::mem::take(&mut checker.allocs));
    let range = body.range();
    let code = match translation {
        Translation::Eager => {
            let compiled = checker
                .translator
                .translate(info, func_index, body, Some(&mut fv), bytes);
            compiled.map(|c| FuncCode::translated(c, range.end as u32))
        }
        Translation::Lazy => {
            let num_params = info.func_type(func_index).params().len() as u32;
            validate_body(body, num_params, &mut fv, bytes).map(|num_locals| {
                FuncCode::lazy(num_params, num_locals, range.start as u32, range.end as u32)
            })
        }
    };
    checker.allocs = fv.into_allocations();
    code
}

/// Bodies waiting for `check_bodies_in_parallel`, compactly: what their
/// validators are made of is shared, and a body is its byte range.
#[derive(Default)]
struct PendingBodies {
    shared: Option<(ValidatorResources, WasmFeatures)>,
    bodies: Vec<PendingBody>,
}

/// Function index, then the validator's function and type indices, then
/// the body's start and end in the module.
type PendingBody = (u32, u32, u32, u32, u32);

impl PendingBodies {
    fn add(&mut self, func_index: u32, f: FuncToValidate<ValidatorResources>, body: &FunctionBody<'_>) {
        let range = body.range();
        self.bodies
            .push((func_index, f.index, f.ty, range.start as u32, range.end as u32));
        self.shared.get_or_insert((f.resources, f.features));
    }
}

/// `check_body` for every pending body, on several threads
/// (`parallel::map_in_blocks`). The error, if any, is the first body's.
fn check_bodies_in_parallel(
    info: &ModuleInfo,
    pending: PendingBodies,
    translation: Translation,
    bytes: &[u8],
) -> Result<Vec<FuncCode>, Error> {
    let PendingBodies { shared, bodies } = pending;
    let Some((resources, features)) = shared else {
        return Ok(Vec::new());
    };
    parallel::map_in_blocks(
        bodies.len(),
        parallel::threads_for(bytes.len()),
        BodyChecker::default,
        |checker, pos| {
            let (func_index, index, ty, start, end) = bodies[pos];
            let to_validate = FuncToValidate {
                resources: resources.clone(),
                index,
                ty,
                features,
            };
            let body = body_at(bytes, start, end)?;
            check_body(info, checker, func_index, to_validate, &body, translation, bytes)
        },
    )
}
