//! The capability sandbox and the `path_*` functions.
//!
//! A guest path is always relative to a directory descriptor it holds.
//! [`resolve`] walks it one component at a time with `openat(O_NOFOLLOW |
//! O_DIRECTORY)` from that descriptor, keeping the chain of directories it
//! opened so that `..` goes back up the chain and can never rise above the
//! starting directory. Symbolic links are never followed by the kernel: the
//! resolver reads them with `readlinkat` and splices their (relative)
//! targets into the remaining path itself, with a bound on expansions.
//! Absolute paths and absolute link targets are refused. The final
//! component is then acted on with an `*at` call relative to the last
//! directory, with `O_NOFOLLOW`/`AT_SYMLINK_NOFOLLOW` where the call could
//! follow a link, so a link swapped in after the check is not followed
//! either: a race can make a call fail, never escape.

use super::errno::{check, check_size, Errno, WasiResult};
use super::types::{self, filetype, oflags, rights, LOOKUP_SYMLINK_FOLLOW};
use super::{a32, a64, Cx, FdEntry};
use crate::core::Val;
use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Most symbolic links one lookup may expand before `Loop`.
const MAX_SYMLINK_EXPANSIONS: usize = 32;

/// A resolved path: the directory that holds the final component and that
/// component's name (`.` when the path names the directory itself).
pub(crate) struct Resolved {
    root: RawFd,
    /// Directories opened below `root`, innermost last.
    chain: Vec<OwnedFd>,
    pub name: CString,
    /// The guest path ended with `/`: the target must be a directory.
    pub trailing_slash: bool,
}

impl Resolved {
    /// The directory holding the final component.
    pub fn dir(&self) -> RawFd {
        self.chain.last().map(|f| f.as_raw_fd()).unwrap_or(self.root)
    }

    /// How far below the starting directory `dir()` is.
    pub fn depth(&self) -> usize {
        self.chain.len()
    }

    /// `stat` of the final component, not following a symbolic link.
    pub fn lstat(&self) -> WasiResult<libc::stat> {
        fstatat(self.dir(), &self.name)
    }
}

fn cstring(bytes: &[u8]) -> WasiResult<CString> {
    CString::new(bytes).map_err(|_| Errno::Inval)
}

/// `stat` of `name` in `dir`, not following a final symbolic link.
pub(crate) fn fstatat(dir: RawFd, name: &CStr) -> WasiResult<libc::stat> {
    // SAFETY: `st` is plain data filled in by the call.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is NUL-terminated, `st` a valid out-parameter.
    check(unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

/// The target of the symbolic link `name` in `dir` (`Inval` if it is not
/// a link).
pub(crate) fn readlinkat(dir: RawFd, name: &CStr) -> WasiResult<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: `buf` is writable for `buf.len()` bytes.
        let n = check_size(unsafe {
            libc::readlinkat(
                dir,
                name.as_ptr(),
                buf.as_mut_ptr() as *mut libc::c_char,
                buf.len(),
            )
        })?;
        if n < buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        if buf.len() >= 1 << 16 {
            return Err(Errno::NameTooLong);
        }
        buf.resize(buf.len() * 2, 0);
    }
}

fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

