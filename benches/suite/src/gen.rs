//! Large modules for the start-up benchmark.
//!
//! - [`wasm_module`]: tens of thousands of functions generated with
//!   `wasm-encoder`: random but valid expression trees and statements over
//!   i32/i64/f64 (arithmetic, comparisons, conversions, loads and stores of
//!   every width, locals, globals, `select`, `if`, counted loops, `br_table`
//!   switches, direct calls and `call_indirect`), of varied sizes.
//! - [`c_source`]: C source for clang, thousands of functions (arithmetic,
//!   loops over an array, switches, calls, calls through a table, f64), to be
//!   linked with all C workloads into one module (the shape of real compiler
//!   output).
//!
//! Both are deterministic: the same count gives the same module.

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ElementSection, Elements, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, InstructionSink, MemArg, MemArgTarget,
    MemorySection, MemoryType, Module, RefType, TableSection, TableType, TypeSection, ValType,
};

/// xorshift64*: small, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        ((self.next() >> 32) % u64::from(n)) as u32
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

/// The function types: index 0 is the type of the table's functions.
const TYPES: &[(&[ValType], ValType)] = &[
    (&[ValType::I32, ValType::I32], ValType::I32),
    (&[ValType::I64, ValType::I64], ValType::I64),
    (&[ValType::F64, ValType::F64], ValType::F64),
    (&[ValType::I32, ValType::I64, ValType::F64], ValType::I32),
];
/// Locals declared by every function after its parameters: loop counters
/// (one per loop nesting level) first.
const LOOP_COUNTERS: u32 = 3;
const LOCALS: &[(u32, ValType)] = &[
    (LOOP_COUNTERS + 2, ValType::I32),
    (2, ValType::I64),
    (2, ValType::F64),
];
const TABLE_SIZE: u32 = 1024;
const GLOBALS: &[ValType] = &[ValType::I32, ValType::I64, ValType::F64, ValType::I32];

struct FuncGen<'a> {
    rng: &'a mut Rng,
    /// Types of the locals, parameters included.
    locals: Vec<ValType>,
    /// First local that is not a loop counter.
    first_free_i32: u32,
    params: u32,
    /// Earlier functions of each type (calls only go backwards).
    earlier: &'a [Vec<u32>],
    loop_depth: u32,
}

