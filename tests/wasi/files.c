// Weft WASI test: files and directories in a preopened folder, through the
// C library. Run with `--dir HOST::/sandbox` (or give the preopen's guest
// name as the first argument); the host puts `from_host.txt` there first and
// checks `kept.txt` afterwards.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(cond, what)                                                            \
    do {                                                                             \
        if (!(cond)) {                                                               \
            printf("FAILED %s (line %d): errno %d %s\n", what, __LINE__, errno,      \
                   strerror(errno));                                                 \
            return 1;                                                                \
        }                                                                            \
    } while (0)

static const char *root = "/sandbox";

/// `root/rel` in one of a few rotating buffers.
static const char *P(const char *rel) {
    static char bufs[4][512];
    static int k;
    char *b = bufs[k++ & 3];
    snprintf(b, 512, "%s%s%s", root, *rel ? "/" : "", rel);
    return b;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *rel) {
    const char *path = P(rel);
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s failed: %s\n", rel, strerror(errno));
        return;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("list /sandbox%s%s:", *rel ? "/" : "", rel);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static int count(const char *path) {
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv) {
    if (argc > 1) root = argv[1];
    char buf[128];
    struct stat st;

    FILE *f = fopen(P("from_host.txt"), "r");
    CHECK(f, "open from_host.txt");
    CHECK(fgets(buf, sizeof buf, f), "read from_host.txt");
    fclose(f);
    printf("from host: %s", buf);

    CHECK(mkdir(P("dir"), 0755) == 0, "mkdir");
    CHECK(mkdir(P("dir"), 0755) != 0 && errno == EEXIST, "mkdir twice gives EEXIST");
    f = fopen(P("dir/a.txt"), "w");
    CHECK(f, "create a.txt");
    fputs("hello file\n", f);
    fclose(f);
    CHECK(stat(P("dir/a.txt"), &st) == 0, "stat a.txt");
    printf("a.txt: size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    int fd = open(P("dir/a.txt"), O_RDWR);
    CHECK(fd >= 0, "open a.txt rw");
    CHECK(pwrite(fd, "WORLD", 5, 6) == 5, "pwrite");
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 11, "pread");
    printf("after pwrite: %s\n", buf);
    CHECK(lseek(fd, 0, SEEK_END) == 11, "lseek end");
    CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek set");
    CHECK(read(fd, buf, 3) == 3, "read");
    buf[3] = 0;
    printf("read at 2: %s\n", buf);
    CHECK(lseek(fd, 0, SEEK_CUR) == 5, "tell");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5, "fstat after truncate");
    CHECK(fsync(fd) == 0, "fsync");
    close(fd);

    f = fopen(P("dir/a.txt"), "a");
    CHECK(f, "open for append");
    fputs("+tail", f);
    fclose(f);
    f = fopen(P("dir/a.txt"), "r");
    memset(buf, 0, sizeof buf);
    CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 10, "read back");
    fclose(f);
    printf("after append: %s\n", buf);

    CHECK(rename(P("dir/a.txt"), P("dir/b.txt")) == 0, "rename");
    CHECK(access(P("dir/a.txt"), F_OK) != 0 && errno == ENOENT, "old name gone");
    CHECK(link(P("dir/b.txt"), P("dir/c.txt")) == 0, "link");
    CHECK(stat(P("dir/c.txt"), &st) == 0, "stat c.txt");
    printf("c.txt: size %lld links %lld\n", (long long)st.st_size, (long long)st.st_nlink);
    CHECK(symlink("b.txt", P("dir/link")) == 0, "symlink");
    ssize_t n = readlink(P("dir/link"), buf, sizeof buf);
    CHECK(n > 0, "readlink");
    buf[n] = 0;
    printf("link -> %s\n", buf);
    CHECK(lstat(P("dir/link"), &st) == 0 && S_ISLNK(st.st_mode), "lstat link");
    CHECK(stat(P("dir/link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10, "stat via link");
    f = fopen(P("dir/link"), "r");
    CHECK(f && fgets(buf, sizeof buf, f), "read via link");
    fclose(f);
    printf("via link: %s\n", buf);
    list("dir");

    struct timespec times[2] = {{1000000000, 0}, {1000000000, 500}};
    CHECK(utimensat(AT_FDCWD, P("dir/b.txt"), times, 0) == 0, "utimensat");
    CHECK(stat(P("dir/b.txt"), &st) == 0, "stat after utimensat");
    printf("mtime: %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

    CHECK(open(P("missing.txt"), O_RDONLY) < 0 && errno == ENOENT, "missing file gives ENOENT");
    CHECK(open(P("dir"), O_WRONLY) < 0 && errno == EISDIR, "writing a directory gives EISDIR");
    CHECK(rmdir(P("dir")) != 0 && errno == ENOTEMPTY, "rmdir non-empty gives ENOTEMPTY");
    CHECK(unlink(P("dir/link")) == 0, "unlink link");
    CHECK(unlink(P("dir/c.txt")) == 0, "unlink c.txt");
    CHECK(unlink(P("dir/b.txt")) == 0, "unlink b.txt");
    CHECK(rmdir(P("dir")) == 0, "rmdir");
    CHECK(stat(P("dir"), &st) != 0 && errno == ENOENT, "dir gone");

    // Many entries: the listing spans several fd_readdir calls.
    CHECK(mkdir(P("many"), 0755) == 0, "mkdir many");
    for (int i = 0; i < 300; i++) {
        snprintf(buf, sizeof buf, "%s/many/file-with-a-rather-long-name-%03d", root, i);
        int fd2 = open(buf, O_CREAT | O_WRONLY | O_EXCL, 0644);
        CHECK(fd2 >= 0, "create many");
        close(fd2);
    }
    printf("many: %d entries\n", count(P("many")));
    for (int i = 0; i < 300; i++) {
        snprintf(buf, sizeof buf, "%s/many/file-with-a-rather-long-name-%03d", root, i);
        CHECK(unlink(buf) == 0, "unlink many");
    }
    CHECK(rmdir(P("many")) == 0, "rmdir many");

    f = fopen(P("kept.txt"), "w");
    CHECK(f, "create kept.txt");
    fputs("kept by guest\n", f);
    fclose(f);
    list("");
    printf("done\n");
    return 0;
}
