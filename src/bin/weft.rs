//! `weft`: the command-line runner.
//!
//! ```text
//! weft run [OPTIONS] FILE.wasm|FILE.wat [ARGS...]   run a WASI command (or --invoke an export)
//! weft wast FILE...                                 run spec-format test scripts
//! weft validate FILE                                check that a module is valid
//! weft inspect FILE                                 list imports, exports, types and sizes
//! ```
//!
//! Errors are reported as one line on stderr, `weft: ...`, with a non-zero
//! exit status: 2 for bad usage, 1 for a file that cannot be read, decoded,
//! validated or linked, 134 for a wasm trap. Otherwise `weft run` exits with
//! the guest's own status (its `proc_exit` code, or 0 when `_start` returns).

#[path = "weft/wast.rs"]
mod script;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use weft::wasi::{self, ExecModel, Wasi, WasiCtxBuilder};
use weft::{Config, Engine, Error, Extern, ExternRef, ExternType, Instance, Module, Store, Val, ValType};

/// Exit status for a command line that cannot be understood.
const EXIT_USAGE: u8 = 2;
/// Exit status for a module that cannot be loaded, validated or linked.
const EXIT_ERROR: u8 = 1;
/// Exit status when the guest traps (as a process killed by SIGABRT).
const EXIT_TRAP: u8 = 134;

const MAIN_HELP: &str = "\
weft: a WebAssembly runtime

Usage: weft <COMMAND> [OPTIONS] ...

Commands:
  run        Run a WASI command, or call one export with --invoke
  wast       Run WebAssembly spec test scripts (.wast)
  validate   Check that a module decodes and validates
  inspect    Show a module's imports, exports, types and section sizes
  help       Show this message, or `weft help COMMAND` for one command

Options:
  -h, --help     Show help
  -V, --version  Show the version

Files may be binary modules (.wasm) or text (.wat).";

const RUN_HELP: &str = "\
Run a WebAssembly module.

Usage: weft run [OPTIONS] FILE.wasm|FILE.wat [ARGS...]

Without --invoke, the module must be a WASI command (export `_start` and
`memory`); it runs once with ARGS as its arguments (argv[0] is FILE) and weft
exits with the guest's exit status. A reactor (exporting `_initialize`) is
initialised and nothing else is run.

With --invoke NAME, the export NAME is called with ARGS converted to its
parameter types (i32/i64: decimal or 0x hex; f32/f64: decimal, inf, nan;
references: null) and each result is printed on its own line. A reactor's
`_initialize` runs first.

Options:
  --invoke NAME         Call the export NAME instead of running `_start`
  --dir HOST[::GUEST]   Preopen the host directory HOST for the guest, under
                        the name GUEST (default: HOST as given); repeatable
  --env KEY=VALUE       Set an environment variable for the guest; `--env KEY`
                        passes the host's value of KEY; repeatable
  --module-path DIR     Satisfy non-WASI imports from module M with the module
                        DIR/M.wasm (or DIR/M.wat), instantiated in the same
                        store; its own imports are resolved the same way
  --stack-size BYTES    Size of the wasm value stack (suffixes K, M, G; default
                        8M); the limit on nested calls scales with it
  --max-memory BYTES    Cap on any linear memory's size (suffixes K, M, G)
  --wasi-trace          Print every WASI call and its result on stderr
  -h, --help            Show this message

Options must come before FILE; everything after FILE goes to the guest.

Exit status: the guest's; 1 if the module cannot be loaded or linked; 2 for
bad usage; 134 if the guest traps.";

const WAST_HELP: &str = "\
Run WebAssembly spec test scripts.

Usage: weft wast [OPTIONS] FILE.wast...

Runs every directive of each script (modules, invocations, assertions) and
prints each failure, then `N passed, N failed` (and `, N skipped` for
directives that need features weft does not have, such as SIMD values or
threads). Exits with status 1 if anything failed.

Options:
  -q, --quiet   Print only the summary line
  -h, --help    Show this message";

const VALIDATE_HELP: &str = "\
Check that a module decodes and validates.

