"""PET-dialect programs of real networks, built from code, for the tests
and the GPU equality check (`pet_mlir.gpu_check`): programs of the GPU
pipeline's size without torch-mlir. (The benchmark compiles PyTorch's own
modules instead: `pet_mlir.torch_bench`.)

Weights are function arguments marked `{pet.weight}` (so nothing is
downloaded, any random values can be fed, and --pet-preprocess knows what to
compute once); inference batch-norm is a per-channel pet.mul and
pet.add, as the importer folds it. Architectures follow the reference
definitions (torchvision's ResNet-18, ResNeXt-50 32x4d and Inception-v3;
CSRNet's VGG-16 front end and dilated back end; their parameter counts are
checked by test_models.py). `MODELS` lists them.
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


def _pair(v) -> Tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _conv(b: _Builder, x: str, shape: List[int], cout: int, k, s=1, p=0,
          dilation=1, groups: int = 1) -> Tuple[str, List[int]]:
    """A convolution without bias; `k`, `s`, `p` and `dilation` are an int
    or an (h, w) pair."""
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (k, s, p, dilation))
    filt = [cout, c // groups, kh, kw]
    weight = b.arg(filt)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = [n, cout, oh, ow]
    attrs = ""
    if (sh, sw) != (1, 1):
        attrs += f" strides [{sh}, {sw}]"
    if (ph, pw) != (0, 0):
        attrs += f" pad_low [{ph}, {pw}] pad_high [{ph}, {pw}]"
    if (dh, dw) != (1, 1):
        attrs += f" dilations [{dh}, {dw}]"
    if groups != 1:
        attrs += f" groups {groups}"
    return b.op(f"pet.conv2d {x}, {weight}{attrs} : ({_t(shape)}, "
                f"{_t(filt)}) -> {_t(out)}"), out


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
    y, shape = _max_pool(b, y, shape, 3, 2, 1)
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
    out, shape = _classifier(b, y, shape, classes)
    return _function(b, "resnet18", out, shape)


def _bias(b: _Builder, x: str, shape: List[int]) -> str:
    """A per-channel bias of an NCHW tensor (a convolution's)."""
    c = shape[1]
    bias = b.arg([1, c, 1, 1])
    return b.op(f"pet.add {x}, {bias} : ({_t(shape)}, {_t([1, c, 1, 1])}) -> {_t(shape)}")


def _pool_shape(shape: List[int], k: int, s: int, p: int) -> List[int]:
    n, c, h, w = shape
    return [n, c, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1]


def _pool(b: _Builder, kind: str, x: str, shape: List[int], k: int, s: int,
          p: int = 0) -> Tuple[str, List[int]]:
    out = _pool_shape(shape, k, s, p)
    pad = f" pad_low [{p}, {p}] pad_high [{p}, {p}]" if p else ""
    return b.op(f"pet.{kind}_pool2d {x} kernel [{k}, {k}] strides [{s}, {s}]{pad} "
                f": {_t(shape)} -> {_t(out)}"), out


def _max_pool(b: _Builder, x: str, shape: List[int], k: int, s: int,
              p: int = 0) -> Tuple[str, List[int]]:
    return _pool(b, "max", x, shape, k, s, p)


def _avg_pool(b: _Builder, x: str, shape: List[int], k: int, s: int,
              p: int = 0) -> Tuple[str, List[int]]:
    return _pool(b, "avg", x, shape, k, s, p)


def _concat(b: _Builder, parts: List[Tuple[str, List[int]]]) -> Tuple[str, List[int]]:
    shape = list(parts[0][1])
    shape[1] = sum(p[1][1] for p in parts)
    names = ", ".join(p[0] for p in parts)
    types = ", ".join(_t(p[1]) for p in parts)
    return b.op(f"pet.concat {names} axis 1 : ({types}) -> {_t(shape)}"), shape


def _classifier(b: _Builder, y: str, shape: List[int], classes: int) -> Tuple[str, List[int]]:
    """Global average pooling, flatten, fully connected layer with bias."""
    n, c, h, w = shape
    pooled = [n, c, 1, 1]
    y = b.op(f"pet.avg_pool2d {y} kernel [{h}, {w}] : {_t(shape)} -> {_t(pooled)}")
    flat = b.op(f"pet.reshape {y} : {_t(pooled)} -> {_t([n, c])}")
    fc = b.arg([c, classes])
    logits = b.op(f"pet.matmul {flat}, {fc} : ({_t([n, c])}, {_t([c, classes])}) -> {_t([n, classes])}")
    bias = b.arg([1, classes])
    return b.op(f"pet.add {logits}, {bias} : ({_t([n, classes])}, {_t([1, classes])}) "
                f"-> {_t([n, classes])}"), [n, classes]


def _function(b: _Builder, name: str, out: str, shape: List[int]) -> str:
    args = ", ".join(f"{n}: {type_}" for n, type_ in b.args)
    body = "\n".join(b.lines)
    return (f"func.func @{name}({args}) -> {_t(shape)} {{\n{body}\n"
            f"  return {out} : {_t(shape)}\n}}\n")


def _conv_bn_relu(b: _Builder, x: str, shape: List[int], cout: int, k, s=1, p=0,
                  groups: int = 1, relu: bool = True) -> Tuple[str, List[int]]:
    y, shape = _conv(b, x, shape, cout, k, s, p, groups=groups)
    y = _bn(b, y, shape)
    return (_relu(b, y, shape) if relu else y), shape


def resnext50_32x4d(batch: int = 1, image: int = 224, classes: int = 1000) -> str:
    """ResNeXt-50 32x4d (torchvision's layout: stride on the grouped 3x3
    convolution) as a PET function @resnext50."""
    b = _Builder()
    x = b.arg([batch, 3, image, image], weight=False)
    y, shape = _conv_bn_relu(b, x, [batch, 3, image, image], 64, 7, 2, 3)
    y, shape = _max_pool(b, y, shape, 3, 2, 1)
    groups, width_per_group = 32, 4
    for stage, (planes, blocks) in enumerate(zip([64, 128, 256, 512], [3, 4, 6, 3])):
        width = planes * width_per_group // 64 * groups
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            identity, identity_shape = y, shape
            z, zshape = _conv_bn_relu(b, y, shape, width, 1)
            z, zshape = _conv_bn_relu(b, z, zshape, width, 3, stride, 1, groups=groups)
            z, zshape = _conv_bn_relu(b, z, zshape, planes * 4, 1, relu=False)
            if block == 0:
                identity, _ = _conv_bn_relu(b, identity, identity_shape, planes * 4, 1,
                                            stride, relu=False)
            z = b.op(f"pet.add {z}, {identity} : ({_t(zshape)}, {_t(zshape)}) -> {_t(zshape)}")
            y, shape = _relu(b, z, zshape), zshape
    out, shape = _classifier(b, y, shape, classes)
    return _function(b, "resnext50", out, shape)


def _inception_a(b, x, shape, pool_features):
    b1 = _conv_bn_relu(b, x, shape, 64, 1)
    b5 = _conv_bn_relu(b, x, shape, 48, 1)
    b5 = _conv_bn_relu(b, *b5, 64, 5, 1, 2)
    b3 = _conv_bn_relu(b, x, shape, 64, 1)
    b3 = _conv_bn_relu(b, *b3, 96, 3, 1, 1)
    b3 = _conv_bn_relu(b, *b3, 96, 3, 1, 1)
    bp = _avg_pool(b, x, shape, 3, 1, 1)
    bp = _conv_bn_relu(b, *bp, pool_features, 1)
    return _concat(b, [b1, b5, b3, bp])


def _inception_b(b, x, shape):
    b3 = _conv_bn_relu(b, x, shape, 384, 3, 2)
    bd = _conv_bn_relu(b, x, shape, 64, 1)
    bd = _conv_bn_relu(b, *bd, 96, 3, 1, 1)
    bd = _conv_bn_relu(b, *bd, 96, 3, 2)
    bp = _max_pool(b, x, shape, 3, 2)
    return _concat(b, [b3, bd, bp])


def _inception_c(b, x, shape, c7):
    b1 = _conv_bn_relu(b, x, shape, 192, 1)
    b7 = _conv_bn_relu(b, x, shape, c7, 1)
    b7 = _conv_bn_relu(b, *b7, c7, (1, 7), 1, (0, 3))
    b7 = _conv_bn_relu(b, *b7, 192, (7, 1), 1, (3, 0))
    bd = _conv_bn_relu(b, x, shape, c7, 1)
    bd = _conv_bn_relu(b, *bd, c7, (7, 1), 1, (3, 0))
    bd = _conv_bn_relu(b, *bd, c7, (1, 7), 1, (0, 3))
    bd = _conv_bn_relu(b, *bd, c7, (7, 1), 1, (3, 0))
    bd = _conv_bn_relu(b, *bd, 192, (1, 7), 1, (0, 3))
    bp = _avg_pool(b, x, shape, 3, 1, 1)
    bp = _conv_bn_relu(b, *bp, 192, 1)
    return _concat(b, [b1, b7, bd, bp])


def _inception_d(b, x, shape):
    b3 = _conv_bn_relu(b, x, shape, 192, 1)
    b3 = _conv_bn_relu(b, *b3, 320, 3, 2)
    b7 = _conv_bn_relu(b, x, shape, 192, 1)
    b7 = _conv_bn_relu(b, *b7, 192, (1, 7), 1, (0, 3))
    b7 = _conv_bn_relu(b, *b7, 192, (7, 1), 1, (3, 0))
    b7 = _conv_bn_relu(b, *b7, 192, 3, 2)
    bp = _max_pool(b, x, shape, 3, 2)
    return _concat(b, [b3, b7, bp])


def _inception_e(b, x, shape):
    b1 = _conv_bn_relu(b, x, shape, 320, 1)
    b3 = _conv_bn_relu(b, x, shape, 384, 1)
    b3 = _concat(b, [_conv_bn_relu(b, *b3, 384, (1, 3), 1, (0, 1)),
                     _conv_bn_relu(b, *b3, 384, (3, 1), 1, (1, 0))])
    bd = _conv_bn_relu(b, x, shape, 448, 1)
    bd = _conv_bn_relu(b, *bd, 384, 3, 1, 1)
    bd = _concat(b, [_conv_bn_relu(b, *bd, 384, (1, 3), 1, (0, 1)),
                     _conv_bn_relu(b, *bd, 384, (3, 1), 1, (1, 0))])
    bp = _avg_pool(b, x, shape, 3, 1, 1)
    bp = _conv_bn_relu(b, *bp, 192, 1)
    return _concat(b, [b1, b3, bd, bp])


def inception_v3(batch: int = 1, image: int = 299, classes: int = 1000) -> str:
    """Inception-v3 (torchvision's, inference: no auxiliary classifier, no
    input transform) as a PET function @inception_v3."""
    b = _Builder()
    x = b.arg([batch, 3, image, image], weight=False)
    t = _conv_bn_relu(b, x, [batch, 3, image, image], 32, 3, 2)
    t = _conv_bn_relu(b, *t, 32, 3)
    t = _conv_bn_relu(b, *t, 64, 3, 1, 1)
    t = _max_pool(b, *t, 3, 2)
    t = _conv_bn_relu(b, *t, 80, 1)
    t = _conv_bn_relu(b, *t, 192, 3)
    t = _max_pool(b, *t, 3, 2)
    for pool_features in (32, 64, 64):
        t = _inception_a(b, *t, pool_features)
    t = _inception_b(b, *t)
    for c7 in (128, 160, 160, 192):
        t = _inception_c(b, *t, c7)
    t = _inception_d(b, *t)
    t = _inception_e(b, *t)
    t = _inception_e(b, *t)
    out, shape = _classifier(b, *t, classes)
    return _function(b, "inception_v3", out, shape)


def csrnet(batch: int = 1, height: int = 576, width: int = 768) -> str:
    """CSRNet: VGG-16's first ten 3x3 convolutions (with biases and ReLUs,
    three max-pools) and the dilated back end (six 3x3 convolutions of
    dilation 2), then a 1x1 convolution to the density map; @csrnet."""
    b = _Builder()
    x = b.arg([batch, 3, height, width], weight=False)
    y, shape = x, [batch, 3, height, width]
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512]:
        if v == "M":
            y, shape = _max_pool(b, y, shape, 2, 2)
            continue
        y, shape = _conv(b, y, shape, v, 3, 1, 1)
        y = _relu(b, _bias(b, y, shape), shape)
    for v in [512, 512, 512, 256, 128, 64]:
        y, shape = _conv(b, y, shape, v, 3, 1, 2, dilation=2)
        y = _relu(b, _bias(b, y, shape), shape)
    y, shape = _conv(b, y, shape, 1, 1)
    return _function(b, "csrnet", _bias(b, y, shape), shape)


# The networks, by name: a function building the PET program, and its
# function's name (the GPU equality check and the tests use them; the
# benchmark runs PyTorch's own modules: pet_mlir.torch_bench).
MODELS = {
    "resnet18": (resnet18, "resnet18"),
    "resnext50": (resnext50_32x4d, "resnext50"),
    "inception_v3": (inception_v3, "inception_v3"),
    "csrnet": (csrnet, "csrnet"),
}
