#!/usr/bin/env python3
"""Generate the benchmark datasets deterministically with zarr-python (Zarr v2).

Usage: gen_data.py --size tiny|small|full --out bench/data/<size>
       gen_data.py --size huge --out bench/data/huge [--huge-gib 32]

Arrays written (Blosc-LZ4, clevel 5, byte shuffle):
  read_f64_blosc_lz4   1-D float64, chunks of 1 Mi elements (8 MiB); values np.round(N(0,1), 3).
                       tiny 8 MiB, small 200 MiB, full 2 GiB. Used by read, mean/sum/std_f64 and chain_std_f64.
  grid_f32_blosc_lz4   2-D float32, chunks 2048 x 2048 (16 MiB), like a user's gridded field; values
                       np.round(15 + 10 N(0,1), 2) (temperature-like: the means are far from 0, so the checksum of a
                       mean vector is well conditioned). tiny 2500 x 900 (partial chunks), small 10240 x 5120
                       (200 MiB), full 32768 x 16384 (2 GiB). Used by mean_axis0_f32 and mean_axis1_f32.
  big_f64_blosc_lz4    1-D float64 like read_f64_blosc_lz4, for the memory-bounded rss_std_budget case:
                       tiny 64 MiB, small 1 GiB, full 8 GiB (or 2 GiB with --big-gib 2 when the disk is short).
  rechunk_f32_blosc_lz4  2-D float32 in square chunks, the source of rechunk_2d (which rewrites it as full-height
                       column bands 1/8 of a chunk wide): values like grid_f32_blosc_lz4. tiny 8192 x 4096 in 1024^2
                       chunks (128 MiB), small 16384 x 8192 in 2048^2 (512 MiB), full 32768 x 16384 in 4096^2 (2 GiB).
  tsqr_f64_blosc_lz4   2-D tall-and-skinny float64, 64 columns, row blocks of all 64 columns; values N(0,1) (barely
                       compressible). tiny 16384 x 64 in 2048-row chunks (8 MiB), small 409600 x 64 in 32768-row chunks
                       (200 MiB), full 4194304 x 64 in 32768-row chunks (2 GiB, 16 MiB chunks). Used by tsqr.
  append_base_small,   1-D float64 in the append cases' chunks, every chunk stored and all equal to 1.0 (written once
  append_base_large    by zarr-python, then its file copied to every other key: cheap, and it compresses to almost
                       nothing): the base arrays append_big appends to (copies of them). small/large: tiny 8/128 MiB in
                       1 MiB chunks, small and full 1/16 GiB in 8 MiB chunks (128 and 2048 chunk files at full).

  huge_f64_blosc_lz4   --size huge only (and then the only array written): 1-D float64 like read_f64_blosc_lz4 (same
                       generator, 8 MiB chunks), --huge-gib GiB (32 by default: larger than this machine's RAM), for
                       the huge_std case. Written one chunk at a time (bounded memory); it takes ~0.95x its logical
                       size on disk (LZ4 barely compresses rounded normals), and is refused when the disk lacks room.

Plain .npy files (NumPy, fixed seed; not Zarr), for the codec_* and npy_* cases:
  codec_arange_i64.npy    np.arange(n, dtype=int64)                  } n = 12,500,000 (100 MB) at small and full,
  codec_linspace_f64.npy  np.linspace(0, 100, n)                     } 1,000,000 (8 MB) at tiny: the Bloscpack
  codec_poisson_i64.npy   rng.poisson(100, n).astype(int64)          } benchmark's datasets
  npy_f64.npy             np.round(N(0,1), 3), 512 MiB (8 MiB at tiny), for npy_load
  append_step_f64.npy     np.round(N(0,1), 3), one append step of the append cases (tiny 1 MiB, small 8 MiB,
                          full 64 MiB); step k appends this block + k

An array already present with the right shape, chunks, dtype and compressor is kept.
"""
import argparse
import os
import shutil
import sys

import numcodecs
import numpy as np
import zarr

SEED = 20240601
MI = 1 << 20


def blosc_lz4():
    return numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)