/// Resolves `path` relative to the directory `root` inside the sandbox
/// rooted there. With `follow`, a symbolic link in the final position is
/// followed too (always when the path ends with `/`).
pub(crate) fn resolve(root: RawFd, path: &str, follow: bool) -> WasiResult<Resolved> {
    let bytes = path.as_bytes();
    if bytes.is_empty() {
        return Err(Errno::NoEnt);
    }
    if bytes[0] == b'/' {
        return Err(Errno::NotCapable);
    }
    let trailing_slash = bytes.ends_with(b"/");
    let follow_final = follow || trailing_slash;
    let mut queue: VecDeque<Vec<u8>> = components(bytes).map(|c| c.to_vec()).collect();
    let mut chain: Vec<OwnedFd> = Vec::new();
    let mut expansions = 0usize;
    let done = |chain: Vec<OwnedFd>, name: &[u8]| -> WasiResult<Resolved> {
        Ok(Resolved {
            root,
            chain,
            name: cstring(name)?,
            trailing_slash,
        })
    };
    // Splices a link's target in front of what remains of the path.
    let splice = |queue: &mut VecDeque<Vec<u8>>, target: Vec<u8>, expansions: &mut usize| -> WasiResult<()> {
        *expansions += 1;
        if *expansions > MAX_SYMLINK_EXPANSIONS {
            return Err(Errno::Loop);
        }
        if target.first() == Some(&b'/') {
            return Err(Errno::NotCapable);
        }
        if target.is_empty() {
            return Err(Errno::NoEnt);
        }
        for c in components(&target).rev() {
            queue.push_front(c.to_vec());
        }
        Ok(())
    };
    loop {
        let cur = chain.last().map(|f| f.as_raw_fd()).unwrap_or(root);
        let Some(comp) = queue.pop_front() else {
            return done(chain, b".");
        };
        let last = queue.is_empty();
        if comp == b"." {
            if last {
                return done(chain, b".");
            }
            continue;
        }
        if comp == b".." {
            if chain.pop().is_none() {
                return Err(Errno::NotCapable);
            }
            if last {
                return done(chain, b".");
            }
            continue;
        }
        let name = cstring(&comp)?;
        if last {
            if !follow_final {
                return done(chain, &comp);
            }
            match readlinkat(cur, &name) {
                Ok(target) => {
                    splice(&mut queue, target, &mut expansions)?;
                    continue;
                }
                // Not a link, or nothing there yet (to be created).
                Err(Errno::Inval) | Err(Errno::NoEnt) => return done(chain, &comp),
                Err(e) => return Err(e),
            }
        }
        // SAFETY: `name` is NUL-terminated; the result is checked.
        let fd = unsafe {
            libc::openat(
                cur,
                name.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd >= 0 {
            // SAFETY: a fresh descriptor that we alone own.
            chain.push(unsafe { OwnedFd::from_raw_fd(fd) });
            continue;
        }
        let err = Errno::last();
        if matches!(err, Errno::NotDir | Errno::Loop) {
            if let Ok(target) = readlinkat(cur, &name) {
                splice(&mut queue, target, &mut expansions)?;
                continue;
            }
        }
        return Err(err);
    }
}

/// The host descriptor of guest directory `fd`, which must hold `needed`.
fn dir_fd(cx: &mut Cx<'_>, fd: u32, needed: u64) -> WasiResult<RawFd> {
    let e = cx.wasi.entry(fd, needed)?;
    if e.filetype != filetype::DIRECTORY {
        return Err(Errno::NotDir);
    }
    Ok(e.raw())
}

/// Reads the guest path at `(ptr, len)`.
fn guest_path(cx: &Cx<'_>, ptr: u32, len: u32) -> WasiResult<String> {
    Ok(cx.mem.read_str(ptr, len)?.to_owned())
}

pub(crate) fn path_open(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (fd, dirflags, oflags_, base, inheriting, fdflags, ret) = (
        a32(a, 0),
        a32(a, 1),
        a32(a, 4) as u16,
        a64(a, 5),
        a64(a, 6),
        a32(a, 7) as u16,
        a32(a, 8),
    );
    let path = guest_path(cx, a32(a, 2), a32(a, 3))?;
    cx.mem.range(ret, 4)?;
    let mut needed = rights::PATH_OPEN;
    if oflags_ & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if oflags_ & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let dir = dir_fd(cx, fd, needed)?;
    let allowed = cx.wasi.fds[&fd].rights_inheriting;
    if base & !allowed != 0 || inheriting & !allowed != 0 {
        return Err(Errno::NotCapable);
    }
    if oflags_ & !(oflags::CREAT | oflags::DIRECTORY | oflags::EXCL | oflags::TRUNC) != 0 {
        return Err(Errno::Inval);
    }
    let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
    let write = base
        & (rights::FD_WRITE | rights::FD_DATASYNC | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
        != 0
        || fdflags & types::fdflags::APPEND != 0;
    let mut flags = libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NOCTTY;
    flags |= match (read, write) {
        (_, false) => libc::O_RDONLY,
        (false, true) => libc::O_WRONLY,
        (true, true) => libc::O_RDWR,
    };
    let creat_excl = oflags_ & oflags::CREAT != 0 && oflags_ & oflags::EXCL != 0;
    if oflags_ & oflags::CREAT != 0 {
        flags |= libc::O_CREAT;
    }
    if oflags_ & oflags::DIRECTORY != 0 {
        flags |= libc::O_DIRECTORY;
    }
    if oflags_ & oflags::EXCL != 0 {
        flags |= libc::O_EXCL;
    }
    if oflags_ & oflags::TRUNC != 0 {
        flags |= libc::O_TRUNC;
    }
    {
        use types::fdflags as ff;
        if fdflags & ff::APPEND != 0 {
            flags |= libc::O_APPEND;
        }
        if fdflags & ff::DSYNC != 0 {
            flags |= libc::O_DSYNC;
        }
        if fdflags & ff::NONBLOCK != 0 {
            flags |= libc::O_NONBLOCK;
        }
        if fdflags & ff::RSYNC != 0 {
            flags |= libc::O_RSYNC;
        }
        if fdflags & ff::SYNC != 0 {
            flags |= libc::O_SYNC;
        }
    }
    let follow = dirflags & LOOKUP_SYMLINK_FOLLOW != 0 && !creat_excl;
    let r = resolve(dir, &path, follow)?;
    if r.trailing_slash {
        if flags & libc::O_CREAT != 0 {
            return Err(Errno::IsDir);
        }
        flags |= libc::O_DIRECTORY;
    }
    // SAFETY: `r.name` is NUL-terminated; the result is checked.
    let raw = unsafe { libc::openat(r.dir(), r.name.as_ptr(), flags, 0o666 as libc::c_uint) };
    if raw < 0 {
        return Err(Errno::last());
    }
    // SAFETY: a fresh descriptor that we alone own.
    let file = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: `st` is plain data filled in by the call.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `file` is open; `st` is a valid out-parameter.
    check(unsafe { libc::fstat(file.as_raw_fd(), &mut st) })?;
    let ft = types::filetype_of_mode(st.st_mode);
    let new = cx.wasi.insert(FdEntry {
        fd: file,
        filetype: ft,
        rights_base: base,
        rights_inheriting: inheriting,
        preopen: None,
        dir_cache: None,
    })?;
    cx.mem.write_u32(ret, new)
}

pub(crate) fn path_create_directory(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 1), a32(a, 2))?;
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_CREATE_DIRECTORY)?;
    let r = resolve(dir, &path, false)?;
    // SAFETY: `r.name` is NUL-terminated.
    check(unsafe { libc::mkdirat(r.dir(), r.name.as_ptr(), 0o777) })?;
    Ok(())
}

