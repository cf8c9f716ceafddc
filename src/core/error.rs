//! The root error type. Boxed so that `Result<T, Error>` stays one word.

use super::trap::Trap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are not a well-formed module (or WAT text failed to parse).
    Malformed { message: String, offset: Option<u64> },
    /// The module is well-formed but does not validate.
    Invalid { message: String, offset: Option<u64> },
    /// An import could not be satisfied (unknown or incompatible).
    Link { message: String },
    /// A resource limit was hit (memory reservation, table size, ...).
    Resource { message: String },
    /// Execution trapped (e.g. a start function or an active segment).
    Trap(Trap),
    /// The embedder misused the API (wrong store, wrong types, ...).
    Usage { message: String },
}

#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorKind>);

impl Error {
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    #[cold]
    pub fn link(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorKind::Link {
            message: message.into(),
        }))
    }

    #[cold]
    pub fn resource(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorKind::Resource {
            message: message.into(),
        }))
    }

    #[cold]
    pub fn usage(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorKind::Usage {
            message: message.into(),
        }))
    }

    #[cold]
    pub fn malformed(message: impl Into<String>, offset: Option<u64>) -> Error {
        Error(Box::new(ErrorKind::Malformed {
            message: message.into(),
            offset,
        }))
    }

    #[cold]
    pub fn invalid(message: impl Into<String>, offset: Option<u64>) -> Error {
        Error(Box::new(ErrorKind::Invalid {
            message: message.into(),
            offset,
        }))
    }

    /// The trap, if this error is a trap.
    pub fn as_trap(&self) -> Option<&Trap> {
        match &*self.0 {
            ErrorKind::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    #[cold]
    fn from(t: Trap) -> Error {
        Error(Box::new(ErrorKind::Trap(t)))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Malformed { message, offset } | ErrorKind::Invalid { message, offset } => match offset
            {
                Some(o) => write!(f, "{message} (at offset 0x{o:x})"),
                None => f.write_str(message),
            },
            ErrorKind::Link { message } | ErrorKind::Resource { message } | ErrorKind::Usage { message } => {
                f.write_str(message)
            }
            ErrorKind::Trap(t) => write!(f, "{t}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_one_word() {
        assert_eq!(std::mem::size_of::<super::Error>(), 8);
        assert_eq!(std::mem::size_of::<crate::core::Trap>(), 8);
    }
}
