#!/usr/bin/env python3
"""Generates NumPy reference fixtures for the elementwise operations (ChunkCompute.Ops.Elementwise).

Writes small .npy files to tests/ChunkCompute.Tests/Fixtures/ops/elementwise: for each case CASE, inputs
CASE.a.npy (and CASE.b.npy, CASE.c.npy) and the expected result CASE.out.npy, computed by NumPy.
Deterministic (fixed seed). Run: /usr/bin/python3 tests/fixture-scripts/gen_elementwise_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "elementwise")
rng = np.random.default_rng(20261121)


def save(case, out, *inputs):
    for name, arr in zip("abc", inputs):
        np.save(os.path.join(OUT, f"{case}.{name}.npy"), np.ascontiguousarray(arr))
    np.save(os.path.join(OUT, f"{case}.out.npy"), np.ascontiguousarray(out))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy"):
            os.remove(os.path.join(OUT, f))

    # Broadcasting: (4, 1, 3) with (5, 1) -> (4, 5, 3); (6,) with (3, 1) -> (3, 6).
    a = rng.standard_normal((4, 1, 3))
    b = rng.standard_normal((5, 1))
    save("broadcast_add_f8", a + b, a, b)
    save("broadcast_mul_f8", a * b, a, b)
    c = rng.integers(-100, 100, size=(6,), dtype=np.int32)
    d = rng.integers(-100, 100, size=(3, 1), dtype=np.int32)
    save("broadcast_sub_i4", c - d, c, d)

    # Round half to even, with specials.
    r = np.array([-3.5, -2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 3.5, 4.5, 2.675, -2.675, 1e300, np.nan, np.inf, -np.inf, 0.49999999999999994], dtype=np.float64)
    save("round_f8", np.round(r), r)
    with np.errstate(over="ignore"):
        r4 = r.astype(np.float32)
    save("round_f4", np.round(r4), r4)

    # astype edge cases (float -> int only within range: NumPy's NaN/out-of-range results are platform-defined).
    f = np.array([-2.7, -2.5, -1.0, -0.9, -0.0, 0.0, 0.9, 1.5, 2.999, 2147483520.0, -2147483648.0, 123456.789], dtype=np.float64)
    save("astype_f8_i4", f.astype(np.int32), f)
    save("astype_f8_i8", f.astype(np.int64), f)
    wide = np.array([0, 1, -1, 2**31, 2**31 + 5, -(2**31) - 1, 2**40 + 7, -(2**62), 2**63 - 1, -(2**63)], dtype=np.int64)
    save("astype_i8_i4", wide.astype(np.int32), wide)
    save("astype_i8_f8", wide.astype(np.float64), wide)
    ints = np.array([0, 1, -1, 2, 0, -2147483648, 7, 0], dtype=np.int32)
    save("astype_i4_bool", ints.astype(np.bool_), ints)
    fb = np.array([0.0, -0.0, 1e-300, np.nan, np.inf, -1.0], dtype=np.float64)
    save("astype_f8_bool", fb.astype(np.bool_), fb)
    bools = np.array([True, False, True, True, False])
    save("astype_bool_f8", bools.astype(np.float64), bools)
    f8 = np.array([1.0 / 3.0, 1e39, -1e39, 1e-46, np.nan, 16777217.0], dtype=np.float64)
    with np.errstate(over="ignore"):
        save("astype_f8_f4", f8.astype(np.float32), f8)

    # float32 transcendental functions, computed in float32 by NumPy.
    x = rng.uniform(-20, 20, size=(7, 33)).astype(np.float32)
    save("exp_f4", np.exp(x), x)
    save("tanh_f4", np.tanh(x), x)
    pos = rng.uniform(1e-6, 1e6, size=(7, 33)).astype(np.float32)
    save("log_f4", np.log(pos), pos)
    xs = rng.uniform(-10, 10, size=(50,)).astype(np.float64)
    save("sin_f8", np.sin(xs), xs)
    save("sqrt_f8", np.sqrt(np.abs(xs)), np.abs(xs))

    # int32 overflow wraps.
    m = rng.integers(-(2**31), 2**31 - 1, size=(40,), dtype=np.int32)
    n = rng.integers(-(2**31), 2**31 - 1, size=(40,), dtype=np.int32)
    with np.errstate(over="ignore"):
        save("mul_wrap_i4", m * n, m, n)
        save("add_wrap_i4", m + n, m, n)
        mm = np.array([-(2**31), 2**31 - 1, 0, -5], dtype=np.int32)
        save("neg_wrap_i4", -mm, mm)
        save("abs_wrap_i4", np.abs(mm), mm)

    # Integer floor division and remainder, with zeros and signs; MinValue // -1.
    p = np.array([7, -7, 7, -7, 0, 5, -5, 13, -2147483648, -2147483648, 3, -3], dtype=np.int32)
    q = np.array([2, 2, -2, -2, 3, 0, 0, 0, -1, 1, 7, 7], dtype=np.int32)
    with np.errstate(divide="ignore", over="ignore"):
        save("floordiv_i4", p // q, p, q)
        save("remainder_i4", p % q, p, q)
        pl = p.astype(np.int64)
        ql = q.astype(np.int64)
        save("floordiv_i8", pl // ql, pl, ql)
    u = np.array([7.5, -7.5, 7.5, -7.5, 1.0, -1.0, 0.0, np.inf, 3.0, -3.0, np.nan, 6.0], dtype=np.float64)
    v = np.array([2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 2.0, np.inf, np.inf, 1.0, 3.0], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        save("divide_f8", u / v, u, v)
        save("remainder_f8", np.remainder(u, v), u, v)

    # where with broadcasting, clip, comparisons with NaN.
    cond = rng.random((3, 4)) > 0.5
    wa = rng.standard_normal((4,))
    wb = rng.standard_normal((3, 1))
    save("where_f8", np.where(cond, wa, wb), cond, wa, wb)
    cl = np.array([-5.0, -1.0, 0.0, 0.5, 1.0, 9.0, np.nan, -np.inf, np.inf])
    save("clip_f8", np.clip(cl, -1.0, 1.0), cl)
    ca = np.array([1.0, np.nan, 2.0, -0.0, np.inf, np.nan])
    cb = np.array([1.0, 1.0, 3.0, 0.0, np.inf, np.nan])
    save("less_f8", ca < cb, ca, cb)
    save("equal_f8", ca == cb, ca, cb)
    save("notequal_f8", ca != cb, ca, cb)
    save("isnan_f8", np.isnan(ca), ca)
    pw = np.array([2.0, 0.5, -2.0, 0.0, 10.0, np.nan])
    save("pow_f8", np.power(pw, 3.0), pw)


if __name__ == "__main__":
    main()
