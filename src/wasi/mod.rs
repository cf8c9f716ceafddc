//! WASI snapshot preview1 for Weft guests, implemented on the host's libc.
//!
//! - [`WasiCtx`] holds one guest's view of the world: its arguments and
//!   environment, and its file-descriptor table (stdio, preopened
//!   directories, any other host descriptors the embedder hands over). It is
//!   built with [`WasiCtxBuilder`].
//! - [`Wasi`] shares a context between the host functions of one or more
//!   instances and resolves a module's `wasi_snapshot_preview1` (and older
//!   `wasi_unstable`) imports to host functions in a [`Store`].
//! - [`Wasi::run_command`] and [`Wasi::initialize_reactor`] implement the
//!   command and reactor models of the WASI application ABI.
//!
//! The guest reaches the host file system only through preopened
//! directories: every path is resolved component by component relative to a
//! directory descriptor (see `path.rs`), `..` and symbolic links may not
//! leave the preopen, absolute paths are refused, and each descriptor's
//! rights are enforced. Guest pointers are bounds-checked (`mem.rs`); a bad
//! one yields `EFAULT`, never a host crash. `proc_exit` unwinds the guest
//! with [`Trap::exit`]; it never exits the host process.
//!
//! ```no_run
//! use weft::wasi::{Wasi, WasiCtxBuilder};
//! use weft::{Engine, Instance, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, &std::fs::read("hello.wasm")?)?;
//! let ctx = WasiCtxBuilder::new()
//!     .arg("hello")
//!     .env("LANG", "C")
//!     .inherit_stdio()
//!     .preopened_dir("/tmp/sandbox", "/sandbox")
//!     .build()?;
//! let wasi = Wasi::new(ctx);
//! let mut store = Store::new(&engine);
//! let imports = wasi.imports(&mut store, &module)?;
//! let instance = Instance::new(&mut store, &module, &imports)?;
//! let status = wasi.run_command(&mut store, instance)?;
//! std::process::exit(status);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod clock;
pub mod errno;
mod fd;
pub mod mem;
mod path;
mod poll;
mod proc;
mod random;
mod sock;
pub mod types;

pub use errno::Errno;

use crate::core::{Error, FuncType, Trap, Val, ValType};
use crate::module::{ImportDesc, Module};
use crate::runtime::{Extern, Func, Instance, Store};
use errno::WasiResult;
use mem::GuestMem;
use std::collections::{BTreeMap, HashSet};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use types::{filetype, rights};

/// The import module name of WASI snapshot preview1.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";
/// The import module name of the older snapshot 0.
pub const UNSTABLE: &str = "wasi_unstable";

/// Whether `module` (an import's module name) is one that WASI provides.
pub fn is_wasi_module(module: &str) -> bool {
    module == PREVIEW1 || module == UNSTABLE
}

/// One cached directory entry for `fd_readdir`.
#[derive(Clone, Debug)]
pub(crate) struct DirEntry {
    pub ino: u64,
    pub filetype: u8,
    pub name: Vec<u8>,
}

/// An open guest file descriptor.
pub(crate) struct FdEntry {
    pub fd: OwnedFd,
    pub filetype: u8,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// The guest-visible name of a preopened directory.
    pub preopen: Option<String>,
    /// Entries read by `fd_readdir`, refreshed when it starts over.
    pub dir_cache: Option<Vec<DirEntry>>,
}

impl FdEntry {
    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// The state of one WASI guest: arguments, environment and descriptors.
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) fds: BTreeMap<u32, FdEntry>,
    pub(crate) trace: bool,
}

impl WasiCtx {
    /// The entry for `fd` if it has all of `base` rights: `Badf` for an
    /// unknown descriptor, `NotCapable` for missing rights.
    pub(crate) fn entry(&mut self, fd: u32, base: u64) -> WasiResult<&mut FdEntry> {
        let e = self.fds.get_mut(&fd).ok_or(Errno::Badf)?;
        if e.rights_base & base != base {
            return Err(Errno::NotCapable);
        }
        Ok(e)
    }

