//! The `fd_*` functions: reading, writing, seeking, descriptor flags and
//! rights, file status, directory listing and the preopen queries.

use super::errno::{check, check_size, Errno, WasiResult};
use super::mem::IoRange;
use super::types::{self, fdflags, filetype, rights, DIRENT_SIZE};
use super::{a32, a64, Cx, DirEntry};
use crate::core::Val;
use std::ffi::CStr;
use std::os::fd::RawFd;

/// Runs a libc transfer call, retrying when a signal interrupts it.
fn retry(mut f: impl FnMut() -> libc::ssize_t) -> WasiResult<usize> {
    loop {
        match check_size(f()) {
            Err(Errno::Intr) => continue,
            r => return r,
        }
    }
}

fn offset(v: u64) -> WasiResult<libc::off_t> {
    libc::off_t::try_from(v).map_err(|_| Errno::Inval)
}

/// Reads into the guest buffers described by the iovec array at `iovs`:
/// at `pos` when given, else at the current position.
fn read_into(cx: &mut Cx<'_>, fd: RawFd, iovs: u32, n: u32, pos: Option<libc::off_t>) -> WasiResult<usize> {
    let ranges: Vec<IoRange> = cx.mem.iovecs(iovs, n)?;
    let host = cx.mem.host_iovecs(&ranges);
    if host.is_empty() {
        return Ok(0);
    }
    retry(|| match pos {
        // SAFETY: every iovec points into guest memory checked by `iovecs`,
        // which is borrowed mutably for the duration of the call.
        Some(p) => unsafe { libc::preadv(fd, host.as_ptr(), host.len() as libc::c_int, p) },
        // SAFETY: as above.
        None => unsafe { libc::readv(fd, host.as_ptr(), host.len() as libc::c_int) },
    })
}

/// Writes the guest buffers described by the ciovec array at `iovs`.
fn write_from(cx: &mut Cx<'_>, fd: RawFd, iovs: u32, n: u32, pos: Option<libc::off_t>) -> WasiResult<usize> {
    let ranges: Vec<IoRange> = cx.mem.iovecs(iovs, n)?;
    let host = cx.mem.host_iovecs(&ranges);
    if host.is_empty() {
        return Ok(0);
    }
    retry(|| match pos {
        // SAFETY: every iovec points into guest memory checked by `iovecs`.
        Some(p) => unsafe { libc::pwritev(fd, host.as_ptr(), host.len() as libc::c_int, p) },
        // SAFETY: as above.
        None => unsafe { libc::writev(fd, host.as_ptr(), host.len() as libc::c_int) },
    })
}

pub(crate) fn fd_read(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_READ)?.raw();
    let ret = a32(a, 3);
    cx.mem.range(ret, 4)?;
    let n = read_into(cx, fd, a32(a, 1), a32(a, 2), None)?;
    cx.mem.write_u32(ret, n as u32)
}

pub(crate) fn fd_pread(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_READ | rights::FD_SEEK)?.raw();
    let ret = a32(a, 4);
    cx.mem.range(ret, 4)?;
    let n = read_into(cx, fd, a32(a, 1), a32(a, 2), Some(offset(a64(a, 3))?))?;
    cx.mem.write_u32(ret, n as u32)
}

pub(crate) fn fd_write(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_WRITE)?.raw();
    let ret = a32(a, 3);
    cx.mem.range(ret, 4)?;
    let n = write_from(cx, fd, a32(a, 1), a32(a, 2), None)?;
    cx.mem.write_u32(ret, n as u32)
}

pub(crate) fn fd_pwrite(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx
        .wasi
        .entry(a32(a, 0), rights::FD_WRITE | rights::FD_SEEK)?
        .raw();
    let ret = a32(a, 4);
    cx.mem.range(ret, 4)?;
    let n = write_from(cx, fd, a32(a, 1), a32(a, 2), Some(offset(a64(a, 3))?))?;
    cx.mem.write_u32(ret, n as u32)
}