Usage: weft validate FILE.wasm|FILE.wat

Prints `FILE: valid` and exits with 0, or prints the reason on stderr and
exits with 1.";

const INSPECT_HELP: &str = "\
Show what a module contains.

Usage: weft inspect FILE.wasm|FILE.wat

Prints the module's imports and exports with their types, its function
types, memories and tables, and the size of each section; also whether it
is a WASI command, reactor or plain module.";

/// A failure, reported as one line on stderr.
struct Fail {
    status: u8,
    message: String,
}

fn fail(status: u8, message: impl Into<String>) -> Fail {
    Fail {
        status,
        message: message.into(),
    }
}

fn usage(message: impl Into<String>) -> Fail {
    fail(EXIT_USAGE, message)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => {
            eprintln!("{MAIN_HELP}");
            Ok(EXIT_USAGE)
        }
        Some("-h" | "--help") => {
            println!("{MAIN_HELP}");
            Ok(0)
        }
        Some("help") => help(args.get(1).map(String::as_str)),
        Some("-V" | "--version") => {
            println!("weft {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        Some("run") => run(&args[1..]),
        Some("wast") => wast_command(&args[1..]),
        Some("validate") => validate(&args[1..]),
        Some("inspect") => inspect(&args[1..]),
        Some(other) => Err(usage(format!(
            "unknown command `{other}` (expected run, wast, validate or inspect; see `weft --help`)"
        ))),
    };
    // Whatever the guest printed through its own descriptors is already out;
    // flush what we printed ourselves.
    let _ = std::io::stdout().flush();
    match result {
        Ok(status) => ExitCode::from(status),
        Err(f) => {
            eprintln!("weft: {}", f.message);
            ExitCode::from(f.status)
        }
    }
}

fn help(topic: Option<&str>) -> Result<u8, Fail> {
    let text = match topic {
        None => MAIN_HELP,
        Some("run") => RUN_HELP,
        Some("wast") => WAST_HELP,
        Some("validate") => VALIDATE_HELP,
        Some("inspect") => INSPECT_HELP,
        Some(other) => return Err(usage(format!("no help for unknown command `{other}`"))),
    };
    println!("{text}");
    Ok(0)
}

fn is_help(arg: &str) -> bool {
    arg == "-h" || arg == "--help"
}

/// Reads a module file; text-format files are converted by `Module::new`.
fn read_file(path: &str) -> Result<Vec<u8>, Fail> {
    std::fs::read(path).map_err(|e| fail(EXIT_ERROR, format!("cannot read {path}: {e}")))
}

fn load_error(path: &str, e: &Error) -> Fail {
    fail(EXIT_ERROR, format!("{path}: {}", one_line(&e.to_string())))
}

/// Joins a multi-line message (e.g. from the text parser) into one line.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a size with an optional K/M/G suffix (powers of 1024).
fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim();
    let (num, mul) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&t[..i], 1 << 20),
        (i, 'g' | 'G') => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

struct RunOptions {
    invoke: Option<String>,
    dirs: Vec<(String, String)>,
    env: Vec<(String, String)>,
    module_path: Option<PathBuf>,
    stack_size: Option<u64>,
    max_memory: Option<u64>,
    trace: bool,
    file: String,
    args: Vec<String>,
}

