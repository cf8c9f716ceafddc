//! WASI and `weft` command-line tests.
//!
//! The C programs in `tests/wasi/` are compiled at test time with
//! `clang --target=wasm32-wasi` (Debian: `clang lld wasi-libc
//! libclang-rt-14-dev-wasm32`; `WASI_CC` and `WASI_SYSROOT` override the
//! compiler and sysroot) and run under the built `weft` binary. Without a
//! working compiler these tests fail, saying what to install. The same
//! programs are also run under wasmi (the `wasmi` binary of `wasmi_cli`
//! 2.0.0, found through `WASMI_CLI` or the `PATH`) and must behave the same
//! there. Small WAT
//! modules exercise the Rust API (`weft::wasi`) in-process: the
//! `wasi_unstable` ABI, sockets handed in by the host, bad pointers, the
//! command and reactor rules.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use weft::wasi::{Wasi, WasiCtxBuilder};
use weft::{Engine, Instance, Module, Store, Val};

const WEFT: &str = env!("CARGO_BIN_EXE_weft");

fn work_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi-tests");
    std::fs::create_dir_all(&d).expect("create the test work folder");
    d
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let d = work_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch folder");
    d
}

/// Compiles `tests/wasi/NAME.c` once per test run and returns the module.
fn compile(name: &str) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(p) = built.get(name) {
        return p.clone();
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wasi")
        .join(format!("{name}.c"));
    let out = work_dir().join(format!("{name}-{}.wasm", std::process::id()));
    let cc = std::env::var("WASI_CC").unwrap_or_else(|_| "clang".to_string());
    let mut cmd = Command::new(&cc);
    cmd.arg("--target=wasm32-wasi").args(["-O1", "-Wall", "-Werror"]);
    match std::env::var("WASI_SYSROOT") {
        Ok(s) => {
            cmd.arg(format!("--sysroot={s}"));
        }
        Err(_) if Path::new("/usr/share/wasi-sysroot").is_dir() => {
            cmd.arg("--sysroot=/usr/share/wasi-sysroot");
        }
        // Debian's clang finds wasi-libc in /usr/include/wasm32-wasi and
        // /usr/lib/wasm32-wasi by itself.
        Err(_) => {}
    }
    if name == "reactor" {
        cmd.arg("-mexec-model=reactor");
    }
    cmd.arg(&src).arg("-o").arg(&out);
    let result = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{cc}` to compile the WASI test programs ({e}).\n\
             These tests need clang for wasm32-wasi: on Debian, \
             `apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32` \
             (or set WASI_CC and WASI_SYSROOT)."
        )
    });
    if !result.status.success() {
        panic!(
            "compiling {} with `{cc} --target=wasm32-wasi` failed; this test needs a working \
             wasm32-wasi C toolchain (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32):\n{}",
            src.display(),
            String::from_utf8_lossy(&result.stderr)
        );
    }
    built.insert(name.to_string(), out.clone());
    out
}

fn weft_in(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(WEFT);
    cmd.args(args)
        .env_remove("WEFT_GREETING")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().expect("run weft");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("wait for weft")
}

fn weft(args: &[&str]) -> Output {
    weft_in(None, args, None)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn status(o: &Output) -> i32 {
    o.status.code().expect("weft exited by a signal")
}

#[track_caller]
fn assert_ok(o: &Output) {
    assert_eq!(
        status(o),
        0,
        "weft failed\nstdout:\n{}\nstderr:\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// An error is exactly one line on stderr, starting `weft: `.
#[track_caller]
fn assert_one_line_error(o: &Output, code: i32, needle: &str) {
    let err = text(&o.stderr);
    assert_eq!(status(o), code, "status; stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.starts_with("weft: "), "{err}");
    assert!(err.contains(needle), "`{needle}` not in: {err}");
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn stdout_stderr_args_and_environment() {
    let m = compile("basics");
    let o = weft(&[
        "run",
        "--env",
        "WEFT_GREETING=hello there",
        "--env=WEFT_EMPTY=",
        path_str(&m),
        "hello",
        "two words",
        "--not-an-option",
    ]);
    assert_ok(&o);
    assert_eq!(
        text(&o.stdout),
        "hello from wasi\nargc=4\nargv[1]=hello\nargv[2]=two words\nargv[3]=--not-an-option\n\
         WEFT_GREETING=hello there\nWEFT_EMPTY=(empty)\nHOME=(unset)\n"
    );
    assert_eq!(text(&o.stderr), "this goes to stderr\n");
}

#[test]
fn exit_codes_and_traps() {
    let m = compile("basics");
    let m = path_str(&m);
    for code in ["0", "1", "7", "42", "255"] {
        let o = weft(&["run", m, "exit", code]);
        assert_eq!(status(&o), code.parse::<i32>().unwrap(), "{}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
    }
    // exit() deep in the call stack unwinds the guest, not the host.
    let o = weft(&["run", m, "deep-exit", "9"]);
    assert_eq!(status(&o), 9);
    assert_eq!(text(&o.stdout), "before exit\n");
    let o = weft(&["run", m, "trap"]);
    assert_eq!(text(&o.stdout), "about to trap\n");
    assert_one_line_error(&o, 134, "wasm trap: unreachable");
}

#[test]
fn stdin_and_poll() {
    let m = compile("basics");
    let o = weft_in(None, &["run", path_str(&m), "cat"], Some(b"some input\nmore\n"));
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "poll: 1 readable\nSOME INPUT\nMORE\n");
}

#[test]
fn clocks() {
    let m = compile("basics");
    let o = weft(&["run", path_str(&m), "clocks"]);
    assert_ok(&o);
    assert_eq!(
        text(&o.stdout),
        "realtime plausible: yes\nmonotonic resolution ok: yes\nslept at least 20ms: yes\n\
         slept less than 2s: yes\nrealtime advances: yes\n"
    );
}

#[test]
fn random_bytes() {
    let m = compile("basics");
    let a = weft(&["run", path_str(&m), "random"]);
    let b = weft(&["run", path_str(&m), "random"]);
    assert_ok(&a);
    assert_ok(&b);
    let (a, b) = (text(&a.stdout), text(&b.stdout));
    assert!(a.starts_with("random nonzero: yes\nrandom differs: yes\n"), "{a}");
    assert_ne!(a, b, "two runs gave the same random bytes");
}

#[test]
fn files_in_a_preopened_folder() {
    let m = compile("files");
    let dir = scratch("files");
    let sandbox = dir.join("sb");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::write(sandbox.join("from_host.txt"), "host data\n").unwrap();
    let arg = format!("{}::/sandbox", sandbox.display());
    let o = weft(&["run", "--dir", &arg, path_str(&m)]);
    assert_ok(&o);
    assert_eq!(
        text(&o.stdout),
        "from host: host data\n\
         a.txt: size 11 regular 1\n\
         after pwrite: hello WORLD\n\
         read at 2: llo\n\
         after append: hello+tail\n\
         c.txt: size 10 links 2\n\
         link -> b.txt\n\
         via link: hello+tail\n\
         list /sandbox/dir: b.txt c.txt link\n\
         mtime: 1000000000.000000500\n\
         many: 300 entries\n\
         list /sandbox: from_host.txt kept.txt\n\
         done\n"
    );
    // What the guest left behind, seen from the host.
    assert_eq!(
        std::fs::read_to_string(sandbox.join("kept.txt")).unwrap(),
        "kept by guest\n"
    );
    let mut names: Vec<String> = std::fs::read_dir(&sandbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["from_host.txt", "kept.txt"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lists every path under `root` with file contents and link targets.
fn snapshot(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                stack.push(p.clone());
                "dir".to_string()
            } else {
                std::fs::read_to_string(&p).unwrap_or_default()
            };
            out.push((p.strip_prefix(root).unwrap().display().to_string(), what));
        }
    }
    out.sort();
    out
}

#[test]
fn escape_attempts_fail_and_leave_the_host_untouched() {
    let m = compile("escape");
    let dir = scratch("escape");
    let sandbox = dir.join("sb");
    std::fs::create_dir_all(sandbox.join("sub")).unwrap();
    std::fs::write(dir.join("outside.txt"), "outside\n").unwrap();
    std::fs::write(sandbox.join("inside.txt"), "inside\n").unwrap();
    std::os::unix::fs::symlink("/etc", sandbox.join("etc_link")).unwrap();
    std::os::unix::fs::symlink("../outside.txt", sandbox.join("rel_escape")).unwrap();
    std::os::unix::fs::symlink("sub/../inside.txt", sandbox.join("inside_link")).unwrap();
    std::os::unix::fs::symlink("loop_b", sandbox.join("loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", sandbox.join("loop_b")).unwrap();
    let before = snapshot(&dir);
    let etc_before = std::fs::read_dir("/etc").unwrap().count();

    let arg = format!("{}::/sandbox", sandbox.display());
    let o = weft(&["run", "--dir", &arg, path_str(&m)]);
    assert_ok(&o);
    let expected = "\
preopen 3: /sandbox
open ../outside.txt: ENOTCAPABLE
open /etc/passwd: ENOTCAPABLE
open sub/../../outside.txt: ENOTCAPABLE
open etc_link/passwd: ENOTCAPABLE
open etc_link (follow): ENOTCAPABLE
open etc_link (nofollow): ELOOP
open rel_escape (follow): ENOTCAPABLE
open loop_a (follow): ELOOP
open sub/../inside.txt: SUCCESS
open inside_link (follow): SUCCESS
open ./sub/./../inside.txt: SUCCESS
create ../evil.txt: ENOTCAPABLE
create etc_link/evil (follow): ENOTCAPABLE
create rel_escape (follow): ENOTCAPABLE
mkdir ../evil_dir: ENOTCAPABLE
mkdir etc_link/evil_dir: ENOTCAPABLE
rmdir ..: ENOTCAPABLE
unlink ../outside.txt: ENOTCAPABLE
rename to ../moved.txt: ENOTCAPABLE
rename from ../outside.txt: ENOTCAPABLE
link ../outside.txt: ENOTCAPABLE
link etc_link/passwd (follow): ENOTCAPABLE
symlink to /etc: ENOTCAPABLE
symlink to ../../x: ENOTCAPABLE
symlink to sub/../inside.txt: SUCCESS
stat etc_link/passwd: ENOTCAPABLE
stat etc_link (nofollow): SUCCESS type 7
stat ..: ENOTCAPABLE
stat .: SUCCESS type 3
readlink etc_link: SUCCESS /etc
set times etc_link/passwd: ENOTCAPABLE
open read-only: SUCCESS
write read-only: ENOTCAPABLE
seek without right: ENOTCAPABLE
widen rights: ENOTCAPABLE
path_open on a file: ENOTCAPABLE
use after close: EBADF
bad iovec array: EFAULT
bad buffer: EFAULT
bad path: EFAULT
bad result pointer: EFAULT
libc open /etc/passwd: failed
libc open /sandbox/../outside.txt: failed
libc open /sandbox/etc_link/passwd: failed
done
";
    assert_eq!(text(&o.stdout), expected, "stderr: {}", text(&o.stderr));
    // Only the one allowed symlink was added; nothing outside changed.
    let mut after = snapshot(&dir);
    let added = after
        .iter()
        .position(|(p, _)| p == "sb/my_ok")
        .expect("the in-sandbox symlink was created");
    assert_eq!(after.remove(added).1, "-> sub/../inside.txt");
    assert_eq!(before, after);
    assert_eq!(std::fs::read_dir("/etc").unwrap().count(), etc_before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reactor_through_invoke() {
    let m = compile("reactor");
    let m = path_str(&m);
    let run = |args: &[&str]| {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        weft(&all)
    };
    let o = run(&["--invoke", "add", m, "2", "40"]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "42\n");
    // `_initialize` (the C constructors) ran before the export.
    assert_eq!(text(&run(&["--invoke", "init_value", m]).stdout), "42\n");
    let o = run(&["--env", "WEFT_COUNTER_START=10", "--invoke", "next", m]);
    assert_eq!(text(&o.stdout), "11\n");
    assert_eq!(
        text(&run(&["--invoke", "mul64", m, "4294967296", "-3"]).stdout),
        "-12884901888\n"
    );
    assert_eq!(text(&run(&["--invoke", "half", m, "5"]).stdout), "2.5\n");
    assert_eq!(
        text(&run(&["--invoke", "add", m, "0xffffffff", "2"]).stdout),
        "1\n"
    );
    let o = run(&["--invoke", "greet", m, "2"]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "greetings 0\ngreetings 1\n");
    assert_eq!(status(&run(&["--invoke", "quit", m, "5"])), 5);
    // Without --invoke a reactor is only initialised.
    let o = run(&[m]);
    assert_ok(&o);
    assert!(o.stdout.is_empty());
    assert_one_line_error(&run(&["--invoke", "add", m, "1"]), 2, "takes 2 argument(s)");
    assert_one_line_error(&run(&["--invoke", "add", m, "x", "1"]), 2, "not a valid i32");
    assert_one_line_error(&run(&["--invoke", "nope", m]), 1, "no export named `nope`");
}

#[test]
fn command_line_errors_are_one_line() {
    let dir = scratch("cli");
    assert_one_line_error(&weft(&["run", "missing.wasm"]), 1, "cannot read missing.wasm");
    assert_one_line_error(&weft(&["run", "--bogus", "x.wasm"]), 2, "unknown option --bogus");
    assert_one_line_error(&weft(&["run"]), 2, "missing FILE");
    assert_one_line_error(&weft(&["frobnicate"]), 2, "unknown command");
    assert_one_line_error(
        &weft(&["run", "--dir", "/nonexistent-dir", "x.wasm"]),
        1,
        "cannot read",
    );
    let bad = dir.join("bad.wat");
    std::fs::write(&bad, "(module (func (result i32) (i64.const 1)))").unwrap();
    assert_one_line_error(&weft(&["validate", path_str(&bad)]), 1, "bad.wat");
    assert_one_line_error(&weft(&["run", path_str(&bad)]), 1, "bad.wat");
    let nostart = dir.join("nostart.wat");
    std::fs::write(
        &nostart,
        "(module (func (export \"f\") (result i32) (i32.const 7)))",
    )
    .unwrap();
    assert_one_line_error(&weft(&["run", path_str(&nostart)]), 1, "no `_start`");
    let o = weft(&["run", "--invoke", "f", path_str(&nostart)]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "7\n");
    let nomem = dir.join("nomem.wat");
    std::fs::write(&nomem, "(module (func (export \"_start\")))").unwrap();
    assert_one_line_error(
        &weft(&["run", path_str(&nomem)]),
        1,
        "must export its linear memory",
    );
    let unknown = dir.join("unknown.wat");
    std::fs::write(&unknown, r#"(module (import "env" "f" (func)))"#).unwrap();
    assert_one_line_error(&weft(&["run", path_str(&unknown)]), 1, "unknown import env.f");
    let unknown_wasi = dir.join("unknown_wasi.wat");
    std::fs::write(
        &unknown_wasi,
        r#"(module (import "wasi_snapshot_preview1" "no_such_call" (func)))"#,
    )
    .unwrap();
    assert_one_line_error(&weft(&["run", path_str(&unknown_wasi)]), 1, "no_such_call");
    let exit_in_start = dir.join("exit_in_start.wat");
    std::fs::write(
        &exit_in_start,
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func $s (call $exit (i32.const 3))) (start $s))"#,
    )
    .unwrap();
    assert_eq!(status(&weft(&["run", path_str(&exit_in_start)])), 3);
    for cmd in ["run", "wast", "validate", "inspect"] {
        let o = weft(&[cmd, "--help"]);
        assert_ok(&o);
        assert!(text(&o.stdout).contains("Usage: weft"), "{cmd} --help");
    }
    assert_ok(&weft(&["--help"]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn memory_and_stack_limits() {
    let dir = scratch("limits");
    let m = dir.join("limits.wat");
    std::fs::write(
        &m,
        r#"(module (memory (export "memory") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
             (func $rec (export "rec") (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                 (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1))))))))"#,
    )
    .unwrap();
    let m = path_str(&m);
    assert_eq!(text(&weft(&["run", "--invoke", "grow", m, "10"]).stdout), "1\n");
    assert_eq!(
        text(&weft(&["run", "--max-memory", "128K", "--invoke", "grow", m, "1"]).stdout),
        "1\n"
    );
    assert_eq!(
        text(&weft(&["run", "--max-memory=128K", "--invoke", "grow", m, "2"]).stdout),
        "-1\n"
    );
    assert_one_line_error(
        &weft(&["run", "--max-memory", "1K", "--invoke", "grow", m, "0"]),
        1,
        "exceeds",
    );
    assert_one_line_error(&weft(&["run", "--max-memory", "lots", m]), 2, "not a size");
    assert_eq!(
        text(&weft(&["run", "--invoke", "rec", m, "10000"]).stdout),
        "10000\n"
    );
    assert_one_line_error(
        &weft(&["run", "--stack-size", "16K", "--invoke", "rec", m, "10000"]),
        134,
        "call stack exhausted",
    );
    let o = weft(&["run", "--stack-size", "64M", "--invoke", "rec", m, "100000"]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "100000\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_and_inspect() {
    let m = compile("reactor");
    let o = weft(&["validate", path_str(&m)]);
    assert_ok(&o);
    assert!(text(&o.stdout).ends_with(": valid\n"));
    let o = weft(&["inspect", path_str(&m)]);
    assert_ok(&o);
    let out = text(&o.stdout);
    for needle in [
        "WASI reactor",
        "wasi_snapshot_preview1.fd_write: (func (param i32 i32 i32 i32) (result i32))",
        "add: (func (param i32 i32) (result i32))",
        "memory: (memory",
        "sections:",
        "code: ",
    ] {
        assert!(out.contains(needle), "`{needle}` missing from:\n{out}");
    }
}

#[test]
fn module_path_resolves_imports() {
    let dir = scratch("modpath");
    let libs = dir.join("libs");
    std::fs::create_dir(&libs).unwrap();
    std::fs::write(
        libs.join("math.wat"),
        r#"(module (import "util" "one" (func $one (result i32)))
             (func (export "twice") (param i32) (result i32)
               (i32.add (i32.add (local.get 0) (local.get 0)) (i32.sub (call $one) (i32.const 1)))))"#,
    )
    .unwrap();
    std::fs::write(
        libs.join("util.wat"),
        r#"(module (func (export "one") (result i32) (i32.const 1)))"#,
    )
    .unwrap();
    std::fs::write(
        libs.join("a.wat"),
        r#"(module (import "b" "g" (func)) (func (export "f")))"#,
    )
    .unwrap();
    std::fs::write(
        libs.join("b.wat"),
        r#"(module (import "a" "f" (func)) (func (export "g")))"#,
    )
    .unwrap();
    let main = dir.join("main.wat");
    std::fs::write(
        &main,
        r#"(module (import "math" "twice" (func $twice (param i32) (result i32)))
             (func (export "run") (param i32) (result i32) (call $twice (local.get 0))))"#,
    )
    .unwrap();
    let o = weft(&[
        "run",
        "--module-path",
        path_str(&libs),
        "--invoke",
        "run",
        path_str(&main),
        "21",
    ]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "42\n");
    assert_one_line_error(
        &weft(&["run", "--invoke", "run", path_str(&main), "21"]),
        1,
        "unknown import math.twice",
    );
    let cyc = dir.join("cyc.wat");
    std::fs::write(&cyc, r#"(module (import "a" "f" (func)))"#).unwrap();
    assert_one_line_error(
        &weft(&["run", "--module-path", path_str(&libs), path_str(&cyc)]),
        1,
        "import cycle between modules: a -> b -> a",
    );
    let missing = dir.join("missing.wat");
    std::fs::write(&missing, r#"(module (import "nowhere" "f" (func)))"#).unwrap();
    assert_one_line_error(
        &weft(&["run", "--module-path", path_str(&libs), path_str(&missing)]),
        1,
        "imported module nowhere not found",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wast_scripts() {
    let dir = scratch("wast");
    let good = dir.join("good.wast");
    std::fs::write(
        &good,
        r#"(module
             (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
             (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
             (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0))))
           (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
           (assert_return (invoke "nan") (f32.const nan:arithmetic))
           (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
           (assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
           (assert_malformed (module quote "(func") "unexpected end")
           (register "m")
           (module (import "m" "add" (func $add (param i32 i32) (result i32)))
             (func (export "inc") (param i32) (result i32) (call $add (local.get 0) (i32.const 1))))
           (assert_return (invoke "inc" (i32.const 41)) (i32.const 42))
           (assert_unlinkable (module (import "m" "nope" (func))) "unknown import")"#,
    )
    .unwrap();
    let o = weft(&["wast", path_str(&good)]);
    assert_ok(&o);
    assert_eq!(text(&o.stdout), "10 passed, 0 failed\n");
    let bad = dir.join("bad.wast");
    std::fs::write(
        &bad,
        r#"(module (func (export "one") (result i32) (i32.const 1)))
           (assert_return (invoke "one") (i32.const 2))"#,
    )
    .unwrap();
    let o = weft(&["wast", path_str(&good), path_str(&bad)]);
    assert_eq!(status(&o), 1);
    let out = text(&o.stdout);
    assert!(out.contains("bad.wast:2:"), "{out}");
    assert!(out.ends_with("11 passed, 1 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Differential test against wasmi ----

/// The `wasmi` binary of `wasmi_cli` 2.0.0: `WASMI_CLI`, else `wasmi` on
/// the `PATH`. Missing, the differential test fails saying how to get it.
fn wasmi_cli() -> PathBuf {
    if let Ok(p) = std::env::var("WASMI_CLI") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("wasmi");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "the differential test needs the `wasmi` binary of wasmi_cli 2.0.0: \
         `cargo install wasmi_cli --version 2.0.0 --locked` (or set WASMI_CLI)"
    );
}

fn run_with(bin: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    (status(&o), text(&o.stdout), text(&o.stderr))
}

/// The C programs give the same output and exit status under `weft run`
/// and under wasmi. Not compared, on purpose: the escape attempts (wasmi
/// reports EPERM where the WASI spec says ENOTCAPABLE, accepts symlinks
/// whose target leaves the sandbox, and traps on bad guest pointers where
/// weft returns EFAULT), a reactor's `_initialize` (wasmi does not call
/// it) and trap messages.
#[test]
fn same_behaviour_as_wasmi() {
    let wasmi = wasmi_cli();
    let weft = PathBuf::from(WEFT);
    let basics = compile("basics");
    let basics = path_str(&basics);
    let cases: Vec<(Vec<&str>, Option<&[u8]>)> = vec![
        (
            vec!["--env", "WEFT_GREETING=hi", basics, "hello", "a", "b c"],
            None,
        ),
        (vec![basics, "exit", "7"], None),
        (vec![basics, "deep-exit", "9"], None),
        (vec![basics, "clocks"], None),
        (vec![basics, "cat"], Some(b"piped input\n".as_slice())),
    ];
    for (args, input) in &cases {
        let mut w = vec!["run"];
        w.extend_from_slice(args);
        let ours = run_with(&weft, &w, *input);
        let theirs = run_with(&wasmi, &w, *input);
        assert_eq!(ours, theirs, "weft vs wasmi for {args:?}");
    }
    let reactor = compile("reactor");
    let reactor = path_str(&reactor);
    for call in [
        &["add", "2", "40"][..],
        &["mul64", "4294967296", "-3"],
        &["half", "5"],
        &["greet", "3"],
        &["quit", "5"],
    ] {
        let mut w = vec!["run", "--invoke", call[0], reactor];
        w.extend_from_slice(&call[1..]);
        let ours = run_with(&weft, &w, None);
        let theirs = run_with(&wasmi, &w, None);
        assert_eq!(
            (ours.0, &ours.1),
            (theirs.0, &theirs.1),
            "weft vs wasmi for {call:?}"
        );
    }
    // The file-system program, each run in a fresh folder at the same path
    // (wasmi names a preopen after its host path).
    let files = compile("files");
    let dir = scratch("differential");
    let sandbox = dir.join("sb");
    let sb = path_str(&sandbox).to_string();
    let fresh = || {
        let _ = std::fs::remove_dir_all(&sandbox);
        std::fs::create_dir(&sandbox).unwrap();
        std::fs::write(sandbox.join("from_host.txt"), "host data\n").unwrap();
    };
    fresh();
    let ours = run_with(&weft, &["run", "--dir", &sb, path_str(&files), &sb], None);
    let ours_left = snapshot(&sandbox);
    fresh();
    let theirs = run_with(&wasmi, &["run", "--dir", &sb, path_str(&files), &sb], None);
    let theirs_left = snapshot(&sandbox);
    assert_eq!(ours.0, 0, "{}", ours.2);
    assert!(ours.1.ends_with("done\n"), "{}", ours.1);
    assert_eq!(ours, theirs);
    assert_eq!(ours_left, theirs_left);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- In-process tests of the Rust API ----

fn instantiate(wat: &str, ctx: WasiCtxBuilder) -> (Store, Instance, Wasi) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat.as_bytes()).expect("module");
    let wasi = Wasi::new(ctx.build().expect("wasi context"));
    let mut store = Store::new(&engine);
    let imports = wasi.imports(&mut store, &module).expect("imports");
    let inst = Instance::new(&mut store, &module, &imports).expect("instance");
    (store, inst, wasi)
}

fn call(store: &mut Store, inst: Instance, name: &str, args: &[Val]) -> i32 {
    let f = inst.get_func(store, name).expect("export");
    let mut r = [Val::I32(0)];
    f.call(store, args, &mut r).expect("call");
    match r[0] {
        Val::I32(v) => v,
        other => panic!("unexpected {other:?}"),
    }
}

fn read_mem(store: &Store, inst: Instance, at: usize, len: usize) -> Vec<u8> {
    let mem = inst.memory(store, 0).unwrap();
    mem.data(store).unwrap()[at..at + len].to_vec()
}

fn socket_pair() -> (OwnedFd, std::os::unix::net::UnixStream) {
    let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    (OwnedFd::from(a), b)
}

#[test]
fn sockets_passed_by_the_host() {
    let (guest_end, mut host_end) = socket_pair();
    let (mut store, inst, _wasi) = instantiate(
        r#"(module
             (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "sock_shutdown" (func $shut (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "\10\00\00\00\04\00\00\00")  ;; iovec: 4 bytes at 16
             (data (i32.const 16) "ping")
             (data (i32.const 32) "\40\00\00\00\10\00\00\00")  ;; iovec: 16 bytes at 64
             (func (export "send") (param i32) (result i32) (call $send (local.get 0) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 100)))
             (func (export "recv") (param i32) (result i32) (call $recv (local.get 0) (i32.const 32) (i32.const 1) (i32.const 0) (i32.const 104) (i32.const 108)))
             (func (export "shut") (param i32 i32) (result i32) (call $shut (local.get 0) (local.get 1)))
             (func (export "accept") (param i32) (result i32) (call $accept (local.get 0) (i32.const 0) (i32.const 112))))"#,
        WasiCtxBuilder::new().fd(guest_end),
    );
    // No stdio and no preopens: the socket is descriptor 3.
    assert_eq!(call(&mut store, inst, "send", &[Val::I32(3)]), 0);
    assert_eq!(read_mem(&store, inst, 100, 4), 4u32.to_le_bytes());
    let mut got = [0u8; 4];
    host_end.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    host_end.write_all(b"pong!").unwrap();
    assert_eq!(call(&mut store, inst, "recv", &[Val::I32(3)]), 0);
    assert_eq!(read_mem(&store, inst, 104, 4), 5u32.to_le_bytes());
    assert_eq!(read_mem(&store, inst, 64, 5), b"pong!");
    // Shutting down the write side: the host sees end of stream.
    assert_eq!(call(&mut store, inst, "shut", &[Val::I32(3), Val::I32(2)]), 0);
    let mut rest = Vec::new();
    host_end.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        call(&mut store, inst, "shut", &[Val::I32(3), Val::I32(9)]),
        28,
        "EINVAL"
    );
    // Not a listening socket; unknown descriptors are EBADF.
    assert_eq!(call(&mut store, inst, "accept", &[Val::I32(3)]), 28, "EINVAL");
    assert_eq!(call(&mut store, inst, "send", &[Val::I32(9)]), 8, "EBADF");
}

#[test]
fn socket_calls_on_a_pipe_are_enotsock() {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` returns.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fresh descriptors owned by nobody else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(w);
    let (mut store, inst, _wasi) = instantiate(
        r#"(module
             (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "recv") (param i32) (result i32) (call $recv (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 104) (i32.const 108))))"#,
        WasiCtxBuilder::new().fd(r),
    );
    assert_eq!(call(&mut store, inst, "recv", &[Val::I32(3)]), 57, "ENOTSOCK");
}