pub(crate) fn fd_seek(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (delta, whence, ret) = (a64(a, 1) as i64, a32(a, 2) as u8, a32(a, 3));
    // `wasi_unstable` numbered the whence values differently.
    let whence = match (cx.unstable, whence) {
        (false, 0) | (true, 2) => libc::SEEK_SET,
        (false, 1) | (true, 0) => libc::SEEK_CUR,
        (false, 2) | (true, 1) => libc::SEEK_END,
        _ => return Err(Errno::Inval),
    };
    let needed = if delta == 0 && whence == libc::SEEK_CUR {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    let e = cx.wasi.fds.get(&a32(a, 0)).ok_or(Errno::Badf)?;
    if e.rights_base & (needed | rights::FD_SEEK) == 0 {
        return Err(Errno::NotCapable);
    }
    let fd = e.raw();
    cx.mem.range(ret, 8)?;
    // SAFETY: plain syscall on an open descriptor.
    let pos = unsafe { libc::lseek(fd, delta, whence) };
    if pos < 0 {
        return Err(Errno::last());
    }
    cx.mem.write_u64(ret, pos as u64)
}

pub(crate) fn fd_tell(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_TELL)?.raw();
    // SAFETY: plain syscall on an open descriptor.
    let pos = unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) };
    if pos < 0 {
        return Err(Errno::last());
    }
    cx.mem.write_u64(a32(a, 1), pos as u64)
}

pub(crate) fn fd_close(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    // Dropping the entry closes the host descriptor.
    cx.wasi.fds.remove(&a32(a, 0)).map(|_| ()).ok_or(Errno::Badf)
}

pub(crate) fn fd_renumber(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (from, to) = (a32(a, 0), a32(a, 1));
    if !cx.wasi.fds.contains_key(&from) || !cx.wasi.fds.contains_key(&to) {
        return Err(Errno::Badf);
    }
    if from != to {
        let e = cx.wasi.fds.remove(&from).ok_or(Errno::Badf)?;
        cx.wasi.fds.insert(to, e);
    }
    Ok(())
}

pub(crate) fn fd_sync(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_SYNC)?.raw();
    // SAFETY: plain syscall on an open descriptor.
    check(unsafe { libc::fsync(fd) })?;
    Ok(())
}

pub(crate) fn fd_datasync(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_DATASYNC)?.raw();
    // SAFETY: plain syscall on an open descriptor.
    check(unsafe { libc::fdatasync(fd) })?;
    Ok(())
}

pub(crate) fn fd_advise(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_ADVISE)?.raw();
    let advice = match a32(a, 3) {
        0 => libc::POSIX_FADV_NORMAL,
        1 => libc::POSIX_FADV_SEQUENTIAL,
        2 => libc::POSIX_FADV_RANDOM,
        3 => libc::POSIX_FADV_WILLNEED,
        4 => libc::POSIX_FADV_DONTNEED,
        5 => libc::POSIX_FADV_NOREUSE,
        _ => return Err(Errno::Inval),
    };
    // SAFETY: plain syscall; it returns the error number instead of -1.
    let rc = unsafe { libc::posix_fadvise(fd, offset(a64(a, 1))?, offset(a64(a, 2))?, advice) };
    if rc != 0 {
        return Err(Errno::from_host(rc));
    }
    Ok(())
}

pub(crate) fn fd_allocate(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_ALLOCATE)?.raw();
    let (off, len) = (offset(a64(a, 1))?, offset(a64(a, 2))?);
    off.checked_add(len).ok_or(Errno::Fbig)?;
    // SAFETY: plain syscall; it returns the error number instead of -1.
    let rc = unsafe { libc::posix_fallocate(fd, off, len) };
    if rc != 0 {
        return Err(Errno::from_host(rc));
    }
    Ok(())
}

/// The WASI `fdflags` of a host descriptor.
pub(crate) fn host_fdflags(fd: RawFd) -> WasiResult<u16> {
    // SAFETY: plain syscall on an open descriptor.
    let fl = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    let mut out = 0;
    if fl & libc::O_APPEND != 0 {
        out |= fdflags::APPEND;
    }
    if fl & libc::O_NONBLOCK != 0 {
        out |= fdflags::NONBLOCK;
    }
    if fl & libc::O_SYNC == libc::O_SYNC {
        out |= fdflags::SYNC | fdflags::RSYNC;
    } else if fl & libc::O_DSYNC != 0 {
        out |= fdflags::DSYNC;
    }
    Ok(out)
}

