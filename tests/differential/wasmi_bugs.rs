//! Workarounds for bugs of the reference engine, wasmi 2.0.0, found by this
//! harness. wasmi is given a patched copy of the module (Weft always runs
//! the original), so that these bugs neither show up as mismatches nor hide
//! real ones.
//!
//! 1. `select` fused with its condition: wasmi translates
//!    `i32.eqz` / `i32.eq` / `i32.ne` (against 0) followed by `select` into
//!    one `select` on the comparison's input with swapped operands. When the
//!    comparison read its input from a stack slot but wrote its result to
//!    wasmi's accumulator register, the fused `select` tests the register,
//!    which still holds an older value, and picks the wrong operand:
//!
//!    ```wat
//!    (func (result i32 i32) (local $zero i32) (local $x i32)
//!      (local.set $x (i32.const 200))
//!      (i32.add (local.get $x) (i32.const 3))   ;; 203, left in the register
//!      (select (i32.const 5) (local.get $zero) (i32.eqz (local.get $zero))))
//!    ;; expected 203 5; wasmi 2.0.0 returns 203 0
//!    ```
//!
//!    The same happens with `ref.is_null` of a call's result:
//!    `(select (i32.const 7) (i32.const 9) (ref.is_null (call $f)))` gives
//!    9 when `$f` (which reads a global) returns null.
//!
//!    Patch: `i32.const 1; i32.and` between such a comparison (also the
//!    64-bit ones and `ref.is_null`) and `select` (the comparison yields 0
//!    or 1, so the value is unchanged), also when `nop`s separate them
//!    (wasmi skips those: `tests/corpus/state-7b62c3e3907d0e6a.wasm`).
//!
//! 2. Blocks with parameters: when a `block` with parameters is left by a
//!    branch and later in the same block a `loop` or `if` makes wasmi
//!    preserve values in registers or locals, the values below the block's
//!    parameters are read from preservation slots that the branch path never
//!    filled (here 0 instead of the argument's bits):
//!
//!    ```wat
//!    (func (param $a f64) (param $c i32) (result i64)
//!      local.get $a
//!      i64.const 39
//!      block (param i64)
//!        local.get $c
//!        br_if 0
//!        loop end
//!        drop
//!      end
//!      i64.reinterpret_f64)
//!    ;; expected the bits of $a; wasmi 2.0.0 returns 0 when $c != 0
//!    ```
//!
//!    The same goes for `if` and `loop` with parameters.
//!
//!    Patch: a block (`if`, `loop`) with parameters takes them through fresh
//!    locals instead: `local.set`s before `block` (whose type then has no
//!    parameters) and `local.get`s right after it (for `if`, at the start
//!    of both branches, adding an `else` if there was none; for `loop`,
//!    every branch to it stores the values into those locals first).
//!
//! The corpus cases `tests/corpus/wasmi-*.wat` reproduce each bug; run them
//! with `WEFT_FUZZ_NO_WASMI_PATCH=1` to see whether a wasmi still has it.
//!
//! 3. `br_table` carrying several values to targets at different stack
//!    heights (an enclosing block and the function) delivers a wrong first
//!    value to the function's results:
//!
//!    ```wat
//!    (func (result i32 i64) (local i64)
//!      block (result i32 i64)
//!        local.get 0
//!        loop (result i32 i64)
//!          i32.const 500
//!          i64.const 2
//!          global.get $big          ;; any index >= 2: the default, 2
//!          br_table 1 2 2
//!        end
//!        unreachable
//!      end)
//!    ;; expected 500 2; wasmi 2.0.0 returns 0 2
//!    ```
//!
//!    Patch: a `br_table` whose labels carry two or more values becomes a
//!    chain of `br_if`s on the index (kept in a fresh local), then `br` to
//!    the default label: the same branches, without `br_table`.

use super::binary::{self, CODE, TYPE};
use wasmparser::{BlockType, FuncType, Operator, Parser, Payload, ValType};

/// Whether the workarounds are on: set `WEFT_FUZZ_NO_WASMI_PATCH` in the
/// environment to give wasmi the original modules (to see whether a newer
/// wasmi still has these bugs: the corpus cases `wasmi-*.wat` then fail).
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("WEFT_FUZZ_NO_WASMI_PATCH").is_none())
}

/// One edit of a function body: replace `range` (absolute offsets) by `bytes`.
struct Edit {
    range: std::ops::Range<usize>,
    bytes: Vec<u8>,
}

fn write_sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Number of values a branch to a frame with this block type carries.
fn label_arity(types: &[FuncType], bt: BlockType, is_loop: bool) -> Option<usize> {
    Some(match bt {
        BlockType::Empty => 0,
        BlockType::Type(_) => usize::from(!is_loop),
        BlockType::FuncType(i) => {
            let t = types.get(i as usize)?;
            if is_loop {
                t.params().len()
            } else {
                t.results().len()
            }
        }
    })
}