#[test]
fn wasi_unstable_abi() {
    let dir = scratch("unstable");
    std::fs::write(dir.join("f.txt"), "0123456789").unwrap();
    let (mut store, inst, _wasi) = instantiate(
        r#"(module
             (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
             (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
             (import "wasi_unstable" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "f.txt")
             (func (export "open") (result i32) (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5)
                 (i32.const 0) (i64.const 0x200006) (i64.const 0) (i32.const 0) (i32.const 8)))
             (func (export "seek") (param i32 i64 i32) (result i32) (call $seek (local.get 0) (local.get 1) (local.get 2) (i32.const 16)))
             (func (export "stat") (param i32) (result i32) (call $stat (local.get 0) (i32.const 64))))"#,
        WasiCtxBuilder::new().preopened_dir(&dir, "."),
    );
    assert_eq!(call(&mut store, inst, "open", &[]), 0);
    let fd = u32::from_le_bytes(read_mem(&store, inst, 8, 4).try_into().unwrap()) as i32;
    // The lowest free number: 0, as no stdio was configured.
    assert_eq!(fd, 0);
    // In wasi_unstable, whence 2 is SET, 0 is CUR and 1 is END.
    assert_eq!(
        call(
            &mut store,
            inst,
            "seek",
            &[Val::I32(fd), Val::I64(3), Val::I32(2)]
        ),
        0
    );
    assert_eq!(read_mem(&store, inst, 16, 8), 3u64.to_le_bytes());
    assert_eq!(
        call(
            &mut store,
            inst,
            "seek",
            &[Val::I32(fd), Val::I64(2), Val::I32(0)]
        ),
        0
    );
    assert_eq!(read_mem(&store, inst, 16, 8), 5u64.to_le_bytes());
    assert_eq!(
        call(
            &mut store,
            inst,
            "seek",
            &[Val::I32(fd), Val::I64(-1), Val::I32(1)]
        ),
        0
    );
    assert_eq!(read_mem(&store, inst, 16, 8), 9u64.to_le_bytes());
    // Its filestat has a 32-bit link count: the size is at offset 24.
    assert_eq!(call(&mut store, inst, "stat", &[Val::I32(fd)]), 0);
    assert_eq!(read_mem(&store, inst, 64 + 16, 1), [4], "regular file");
    assert_eq!(read_mem(&store, inst, 64 + 20, 4), 1u32.to_le_bytes(), "nlink");
    assert_eq!(read_mem(&store, inst, 64 + 24, 8), 10u64.to_le_bytes(), "size");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn commands_run_once_and_need_memory() {
    let (mut store, inst, wasi) = instantiate(
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 17)) unreachable))"#,
        WasiCtxBuilder::new(),
    );
    assert_eq!(wasi.run_command(&mut store, inst).unwrap(), 17);
    let again = wasi.run_command(&mut store, inst).unwrap_err();
    assert!(again.to_string().contains("only run once"), "{again}");

    // A module without memory gets EFAULT for any pointer, not a crash.
    let (mut store, inst, wasi) = instantiate(
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
             (func (export "sizes") (result i32) (call $sizes (i32.const 0) (i32.const 4)))
             (func (export "_initialize")))"#,
        WasiCtxBuilder::new().arg("x"),
    );
    assert_eq!(call(&mut store, inst, "sizes", &[]), 21, "EFAULT");
    let e = wasi.initialize_reactor(&mut store, inst).unwrap_err();
    assert!(e.to_string().contains("must export its linear memory"), "{e}");
}

