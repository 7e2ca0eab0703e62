#!/usr/bin/env python3
"""Peer for the 'append' and 'append_big' cases: zarr-python 2's z.append(block) on a DirectoryStore.

  zarr_append.py --mode append --step NPY --out DIR --chunk C --steps N [--case append]
      A new 1-D float64 array (Zarr v2, Blosc-LZ4 clevel 5 byte shuffle, chunks of C) in DIR, then N appends of one step
      each: step k appends the block in NPY + k. Timed: the appends only (the + k is done before each timed append).
      Checksum: the sum of the whole array read back.
  zarr_append.py --mode append_big --step NPY --out DIR --steps N --base-small DIR --base-large DIR [--case append_big]
      For each base (small, then large): copy it to DIR, append N steps as above, read the appended region back.
      Timed: the appends onto the large base; the median per-append latency on each base is reported too.
      Checksum: the sum of the appended regions of both arrays.
  zarr_append.py --mode commit --step NPY --out DIR --commits N [--elements N] [--case commit_latency]
      A new array of N chunks (each the size of the block in NPY); N writes of one whole chunk each (chunk k = block + k).
      Reports the median time of one write as seconds (zarr-python has no transactions: this is the cost of the bare
      write a ChunkCompute commit wraps). Checksum: the sum of the array read back.

Prints one JSON line: {"case", "tool", "seconds", "bytes", "checksum", ...}. DIR is deleted at the end.
"""
import argparse
import json
import os
import shutil
import statistics
import time

import numcodecs
import numpy as np
import zarr


def append_steps(z, block, steps):
    """Appends block + k for k < steps; returns the time of each append."""
    buf = np.empty_like(block)
    times = []
    for k in range(steps):
        np.add(block, k, out=buf)
        t0 = time.perf_counter()
        z.append(buf)
        times.append(time.perf_counter() - t0)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("append", "append_big", "commit"), required=True)
    ap.add_argument("--step", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int)
    ap.add_argument("--chunk", type=int)
    ap.add_argument("--commits", type=int)
    ap.add_argument("--elements", type=int, help="use only the first N elements of the block in --step")
    ap.add_argument("--base-small")
    ap.add_argument("--base-large")
    ap.add_argument("--case")
    args = ap.parse_args()
    block = np.load(args.step)
    if args.elements:
        block = np.ascontiguousarray(block[:args.elements])
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    try:
        if args.mode == "append":
            comp = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
            z = zarr.open_array(args.out, mode="w", shape=(0,), chunks=(args.chunk,), dtype="<f8", compressor=comp,
                                zarr_version=2)
            times = append_steps(z, block, args.steps)
            data = zarr.open_array(args.out, mode="r")[:]
            if data.shape != (args.steps * block.size,):
                raise SystemExit(f"zarr_append.py: final shape {data.shape}")
            result = {"case": args.case or "append", "seconds": sum(times), "bytes": args.steps * block.nbytes,
                      "checksum": float(np.sum(data, dtype=np.float64)),
                      "steps": args.steps, "step_bytes": block.nbytes,
                      "median_step_ms": statistics.median(times) * 1e3}
        elif args.mode == "commit":
            comp = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
            n = block.size
            z = zarr.open_array(args.out, mode="w", shape=(args.commits * n,), chunks=(n,), dtype="<f8",
                                compressor=comp, zarr_version=2)
            buf = np.empty_like(block)
            times = []
            for k in range(args.commits):
                np.add(block, k, out=buf)
                t0 = time.perf_counter()
                z[k * n:(k + 1) * n] = buf
                times.append(time.perf_counter() - t0)
            data = zarr.open_array(args.out, mode="r")[:]
            result = {"case": args.case or "commit_latency", "seconds": statistics.median(times), "bytes": block.nbytes,
                      "checksum": float(np.sum(data, dtype=np.float64)), "commits": args.commits,
                      "median_commit_ms": statistics.median(times) * 1e3, "min_commit_ms": min(times) * 1e3}
        else:
            checksum = 0.0
            latency = {}
            base_bytes = {}
            seconds = 0.0
            for label, base in (("small", args.base_small), ("large", args.base_large)):
                shutil.copytree(base, args.out)
                z = zarr.open_array(args.out, mode="r+")
                n0 = z.shape[0]
                base_bytes[label] = n0 * 8
                times = append_steps(z, block, args.steps)
                z = zarr.open_array(args.out, mode="r")
                if z.shape != (n0 + args.steps * block.size,):
                    raise SystemExit(f"zarr_append.py: final shape {z.shape} on the {label} base")
                checksum += float(np.sum(z[n0:], dtype=np.float64))
                latency[label] = statistics.median(times)
                if label == "large":
                    seconds = sum(times)
                shutil.rmtree(args.out)
            result = {"case": args.case or "append_big", "seconds": seconds, "bytes": args.steps * block.nbytes,
                      "checksum": checksum, "steps": args.steps, "step_bytes": block.nbytes,
                      "latency_small_base_ms": latency["small"] * 1e3,
                      "latency_large_base_ms": latency["large"] * 1e3,
                      "base_small_bytes": base_bytes["small"], "base_large_bytes": base_bytes["large"]}
    finally:
        if os.path.exists(args.out):
            shutil.rmtree(args.out)
    result = {"case": result.pop("case"), "tool": "zarr-python", **result}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
