#!/usr/bin/env python3
"""Generates NumPy sort fixtures (sort, argsort(kind="stable")) under tests/ChunkCompute.Tests/Fixtures/ops/sort.

Inputs are NAME.npy; each case's result is NAME__OP__AXIS.npy, listed in manifest.json as {input, op, axis, expected}.
Ties (repeated values) and NaN (sorted last) are included.
Run: /usr/bin/python3 tests/fixture-scripts/gen_sort_fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "sort")
rng = np.random.default_rng(20261207)

INPUTS = {
    "f64_nan": np.where(rng.random((5, 7)) < 0.2, np.nan, np.round(rng.standard_normal((5, 7)), 1)).astype("<f8"),
    "i32_ties": rng.integers(-3, 4, size=(6, 4), dtype="<i4"),
    "f32": rng.standard_normal(11).astype("<f4"),
    "i64_3d": rng.integers(-50, 50, size=(3, 4, 5), dtype="<i8"),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        for axis in list(range(a.ndim)) + [-1]:
            tag = str(axis) if axis >= 0 else "m" + str(-axis)
            for op, r in (("sort", np.sort(a, axis=axis)), ("argsort", np.argsort(a, axis=axis, kind="stable").astype("<i8"))):
                expected = f"{name}__{op}__{tag}"
                np.save(os.path.join(OUT, expected + ".npy"), r)
                cases.append({"input": name, "op": op, "axis": axis, "expected": expected})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