def arrays(size, big_gib, huge_gib=32):
    """name -> (shape, chunks, dtype, generator of (slice, values) blocks)."""
    if size == "huge":
        return {"huge_f64_blosc_lz4": ((huge_gib * 128 * MI,), (MI,), "<f8", normal_1d)}
    n_read = {"tiny": 1 * MI, "small": 25 * MI, "full": 256 * MI}[size]
    n_big = {"tiny": 8 * MI, "small": 128 * MI, "full": big_gib * 128 * MI}[size]
    grid = {"tiny": (2500, 900), "small": (10240, 5120), "full": (32768, 16384)}[size]
    return {
        "read_f64_blosc_lz4": ((n_read,), (MI,), "<f8", normal_1d),
        "grid_f32_blosc_lz4": (grid, (2048, 2048), "<f4", temperature_2d),
        "big_f64_blosc_lz4": ((n_big,), (MI,), "<f8", normal_1d),
        "rechunk_f32_blosc_lz4": RECHUNK[size][:2] + ("<f4", temperature_2d),
        "tsqr_f64_blosc_lz4": TSQR[size] + ("<f8", normal_2d),
    }


# tsqr: (shape, chunks) of the tall-and-skinny array.
TSQR = {
    "tiny": ((16384, 64), (2048, 64)),
    "small": ((409600, 64), (32768, 64)),
    "full": ((4194304, 64), (32768, 64)),
}


# append / append_big: (chunk elements, step elements, steps of `append`, base elements small/large, steps of append_big).
# full: 1 GiB in 64 MiB steps (16 commits) into 8 MiB chunks; append_big: 5 steps onto 1 GiB and 16 GiB bases.
APPEND = {
    "tiny": (128 * 1024, 128 * 1024, 8, 1 * MI, 16 * MI, 5),
    "small": (MI, MI, 16, 128 * MI, 2048 * MI, 5),
    "full": (MI, 8 * MI, 16, 128 * MI, 2048 * MI, 5),
}


# rechunk_2d: (shape, source chunks, target chunks, memory budget in bytes). The target is full-height column bands
# 1/8 of a source chunk wide (full: 32768 x 512); the budget is 1 GiB at full, scaled with the array elsewhere.
RECHUNK = {
    "tiny": ((8192, 4096), (1024, 1024), (8192, 128), 64 * MI),
    "small": ((16384, 8192), (2048, 2048), (16384, 256), 256 * MI),
    "full": ((32768, 16384), (4096, 4096), (32768, 512), 1024 * MI),
}


def npy_files(size):
    """file name -> (generator of the array, description)."""
    n = 1_000_000 if size == "tiny" else 12_500_000
    n_npy = (8 * MI if size == "tiny" else 512 * MI) // 8
    n_step = APPEND[size][1]

    def poisson():
        return np.random.default_rng(SEED + 2).poisson(100, n).astype(np.int64)

    def normal():
        return np.round(np.random.default_rng(SEED + 3).standard_normal(n_npy), 3)

    def step():
        return np.round(np.random.default_rng(SEED + 5).standard_normal(n_step), 3)

    return {
        "append_step_f64.npy": step,
        "codec_arange_i64.npy": lambda: np.arange(n, dtype=np.int64),
        "codec_linspace_f64.npy": lambda: np.linspace(0, 100, n),
        "codec_poisson_i64.npy": poisson,
        "npy_f64.npy": normal,
    }


def write_npy(root, size):
    for name, make in npy_files(size).items():
        path = os.path.join(root, name)
        data = make()
        if os.path.exists(path):
            try:
                old = np.load(path, mmap_mode="r")
                if old.shape == data.shape and old.dtype == data.dtype and np.array_equal(old, data):
                    print(f"gen_data: {path} present, kept", file=sys.stderr)
                    continue
            except (ValueError, OSError):
                pass
        print(f"gen_data: writing {path} ({data.nbytes / MI:.0f} MiB)", file=sys.stderr)
        np.save(path + ".tmp.npy", data)
        os.replace(path + ".tmp.npy", path)


