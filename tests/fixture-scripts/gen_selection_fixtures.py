#!/usr/bin/env python3
"""Generates NumPy fixtures for selection by lazy arrays (compress with a mask array, x[mask], take with an index array)
under tests/ChunkCompute.Tests/Fixtures/ops/selection.

Inputs are NAME.npy (arrays, masks and index arrays); each case's result is CASE.npy, listed in manifest.json as
{input, op (compress | extract | take), operand (the mask or indices file), axis, expected}.
Run: /usr/bin/python3 tests/fixture-scripts/gen_selection_fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "selection")
rng = np.random.default_rng(20261205)

X = rng.standard_normal((40, 30)).astype("<f8")
I = rng.integers(-1000, 1000, size=(17, 5, 7), dtype="<i4")
OPERANDS = {
    "rows": X[:, 0] > 0,                                # axis 0 of X, about half
    "cols_short": rng.random(21) < 0.3,                 # shorter than axis 1 of X (30): selects among the first 21
    "none": np.zeros(40, dtype=bool),                   # selects nothing
    "all": np.ones(30, dtype=bool),
    "x_gt": X > 0.3,                                    # whole-array mask of X
    "i_even": (I % 2) == 0,                             # whole-array mask of I
    "i_mid": rng.random(5) < 0.5,                       # axis 1 of I
    "idx": np.array([39, 0, -1, 5, 5, 17, -40, 2, 2, 2, 33], dtype="<i8"),
    "idx_i": np.array([16, 3, -17, 3], dtype="<i8"),
}
CASES = [
    ("x", "compress", "rows", 0, lambda: np.compress(OPERANDS["rows"], X, axis=0)),
    ("x", "compress", "cols_short", 1, lambda: np.compress(OPERANDS["cols_short"], X, axis=1)),
    ("x", "compress", "none", 0, lambda: np.compress(OPERANDS["none"], X, axis=0)),
    ("x", "compress", "all", -1, lambda: np.compress(OPERANDS["all"], X, axis=-1)),
    ("x", "extract", "x_gt", None, lambda: X[OPERANDS["x_gt"]]),
    ("i", "extract", "i_even", None, lambda: I[OPERANDS["i_even"]]),
    ("i", "compress", "i_mid", 1, lambda: np.compress(OPERANDS["i_mid"], I, axis=1)),
    ("x", "take", "idx", 0, lambda: np.take(X, OPERANDS["idx"], axis=0)),
    ("i", "take", "idx_i", 0, lambda: np.take(I, OPERANDS["idx_i"], axis=0)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "x.npy"), X)
    np.save(os.path.join(OUT, "i.npy"), I)
    for name, a in OPERANDS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
    cases = []
    for input_name, op, operand, axis, f in CASES:
        case = f"{input_name}__{op}__{operand}"
        np.save(os.path.join(OUT, case + ".npy"), f())
        cases.append({"input": input_name, "op": op, "operand": operand, "axis": axis, "expected": case})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