    /// Adds a descriptor at the lowest free guest number.
    pub(crate) fn insert(&mut self, entry: FdEntry) -> WasiResult<u32> {
        let mut n = 0u32;
        for &k in self.fds.keys() {
            if k != n {
                break;
            }
            n = n.checked_add(1).ok_or(Errno::Mfile)?;
        }
        self.fds.insert(n, entry);
        Ok(n)
    }

    /// The guest arguments.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        self.args.iter().map(|a| a.as_slice())
    }

    /// The guest environment, as `KEY=VALUE` strings.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        self.env.iter().map(|a| a.as_slice())
    }

    /// The guest descriptor numbers currently open.
    pub fn open_fds(&self) -> impl Iterator<Item = u32> + '_ {
        self.fds.keys().copied()
    }
}

/// What a host descriptor is, for its WASI file type and default rights.
fn classify(fd: RawFd) -> Result<(u8, u64), std::io::Error> {
    // SAFETY: `st` is plain data that `fstat` fills in; `fd` is open.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(match st.st_mode & libc::S_IFMT {
        libc::S_IFDIR => (filetype::DIRECTORY, rights::DIRECTORY),
        libc::S_IFREG => (filetype::REGULAR_FILE, rights::REGULAR_FILE),
        libc::S_IFSOCK => (sock::socket_filetype(fd), rights::SOCKET),
        libc::S_IFBLK => (filetype::BLOCK_DEVICE, rights::REGULAR_FILE),
        libc::S_IFCHR => (filetype::CHARACTER_DEVICE, rights::STREAM),
        _ => (filetype::UNKNOWN, rights::STREAM),
    })
}

/// Builds a [`WasiCtx`]. Nothing touches the host until [`build`].
///
/// [`build`]: WasiCtxBuilder::build
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdio: [Option<StdioSource>; 3],
    preopens: Vec<(PathBuf, String)>,
    extra: Vec<OwnedFd>,
    trace: bool,
}

