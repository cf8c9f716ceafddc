//! Pairs of instructions that run in one dispatch. The pair's first
//! instruction becomes the fused one; the second stays in place, unreached
//! (the fused handler continues after it), so positions, offsets and branch
//! targets do not move. A pair is fused only when no branch arrives at its
//! second instruction.

use crate::ir::{Instr, Slot};

/// The instruction that does `first` then `second`, if there is one. Runs
/// after the accumulator pass: an accumulator form in `second` reads what
/// `first` produced.
pub(super) fn fuse(first: Instr, second: Instr) -> Option<Instr> {
    Some(match (first, second) {
        (Instr::Copy { dst, src }, Instr::Copy { dst: dst2, src: src2 }) => {
            Instr::Copy2 { dst, src, dst2, src2 }
        }
        (Instr::I32Add { dst, a, b }, Instr::BrI32LtUA { b: limit, target }) => Instr::I32AddBrLtU {
            dst,
            a,
            b,
            limit,
            target,
        },
        (Instr::I32AddImm { dst, a, imm }, Instr::Br { target }) => {
            Instr::I32AddImmBr { dst, a, imm, target }
        }
        (Instr::I32AddImm { dst, a, imm }, Instr::Copy { dst: dst2, src }) if src == dst => {
            Instr::I32AddImmCopy { dst, a, dst2, imm }
        }
        (
            Instr::I64Load32U {
                dst: ld,
                addr,
                offset,
            },
            Instr::I64AddB { dst, a } | Instr::I64AddA { dst, b: a },
        ) => Instr::I64Load32UAddTo {
            ld,
            addr,
            dst,
            a,
            offset,
        },
        (Instr::I32MulImm { dst, a, imm: mul }, Instr::I32AddImmA { dst: dst2, imm: add }) => {
            Instr::I32MulImmAddImm {
                dst,
                a,
                dst2,
                mul,
                add,
            }
        }
        (Instr::I32Load8U { dst, addr, offset }, Instr::BrTableA { len }) => Instr::I32Load8UBrTable {
            dst,
            addr,
            offset,
            len,
        },
        (Instr::I32MulImmA { dst, imm }, Instr::I32Store16A { addr, offset }) => Instr::I32MulImmStore16 {
            dst,
            addr,
            imm,
            offset,
        },
        (Instr::I32XorA { dst, b }, Instr::I32Store8A { addr, offset }) => {
            Instr::I32XorStore8 { dst, b, addr, offset }
        }
        (Instr::I64ExtendI32S { dst, src }, Instr::I64AddB { dst: dst2, a }) => {
            Instr::I64AddExtendI32S { dst, src, dst2, a }
        }
        (Instr::I32Add { dst, a, b }, Instr::I32Store8ImmA { offset, imm }) => Instr::I32AddStore8Imm {
            dst,
            a,
            b,
            // A byte store keeps the low 8 bits.
            imm: imm as u8,
            offset,
        },
        (Instr::I32Add { dst, a, b }, Instr::I32Load8UA { dst: ld, offset }) => Instr::I32AddLoad8U {
            dst,
            a,
            b,
            ld,
            offset,
        },
        (
            Instr::I32Load8U {
                dst: ld,
                addr,
                offset,
            },
            Instr::I32AddB { dst, a } | Instr::I32AddA { dst, b: a },
        ) => Instr::I32Load8UAddTo {
            ld,
            addr,
            dst,
            a,
            offset,
        },
        (
            Instr::I32Load8S {
                dst: ld,
                addr,
                offset,
            },
            Instr::I32AddB { dst, a } | Instr::I32AddA { dst, b: a },
        ) => Instr::I32Load8SAddTo {
            ld,
            addr,
            dst,
            a,
            offset,
        },
        (
            Instr::I32AddImm { dst, a, imm },
            Instr::I32AddImm {
                dst: dst2,
                a: a2,
                imm: imm2,
            },
        ) => add_imm2((dst, a, imm), (dst2, a2, imm2))?,
        // The accumulator form reads the first result.
        (Instr::I32AddImm { dst, a, imm }, Instr::I32AddImmA { dst: dst2, imm: imm2 }) => {
            add_imm2((dst, a, imm), (dst2, dst, imm2))?
        }
        (Instr::I32LoadA { dst, offset }, Instr::BrI32LtUA { b, target }) => Instr::I32LoadBrLtU {
            dst,
            b,
            offset,
            target,
        },
        (
            Instr::I32AddImm { dst, a, imm },
            Instr::I32Load {
                dst: ld,
                addr,
                offset,
            },
        ) => Instr::I32AddImmLoad {
            dst,
            a,
            ld,
            addr,
            imm: i16::try_from(imm as i32).ok()?,
            offset,
        },
        // The load's address is the sum.
        (Instr::I32AddImm { dst, a, imm }, Instr::I32LoadA { dst: ld, offset }) => Instr::I32AddImmLoad {
            dst,
            a,
            ld,
            addr: dst,
            imm: i16::try_from(imm as i32).ok()?,
            offset,
        },
        // Inequality commutes: `A` and `B` forms alike.
        (
            Instr::I32Load8UAdd { dst, base, imm },
            Instr::BrI32NeB { a, target } | Instr::BrI32NeA { b: a, target },
        ) => Instr::I32Load8UAddBrNe {
            dst,
            base,
            a,
            imm,
            target,
        },
        (
            Instr::I32LoadAdd { dst: ld, base, imm },
            Instr::I32MulB { dst, a } | Instr::I32MulA { dst, b: a },
        ) => Instr::I32LoadAddMul {
            ld,
            base,
            dst,
            a,
            imm,
        },
        (
            Instr::I32Load {
                dst: ld,
                addr,
                offset,
            },
            Instr::I32MulB { dst, a } | Instr::I32MulA { dst, b: a },
        ) => Instr::I32LoadMul {
            ld,
            addr,
            dst,
            a,
            offset,
        },
        (
            Instr::I32RotlImm { dst, a, imm },
            Instr::I32XorB { dst: dst2, a: b } | Instr::I32XorA { dst: dst2, b },
        ) => Instr::I32RotlImmXor { dst, a, dst2, b, imm },
        (
            Instr::I32ShrUImm { dst, a, imm },
            Instr::I32XorB { dst: dst2, a: b } | Instr::I32XorA { dst: dst2, b },
        ) => Instr::I32ShrUImmXor { dst, a, dst2, b, imm },
        (
            Instr::I32ShrUImmA { dst, imm },
            Instr::I32XorB { dst: dst2, a: b } | Instr::I32XorA { dst: dst2, b },
        ) => Instr::I32ShrUImmAXor { dst, dst2, b, imm },
        // Addition commutes: `A` and `B` forms alike.
        (
            Instr::I32AddA { dst, b: x } | Instr::I32AddB { dst, a: x },
            Instr::I32AddA { dst: dst2, b: y } | Instr::I32AddB { dst: dst2, a: y },
        ) => Instr::I32AddAccAdd { dst, x, dst2, y },
        (Instr::I32Add { a, b, .. }, Instr::Return1A {}) => Instr::I32AddReturn { a, b },
        (Instr::I32AddImm { a, imm, .. }, Instr::Return1A {}) => Instr::I32AddImmReturn { a, imm },
        _ => {
            return fuse_f64(first, second)
                .or_else(|| fuse_load_f64(first, second))
                .or_else(|| fuse_f64_store(first, second))
        }
    })
}