fn parse_run(args: &[String]) -> Result<Option<RunOptions>, Fail> {
    let mut o = RunOptions {
        invoke: None,
        dirs: Vec::new(),
        env: Vec::new(),
        module_path: None,
        stack_size: None,
        max_memory: None,
        trace: false,
        file: String::new(),
        args: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if is_help(arg) {
            println!("{RUN_HELP}");
            return Ok(None);
        }
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with("--") || arg == "-" {
            break;
        }
        // Accept both `--opt value` and `--opt=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg, None),
        };
        if name == "--wasi-trace" {
            o.trace = true;
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| usage(format!("option {name} needs a value (see `weft run --help`)")))?
            }
        };
        i += 1;
        match name {
            "--invoke" => o.invoke = Some(value),
            "--dir" => {
                let (host, guest) = match value.split_once("::") {
                    Some((h, g)) => (h.to_string(), g.to_string()),
                    None => (value.clone(), value.clone()),
                };
                if host.is_empty() || guest.is_empty() {
                    return Err(usage(format!("--dir {value}: expected HOST or HOST::GUEST")));
                }
                o.dirs.push((host, guest));
            }
            "--env" => match value.split_once('=') {
                Some((k, v)) if !k.is_empty() => o.env.push((k.to_string(), v.to_string())),
                Some(_) => return Err(usage(format!("--env {value}: expected KEY=VALUE"))),
                None => {
                    if let Ok(v) = std::env::var(&value) {
                        o.env.push((value, v));
                    }
                }
            },
            "--module-path" => o.module_path = Some(PathBuf::from(value)),
            "--stack-size" => {
                o.stack_size = Some(
                    parse_size(&value).ok_or_else(|| usage(format!("--stack-size {value}: not a size")))?,
                )
            }
            "--max-memory" => {
                o.max_memory = Some(
                    parse_size(&value).ok_or_else(|| usage(format!("--max-memory {value}: not a size")))?,
                )
            }
            _ => return Err(usage(format!("unknown option {name} (see `weft run --help`)"))),
        }
    }
    let Some(file) = args.get(i) else {
        return Err(usage("missing FILE to run (see `weft run --help`)"));
    };
    o.file = file.clone();
    o.args = args[i + 1..].to_vec();
    Ok(Some(o))
}

/// Resolves a module's imports: WASI from the context, anything else from
/// `--module-path`, loading each dependency once per run.
struct Linker {
    wasi: Wasi,
    module_path: Option<PathBuf>,
    loaded: HashMap<String, Instance>,
    /// Dependencies being instantiated, to report import cycles.
    loading: Vec<String>,
}

impl Linker {
    fn imports(&mut self, store: &mut Store, module: &Module, what: &str) -> Result<Vec<Extern>, Fail> {
        let mut out = Vec::with_capacity(module.imports().len());
        for imp in module.imports() {
            if wasi::is_wasi_module(&imp.module) {
                let f = self
                    .wasi
                    .resolve(store, imp)
                    .map_err(|e| load_error(what, &e))?
                    .ok_or_else(|| {
                        fail(
                            EXIT_ERROR,
                            format!("{what}: unknown import {}.{}", imp.module, imp.name),
                        )
                    })?;
                out.push(f);
                continue;
            }
            if self.module_path.is_none() {
                return Err(fail(
                    EXIT_ERROR,
                    format!(
                        "{what}: unknown import {}.{} (only WASI imports are provided; see --module-path)",
                        imp.module, imp.name
                    ),
                ));
            }
            let inst = self.dependency(store, &imp.module)?;
            let ext = inst.export(store, &imp.name).ok().flatten().ok_or_else(|| {
                fail(
                    EXIT_ERROR,
                    format!(
                        "{what}: unknown import {}.{}: module {} has no such export",
                        imp.module, imp.name, imp.module
                    ),
                )
            })?;
            out.push(ext);
        }
        Ok(out)
    }

    fn dependency(&mut self, store: &mut Store, name: &str) -> Result<Instance, Fail> {
        if let Some(&inst) = self.loaded.get(name) {
            return Ok(inst);
        }
        if self.loading.iter().any(|n| n == name) {
            let mut cycle = self.loading.clone();
            cycle.push(name.to_string());
            return Err(fail(
                EXIT_ERROR,
                format!("import cycle between modules: {}", cycle.join(" -> ")),
            ));
        }
        if name.is_empty() || name.contains('/') || name.contains('\\') || name == "." || name == ".." {
            return Err(fail(
                EXIT_ERROR,
                format!("cannot load imported module {name:?} from --module-path"),
            ));
        }
        let dir = self.module_path.clone().unwrap_or_default();
        let path = [format!("{name}.wasm"), format!("{name}.wat")]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                fail(
                    EXIT_ERROR,
                    format!(
                        "imported module {name} not found: no {name}.wasm or {name}.wat in {}",
                        dir.display()
                    ),
                )
            })?;
        let shown = path.display().to_string();
        let bytes = read_file(&shown)?;
        let module = Module::new(store.engine(), &bytes).map_err(|e| load_error(&shown, &e))?;
        self.loading.push(name.to_string());
        let imports = self.imports(store, &module, &shown);
        self.loading.pop();
        let inst = Instance::new(store, &module, &imports?).map_err(|e| instantiate_error(&shown, &e))?;
        if wasi::exec_model(&module) == ExecModel::Reactor {
            if let Some(init) = inst.get_func(store, "_initialize") {
                init.call(store, &[], &mut [])
                    .map_err(|t| trap_error(&shown, &t))?;
            }
        }
        self.loaded.insert(name.to_string(), inst);
        Ok(inst)
    }
}

