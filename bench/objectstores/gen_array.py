#!/usr/bin/env python3
"""The object-store benchmark's array, written locally with zarr-python (Zarr v2), and its reference figures.

Usage: gen_array.py --out DIR --gib N [--chunk-mi 1]

Writes DIR/f32_blosc_lz4: a 1-D float32 array of N GiB (N * 256 Mi elements) in chunks of --chunk-mi Mi elements
(1 Mi = 4 MiB decoded), Blosc-LZ4 clevel 5 with byte shuffle; values np.round(15 + 10 N(0,1), 2) from a fixed seed
(temperature-like, like bench/gen_data.py's grid array: compressible but not trivially: LZ4 keeps ~0.88 of the bytes;
the mean is far from 0, so its checksum is well conditioned). Written a block of chunks at a time (bounded memory).
Then DIR/f32_blosc_lz4.reference.json: elements, chunks, decoded and stored bytes, and the float64 sum and mean of
the values as NumPy computes them from the array read back. An array already present with the same shape, chunks
and codec, and its reference, are kept.
"""
import argparse
import json
import os
import shutil
import sys

import numcodecs
import numpy as np
import zarr

SEED = 20261204
MI = 1 << 20
NAME = "f32_blosc_lz4"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--gib", type=int, default=1)
    ap.add_argument("--chunk-mi", type=int, default=1)
    args = ap.parse_args()
    n = args.gib * 256 * MI
    chunk = args.chunk_mi * MI
    path = os.path.join(args.out, NAME)
    ref_path = path + ".reference.json"
    compressor = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)

    if os.path.exists(ref_path):
        try:
            z = zarr.open_array(path, mode="r")
            with open(ref_path, encoding="utf-8") as f:
                ref = json.load(f)
            if z.shape == (n,) and z.chunks == (chunk,) and z.dtype == np.float32 and z.compressor == compressor and ref["elements"] == n:
                print(f"gen_array: {path} kept", file=sys.stderr)
                return
        except Exception as e:  # noqa: BLE001 - anything wrong: write it again
            print(f"gen_array: rewriting {path} ({e})", file=sys.stderr)

    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    z = zarr.open_array(path, mode="w", shape=(n,), chunks=(chunk,), dtype="<f4", compressor=compressor)
    rng = np.random.default_rng(SEED)
    block = 16 * chunk
    for start in range(0, n, block):
        stop = min(n, start + block)
        values = np.round(15 + 10 * rng.standard_normal(stop - start, dtype=np.float32), 2).astype(np.float32)
        z[start:stop] = values
        print(f"gen_array: {stop * 4 / 2**30:.2f} of {n * 4 / 2**30:.2f} GiB", file=sys.stderr, end="\r")
    print(file=sys.stderr)

    # the reference: what NumPy computes from the stored array (read back a block at a time)
    total = 0.0
    for start in range(0, n, block):
        total += float(np.sum(z[start:min(n, start + block)], dtype=np.float64))
    stored = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path) if not f.startswith("."))
    ref = {
        "array": NAME,
        "elements": n,
        "chunk_elements": chunk,
        "chunks": (n + chunk - 1) // chunk,
        "decoded_bytes": n * 4,
        "stored_bytes": stored,
        "sum": total,
        "mean": total / n,
    }
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=1)
    print(f"gen_array: wrote {path}: {ref['chunks']} chunks, {stored / 2**20:.0f} MiB stored, mean {ref['mean']:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