#[test]
fn args_environment_and_preopens_through_the_api() {
    let dir = scratch("api");
    let (mut store, inst, wasi) = instantiate(
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "args_get" (func $aget (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esz (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "environ_get" (func $eget (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_prestat_get" (func $pget (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $pname (param i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "asz") (result i32) (call $asz (i32.const 0) (i32.const 4)))
             (func (export "aget") (result i32) (call $aget (i32.const 16) (i32.const 64)))
             (func (export "esz") (result i32) (call $esz (i32.const 0) (i32.const 4)))
             (func (export "eget") (result i32) (call $eget (i32.const 16) (i32.const 64)))
             (func (export "pget") (param i32) (result i32) (call $pget (local.get 0) (i32.const 128)))
             (func (export "pname") (param i32 i32) (result i32) (call $pname (local.get 0) (i32.const 256) (local.get 1))))"#,
        WasiCtxBuilder::new()
            .args(["prog", "arg one"])
            .env("A", "1")
            .env("B", "two")
            .preopened_dir(&dir, "/data"),
    );
    assert_eq!(call(&mut store, inst, "asz", &[]), 0);
    assert_eq!(read_mem(&store, inst, 0, 8), [2, 0, 0, 0, 13, 0, 0, 0]);
    assert_eq!(call(&mut store, inst, "aget", &[]), 0);
    assert_eq!(read_mem(&store, inst, 16, 8), [64, 0, 0, 0, 69, 0, 0, 0]);
    assert_eq!(read_mem(&store, inst, 64, 13), b"prog\0arg one\0");
    assert_eq!(call(&mut store, inst, "esz", &[]), 0);
    assert_eq!(read_mem(&store, inst, 0, 8), [2, 0, 0, 0, 10, 0, 0, 0]);
    assert_eq!(call(&mut store, inst, "eget", &[]), 0);
    assert_eq!(read_mem(&store, inst, 64, 10), b"A=1\0B=two\0");
    // No stdio was configured: the preopen is descriptor 3.
    assert_eq!(wasi.ctx().open_fds().collect::<Vec<_>>(), [3]);
    assert_eq!(call(&mut store, inst, "pget", &[Val::I32(3)]), 0);
    assert_eq!(read_mem(&store, inst, 128, 8), [0, 0, 0, 0, 5, 0, 0, 0]);
    assert_eq!(
        call(&mut store, inst, "pname", &[Val::I32(3), Val::I32(4)]),
        37,
        "ENAMETOOLONG"
    );
    assert_eq!(call(&mut store, inst, "pname", &[Val::I32(3), Val::I32(5)]), 0);
    assert_eq!(read_mem(&store, inst, 256, 5), b"/data");
    assert_eq!(call(&mut store, inst, "pget", &[Val::I32(4)]), 8, "EBADF");
    let _ = std::fs::remove_dir_all(&dir);
}
