//! Sockets: `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` on
//! socket descriptors the host handed to the guest (see
//! `WasiCtxBuilder::fd`). Preview1 cannot create sockets; on any other
//! descriptor these calls fail with the host's error (`NotSock`).

use super::errno::{check, check_size, Errno, WasiResult};
use super::types::{self, filetype, rights, RECV_DATA_TRUNCATED, RECV_PEEK, RECV_WAITALL};
use super::{a32, Cx, FdEntry};
use crate::core::Val;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// `SOCKET_STREAM` or `SOCKET_DGRAM` for a socket descriptor.
pub(crate) fn socket_filetype(fd: RawFd) -> u8 {
    let mut ty: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: SO_TYPE writes one int into `ty`, `len` holds its size.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            &mut ty as *mut libc::c_int as *mut libc::c_void,
            &mut len,
        )
    };
    if rc == 0 && ty == libc::SOCK_DGRAM {
        filetype::SOCKET_DGRAM
    } else {
        filetype::SOCKET_STREAM
    }
}

pub(crate) fn sock_accept(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (flags, ret) = (a32(a, 1) as u16, a32(a, 2));
    let fd = cx.wasi.entry(a32(a, 0), rights::SOCK_ACCEPT)?.raw();
    if flags & !types::fdflags::NONBLOCK != 0 {
        return Err(Errno::Inval);
    }
    cx.mem.range(ret, 4)?;
    let mut fl = libc::SOCK_CLOEXEC;
    if flags & types::fdflags::NONBLOCK != 0 {
        fl |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: no address is requested; the result is checked.
    let raw = check(unsafe { libc::accept4(fd, std::ptr::null_mut(), std::ptr::null_mut(), fl) })?;
    // SAFETY: a fresh descriptor that we alone own.
    let conn = unsafe { OwnedFd::from_raw_fd(raw) };
    let new = cx.wasi.insert(FdEntry {
        fd: conn,
        filetype: socket_filetype(raw),
        rights_base: rights::SOCKET & !rights::SOCK_ACCEPT,
        rights_inheriting: 0,
        preopen: None,
        dir_cache: None,
    })?;
    cx.mem.write_u32(ret, new)
}

pub(crate) fn sock_recv(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (iovs, n, riflags, ret_len, ret_flags) =
        (a32(a, 1), a32(a, 2), a32(a, 3) as u16, a32(a, 4), a32(a, 5));
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_READ)?.raw();
    if riflags & !(RECV_PEEK | RECV_WAITALL) != 0 {
        return Err(Errno::Inval);
    }
    cx.mem.range(ret_len, 4)?;
    cx.mem.range(ret_flags, 2)?;
    let ranges = cx.mem.iovecs(iovs, n)?;
    let mut host = cx.mem.host_iovecs(&ranges);
    let mut flags = 0;
    if riflags & RECV_PEEK != 0 {
        flags |= libc::MSG_PEEK;
    }
    if riflags & RECV_WAITALL != 0 {
        flags |= libc::MSG_WAITALL;
    }
    // SAFETY: `msghdr` is plain data; the fields used are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = host.as_mut_ptr();
    msg.msg_iovlen = host.len() as _;
    // SAFETY: the iovecs point into checked guest memory, borrowed mutably.
    let got = check_size(unsafe { libc::recvmsg(fd, &mut msg, flags) })?;
    let out_flags = if msg.msg_flags & libc::MSG_TRUNC != 0 {
        RECV_DATA_TRUNCATED
    } else {
        0
    };
    cx.mem.write_u32(ret_len, got as u32)?;
    cx.mem.write_u16(ret_flags, out_flags)
}

pub(crate) fn sock_send(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (iovs, n, ret) = (a32(a, 1), a32(a, 2), a32(a, 4));
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_WRITE)?.raw();
    if a32(a, 3) != 0 {
        // No `siflags` are defined.
        return Err(Errno::Inval);
    }
    cx.mem.range(ret, 4)?;
    let ranges = cx.mem.iovecs(iovs, n)?;
    let mut host = cx.mem.host_iovecs(&ranges);
    // SAFETY: `msghdr` is plain data; the fields used are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = host.as_mut_ptr();
    msg.msg_iovlen = host.len() as _;
    // SAFETY: the iovecs point into checked guest memory.
    let sent = check_size(unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) })?;
    cx.mem.write_u32(ret, sent as u32)
}

pub(crate) fn sock_shutdown(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::SOCK_SHUTDOWN)?.raw();
    let how = match a32(a, 1) as u8 {
        types::SHUT_RD => libc::SHUT_RD,
        types::SHUT_WR => libc::SHUT_WR,
        3 => libc::SHUT_RDWR,
        _ => return Err(Errno::Inval),
    };
    // SAFETY: plain syscall on an open descriptor.
    check(unsafe { libc::shutdown(fd, how) })?;
    Ok(())
}
