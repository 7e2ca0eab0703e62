#!/usr/bin/env python3
"""Generate the benchmark datasets deterministically with zarr-python (Zarr v2).

Usage: gen_data.py --size tiny|small|full --out bench/data/<size>

Arrays written (Blosc-LZ4, clevel 5, byte shuffle):
  read_f64_blosc_lz4   1-D float64, chunks of 1 Mi elements (8 MiB); values np.round(N(0,1), 3).
                       tiny 8 MiB, small 200 MiB, full 2 GiB. Used by read, mean/sum/std_f64 and chain_std_f64.
  grid_f32_blosc_lz4   2-D float32, chunks 2048 x 2048 (16 MiB), like a user's gridded field; values
                       np.round(15 + 10 N(0,1), 2) (temperature-like: the means are far from 0, so the checksum of a
                       mean vector is well conditioned). tiny 2500 x 900 (partial chunks), small 10240 x 5120
                       (200 MiB), full 32768 x 16384 (2 GiB). Used by mean_axis0_f32 and mean_axis1_f32.
  big_f64_blosc_lz4    1-D float64 like read_f64_blosc_lz4, for the memory-bounded rss_std_budget case:
                       tiny 64 MiB, small 1 GiB, full 8 GiB (or 2 GiB with --big-gib 2 when the disk is short).

An array already present with the right shape, chunks, dtype and compressor is kept.
"""
import argparse
import os
import sys

import numcodecs
import numpy as np
import zarr

SEED = 20240601
MI = 1 << 20


def blosc_lz4():
    return numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)


def arrays(size, big_gib):
    """name -> (shape, chunks, dtype, generator of (slice, values) blocks)."""
    n_read = {"tiny": 1 * MI, "small": 25 * MI, "full": 256 * MI}[size]
    n_big = {"tiny": 8 * MI, "small": 128 * MI, "full": big_gib * 128 * MI}[size]
    grid = {"tiny": (2500, 900), "small": (10240, 5120), "full": (32768, 16384)}[size]
    return {
        "read_f64_blosc_lz4": ((n_read,), (MI,), "<f8", normal_1d),
        "grid_f32_blosc_lz4": (grid, (2048, 2048), "<f4", temperature_2d),
        "big_f64_blosc_lz4": ((n_big,), (MI,), "<f8", normal_1d),
    }


def normal_1d(z):
    n, chunk = z.shape[0], z.chunks[0]
    rng = np.random.default_rng(SEED)
    # one chunk at a time: bounded memory, same stream for every size prefix
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        z[start:stop] = np.round(rng.standard_normal(stop - start), 3)


def temperature_2d(z):
    rows, cols = z.shape
    band = z.chunks[0]
    rng = np.random.default_rng(SEED + 1)
    for start in range(0, rows, band):  # one band of chunk rows at a time
        stop = min(rows, start + band)
        z[start:stop, :] = np.round(15.0 + 10.0 * rng.standard_normal((stop - start, cols)), 2).astype(np.float32)


def present(root, name, shape, chunks, dtype, compressor):
    try:
        z = zarr.open_array(os.path.join(root, name), mode="r")
    except Exception:
        return False
    if z.shape != shape or z.chunks != chunks or z.dtype != np.dtype(dtype):
        return False
    if z.compressor != compressor:
        return False
    # every chunk must be there (an interrupted run leaves some missing)
    return z.nchunks_initialized == z.nchunks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=("tiny", "small", "full"), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--big-gib", type=int, choices=(2, 8), default=8,
                    help="size of big_f64_blosc_lz4 at --size full (8 GiB unless the disk is short)")
    ap.add_argument("--only", help="generate only this array")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    zarr.open_group(args.out, mode="a")  # root .zgroup
    for name, (shape, chunks, dtype, fill) in arrays(args.size, args.big_gib).items():
        if args.only and name != args.only:
            continue
        comp = blosc_lz4()
        nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
        if present(args.out, name, shape, chunks, dtype, comp):
            print(f"gen_data: {args.out}/{name} present ({shape}, {nbytes / MI:.0f} MiB), kept", file=sys.stderr)
            continue
        print(f"gen_data: writing {args.out}/{name} ({shape} {dtype}, {nbytes / MI:.0f} MiB)", file=sys.stderr)
        z = zarr.open_array(os.path.join(args.out, name), mode="w", shape=shape, chunks=chunks, dtype=dtype,
                            compressor=comp, zarr_version=2)
        fill(z)


if __name__ == "__main__":
    main()
