#!/usr/bin/env python3
"""Generates NumPy reduction fixtures under tests/ChunkCompute.Tests/Fixtures/ops/reductions.

Inputs are NAME.npy; manifest.json lists cases: {input, op, axis (null | int | [ints]), keepdims, ddof,
dtype (NumPy's result dtype), shape, values (C order; floats as repr strings incl. 'nan'/'inf'/'-inf', ints as
integers, bools as true/false)} or {..., error: "message"} where NumPy raises. Histogram/bincount cases carry
bins/range/minlength and counts + edges.
Run: /usr/bin/python3 tests/fixture-scripts/gen_reduction_fixtures.py
"""
import json
import os
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "reductions")
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261121)


def with_specials(a, specials):
    flat = a.reshape(-1)
    for pos, v in specials:
        flat[pos] = v
    return a


INPUTS = {
    "f64": (rng.standard_normal((3, 4, 5)) * 100).astype("<f8"),
    "f64_special": with_specials((rng.standard_normal((3, 4, 5)) * 10).astype("<f8"), [(3, np.nan), (17, np.inf), (18, np.nan), (40, -np.inf), (59, np.nan)]),
    "f64_allnan_row": with_specials(rng.standard_normal((3, 4)).astype("<f8"), [(4, np.nan), (5, np.nan), (6, np.nan), (7, np.nan), (1, np.nan)]),
    "f32": (rng.standard_normal((3, 4, 5)) * 1000).astype("<f4"),
    "f32_special": with_specials(rng.standard_normal((4, 6)).astype("<f4"), [(2, np.nan), (9, np.inf), (13, -np.inf), (20, np.nan)]),
    "f16": (rng.standard_normal((4, 5)) * 10).astype("<f2"),
    "i32_big": rng.integers(2**30, 2**31 - 1, size=(4, 6), dtype="<i4"),
    "i64_wrap": np.array([[2**62, 2**62, 2**62], [-5, 7, 2**63 - 1]], dtype="<i8"),
    "i8": rng.integers(-128, 128, size=(3, 4, 5), dtype="<i1"),
    "u16": rng.integers(0, 2**16, size=(3, 4), dtype="<u2"),
    "u64": np.array([[2**64 - 1, 1, 5], [3, 2**63, 0]], dtype="<u8"),
    "b": rng.integers(0, 2, size=(3, 5)).astype("?"),
    "f64_size1": rng.standard_normal((1, 4, 1)).astype("<f8"),
    "f64_empty0": np.zeros((0, 3), dtype="<f8"),
    "i32_empty1": np.zeros((3, 0), dtype="<i4"),
    "i32_bins": rng.integers(0, 9, size=(5, 7), dtype="<i4"),
    "f64_hist": with_specials(np.round(rng.uniform(-1.5, 11.5, size=(6, 7)), 1).astype("<f8"), [(0, 0.0), (1, 10.0), (2, 2.5), (3, np.nan), (4, 5.0)]),
}

FLOAT_OPS = ["sum", "nansum", "mean", "nanmean", "var", "nanvar", "std", "nanstd", "min", "max", "nanmin", "nanmax",
             "argmin", "argmax", "count_nonzero", "any", "all", "count", "count_nonnan"]
INT_OPS = ["sum", "mean", "var", "std", "min", "max", "argmin", "argmax", "count_nonzero", "any", "all", "count"]
BOOL_OPS = ["sum", "mean", "min", "max", "argmax", "count_nonzero", "any", "all"]


def axis_choices(ndim, op):
    if op in ("argmin", "argmax"):
        return [None, 0, -1] + ([1] if ndim > 2 else [])
    axes = [None, 0, -1]
    if ndim >= 2:
        axes.append([0, -1])
        axes.append(list(range(ndim)))
    if ndim >= 3:
        axes.append([1])
        axes.append([-3, 1])
    return axes


def run(op, a, axis, keepdims, ddof):
    ax = tuple(axis) if isinstance(axis, list) else axis
    if op in ("var", "std", "nanvar", "nanstd"):
        return getattr(np, op)(a, axis=ax, keepdims=keepdims, ddof=ddof)
    if op in ("argmin", "argmax"):
        r = getattr(np, op)(a, axis=ax)
        if keepdims:
            r = getattr(np, op)(a, axis=ax, keepdims=True)
        return r
    if op == "count_nonzero":
        return np.count_nonzero(a, axis=ax, keepdims=keepdims)
    if op == "count":
        return np.sum(np.ones_like(a, dtype=np.int64), axis=ax, keepdims=keepdims)
    if op == "count_nonnan":
        return np.sum(~np.isnan(a), axis=ax, keepdims=keepdims)
    return getattr(np, op)(a, axis=ax, keepdims=keepdims)


def text(v, kind):
    if kind == "b":
        return bool(v)
    if kind in "iu":
        return int(v)
    f = float(v)
    if not np.isfinite(f) and np.isnan(f):
        return "nan"
    if np.isinf(f):
        return "inf" if f > 0 else "-inf"
    return str(v)  # NumPy's shortest round-trip text for the value's own type


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, a in INPUTS.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        if name in ("i32_bins", "f64_hist"):
            continue
        ops = FLOAT_OPS if a.dtype.kind == "f" else BOOL_OPS if a.dtype.kind == "b" else INT_OPS
        for op in ops:
            for axis in axis_choices(a.ndim, op):
                for keepdims in (False, True) if axis is None or axis == [0, -1] or axis == -1 else (False,):
                    ddofs = [0, 1] if op in ("var", "std") and keepdims is False and axis in (None, 0) else [0]
                    for ddof in ddofs:
                        case = {"input": name, "op": op, "axis": axis, "keepdims": keepdims, "ddof": ddof}
                        try:
                            r = np.asarray(run(op, a, axis, keepdims, ddof))
                        except ValueError as e:
                            case["error"] = str(e)
                            cases.append(case)
                            continue
                        dtype = "int64" if op in ("count", "count_nonnan", "count_nonzero") else r.dtype.name
                        case.update(dtype=dtype, shape=list(r.shape), values=[text(v, r.dtype.kind) for v in r.reshape(-1)])
                        cases.append(case)
    hist = []
    for name, bins, rg in [("f64_hist", 10, (0.0, 10.0)), ("f64_hist", 7, (-1.0, 12.0)), ("f64_hist", 3, (2.5, 2.5)), ("i32_bins", 4, (0.0, 8.0)), ("i32_bins", 5, (1.0, 6.0))]:
        counts, edges = np.histogram(INPUTS[name], bins=bins, range=rg)
        hist.append({"input": name, "bins": bins, "range": list(rg), "counts": [int(c) for c in counts], "edges": [repr(float(e)) for e in edges]})
    binc = []
    for minlength in (0, 12):
        c = np.bincount(INPUTS["i32_bins"].reshape(-1), minlength=minlength)
        binc.append({"input": "i32_bins", "minlength": minlength, "counts": [int(x) for x in c]})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases, "histogram": hist, "bincount": binc}, f, separators=(",", ":"))
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
