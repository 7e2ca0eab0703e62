#!/usr/bin/env python3
"""Peer for the batches case: Dask reads a stored 2-D Zarr array batch by batch, in order.

  dask_batches.py --store DIR --array PATH --batch B --case NAME

The loop is the issue's reference: x = da.from_zarr(...); for i in range(0, n, B): x[i:i+B].compute() (threaded
scheduler, default settings). Prints one JSON line {"case", "tool", "seconds", "bytes", "checksum", "rows_per_s"};
seconds covers the whole loop (not imports or opening the store). Checksum: sum over batches of (float64 sum of the
batch + batch number * its first element), as the C# runner computes it.
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
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    z = zarr.open_array(args.store, path=args.array, mode="r")
    n = z.shape[0]
    t0 = time.perf_counter()
    x = da.from_zarr(z)
    checksum = 0.0
    for number, i in enumerate(range(0, n, args.batch)):
        batch = x[i:i + args.batch].compute()
        checksum += float(np.sum(batch, dtype=np.float64)) + number * float(batch.flat[0])
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": args.case, "tool": "dask", "seconds": seconds, "bytes": int(z.nbytes),
                      "checksum": checksum, "rows": n, "batch": args.batch, "rows_per_s": n / seconds,
                      "dask": dask.__version__}))


if __name__ == "__main__":
    main()
