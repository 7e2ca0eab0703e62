#!/usr/bin/env python3
"""Generates NumPy scan fixtures (cumsum, cumprod, nancumsum, nancumprod) under
tests/ChunkCompute.Tests/Fixtures/ops/scans.

Inputs are NAME.npy; each case's expected result is NAME__OP__AXIS.npy (axis may be negative: m1 = -1), listed in
manifest.json as {input, op, axis, expected, dtype}. NumPy's result dtype is the expected file's dtype (int8..int32 and
bool accumulate as int64, uint8..uint32 as uint64).
Run: /usr/bin/python3 tests/fixture-scripts/gen_scan_fixtures.py
"""
import json
import os
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "scans")
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261205)


def with_specials(a, specials):
    flat = a.reshape(-1)
    for pos, v in specials:
        flat[pos] = v
    return a


INPUTS = {
    # near 1 so that products stay finite and meaningful over a lane
    "f64": (1 + rng.standard_normal((3, 4, 5)) * 0.5).astype("<f8"),
    "f64_special": with_specials((1 + rng.standard_normal((3, 4, 5)) * 0.5).astype("<f8"),
                                 [(3, np.nan), (17, np.inf), (18, np.nan), (40, -np.inf), (59, np.nan), (0, np.nan)]),
    "f64_prime": (rng.standard_normal(13) * 100).astype("<f8"),
    "f32": (1 + rng.standard_normal((4, 6)) * 0.5).astype("<f4"),
    "f32_special": with_specials((1 + rng.standard_normal((4, 6)) * 0.5).astype("<f4"), [(2, np.nan), (9, np.inf), (13, np.nan)]),
    "i32": rng.integers(-2**31, 2**31 - 1, size=(4, 6), dtype="<i4"),
    "i64_wrap": np.array([[2**62, 2**62, 2**62], [-5, 7, 2**63 - 1]], dtype="<i8"),
    "i8": rng.integers(-128, 128, size=(3, 4, 5), dtype="<i1"),
    "u16": rng.integers(0, 2**16, size=(3, 4), dtype="<u2"),
    "u8": rng.integers(0, 256, size=(5, 3), dtype="<u1"),
    "b": rng.integers(0, 2, size=(3, 5)).astype("?"),
    "c16": (rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))).astype("<c16"),
    "f64_size1": rng.standard_normal((1, 4, 1)).astype("<f8"),
    "f64_empty0": np.zeros((0, 3), dtype="<f8"),
}

OPS = {"cumsum": np.cumsum, "cumprod": np.cumprod, "nancumsum": np.nancumsum, "nancumprod": np.nancumprod}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        floating = a.dtype.kind in "fc"
        for op, fn in OPS.items():
            if op.startswith("nan") and not floating:
                continue
            axes = list(range(a.ndim)) + [-1]
            for axis in axes:
                r = fn(a, axis=axis)
                tag = f"m{-axis}" if axis < 0 else str(axis)
                expected = f"{name}__{op}__{tag}"
                np.save(os.path.join(OUT, expected + ".npy"), r)
                cases.append({"input": name, "op": op, "axis": axis, "expected": expected, "dtype": r.dtype.str})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
