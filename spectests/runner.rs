//! Execution of one `.wast` script against Weft.
//!
//! A script runs in its own engine and store. The runner keeps:
//! - the registry of importable modules: `spectest` plus every instance
//!   `register`ed under a name (a snapshot of its exports);
//! - named instances (`(module $M ...)`, `(module instance $I $M)`) and named
//!   module definitions (`(module definition $M ...)`);
//! - the current instance, which un-named invocations address.
//!
//! Every directive yields an [`Outcome`]. A panic inside the engine is caught
//! per directive and reported as a failure carrying the panic message.

use crate::spectest_host;
use crate::values::{self, Unsupported};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use weft::{Engine, Error, ErrorKind, Extern, Instance, Module, Store, Val};

/// What happened to one directive.
#[derive(Debug)]
pub enum Outcome {
    Pass,
    Fail(String),
    /// The directive needs a feature Weft does not implement (SIMD values,
    /// exceptions, threads, components, ...).
    Unsupported(String),
    /// Listed in the skip list, not executed.
    Skipped(String),
}

/// The outcome of one directive, with where it is in the script.
#[derive(Debug)]
pub struct Record {
    /// 1-based line of the directive in the script.
    pub line: usize,
    /// The directive's keyword, e.g. `assert_return`.
    pub kind: &'static str,
    pub outcome: Outcome,
}

/// Everything that happened while running one script.
#[derive(Debug, Default)]
pub struct ScriptRun {
    pub records: Vec<Record>,
    /// Set when the script itself could not be parsed; nothing ran.
    pub parse_error: Option<String>,
}

/// Parses and runs `text`. `skip(line)` returns a reason for directives
/// (identified by their 1-based line) that must not run.
pub fn run_script(text: &str, skip: &dyn Fn(usize) -> Option<String>) -> ScriptRun {
    let mut run = ScriptRun::default();
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            run.parse_error = Some(e.to_string());
            return run;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(w) => w,
        Err(e) => {
            run.parse_error = Some(e.to_string());
            return run;
        }
    };
    let mut runner = match Runner::new() {
        Ok(r) => r,
        Err(e) => {
            run.parse_error = Some(format!("cannot create the spectest host module: {e}"));
            return run;
        }
    };
    for directive in wast.directives {
        let line = directive.span().linecol_in(text).0 + 1;
        let kind = kind_name(&directive);
        let outcome = match skip(line) {
            Some(reason) => Outcome::Skipped(reason),
            None => catching_panics(|| runner.run(directive)),
        };
        run.records.push(Record { line, kind, outcome });
    }
    run
}

/// The keyword of a directive, for reports.
fn kind_name(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

thread_local! {
    /// Whether this thread is inside [`catching_panics`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Location of the last panic caught on this thread.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that stays quiet for panics [`catching_panics`]
/// turns into failures (it only records their location) and defers to the
/// previous hook for any other panic.
pub fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CATCHING.with(Cell::get) {
            let location = info.location().map(|l| l.to_string());
            PANIC_LOCATION.with(|l| *l.borrow_mut() = location);
        } else {
            previous(info);
        }
    }));
}

/// Runs `f`, turning a panic into a failed outcome.
fn catching_panics(f: impl FnOnce() -> Outcome) -> Outcome {
    CATCHING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "<non-string payload>".to_string());
        let location = PANIC_LOCATION.with(|l| l.borrow_mut().take());
        match location {
            Some(at) => Outcome::Fail(format!("panicked at {at}: {message}")),
            None => Outcome::Fail(format!("panicked: {message}")),
        }
    })
}

/// Whether a trap message satisfies the script's expected message. Weft's
/// message must contain the expected text, or be a word-aligned prefix of it
/// (the reference interpreter appends details such as the element index:
/// `uninitialized element 2`).
fn trap_message_matches(expected: &str, got: &str) -> bool {
    if got.contains(expected) {
        return true;
    }
    !got.is_empty() && expected.starts_with(got) && expected[got.len()..].starts_with(' ')
}

