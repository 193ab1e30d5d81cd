"""Measures PET operators on the GPU and writes the cost database that
`pet-opt --pet-optimize=cost-db=FILE` reads.

Input: the keys a search costed (`--pet-optimize=cost-keys=KEYS.json`, one
or more files). Each key (`pet.conv2d {strides = ...} : (types) -> (types)`)
is run as the equivalent PyTorch operator (cuDNN convolutions, cuBLAS
products, copy kernels for layout operators) in FP32, captured ten times in
one CUDA graph and replayed, so that a time includes what a kernel launch
costs inside the graph a PET program runs as, not an eager launch. The
median of the replays over ten is the entry's `time_us`. Reshapes are views
(0 us); operators this script does not know are left out (the optimizer's
roofline covers them).

    python3 bench/models/measure_ops.py KEYS.json... --out costs.json
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from typing import Dict, List, Optional, Tuple

REPEATS = 10      # operators per graph
REPLAYS = 30      # graph replays timed


def parse_key(key: str) -> Tuple[str, Dict[str, object], List[List[int]], List[List[int]]]:
    """(name, attributes, operand shapes, result shapes) of a database key."""
    name, _, rest = key.partition(" ")
    props: Dict[str, object] = {}
    if rest.startswith("{"):
        depth = 0
        for end, ch in enumerate(rest):
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth == 0:
                break
        body, rest = rest[1:end], rest[end + 1:]
        for m in re.finditer(r"(\w+) = array<i64(?::\s*([-\d,\s]*))?>", body):
            props[m.group(1)] = [int(v) for v in (m.group(2) or "").split(",") if v.strip()]
        for m in re.finditer(r"(\w+) = (-?[\d.e+-]+)(?: : (\w+))?(?=,|$)", body):
            if m.group(1) not in props:
                props[m.group(1)] = float(m.group(2)) if m.group(3) in ("f32", "f64") \
                    or "." in m.group(2) else int(m.group(2))
        for m in re.finditer(r"(?:^|,\s*)([A-Za-z_]\w*)(?=,|$)",
                             re.sub(r"array<[^>]*>", "", body)):
            props.setdefault(m.group(1), True)
    types = rest.split(":", 1)[1]
    operands, _, results = types.partition(" -> ")

    def shapes(text: str) -> List[List[int]]:
        return [[int(d) for d in m.split("x")] if m else []
                for m in re.findall(r"tensor<((?:\d+x)*\d+|)x?f32>", text)]
    return name, props, shapes(operands), shapes(results)


def build(key: str):
    """A function running the key's operator on random CUDA tensors, or
    None (unknown operator) or "view" (no kernel)."""
    import torch
    import torch.nn.functional as F
    name, p, ins, outs = parse_key(key)
    dev = "cuda"
    args = [torch.randn(s, device=dev) for s in ins]
    if name == "pet.conv2d":
        x, w = args
        low, high = p.get("pad_low", [0, 0]), p.get("pad_high", [0, 0])
        stride = p.get("strides", [1, 1])
        dilation = p.get("dilations", [1, 1])
        groups = int(p.get("groups", 1))
        if low == high:
            return lambda: F.conv2d(x, w, None, stride, low, dilation, groups)
        return lambda: F.conv2d(F.pad(x, (low[1], high[1], low[0], high[0])), w,
                                None, stride, 0, dilation, groups)
    if name in ("pet.matmul", "pet.batch_matmul"):
        a, b = args
        a = a.mT if p.get("transpose_lhs") else a
        b = b.mT if p.get("transpose_rhs") else b
        return lambda: torch.matmul(a, b)
    if name in ("pet.add", "pet.sub", "pet.mul"):
        fn = {"pet.add": torch.add, "pet.sub": torch.sub, "pet.mul": torch.mul}[name]
        a, b = args
        return lambda: fn(a, b)
    if name == "pet.scale":
        factor = float(p.get("factor", 1.0))
        return lambda: args[0] * factor
    if name == "pet.concat":
        axis = int(p["axis"])
        return lambda: torch.cat(args, axis)
    if name == "pet.split":
        axis, sizes = int(p["axis"]), p["sizes"]
        return lambda: [t.contiguous() for t in torch.split(args[0], sizes, axis)]
    if name == "pet.pad":
        low, high = p["low"], p["high"]
        pads = []
        for lo, hi in zip(reversed(low), reversed(high)):
            pads += [lo, hi]
        return lambda: F.pad(args[0], pads)
    if name == "pet.transpose":
        perm = p["permutation"]
        return lambda: args[0].permute(perm).contiguous()
    if name == "pet.slice":
        offsets, sizes = p["offsets"], p["sizes"]
        strides = p.get("strides", [1] * len(sizes))
        index = tuple(slice(o, o + (n - 1) * s + 1, s)
                      for o, n, s in zip(offsets, sizes, strides))
        return lambda: args[0][index].contiguous()
    if name == "pet.reshape":
        return "view"
    return None


def measure(fn) -> float:
    """Median microseconds of one call of `fn` inside a CUDA graph."""
    import torch
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):   # cuDNN's algorithm search, allocations
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(REPEATS):
            fn()
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(REPLAYS):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1000.0 / REPEATS)
    return statistics.median(times)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("keys", nargs="+", help="files written by cost-keys=")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    import torch
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    keys = sorted({k for path in args.keys for k in json.load(open(path))["keys"]})
    entries, skipped = [], []
    for key in keys:
        fn = build(key)
        if fn is None:
            skipped.append(key)
            continue
        time_us = 0.0 if fn == "view" else measure(fn)
        entries.append({"key": key, "time_us": round(time_us, 3)})
    json.dump({"device": f"{torch.cuda.get_device_name()} (PyTorch {torch.__version__}, "
                         f"cuDNN {torch.backends.cudnn.version()}), FP32, in CUDA graphs",
               "entries": entries}, open(args.out, "w"), indent=1)
    print(f"measured {len(entries)} operators, {len(skipped)} unknown "
          f"(left to the roofline): {sorted({k.split()[0] for k in skipped})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