enum StdioSource {
    Inherit,
    Fd(OwnedFd),
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends one argument (the first is the program name, `argv[0]`).
    pub fn arg(mut self, arg: impl AsRef<[u8]>) -> Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_vec()));
        self
    }

    /// Adds the environment variable `key=value`.
    pub fn env(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let mut kv = key.as_ref().to_vec();
        kv.push(b'=');
        kv.extend_from_slice(value.as_ref());
        self.env.push(kv);
        self
    }

    /// Adds the host process's whole environment.
    pub fn inherit_env(mut self) -> Self {
        use std::os::unix::ffi::OsStrExt;
        for (k, v) in std::env::vars_os() {
            self = self.env(k.as_bytes(), v.as_bytes());
        }
        self
    }

    /// Gives the guest (duplicates of) the host's stdin, stdout and stderr
    /// as descriptors 0, 1 and 2. Without this (or [`stdin`] and friends)
    /// those numbers are closed in the guest.
    ///
    /// [`stdin`]: WasiCtxBuilder::stdin
    pub fn inherit_stdio(mut self) -> Self {
        self.stdio = [
            Some(StdioSource::Inherit),
            Some(StdioSource::Inherit),
            Some(StdioSource::Inherit),
        ];
        self
    }

    /// Uses `fd` as the guest's descriptor 0. The context owns the
    /// descriptors it is given and closes them when dropped (or when the
    /// guest closes them): to keep using one, pass a duplicate
    /// (`OwnedFd::try_clone`). The same holds for `stdout`, `stderr` and
    /// [`fd`](WasiCtxBuilder::fd).
    pub fn stdin(mut self, fd: OwnedFd) -> Self {
        self.stdio[0] = Some(StdioSource::Fd(fd));
        self
    }

    /// Uses `fd` as the guest's descriptor 1.
    pub fn stdout(mut self, fd: OwnedFd) -> Self {
        self.stdio[1] = Some(StdioSource::Fd(fd));
        self
    }

    /// Uses `fd` as the guest's descriptor 2.
    pub fn stderr(mut self, fd: OwnedFd) -> Self {
        self.stdio[2] = Some(StdioSource::Fd(fd));
        self
    }

    /// Preopens the host directory `host` under the guest name `guest`
    /// (what the guest's libc matches paths against, e.g. `/data` or `.`).
    /// Preopens get descriptors 3, 4, ... in the order given.
    pub fn preopened_dir(mut self, host: impl AsRef<Path>, guest: impl Into<String>) -> Self {
        self.preopens.push((host.as_ref().to_path_buf(), guest.into()));
        self
    }

    /// Hands any other host descriptor (a listening socket, a pipe, ...) to
    /// the guest; it gets the next number after the preopens.
    pub fn fd(mut self, fd: OwnedFd) -> Self {
        self.extra.push(fd);
        self
    }

    /// Prints every WASI call and its result on the host's stderr.
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Opens the preopened directories and assembles the context.
    pub fn build(self) -> Result<WasiCtx, Error> {
        let mut ctx = WasiCtx {
            args: self.args,
            env: self.env,
            fds: BTreeMap::new(),
            trace: self.trace,
        };
        for (i, src) in self.stdio.into_iter().enumerate() {
            let fd = match src {
                None => continue,
                Some(StdioSource::Fd(fd)) => fd,
                Some(StdioSource::Inherit) => {
                    // SAFETY: `dup` of a standard descriptor; the result is
                    // checked and then owned by us alone.
                    let d = unsafe { libc::fcntl(i as RawFd, libc::F_DUPFD_CLOEXEC, 3) };
                    if d < 0 {
                        // The host has no such stream: the guest has none.
                        continue;
                    }
                    // SAFETY: `d` is a fresh descriptor nobody else owns.
                    unsafe { OwnedFd::from_raw_fd(d) }
                }
            };
            let (ft, base) = classify(fd.as_raw_fd())
                .map_err(|e| Error::usage(format!("WASI stdio descriptor {i}: {e}")))?;
            ctx.fds.insert(
                i as u32,
                FdEntry {
                    fd,
                    filetype: ft,
                    rights_base: base,
                    rights_inheriting: 0,
                    preopen: None,
                    dir_cache: None,
                },
            );
        }
        for (host, guest) in self.preopens {
            let fd = open_dir(&host)
                .map_err(|e| Error::usage(format!("cannot preopen directory {}: {e}", host.display())))?;
            ctx.fds.insert(
                next_free(&ctx.fds, 3),
                FdEntry {
                    fd,
                    filetype: filetype::DIRECTORY,
                    rights_base: rights::DIRECTORY,
                    rights_inheriting: rights::ALL,
                    preopen: Some(guest),
                    dir_cache: None,
                },
            );
        }
        for fd in self.extra {
            let (ft, base) = classify(fd.as_raw_fd())
                .map_err(|e| Error::usage(format!("descriptor passed to WASI: {e}")))?;
            ctx.fds.insert(
                next_free(&ctx.fds, 3),
                FdEntry {
                    fd,
                    filetype: ft,
                    rights_base: base,
                    rights_inheriting: if ft == filetype::DIRECTORY { rights::ALL } else { 0 },
                    preopen: None,
                    dir_cache: None,
                },
            );
        }
        Ok(ctx)
    }
}

fn next_free(fds: &BTreeMap<u32, FdEntry>, from: u32) -> u32 {
    let mut n = from;
    while fds.contains_key(&n) {
        n += 1;
    }
    n
}

/// Opens a host directory for use as a preopen.
fn open_dir(path: &Path) -> Result<OwnedFd, std::io::Error> {
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated string; the result is checked.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// What a WASI function body sees: the context, the caller's memory, and
/// which snapshot's ABI it was imported under.
pub(crate) struct Cx<'a> {
    pub wasi: &'a mut WasiCtx,
    pub mem: GuestMem<'a>,
    pub unstable: bool,
}