fn memarg(rng: &mut Rng, max_align: u32) -> MemArg {
    MemArg {
        offset: u64::from(rng.below(64)),
        align: rng.below(max_align + 1),
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

impl FuncGen<'_> {
    fn local_of(&mut self, ty: ValType) -> Option<u32> {
        let candidates: Vec<u32> = (0..self.locals.len() as u32)
            .filter(|&i| {
                self.locals[i as usize] == ty
                    && (i < self.params || ty != ValType::I32 || i >= self.first_free_i32)
            })
            .collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.below(candidates.len() as u32) as usize])
        }
    }

    fn global_of(&mut self, ty: ValType) -> u32 {
        let candidates: Vec<u32> = (0..GLOBALS.len() as u32)
            .filter(|&i| GLOBALS[i as usize] == ty)
            .collect();
        candidates[self.rng.below(candidates.len() as u32) as usize]
    }

    /// An address in the first 64 KiB (the memory has two pages).
    fn address(&mut self, s: &mut InstructionSink, depth: u32) {
        self.expr(s, ValType::I32, depth);
        s.i32_const(0xfff8).i32_and();
    }

    fn leaf(&mut self, s: &mut InstructionSink, ty: ValType) {
        let choice = self.rng.below(3);
        if choice == 0 {
            if let Some(l) = self.local_of(ty) {
                s.local_get(l);
                return;
            }
        }
        if choice == 1 {
            let g = self.global_of(ty);
            s.global_get(g);
            return;
        }
        match ty {
            ValType::I32 => s.i32_const(self.rng.next() as i32 >> self.rng.below(32)),
            ValType::I64 => s.i64_const(self.rng.next() as i64 >> self.rng.below(64)),
            _ => s.f64_const((self.rng.below(20000) as f64 / 7.0 - 1000.0).into()),
        };
    }

    /// Emits code that leaves one value of type `ty`.
    fn expr(&mut self, s: &mut InstructionSink, ty: ValType, depth: u32) {
        if depth == 0 || self.rng.chance(15) {
            return self.leaf(s, ty);
        }
        let d = depth - 1;
        match self.rng.below(10) {
            // binary operator
            0..=2 => {
                self.expr(s, ty, d);
                self.expr(s, ty, d);
                let k = self.rng.below(10);
                match ty {
                    ValType::I32 => match k {
                        0 => s.i32_add(),
                        1 => s.i32_sub(),
                        2 => s.i32_mul(),
                        3 => s.i32_and(),
                        4 => s.i32_or(),
                        5 => s.i32_xor(),
                        6 => s.i32_shl(),
                        7 => s.i32_shr_u(),
                        8 => s.i32_rotl(),
                        _ => s.i32_div_u(),
                    },
                    ValType::I64 => match k {
                        0 => s.i64_add(),
                        1 => s.i64_sub(),
                        2 => s.i64_mul(),
                        3 => s.i64_and(),
                        4 => s.i64_or(),
                        5 => s.i64_xor(),
                        6 => s.i64_shl(),
                        7 => s.i64_shr_s(),
                        8 => s.i64_rotr(),
                        _ => s.i64_rem_u(),
                    },
                    _ => match k % 7 {
                        0 => s.f64_add(),
                        1 => s.f64_sub(),
                        2 => s.f64_mul(),
                        3 => s.f64_div(),
                        4 => s.f64_min(),
                        5 => s.f64_max(),
                        _ => s.f64_copysign(),
                    },
                };
            }
            // unary operator or conversion
            3 => {
                let k = self.rng.below(4);
                match (ty, k) {
                    (ValType::I32, 0) => {
                        self.expr(s, ValType::I64, d);
                        s.i32_wrap_i64();
                    }
                    (ValType::I32, 1) => {
                        self.expr(s, ValType::I64, d);
                        self.expr(s, ValType::I64, d);
                        s.i64_lt_u();
                    }
                    (ValType::I32, 2) => {
                        self.expr(s, ValType::F64, d);
                        self.expr(s, ValType::F64, d);
                        s.f64_ge();
                    }
                    (ValType::I32, _) => {
                        self.expr(s, ValType::I32, d);
                        s.i32_popcnt();
                    }
                    (ValType::I64, 0) => {
                        self.expr(s, ValType::I32, d);
                        s.i64_extend_i32_s();
                    }
                    (ValType::I64, 1) => {
                        self.expr(s, ValType::I32, d);
                        s.i64_extend_i32_u();
                    }
                    (ValType::I64, 2) => {
                        self.expr(s, ValType::F64, d);
                        s.i64_reinterpret_f64();
                    }
                    (ValType::I64, _) => {
                        self.expr(s, ValType::I64, d);
                        s.i64_clz();
                    }
                    (_, 0) => {
                        self.expr(s, ValType::I32, d);
                        s.f64_convert_i32_s();
                    }
                    (_, 1) => {
                        self.expr(s, ValType::I64, d);
                        s.f64_convert_i64_u();
                    }
                    (_, 2) => {
                        self.expr(s, ValType::F64, d);
                        s.f64_sqrt();
                    }
                    (_, _) => {
                        self.expr(s, ValType::F64, d);
                        s.f32_demote_f64().f64_promote_f32();
                    }
                }
            }
            // comparison (i32 only) or a load
            4 => {
                if ty == ValType::I32 && self.rng.chance(50) {
                    self.expr(s, ValType::I32, d);
                    self.expr(s, ValType::I32, d);
                    match self.rng.below(4) {
                        0 => s.i32_lt_s(),
                        1 => s.i32_eq(),
                        2 => s.i32_ge_u(),
                        _ => s.i32_ne(),
                    };
                    return;
                }
                self.address(s, d);
                let k = self.rng.below(5);
                match ty {
                    ValType::I32 => match k {
                        0 => s.i32_load(memarg(self.rng, 2)),
                        1 => s.i32_load8_s(memarg(self.rng, 0)),
                        2 => s.i32_load8_u(memarg(self.rng, 0)),
                        3 => s.i32_load16_s(memarg(self.rng, 1)),
                        _ => s.i32_load16_u(memarg(self.rng, 1)),
                    },
                    ValType::I64 => match k {
                        0 => s.i64_load(memarg(self.rng, 3)),
                        1 => s.i64_load8_u(memarg(self.rng, 0)),
                        2 => s.i64_load16_s(memarg(self.rng, 1)),
                        3 => s.i64_load32_s(memarg(self.rng, 2)),
                        _ => s.i64_load32_u(memarg(self.rng, 2)),
                    },
                    _ => s.f64_load(memarg(self.rng, 3)),
                };
            }
            // select
            5 => {
                self.expr(s, ty, d);
                self.expr(s, ty, d);
                self.expr(s, ValType::I32, d);
                s.select();
            }
            // if/else with a result
            6 => {
                self.expr(s, ValType::I32, d);
                s.if_(BlockType::Result(ty));
                self.expr(s, ty, d);
                s.else_();
                self.expr(s, ty, d);
                s.end();
            }
            // a call (direct or through the table)
            7 => self.call(s, ty, d),
            // local.tee
            8 => {
                self.expr(s, ty, d);
                match self.local_of(ty) {
                    Some(l) => s.local_tee(l),
                    None => s,
                };
            }
            // a block with a statement, then the value
            _ => {
                s.block(BlockType::Result(ty));
                self.stmt(s, d);
                self.expr(s, ty, d);
                s.end();
            }
        }
    }

    fn call(&mut self, s: &mut InstructionSink, ty: ValType, depth: u32) {
        let types: Vec<u32> = (0..TYPES.len() as u32)
            .filter(|&t| TYPES[t as usize].1 == ty && !self.earlier[t as usize].is_empty())
            .collect();
        if types.is_empty() {
            return self.leaf(s, ty);
        }
        let t = types[self.rng.below(types.len() as u32) as usize];
        for &p in TYPES[t as usize].0 {
            self.expr(s, p, depth);
        }
        if t == 0 && self.rng.chance(40) {
            self.expr(s, ValType::I32, depth);
            s.i32_const(TABLE_SIZE as i32 - 1).i32_and();
            s.call_indirect(0, 0);
        } else {
            let callees = &self.earlier[t as usize];
            // Mostly recent functions, as in real code (neighbours call each other).
            let back = self.rng.below(callees.len().min(200) as u32) as usize;
            s.call(callees[callees.len() - 1 - back]);
        }
    }

    /// Emits code that leaves the stack as it was.
    fn stmt(&mut self, s: &mut InstructionSink, depth: u32) {
        let d = depth.saturating_sub(1);
        let ty = [ValType::I32, ValType::I64, ValType::F64][self.rng.below(3) as usize];
        match self.rng.below(8) {
            0 | 1 => {
                self.expr(s, ty, d);
                match self.local_of(ty) {
                    Some(l) => s.local_set(l),
                    None => s.drop(),
                };
            }
            2 => {
                self.address(s, d);
                self.expr(s, ty, d);
                let k = self.rng.below(4);
                match ty {
                    ValType::I32 => match k {
                        0 | 1 => s.i32_store(memarg(self.rng, 2)),
                        2 => s.i32_store8(memarg(self.rng, 0)),
                        _ => s.i32_store16(memarg(self.rng, 1)),
                    },
                    ValType::I64 => match k {
                        0 => s.i64_store(memarg(self.rng, 3)),
                        1 => s.i64_store8(memarg(self.rng, 0)),
                        2 => s.i64_store16(memarg(self.rng, 1)),
                        _ => s.i64_store32(memarg(self.rng, 2)),
                    },
                    _ => s.f64_store(memarg(self.rng, 3)),
                };
            }
            3 => {
                self.expr(s, ty, d);
                let g = self.global_of(ty);
                s.global_set(g);
            }
            4 if depth > 0 && self.loop_depth < LOOP_COUNTERS => {
                // for (c = K; c != 0; c--) { body }
                let counter = self.params + self.loop_depth;
                s.i32_const(1 + self.rng.below(100) as i32).local_set(counter);
                s.loop_(BlockType::Empty);
                self.loop_depth += 1;
                for _ in 0..1 + self.rng.below(3) {
                    self.stmt(s, d);
                }
                self.loop_depth -= 1;
                s.local_get(counter)
                    .i32_const(1)
                    .i32_sub()
                    .local_tee(counter)
                    .br_if(0)
                    .end();
            }
            5 if depth > 0 => {
                // switch (expr) { case 0..k-1: stmt; break; }
                let k = 2 + self.rng.below(7);
                s.block(BlockType::Empty);
                for _ in 0..k {
                    s.block(BlockType::Empty);
                }
                self.expr(s, ValType::I32, d);
                s.br_table(0..k, k);
                for i in 0..k {
                    s.end();
                    self.stmt(s, d);
                    s.br(k - 1 - i);
                }
                s.end();
            }
            6 if depth > 0 => {
                self.expr(s, ValType::I32, d);
                s.if_(BlockType::Empty);
                self.stmt(s, d);
                if self.rng.chance(50) {
                    s.else_();
                    self.stmt(s, d);
                }
                s.end();
            }
            _ => {
                self.call(s, ty, d);
                s.drop();
            }
        }
    }
}

