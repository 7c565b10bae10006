"""Convert a float32 MediaPipe .tflite model to ONNX for tract, with the same bytes every time.

tract-tflite 0.23 has no PRELU op (and its op registry cannot be extended from outside), so the
face-landmark model is converted once, at fetch time, by tflite2onnx (pure Python, Apache-2.0).
Its initializers come out in a random order; sorting them (and the value infos) by name makes
the output reproducible, so scripts/fetch-assets.sh can check it against a recorded sha256.

Each PRelu(x, slope) is written as Relu(x) + slope * Min(x, 0), the same function: tract expands
PRelu into a compare and a three-way select over broadcast tensors, which ran on ndarray's
generic iterator and took ~40 % of a frame's analysis; Relu, Min by a scalar, Mul and Add run on
its vectorised kernels (1080p analysis ~55 → ~30 ms per frame, outputs unchanged).

Pinned: tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.23.2 numpy==2.4.6 (see fetch-assets.sh).
Usage: tflite_to_onnx.py IN.tflite OUT.onnx
"""
import os
import sys

import numpy as np
import onnx
import tflite2onnx
from onnx import helper, numpy_helper

src, dst = sys.argv[1], sys.argv[2]
tmp = dst + ".tmp"
tflite2onnx.convert(src, tmp)
model = onnx.load(tmp)
graph = model.graph
nodes = []
for node in graph.node:
    if node.op_type != "PRelu":
        nodes.append(node)
        continue
    (x, slope), y = node.input, node.output[0]
    nodes += [
        helper.make_node("Relu", [x], [y + ".pos"]),
        helper.make_node("Min", [x, "prelu.zero"], [y + ".neg"]),
        helper.make_node("Mul", [y + ".neg", slope], [y + ".scaled"]),
        helper.make_node("Add", [y + ".pos", y + ".scaled"], [y]),
    ]
if len(nodes) != len(graph.node):
    graph.initializer.append(numpy_helper.from_array(np.zeros((1,), np.float32), "prelu.zero"))
del graph.node[:]
graph.node.extend(nodes)
for field in (model.graph.initializer, model.graph.value_info):
    items = sorted(field, key=lambda t: t.name)
    del field[:]
    field.extend(items)
onnx.save(model, dst)
os.remove(tmp)