def normal_1d(z):
    n, chunk = z.shape[0], z.chunks[0]
    rng = np.random.default_rng(SEED)
    report_every = max(1, (1 << 30) // (8 * chunk))  # progress every GiB for the large arrays
    # one chunk at a time: bounded memory, same stream for every size prefix
    for i, start in enumerate(range(0, n, chunk)):
        stop = min(n, start + chunk)
        z[start:stop] = np.round(rng.standard_normal(stop - start), 3)
        if n * 8 >= (4 << 30) and (i + 1) % report_every == 0:
            print(f"gen_data:   {stop * 8 / 2**30:.0f} of {n * 8 / 2**30:.0f} GiB", file=sys.stderr)


def temperature_2d(z):
    rows, cols = z.shape
    band = z.chunks[0]
    rng = np.random.default_rng(SEED + 1)
    for start in range(0, rows, band):  # one band of chunk rows at a time
        stop = min(rows, start + band)
        z[start:stop, :] = np.round(15.0 + 10.0 * rng.standard_normal((stop - start, cols)), 2).astype(np.float32)


def normal_2d(z):
    rows, cols = z.shape
    band = z.chunks[0]
    rng = np.random.default_rng(SEED + 4)
    for start in range(0, rows, band):  # one band of chunk rows at a time
        stop = min(rows, start + band)
        z[start:stop, :] = rng.standard_normal((stop - start, cols))


def write_append_bases(root, size):
    """append_base_small/large: every chunk stored, all equal to 1.0; one chunk encoded by zarr-python, copied."""
    chunk, _, _, small, large, _ = APPEND[size]
    for name, n in (("append_base_small", small), ("append_base_large", large)):
        comp = blosc_lz4()
        path = os.path.join(root, name)
        nchunks = n // chunk
        if present(root, name, (n,), (chunk,), "<f8", comp):
            print(f"gen_data: {path} present ({n * 8 / MI:.0f} MiB, {nchunks} chunk files), kept", file=sys.stderr)
            continue
        print(f"gen_data: writing {path} ({n * 8 / MI:.0f} MiB, {nchunks} chunk files of 1.0)", file=sys.stderr)
        z = zarr.open_array(path, mode="w", shape=(n,), chunks=(chunk,), dtype="<f8", compressor=comp,
                            zarr_version=2)
        z[0:chunk] = np.ones(chunk)
        with open(os.path.join(path, "0"), "rb") as f:
            encoded = f.read()
        for i in range(1, nchunks):
            with open(os.path.join(path, str(i)), "wb") as f:
                f.write(encoded)


def check_room(root, name, nbytes):
    """Exit unless the disk has room for a large array (rounded normals: ~0.95x logical on disk) plus 2 GiB slack,
    counting what an old, incomplete copy of it (about to be replaced) already takes."""
    old = 0
    for dirpath, _, files in os.walk(os.path.join(root, name)):
        old += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    free = shutil.disk_usage(root).free + old
    need = int(nbytes * 0.96) + (2 << 30)
    if free < need:
        sys.exit(f"gen_data: {name} needs ~{need / 2**30:.1f} GiB on disk, {root} has {free / 2**30:.1f} GiB free")


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
    ap.add_argument("--size", choices=("tiny", "small", "full", "huge"), required=True)
    ap.add_argument("--out")
    ap.add_argument("--big-gib", type=int, choices=(2, 8), default=8,
                    help="size of big_f64_blosc_lz4 at --size full (8 GiB unless the disk is short)")
    ap.add_argument("--huge-gib", type=int, default=32,
                    help="size of huge_f64_blosc_lz4 at --size huge (32 GiB; smaller only to test the plumbing)")
    ap.add_argument("--only", help="generate only this array ('npy': only the .npy files)")
    ap.add_argument("--print-rechunk", action="store_true",
                    help="print rechunk_2d's 'target_rows target_cols budget_bytes' for --size and exit")
    ap.add_argument("--print-append", action="store_true",
                    help="print the append cases' 'chunk step steps base_small base_large big_steps' (elements) and exit")
    args = ap.parse_args()
    if args.huge_gib < 1:
        ap.error("--huge-gib must be at least 1")
    if args.size == "huge" and (args.print_append or args.print_rechunk):
        ap.error("--size huge has no rechunk or append cases")
    if args.print_append:
        print(*APPEND[args.size])
        return
    if args.print_rechunk:
        _, _, target, budget = RECHUNK[args.size]
        print(target[0], target[1], budget)
        return
    if not args.out:
        ap.error("--out is required")
    os.makedirs(args.out, exist_ok=True)
    zarr.open_group(args.out, mode="a")  # root .zgroup
    for name, (shape, chunks, dtype, fill) in arrays(args.size, args.big_gib, args.huge_gib).items():
        if args.only and name != args.only:
            continue
        comp = blosc_lz4()
        nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
        if present(args.out, name, shape, chunks, dtype, comp):
            print(f"gen_data: {args.out}/{name} present ({shape}, {nbytes / MI:.0f} MiB), kept", file=sys.stderr)
            continue
        if nbytes >= (4 << 30):
            check_room(args.out, name, nbytes)
        print(f"gen_data: writing {args.out}/{name} ({shape} {dtype}, {nbytes / MI:.0f} MiB)", file=sys.stderr)
        z = zarr.open_array(os.path.join(args.out, name), mode="w", shape=shape, chunks=chunks, dtype=dtype,
                            compressor=comp, zarr_version=2)
        fill(z)
    if args.size == "huge":
        return  # the huge size is the one array only
    if not args.only or args.only == "append":
        write_append_bases(args.out, args.size)
    if not args.only or args.only == "npy":
        write_npy(args.out, args.size)


if __name__ == "__main__":
    main()
