#!/usr/bin/env python3
"""Generate the benchmark datasets deterministically with zarr-python (Zarr v2).

Usage: gen_data.py --size tiny|small|full --out bench/data/<size>

Arrays written (all 1-D float64, chunks of 1 Mi elements = 8 MiB):
  read_f64_blosc_lz4   Blosc-LZ4, clevel 5, byte shuffle; values np.round(N(0,1), 3)

An array already present with the right shape, chunks and compressor is kept.
New arrays are added to ARRAYS so later cases can reuse this script.
"""
import argparse
import os
import sys

import numcodecs
import numpy as np
import zarr

SIZES = {  # elements of float64
    "tiny": 1 << 20,        # 8 MiB
    "small": 25 << 20,      # 200 MiB
    "full": 256 << 20,      # 2 GiB
}
CHUNK = 1 << 20  # 1 Mi elements = 8 MiB of float64
SEED = 20240601


def blosc_lz4():
    return numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)


ARRAYS = {
    "read_f64_blosc_lz4": blosc_lz4,
}


def present(root, name, n, compressor):
    try:
        z = zarr.open_array(os.path.join(root, name), mode="r")
    except Exception:
        return False
    if z.shape != (n,) or z.chunks != (CHUNK,) or z.dtype != np.float64:
        return False
    if z.compressor != compressor:
        return False
    # every chunk must be there (an interrupted run leaves some missing)
    return z.nchunks_initialized == z.nchunks


def write(root, name, n, compressor):
    path = os.path.join(root, name)
    z = zarr.open_array(path, mode="w", shape=(n,), chunks=(CHUNK,), dtype="<f8",
                        compressor=compressor, zarr_version=2)
    rng = np.random.default_rng(SEED)
    # generate and write one chunk at a time: bounded memory, same stream for every size prefix
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        z[start:stop] = np.round(rng.standard_normal(stop - start), 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    n = SIZES[args.size]
    os.makedirs(args.out, exist_ok=True)
    zarr.open_group(args.out, mode="a")  # root .zgroup
    for name, make in ARRAYS.items():
        comp = make()
        if present(args.out, name, n, comp):
            print(f"gen_data: {args.out}/{name} present ({n} elements), kept", file=sys.stderr)
            continue
        print(f"gen_data: writing {args.out}/{name} ({n} float64, {n * 8 / 2**20:.0f} MiB)", file=sys.stderr)
        write(args.out, name, n, comp)


if __name__ == "__main__":
    main()
