#!/usr/bin/env python3
"""Generates the .npy fixtures under tests/ChunkCompute.Tests/Fixtures/npy with NumPy.

Each fixture NAME.npy has a sidecar NAME.json written from NumPy's own view of the array:
  descr (as in the header), shape, fortran_order, version, values (C order, as text: ints as integers,
  floats as repr strings, 'nan'/'inf'/'-inf'), and le_c_hex (the elements little-endian in C order, hex).
Run: /usr/bin/python3 tests/fixture-scripts/gen_npy_fixtures.py
"""
import json
import os

import numpy as np
from numpy.lib import format as npfmt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "npy")


def values_for(kind, size, n):
    """Deterministic values that exercise every byte (extremes for ints, specials for floats)."""
    if kind == "b":
        return np.array([(i * 7) % 3 == 0 for i in range(n)], dtype="?")
    if kind in "iu":
        info = np.iinfo(f"{kind}{size}")
        base = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
        vals = [int(base[i]) if i < len(base) else int((i * 0x01020304050607 + 3) % (int(info.max) + 1)) for i in range(n)]
        return np.array(vals, dtype=f"<{kind}{size}")
    base = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-3, 65504.0, 3.140625]
    vals = [base[i] if i < len(base) else (i * 1.25 - 7.0) for i in range(n)]
    return np.array(vals, dtype=f"<f{size}")


def text_value(v, kind):
    if kind == "b":
        return bool(v)
    if kind in "iu":
        return int(v)
    f = float(v)
    if np.isnan(f):
        return "nan"
    if np.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def write(name, arr, version=None, patch=None, raw=None):
    path = os.path.join(OUT, name + ".npy")
    with open(path, "wb") as f:
        if raw is not None:
            f.write(raw)
        else:
            npfmt.write_array(f, arr, version=version, allow_pickle=False)
    if patch is not None:
        data = open(path, "rb").read()
        old, new = patch
        assert data.count(old) == 1 and len(old) == len(new)
        open(path, "wb").write(data.replace(old, new))
    # Read back what NumPy sees in the file.
    with open(path, "rb") as f:
        ver = npfmt.read_magic(f)
        shape, fortran, dtype = npfmt._read_array_header(f, ver)
    descr = dtype.str
    if patch is not None:
        descr = patch[1].decode().strip("'")
    back = np.load(path)
    c = np.ascontiguousarray(back)
    le = c.astype(c.dtype.newbyteorder("<"), copy=True)
    kind = back.dtype.kind
    sidecar = {
        "descr": descr,
        "shape": list(shape),
        "fortran_order": bool(fortran),
        "version": list(ver),
        "values": [text_value(v, kind) for v in c.reshape(-1)],
        "le_c_hex": le.tobytes().hex(),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(sidecar, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))

    kinds = [("b", 1), ("i", 1), ("u", 1)] + [(k, s) for k in "iu" for s in (2, 4, 8)] + [("f", s) for s in (2, 4, 8)]
    for kind, size in kinds:
        base = values_for(kind, size, 12).reshape(3, 4)
        orders = ["le"] if size == 1 else ["le", "be"]
        for order in orders:
            a = base.astype(base.dtype.newbyteorder(">" if order == "be" else "<")) if kind != "b" else base
            write(f"{kind}{size}_{order}_c2d", a)
            write(f"{kind}{size}_{order}_f2d", np.asfortranarray(a))

    # 3-D in both orders, both byte orders.
    for descr, tag in [("<f8", "f8_le"), (">f8", "f8_be"), (">i2", "i2_be"), ("|u1", "u1")]:
        kind, size = descr[1], int(descr[2:])
        a = values_for(kind, size, 24).astype(descr).reshape(2, 3, 4)
        write(f"{tag}_c3d", a)
        write(f"{tag}_f3d", np.asfortranarray(a))

    write("f8_le_1d", values_for("f", 8, 5))
    write("f8_le_0d", np.array(2.5, dtype="<f8"))
    write("i4_be_0d", np.array(-123456, dtype=">i4"))
    write("f4_le_empty_0x4", np.zeros((0, 4), dtype="<f4"))
    write("i2_be_empty_4x0_f", np.asfortranarray(np.zeros((4, 0), dtype=">i2")))

    v = values_for("f", 8, 6).reshape(2, 3)
    write("f8_le_v1", v, version=(1, 0))
    write("f8_le_v2", v, version=(2, 0))
    write("f8_le_v3", v, version=(3, 0))
    write("i4_be_v2_f", np.asfortranarray(values_for("i", 4, 6).astype(">i4").reshape(2, 3)), version=(2, 0))
    # Native byte order '=' as some writers emit it (NumPy itself writes '<').
    write("i4_native_eq", values_for("i", 4, 6).reshape(2, 3), patch=(b"'<i4'", b"'=i4'"))

    # A Python 2 era file: 'L' suffixes in the shape and data aligned to 16 bytes instead of 64.
    d = "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }"
    pad = (16 - (10 + len(d) + 1) % 16) % 16
    d = d + " " * pad + "\n"
    legacy = b"\x93NUMPY\x01\x00" + len(d).to_bytes(2, "little") + d.encode("latin1")
    legacy += values_for("i", 2, 6).tobytes()
    write("i2_legacy_py2_align16", None, raw=legacy)


if __name__ == "__main__":
    main()
