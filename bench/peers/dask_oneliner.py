#!/usr/bin/env python3
"""The Dask one-liners a user runs, as a script so bench/run.sh can pass their arguments (the work is the same line).

  dask_oneliner.py mean STORE ARRAY                 print(da.from_zarr(STORE, component=ARRAY).mean().compute())
  dask_oneliner.py convert STORE ARRAY OUT R,C       da.from_zarr(...).rechunk((R, C)).to_zarr(OUT)
"""
import sys

import dask.array as da

if sys.argv[1] == "mean":
    print(repr(float(da.from_zarr(sys.argv[2], component=sys.argv[3]).mean().compute())))
else:
    da.from_zarr(sys.argv[2], component=sys.argv[3]).rechunk(tuple(int(c) for c in sys.argv[5].split(","))).to_zarr(sys.argv[4])