fn trap_error(what: &str, t: &weft::Trap) -> Fail {
    let mut msg = format!("{what}: wasm trap: {}", t.message());
    if let Some(f) = t.trace().first() {
        msg.push_str(&format!(
            " (in function {} at offset 0x{:x})",
            f.func_index, f.module_offset
        ));
    }
    fail(EXIT_TRAP, msg)
}

fn instantiate_error(what: &str, e: &Error) -> Fail {
    match e.as_trap() {
        Some(t) => trap_error(what, t),
        None => load_error(what, e),
    }
}

fn run(args: &[String]) -> Result<u8, Fail> {
    let Some(o) = parse_run(args)? else { return Ok(0) };
    let mut config = Config::default();
    if let Some(bytes) = o.max_memory {
        config.max_memory_pages = (bytes / 65536).min(config.max_memory_pages);
    }
    if let Some(bytes) = o.stack_size {
        // The value stack holds 8-byte cells; the limit on nested calls
        // scales with it (frames live on the heap, not the host stack).
        let default = Config::default();
        let cells = usize::try_from(bytes / 8).unwrap_or(usize::MAX).max(1024);
        config.max_stack_cells = cells;
        let depth = (default.max_call_depth as u128 * cells as u128 / default.max_stack_cells as u128)
            .min(10_000_000) as u32;
        config.max_call_depth = depth.max(64);
    }
    let engine = Engine::new(config);
    let bytes = read_file(&o.file)?;
    let module = Module::new(&engine, &bytes).map_err(|e| load_error(&o.file, &e))?;

    let mut builder = WasiCtxBuilder::new()
        .arg(&o.file)
        .args(&o.args)
        .inherit_stdio()
        .trace(o.trace);
    if o.invoke.is_some() {
        // The guest's argv is its program name only; ARGS are the call's.
        builder = WasiCtxBuilder::new().arg(&o.file).inherit_stdio().trace(o.trace);
    }
    for (k, v) in &o.env {
        builder = builder.env(k, v);
    }
    for (host, guest) in &o.dirs {
        builder = builder.preopened_dir(host, guest.clone());
    }
    let ctx = builder.build().map_err(|e| fail(EXIT_ERROR, e.to_string()))?;
    let wasi = Wasi::new(ctx);
    let mut store = Store::new(&engine);
    let mut linker = Linker {
        wasi: wasi.clone(),
        module_path: o.module_path.clone(),
        loaded: HashMap::new(),
        loading: Vec::new(),
    };
    let imports = linker.imports(&mut store, &module, &o.file)?;
    let instance = match Instance::new(&mut store, &module, &imports) {
        Ok(i) => i,
        Err(e) => {
            // A start function may call `proc_exit`.
            if let Some(code) = e.as_trap().and_then(|t| t.exit_code()) {
                return Ok(code as u8);
            }
            return Err(instantiate_error(&o.file, &e));
        }
    };
    let model = wasi::exec_model(&module);
    match &o.invoke {
        None => match model {
            ExecModel::Command => {
                let status = wasi
                    .run_command(&mut store, instance)
                    .map_err(|e| instantiate_error(&o.file, &e))?;
                Ok(status as u8)
            }
            ExecModel::Reactor => {
                wasi.initialize_reactor(&mut store, instance)
                    .map_err(|e| exit_or_error(&o.file, &e))?;
                Ok(0)
            }
            ExecModel::Library => Err(fail(
                EXIT_ERROR,
                format!(
                    "{}: the module exports no `_start` function; use --invoke NAME to call an export",
                    o.file
                ),
            )),
        },
        Some(name) => {
            if model == ExecModel::Reactor {
                if let Err(e) = wasi.initialize_reactor(&mut store, instance) {
                    return match e.as_trap().and_then(|t| t.exit_code()) {
                        Some(code) => Ok(code as u8),
                        None => Err(instantiate_error(&o.file, &e)),
                    };
                }
            }
            invoke(&mut store, instance, &o.file, name, &o.args)
        }
    }
}