pub(crate) fn path_filestat_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 2), a32(a, 3))?;
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_FILESTAT_GET)?;
    let r = resolve(dir, &path, a32(a, 1) & LOOKUP_SYMLINK_FOLLOW != 0)?;
    let st = r.lstat()?;
    if r.trailing_slash && st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return Err(Errno::NotDir);
    }
    types::write_filestat(&mut cx.mem, a32(a, 4), &st, cx.unstable)
}

pub(crate) fn path_filestat_set_times(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 2), a32(a, 3))?;
    let ts = types::timespecs(a64(a, 4), a64(a, 5), a32(a, 6) as u16)?;
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_FILESTAT_SET_TIMES)?;
    let r = resolve(dir, &path, a32(a, 1) & LOOKUP_SYMLINK_FOLLOW != 0)?;
    // SAFETY: `r.name` is NUL-terminated, `ts` holds two timespecs.
    check(unsafe { libc::utimensat(r.dir(), r.name.as_ptr(), ts.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(())
}

pub(crate) fn path_link(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let old_path = guest_path(cx, a32(a, 2), a32(a, 3))?;
    let new_path = guest_path(cx, a32(a, 5), a32(a, 6))?;
    let old_dir = dir_fd(cx, a32(a, 0), rights::PATH_LINK_SOURCE)?;
    let new_dir = dir_fd(cx, a32(a, 4), rights::PATH_LINK_TARGET)?;
    let old = resolve(old_dir, &old_path, a32(a, 1) & LOOKUP_SYMLINK_FOLLOW != 0)?;
    let new = resolve(new_dir, &new_path, false)?;
    if new.trailing_slash || old.trailing_slash {
        return Err(Errno::NotDir);
    }
    // SAFETY: both names are NUL-terminated.
    check(unsafe { libc::linkat(old.dir(), old.name.as_ptr(), new.dir(), new.name.as_ptr(), 0) })?;
    Ok(())
}

pub(crate) fn path_readlink(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 1), a32(a, 2))?;
    let (buf, buf_len, ret) = (a32(a, 3), a32(a, 4), a32(a, 5));
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_READLINK)?;
    let r = resolve(dir, &path, false)?;
    let target = readlinkat(r.dir(), &r.name)?;
    let n = target.len().min(buf_len as usize);
    cx.mem.write(buf, &target[..n])?;
    cx.mem.write_u32(ret, n as u32)
}

