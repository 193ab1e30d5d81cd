"""Probe: which reduction-split factors and group forms cuDNN runs faster.

Times, with PyTorch on the GPU (cudnn.benchmark, each variant in a CUDA
graph of its own), a convolution against its fully equivalent forms:
  * reduction split by s: the input channels of every group in s pieces, one
    grouped convolution with s times the output channels, partial sums added;
  * groups merged by m (zero-extended filters): m neighbouring groups as one.
With --hw, the H/W split instead (partially equivalent: each piece padded
with zeros at the seams, as PET's mutant computes it, before corrections),
convolution time alone, the pieces contiguous (no copies counted):
  * rows (columns) in k pieces as k calls, each the whole batch over one
    piece (what a lowering of strided views without copies would run);
  * the same pieces laid along the batch, one call (what a copy into the
    batch, or a producer writing that layout, would run).
Prints one JSON line per shape. Guidance for the generator's families only:
what PET ships is decided by measuring its own programs (measure.py).

  python bench/models/probe_splits.py [--tf32] [--hw] [--out FILE]
  # the --hw shapes as programs of PET's runtime (no PyTorch needed):
  python bench/models/probe_splits.py --hw-programs FILE.mlir
  PYTHONPATH=python python3 -c "from pathlib import Path; \
    from pet_mlir import measure; measure.compile_candidates( \
    Path('FILE.mlir').read_text(), Path('DIR/probe.o'))"
  # GPU machine: bash bench/gpu/run.sh DIR OUT (pet-time[i]: program i)
"""
import argparse
import json

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # --hw-programs needs no PyTorch
    torch = F = None

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


# H/W split shapes at batch 16: (name, batch, channels in, channels out, H,
# W, kernel (rows, columns), groups)
SHAPES_HW = [
    ("r18 3x3 64@56", 16, 64, 64, 56, 56, (3, 3), 1),
    ("r18 3x3 128@28", 16, 128, 128, 28, 28, (3, 3), 1),
    ("r18 3x3 256@14", 16, 256, 256, 14, 14, (3, 3), 1),
    ("r18 3x3 512@7", 16, 512, 512, 7, 7, (3, 3), 1),
    ("rx g32 3x3 128@56", 16, 128, 128, 56, 56, (3, 3), 32),
    ("rx g32 3x3 256@28", 16, 256, 256, 28, 28, (3, 3), 32),
    ("rx g32 3x3 512@14", 16, 512, 512, 14, 14, (3, 3), 32),
    ("inc 3x3 64->96@35", 16, 64, 96, 35, 35, (3, 3), 1),
    ("inc 3x3 96->96@35", 16, 96, 96, 35, 35, (3, 3), 1),
    ("inc 5x5 48->64@35", 16, 48, 64, 35, 35, (5, 5), 1),
    ("inc 7x1 192@17", 16, 192, 192, 17, 17, (7, 1), 1),
    ("inc 1x7 192@17", 16, 192, 192, 17, 17, (1, 7), 1),
    ("r18 3x3 64@56 b1", 1, 64, 64, 56, 56, (3, 3), 1),
    ("rx g32 3x3 128@56 b1", 1, 128, 128, 56, 56, (3, 3), 32),
]


def hw_programs():
    """The batch-16 3x3 shapes of SHAPES_HW as PET programs, one function
    each (pet.program_key "probe:NAME_FORM"): the original, the rows'
    halves along the batch, the quadrants along the batch."""
    funcs = []
    for name, n, ci, co, h, w, k, g in SHAPES_HW:
        if n != 16 or k != (3, 3) or h % 2 or w % 2:
            continue
        label = name.replace(" ", "_").replace("@", "at").replace("->", "to")
        forms = {"orig": (n, h, w), "rows": (2 * n, h // 2, w),
                 "quad": (4 * n, h // 2, w // 2)}
        for form, (b, hh, ww) in forms.items():
            x = f"tensor<{b}x{ci}x{hh}x{ww}xf32>"
            f = f"tensor<{co}x{ci // g}x3x3xf32>"
            y = f"tensor<{b}x{co}x{hh}x{ww}xf32>"
            groups = f" groups {g}" if g > 1 else ""
            funcs.append(
                f"  func.func @{label}_{form}(%x: {x}, %w: {f} {{pet.weight}})"
                f" -> {y} attributes {{pet.program_key = \"probe:{label}_{form}\"}} {{\n"
                f"    %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1]{groups}"
                f" : ({x}, {f}) -> {y}\n    return %0 : {y}\n  }}")
    return "module {\n" + "\n".join(funcs) + "\n}\n"


def hw_variants(n, ci, co, h, w, k, g):
    """The convolution, and its H (W) split in 2 and 4 pieces: as calls of
    the whole batch per piece, and as one call of the pieces laid along the
    batch (rows split for kernels taller than wide, else columns); square
    kernels also in quadrants (rows and columns in halves)."""
    x = torch.randn(n, ci, h, w, device="cuda")
    wt = torch.randn(co, ci // g, *k, device="cuda")
    pad = (k[0] // 2, k[1] // 2)
    out = {"original": lambda: F.conv2d(x, wt, padding=pad, groups=g)}
    axis = 2 if k[0] >= k[1] else 3
    for pieces in (2, 4):
        size = (x.shape[axis] + pieces - 1) // pieces
        parts = [p.contiguous() for p in x.split(size, axis)]
        out[f"calls{pieces}"] = (lambda parts=parts: [
            F.conv2d(p, wt, padding=pad, groups=g) for p in parts])
        # Uneven pieces (an odd extent) cannot be laid along the batch.
        if len({p.shape for p in parts}) == 1:
            batch = torch.cat(parts, 0)
            out[f"batch{pieces}"] = (lambda batch=batch: F.conv2d(
                batch, wt, padding=pad, groups=g))
    if k[0] > 1 and k[1] > 1:
        # Rows and columns in halves: four quadrants.
        quads = [q.contiguous()
                 for r in x.split((h + 1) // 2, 2) for q in r.split((w + 1) // 2, 3)]
        out["quad_calls"] = lambda: [F.conv2d(q, wt, padding=pad, groups=g)
                                     for q in quads]
        if len({q.shape for q in quads}) == 1:
            qbatch = torch.cat(quads, 0)
            out["quad_batch"] = lambda: F.conv2d(qbatch, wt, padding=pad,
                                                 groups=g)
    return out


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
    p.add_argument("--hw", action="store_true",
                   help="H/W splits at batch 16 instead of reduction splits")
    p.add_argument("--hw-programs", metavar="FILE",
                   help="write the --hw batch-16 3x3 shapes as PET programs")
    p.add_argument("--out")
    a = p.parse_args()
    if a.hw_programs:
        with open(a.hw_programs, "w") as f:
            f.write(hw_programs())
        return
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    rows = []
    if a.hw:
        for name, *shape in SHAPES_HW:
            row = {"shape": name, "precision": "tf32" if a.tf32 else "fp32"}
            for key, fn in hw_variants(*shape).items():
                row[key] = round(graph_time(fn), 2)
            print(json.dumps(row), flush=True)
            rows.append(row)
    for name, *shape in [] if a.hw else SHAPES:
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
