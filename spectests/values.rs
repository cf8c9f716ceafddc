//! Conversions between the `wast` crate's literal values and Weft's [`Val`]:
//! invocation arguments, expected results (with NaN patterns and `either`
//! alternatives), and human-readable renderings for failure reports.
//!
//! Host references: the script's `ref.extern N` is the Weft externref with
//! payload `N + 1`, because payload 0 is reserved for null.

use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};
use weft::{ExternRef, Val};

/// Why a value could not be converted: the script uses a feature Weft does
/// not implement (SIMD, GC references, component values, ...).
#[derive(Debug)]
pub struct Unsupported(pub String);

/// Payload of the externref standing for the script's `ref.extern n`.
pub fn extern_payload(n: u32) -> u64 {
    u64::from(n) + 1
}

/// Converts an invocation argument.
pub fn arg_to_val(arg: &WastArg<'_>) -> Result<Val, Unsupported> {
    let core = match arg {
        WastArg::Core(core) => core,
        _ => return Err(Unsupported("component-model argument".into())),
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::RefNull(heap) => match null_kind(heap) {
            Some(NullKind::Func) => Val::FuncRef(None),
            Some(NullKind::Extern) => Val::ExternRef(None),
            None => return Err(Unsupported(format!("null reference of heap type {heap:?}"))),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(ExternRef::from_raw(extern_payload(*n))),
        WastArgCore::V128(_) => return Err(Unsupported("v128 argument (SIMD)".into())),
        WastArgCore::RefHost(_) => return Err(Unsupported("ref.host argument (GC)".into())),
    })
}

/// The two reference hierarchies Weft implements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NullKind {
    Func,
    Extern,
}

/// Which of Weft's null references a heap type denotes, if any.
fn null_kind(heap: &HeapType<'_>) -> Option<NullKind> {
    match heap {
        HeapType::Abstract { shared: false, ty } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Some(NullKind::Func),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Some(NullKind::Extern),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `got` satisfies the expected result `expected`.
pub fn ret_matches(expected: &WastRet<'_>, got: &Val) -> Result<bool, Unsupported> {
    match expected {
        WastRet::Core(core) => core_matches(core, got),
        _ => Err(Unsupported("component-model result".into())),
    }
}

fn core_matches(expected: &WastRetCore<'_>, got: &Val) -> Result<bool, Unsupported> {
    Ok(match (expected, got) {
        (WastRetCore::I32(e), Val::I32(g)) => e == g,
        (WastRetCore::I64(e), Val::I64(g)) => e == g,
        (WastRetCore::F32(pattern), Val::F32(bits)) => match pattern {
            NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(f) => f.bits == *bits,
        },
        (WastRetCore::F64(pattern), Val::F64(bits)) => match pattern {
            NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(f) => f.bits == *bits,
        },
        (WastRetCore::RefNull(heap), got) => {
            let is_null = matches!(got, Val::FuncRef(None) | Val::ExternRef(None));
            match heap.as_ref().map(null_kind) {
                // `ref.null` without a type, or a type outside the two
                // hierarchies Weft has: any null will do.
                None | Some(None) => is_null,
                Some(Some(NullKind::Func)) => matches!(got, Val::FuncRef(None)),
                Some(Some(NullKind::Extern)) => matches!(got, Val::ExternRef(None)),
            }
        }
        (WastRetCore::RefExtern(expected), Val::ExternRef(Some(r))) => match expected {
            Some(n) => r.raw() == extern_payload(*n),
            None => true,
        },
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alternatives), got) => {
            for alternative in alternatives {
                if core_matches(alternative, got)? {
                    return Ok(true);
                }
            }
            false
        }
        (WastRetCore::V128(_), _) => return Err(Unsupported("v128 result (SIMD)".into())),
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => return Err(Unsupported("GC reference result".into())),
        _ => false,
    })
}

/// Renders a value the way failure reports show it.
pub fn show_val(val: &Val) -> String {
    match val {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(bits) => format!("f32:{} (0x{bits:08x})", f32::from_bits(*bits)),
        Val::F64(bits) => format!("f64:{} (0x{bits:016x})", f64::from_bits(*bits)),
        Val::FuncRef(None) => "ref.null func".into(),
        Val::FuncRef(Some(f)) => format!("ref.func (store #{})", f.index()),
        Val::ExternRef(None) => "ref.null extern".into(),
        Val::ExternRef(Some(r)) => match r.raw().checked_sub(1) {
            Some(n) => format!("ref.extern {n}"),
            None => "ref.extern ?".into(),
        },
    }
}

/// Renders a list of values as `[a, b]`.
pub fn show_vals(vals: &[Val]) -> String {
    let items: Vec<String> = vals.iter().map(show_val).collect();
    format!("[{}]", items.join(", "))
}

/// Renders an expected result.
pub fn show_ret(ret: &WastRet<'_>) -> String {
    match ret {
        WastRet::Core(core) => show_core_ret(core),
        _ => "<component value>".into(),
    }
}

fn show_core_ret(ret: &WastRetCore<'_>) -> String {
    fn nan_pattern<T>(p: &NanPattern<T>, ty: &str, show: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty}:nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}:nan:arithmetic"),
            NanPattern::Value(v) => show(v),
        }
    }
    match ret {
        WastRetCore::I32(v) => show_val(&Val::I32(*v)),
        WastRetCore::I64(v) => show_val(&Val::I64(*v)),
        WastRetCore::F32(p) => nan_pattern(p, "f32", |f| show_val(&Val::F32(f.bits))),
        WastRetCore::F64(p) => nan_pattern(p, "f64", |f| show_val(&Val::F64(f.bits))),
        WastRetCore::RefNull(None) => "ref.null".into(),
        WastRetCore::RefNull(Some(heap)) => match null_kind(heap) {
            Some(NullKind::Func) => "ref.null func".into(),
            Some(NullKind::Extern) => "ref.null extern".into(),
            None => format!("ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        WastRetCore::Either(alternatives) => {
            let items: Vec<String> = alternatives.iter().map(show_core_ret).collect();
            format!("either({})", items.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

/// Renders a list of expected results as `[a, b]`.
pub fn show_rets(rets: &[WastRet<'_>]) -> String {
    let items: Vec<String> = rets.iter().map(show_ret).collect();
    format!("[{}]", items.join(", "))
}
