#!/usr/bin/env python3
"""Generates Dask map_overlap fixtures under tests/ChunkCompute.Tests/Fixtures/ops/overlap.

Each input NAME.npy is mapped with dask.array.map_overlap(stencil, depth, boundary, trim=True) where stencil is
2·b plus each neighbour within one step along every axis, zeros beyond the block (so the result does not depend on the
chunking); results are NAME__BOUNDARY.npy, listed in manifest.json as {input, boundary, depth, expected}.
Run: /usr/bin/python3 tests/fixture-scripts/gen_overlap_fixtures.py
"""
import json
import os

import dask
import dask.array as da
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "overlap")
rng = np.random.default_rng(20261209)

INPUTS = {
    "f64_2d": (rng.standard_normal((7, 9)) * 10).round(3).astype("<f8"),
    "f64_1d": (rng.standard_normal(11) * 10).round(3).astype("<f8"),
    "i64_2d": rng.integers(-50, 50, size=(6, 5), dtype="<i8"),
}
CHUNKS = {"f64_2d": (3, 4), "f64_1d": (4,), "i64_2d": (2, 3)}
BOUNDARIES = {"reflect": "reflect", "periodic": "periodic", "nearest": "nearest", "none": "none", "constant": 7}


def shift(b, step, axis):
    out = np.zeros_like(b)
    src = [slice(None)] * b.ndim
    dst = [slice(None)] * b.ndim
    if step > 0:
        src[axis], dst[axis] = slice(0, -step), slice(step, None)
    else:
        src[axis], dst[axis] = slice(-step, None), slice(0, step)
    out[tuple(dst)] = b[tuple(src)]
    return out


def stencil(b):
    r = 2 * b
    for axis in range(b.ndim):
        r = r + shift(b, 1, axis) + shift(b, -1, axis)
    return r


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        depth = 2 if a.ndim == 1 else 1
        for tag, boundary in BOUNDARIES.items():
            x = da.from_array(a, chunks=CHUNKS[name])
            r = x.map_overlap(stencil, depth=depth, boundary=boundary, trim=True, dtype=a.dtype).compute(scheduler="sync")
            expected = f"{name}__{tag}"
            np.save(os.path.join(OUT, expected + ".npy"), r)
            cases.append({"input": name, "boundary": tag, "depth": depth, "expected": expected})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"dask": dask.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
