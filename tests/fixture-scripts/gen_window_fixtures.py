#!/usr/bin/env python3
"""Generates NumPy window fixtures (diff, moving sum/mean, gradient, convolve 'same') under
tests/ChunkCompute.Tests/Fixtures/ops/windows.

Inputs are NAME.npy; each case's result is CASE.npy, listed in manifest.json as {input, op, axis, n | window | kernel,
expected}. Moving sums and means follow xarray's rolling(window) with min_periods = window: NaN until a full window,
then the sum of the window's values (numpy.lib.stride_tricks.sliding_window_view(...).sum(-1)).
Run: /usr/bin/python3 tests/fixture-scripts/gen_window_fixtures.py
"""
import json
import os

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "windows")
rng = np.random.default_rng(20261206)

INPUTS = {
    "f64": (rng.standard_normal((7, 11)) * 10).astype("<f8"),
    "f64_nan": np.where(rng.random((6, 5)) < 0.15, np.nan, rng.standard_normal((6, 5))).astype("<f8"),
    "f32": (rng.standard_normal(13) * 3).astype("<f4"),
    "i64": rng.integers(-1000, 1000, size=(9, 5), dtype="<i8"),
    "f64_3d": rng.standard_normal((4, 5, 3)).astype("<f8"),
}


def moving(a, window, axis, mean):
    a = np.moveaxis(a, axis, -1)
    v = sliding_window_view(a, window, axis=-1)
    s = v.mean(-1) if mean else v.sum(-1)
    pad = np.full(a.shape[:-1] + (window - 1,), np.nan, dtype=a.dtype)
    return np.moveaxis(np.concatenate([pad, s.astype(a.dtype)], axis=-1), -1, axis)


def convolve(a, kernel, axis):
    return np.apply_along_axis(lambda lane: np.convolve(lane, kernel, mode="same"), axis, a).astype(a.dtype)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []

    def add(name, op, axis, result, **params):
        case = f"{name}__{op}__{axis if axis >= 0 else 'm' + str(-axis)}__{len(cases)}"
        np.save(os.path.join(OUT, case + ".npy"), np.ascontiguousarray(result))
        cases.append({"input": name, "op": op, "axis": axis, "expected": case, **params})

    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        floating = a.dtype.kind == "f"
        for axis in list(range(a.ndim)) + [-1]:
            length = a.shape[axis]
            for n in (1, 2, 3):
                add(name, "diff", axis, np.diff(a, n=n, axis=axis), n=n)
            for kernel in ([1.0, 2.0, 1.0], [0.5, -1.0], [1.0, 1.0, 1.0, 1.0, 1.0]):
                if len(kernel) <= length:
                    k = np.array(kernel, dtype=a.dtype) if floating else np.array([int(v * 2) for v in kernel], dtype=a.dtype)
                    add(name, "convolve", axis, convolve(a, k, axis), kernel=k.tolist())
            if floating:
                for window in (1, 3, 4):
                    if window <= length:
                        add(name, "moving_sum", axis, moving(a, window, axis, False), window=window)
                        add(name, "moving_mean", axis, moving(a, window, axis, True), window=window)
                add(name, "gradient", axis, np.gradient(a, axis=axis))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
