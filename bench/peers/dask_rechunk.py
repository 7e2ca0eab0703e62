#!/usr/bin/env python3
"""Peer for rechunk_2d: Dask rechunks a stored 2-D Zarr array to column bands and writes them to a new Zarr v2 store.

  dask_rechunk.py --store DIR --array PATH --out DIR --rows N --cols N --case NAME

da.from_zarr(...).rechunk((rows, cols)).to_zarr(out, component="rechunked", compressor=Blosc(lz4, 5, shuffle)) with
the default (threaded) scheduler. Timed: graph construction and the write. The checksum, the float64 sum of the written
array, is read back afterwards with zarr-python one stored column band at a time (untimed, bounded memory). The output
store is deleted at the end.
"""
import argparse
import json
import shutil
import os
import time

import dask
import dask.array as da
import numcodecs
import numpy as np
import zarr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--array", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    z = zarr.open_array(args.store, path=args.array, mode="r")
    compressor = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
    t0 = time.perf_counter()
    x = da.from_zarr(z).rechunk((args.rows, args.cols))
    x.to_zarr(args.out, component="rechunked", compressor=compressor, overwrite=True)
    seconds = time.perf_counter() - t0
    w = zarr.open_array(args.out, path="rechunked", mode="r")
    band = w.chunks[1]
    total = 0.0
    for c0 in range(0, w.shape[1], band):
        total += float(np.sum(w[:, c0:c0 + band], dtype=np.float64))
    written_chunks = "x".join(str(c) for c in w.chunks)
    shutil.rmtree(args.out, ignore_errors=True)
    print(json.dumps({"case": args.case, "tool": "dask", "seconds": seconds, "bytes": int(z.nbytes),
                      "checksum": total, "written_chunks": written_chunks, "dask": dask.__version__}))


if __name__ == "__main__":
    main()
