"""Convert a float32 MediaPipe .tflite model to ONNX for tract, with the same bytes every time.

tract-tflite 0.23 has no PRELU op (and its op registry cannot be extended from outside), so the
face-landmark model is converted once, at fetch time, by tflite2onnx (pure Python, Apache-2.0).
Its initializers come out in a random order; sorting them (and the value infos) by name makes
the output reproducible, so scripts/fetch-assets.sh can check it against a recorded sha256.

Pinned: tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.23.2 numpy==2.4.6 (see fetch-assets.sh).
Usage: tflite_to_onnx.py IN.tflite OUT.onnx
"""
import os
import sys

import onnx
import tflite2onnx

src, dst = sys.argv[1], sys.argv[2]
tmp = dst + ".tmp"
tflite2onnx.convert(src, tmp)
model = onnx.load(tmp)
for field in (model.graph.initializer, model.graph.value_info):
    items = sorted(field, key=lambda t: t.name)
    del field[:]
    field.extend(items)
onnx.save(model, dst)
os.remove(tmp)