/// The accumulator form of `F64{Add,Sub,Mul}`, then an `I64StoreA` (an
/// `f64.store`) of its result (`F64AddAStore` and its kin).
fn fuse_f64_store(first: Instr, second: Instr) -> Option<Instr> {
    let Instr::I64StoreA { addr, offset } = second else {
        return None;
    };
    Some(match first {
        Instr::F64AddA { dst, b: c } => Instr::F64AddAStore { dst, c, addr, offset },
        Instr::F64AddB { dst, a: c } => Instr::F64AddBStore { dst, c, addr, offset },
        Instr::F64SubA { dst, b: c } => Instr::F64SubAStore { dst, c, addr, offset },
        Instr::F64SubB { dst, a: c } => Instr::F64SubBStore { dst, c, addr, offset },
        Instr::F64MulA { dst, b: c } => Instr::F64MulAStore { dst, c, addr, offset },
        Instr::F64MulB { dst, a: c } => Instr::F64MulBStore { dst, c, addr, offset },
        _ => return None,
    })
}

/// `I64Load` or `I64LoadAdd` (an `f64.load`), then the accumulator form of
/// `F64{Add,Sub,Mul}` reading it (`I64LoadF64AddA` and its kin).
fn fuse_load_f64(first: Instr, second: Instr) -> Option<Instr> {
    macro_rules! forms {
        ($($op:ident => $plain:ident $added:ident;)*) => {
            match (first, second) {
                $(
                    (Instr::I64Load { dst: ld, addr, offset }, forms!(@op $op dst c)) => Instr::$plain {
                        ld,
                        addr,
                        dst,
                        c,
                        offset,
                    },
                    (Instr::I64LoadAdd { dst: ld, base, imm }, forms!(@op $op dst c)) => Instr::$added {
                        ld,
                        base,
                        dst,
                        c,
                        imm,
                    },
                )*
                _ => return None,
            }
        };
        (@op AddA $d:ident $c:ident) => { Instr::F64AddA { dst: $d, b: $c } };
        (@op AddB $d:ident $c:ident) => { Instr::F64AddB { dst: $d, a: $c } };
        (@op SubA $d:ident $c:ident) => { Instr::F64SubA { dst: $d, b: $c } };
        (@op SubB $d:ident $c:ident) => { Instr::F64SubB { dst: $d, a: $c } };
        (@op MulA $d:ident $c:ident) => { Instr::F64MulA { dst: $d, b: $c } };
        (@op MulB $d:ident $c:ident) => { Instr::F64MulB { dst: $d, a: $c } };
    }
    Some(forms! {
        AddA => I64LoadF64AddA I64LoadAddF64AddA;
        AddB => I64LoadF64AddB I64LoadAddF64AddB;
        SubA => I64LoadF64SubA I64LoadAddF64SubA;
        SubB => I64LoadF64SubB I64LoadAddF64SubB;
        MulA => I64LoadF64MulA I64LoadAddF64MulA;
        MulB => I64LoadF64MulB I64LoadAddF64MulB;
    })
}