/// The per-script state: one store and the names scripts refer to.
struct Runner {
    engine: Engine,
    store: Store,
    /// Importable modules: name to exports.
    registry: HashMap<String, HashMap<String, Extern>>,
    /// Instances by `$id`.
    instances: HashMap<String, Instance>,
    /// Compiled modules by `$id` (definitions, and named modules).
    modules: HashMap<String, Module>,
    /// The last module defined with `module definition`.
    last_definition: Option<Module>,
    /// The instance un-named invocations address.
    current: Option<Instance>,
}

/// Shorthand for the non-passing outcome of a failed step.
type Step<T> = Result<T, Outcome>;

fn fail<T>(message: impl Into<String>) -> Step<T> {
    Err(Outcome::Fail(message.into()))
}

impl From<Unsupported> for Outcome {
    fn from(u: Unsupported) -> Outcome {
        Outcome::Unsupported(u.0)
    }
}

/// A script module's binary encoding, or why it has none.
enum Encoded {
    Binary(Vec<u8>),
    /// The text did not parse or resolve: the script's text is malformed.
    TextError(String),
    /// A component, not a core module.
    Component,
}

fn encode(module: &mut QuoteWat<'_>) -> Encoded {
    if matches!(
        module,
        QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
    ) {
        return Encoded::Component;
    }
    match module.encode() {
        Ok(bytes) => Encoded::Binary(bytes),
        Err(e) => Encoded::TextError(e.to_string()),
    }
}

fn encode_wat(module: &mut Wat<'_>) -> Encoded {
    if matches!(module, Wat::Component(_)) {
        return Encoded::Component;
    }
    match module.encode() {
        Ok(bytes) => Encoded::Binary(bytes),
        Err(e) => Encoded::TextError(e.to_string()),
    }
}

fn id_name(id: Option<Id<'_>>) -> Option<String> {
    id.map(|id| id.name().to_string())
}

impl Runner {
    fn new() -> Result<Runner, Error> {
        let engine = Engine::default();
        let mut store = Store::new(&engine);
        let mut registry = HashMap::new();
        registry.insert("spectest".to_string(), spectest_host::create(&mut store)?);
        Ok(Runner {
            engine,
            store,
            registry,
            instances: HashMap::new(),
            modules: HashMap::new(),
            last_definition: None,
            current: None,
        })
    }