/// A WASI function body. `args` match the function's declared parameters.
type Body = fn(&mut Cx<'_>, &[Val]) -> WasiResult<()>;

/// Parameter `i` as an unsigned 32-bit value.
pub(crate) fn a32(args: &[Val], i: usize) -> u32 {
    match args.get(i) {
        Some(Val::I32(v)) => *v as u32,
        Some(Val::I64(v)) => *v as u32,
        _ => 0,
    }
}

/// Parameter `i` as an unsigned 64-bit value.
pub(crate) fn a64(args: &[Val], i: usize) -> u64 {
    match args.get(i) {
        Some(Val::I64(v)) => *v as u64,
        Some(Val::I32(v)) => *v as u32 as u64,
        _ => 0,
    }
}

/// Parameter signature letters: `i` for i32, `I` for i64.
struct Def {
    name: &'static str,
    sig: &'static str,
    body: Body,
    /// Exists in `wasi_unstable` too (under the same name).
    in_unstable: bool,
}

const fn d(name: &'static str, sig: &'static str, body: Body) -> Def {
    Def {
        name,
        sig,
        body,
        in_unstable: true,
    }
}

/// Every preview1 function except `proc_exit` (which returns nothing and
/// unwinds), with its parameters; each returns an `errno` as `i32`.
static DEFS: &[Def] = &[
    d("args_get", "ii", proc::args_get),
    d("args_sizes_get", "ii", proc::args_sizes_get),
    d("environ_get", "ii", proc::environ_get),
    d("environ_sizes_get", "ii", proc::environ_sizes_get),
    d("clock_res_get", "ii", clock::clock_res_get),
    d("clock_time_get", "iIi", clock::clock_time_get),
    d("fd_advise", "iIIi", fd::fd_advise),
    d("fd_allocate", "iII", fd::fd_allocate),
    d("fd_close", "i", fd::fd_close),
    d("fd_datasync", "i", fd::fd_datasync),
    d("fd_fdstat_get", "ii", fd::fd_fdstat_get),
    d("fd_fdstat_set_flags", "ii", fd::fd_fdstat_set_flags),
    d("fd_fdstat_set_rights", "iII", fd::fd_fdstat_set_rights),
    d("fd_filestat_get", "ii", fd::fd_filestat_get),
    d("fd_filestat_set_size", "iI", fd::fd_filestat_set_size),
    d("fd_filestat_set_times", "iIIi", fd::fd_filestat_set_times),
    d("fd_pread", "iiiIi", fd::fd_pread),
    d("fd_prestat_get", "ii", fd::fd_prestat_get),
    d("fd_prestat_dir_name", "iii", fd::fd_prestat_dir_name),
    d("fd_pwrite", "iiiIi", fd::fd_pwrite),
    d("fd_read", "iiii", fd::fd_read),
    d("fd_readdir", "iiiIi", fd::fd_readdir),
    d("fd_renumber", "ii", fd::fd_renumber),
    d("fd_seek", "iIii", fd::fd_seek),
    d("fd_sync", "i", fd::fd_sync),
    d("fd_tell", "ii", fd::fd_tell),
    d("fd_write", "iiii", fd::fd_write),
    d("path_create_directory", "iii", path::path_create_directory),
    d("path_filestat_get", "iiiii", path::path_filestat_get),
    d(
        "path_filestat_set_times",
        "iiiiIIi",
        path::path_filestat_set_times,
    ),
    d("path_link", "iiiiiii", path::path_link),
    d("path_open", "iiiiiIIii", path::path_open),
    d("path_readlink", "iiiiii", path::path_readlink),
    d("path_remove_directory", "iii", path::path_remove_directory),
    d("path_rename", "iiiiii", path::path_rename),
    d("path_symlink", "iiiii", path::path_symlink),
    d("path_unlink_file", "iii", path::path_unlink_file),
    d("poll_oneoff", "iiii", poll::poll_oneoff),
    d("proc_raise", "i", proc::proc_raise),
    d("sched_yield", "", proc::sched_yield),
    d("random_get", "ii", random::random_get),
    Def {
        name: "sock_accept",
        sig: "iii",
        body: sock::sock_accept,
        in_unstable: false,
    },
    d("sock_recv", "iiiiii", sock::sock_recv),
    d("sock_send", "iiiii", sock::sock_send),
    d("sock_shutdown", "ii", sock::sock_shutdown),
];

/// The names of the functions WASI provides under `module`.
pub fn function_names(module: &str) -> Vec<&'static str> {
    if !is_wasi_module(module) {
        return Vec::new();
    }
    let unstable = module == UNSTABLE;
    DEFS.iter()
        .filter(|d| !unstable || d.in_unstable)
        .map(|d| d.name)
        .chain(std::iter::once("proc_exit"))
        .collect()
}

