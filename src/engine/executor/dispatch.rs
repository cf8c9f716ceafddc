//! Threaded dispatch: an instruction's tag indexes the table of handlers.
//!
//! A handler is a function that executes one instruction and then hands over
//! to the handler of the next one (`HANDLERS[tag of *ip]`). Two backends share every handler:
//!
//! - *tail* (optimised builds on x86-64 and AArch64, `cfg(weft_tail_dispatch)`
//!   set by `build.rs`): a handler ends by calling the next handler in tail
//!   position with the same signature, which LLVM compiles to a jump. Each
//!   instruction then costs one indirect jump from its own site, which the
//!   branch predictor learns per instruction pair, and the interpreter state
//!   (`ip`, `fp`, memory base and length, context) stays in argument
//!   registers. Nothing may stay alive across that final call (no locals
//!   whose address escapes, nothing to drop), or LLVM keeps a real call and
//!   the host stack grows per instruction; `tests/dispatch_tail.rs` runs
//!   every instruction kind in long loops on a small stack to catch that.
//! - *loop* (unoptimised builds, where LLVM does not turn calls into jumps):
//!   a handler stores the state into the context and returns `Exit::Continue`
//!   to a loop that calls the next handler.
//!
//! The *accumulators*: every handler of a typed operation, load, constant
//! or copy passes its result on in `acc` (the cell's bits) besides writing
//! it to its slot, and those with an `f64` result (and the 64-bit loads,
//! constants and copies, which may carry an `f64`) pass it in `fa` too. The translator rewrites an
//! instruction that reads the slot its predecessor just wrote into a form
//! that takes the operand from the accumulator (`Instr::with_acc`), unless
//! a branch may arrive between the two; a chain of operations then passes
//! its values in registers instead of through memory. Other handlers pass
//! the accumulators on untouched or with meaningless values.
//!
//! Handlers return to the caller of the first handler only to finish:
//! `Exit::Done` (the outermost function returned), `Exit::Trap` (the trap is
//! in `Cx::trap`) or `Exit::Replaced` (a host function replaced the store).

use super::Frame;
use crate::core::Trap;
use crate::ir::code::Unit;
use crate::ir::Instr;

pub(crate) use super::handlers::HANDLERS;
use crate::runtime::func::CallTarget;
use crate::runtime::Store;

/// The next instruction to execute: a unit of encoded code (`ir::code`)
/// where an instruction starts. A type of its own, so that every step of
/// it says how many units it skips.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub(crate) struct Ip(*const Unit);

impl Ip {
    /// The instruction at `p`.
    #[inline(always)]
    pub(crate) fn new(p: *const Unit) -> Ip {
        Ip(p)
    }

    /// The instruction `units` units on (an address computation only).
    #[inline(always)]
    pub(crate) fn skip(self, units: usize) -> Ip {
        Ip(self.0.wrapping_add(units))
    }

    /// The target of the branch instruction here whose target field is
    /// `rel`: a distance in bytes from it (`ir::code`). Relative, so that
    /// the jump waits for one load (of the field) and one addition.
    #[inline(always)]
    pub(crate) fn jump(self, rel: u32) -> Ip {
        // Wrapping: targets are in bounds (handlers' module docs), so this
        // is an addition.
        Ip(self.0.wrapping_byte_offset(rel as i32 as isize))
    }

    /// The instruction here, as a whole `Instr` (see `ir::code` for the
    /// bytes past its units).
    ///
    /// # Safety
    /// `self` points at an instruction of live code (or a static one).
    #[inline(always)]
    pub(crate) unsafe fn instr(self) -> Instr {
        // SAFETY: the caller's obligation; code keeps a whole `Instr`
        // readable from any instruction (`ir::code`), aligned to `Unit`.
        unsafe { self.0.cast::<Instr>().read() }
    }

    /// The tag of the instruction here.
    ///
    /// # Safety
    /// As for `instr`.
    #[inline(always)]
    pub(crate) unsafe fn tag(self) -> u16 {
        // SAFETY: the caller's obligation; every instruction starts with
        // its `u16` tag (`repr(u16)`).
        unsafe { self.0.cast::<u16>().read() }
    }

    pub(crate) fn as_ptr(self) -> *const Unit {
        self.0
    }
}
/// First cell of the current frame.
pub(crate) type Fp = *mut u64;
/// Base address of memory 0 of the current instance.
pub(crate) type Mem = *mut u8;

