//! Wire-level constants and record layouts of WASI preview1 (and the few
//! places where the older `wasi_unstable` snapshot differs), following the
//! witx definitions.

use super::errno::WasiResult;
use super::mem::GuestMem;

/// Rights: what may be done with a file descriptor (`rights` flags).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;

    /// Every right defined by preview1.
    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights that make sense on a regular file.
    pub const REGULAR_FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// Rights that make sense on a directory.
    pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_DATASYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights of a terminal, pipe or other character stream.
    pub const STREAM: u64 = FD_READ
        | FD_WRITE
        | FD_FDSTAT_SET_FLAGS
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | FD_SYNC
        | FD_DATASYNC;

    /// Rights of a socket.
    pub const SOCKET: u64 = STREAM | SOCK_SHUTDOWN | SOCK_ACCEPT;
}

/// `filetype`.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags`.
pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
}

/// `oflags` of `path_open`.
pub mod oflags {
    pub const CREAT: u16 = 1;
    pub const DIRECTORY: u16 = 2;
    pub const EXCL: u16 = 4;
    pub const TRUNC: u16 = 8;
}

/// `lookupflags`.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags`.
pub mod fstflags {
    pub const ATIM: u16 = 1;
    pub const ATIM_NOW: u16 = 2;
    pub const MTIM: u16 = 4;
    pub const MTIM_NOW: u16 = 8;
}

/// `clockid`.
pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `eventtype`.
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags`: the timeout is an absolute time.
pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
/// `eventrwflags`: the peer hung up.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// `riflags`, `roflags`, `sdflags`.
pub const RECV_PEEK: u16 = 1;
pub const RECV_WAITALL: u16 = 2;
pub const RECV_DATA_TRUNCATED: u16 = 1;
pub const SHUT_RD: u8 = 1;
pub const SHUT_WR: u8 = 2;

/// Size of a `dirent` header (the name follows it).
pub const DIRENT_SIZE: usize = 24;

/// The WASI file type of a host `st_mode`.
pub fn filetype_of_mode(mode: libc::mode_t) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFREG => filetype::REGULAR_FILE,
        libc::S_IFDIR => filetype::DIRECTORY,
        libc::S_IFCHR => filetype::CHARACTER_DEVICE,
        libc::S_IFBLK => filetype::BLOCK_DEVICE,
        libc::S_IFLNK => filetype::SYMBOLIC_LINK,
        libc::S_IFSOCK => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

/// The WASI file type of a `d_type` from `readdir`.
pub fn filetype_of_dtype(d: u8) -> Option<u8> {
    Some(match d {
        libc::DT_REG => filetype::REGULAR_FILE,
        libc::DT_DIR => filetype::DIRECTORY,
        libc::DT_CHR => filetype::CHARACTER_DEVICE,
        libc::DT_BLK => filetype::BLOCK_DEVICE,
        libc::DT_LNK => filetype::SYMBOLIC_LINK,
        libc::DT_SOCK => filetype::SOCKET_STREAM,
        libc::DT_FIFO => filetype::UNKNOWN,
        _ => return None,
    })
}

fn nanos(sec: i64, nsec: i64) -> u64 {
    (sec as u64).wrapping_mul(1_000_000_000).wrapping_add(nsec as u64)
}

/// Writes a `filestat` for `st` at `ptr`: 64 bytes in preview1, 56 in
/// `wasi_unstable` (whose link count is 32 bits).
// The `stat` field types differ between targets; the casts are not
// redundant everywhere.
#[allow(clippy::unnecessary_cast)]
pub fn write_filestat(mem: &mut GuestMem<'_>, ptr: u32, st: &libc::stat, unstable: bool) -> WasiResult<()> {
    let filetype = if st.st_mode & libc::S_IFMT == libc::S_IFSOCK {
        // Whether a socket is a stream cannot be told from `stat`.
        filetype::SOCKET_STREAM
    } else {
        filetype_of_mode(st.st_mode)
    };
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&(st.st_dev as u64).to_le_bytes());
    b[8..16].copy_from_slice(&(st.st_ino as u64).to_le_bytes());
    b[16] = filetype;
    let times = [
        nanos(st.st_atime, st.st_atime_nsec),
        nanos(st.st_mtime, st.st_mtime_nsec),
        nanos(st.st_ctime, st.st_ctime_nsec),
    ];
    let len = if unstable {
        b[20..24].copy_from_slice(&(st.st_nlink as u32).to_le_bytes());
        b[24..32].copy_from_slice(&(st.st_size as u64).to_le_bytes());
        for (i, t) in times.iter().enumerate() {
            b[32 + 8 * i..40 + 8 * i].copy_from_slice(&t.to_le_bytes());
        }
        56
    } else {
        b[24..32].copy_from_slice(&(st.st_nlink as u64).to_le_bytes());
        b[32..40].copy_from_slice(&(st.st_size as u64).to_le_bytes());
        for (i, t) in times.iter().enumerate() {
            b[40 + 8 * i..48 + 8 * i].copy_from_slice(&t.to_le_bytes());
        }
        64
    };
    mem.write(ptr, &b[..len])
}

/// Host `timespec`s for `futimens`/`utimensat` from WASI times and
/// `fstflags`; setting a time both to a value and to "now" is `Inval`.
pub fn timespecs(atim: u64, mtim: u64, flags: u16) -> WasiResult<[libc::timespec; 2]> {
    use super::errno::Errno;
    let one = |t: u64, set: u16, now: u16| -> WasiResult<libc::timespec> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::Inval),
            (false, true) => Ok(libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_NOW,
            }),
            (true, false) => Ok(libc::timespec {
                tv_sec: (t / 1_000_000_000) as libc::time_t,
                tv_nsec: (t % 1_000_000_000) as libc::c_long,
            }),
            (false, false) => Ok(libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_OMIT,
            }),
        }
    };
    if flags & !(fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW) != 0 {
        return Err(Errno::Inval);
    }
    Ok([
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ])
}
