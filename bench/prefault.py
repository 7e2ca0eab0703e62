#!/usr/bin/env python3
"""Touch (then free) enough memory for the coming runs, once, before any timed run.

On a virtual machine whose host backs guest memory lazily, the first touch of a guest page that was never used since
boot costs several times a normal page fault (measured here: ~10 us against ~0.4 us per 4 KiB page). Whichever
benchmark process happens to receive such pages loses seconds at the 2 GiB size, at random. Touching the memory the
runs will need once, up front, makes both tools see already-backed pages. Capped at 40% of MemAvailable.

  prefault.py --bytes N
"""
import argparse
import sys
import time

import numpy as np


def mem_available():
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bytes", type=int, required=True)
    a = ap.parse_args()
    n = min(a.bytes, int(mem_available() * 0.4)) // 8
    if n <= 0:
        return
    t = time.perf_counter()
    block = np.empty(n, dtype=np.float64)
    block[::512] = 0.0  # one write per 4 KiB page
    del block
    print(f"prefault: touched {n * 8 / 2**30:.1f} GiB in {time.perf_counter() - t:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
