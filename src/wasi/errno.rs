//! WASI error numbers (`errno` in the preview1 witx) and their mapping from
//! host `errno` values.
//!
//! Every WASI function returns one of these as its `i32` result; `Success`
//! (0) means the call did what it was asked.

use std::fmt;

/// A WASI preview1 error number. The discriminants are the wire values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[allow(missing_docs)]
pub enum Errno {
    Success = 0,
    TooBig = 1,
    Acces = 2,
    AddrInUse = 3,
    AddrNotAvail = 4,
    AfNoSupport = 5,
    Again = 6,
    Already = 7,
    Badf = 8,
    BadMsg = 9,
    Busy = 10,
    Canceled = 11,
    Child = 12,
    ConnAborted = 13,
    ConnRefused = 14,
    ConnReset = 15,
    Deadlk = 16,
    DestAddrReq = 17,
    Dom = 18,
    Dquot = 19,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    HostUnreach = 23,
    Idrm = 24,
    Ilseq = 25,
    InProgress = 26,
    Intr = 27,
    Inval = 28,
    Io = 29,
    IsConn = 30,
    IsDir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    MsgSize = 35,
    Multihop = 36,
    NameTooLong = 37,
    NetDown = 38,
    NetReset = 39,
    NetUnreach = 40,
    Nfile = 41,
    NoBufs = 42,
    NoDev = 43,
    NoEnt = 44,
    NoExec = 45,
    NoLck = 46,
    NoLink = 47,
    NoMem = 48,
    NoMsg = 49,
    NoProtoOpt = 50,
    NoSpc = 51,
    NoSys = 52,
    NotConn = 53,
    NotDir = 54,
    NotEmpty = 55,
    NotRecoverable = 56,
    NotSock = 57,
    NotSup = 58,
    NoTty = 59,
    Nxio = 60,
    Overflow = 61,
    OwnerDead = 62,
    Perm = 63,
    Pipe = 64,
    Proto = 65,
    ProtoNoSupport = 66,
    ProtoType = 67,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Srch = 71,
    Stale = 72,
    TimedOut = 73,
    TxtBsy = 74,
    Xdev = 75,
    NotCapable = 76,
}

/// The result of a WASI function body: `Err` carries the errno to return.
pub type WasiResult<T> = Result<T, Errno>;

impl Errno {
    /// The value a WASI function returns for this error.
    pub fn raw(self) -> u16 {
        self as u16
    }

    /// Maps a host (Linux/POSIX) `errno` value. Unknown values become `Io`.
    pub fn from_host(e: i32) -> Errno {
        use Errno::*;
        match e {
            0 => Success,
            libc::E2BIG => TooBig,
            libc::EACCES => Acces,
            libc::EADDRINUSE => AddrInUse,
            libc::EADDRNOTAVAIL => AddrNotAvail,
            libc::EAFNOSUPPORT => AfNoSupport,
            libc::EAGAIN => Again,
            libc::EALREADY => Already,
            libc::EBADF => Badf,
            libc::EBADMSG => BadMsg,
            libc::EBUSY => Busy,
            libc::ECANCELED => Canceled,
            libc::ECHILD => Child,
            libc::ECONNABORTED => ConnAborted,
            libc::ECONNREFUSED => ConnRefused,
            libc::ECONNRESET => ConnReset,
            libc::EDEADLK => Deadlk,
            libc::EDESTADDRREQ => DestAddrReq,
            libc::EDOM => Dom,
            libc::EDQUOT => Dquot,
            libc::EEXIST => Exist,
            libc::EFAULT => Fault,
            libc::EFBIG => Fbig,
            libc::EHOSTUNREACH => HostUnreach,
            libc::EIDRM => Idrm,
            libc::EILSEQ => Ilseq,
            libc::EINPROGRESS => InProgress,
            libc::EINTR => Intr,
            libc::EINVAL => Inval,
            libc::EIO => Io,
            libc::EISCONN => IsConn,
            libc::EISDIR => IsDir,
            libc::ELOOP => Loop,
            libc::EMFILE => Mfile,
            libc::EMLINK => Mlink,
            libc::EMSGSIZE => MsgSize,
            libc::EMULTIHOP => Multihop,
            libc::ENAMETOOLONG => NameTooLong,
            libc::ENETDOWN => NetDown,
            libc::ENETRESET => NetReset,
            libc::ENETUNREACH => NetUnreach,
            libc::ENFILE => Nfile,
            libc::ENOBUFS => NoBufs,
            libc::ENODEV => NoDev,
            libc::ENOENT => NoEnt,
            libc::ENOEXEC => NoExec,
            libc::ENOLCK => NoLck,
            libc::ENOLINK => NoLink,
            libc::ENOMEM => NoMem,
            libc::ENOMSG => NoMsg,
            libc::ENOPROTOOPT => NoProtoOpt,
            libc::ENOSPC => NoSpc,
            libc::ENOSYS => NoSys,
            libc::ENOTCONN => NotConn,
            libc::ENOTDIR => NotDir,
            libc::ENOTEMPTY => NotEmpty,
            libc::ENOTRECOVERABLE => NotRecoverable,
            libc::ENOTSOCK => NotSock,
            libc::EOPNOTSUPP => NotSup,
            libc::ENOTTY => NoTty,
            libc::ENXIO => Nxio,
            libc::EOVERFLOW => Overflow,
            libc::EOWNERDEAD => OwnerDead,
            libc::EPERM => Perm,
            libc::EPIPE => Pipe,
            libc::EPROTO => Proto,
            libc::EPROTONOSUPPORT => ProtoNoSupport,
            libc::EPROTOTYPE => ProtoType,
            libc::ERANGE => Range,
            libc::EROFS => Rofs,
            libc::ESPIPE => Spipe,
            libc::ESRCH => Srch,
            libc::ESTALE => Stale,
            libc::ETIMEDOUT => TimedOut,
            libc::ETXTBSY => TxtBsy,
            libc::EXDEV => Xdev,
            _ => Io,
        }
    }

    /// The calling thread's current host `errno`, mapped.
    pub fn last() -> Errno {
        Errno::from_host(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        match e.raw_os_error() {
            Some(code) => Errno::from_host(code),
            None => Errno::Io,
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self, self.raw())
    }
}

/// Turns the return value of a libc call that signals failure with `-1`
/// into a result carrying the mapped `errno`.
pub(crate) fn check(rc: libc::c_int) -> WasiResult<libc::c_int> {
    if rc == -1 {
        Err(Errno::last())
    } else {
        Ok(rc)
    }
}

/// Like [`check`] for calls returning `ssize_t`.
pub(crate) fn check_size(rc: libc::ssize_t) -> WasiResult<usize> {
    if rc < 0 {
        Err(Errno::last())
    } else {
        Ok(rc as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::Errno;

    #[test]
    fn wire_values() {
        assert_eq!(Errno::Success.raw(), 0);
        assert_eq!(Errno::Badf.raw(), 8);
        assert_eq!(Errno::NoEnt.raw(), 44);
        assert_eq!(Errno::NotCapable.raw(), 76);
        assert_eq!(Errno::from_host(libc::EWOULDBLOCK), Errno::Again);
        assert_eq!(Errno::from_host(libc::ENOTSUP), Errno::NotSup);
    }
}