pub(crate) fn fd_fdstat_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let e = cx.wasi.fds.get(&a32(a, 0)).ok_or(Errno::Badf)?;
    let flags = host_fdflags(e.raw())?;
    let mut b = [0u8; 24];
    b[0] = e.filetype;
    b[2..4].copy_from_slice(&flags.to_le_bytes());
    b[8..16].copy_from_slice(&e.rights_base.to_le_bytes());
    b[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
    cx.mem.write(a32(a, 1), &b)
}

pub(crate) fn fd_fdstat_set_flags(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let flags = a32(a, 1) as u16;
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_FDSTAT_SET_FLAGS)?.raw();
    if flags & !(fdflags::APPEND | fdflags::NONBLOCK | fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::Inval);
    }
    // Linux cannot change the synchronisation flags of an open file.
    let sync = fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC;
    if flags & sync != host_fdflags(fd)? & sync {
        return Err(Errno::NotSup);
    }
    // SAFETY: plain syscall on an open descriptor.
    let mut fl = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    fl &= !(libc::O_APPEND | libc::O_NONBLOCK);
    if flags & fdflags::APPEND != 0 {
        fl |= libc::O_APPEND;
    }
    if flags & fdflags::NONBLOCK != 0 {
        fl |= libc::O_NONBLOCK;
    }
    // SAFETY: as above.
    check(unsafe { libc::fcntl(fd, libc::F_SETFL, fl) })?;
    Ok(())
}

pub(crate) fn fd_fdstat_set_rights(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (base, inheriting) = (a64(a, 1), a64(a, 2));
    let e = cx.wasi.fds.get_mut(&a32(a, 0)).ok_or(Errno::Badf)?;
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::NotCapable);
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub(crate) fn fstat(fd: RawFd) -> WasiResult<libc::stat> {
    // SAFETY: `st` is plain data filled in by the call.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid out-parameter.
    check(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

pub(crate) fn fd_filestat_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let e = cx.wasi.entry(a32(a, 0), rights::FD_FILESTAT_GET)?;
    let ft = e.filetype;
    let mut st = fstat(e.raw())?;
    if ft == filetype::SOCKET_DGRAM {
        // `write_filestat` cannot tell datagram sockets from `stat`.
        st.st_mode = (st.st_mode & !libc::S_IFMT) | libc::S_IFIFO;
    }
    types::write_filestat(&mut cx.mem, a32(a, 1), &st, cx.unstable)?;
    if ft == filetype::SOCKET_DGRAM {
        cx.mem.write_u8(a32(a, 1) + 16, ft)?;
    }
    Ok(())
}

pub(crate) fn fd_filestat_set_size(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_FILESTAT_SET_SIZE)?.raw();
    // SAFETY: plain syscall on an open descriptor.
    check(unsafe { libc::ftruncate(fd, offset(a64(a, 1))?) })?;
    Ok(())
}

pub(crate) fn fd_filestat_set_times(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let fd = cx.wasi.entry(a32(a, 0), rights::FD_FILESTAT_SET_TIMES)?.raw();
    let ts = types::timespecs(a64(a, 1), a64(a, 2), a32(a, 3) as u16)?;
    // SAFETY: `ts` holds the two timespecs `futimens` reads.
    check(unsafe { libc::futimens(fd, ts.as_ptr()) })?;
    Ok(())
}

pub(crate) fn fd_prestat_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let e = cx.wasi.fds.get(&a32(a, 0)).ok_or(Errno::Badf)?;
    let name_len = e.preopen.as_ref().ok_or(Errno::Badf)?.len() as u32;
    let mut b = [0u8; 8];
    b[4..8].copy_from_slice(&name_len.to_le_bytes());
    cx.mem.write(a32(a, 1), &b)
}