fn exit_or_error(what: &str, e: &Error) -> Fail {
    match e.as_trap().and_then(|t| t.exit_code()) {
        Some(code) => fail(
            code as u8,
            format!("{what}: exited with status {code} during initialisation"),
        ),
        None => instantiate_error(what, e),
    }
}

fn invoke(
    store: &mut Store,
    instance: Instance,
    file: &str,
    name: &str,
    args: &[String],
) -> Result<u8, Fail> {
    let func = match instance.export(store, name) {
        Ok(Some(Extern::Func(f))) => f,
        Ok(Some(_)) => {
            return Err(fail(
                EXIT_ERROR,
                format!("{file}: export `{name}` is not a function"),
            ))
        }
        _ => return Err(fail(EXIT_ERROR, format!("{file}: no export named `{name}`"))),
    };
    let ty = func.ty(store).map_err(|e| load_error(file, &e))?;
    if ty.params().len() != args.len() {
        return Err(usage(format!(
            "`{name}` takes {} argument(s) {}, {} given",
            ty.params().len(),
            ty,
            args.len()
        )));
    }
    let vals = ty
        .params()
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (t, a))| {
            parse_val(*t, a).ok_or_else(|| {
                usage(format!(
                    "argument {} of `{name}`: `{a}` is not a valid {t}",
                    i + 1
                ))
            })
        })
        .collect::<Result<Vec<Val>, Fail>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
    match func.call(store, &vals, &mut results) {
        Ok(()) => {
            let mut out = std::io::stdout().lock();
            for r in &results {
                let _ = writeln!(out, "{}", show_val(r));
            }
            Ok(0)
        }
        Err(t) => match t.exit_code() {
            Some(code) => Ok(code as u8),
            None => Err(trap_error(file, &t)),
        },
    }
}

fn parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.replace('_', "");
    let v = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(h) => i128::from_str_radix(h, 16).ok()?,
        None => body.parse::<i128>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Parses a command-line value as a wasm value of type `t`. Integers may
/// be signed or unsigned (so `-1` and `4294967295` are the same i32).
fn parse_val(t: ValType, s: &str) -> Option<Val> {
    match t {
        ValType::I32 => {
            let v = parse_int(s)?;
            (i32::MIN as i128..=u32::MAX as i128)
                .contains(&v)
                .then_some(Val::I32(v as u32 as i32))
        }
        ValType::I64 => {
            let v = parse_int(s)?;
            (i64::MIN as i128..=u64::MAX as i128)
                .contains(&v)
                .then_some(Val::I64(v as u64 as i64))
        }
        ValType::F32 => parse_float(s).map(|f| Val::f32(f as f32)),
        ValType::F64 => parse_float(s).map(Val::f64),
        ValType::FuncRef => (s == "null").then_some(Val::FuncRef(None)),
        ValType::ExternRef => {
            if s == "null" {
                Some(Val::ExternRef(None))
            } else {
                ExternRef::from_raw(parse_int(s)?.try_into().ok()?).map(|r| Val::ExternRef(Some(r)))
            }
        }
    }
}

fn parse_float(s: &str) -> Option<f64> {
    match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" => Some(f64::NAN),
        "-nan" => Some(-f64::NAN),
        other => other.parse::<f64>().ok(),
    }
}

fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => format!("{}", f32::from_bits(*b)),
        Val::F64(b) => format!("{}", f64::from_bits(*b)),
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(f)) => format!("funcref {}", f.index()),
        Val::ExternRef(Some(r)) => format!("externref {}", r.raw()),
    }
}