/// The `{X}Step{K}` form of `x` (a single instruction or a fused pair)
/// when `next`, the instruction it continues with, is a loop back edge of
/// kind `K` (see `Instr::I32AddImmStepNe`), or an `I32AddBrLtU` after an
/// `I32AddStore8Imm` (`Instr::I32AddStore8ImmAddBrLtU`).
pub(super) fn with_step(x: Instr, next: Instr) -> Option<Instr> {
    macro_rules! forms {
        ($($x:ident { $($f:ident),* } => $ne:ident $ltu:ident $gtu:ident;)*) => {
            match (x, next) {
                $(
                    (Instr::$x { $($f),* }, Instr::StepBrI32NeImm { .. }) => Instr::$ne { $($f),* },
                    (Instr::$x { $($f),* }, Instr::StepBrI32LtUImm { .. }) => Instr::$ltu { $($f),* },
                    (Instr::$x { $($f),* }, Instr::StepBrI32GtUImm { .. }) => Instr::$gtu { $($f),* },
                )*
                _ => return None,
            }
        };
    }
    // `mem[p] op= c` (f64): the store of the result where the load read.
    if let Instr::I64StoreA { addr: to, offset: at } = next {
        macro_rules! rmw {
            ($($x:ident => $rmw:ident;)*) => {
                match x {
                    $(
                        Instr::$x { ld, addr, dst, c, offset }
                            if to == addr && at == offset && ld != addr && dst != addr =>
                        {
                            return Some(Instr::$rmw { ld, addr, dst, c, offset })
                        }
                    )*
                    _ => {}
                }
            };
        }
        rmw! {
            I64LoadF64AddA => I64LoadF64AddAStore;
            I64LoadF64AddB => I64LoadF64AddBStore;
            I64LoadF64SubA => I64LoadF64SubAStore;
            I64LoadF64SubB => I64LoadF64SubBStore;
            I64LoadF64MulA => I64LoadF64MulAStore;
            I64LoadF64MulB => I64LoadF64MulBStore;
        }
    }
    // A strided fill's back edge (`I32Add` with a `BrI32LtUA`, fused).
    if let (
        Instr::I32AddStore8Imm {
            dst,
            a,
            b,
            imm,
            offset,
        },
        Instr::I32AddBrLtU { .. },
    ) = (x, next)
    {
        return Some(Instr::I32AddStore8ImmAddBrLtU {
            dst,
            a,
            b,
            imm,
            offset,
        });
    }
    // Scans: a pointer step and its back edge, or two steps and the load and
    // back edge after them.
    match (x, next) {
        (Instr::I32AddImmCopy { dst, a, dst2, imm }, Instr::BrI32GtU { .. }) => {
            return Some(Instr::I32AddImmCopyBrGtU { dst, a, dst2, imm })
        }
        (
            Instr::I32AddImm2 {
                dst,
                a,
                dst2,
                a2,
                imm,
                imm2,
            },
            Instr::I32LoadBrLtU { .. },
        ) => {
            return Some(Instr::I32AddImm2LoadBrLtU {
                dst,
                a,
                dst2,
                a2,
                imm,
                imm2,
            })
        }
        _ => {}
    }
    Some(forms! {
        I32AddImm { dst, a, imm } => I32AddImmStepNe I32AddImmStepLtU I32AddImmStepGtU;
        I32AddA { dst, b } => I32AddAStepNe I32AddAStepLtU I32AddAStepGtU;
        I64Load32UAddTo { ld, addr, dst, a, offset } =>
            I64Load32UAddToStepNe I64Load32UAddToStepLtU I64Load32UAddToStepGtU;
    })
}