/// The type of the WASI function `module.name`, if there is one.
pub fn function_type(module: &str, name: &str) -> Option<FuncType> {
    if !is_wasi_module(module) {
        return None;
    }
    if name == "proc_exit" {
        return Some(FuncType::new([ValType::I32], []));
    }
    let unstable = module == UNSTABLE;
    let def = DEFS
        .iter()
        .find(|d| d.name == name && (!unstable || d.in_unstable))?;
    Some(sig_type(def.sig))
}

fn sig_type(sig: &str) -> FuncType {
    let params = sig
        .bytes()
        .map(|c| if c == b'I' { ValType::I64 } else { ValType::I32 });
    FuncType::new(params, [ValType::I32])
}

/// A WASI context shared by the host functions of the instances that
/// import it. Cheap to clone (all clones share the context).
#[derive(Clone)]
pub struct Wasi {
    ctx: Arc<Mutex<WasiCtx>>,
    started: Arc<Mutex<HashSet<Instance>>>,
}

impl Wasi {
    pub fn new(ctx: WasiCtx) -> Wasi {
        Wasi {
            ctx: Arc::new(Mutex::new(ctx)),
            started: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    /// The shared context (for embedders that inspect or change it between
    /// calls; do not hold it across a call into the guest).
    pub fn ctx(&self) -> MutexGuard<'_, WasiCtx> {
        self.ctx.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates the host function for `module.name` in `store`: `Ok(None)` if
    /// `module` is not a WASI module name, a link error if it is but has no
    /// such function.
    pub fn func(&self, store: &mut Store, module: &str, name: &str) -> Result<Option<Func>, Error> {
        if !is_wasi_module(module) {
            return Ok(None);
        }
        let unstable = module == UNSTABLE;
        if name == "proc_exit" {
            let ty = FuncType::new([ValType::I32], []);
            let ctx = self.ctx.clone();
            return Ok(Some(Func::new_host(store, ty, move |_caller, args, _results| {
                let code = a32(args, 0);
                if ctx.lock().map(|c| c.trace).unwrap_or(false) {
                    eprintln!("[wasi] proc_exit({code})");
                }
                Err(Trap::exit(code as i32))
            })));
        }
        let def = DEFS
            .iter()
            .find(|d| d.name == name && (!unstable || d.in_unstable))
            .ok_or_else(|| Error::link(format!("unknown import: {module}.{name} is not a WASI function")))?;
        let body = def.body;
        let fname = def.name;
        let ctx = self.ctx.clone();
        let f = Func::new_host(store, sig_type(def.sig), move |caller, args, results| {
            let memory = caller.memory();
            let mut guard = ctx.lock().unwrap_or_else(PoisonError::into_inner);
            let data: &mut [u8] = match memory {
                Some(m) => m
                    .data_mut(caller.store())
                    .map_err(|e| Trap::host(e.to_string()))?,
                None => &mut [],
            };
            let mut cx = Cx {
                wasi: &mut guard,
                mem: GuestMem::new(data),
                unstable,
            };
            let errno = match body(&mut cx, args) {
                Ok(()) => Errno::Success,
                Err(e) => e,
            };
            if cx.wasi.trace {
                eprintln!("[wasi] {fname}{args:?} -> {errno:?}");
            }
            results[0] = Val::I32(errno.raw() as i32);
            Ok(())
        });
        Ok(Some(f))
    }

    /// Resolves one import: `Ok(None)` if it is not a WASI import.
    pub fn resolve(&self, store: &mut Store, import: &ImportDesc) -> Result<Option<Extern>, Error> {
        Ok(self.func(store, &import.module, &import.name)?.map(Extern::Func))
    }

    /// The externs for `imports`, in order: `Some` for each WASI import,
    /// `None` for the others (which the caller resolves some other way).
    pub fn resolve_all(
        &self,
        store: &mut Store,
        imports: &[ImportDesc],
    ) -> Result<Vec<Option<Extern>>, Error> {
        imports.iter().map(|i| self.resolve(store, i)).collect()
    }

    /// The externs for all of `module`'s imports, which must all be WASI
    /// functions; ready for [`Instance::new`].
    pub fn imports(&self, store: &mut Store, module: &Module) -> Result<Vec<Extern>, Error> {
        module
            .imports()
            .iter()
            .map(|i| {
                self.resolve(store, i)?.ok_or_else(|| {
                    Error::link(format!(
                        "unknown import: {}.{} (only WASI imports can be provided)",
                        i.module, i.name
                    ))
                })
            })
            .collect()
    }

    /// Runs a command: checks that `instance` exports `memory` and
    /// `_start`, calls `_start` (once: a second call is an error) and
    /// returns the exit status: 0 if `_start` returned, else the code given
    /// to `proc_exit`. Any other trap is returned as an error.
    pub fn run_command(&self, store: &mut Store, instance: Instance) -> Result<i32, Error> {
        require_memory(store, instance, "command")?;
        let start = instance.get_func(store, "_start").ok_or_else(|| {
            Error::usage("not a WASI command: the module does not export a `_start` function")
        })?;
        if !self
            .started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(instance)
        {
            return Err(Error::usage("a WASI command's `_start` may only run once"));
        }
        exit_status(start.call(store, &[], &mut []))
    }

    /// Initialises a reactor: checks that `instance` exports `memory` and
    /// calls its `_initialize` export (if any), once. Call this before any
    /// other export. A `proc_exit` during initialisation is an error
    /// carrying the exit trap.
    pub fn initialize_reactor(&self, store: &mut Store, instance: Instance) -> Result<(), Error> {
        require_memory(store, instance, "reactor")?;
        if !self
            .started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(instance)
        {
            return Ok(());
        }
        if let Some(init) = instance.get_func(store, "_initialize") {
            init.call(store, &[], &mut []).map_err(Error::from)?;
        }
        Ok(())
    }
}

/// Turns the outcome of a call into an exit status: 0 for a normal return,
/// the code of a `proc_exit`, or the error for any other trap.
pub fn exit_status(r: Result<(), Trap>) -> Result<i32, Error> {
    match r {
        Ok(()) => Ok(0),
        Err(t) => match t.exit_code() {
            Some(code) => Ok(code),
            None => Err(t.into()),
        },
    }
}

fn require_memory(store: &Store, instance: Instance, what: &str) -> Result<(), Error> {
    match instance.export(store, "memory")? {
        Some(Extern::Memory(_)) => Ok(()),
        _ => Err(Error::usage(format!(
            "a WASI {what} must export its linear memory as `memory`, and this module does not"
        ))),
    }
}

/// How a module presents itself to WASI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecModel {
    /// Exports `_start`.
    Command,
    /// Exports `_initialize` (and no `_start`).
    Reactor,
    /// Neither: a plain module (whose exports may still be invoked).
    Library,
}

/// The execution model of `module`, from its exports.
pub fn exec_model(module: &Module) -> ExecModel {
    let mut model = ExecModel::Library;
    for (name, ty) in module.exports() {
        if !matches!(ty, crate::core::ExternType::Func(_)) {
            continue;
        }
        if name == "_start" {
            return ExecModel::Command;
        }
        if name == "_initialize" {
            model = ExecModel::Reactor;
        }
    }
    model
}

/// Whether `module` imports anything from WASI.
pub fn uses_wasi(module: &Module) -> bool {
    module.imports().iter().any(|i| is_wasi_module(&i.module))
}
