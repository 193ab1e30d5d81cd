"""ONNX models built in code with random weights, for torch-mlir's importer.

ResNet-18 (torchvision's architecture) and a BERT encoder layer, at any size:
the importer (python/pet_mlir/torch_import.py) turns them into the
linalg-on-tensors that torch-mlir emits, which --convert-linalg-to-pet reads.
Needs the `onnx` and `numpy` packages (pip); nothing is downloaded.
"""

from __future__ import annotations

import math
from typing import List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class _Graph:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: List[onnx.NodeProto] = []
        self.inits: List[onnx.TensorProto] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def weight(self, shape: List[int], scale: Optional[float] = None,
               positive: bool = False) -> str:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        scale = scale if scale is not None else 1.0 / math.sqrt(fan_in)
        values = self.rng.standard_normal(shape) * scale
        if positive:
            values = np.abs(values) + 0.5
        name = self.name("w")
        self.inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def const(self, values, dtype=np.float32) -> str:
        name = self.name("c")
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def node(self, op: str, inputs: List[str], **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def model(self, name: str, inputs, output: str, output_shape) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, output_shape)],
            self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _conv_bn(g: _Graph, x: str, cin: int, cout: int, k: int, stride: int,
             relu: bool) -> str:
    y = g.node("Conv", [x, g.weight([cout, cin, k, k])], kernel_shape=[k, k],
               strides=[stride, stride], pads=[k // 2] * 4)
    y = g.node("BatchNormalization",
               [y, g.weight([cout], 0.1, positive=True), g.weight([cout], 0.1),
                g.weight([cout], 0.1), g.weight([cout], 0.1, positive=True)],
               epsilon=1e-5)
    return g.node("Relu", [y]) if relu else y


def resnet18(image: int = 224, classes: int = 1000, width: int = 64,
             blocks: int = 2, seed: int = 0) -> onnx.ModelProto:
    """ResNet-18 (batch 1): stem, 4 stages of `blocks` basic blocks, pooling
    and a linear classifier; `width` channels in the first stage."""
    g = _Graph(seed)
    y = _conv_bn(g, "x", 3, width, 7, 2, relu=True)
    y = g.node("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    channels = width
    for stage in range(4):
        out = width * 2 ** stage
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            z = _conv_bn(g, y, channels, out, 3, stride, relu=True)
            z = _conv_bn(g, z, out, out, 3, 1, relu=False)
            shortcut = y
            if stride != 1 or channels != out:
                shortcut = _conv_bn(g, y, channels, out, 1, stride, relu=False)
            y = g.node("Relu", [g.node("Add", [z, shortcut])])
            channels = out
    y = g.node("Flatten", [g.node("GlobalAveragePool", [y])])
    y = g.node("Gemm", [y, g.weight([classes, channels]), g.weight([classes], 0.1)],
               transB=1)
    return g.model("resnet18", [("x", [1, 3, image, image])], y, [1, classes])


def resnet_block(image: int = 16, channels: int = 8, seed: int = 0) -> onnx.ModelProto:
    """One downsampling basic block (3x3 stride 2 + 1x1 shortcut), small."""
    g = _Graph(seed)
    z = _conv_bn(g, "x", channels, 2 * channels, 3, 2, relu=True)
    z = _conv_bn(g, z, 2 * channels, 2 * channels, 3, 1, relu=False)
    s = _conv_bn(g, "x", channels, 2 * channels, 1, 2, relu=False)
    y = g.node("Relu", [g.node("Add", [z, s])])
    return g.model("resnet_block", [("x", [1, channels, image, image])], y,
                   [1, 2 * channels, image // 2, image // 2])


def bert_layer(seq: int = 128, hidden: int = 768, heads: int = 12,
               ffn: Optional[int] = None, seed: int = 0) -> onnx.ModelProto:
    """One BERT encoder layer (post-norm, GELU), batch 1."""
    ffn = ffn or 4 * hidden
    head = hidden // heads
    g = _Graph(seed)

    def linear(x: str, cin: int, cout: int) -> str:
        return g.node("Add", [g.node("MatMul", [x, g.weight([cin, cout])]),
                              g.weight([cout], 0.1)])

    def split_heads(x: str) -> str:
        x = g.node("Reshape", [x, g.const([1, seq, heads, head], np.int64)])
        return g.node("Transpose", [x], perm=[0, 2, 1, 3])

    def layer_norm(x: str) -> str:
        return g.node("LayerNormalization",
                      [x, g.weight([hidden], 0.1, positive=True), g.weight([hidden], 0.1)],
                      axis=-1, epsilon=1e-12)

    x = "x"
    q = split_heads(linear(x, hidden, hidden))
    k = split_heads(linear(x, hidden, hidden))
    v = split_heads(linear(x, hidden, hidden))
    scores = g.node("MatMul", [q, g.node("Transpose", [k], perm=[0, 1, 3, 2])])
    scores = g.node("Div", [scores, g.const(math.sqrt(head))])
    probs = g.node("Softmax", [scores], axis=-1)
    context = g.node("Transpose", [g.node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    context = g.node("Reshape", [context, g.const([1, seq, hidden], np.int64)])
    y = layer_norm(g.node("Add", [linear(context, hidden, hidden), x]))
    h = linear(y, hidden, ffn)
    # GELU, erf form, as BERT exports it.
    erf = g.node("Erf", [g.node("Div", [h, g.const(math.sqrt(2.0))])])
    h = g.node("Mul", [g.node("Mul", [h, g.node("Add", [erf, g.const(1.0)])]),
                       g.const(0.5)])
    out = layer_norm(g.node("Add", [linear(h, ffn, hidden), y]))
    return g.model("bert_layer", [("x", [1, seq, hidden])], out, [1, seq, hidden])