pub(crate) fn path_remove_directory(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 1), a32(a, 2))?;
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_REMOVE_DIRECTORY)?;
    let r = resolve(dir, &path, false)?;
    // SAFETY: `r.name` is NUL-terminated.
    check(unsafe { libc::unlinkat(r.dir(), r.name.as_ptr(), libc::AT_REMOVEDIR) })?;
    Ok(())
}

pub(crate) fn path_unlink_file(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let path = guest_path(cx, a32(a, 1), a32(a, 2))?;
    let dir = dir_fd(cx, a32(a, 0), rights::PATH_UNLINK_FILE)?;
    let r = resolve(dir, &path, false)?;
    if r.trailing_slash {
        let st = r.lstat()?;
        return Err(if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
            Errno::IsDir
        } else {
            Errno::NotDir
        });
    }
    // SAFETY: `r.name` is NUL-terminated.
    check(unsafe { libc::unlinkat(r.dir(), r.name.as_ptr(), 0) })?;
    Ok(())
}

pub(crate) fn path_rename(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let old_path = guest_path(cx, a32(a, 1), a32(a, 2))?;
    let new_path = guest_path(cx, a32(a, 4), a32(a, 5))?;
    let old_dir = dir_fd(cx, a32(a, 0), rights::PATH_RENAME_SOURCE)?;
    let new_dir = dir_fd(cx, a32(a, 3), rights::PATH_RENAME_TARGET)?;
    let old = resolve(old_dir, &old_path, false)?;
    let new = resolve(new_dir, &new_path, false)?;
    if old.trailing_slash || new.trailing_slash {
        let st = old.lstat()?;
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
            return Err(Errno::NotDir);
        }
    }
    // SAFETY: both names are NUL-terminated.
    check(unsafe { libc::renameat(old.dir(), old.name.as_ptr(), new.dir(), new.name.as_ptr()) })?;
    Ok(())
}

