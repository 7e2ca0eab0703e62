#!/usr/bin/env python3
"""Peer for the ops cases (issue 20's operations): Dask over a stored Zarr array (threaded scheduler, default settings).

  dask_ops.py --store DIR --array PATH --op cumsum|quantile|moving_mean|select [--axis 0] [--window 9]
              [--threshold T] --case NAME

The same expressions as the C# runner's `ops` command (bench/Runner/Ops.cs), each reduced to a checksum so the whole
result is computed but not held:
  cumsum       da.cumsum(x, axis).sum()
  quantile     da.percentile(x, [10, 50, 90]) -- Dask's own (approximate: per-chunk percentiles merged; the C# side is
               exact), so run.sh checks this case's checksums to a looser tolerance (bench/cases.sh); checksum sum |q|
  moving_mean  x.map_overlap(trailing window mean, depth=window - 1 rows before along the axis, boundary='none'):
               NaN until a full window, then the window's values added in order in float32 and multiplied by
               float32(1 / window), as ChunkCompute's MovingMean does (same values to the last bit); the first
               window - 1 (NaN) rows dropped, then .astype(float64).sum()
  select       x[x < threshold].sum() (boolean selection; threshold -1.2816 keeps ~10 % of the N(0, 1) data)
Prints one JSON line {"case", "tool", "seconds", "bytes", "checksum", ...}: seconds covers only graph construction and
compute (not imports or opening the store), bytes are the input's logical bytes.
"""
import argparse
import json
import time

import dask
import dask.array as da
import numpy as np
import zarr

QUANTILES = [0.1, 0.5, 0.9]


def trailing_mean(block, window, axis):
    """Trailing mean of `window` values along `axis` of one block (with its halo rows before): NaN where fewer than
    `window` rows of the block precede (with boundary='none' those are the array's first window - 1 rows; in the other
    blocks they are the halo, which map_overlap trims)."""
    b = np.moveaxis(block, axis, 0)
    n = b.shape[0]
    out = np.full(b.shape, np.nan, dtype=b.dtype)
    if n >= window:
        m = n - window + 1
        y = out[window - 1:]
        y[...] = b[0:m]
        for j in range(1, window):
            y += b[j:j + m]
        y *= np.float32(1) / np.float32(window) if b.dtype == np.float32 else 1.0 / window
    return np.moveaxis(out, 0, axis)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--array", required=True)
    ap.add_argument("--op", choices=("cumsum", "quantile", "moving_mean", "select"), required=True)
    ap.add_argument("--axis", type=int, default=0)
    ap.add_argument("--window", type=int, default=9)
    ap.add_argument("--threshold", type=float, default=-1.2816)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    z = zarr.open_array(args.store, path=args.array, mode="r")
    extra = {"op": args.op}
    t0 = time.perf_counter()
    x = da.from_zarr(z)
    if args.op == "cumsum":
        checksum = float(da.cumsum(x, axis=args.axis).sum().compute())
    elif args.op == "select":
        checksum = float(x[x < args.threshold].sum().compute())
        extra["threshold"] = args.threshold
    elif args.op == "quantile":
        values = np.asarray(da.percentile(x, [100 * q for q in QUANTILES]).compute(), dtype=np.float64)
        checksum = float(np.sum(np.abs(values)))
        extra.update({"quantile_method": "dask.array.percentile (approximate)", "q": QUANTILES,
                      "quantiles": [float(v) for v in values]})
    else:
        w, axis = args.window, args.axis
        depth = {d: ((w - 1, 0) if d == axis else 0) for d in range(x.ndim)}
        y = x.map_overlap(trailing_mean, depth=depth, boundary="none", trim=True, dtype=x.dtype,
                          window=w, axis=axis)
        valid = tuple(slice(w - 1, None) if d == axis else slice(None) for d in range(x.ndim))
        checksum = float(y[valid].astype(np.float64).sum().compute())
        extra["window"] = w
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": args.case, "tool": "dask", "seconds": seconds, "bytes": int(z.nbytes),
                      "checksum": checksum, **extra, "dask": dask.__version__}))


if __name__ == "__main__":
    main()
