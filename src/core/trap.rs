//! Traps: the reasons execution stops abnormally, with the spec's messages.

use std::fmt;

/// Why wasm execution trapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    IndirectCallTypeMismatch,
    UndefinedElement,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    StackExhausted,
    NullReference,
    DataSegmentOutOfBounds,
    ElemSegmentOutOfBounds,
    /// A host function (or the embedder) raised the trap; see the message.
    Host,
    /// WASI `proc_exit`: not an error, carries the exit code in the trap.
    Exit,
}

impl TrapCode {
    /// The message the spec test suite expects for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::StackExhausted => "call stack exhausted",
            TrapCode::NullReference => "null reference",
            TrapCode::DataSegmentOutOfBounds => "out of bounds memory access",
            TrapCode::ElemSegmentOutOfBounds => "out of bounds table access",
            TrapCode::Host => "host trap",
            TrapCode::Exit => "exit",
        }
    }
}

/// One frame of a trap's wasm backtrace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrapFrame {
    /// Index of the instance in its store.
    pub instance: u32,
    /// Function index within the instance's function index space.
    pub func_index: u32,
    /// Byte offset of the trapping instruction within the function body.
    pub func_offset: usize,
    /// Byte offset of the trapping instruction within the module.
    pub module_offset: usize,
}

/// A trap: a code, a message, an optional exit status and a backtrace.
#[derive(Clone, PartialEq, Eq)]
pub struct Trap {
    inner: Box<TrapInner>,
}

#[derive(Clone, PartialEq, Eq)]
struct TrapInner {
    code: TrapCode,
    message: Option<String>,
    exit_code: i32,
    trace: Vec<TrapFrame>,
}

impl Trap {
    #[cold]
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            inner: Box::new(TrapInner {
                code,
                message: None,
                exit_code: 0,
                trace: Vec::new(),
            }),
        }
    }

    /// A trap raised by host code with a free-form message.
    #[cold]
    pub fn host(message: impl Into<String>) -> Trap {
        let mut t = Trap::new(TrapCode::Host);
        t.inner.message = Some(message.into());
        t
    }

    /// A WASI-style exit request that unwinds the wasm stack.
    #[cold]
    pub fn exit(code: i32) -> Trap {
        let mut t = Trap::new(TrapCode::Exit);
        t.inner.exit_code = code;
        t.inner.message = Some(format!("exit with code {code}"));
        t
    }

    pub fn code(&self) -> TrapCode {
        self.inner.code
    }

    /// The exit status if this trap is an exit request.
    pub fn exit_code(&self) -> Option<i32> {
        (self.inner.code == TrapCode::Exit).then_some(self.inner.exit_code)
    }

    pub fn message(&self) -> &str {
        self.inner
            .message
            .as_deref()
            .unwrap_or_else(|| self.inner.code.message())
    }

    /// The wasm frames active when the trap happened, innermost first.
    pub fn trace(&self) -> &[TrapFrame] {
        &self.inner.trace
    }

    pub(crate) fn set_trace(&mut self, trace: Vec<TrapFrame>) {
        self.inner.trace = trace;
    }
}

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Trap({:?}: {})", self.inner.code, self.message())
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Trap {}