/// The signature every handler shares (so that tail calls become jumps).
///
/// # Safety
/// `ip` points at an instruction of the current function's code whose
/// handler this is, `fp` at a frame of the function inside the value stack,
/// `mem` is the base of memory 0 of the current instance (its length is
/// `cx.mem_len`) and `cx` is the context of this execution. See
/// `run::run` for how these are established. `acc` and `fa` are the
/// accumulators (module docs).
pub(crate) type Handler =
    unsafe fn(ip: Ip, fp: Fp, mem: Mem, acc: u64, cx: &mut Cx<'_>, table: Table, fa: f64) -> Exit;

/// `HANDLERS`, passed along in a register so that a dispatch need not
/// compute its address (a `Handler` cannot name its own type, hence `()`).
pub(crate) type Table = *const ();

/// The table argument for entering the handlers.
#[inline(always)]
pub(crate) fn table() -> Table {
    HANDLERS.as_ptr().cast()
}

/// Why the handlers gave control back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Exit {
    /// The invoked function returned; its results are at cell 0.
    Done,
    /// A trap; it is stored in `Cx::trap`, its position in `Cx::ip`.
    Trap,
    /// A host function swapped the store out: nothing of it may be touched.
    Replaced,
    /// Loop backend only: run the handler at `Cx::ip` next.
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    Continue,
}

/// The state of one execution that does not live in registers.
pub(crate) struct Cx<'a> {
    pub store: &'a mut Store,
    /// One past the last cell of the value stack.
    pub cells_end: *mut u64,
    /// Callers of the current function (innermost last).
    pub frames: Vec<Frame>,
    pub max_depth: usize,
    /// `min(frames.capacity(), max_depth)`: a call may push without
    /// growing the buffer or checking the depth while below it.
    pub frames_limit: usize,
    /// Store index of the current function and of its instance.
    pub func: u32,
    pub inst: u32,
    /// Call targets of the current instance, by function index.
    pub targets: *const CallTarget,
    /// Engine-wide type ids of the current instance's types (its module's),
    /// and the store indices of its tables: set with `targets`; neither
    /// changes while the instance lives.
    pub type_ids: *const u32,
    pub tables: *const u32,
    /// Store index of the current instance's memory 0 (`usize::MAX` if none).
    pub mem_idx: usize,
    /// The current length of that memory in bytes (0 for none): refreshed
    /// with the instance and after anything that may grow the memory
    /// (`memory.grow`, a host call, a call into or return from another
    /// instance).
    pub mem_len: usize,
    /// Host-call buffers (taken from the value stack for the execution).
    pub host_args: Vec<crate::core::Val>,
    pub host_results: Vec<crate::core::Val>,
    /// Set with `Exit::Trap`.
    pub trap: Option<Trap>,
    /// On a trap: one past the trapping instruction. Loop backend: the next
    /// instruction, with the registers below.
    pub ip: Ip,
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    pub fp: Fp,
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    pub mem: Mem,
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    pub acc: u64,
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    pub fa: f64,
}

/// The handler of the instruction at `ip`.
///
/// # Safety
/// `ip` points at an instruction.
#[inline(always)]
pub(crate) unsafe fn handler(ip: Ip) -> Handler {
    // SAFETY: the caller's obligation; `table()` is `HANDLERS`.
    unsafe { handler_in(table(), ip) }
}

/// The handler of the instruction at `ip`, from `table` (`HANDLERS`).
///
/// # Safety
/// `ip` points at an instruction and `table` is `table()`.
#[inline(always)]
pub(crate) unsafe fn handler_in(table: Table, ip: Ip) -> Handler {
    // SAFETY: `ip` points at an instruction (the caller's obligation), and
    // `table` points at `HANDLERS`, which has an entry for every tag.
    unsafe { *table.cast::<Handler>().add(ip.tag() as usize) }
}

/// Continues with the instruction at `$ip`. Must be in tail position of a
/// handler: it returns.
#[cfg(weft_tail_dispatch)]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $acc:expr, $cx:expr, $table:expr, $fa:expr) => {{
        let ip: $crate::engine::executor::dispatch::Ip = $ip;
        let table: $crate::engine::executor::dispatch::Table = $table;
        // SAFETY: `ip` points at an instruction of the current code (the
        // caller's obligation, see `Handler`), whose handler gets the state;
        // `table` is `HANDLERS`.
        return unsafe {
            $crate::engine::executor::dispatch::handler_in(table, ip)(ip, $fp, $mem, $acc, $cx, table, $fa)
        };
    }};
}

#[cfg(not(weft_tail_dispatch))]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $acc:expr, $cx:expr, $table:expr, $fa:expr) => {{
        let _ = $table;
        let state = ($ip, $fp, $mem, $acc, $fa);
        let cx: &mut $crate::engine::executor::dispatch::Cx<'_> = $cx;
        (cx.ip, cx.fp, cx.mem, cx.acc, cx.fa) = state;
        return $crate::engine::executor::dispatch::Exit::Continue;
    }};
}

