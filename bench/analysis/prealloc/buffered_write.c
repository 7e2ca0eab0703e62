// A 512 MiB buffered write into a new file, with and without fallocate(FALLOC_FL_KEEP_SIZE) first (what NumPy's
// tofile does), alternating: bench/analysis/npy_save.md. Usage: buffered_write FILE [ROUNDS]
// Build: gcc -O2 -o /tmp/buffered_write bench/analysis/prealloc/buffered_write.c
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]); return 2; }
    const char *path = argv[1];
    int rounds = argc > 2 ? atoi(argv[2]) : 4;
    size_t n = (size_t)512 << 20, huge = (size_t)2 << 20;
    char *raw = mmap(NULL, n + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) { perror("mmap"); return 1; }
    char *buf = (char *)(((size_t)raw + huge - 1) & ~(huge - 1)); // a huge-page source, as NumPy's arrays are
    madvise(buf, n, MADV_HUGEPAGE);
    memset(buf, 7, n);
    for (int r = 0; r < 2 * rounds + 2; r++) {
        int prealloc = r % 2;
        unlink(path);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) { perror("open"); return 1; }
        double t = now();
        if (prealloc && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)n) != 0) perror("fallocate");
        if (pwrite(fd, buf, n, 0) != (ssize_t)n) { perror("pwrite"); return 1; }
        t = now() - t;
        close(fd);
        if (r >= 2) printf("%s %.3f s\n", prealloc ? "fallocate" : "plain    ", t); // the first two: warm-up
    }
    unlink(path);
    return 0;
}