/// The instruction that does `first`, `second` and `third` (each reading
/// the one before from the accumulator), if there is one (see
/// `Instr::F64AddMulAddA`). Runs after the accumulator pass.
pub(super) fn fuse3(first: Instr, second: Instr, third: Instr) -> Option<Instr> {
    // The last add: its result, its other operand, and whether it takes the
    // accumulator on the left (`A`).
    let (dst3, other, left) = match third {
        Instr::F64AddA { dst, b } => (dst, b, true),
        Instr::F64AddB { dst, a } => (dst, a, false),
        _ => return None,
    };
    Some(match (first, second) {
        (Instr::F64Add { dst, a, b }, Instr::F64MulA { dst: dst2, b: c }) => {
            let d = other;
            if left {
                Instr::F64AddMulAddA {
                    dst,
                    a,
                    b,
                    dst2,
                    c,
                    dst3,
                    d,
                }
            } else {
                Instr::F64AddMulAddB {
                    dst,
                    a,
                    b,
                    dst2,
                    c,
                    dst3,
                    d,
                }
            }
        }
        // The add's other operand is the first product's slot.
        (
            Instr::F64Mul { dst, a, b },
            Instr::F64Mul {
                dst: dst2,
                a: c,
                b: e,
            },
        ) if other == dst => {
            if left {
                Instr::F64MulMulAddA {
                    dst,
                    a,
                    b,
                    dst2,
                    c,
                    e,
                    dst3,
                }
            } else {
                Instr::F64MulMulAddB {
                    dst,
                    a,
                    b,
                    dst2,
                    c,
                    e,
                    dst3,
                }
            }
        }
        _ => return None,
    })
}

/// `I32AddImm2` of two `(dst, a, imm)` additions, when the immediates fit
/// 16 signed bits.
fn add_imm2(first: (Slot, Slot, u32), second: (Slot, Slot, u32)) -> Option<Instr> {
    let small = |imm: u32| i16::try_from(imm as i32).ok();
    Some(Instr::I32AddImm2 {
        dst: first.0,
        a: first.1,
        dst2: second.0,
        a2: second.1,
        imm: small(first.2)?,
        imm2: small(second.2)?,
    })
}

/// `F64{X}` then the accumulator form of `F64{Y}` reading its result.
fn fuse_f64(first: Instr, second: Instr) -> Option<Instr> {
    macro_rules! f64_pairs {
        ($($x:ident $y:ident => $name:ident;)*) => {
            match (first, second) {
                $(
                    (f64_pairs!(@first $x dst a b), f64_pairs!(@second $y dst2 c)) => Instr::$name {
                        dst,
                        a,
                        b,
                        dst2,
                        c,
                    },
                )*
                _ => return None,
            }
        };
        (@first Add $d:ident $a:ident $b:ident) => { Instr::F64Add { dst: $d, a: $a, b: $b } };
        (@first Sub $d:ident $a:ident $b:ident) => { Instr::F64Sub { dst: $d, a: $a, b: $b } };
        (@first Mul $d:ident $a:ident $b:ident) => { Instr::F64Mul { dst: $d, a: $a, b: $b } };
        (@second AddA $d:ident $c:ident) => { Instr::F64AddA { dst: $d, b: $c } };
        (@second AddB $d:ident $c:ident) => { Instr::F64AddB { dst: $d, a: $c } };
        (@second SubA $d:ident $c:ident) => { Instr::F64SubA { dst: $d, b: $c } };
        (@second SubB $d:ident $c:ident) => { Instr::F64SubB { dst: $d, a: $c } };
        (@second MulA $d:ident $c:ident) => { Instr::F64MulA { dst: $d, b: $c } };
        (@second MulB $d:ident $c:ident) => { Instr::F64MulB { dst: $d, a: $c } };
    }
    Some(f64_pairs! {
        Add AddA => F64AddThenAddA;
        Add AddB => F64AddThenAddB;
        Add SubA => F64AddThenSubA;
        Add SubB => F64AddThenSubB;
        Add MulA => F64AddThenMulA;
        Add MulB => F64AddThenMulB;
        Sub AddA => F64SubThenAddA;
        Sub AddB => F64SubThenAddB;
        Sub SubA => F64SubThenSubA;
        Sub SubB => F64SubThenSubB;
        Sub MulA => F64SubThenMulA;
        Sub MulB => F64SubThenMulB;
        Mul AddA => F64MulThenAddA;
        Mul AddB => F64MulThenAddB;
        Mul SubA => F64MulThenSubA;
        Mul SubB => F64MulThenSubB;
        Mul MulA => F64MulThenMulA;
        Mul MulB => F64MulThenMulB;
    })
}