/// A module with `funcs` generated functions (no imports, no start).
pub fn wasm_module(funcs: u32) -> Vec<u8> {
    let mut rng = Rng::new(u64::from(funcs));
    let mut types = TypeSection::new();
    for (params, result) in TYPES {
        types.ty().function(params.iter().copied(), [*result]);
    }
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut earlier: Vec<Vec<u32>> = vec![Vec::new(); TYPES.len()];
    for index in 0..funcs {
        let t = rng.below(TYPES.len() as u32);
        let (params, result) = TYPES[t as usize];
        let mut locals: Vec<ValType> = params.to_vec();
        for &(count, ty) in LOCALS {
            locals.extend(std::iter::repeat_n(ty, count as usize));
        }
        let mut f = Function::new(LOCALS.iter().copied());
        let depth = 2 + rng.below(4);
        let stmts = rng.below(6);
        {
            let mut g = FuncGen {
                rng: &mut rng,
                locals,
                params: params.len() as u32,
                first_free_i32: params.len() as u32 + LOOP_COUNTERS,
                earlier: &earlier,
                loop_depth: 0,
            };
            let mut sink = f.instructions();
            for _ in 0..stmts {
                g.stmt(&mut sink, depth);
            }
            g.expr(&mut sink, result, depth);
            sink.end();
        }
        functions.function(t);
        code.function(&f);
        earlier[t as usize].push(index);
    }

    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: u64::from(TABLE_SIZE),
        maximum: Some(u64::from(TABLE_SIZE)),
        shared: false,
    });
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 2,
        maximum: Some(16),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    for &ty in GLOBALS {
        let init = match ty {
            ValType::I32 => ConstExpr::i32_const(7),
            ValType::I64 => ConstExpr::i64_const(-3),
            _ => ConstExpr::f64_const(0.5f64.into()),
        };
        globals.global(
            GlobalType {
                val_type: ty,
                mutable: true,
                shared: false,
            },
            &init,
        );
    }
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    for index in (0..funcs).step_by(97) {
        exports.export(&format!("f{index}"), ExportKind::Func, index);
    }
    let mut elements = ElementSection::new();
    let type0 = &earlier[0];
    let entries: Vec<u32> = (0..TABLE_SIZE as usize)
        .map(|i| type0[(i * 7919) % type0.len()])
        .collect();
    elements.active(
        None,
        &ConstExpr::i32_const(0),
        Elements::Functions(entries.into()),
    );
    let mut data = DataSection::new();
    let bytes: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
    data.active(0, &ConstExpr::i32_const(1024), bytes);

    let mut module = Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code)
        .section(&data);
    module.finish()
}

