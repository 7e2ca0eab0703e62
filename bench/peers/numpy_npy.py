#!/usr/bin/env python3
"""Peer for npy_save / npy_load: np.save of a float64 array to --scratch, or np.load of --npy.

  numpy_npy.py --npy FILE --op save|load [--scratch FILE] [--iterations 3] --case NAME

Best of --iterations after one warm-up; the page cache is warm (np.save does not fsync). Checksum: the sum of the values.
"""
import argparse
import json
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npy", required=True)
    ap.add_argument("--op", choices=("save", "load"), required=True)
    ap.add_argument("--scratch")
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    data = np.load(args.npy)
    best = float("inf")
    for i in range(args.iterations + 1):
        if args.op == "load":
            t0 = time.perf_counter()
            data = np.load(args.npy)
            s = time.perf_counter() - t0
        else:
            if os.path.exists(args.scratch):
                os.remove(args.scratch)
            t0 = time.perf_counter()
            np.save(args.scratch, data)
            s = time.perf_counter() - t0
        if i > 0:
            best = min(best, s)
    if args.op == "save":
        os.remove(args.scratch)
    print(json.dumps({"case": args.case, "tool": "numpy", "seconds": best, "bytes": int(data.nbytes),
                      "checksum": float(np.sum(data, dtype=np.float64)), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