    fn run(&mut self, directive: WastDirective<'_>) -> Outcome {
        let result = match directive {
            WastDirective::Module(mut module) => self.module(&mut module),
            WastDirective::ModuleDefinition(mut module) => self.module_definition(&mut module),
            WastDirective::ModuleInstance { instance, module, .. } => {
                self.module_instance(id_name(instance), id_name(module))
            }
            WastDirective::Register { name, module, .. } => self.register(name, id_name(module)),
            WastDirective::Invoke(invoke) => self.invoke(&invoke).and_then(|r| match r {
                Ok(_) => Ok(()),
                Err(e) => fail(format!("invocation failed: {e}")),
            }),
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => {
                self.assert_trap(WastExecute::Invoke(call), message)
            }
            WastDirective::AssertInvalid {
                mut module, message, ..
            } => self.assert_rejected(&mut module, message),
            WastDirective::AssertMalformed {
                mut module, message, ..
            } => self.assert_rejected(&mut module, message),
            WastDirective::AssertUnlinkable {
                mut module, message, ..
            } => self.assert_unlinkable(&mut module, message),
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Err(Outcome::Unsupported("custom-section assertions".into()))
            }
            WastDirective::AssertException { .. } => Err(Outcome::Unsupported("exception handling".into())),
            WastDirective::AssertSuspension { .. } => Err(Outcome::Unsupported("stack switching".into())),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Err(Outcome::Unsupported("threads".into()))
            }
        };
        match result {
            Ok(()) => Outcome::Pass,
            Err(outcome) => outcome,
        }
    }

    /// Compiles a module that the script expects to be valid.
    fn compile(&self, module: &mut QuoteWat<'_>) -> Step<Module> {
        match encode(module) {
            Encoded::Binary(bytes) => {
                Module::from_binary(&self.engine, &bytes).or_else(|e| fail(format!("module rejected: {e}")))
            }
            Encoded::TextError(e) => fail(format!("module text does not parse: {e}")),
            Encoded::Component => Err(Outcome::Unsupported("component model".into())),
        }
    }

    /// Instantiates `module`, resolving imports through the registry.
    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        let mut imports = Vec::with_capacity(module.imports().len());
        for import in module.imports() {
            let found = self
                .registry
                .get(&import.module)
                .and_then(|exports| exports.get(&import.name));
            match found {
                Some(ext) => imports.push(*ext),
                None => {
                    return Err(Error::link(format!(
                        "unknown import {}.{}",
                        import.module, import.name
                    )))
                }
            }
        }
        Instance::new(&mut self.store, module, &imports)
    }

    fn module(&mut self, module: &mut QuoteWat<'_>) -> Step<()> {
        let name = id_name(module.name());
        // A failed module leaves no current instance: later invocations fail
        // instead of silently addressing an older module.
        self.current = None;
        let compiled = self.compile(module)?;
        let instance = self
            .instantiate(&compiled)
            .or_else(|e| fail(format!("instantiation failed: {e}")))?;
        if let Some(name) = name {
            self.instances.insert(name.clone(), instance);
            self.modules.insert(name, compiled);
        }
        self.current = Some(instance);
        Ok(())
    }

    fn module_definition(&mut self, module: &mut QuoteWat<'_>) -> Step<()> {
        let name = id_name(module.name());
        let compiled = self.compile(module)?;
        if let Some(name) = name {
            self.modules.insert(name, compiled.clone());
        }
        self.last_definition = Some(compiled);
        Ok(())
    }

    fn module_instance(&mut self, instance: Option<String>, module: Option<String>) -> Step<()> {
        let compiled = match &module {
            Some(name) => self.modules.get(name).cloned(),
            None => self.last_definition.clone(),
        };
        let Some(compiled) = compiled else {
            return fail(format!(
                "no module definition {}",
                module.as_deref().unwrap_or("(last)")
            ));
        };
        self.current = None;
        let inst = self
            .instantiate(&compiled)
            .or_else(|e| fail(format!("instantiation failed: {e}")))?;
        if let Some(name) = instance {
            self.instances.insert(name, inst);
        }
        self.current = Some(inst);
        Ok(())
    }

    /// The instance named `name`, or the current one.
    fn instance(&self, name: Option<&str>) -> Step<Instance> {
        match name {
            Some(name) => match self.instances.get(name) {
                Some(i) => Ok(*i),
                None => fail(format!("no instance named ${name}")),
            },
            None => match self.current {
                Some(i) => Ok(i),
                None => fail("no current module instance"),
            },
        }
    }

    fn register(&mut self, as_name: &str, module: Option<String>) -> Step<()> {
        let instance = self.instance(module.as_deref())?;
        let exports = instance
            .exports(&self.store)
            .or_else(|e| fail(format!("cannot list exports: {e}")))?;
        self.registry
            .insert(as_name.to_string(), exports.into_iter().collect());
        Ok(())
    }

    /// Calls an export. The outer result is a setup problem (no such
    /// function, unsupported argument); the inner one is the call's.
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Step<Result<Vec<Val>, Error>> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let func = match instance.export(&self.store, invoke.name) {
            Ok(Some(Extern::Func(f))) => f,
            Ok(Some(_)) => return fail(format!("export \"{}\" is not a function", invoke.name)),
            Ok(None) => return fail(format!("no export named \"{}\"", invoke.name)),
            Err(e) => return fail(format!("cannot look up \"{}\": {e}", invoke.name)),
        };
        let args = invoke
            .args
            .iter()
            .map(values::arg_to_val)
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func
            .ty(&self.store)
            .or_else(|e| fail(format!("cannot get the type of \"{}\": {e}", invoke.name)))?;
        let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results)
            .map_err(Error::from))
    }

    /// Runs what an assertion is about: a call, a global read, or the
    /// instantiation of a module (which returns no values).
    fn execute(&mut self, exec: WastExecute<'_>) -> Step<Result<Vec<Val>, Error>> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                match instance.export(&self.store, global) {
                    Ok(Some(Extern::Global(g))) => Ok(g.get(&self.store).map(|v| vec![v])),
                    Ok(Some(_)) => fail(format!("export \"{global}\" is not a global")),
                    Ok(None) => fail(format!("no export named \"{global}\"")),
                    Err(e) => fail(format!("cannot look up \"{global}\": {e}")),
                }
            }
            WastExecute::Wat(mut wat) => {
                let bytes = match encode_wat(&mut wat) {
                    Encoded::Binary(bytes) => bytes,
                    Encoded::TextError(e) => return fail(format!("module text does not parse: {e}")),
                    Encoded::Component => return Err(Outcome::Unsupported("component model".into())),
                };
                let module = Module::from_binary(&self.engine, &bytes)
                    .or_else(|e| fail(format!("module rejected: {e}")))?;
                Ok(self.instantiate(&module).map(|_| Vec::new()))
            }
        }
    }

    fn assert_return(&mut self, exec: WastExecute<'_>, expected: &[WastRet<'_>]) -> Step<()> {
        let got = match self.execute(exec)? {
            Ok(vals) => vals,
            Err(e) => {
                return fail(format!(
                    "expected {}, got error: {e}",
                    values::show_rets(expected)
                ))
            }
        };
        let mut ok = got.len() == expected.len();
        if ok {
            for (e, g) in expected.iter().zip(&got) {
                if !values::ret_matches(e, g)? {
                    ok = false;
                }
            }
        }
        if ok {
            Ok(())
        } else {
            fail(format!(
                "expected {}, got {}",
                values::show_rets(expected),
                values::show_vals(&got)
            ))
        }
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Step<()> {
        match self.execute(exec)? {
            Ok(vals) => fail(format!(
                "expected trap \"{message}\", got {}",
                values::show_vals(&vals)
            )),
            Err(e) => match e.kind() {
                ErrorKind::Trap(trap) if trap_message_matches(message, trap.message()) => Ok(()),
                ErrorKind::Trap(trap) => fail(format!(
                    "expected trap \"{message}\", got trap \"{}\"",
                    trap.message()
                )),
                _ => fail(format!("expected trap \"{message}\", got error: {e}")),
            },
        }
    }

    /// `assert_invalid` and `assert_malformed`: the module must be rejected,
    /// either by the text parser (for text modules) or by Weft. Messages are
    /// not compared: Weft reports `wasmparser`'s wording.
    fn assert_rejected(&mut self, module: &mut QuoteWat<'_>, message: &str) -> Step<()> {
        match encode(module) {
            Encoded::TextError(_) => Ok(()),
            Encoded::Component => Err(Outcome::Unsupported("component model".into())),
            Encoded::Binary(bytes) => match Module::from_binary(&self.engine, &bytes) {
                Err(_) => Ok(()),
                Ok(_) => fail(format!("module accepted, expected rejection: \"{message}\"")),
            },
        }
    }

    /// The module must compile but fail to link: an unknown import or an
    /// import of the wrong type.
    fn assert_unlinkable(&mut self, module: &mut Wat<'_>, message: &str) -> Step<()> {
        let bytes = match encode_wat(module) {
            Encoded::Binary(bytes) => bytes,
            Encoded::TextError(e) => return fail(format!("module text does not parse: {e}")),
            Encoded::Component => return Err(Outcome::Unsupported("component model".into())),
        };
        let compiled =
            Module::from_binary(&self.engine, &bytes).or_else(|e| fail(format!("module rejected: {e}")))?;
        match self.instantiate(&compiled) {
            Ok(_) => fail(format!("module linked, expected link error \"{message}\"")),
            Err(e) => match e.kind() {
                ErrorKind::Link { message: got } => {
                    let key = ["unknown import", "incompatible import type"]
                        .into_iter()
                        .find(|k| message.starts_with(k));
                    match key {
                        Some(k) if !got.contains(k) => {
                            fail(format!("expected link error \"{message}\", got \"{got}\""))
                        }
                        _ => Ok(()),
                    }
                }
                _ => fail(format!("expected link error \"{message}\", got error: {e}")),
            },
        }
    }
}