/// Creates a symbolic link. Its target must stay inside the sandbox when
/// read relative to the link's own directory: absolute targets and targets
/// whose `..` components climb above the preopen are refused with
/// `NotCapable` (the guest could not follow them anyway, and host programs
/// should not be handed such links).
pub(crate) fn path_symlink(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let target = guest_path(cx, a32(a, 0), a32(a, 1))?;
    let path = guest_path(cx, a32(a, 3), a32(a, 4))?;
    let dir = dir_fd(cx, a32(a, 2), rights::PATH_SYMLINK)?;
    let r = resolve(dir, &path, false)?;
    if r.trailing_slash {
        return Err(Errno::NoEnt);
    }
    if target.starts_with('/') {
        return Err(Errno::NotCapable);
    }
    let mut depth = r.depth() as isize;
    for c in components(target.as_bytes()) {
        match c {
            b"." => {}
            b".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return Err(Errno::NotCapable);
        }
    }
    let t = cstring(target.as_bytes())?;
    // SAFETY: both strings are NUL-terminated.
    check(unsafe { libc::symlinkat(t.as_ptr(), r.dir(), r.name.as_ptr()) })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn sandbox(name: &str) -> (std::path::PathBuf, OwnedFd) {
        let dir = std::env::temp_dir().join(format!("weft-path-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root/a/b")).unwrap();
        std::fs::write(dir.join("root/a/file"), "x").unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        symlink("/etc", dir.join("root/abs")).unwrap();
        symlink("../secret", dir.join("root/up")).unwrap();
        symlink("a/b", dir.join("root/to_b")).unwrap();
        symlink("../../a/file", dir.join("root/a/b/back")).unwrap();
        symlink("self", dir.join("root/self")).unwrap();
        let c = CString::new(dir.join("root").to_str().unwrap()).unwrap();
        // SAFETY: NUL-terminated path; the result is checked.
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
        assert!(fd >= 0);
        // SAFETY: a fresh descriptor.
        (dir, unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn name(root: &OwnedFd, path: &str, follow: bool) -> WasiResult<(usize, String, bool)> {
        let r = resolve(root.as_raw_fd(), path, follow)?;
        Ok((r.depth(), r.name.to_str().unwrap().to_string(), r.trailing_slash))
    }

    #[test]
    fn resolution_stays_inside() {
        let (dir, root) = sandbox("inside");
        let ok = |d: usize, n: &str| Ok((d, n.to_string(), false));
        assert_eq!(name(&root, "a/file", false), ok(1, "file"));
        assert_eq!(name(&root, "a/b/../file", false), ok(1, "file"));
        assert_eq!(name(&root, "./a//b/.", false), ok(2, "."));
        assert_eq!(name(&root, "a/..", false), ok(0, "."));
        assert_eq!(name(&root, "to_b", false), ok(0, "to_b"));
        assert_eq!(name(&root, "to_b", true), ok(1, "b"));
        assert_eq!(name(&root, "to_b/back", true), ok(1, "file"));
        assert_eq!(name(&root, "a/b/", false), Ok((1, "b".to_string(), true)));
        assert_eq!(name(&root, "a/new", true), ok(1, "new"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn escapes_are_refused() {
        let (dir, root) = sandbox("escape");
        for p in [
            "..",
            "../secret",
            "a/../..",
            "a/b/../../../secret",
            "/etc",
            "abs/passwd",
            "up/x",
        ] {
            assert_eq!(name(&root, p, false).err(), Some(Errno::NotCapable), "{p}");
        }
        for p in ["abs", "up", "abs/"] {
            assert_eq!(name(&root, p, true).err(), Some(Errno::NotCapable), "{p}");
        }
        // Not followed, a link is just a name in its directory.
        assert_eq!(name(&root, "abs", false), Ok((0, "abs".to_string(), false)));
        assert_eq!(name(&root, "self", true).err(), Some(Errno::Loop));
        assert_eq!(name(&root, "self/x", false).err(), Some(Errno::Loop));
        assert_eq!(name(&root, "", false).err(), Some(Errno::NoEnt));
        assert_eq!(name(&root, "a/file/x", false).err(), Some(Errno::NotDir));
        assert_eq!(name(&root, "missing/x", false).err(), Some(Errno::NoEnt));
        let _ = std::fs::remove_dir_all(dir);
    }
}
