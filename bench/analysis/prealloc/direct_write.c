// 16 files of 32 MiB written with O_DIRECT in 4 MiB writes and fdatasync'd, with and without
// fallocate(FALLOC_FL_KEEP_SIZE) first: bench/analysis/npy_save.md. Usage: direct_write DIR [ROUNDS]
// Build: gcc -O2 -o /tmp/direct_write bench/analysis/prealloc/direct_write.c
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]); return 2; }
    int rounds = argc > 2 ? atoi(argv[2]) : 2;
    size_t n = (size_t)32 << 20, step = (size_t)4 << 20;
    char *buf, path[4096];
    if (posix_memalign((void **)&buf, 4096, n) != 0) return 1;
    for (size_t i = 0; i < n; i++) buf[i] = (char)rand(); // incompressible, as staged frames are
    for (int r = 0; r < 2 * rounds; r++) {
        int prealloc = r % 2;
        for (int f = 0; f < 16; f++) { snprintf(path, sizeof path, "%s/direct%d.bin", argv[1], f); unlink(path); }
        sync();
        double t = now();
        for (int f = 0; f < 16; f++) {
            snprintf(path, sizeof path, "%s/direct%d.bin", argv[1], f);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_DIRECT, 0644);
            if (fd < 0) { perror("open"); return 1; }
            if (prealloc && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)n) != 0) perror("fallocate");
            for (size_t o = 0; o < n; o += step) {
                if (pwrite(fd, buf + o, step, (off_t)o) != (ssize_t)step) { perror("pwrite"); return 1; }
            }
            fdatasync(fd);
            close(fd);
        }
        printf("%s %.3f s for 512 MiB\n", prealloc ? "fallocate" : "plain    ", now() - t);
    }
    for (int f = 0; f < 16; f++) { snprintf(path, sizeof path, "%s/direct%d.bin", argv[1], f); unlink(path); }
    return 0;
}