fn single_file<'a>(args: &'a [String], help_text: &str, cmd: &str) -> Result<Option<&'a str>, Fail> {
    if args.iter().any(|a| is_help(a)) {
        println!("{help_text}");
        return Ok(None);
    }
    match args {
        [f] => Ok(Some(f.as_str())),
        [] => Err(usage(format!("missing FILE (see `weft {cmd} --help`)"))),
        _ => Err(usage(format!(
            "expected one FILE, got {} arguments (see `weft {cmd} --help`)",
            args.len()
        ))),
    }
}

/// The binary encoding of a file that holds a binary or text module.
fn binary_of(path: &str, bytes: Vec<u8>) -> Result<Vec<u8>, Fail> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes)
        .map(|b| b.into_owned())
        .map_err(|e| fail(EXIT_ERROR, format!("{path}: {}", one_line(&e.to_string()))))
}

fn validate(args: &[String]) -> Result<u8, Fail> {
    let Some(file) = single_file(args, VALIDATE_HELP, "validate")? else {
        return Ok(0);
    };
    let bin = binary_of(file, read_file(file)?)?;
    let engine = Engine::default();
    Module::validate(&engine, &bin).map_err(|e| load_error(file, &e))?;
    println!("{file}: valid");
    Ok(0)
}

fn show_type(t: &ExternType) -> String {
    let limits = |min: u64, max: Option<u64>| match max {
        Some(m) => format!("{min}..{m}"),
        None => format!("{min}.."),
    };
    match t {
        ExternType::Func(f) => f.to_string(),
        ExternType::Memory(m) => format!(
            "(memory{} {} pages{})",
            if m.memory64 { " i64" } else { "" },
            limits(m.limits.min, m.limits.max),
            if m.shared { " shared" } else { "" }
        ),
        ExternType::Table(t) => format!(
            "(table {} {})",
            limits(t.limits.min, t.limits.max),
            ValType::from(t.element)
        ),
        ExternType::Global(g) => match g.mutability {
            weft::Mutability::Var => format!("(global (mut {}))", g.content),
            weft::Mutability::Const => format!("(global {})", g.content),
        },
    }
}

fn inspect(args: &[String]) -> Result<u8, Fail> {
    let Some(file) = single_file(args, INSPECT_HELP, "inspect")? else {
        return Ok(0);
    };
    let bin = binary_of(file, read_file(file)?)?;
    let engine = Engine::default();
    let module = Module::new(&engine, &bin).map_err(|e| load_error(file, &e))?;
    let mut out = String::new();
    let model = match wasi::exec_model(&module) {
        ExecModel::Command => "WASI command (exports _start)",
        ExecModel::Reactor => "WASI reactor (exports _initialize)",
        ExecModel::Library => "module (no _start or _initialize)",
    };
    out.push_str(&format!("{file}: {} bytes, {model}\n", bin.len()));
    if let Some(name) = module.name() {
        out.push_str(&format!("name: {name}\n"));
    }
    out.push_str(&format!("imports ({}):\n", module.imports().len()));
    for i in module.imports() {
        out.push_str(&format!("  {}.{}: {}\n", i.module, i.name, show_type(&i.ty)));
    }
    let exports: Vec<_> = module.exports().collect();
    out.push_str(&format!("exports ({}):\n", exports.len()));
    for (name, ty) in &exports {
        out.push_str(&format!("  {name}: {}\n", show_type(ty)));
    }
    section_report(&bin, &mut out);
    print!("{out}");
    Ok(0)
}

