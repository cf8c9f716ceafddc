// Weft WASI test: attempts to leave the preopened folder. Uses the raw WASI
// calls on the preopen (descriptor 3) so that the runtime, not the C
// library, decides. The host prepares, inside the folder: inside.txt,
// sub/, etc_link -> /etc, rel_escape -> ../outside.txt,
// inside_link -> sub/../inside.txt, loop_a <-> loop_b; and outside.txt next
// to the folder.
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <errno.h>
#include <wasi/api.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "SUCCESS";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_FAULT: return "EFAULT";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NAMETOOLONG: return "ENAMETOOLONG";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_NOTEMPTY: return "ENOTEMPTY";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    default: return "other";
    }
}

// The raw import, to pass a path pointer the C wrapper would dereference.
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_create_directory")));

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET)

static int open_at(const char *path, int follow, int oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(3, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, oflags, rights, 0, 0, &fd);
    if (e == 0) (void)__wasi_fd_close(fd);
    return e;
}

int main(void) {
    char dir[64] = {0};
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(3, &pre) || __wasi_fd_prestat_dir_name(3, (uint8_t *)dir, pre.u.dir.pr_name_len))
        return 1;
    printf("preopen 3: %s\n", dir);

    printf("open ../outside.txt: %s\n", name(open_at("../outside.txt", 0, 0, R_READ)));
    printf("open /etc/passwd: %s\n", name(open_at("/etc/passwd", 0, 0, R_READ)));
    printf("open sub/../../outside.txt: %s\n", name(open_at("sub/../../outside.txt", 0, 0, R_READ)));
    printf("open etc_link/passwd: %s\n", name(open_at("etc_link/passwd", 1, 0, R_READ)));
    printf("open etc_link (follow): %s\n", name(open_at("etc_link", 1, __WASI_OFLAGS_DIRECTORY, R_READ)));
    printf("open etc_link (nofollow): %s\n", name(open_at("etc_link", 0, 0, R_READ)));
    printf("open rel_escape (follow): %s\n", name(open_at("rel_escape", 1, 0, R_READ)));
    printf("open loop_a (follow): %s\n", name(open_at("loop_a", 1, 0, R_READ)));
    printf("open sub/../inside.txt: %s\n", name(open_at("sub/../inside.txt", 0, 0, R_READ)));
    printf("open inside_link (follow): %s\n", name(open_at("inside_link", 1, 0, R_READ)));
    printf("open ./sub/./../inside.txt: %s\n", name(open_at("./sub/./../inside.txt", 0, 0, R_READ)));
    printf("create ../evil.txt: %s\n",
           name(open_at("../evil.txt", 0, __WASI_OFLAGS_CREAT, R_READ | __WASI_RIGHTS_FD_WRITE)));
    printf("create etc_link/evil (follow): %s\n",
           name(open_at("etc_link/evil", 1, __WASI_OFLAGS_CREAT, R_READ | __WASI_RIGHTS_FD_WRITE)));
    printf("create rel_escape (follow): %s\n",
           name(open_at("rel_escape", 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_READ | __WASI_RIGHTS_FD_WRITE)));
    printf("mkdir ../evil_dir: %s\n", name(__wasi_path_create_directory(3, "../evil_dir")));
    printf("mkdir etc_link/evil_dir: %s\n", name(__wasi_path_create_directory(3, "etc_link/evil_dir")));
    printf("rmdir ..: %s\n", name(__wasi_path_remove_directory(3, "..")));
    printf("unlink ../outside.txt: %s\n", name(__wasi_path_unlink_file(3, "../outside.txt")));
    printf("rename to ../moved.txt: %s\n", name(__wasi_path_rename(3, "inside.txt", 3, "../moved.txt")));
    printf("rename from ../outside.txt: %s\n", name(__wasi_path_rename(3, "../outside.txt", 3, "stolen.txt")));
    printf("link ../outside.txt: %s\n", name(__wasi_path_link(3, 0, "../outside.txt", 3, "hard.txt")));
    printf("link etc_link/passwd (follow): %s\n",
           name(__wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "etc_link/passwd", 3, "hard.txt")));
    printf("symlink to /etc: %s\n", name(__wasi_path_symlink("/etc", 3, "my_etc")));
    printf("symlink to ../../x: %s\n", name(__wasi_path_symlink("sub/../../x", 3, "my_up")));
    printf("symlink to sub/../inside.txt: %s\n", name(__wasi_path_symlink("sub/../inside.txt", 3, "my_ok")));
    __wasi_filestat_t fst;
    printf("stat etc_link/passwd: %s\n",
           name(__wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "etc_link/passwd", &fst)));
    printf("stat etc_link (nofollow): %s type %d\n", name(__wasi_path_filestat_get(3, 0, "etc_link", &fst)),
           fst.filetype);
    printf("stat ..: %s\n", name(__wasi_path_filestat_get(3, 0, "..", &fst)));
    printf("stat .: %s type %d\n", name(__wasi_path_filestat_get(3, 0, ".", &fst)), fst.filetype);
    uint8_t buf[64];
    __wasi_size_t n = 0;
    int e = __wasi_path_readlink(3, "etc_link", buf, sizeof buf, &n);
    printf("readlink etc_link: %s %.*s\n", name(e), (int)n, buf);
    __wasi_timestamp_t t = 0;
    printf("set times etc_link/passwd: %s\n",
           name(__wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "etc_link/passwd", t, t,
                                               __WASI_FSTFLAGS_MTIM)));

    // Rights: a read-only descriptor cannot write, and cannot gain rights.
    __wasi_fd_t ro;
    e = __wasi_path_open(3, 0, "inside.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &ro);
    printf("open read-only: %s\n", name(e));
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    printf("write read-only: %s\n", name(__wasi_fd_write(ro, &iov, 1, &n)));
    printf("seek without right: %s\n", name(__wasi_fd_seek(ro, 1, __WASI_WHENCE_SET, &t)));
    printf("widen rights: %s\n", name(__wasi_fd_fdstat_set_rights(ro, R_READ | __WASI_RIGHTS_FD_WRITE, 0)));
    printf("path_open on a file: %s\n", name(__wasi_path_open(ro, 0, "x", 0, 0, 0, 0, &ro)));
    (void)__wasi_fd_close(ro);
    printf("use after close: %s\n", name(__wasi_fd_write(ro, &iov, 1, &n)));

    // Bad pointers from the guest give EFAULT, not a crash.
    printf("bad iovec array: %s\n", name(__wasi_fd_write(1, (const __wasi_ciovec_t *)0xfffffff0u, 1, &n)));
    __wasi_ciovec_t bad = {(const uint8_t *)0xffff0000u, 0x10000};
    printf("bad buffer: %s\n", name(__wasi_fd_write(1, &bad, 1, &n)));
    printf("bad path: %s\n", name(raw_path_create_directory(3, (int32_t)0xfffffff0u, 100)));
    printf("bad result pointer: %s\n", name(__wasi_random_get((uint8_t *)0xfffffff0u, 32)));

    // Through the C library as well.
    errno = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    printf("libc open /etc/passwd: %s\n", fd < 0 ? "failed" : "OPENED");
    fd = open("/sandbox/../outside.txt", O_RDONLY);
    printf("libc open /sandbox/../outside.txt: %s\n", fd < 0 ? "failed" : "OPENED");
    fd = open("/sandbox/etc_link/passwd", O_RDONLY);
    printf("libc open /sandbox/etc_link/passwd: %s\n", fd < 0 ? "failed" : "OPENED");
    printf("done\n");
    return 0;
}