pub(crate) fn fd_prestat_dir_name(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let e = cx.wasi.fds.get(&a32(a, 0)).ok_or(Errno::Badf)?;
    let name = e.preopen.as_ref().ok_or(Errno::Badf)?.clone();
    if name.len() > a32(a, 2) as usize {
        return Err(Errno::NameTooLong);
    }
    cx.mem.write(a32(a, 1), name.as_bytes())
}

/// Lists a directory (including `.` and `..`) through a fresh descriptor,
/// leaving `fd`'s own position alone.
fn list_dir(fd: RawFd) -> WasiResult<Vec<DirEntry>> {
    let dot = c".";
    // SAFETY: `dot` is NUL-terminated; the result is checked.
    let dup = check(unsafe {
        libc::openat(
            fd,
            dot.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: `dup` is a fresh directory descriptor; on success `fdopendir`
    // owns it and `closedir` below closes it.
    let dir = unsafe { libc::fdopendir(dup) };
    if dir.is_null() {
        let e = Errno::last();
        // SAFETY: `fdopendir` failed, so `dup` is still ours to close.
        unsafe { libc::close(dup) };
        return Err(e);
    }
    let mut out = Vec::new();
    let result = loop {
        // SAFETY: resetting errno to tell the end of the stream from an error.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: `dir` is an open directory stream.
        let ent = unsafe { libc::readdir64(dir) };
        if ent.is_null() {
            let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            break if e == 0 { Ok(()) } else { Err(Errno::from_host(e)) };
        }
        // SAFETY: `ent` points to a valid entry until the next `readdir64`.
        let (ino, dtype, name) = unsafe {
            let ent = &*ent;
            (
                ent.d_ino,
                ent.d_type,
                CStr::from_ptr(ent.d_name.as_ptr()).to_bytes().to_vec(),
            )
        };
        let ft = match types::filetype_of_dtype(dtype) {
            Some(t) => t,
            None => {
                // SAFETY: `dir` is open; `dirfd` just reads its descriptor.
                let dfd = unsafe { libc::dirfd(dir) };
                match std::ffi::CString::new(name.clone())
                    .ok()
                    .and_then(|c| super::path::fstatat(dfd, &c).ok())
                {
                    Some(st) => types::filetype_of_mode(st.st_mode),
                    None => filetype::UNKNOWN,
                }
            }
        };
        out.push(DirEntry {
            ino,
            filetype: ft,
            name,
        });
    };
    // SAFETY: `dir` is open and not used afterwards.
    unsafe { libc::closedir(dir) };
    result.map(|()| out)
}

pub(crate) fn fd_readdir(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (buf, buf_len, cookie, ret) = (a32(a, 1), a32(a, 2), a64(a, 3), a32(a, 4));
    cx.mem.range(buf, buf_len)?;
    cx.mem.range(ret, 4)?;
    let e = cx.wasi.entry(a32(a, 0), rights::FD_READDIR)?;
    if e.filetype != filetype::DIRECTORY {
        return Err(Errno::NotDir);
    }
    if cookie == 0 || e.dir_cache.is_none() {
        e.dir_cache = Some(list_dir(e.raw())?);
    }
    let list = e.dir_cache.as_deref().unwrap_or_default();
    let limit = buf_len as usize;
    let mut out = Vec::with_capacity(limit.min(1 << 16));
    for (i, ent) in list
        .iter()
        .enumerate()
        .skip(usize::try_from(cookie).unwrap_or(usize::MAX))
    {
        if out.len() >= limit {
            break;
        }
        let mut h = [0u8; DIRENT_SIZE];
        h[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        h[8..16].copy_from_slice(&ent.ino.to_le_bytes());
        h[16..20].copy_from_slice(&(ent.name.len() as u32).to_le_bytes());
        h[20] = ent.filetype;
        out.extend_from_slice(&h);
        out.extend_from_slice(&ent.name);
    }
    out.truncate(limit);
    cx.mem.write(buf, &out)?;
    cx.mem.write_u32(ret, out.len() as u32)
}