fn val_byte(t: ValType) -> Option<u8> {
    Some(match t {
        ValType::I32 => 0x7f,
        ValType::I64 => 0x7e,
        ValType::F32 => 0x7d,
        ValType::F64 => 0x7c,
        ValType::Ref(r) if r == wasmparser::RefType::FUNCREF => 0x70,
        ValType::Ref(r) if r == wasmparser::RefType::EXTERNREF => 0x6f,
        _ => return None,
    })
}

/// Scratch locals added to one function.
struct Scratch {
    first: u32,
    types: Vec<u8>,
    /// The local `br_table` rewrites keep their index in.
    br_index: Option<u32>,
    /// The local `br_if`s to rewritten loops keep their condition in.
    br_cond: Option<u32>,
}

impl Scratch {
    /// A new local of type `t` (never shared: an `if`'s parameters must
    /// survive its `then` branch, which may contain other rewrites).
    fn fresh(&mut self, t: u8) -> u32 {
        self.types.push(t);
        self.first + self.types.len() as u32 - 1
    }

    fn br_index(&mut self) -> u32 {
        match self.br_index {
            Some(l) => l,
            None => {
                let l = self.fresh(0x7f);
                self.br_index = Some(l);
                l
            }
        }
    }

    fn br_cond(&mut self) -> u32 {
        match self.br_cond {
            Some(l) => l,
            None => {
                let l = self.fresh(0x7f);
                self.br_cond = Some(l);
                l
            }
        }
    }
}

fn sets(locals: &[u32]) -> Vec<u8> {
    let mut b = Vec::new();
    for &l in locals.iter().rev() {
        b.push(0x21);
        binary::write_leb(&mut b, l);
    }
    b
}

fn gets(locals: &[u32]) -> Vec<u8> {
    let mut b = Vec::new();
    for &l in locals {
        b.push(0x20);
        binary::write_leb(&mut b, l);
    }
    b
}

/// `br depth` (or `br_if depth` when `cond`), storing the values of a
/// rewritten loop's parameters in its locals first.
fn branch(frames: &[Frame], scratch: &mut Scratch, depth: u32, cond: bool) -> Option<Vec<u8>> {
    let target = frames.get(frames.len().checked_sub(1 + depth as usize)?)?;
    let mut b = Vec::new();
    match (&target.loop_params, cond) {
        (Some(ls), false) => b.extend_from_slice(&sets(ls)),
        (Some(ls), true) => {
            let c = scratch.br_cond();
            b.push(0x21);
            binary::write_leb(&mut b, c);
            b.extend_from_slice(&sets(ls));
            b.extend_from_slice(&gets(ls));
            b.push(0x20);
            binary::write_leb(&mut b, c);
        }
        (None, _) => {}
    }
    b.push(if cond { 0x0d } else { 0x0c });
    binary::write_leb(&mut b, depth);
    Some(b)
}

/// An enclosing control frame.
struct Frame {
    /// Values a branch to it carries.
    arity: usize,
    /// For an `if` whose parameters were moved to locals: those locals
    /// (re-pushed at the start of each branch), and whether `else` was seen.
    if_params: Option<(Vec<u32>, bool)>,
    /// For a `loop` whose parameters were moved to locals: those locals
    /// (branches to the loop store into them).
    loop_params: Option<Vec<u32>>,
}

/// The module to give wasmi: `bytes` with every known wasmi bug avoided,
/// or `None` when nothing needs patching (or the module cannot be parsed).
pub fn patch(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut types: Vec<FuncType> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    // New types `[] -> results` appended to the type section.
    let mut new_types: Vec<Vec<u8>> = Vec::new();
    let mut bodies: Vec<Option<Vec<u8>>> = Vec::new();
    let mut changed = false;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.ok()?);
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t.ok()?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = bodies.len();
                let ty = types.get(*func_types.get(index)? as usize)?.clone();
                let patched = patch_body(bytes, &body, &ty, &types, &mut new_types)?;
                changed |= patched.is_some();
                bodies.push(patched);
            }
            _ => {}
        }
    }
    if !changed {
        return None;
    }
    // Rebuild the code section, then the type section.
    let secs = binary::sections(bytes)?;
    let code = secs.iter().position(|s| s.id == CODE)?;
    let mut pos = secs[code].content.start;
    let n = binary::read_leb(bytes, &mut pos)?;
    let mut content = Vec::new();
    binary::write_leb(&mut content, n);
    for patched in bodies.iter().take(n as usize) {
        let len = binary::read_leb(bytes, &mut pos)? as usize;
        let body = bytes.get(pos..pos + len)?;
        let body = patched.as_deref().unwrap_or(body);
        binary::write_leb(&mut content, body.len() as u32);
        content.extend_from_slice(body);
        pos += len;
    }
    let mut out = binary::replace_section(bytes, &secs, code, Some(&content));
    if !new_types.is_empty() {
        let secs = binary::sections(&out)?;
        let ts = secs.iter().position(|s| s.id == TYPE)?;
        let mut pos = secs[ts].content.start;
        let n = binary::read_leb(&out, &mut pos)?;
        let mut content = Vec::new();
        binary::write_leb(&mut content, n + new_types.len() as u32);
        content.extend_from_slice(out.get(pos..secs[ts].content.end)?);
        for t in &new_types {
            content.extend_from_slice(t);
        }
        out = binary::replace_section(&out, &secs, ts, Some(&content));
    }
    Some(out)
}