/// Function types, defined entities and section sizes, read directly from
/// the binary.
fn section_report(bin: &[u8], out: &mut String) {
    use wasmparser::{Parser, Payload};
    let mut types = Vec::new();
    let mut sections: Vec<(String, u64)> = Vec::new();
    let mut funcs = 0u32;
    let mut memories = Vec::new();
    let mut tables = Vec::new();
    let mut globals = 0u32;
    let mut datas = 0u32;
    let mut code_sizes = 0u64;
    for payload in Parser::new(0).parse_all(bin) {
        let Ok(p) = payload else { break };
        if let Some((id, range)) = p.as_section() {
            let name = match &p {
                Payload::CustomSection(c) => format!("custom \"{}\"", c.name()),
                _ => section_name(id).to_string(),
            };
            sections.push((name, range.end - range.start));
        }
        match p {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types().flatten() {
                    let show = |kw: &str, v: &[wasmparser::ValType]| {
                        if v.is_empty() {
                            return String::new();
                        }
                        let list: Vec<String> = v.iter().map(|t| t.to_string()).collect();
                        format!(" ({kw} {})", list.join(" "))
                    };
                    types.push(format!(
                        "(func{}{})",
                        show("param", ty.params()),
                        show("result", ty.results())
                    ));
                }
            }
            Payload::FunctionSection(r) => funcs = r.count(),
            Payload::MemorySection(r) => {
                for m in r.into_iter().flatten() {
                    memories.push(match m.maximum {
                        Some(max) => format!("{}..{} pages", m.initial, max),
                        None => format!("{}.. pages", m.initial),
                    });
                }
            }
            Payload::TableSection(r) => {
                for t in r.into_iter().flatten() {
                    tables.push(format!("{} {}", t.ty.element_type, t.ty.initial));
                }
            }
            Payload::GlobalSection(r) => globals = r.count(),
            Payload::DataSection(r) => datas = r.count(),
            Payload::CodeSectionEntry(body) => code_sizes += body.range().end - body.range().start,
            _ => {}
        }
    }
    out.push_str(&format!("types ({}):\n", types.len()));
    for (i, t) in types.iter().enumerate() {
        out.push_str(&format!("  {i}: {t}\n"));
    }
    out.push_str(&format!(
        "defined: {funcs} functions ({code_sizes} bytes of code), {} memories, {} tables, {globals} globals, {datas} data segments\n",
        memories.len(),
        tables.len()
    ));
    for (i, m) in memories.iter().enumerate() {
        out.push_str(&format!("  memory {i}: {m}\n"));
    }
    for (i, t) in tables.iter().enumerate() {
        out.push_str(&format!("  table {i}: {t}\n"));
    }
    out.push_str("sections:\n");
    for (name, size) in sections {
        out.push_str(&format!("  {name}: {size} bytes\n"));
    }
}

fn section_name(id: u8) -> &'static str {
    match id {
        0 => "custom",
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "data count",
        13 => "tag",
        _ => "unknown",
    }
}

fn wast_command(args: &[String]) -> Result<u8, Fail> {
    if args.iter().any(|a| is_help(a)) {
        println!("{WAST_HELP}");
        return Ok(0);
    }
    let quiet = args.iter().any(|a| a == "-q" || a == "--quiet");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if let Some(bad) = args
        .iter()
        .find(|a| a.starts_with('-') && *a != "-q" && *a != "--quiet")
    {
        return Err(usage(format!("unknown option {bad} (see `weft wast --help`)")));
    }
    if files.is_empty() {
        return Err(usage("missing FILE.wast (see `weft wast --help`)"));
    }
    let mut total = script::Summary::default();
    for f in files {
        let text = std::fs::read_to_string(Path::new(f))
            .map_err(|e| fail(EXIT_ERROR, format!("cannot read {f}: {e}")))?;
        let s = script::run_script(f, &text, &mut |line| {
            if !quiet {
                println!("{line}");
            }
        });
        total.passed += s.passed;
        total.failed += s.failed;
        total.skipped += s.skipped;
        for (why, n) in s.skip_reasons {
            *total.skip_reasons.entry(why).or_default() += n;
        }
    }
    if !quiet {
        for (why, n) in &total.skip_reasons {
            println!("skipped {n}: {why}");
        }
    }
    if total.skipped > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            total.passed, total.failed, total.skipped
        );
    } else {
        println!("{} passed, {} failed", total.passed, total.failed);
    }
    Ok(if total.failed > 0 { EXIT_ERROR } else { 0 })
}
