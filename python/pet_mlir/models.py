"""PET-dialect programs of real networks, built from code.

Weights are function arguments marked `{pet.weight}` (so nothing is
downloaded, any random values can be fed, and --pet-preprocess knows what to
compute once); inference batch-norm is a per-channel pet.mul and
pet.add, as the importer folds it. Shapes follow torchvision.
"""

from __future__ import annotations

from typing import List, Tuple


class _Builder:
    def __init__(self) -> None:
        self.args: List[Tuple[str, str]] = []
        self.lines: List[str] = []
        self.count = 0

    def arg(self, shape: List[int], weight: bool = True) -> str:
        name = f"%w{len(self.args)}"
        self.args.append((name, _t(shape) + (" {pet.weight}" if weight else "")))
        return name

    def op(self, text: str) -> str:
        name = f"%v{self.count}"
        self.count += 1
        self.lines.append(f"  {name} = {text}")
        return name


def _t(shape: List[int]) -> str:
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def _conv(b: _Builder, x: str, shape: List[int], cout: int, k: int, s: int,
          p: int) -> Tuple[str, List[int]]:
    n, c, h, w = shape
    weight = b.arg([cout, c, k, k])
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = [n, cout, oh, ow]
    attrs = ""
    if s != 1:
        attrs += f" strides [{s}, {s}]"
    if p:
        attrs += f" pad_low [{p}, {p}] pad_high [{p}, {p}]"
    return b.op(f"pet.conv2d {x}, {weight}{attrs} : ({_t(shape)}, "
                f"{_t([cout, c, k, k])}) -> {_t(out)}"), out


def _bn(b: _Builder, x: str, shape: List[int]) -> str:
    c = shape[1]
    scale, shift = b.arg([1, c, 1, 1]), b.arg([1, c, 1, 1])
    y = b.op(f"pet.mul {x}, {scale} : ({_t(shape)}, {_t([1, c, 1, 1])}) -> {_t(shape)}")
    return b.op(f"pet.add {y}, {shift} : ({_t(shape)}, {_t([1, c, 1, 1])}) -> {_t(shape)}")


def _relu(b: _Builder, x: str, shape: List[int]) -> str:
    return b.op(f"pet.relu {x} : {_t(shape)}")


def resnet18(batch: int = 1, image: int = 224, classes: int = 1000) -> str:
    """ResNet-18 (torchvision's layout) as a PET function @resnet18."""
    b = _Builder()
    x = b.arg([batch, 3, image, image], weight=False)
    shape = [batch, 3, image, image]
    y, shape = _conv(b, x, shape, 64, 7, 2, 3)
    y = _relu(b, _bn(b, y, shape), shape)
    pooled = [shape[0], shape[1], (shape[2] + 2 - 3) // 2 + 1, (shape[3] + 2 - 3) // 2 + 1]
    y = b.op(f"pet.max_pool2d {y} kernel [3, 3] strides [2, 2] pad_low [1, 1] "
             f"pad_high [1, 1] : {_t(shape)} -> {_t(pooled)}")
    shape = pooled
    for stage, channels in enumerate([64, 128, 256, 512]):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            identity, identity_shape = y, shape
            z, zshape = _conv(b, y, shape, channels, 3, stride, 1)
            z = _relu(b, _bn(b, z, zshape), zshape)
            z, zshape = _conv(b, z, zshape, channels, 3, 1, 1)
            z = _bn(b, z, zshape)
            if stride != 1 or identity_shape[1] != channels:
                identity, _ = _conv(b, identity, identity_shape, channels, 1, stride, 0)
                identity = _bn(b, identity, zshape)
            z = b.op(f"pet.add {z}, {identity} : ({_t(zshape)}, {_t(zshape)}) -> {_t(zshape)}")
            y, shape = _relu(b, z, zshape), zshape
    n, c, h, w = shape
    pooled = [n, c, 1, 1]
    y = b.op(f"pet.avg_pool2d {y} kernel [{h}, {w}] : {_t(shape)} -> {_t(pooled)}")
    flat = b.op(f"pet.reshape {y} : {_t(pooled)} -> {_t([n, c])}")
    fc = b.arg([c, classes])
    logits = b.op(f"pet.matmul {flat}, {fc} : ({_t([n, c])}, {_t([c, classes])}) -> {_t([n, classes])}")
    bias = b.arg([1, classes])
    out = b.op(f"pet.add {logits}, {bias} : ({_t([n, classes])}, {_t([1, classes])}) -> {_t([n, classes])}")
    args = ", ".join(f"{name}: {type_}" for name, type_ in b.args)
    body = "\n".join(b.lines)
    return (f"func.func @resnet18({args}) -> {_t([n, classes])} {{\n{body}\n"
            f"  return {out} : {_t([n, classes])}\n}}\n")