/// C source with `funcs` generated functions `uint32_t gN(uint32_t,
/// uint32_t)`, all reachable through `gen_table` and the exported
/// `gen_entry(i, x)`.
pub fn c_source(funcs: u32) -> String {
    use std::fmt::Write;
    let mut rng = Rng::new(u64::from(funcs) + 1);
    let mut c = String::new();
    c.push_str(
        "/* Generated by benches/suite (gen.rs) for the start-up benchmark. */\n\
         #include <stdint.h>\n\
         typedef uint32_t (*gen_fn)(uint32_t, uint32_t);\n\
         static uint32_t gen_data[1024];\n\
         static double gen_f[64];\n",
    );
    for i in 0..funcs {
        let _ = writeln!(c, "uint32_t g{i}(uint32_t a, uint32_t b);");
    }
    let _ = writeln!(c, "static gen_fn const gen_table[{funcs}] = {{");
    for i in 0..funcs {
        let _ = write!(c, "g{i},");
        if i % 16 == 15 {
            c.push('\n');
        }
    }
    c.push_str("};\n");
    for i in 0..funcs {
        let _ = writeln!(c, "uint32_t g{i}(uint32_t a, uint32_t b) {{");
        let _ = writeln!(c, "    uint32_t x = a ^ {}u;", rng.next() as u32);
        for _ in 0..1 + rng.below(5) {
            let k1 = rng.next() as u32 | 1;
            let k2 = 1 + rng.below(31);
            match rng.below(7) {
                0 => {
                    let _ = writeln!(c, "    x = x * {k1}u + b; x ^= x >> {k2};");
                }
                1 => {
                    let _ = writeln!(
                        c,
                        "    for (uint32_t i = 0; i < (a & 63); i++) x += gen_data[(b + i * {k2}) & 1023] * {k1}u;"
                    );
                }
                2 => {
                    let cases = 3 + rng.below(10);
                    let _ = writeln!(c, "    switch (x % {cases}u) {{");
                    for case in 0..cases {
                        let k = rng.next() as u32;
                        let op = ["+=", "^=", "-=", "|="][rng.below(4) as usize];
                        let _ = writeln!(c, "    case {case}: x {op} {k}u + (b >> {}); break;", case % 31);
                    }
                    c.push_str("    }\n");
                }
                3 if i > 0 => {
                    let j = i - 1 - rng.below(i.min(100));
                    let _ = writeln!(c, "    x += g{j}(x, b ^ {k1}u);");
                }
                4 if i > 0 => {
                    let _ = writeln!(c, "    x = gen_table[(x >> {k2}) % {i}u](x, a);");
                }
                5 => {
                    let _ = writeln!(
                        c,
                        "    {{ double d = (double)x * {}.25 / ((double)b + 1.0); gen_f[x & 63] += d; x += (uint32_t)(int32_t)d; }}",
                        rng.below(1000)
                    );
                }
                _ => {
                    let _ = writeln!(
                        c,
                        "    if ((x & {k1}u) > b) gen_data[x & 1023] = x; else x -= gen_data[b & 1023] >> {k2};"
                    );
                }
            }
        }
        c.push_str("    return x;\n}\n");
    }
    let _ = writeln!(
        c,
        "uint32_t gen_entry(uint32_t i, uint32_t x) {{ return gen_table[i % {funcs}u](x, i); }}"
    );
    c
}
