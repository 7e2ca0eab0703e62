#!/usr/bin/env python3
"""Peer for the 'read' case: zarr-python reads a whole array into memory (z[:]).

Prints one JSON line: {"case", "tool", "seconds", "bytes", "checksum"}; seconds covers only the read.
"""
import argparse
import json
import time

import numpy as np
import zarr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--array", required=True)
    ap.add_argument("--case", default="read")
    args = ap.parse_args()
    z = zarr.open_array(args.store, path=args.array, mode="r")
    t0 = time.perf_counter()
    data = z[:]
    seconds = time.perf_counter() - t0
    checksum = float(np.sum(data, dtype=np.float64))
    print(json.dumps({"case": args.case, "tool": "zarr-python", "seconds": seconds,
                      "bytes": int(data.nbytes), "checksum": checksum}))


if __name__ == "__main__":
    main()
