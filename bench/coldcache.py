#!/usr/bin/env python3
"""Page-cache helpers for bench/run.sh: cold cases (the larger-than-RAM case, --size huge) and warm ones.

drop: evict a stored array's files from the page cache, so the next read comes from the disk.
  coldcache.py drop --dir DIR
  `sync`, then `echo 3 > /proc/sys/vm/drop_caches` when permitted (root), and in any case
  posix_fadvise(POSIX_FADV_DONTNEED) on every file under DIR (works unprivileged for clean pages). Prints one line
  to stderr: the method used and, when util-linux's `fincore` is there, how much of a sample of the files is still
  resident.

warm: read every file under DIR once (16 MiB reads), so a warm case starts from the page cache it claims. Prints one
line to stderr with the time it took (a slow warm means the files had been evicted: on a VM whose host reclaims idle
guest pages, e.g. a DAMON `pageout` scheme, a case's data can leave the cache between runs).
  coldcache.py warm --dir DIR

diskread: the disk's sequential read time, measured on the same files the case reads: drop as above, then read every
chunk file under DIR once, in key order, one thread, with O_DIRECT (the page cache plays no part: like
`dd if=FILE iflag=direct bs=8M` per file): 8 MiB reads into a page-aligned buffer (mmap), the last partial block read
at the aligned size (the kernel returns only the file's bytes, and only those are counted). When the file system
refuses O_DIRECT (tmpfs, some FUSE or network file systems: EINVAL on open or on the first read) it says so on stderr
and falls back to reading through the page cache after the drop (16 MiB reads), recording "direct": false and why.
  coldcache.py diskread --dir DIR --case NAME --when before|after >> RAW-disk.jsonl
  Prints one JSON line {"case", "kind": "disk_read", "when", "bytes", "files", "seconds", "gbps", "cache", "direct",
  "fallback"?}.
"""
import argparse
import errno
import json
import mmap
import os
import shutil
import subprocess
import sys
import time

BLOCK = 16 << 20
DIRECT_BLOCK = 8 << 20  # a multiple of any logical block size, so every read but a file's last stays aligned


def chunk_files(root):
    """Every file under root except Zarr metadata (.zarray, .zattrs, ...), chunk keys in numeric order."""
    def key(rel):
        parts = rel.replace(os.sep, ".").split(".")
        return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]

    rels = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.startswith("."):
                rels.append(os.path.relpath(os.path.join(dirpath, f), root))
    return [os.path.join(root, r) for r in sorted(rels, key=key)]


def resident_fraction(paths):
    """Fraction of the bytes of a sample of paths in the page cache (fincore), or None without fincore."""
    if not paths or not shutil.which("fincore"):
        return None
    sample = paths[:: max(1, len(paths) // 64)]
    try:
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--raw", "-o", "RES,SIZE", *sample],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    res = size = 0
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2:
            res, size = res + int(fields[0]), size + int(fields[1])
    return res / size if size else None


def drop(root):
    """Evict root's files from the page cache; returns (method, files)."""
    paths = chunk_files(root)
    os.sync()
    methods = []
    try:
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as f:
            f.write("3\n")
        methods.append("drop_caches")
    except OSError:
        pass
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    methods.append("fadvise")
    method = "+".join(methods)
    frac = resident_fraction(paths)
    left = "" if frac is None else f"; {frac * 100:.1f}% of a sample still cached"
    print(f"coldcache: dropped {len(paths)} files of {root} from the page cache ({method}{left})", file=sys.stderr)
    return method, paths


def read_all(paths):
    """Reads every path once, 16 MiB at a time; returns the bytes read."""
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    total = 0
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while True:
                n = f.readinto(view)
                if not n:
                    break
                total += n
    return total


class DirectRefused(Exception):
    """The file system does not do O_DIRECT reads of this file."""


def read_direct(path, view):
    """Reads path once with O_DIRECT into the page-aligned view (DIRECT_BLOCK bytes); returns the file's bytes read."""
    size = os.path.getsize(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    except OSError as e:
        if e.errno == errno.EINVAL:
            raise DirectRefused(f"open(O_DIRECT) of {path}: {e.strerror}") from e
        raise
    total = 0
    try:
        while True:
            try:
                # sequential reads at offsets that stay multiples of DIRECT_BLOCK; at the end the kernel reads the
                # last partial block whole and returns only the bytes up to the file's end
                n = os.readv(fd, [view])
            except OSError as e:
                if e.errno == errno.EINVAL and total == 0:
                    raise DirectRefused(f"O_DIRECT read of {path}: {e.strerror}") from e
                raise
            if n == 0:
                break
            total += n
            if n < DIRECT_BLOCK and total < size:
                # a short read before the end would leave the next offset unaligned: finish the file buffered
                with open(path, "rb", buffering=0) as f:
                    f.seek(total)
                    while chunk := f.read(BLOCK):
                        total += len(chunk)
                break
    finally:
        os.close(fd)
    if total != size:
        sys.exit(f"coldcache.py: read {total} bytes of {path}, which has {size}")
    return total


def read_all_direct(paths):
    """Reads every path once with O_DIRECT; returns the bytes read (raises DirectRefused before reading much)."""
    buf = mmap.mmap(-1, DIRECT_BLOCK)  # anonymous mappings are page-aligned: O_DIRECT needs an aligned buffer
    view = memoryview(buf)
    try:
        return sum(read_direct(p, view) for p in paths)
    finally:
        view.release()
        buf.close()


def warm(root):
    paths = chunk_files(root)
    t0 = time.perf_counter()
    total = read_all(paths)
    seconds = time.perf_counter() - t0
    print(f"coldcache: warmed {len(paths)} files of {root} ({total / 2**20:.0f} MiB in {seconds:.2f} s)", file=sys.stderr)


def diskread(root, case, when):
    method, paths = drop(root)
    direct, fallback = True, None
    t0 = time.perf_counter()
    try:
        total = read_all_direct(paths)
    except DirectRefused as e:
        direct, fallback = False, str(e)
        print(f"coldcache: the file system refuses O_DIRECT ({e}); measuring through the page cache after dropping "
              f"it instead: this is not the disk alone", file=sys.stderr)
        method, paths = drop(root)
        t0 = time.perf_counter()
        total = read_all(paths)
    seconds = time.perf_counter() - t0
    rec = {"case": case, "kind": "disk_read", "when": when, "bytes": total, "files": len(paths),
           "seconds": seconds, "gbps": total / seconds / 1e9, "cache": method, "direct": direct}
    if fallback:
        rec["fallback"] = fallback
    print(f"coldcache: disk sequential read ({when}, {'O_DIRECT' if direct else 'buffered, NOT O_DIRECT'}): "
          f"{total / 2**30:.2f} GiB in {len(paths)} files, {seconds:.2f} s = {rec['gbps']:.2f} GB/s", file=sys.stderr)
    print(json.dumps(rec))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("drop", "warm", "diskread"))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--case", default="")
    ap.add_argument("--when", default="before")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        sys.exit(f"coldcache.py: no directory {a.dir}")
    if a.what == "drop":
        drop(a.dir)
    elif a.what == "warm":
        warm(a.dir)
    else:
        diskread(a.dir, a.case, a.when)


if __name__ == "__main__":
    main()
