#!/usr/bin/env python3
"""Generates NumPy quantile fixtures (quantile, nanquantile, percentile, median, nanmedian; default "linear" method)
under tests/ChunkCompute.Tests/Fixtures/ops/quantiles.

Inputs are NAME.npy; each case's result (float64) is CASE.npy, listed in manifest.json as {input, op, axis (null or
int), q, expected}.
Run: /usr/bin/python3 tests/fixture-scripts/gen_quantile_fixtures.py
"""
import json
import os
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "quantiles")
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261208)

INPUTS = {
    "f64": (rng.standard_normal((5, 7)) * 10).astype("<f8"),
    "f64_nan": np.where(rng.random((6, 5)) < 0.2, np.nan, rng.standard_normal((6, 5))).astype("<f8"),
    "i32": rng.integers(-100, 100, size=(6, 4), dtype="<i4"),
    "f32": rng.standard_normal(11).astype("<f4"),
}
Q = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        for axis in [None] + list(range(a.ndim)) + [-1]:
            for op, r in (("quantile", np.quantile(a, Q, axis=axis)), ("nanquantile", np.nanquantile(a, Q, axis=axis)),
                          ("percentile", np.percentile(a, [x * 100 for x in Q], axis=axis)),
                          ("median", np.median(a, axis=axis)), ("nanmedian", np.nanmedian(a, axis=axis))):
                case = f"{name}__{op}__{'none' if axis is None else axis if axis >= 0 else 'm' + str(-axis)}"
                np.save(os.path.join(OUT, case + ".npy"), np.asarray(r, dtype="<f8"))
                cases.append({"input": name, "op": op, "axis": axis, "q": Q, "expected": case})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
