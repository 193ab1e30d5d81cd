"""Probe: which reduction-split factors and group forms cuDNN runs faster.

Times, with PyTorch on the GPU (cudnn.benchmark, each variant in a CUDA
graph of its own), a convolution against its fully equivalent forms:
  * reduction split by s: the input channels of every group in s pieces, one
    grouped convolution with s times the output channels, partial sums added;
  * groups merged by m (zero-extended filters): m neighbouring groups as one.
Prints one JSON line per shape. Guidance for the generator's families only:
what PET ships is decided by measuring its own programs (measure.py).

  python bench/models/probe_splits.py [--tf32] [--out FILE]
"""
import argparse
import json

import torch
import torch.nn.functional as F

# (name, batch, channels in, channels out, H, W, kernel, groups, stride)
SHAPES = [
    ("r18 3x3 512@7", 1, 512, 512, 7, 7, 3, 1, 1),
    ("r18 3x3 256@14", 1, 256, 256, 14, 14, 3, 1, 1),
    ("r18 3x3 128@28", 1, 128, 128, 28, 28, 3, 1, 1),
    ("r18 3x3 s2 256->512@14", 1, 256, 512, 14, 14, 3, 1, 2),
    ("rx 1x1 1024->2048@7", 1, 1024, 2048, 7, 7, 1, 1, 1),
    ("rx 1x1 2048->1024@7", 1, 2048, 1024, 7, 7, 1, 1, 1),
    ("rx g32 3x3 1024@7", 1, 1024, 1024, 7, 7, 3, 32, 1),
    ("rx g32 3x3 s2 1024@14", 1, 1024, 1024, 14, 14, 3, 32, 2),
    ("rx g32 3x3 512@14", 1, 512, 512, 14, 14, 3, 32, 1),
    ("rx g32 3x3 256@28", 1, 256, 256, 28, 28, 3, 32, 1),
    ("rx g32 3x3 128@56", 1, 128, 128, 56, 56, 3, 32, 1),
]


def graph_time(fn, reps=200):
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    for _ in range(10):
        g.replay()
    times = []
    for _ in range(5):
        a, b = torch.cuda.Event(True), torch.cuda.Event(True)
        a.record()
        for _ in range(reps):
            g.replay()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) * 1000 / reps)
    return sorted(times)[len(times) // 2]


def variants(n, ci, co, h, w, k, g, stride):
    x = torch.randn(n, ci, h, w, device="cuda")
    wt = torch.randn(co, ci // g, k, k, device="cuda")
    pad = k // 2
    ref = F.conv2d(x, wt, padding=pad, stride=stride, groups=g)
    out = {}
    out["original"] = (lambda: F.conv2d(x, wt, padding=pad, stride=stride,
                                        groups=g), ref)
    cg, fg = ci // g, co // g
    for s in (2, 4, 8, 16, 32):
        if cg % s or cg // s < 4:
            continue
        # [g, fg, s, cg/s, k, k] -> [g, s, fg, cg/s, k, k]: group (gi, si)
        # reads input channels gi*cg + si*cg/s.. and makes fg partials.
        ws = wt.view(g, fg, s, cg // s, k, k).transpose(1, 2).reshape(
            g * s * fg, cg // s, k, k).contiguous()

        def run(ws=ws, s=s):
            y = F.conv2d(x, ws, padding=pad, stride=stride, groups=g * s)
            return y.view(n, g, s, fg, *y.shape[2:]).sum(2).view(
                n, co, *y.shape[2:])
        out[f"split{s}"] = (run, None)
    for m in (2, 4, 8, 32):
        if g % m or m > g:
            continue
        # m groups merged: block-diagonal filters of m blocks.
        wm = torch.zeros(co, ci // (g // m), k, k, device="cuda")
        for gi in range(g):
            j = gi % m
            wm[gi * fg:(gi + 1) * fg, j * cg:(j + 1) * cg] = wt[gi * fg:(gi + 1) * fg]
        out[f"merge{m}"] = (lambda wm=wm, m=m: F.conv2d(
            x, wm, padding=pad, stride=stride, groups=g // m), None)
    return out, ref


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tf32", action="store_true")
    p.add_argument("--out")
    a = p.parse_args()
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    rows = []
    for name, *shape in SHAPES:
        vs, ref = variants(*shape)
        row = {"shape": name, "precision": "tf32" if a.tf32 else "fp32"}
        for key, (fn, _) in vs.items():
            err = (fn() - ref).abs().max().item() / ref.abs().max().item()
            row[key] = round(graph_time(fn), 2)
            row[key + "_err"] = float(f"{err:.1e}")
        print(json.dumps(row), flush=True)
        rows.append(row)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