/// Patches one function body; `None` inside `Some` when nothing changed.
fn patch_body(
    bytes: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    ty: &FuncType,
    types: &[FuncType],
    new_types: &mut Vec<Vec<u8>>,
) -> Option<Option<Vec<u8>>> {
    let range = body.range();
    let range = range.start as usize..range.end as usize;
    let mut declared: u32 = 0;
    for l in body.get_locals_reader().ok()? {
        declared = declared.checked_add(l.ok()?.0)?;
    }
    // A mutant may declare nearly 2^32 locals (invalid; not patched).
    let first = declared.checked_add(ty.params().len() as u32)?;
    let mut scratch = Scratch {
        first,
        types: Vec::new(),
        br_index: None,
        br_cond: None,
    };
    let mut ops = body.get_operators_reader().ok()?;
    let ops_start = ops.original_position() as usize;
    let mut edits: Vec<Edit> = Vec::new();
    let mut prev_is_cmp = false;
    let mut pending: Option<(usize, Vec<u8>, Vec<u8>)> = None;
    // Enclosing frames, innermost last (the function's first).
    let mut frames: Vec<Frame> = vec![Frame {
        arity: ty.results().len(),
        if_params: None,
        loop_params: None,
    }];
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset().ok()?;
        let offset = offset as usize;
        // Close a block conversion: the block instruction ends here.
        if let Some((start, before, after)) = pending.take() {
            let mut b = before;
            b.extend_from_slice(&after);
            edits.push(Edit {
                range: start..offset,
                bytes: b,
            });
        }
        let is_select = matches!(op, Operator::Select | Operator::TypedSelect { .. });
        if is_select && prev_is_cmp {
            edits.push(Edit {
                range: offset..offset,
                bytes: vec![0x41, 0x01, 0x71],
            });
        }
        // wasmi skips `nop`s, so it fuses across them too.
        prev_is_cmp = matches!(op, Operator::Nop) && prev_is_cmp
            || matches!(
                op,
                Operator::I32Eqz
                    | Operator::I32Eq
                    | Operator::I32Ne
                    | Operator::I64Eqz
                    | Operator::I64Eq
                    | Operator::I64Ne
                    | Operator::RefIsNull
            );
        match &op {
            Operator::Block { blockty } | Operator::If { blockty } => frames.push(Frame {
                arity: label_arity(types, *blockty, false)?,
                if_params: None,
                loop_params: None,
            }),
            Operator::Loop { blockty } => frames.push(Frame {
                arity: label_arity(types, *blockty, true)?,
                if_params: None,
                loop_params: None,
            }),
            Operator::Else => {
                if let Some((locals, saw_else)) = &mut frames.last_mut()?.if_params {
                    *saw_else = true;
                    edits.push(Edit {
                        range: offset + 1..offset + 1,
                        bytes: gets(locals),
                    });
                }
            }
            Operator::End => {
                if let Some((locals, false)) = frames.pop()?.if_params {
                    let mut b = vec![0x05];
                    b.extend_from_slice(&gets(&locals));
                    edits.push(Edit {
                        range: offset..offset,
                        bytes: b,
                    });
                }
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                let cond = matches!(op, Operator::BrIf { .. });
                let d = *relative_depth as usize;
                if frames
                    .get(frames.len().checked_sub(1 + d)?)?
                    .loop_params
                    .is_some()
                {
                    let b = branch(&frames, &mut scratch, *relative_depth, cond)?;
                    let end = ops.original_position() as usize;
                    edits.push(Edit {
                        range: offset..end,
                        bytes: b,
                    });
                }
            }
            Operator::BrTable { targets } => {
                let default = targets.default();
                let arity = frames.get(frames.len().checked_sub(1 + default as usize)?)?.arity;
                let list: Vec<u32> = targets.targets().collect::<Result<_, _>>().ok()?;
                let to_loop = list.iter().chain([&default]).any(|&t| {
                    frames
                        .len()
                        .checked_sub(1 + t as usize)
                        .and_then(|i| frames.get(i))
                        .is_some_and(|f| f.loop_params.is_some())
                });
                if (arity >= 2 || to_loop) && list.len() <= 64 {
                    let i = scratch.br_index();
                    let mut b = vec![0x21];
                    binary::write_leb(&mut b, i);
                    for (k, &t) in list.iter().enumerate() {
                        b.push(0x20);
                        binary::write_leb(&mut b, i);
                        b.push(0x41);
                        write_sleb(&mut b, k as i64);
                        b.push(0x46);
                        b.extend_from_slice(&branch(&frames, &mut scratch, t, true)?);
                    }
                    b.extend_from_slice(&branch(&frames, &mut scratch, default, false)?);
                    let end = ops.original_position() as usize;
                    edits.push(Edit {
                        range: offset..end,
                        bytes: b,
                    });
                } else if to_loop {
                    // Too large to rewrite: leave the module to wasmi as is.
                    return None;
                }
            }
            _ => {}
        }
        let (opcode, idx) = match op {
            Operator::Block {
                blockty: BlockType::FuncType(idx),
            } => (0x02u8, Some(idx)),
            Operator::Loop {
                blockty: BlockType::FuncType(idx),
            } => (0x03, Some(idx)),
            Operator::If {
                blockty: BlockType::FuncType(idx),
            } => (0x04, Some(idx)),
            _ => (0, None),
        };
        let is_if = opcode == 0x04;
        if let Some(idx) = idx {
            let bt = types.get(idx as usize)?;
            if !bt.params().is_empty() {
                let params: Vec<u8> = bt.params().iter().map(|&t| val_byte(t)).collect::<Option<_>>()?;
                let results: Vec<u8> = bt.results().iter().map(|&t| val_byte(t)).collect::<Option<_>>()?;
                let cond = is_if.then(|| scratch.fresh(0x7f));
                let locals: Vec<u32> = params.iter().map(|&t| scratch.fresh(t)).collect();
                let mut before = Vec::new();
                for &l in cond.iter().chain(locals.iter().rev()) {
                    before.push(0x21);
                    binary::write_leb(&mut before, l);
                }
                if let Some(c) = cond {
                    before.push(0x20);
                    binary::write_leb(&mut before, c);
                    frames.last_mut()?.if_params = Some((locals.clone(), false));
                }
                if opcode == 0x03 {
                    frames.last_mut()?.loop_params = Some(locals.clone());
                }
                before.push(opcode);
                match results.len() {
                    0 => before.push(0x40),
                    1 => before.push(results[0]),
                    _ => {
                        let idx = block_type_index(types, new_types, &results);
                        // s33 encoding of a non-negative index.
                        let mut v = idx as u64;
                        loop {
                            let b = (v & 0x7f) as u8;
                            v >>= 7;
                            if v == 0 && b & 0x40 == 0 {
                                before.push(b);
                                break;
                            }
                            before.push(b | 0x80);
                        }
                    }
                }
                pending = Some((offset, before, gets(&locals)));
            }
        }
    }
    if edits.is_empty() {
        return Some(None);
    }
    // Locals: the original groups, then one group per scratch local.
    let mut out = Vec::new();
    let mut locals = body.get_locals_reader().ok()?;
    let groups = locals.get_count();
    binary::write_leb(&mut out, groups + scratch.types.len() as u32);
    let header_groups_start = {
        let mut p = range.start;
        binary::read_leb(bytes, &mut p)?;
        p
    };
    for _ in 0..groups {
        locals.read().ok()?;
    }
    out.extend_from_slice(bytes.get(header_groups_start..ops_start)?);
    for &t in &scratch.types {
        out.extend_from_slice(&[1, t]);
    }
    let mut from = ops_start;
    for e in edits {
        out.extend_from_slice(bytes.get(from..e.range.start)?);
        out.extend_from_slice(&e.bytes);
        from = e.range.end;
    }
    out.extend_from_slice(bytes.get(from..range.end)?);
    Some(Some(out))
}

/// Index of a type `[] -> results`: an existing one, or one appended.
fn block_type_index(types: &[FuncType], new_types: &mut Vec<Vec<u8>>, results: &[u8]) -> u32 {
    for (i, t) in types.iter().enumerate() {
        let r: Option<Vec<u8>> = t.results().iter().map(|&t| val_byte(t)).collect();
        if t.params().is_empty() && r.as_deref() == Some(results) {
            return i as u32;
        }
    }
    let mut enc = vec![0x60, 0x00];
    binary::write_leb(&mut enc, results.len() as u32);
    enc.extend_from_slice(results);
    let pos = new_types.iter().position(|t| *t == enc).unwrap_or_else(|| {
        new_types.push(enc);
        new_types.len() - 1
    });
    (types.len() + pos) as u32
}
