#!/usr/bin/env python3
"""Generates NumPy quantile fixtures (quantile, nanquantile, percentile, median, nanmedian; default "linear" method)
under tests/ChunkCompute.Tests/Fixtures/ops/quantiles.

Inputs are NAME.npy; each case's result (float64) is CASE.npy, listed in manifest.json as {input, op, axis (null or
int), q, expected}.
Run: /usr/bin/python3 tests/fixture-scripts/gen_quantile_fixtures.py
Inputs named big_* are also checked under a small budget, where the histogram passes find the quantiles.
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
    # Larger than the 64 KiB budget QuantileTests gives them, so their quantiles take the histogram passes (big_*).
    "big_f64": (rng.standard_normal((3, 6000)) * 10).astype("<f8"),
    "big_f64_nan": np.where(rng.random((6000, 3)) < 0.1, np.nan, rng.standard_normal((6000, 3))).astype("<f8"),
    "big_f32": np.concatenate([rng.standard_normal(9000), np.full(1000, 0.25), [np.inf, -np.inf]]).astype("<f4"),
    "big_i8": rng.integers(-2**62, 2**62, size=12000, dtype="<i8"),
    "big_u2": rng.integers(0, 700, size=12000, dtype="<u2"),
    "big_f2": rng.standard_normal(8000).astype("<f2"),
}
Q = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        # NumPy takes a float16 median in float16 (the mean of the middle pair rounded to half); ours are float64 of
        # the same values, as for every other input type.
        a = a.astype("<f8") if a.dtype == np.float16 else a
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
