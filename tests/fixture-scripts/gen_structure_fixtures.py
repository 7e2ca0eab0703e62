#!/usr/bin/env python3
"""Generates tests/ChunkCompute.Tests/Fixtures/ops/structure/structure_cases.json with NumPy.

Each case names an operation on int32 arrays whose input k is np.arange(prod(shape)).reshape(shape) + 1000 * k,
the chunk sizes the C# side cuts the inputs into (per dimension; irregular allowed), the operation's arguments and
NumPy's answer (shape and C-order values).
Run: /usr/bin/python3 tests/fixture-scripts/gen_structure_fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "ops", "structure")


def arr(shape, k=0):
    return (np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape) + 1000 * k).astype(np.int32)


def parse_index(text):
    out = []
    for part in text.split(","):
        p = part.strip()
        if p == "...":
            out.append(Ellipsis)
        elif ":" in p:
            f = [int(x) if x.strip() else None for x in p.split(":")]
            out.append(slice(*f))
        else:
            out.append(int(p))
    return tuple(out)


def case(name, op, shapes, chunks, args, result):
    return {"name": name, "op": op, "shapes": [list(s) for s in shapes], "chunks": chunks, "args": args,
            "expected_shape": list(result.shape), "expected": result.ravel().tolist()}


def main():
    cases = []
    slices = [
        ((10, 7), [[3, 3, 4], [2, 5]], "2:9:2, ::-1"),
        ((10, 7), [[3, 3, 4], [2, 5]], "-3:, 1"),
        ((10, 7), [[3, 3, 4], [2, 5]], "::-3, -6:-1:2"),
        ((10, 7), [[5, 5], [7]], "8:2:-2, ..."),
        ((10, 7), [[5, 5], [7]], "5:5, :"),
        ((6, 5, 4), [[2, 2, 2], [1, 4], [3, 1]], "..., -1"),
        ((6, 5, 4), [[2, 2, 2], [1, 4], [3, 1]], "1, ::2, ::-1"),
        ((6, 5, 4), [[4, 2], [5], [1, 1, 1, 1]], "-100:100:3, 4:0:-1, 2:3"),
        ((1, 9), [[1], [2, 3, 4]], "0, 7:1:-2"),
        ((9,), [[2, 2, 2, 2, 1]], "::-1"),
    ]
    for shape, ch, idx in slices:
        cases.append(case(f"slice {shape} [{idx}]", "slice", [shape], [ch], {"index": idx}, arr(shape)[parse_index(idx)]))
    for axes in [(2, 0, 1), (1, 2, 0), (0, 2, 1), None]:
        shape, ch = (4, 3, 5), [[1, 3], [2, 1], [2, 2, 1]]
        r = np.transpose(arr(shape), axes)
        cases.append(case(f"transpose {shape} {axes}", "transpose", [shape], [ch], {"axes": list(axes) if axes else []}, r))
    reshapes = [
        ((6, 4), [[2, 2, 2], [4]], (24,)),
        ((6, 4), [[2, 2, 2], [4]], (3, 2, 4)),
        ((24,), [[8, 8, 8]], (3, 2, 4)),
        ((24,), [[4, 4, 4, 4, 4, 4]], (6, -1)),
        ((2, 3, 4), [[1, 1], [1, 2], [4]], (2, 12)),
        ((4, 1, 6), [[2, 2], [1], [3, 3]], (4, 6, 1)),
    ]
    for shape, ch, new in reshapes:
        cases.append(case(f"reshape {shape} -> {new}", "reshape", [shape], [ch], {"shape": list(new)}, arr(shape).reshape(new)))
    cat_shapes = [(3, 4), (5, 4), (0, 4), (2, 4)]
    cat_chunks = [[[2, 1], [3, 1]], [[5], [2, 2]], [[0], [4]], [[1, 1], [4]]]
    cases.append(case("concatenate axis 0", "concatenate", cat_shapes, cat_chunks, {"axis": 0},
                      np.concatenate([arr(s, k) for k, s in enumerate(cat_shapes)], axis=0)))
    cat2 = [(3, 2, 2), (3, 1, 2), (3, 4, 2)]
    cat2_chunks = [[[3], [1, 1], [2]], [[3], [1], [2]], [[3], [3, 1], [1, 1]]]
    cases.append(case("concatenate axis -2", "concatenate", cat2, cat2_chunks, {"axis": -2},
                      np.concatenate([arr(s, k) for k, s in enumerate(cat2)], axis=-2)))
    st = [(3, 4)] * 3
    st_chunks = [[[2, 1], [4]], [[2, 1], [4]], [[3], [1, 3]]]
    for axis in (0, 1, 2, -1):
        cases.append(case(f"stack axis {axis}", "stack", st, st_chunks, {"axis": axis},
                          np.stack([arr(s, k) for k, s in enumerate(st)], axis=axis)))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "structure_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
