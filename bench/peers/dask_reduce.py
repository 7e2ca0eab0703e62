#!/usr/bin/env python3
"""Peer for the reduction cases: Dask reduces a stored Zarr array (threaded scheduler, default settings).

  dask_reduce.py --store DIR --array PATH --op mean|sum|std|chain_std [--axis N] --case NAME

chain_std is ((x - 1) * 2).std(). Prints one JSON line {"case", "tool", "seconds", "bytes", "checksum"}: seconds covers
only graph construction and compute (not imports or opening the store), bytes are the input's logical bytes, checksum
is the scalar result or the float64 sum of the result vector.
"""
import argparse
import json
import time

import dask
import dask.array as da
import numpy as np
import zarr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--array", required=True)
    ap.add_argument("--op", choices=("mean", "sum", "std", "chain_std"), required=True)
    ap.add_argument("--axis", type=int)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    z = zarr.open_array(args.store, path=args.array, mode="r")
    t0 = time.perf_counter()
    x = da.from_zarr(z)
    if args.op == "chain_std":
        expr = ((x - 1) * 2).std(axis=args.axis)
    else:
        expr = getattr(x, args.op)(axis=args.axis)
    result = np.asarray(expr.compute())  # the default scheduler for arrays: threads
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": args.case, "tool": "dask", "seconds": seconds,
                      "bytes": int(z.nbytes), "checksum": float(np.sum(result, dtype=np.float64)),
                      "result_shape": list(result.shape), "dask": dask.__version__}))


if __name__ == "__main__":
    main()
