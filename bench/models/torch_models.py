"""PyTorch's times for the benchmark's five models, the reference PET is
judged against: the same architectures as `python/pet_mlir/models.py`
(torchvision's ResNet-18, ResNeXt-50 32x4d and Inception-v3; CSRNet; a
BERT-base encoder), batch 1 (MODEL_b16: batch 16), random weights,
inference, on the GPU, each
eager and as one CUDA graph (and, with --compile, through
torch.compile(mode="max-autotune")), in FP32 and in TF32. Median
milliseconds over RUNS runs (CUDA events around each forward pass or graph
replay).

    python3 bench/models/torch_models.py --out torch.json [--models a,b] [--compile]
    python3 bench/models/torch_models.py --out compile.json --only-compile \
        --models a --precisions tf32     (torch.compile alone, a slice at a time)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Callable, Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

RUNS = 200
WARMUP = 20


class CSRNet(nn.Module):
    """VGG-16's first ten convolutions, then six 3x3 convolutions of
    dilation 2, then a 1x1 convolution to one channel (Li et al., 2018)."""

    def __init__(self) -> None:
        super().__init__()
        layers: List[nn.Module] = []
        c = 3
        for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
                c = v
        for v in [512, 512, 512, 256, 128, 64]:
            layers += [nn.Conv2d(c, v, 3, padding=2, dilation=2), nn.ReLU(inplace=True)]
            c = v
        layers.append(nn.Conv2d(c, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class BertLayer(nn.Module):
    """One BERT-base encoder layer (post-layer-norm, GELU), attention with
    PyTorch's scaled_dot_product_attention (what Hugging Face BERT uses by
    default), no mask."""

    def __init__(self, hidden=768, heads=12, intermediate=3072) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
        self.o = nn.Linear(hidden, hidden)
        self.norm1 = nn.LayerNorm(hidden, eps=1e-12)
        self.up = nn.Linear(hidden, intermediate)
        self.down = nn.Linear(intermediate, hidden)
        self.norm2 = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        b, s, h = x.shape

        def split(t):
            return t.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        ctx = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)),
                                             split(self.v(x)))
        x = self.norm1(x + self.o(ctx.transpose(1, 2).reshape(b, s, h)))
        return self.norm2(x + self.down(F.gelu(self.up(x))))


def build(name: str, device: str = "cuda"):
    """(model, input) of a benchmark model, on `device` (the GPU), in eval
    mode; NAME_bN is the model at batch N (BERT: N sequences)."""
    import torchvision
    base, _, batch = name.rpartition("_b")
    n = int(batch) if base and batch.isdigit() else 1
    if not (base and batch.isdigit()):
        base = name
    if base == "resnet18":
        model, shape = torchvision.models.resnet18(), (n, 3, 224, 224)
    elif base == "resnext50":
        model, shape = torchvision.models.resnext50_32x4d(), (n, 3, 224, 224)
    elif base == "inception_v3":
        model = torchvision.models.inception_v3(weights=None, aux_logits=False,
                                                init_weights=False)
        shape = (n, 3, 299, 299)
    elif base == "csrnet":
        model, shape = CSRNet(), (n, 3, 576, 768)
    elif base == "bert_base":
        model, shape = nn.Sequential(*[BertLayer() for _ in range(12)]), (n, 128, 768)
    else:
        raise ValueError(f"unknown model {name}")
    return model.to(device).eval(), torch.randn(shape, device=device)


def median_ms(step: Callable[[], None]) -> float:
    for _ in range(WARMUP):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(RUNS):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def time_model(name: str, tf32: bool, compile_mode: Optional[str] = None,
               only_compile: bool = False) -> Dict[str, float]:
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    model, x = build(name)
    return time_built(model, x, compile_mode, only_compile)


def time_built(model, x, compile_mode: Optional[str] = None,
               only_compile: bool = False) -> Dict[str, float]:
    """time_model's times for a built model and its input, in the precision
    the backends are set to."""
    result = {}
    with torch.no_grad():
        if only_compile:
            torch._dynamo.reset()
            compiled = torch.compile(model, mode=compile_mode)
            result["compile"] = median_ms(lambda: compiled(x))
            return result
        result["eager"] = median_ms(lambda: model(x))
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                model(x)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            model(x)
        result["graph"] = median_ms(graph.replay)
        if compile_mode:
            # torch.compile (Inductor: autotuned Triton kernels and library
            # calls; CUDA graphs in the max-autotune modes), compiled by the
            # warm-up calls.
            torch._dynamo.reset()
            compiled = torch.compile(model, mode=compile_mode)
            result["compile"] = median_ms(lambda: compiled(x))
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", default="resnet18,resnext50,inception_v3,csrnet,bert_base")
    parser.add_argument("--compile", metavar="MODE", nargs="?", const="max-autotune",
                        help="also time torch.compile(mode=MODE) (default max-autotune; "
                        "minutes of autotuning per model and precision)")
    parser.add_argument("--only-compile", action="store_true",
                        help="time torch.compile alone (the report merges it "
                        "with an earlier run's eager and graph times)")
    parser.add_argument("--precisions", default="fp32,tf32")
    args = parser.parse_args(argv)
    if args.only_compile and not args.compile:
        args.compile = "max-autotune"
    report = {"device": torch.cuda.get_device_name(), "torch": torch.__version__,
              "cudnn": torch.backends.cudnn.version(), "runs": RUNS, "models": {},
              "compile_mode": args.compile}
    for name in args.models.split(","):
        times = {}
        for precision in args.precisions.split(","):
            for mode, ms in time_model(name, precision == "tf32", args.compile,
                                       args.only_compile).items():
                times[f"{mode}_{precision}"] = ms
        report["models"][name] = times
        print(name, " ".join(f"{k} {v:.3f} ms" for k, v in times.items()), flush=True)
        # After each model: a run stopped by a time limit keeps what it timed.
        json.dump(report, open(args.out, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
