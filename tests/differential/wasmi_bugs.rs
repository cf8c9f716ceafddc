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
//!    Patch: `i32.const 1; i32.and` between such a comparison and `select`
//!    (the comparison yields 0 or 1, so the value is unchanged).
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
//!    Patch: a block with parameters takes them through fresh locals
//!    instead: `local.set`s before `block` (whose type then has no
//!    parameters) and `local.get`s right after it.

use super::binary::{self, CODE, TYPE};
use wasmparser::{BlockType, FuncType, Operator, Parser, Payload, ValType};

/// One edit of a function body: replace `range` (absolute offsets) by `bytes`.
struct Edit {
    range: std::ops::Range<usize>,
    bytes: Vec<u8>,
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

/// Scratch locals added to one function, by type, allocated on demand.
struct Scratch {
    first: u32,
    types: Vec<u8>,
}

impl Scratch {
    /// The `n`th scratch local of type `t` (shared by all conversions: each
    /// is live only between a block's entry `local.set`s and `local.get`s).
    fn local(&mut self, t: u8, n: usize) -> u32 {
        let mut seen = 0;
        for (i, &ty) in self.types.iter().enumerate() {
            if ty == t {
                if seen == n {
                    return self.first + i as u32;
                }
                seen += 1;
            }
        }
        self.types.push(t);
        self.first + self.types.len() as u32 - 1
    }
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
    let mut scratch = Scratch {
        first: ty.params().len() as u32 + declared,
        types: Vec::new(),
    };
    let mut ops = body.get_operators_reader().ok()?;
    let ops_start = ops.original_position() as usize;
    let mut edits: Vec<Edit> = Vec::new();
    let mut prev_is_cmp = false;
    let mut pending: Option<(usize, Vec<u8>, Vec<u8>)> = None;
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
        prev_is_cmp = matches!(op, Operator::I32Eqz | Operator::I32Eq | Operator::I32Ne);
        if let Operator::Block {
            blockty: BlockType::FuncType(idx),
        } = op
        {
            let bt = types.get(idx as usize)?;
            if !bt.params().is_empty() {
                let params: Vec<u8> = bt.params().iter().map(|&t| val_byte(t)).collect::<Option<_>>()?;
                let results: Vec<u8> = bt.results().iter().map(|&t| val_byte(t)).collect::<Option<_>>()?;
                let mut counts = [0usize; 256];
                let locals: Vec<u32> = params
                    .iter()
                    .map(|&t| {
                        let l = scratch.local(t, counts[t as usize]);
                        counts[t as usize] += 1;
                        l
                    })
                    .collect();
                let mut before = Vec::new();
                for &l in locals.iter().rev() {
                    before.push(0x21);
                    binary::write_leb(&mut before, l);
                }
                before.push(0x02);
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
                let mut after = Vec::new();
                for &l in &locals {
                    after.push(0x20);
                    binary::write_leb(&mut after, l);
                }
                pending = Some((offset, before, after));
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