/// `next!` for an instruction whose tag is known without reading it.
#[cfg(weft_tail_dispatch)]
macro_rules! next_tagged {
    ($ip:expr, $tag:expr, $fp:expr, $mem:expr, $acc:expr, $cx:expr, $table:expr, $fa:expr) => {{
        let ip: $crate::engine::executor::dispatch::Ip = $ip;
        let table: $crate::engine::executor::dispatch::Table = $table;
        // SAFETY: as for `next!`; `$tag` is the tag of the instruction at
        // `ip` (the caller's obligation), so this is its handler.
        return unsafe {
            let handler = *table
                .cast::<$crate::engine::executor::dispatch::Handler>()
                .add($tag as usize);
            handler(ip, $fp, $mem, $acc, $cx, table, $fa)
        };
    }};
}

#[cfg(not(weft_tail_dispatch))]
macro_rules! next_tagged {
    ($ip:expr, $tag:expr, $fp:expr, $mem:expr, $acc:expr, $cx:expr, $table:expr, $fa:expr) => {{
        let _ = $tag;
        $crate::engine::executor::dispatch::next!($ip, $fp, $mem, $acc, $cx, $table, $fa)
    }};
}

pub(crate) use {next, next_tagged};

/// Runs the handlers from `ip` until one of them finishes the execution.
///
/// # Safety
/// As for `Handler`.
#[cfg(weft_tail_dispatch)]
pub(crate) unsafe fn execute(ip: Ip, fp: Fp, mem: Mem, cx: &mut Cx<'_>) -> Exit {
    // SAFETY: the caller's obligation.
    unsafe { handler(ip)(ip, fp, mem, 0, cx, table(), 0.0) }
}

/// Runs the handlers from `ip` until one of them finishes the execution.
///
/// # Safety
/// As for `Handler`.
#[cfg(not(weft_tail_dispatch))]
pub(crate) unsafe fn execute(ip: Ip, fp: Fp, mem: Mem, cx: &mut Cx<'_>) -> Exit {
    let (mut ip, mut fp, mut mem, mut acc, mut fa) = (ip, fp, mem, 0, 0.0);
    #[cfg(feature = "dispatch-pairs")]
    let mut previous = 0;
    loop {
        #[cfg(feature = "dispatch-pairs")]
        {
            // SAFETY: `ip` points at an instruction (as for the dispatch).
            let tag = unsafe { ip.tag() } as usize;
            pairs::record(previous, tag);
            previous = tag;
        }
        // SAFETY: the caller's obligation for the first instruction; every
        // handler leaves a valid state in `cx` before `Exit::Continue`.
        match unsafe { handler(ip)(ip, fp, mem, acc, cx, table(), fa) } {
            Exit::Continue => (ip, fp, mem, acc, fa) = (cx.ip, cx.fp, cx.mem, cx.acc, cx.fa),
            other => return other,
        }
    }
}

/// Counts of consecutive dispatches `(previous tag, tag)` (feature
/// `dispatch-pairs`, loop backend only: build with `WEFT_LOOP_DISPATCH=1`),
/// to find the pairs worth fusing (`translator/pairs.rs`).
#[cfg(feature = "dispatch-pairs")]
pub mod pairs {
    use super::super::handlers::{INSTR_NAMES, NUM_TAGS};
    use std::sync::atomic::{AtomicU64, Ordering};

    static COUNTS: [AtomicU64; NUM_TAGS * NUM_TAGS] = [const { AtomicU64::new(0) }; NUM_TAGS * NUM_TAGS];

    /// Counts one dispatch of `tag` after `previous` (only the loop backend
    /// calls it).
    #[inline(always)]
    #[cfg_attr(weft_tail_dispatch, allow(dead_code))]
    pub(in crate::engine::executor) fn record(previous: usize, tag: usize) {
        if let Some(c) = COUNTS.get(previous * NUM_TAGS + tag) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The pairs counted since the last call, most frequent first, as
    /// `(count, first instruction, second instruction)`; resets the counts.
    /// Empty with the tail-call backend (which has no dispatch loop).
    pub fn take() -> Vec<(u64, &'static str, &'static str)> {
        let mut out: Vec<_> = COUNTS
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let n = c.swap(0, Ordering::Relaxed);
                (n > 0).then(|| (n, INSTR_NAMES[i / NUM_TAGS], INSTR_NAMES[i % NUM_TAGS]))
            })
            .collect();
        out.sort_by_key(|p| std::cmp::Reverse(p.0));
        out
    }
}
