#!/usr/bin/env python3
"""Informational peer for sum_inmemory: np.sum over the same in-memory float64 array the C# runner builds.

  numpy_sum.py --mib 512 --case NAME

Element k is ((k * 7919) % 2001 - 1000) * 0.25: multiples of 0.25 whose partial sums are exact in float64, so every
summation order gives the same checksum. Only np.sum is timed (best of --iterations, default 5, after one warm-up).
"""
import argparse
import json
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    n = args.mib * (1 << 20) // 8
    data = ((np.arange(n, dtype=np.int64) * 7919) % 2001 - 1000).astype(np.float64) * 0.25
    total = float(np.sum(data))  # warm-up
    best = float("inf")
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        total = float(np.sum(data))
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"case": args.case, "tool": "numpy", "seconds": best, "bytes": int(data.nbytes),
                      "checksum": total, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
