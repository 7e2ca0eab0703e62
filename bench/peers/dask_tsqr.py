#!/usr/bin/env python3
"""Peer for tsqr: Dask's tall-and-skinny QR of a stored 2-D float64 Zarr array (threaded scheduler, default settings).

  dask_tsqr.py --store DIR --array PATH --case NAME

q, r = dask.array.linalg.tsqr(da.from_zarr(z)); r.compute() (R only, as the ChunkCompute run). Prints one JSON line
{"case", "tool", "seconds", "bytes", "checksum"}: seconds covers graph construction and compute, checksum is the float64
sum of |R| (independent of the signs of R's rows).
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
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    z = zarr.open_array(args.store, path=args.array, mode="r")
    t0 = time.perf_counter()
    x = da.from_zarr(z)
    _, r = da.linalg.tsqr(x)
    r = np.asarray(r.compute())
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": args.case, "tool": "dask", "seconds": seconds, "bytes": int(z.nbytes),
                      "checksum": float(np.sum(np.abs(r), dtype=np.float64)), "result_shape": list(r.shape),
                      "dask": dask.__version__}))


if __name__ == "__main__":
    main()
