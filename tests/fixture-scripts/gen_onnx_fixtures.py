#!/usr/bin/env python3
"""Generates the ONNX inference fixtures under tests/ChunkCompute.Onnx.Tests/Fixtures.

A linear layer with a ReLU built with the ONNX protobuf schema (onnx.helper; no training framework needed):
  Y = Relu(X @ W + b),  X: float32 [N, 16] with a dynamic batch dimension "N",  W: 16 x 4,  b: 4,  Y: float32 [N, 4]
W and b come from a seeded NumPy RNG. The expected output is computed with NumPy in float64 and rounded to float32
(the independent reference: ONNX Runtime is not used here). Files:
  linear_relu.onnx      the model (opset 13, IR version 7 for old and new runtimes)
  x.npy                 float32 [203, 16] input
  y_expected.npy        float32 [203, 4]  Relu(x @ W + b) from NumPy
  w.npy, b.npy          the weights, for reference
  linear_relu_f64.onnx  the same layer in float64 (X, Y float64), and y_expected_f64.npy = Relu(x @ W + b) in float64
Run: /usr/bin/python3 tests/fixture-scripts/gen_onnx_fixtures.py   (Debian: apt-get install python3-onnx)
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Onnx.Tests", "Fixtures")
FEATURES, OUTPUTS, ROWS = 16, 4, 203
rng = np.random.default_rng(20261205)

w = rng.normal(0.0, 0.5, (FEATURES, OUTPUTS)).astype(np.float32)
b = rng.normal(0.0, 0.5, OUTPUTS).astype(np.float32)
x = rng.normal(0.0, 1.0, (ROWS, FEATURES)).astype(np.float32)
y = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64), 0.0).astype(np.float32)



def build(elem, weights, bias, name):
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["XW"]),
            helper.make_node("Add", ["XW", "B"], ["Z"]),
            helper.make_node("Relu", ["Z"], ["Y"]),
        ],
        name,
        [helper.make_tensor_value_info("X", elem, ["N", FEATURES])],
        [helper.make_tensor_value_info("Y", elem, ["N", OUTPUTS])],
        initializer=[numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "B")],
    )
    m = helper.make_model(graph, producer_name="chunkcompute-fixtures", opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


model = build(TensorProto.FLOAT, w, b, "linear_relu")
model64 = build(TensorProto.DOUBLE, w.astype(np.float64), b.astype(np.float64), "linear_relu_f64")
y64 = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64), 0.0)

os.makedirs(OUT, exist_ok=True)
onnx.save(model, os.path.join(OUT, "linear_relu.onnx"))
onnx.save(model64, os.path.join(OUT, "linear_relu_f64.onnx"))
for name, a in (("x", x), ("y_expected", y), ("y_expected_f64", y64), ("w", w), ("b", b)):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a))
print("wrote", OUT, "; y positive fraction %.2f" % (y > 0).mean())
