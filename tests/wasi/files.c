// Weft WASI test: files and directories in a preopened folder, through the
// C library. Run with `--dir HOST::/sandbox`; the host puts `from_host.txt`
// there first and checks `kept.txt` afterwards.
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

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s failed: %s\n", path, strerror(errno));
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
    printf("list %s:", path);
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

int main(void) {
    char buf[128];
    struct stat st;

    FILE *f = fopen("/sandbox/from_host.txt", "r");
    CHECK(f, "open from_host.txt");
    CHECK(fgets(buf, sizeof buf, f), "read from_host.txt");
    fclose(f);
    printf("from host: %s", buf);

    CHECK(mkdir("/sandbox/dir", 0755) == 0, "mkdir");
    CHECK(mkdir("/sandbox/dir", 0755) != 0 && errno == EEXIST, "mkdir twice gives EEXIST");
    f = fopen("/sandbox/dir/a.txt", "w");
    CHECK(f, "create a.txt");
    fputs("hello file\n", f);
    fclose(f);
    CHECK(stat("/sandbox/dir/a.txt", &st) == 0, "stat a.txt");
    printf("a.txt: size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    int fd = open("/sandbox/dir/a.txt", O_RDWR);
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

    f = fopen("/sandbox/dir/a.txt", "a");
    CHECK(f, "open for append");
    fputs("+tail", f);
    fclose(f);
    f = fopen("/sandbox/dir/a.txt", "r");
    memset(buf, 0, sizeof buf);
    CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 10, "read back");
    fclose(f);
    printf("after append: %s\n", buf);

    CHECK(rename("/sandbox/dir/a.txt", "/sandbox/dir/b.txt") == 0, "rename");
    CHECK(access("/sandbox/dir/a.txt", F_OK) != 0 && errno == ENOENT, "old name gone");
    CHECK(link("/sandbox/dir/b.txt", "/sandbox/dir/c.txt") == 0, "link");
    CHECK(stat("/sandbox/dir/c.txt", &st) == 0, "stat c.txt");
    printf("c.txt: size %lld links %lld\n", (long long)st.st_size, (long long)st.st_nlink);
    CHECK(symlink("b.txt", "/sandbox/dir/link") == 0, "symlink");
    ssize_t n = readlink("/sandbox/dir/link", buf, sizeof buf);
    CHECK(n > 0, "readlink");
    buf[n] = 0;
    printf("link -> %s\n", buf);
    CHECK(lstat("/sandbox/dir/link", &st) == 0 && S_ISLNK(st.st_mode), "lstat link");
    CHECK(stat("/sandbox/dir/link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10, "stat via link");
    f = fopen("/sandbox/dir/link", "r");
    CHECK(f && fgets(buf, sizeof buf, f), "read via link");
    fclose(f);
    printf("via link: %s\n", buf);
    list("/sandbox/dir");

    struct timespec times[2] = {{1000000000, 0}, {1000000000, 500}};
    CHECK(utimensat(AT_FDCWD, "/sandbox/dir/b.txt", times, 0) == 0, "utimensat");
    CHECK(stat("/sandbox/dir/b.txt", &st) == 0, "stat after utimensat");
    printf("mtime: %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

    CHECK(open("/sandbox/missing.txt", O_RDONLY) < 0 && errno == ENOENT, "missing file gives ENOENT");
    CHECK(open("/sandbox/dir", O_WRONLY) < 0 && errno == EISDIR, "writing a directory gives EISDIR");
    CHECK(rmdir("/sandbox/dir") != 0 && errno == ENOTEMPTY, "rmdir non-empty gives ENOTEMPTY");
    CHECK(unlink("/sandbox/dir/link") == 0, "unlink link");
    CHECK(unlink("/sandbox/dir/c.txt") == 0, "unlink c.txt");
    CHECK(unlink("/sandbox/dir/b.txt") == 0, "unlink b.txt");
    CHECK(rmdir("/sandbox/dir") == 0, "rmdir");
    CHECK(stat("/sandbox/dir", &st) != 0 && errno == ENOENT, "dir gone");

    // Many entries: the listing spans several fd_readdir calls.
    CHECK(mkdir("/sandbox/many", 0755) == 0, "mkdir many");
    for (int i = 0; i < 300; i++) {
        snprintf(buf, sizeof buf, "/sandbox/many/file-with-a-rather-long-name-%03d", i);
        int fd2 = open(buf, O_CREAT | O_WRONLY | O_EXCL, 0644);
        CHECK(fd2 >= 0, "create many");
        close(fd2);
    }
    printf("many: %d entries\n", count("/sandbox/many"));
    for (int i = 0; i < 300; i++) {
        snprintf(buf, sizeof buf, "/sandbox/many/file-with-a-rather-long-name-%03d", i);
        CHECK(unlink(buf) == 0, "unlink many");
    }
    CHECK(rmdir("/sandbox/many") == 0, "rmdir many");

    f = fopen("/sandbox/kept.txt", "w");
    CHECK(f, "create kept.txt");
    fputs("kept by guest\n", f);
    fclose(f);
    list("/sandbox");
    printf("done\n");
    return 0;
}
