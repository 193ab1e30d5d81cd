"""The benchmark through PyTorch's own models (pet_mlir.torch_bench):
`compile` takes the PyTorch baseline's module (bench/models/torch_models.py)
to a cuda library whose manifest names every float parameter and buffer of
the module's state_dict (what the GPU machine hands over by name); `report`
tabulates the GPU runs' results and marks a difference over the tolerance.
The GPU step itself (`run`) needs a GPU: bench/README.md has its results."""

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from pet_mlir import torch_bench

from test_torch_fx import PYTHON, ROOT, _have_torch


@pytest.mark.skipif(not _have_torch(),
                    reason="torch, torchvision and torch-mlir not in .venv-torch-mlir "
                           "(bash scripts/setup-torch.sh; CI does)")
def test_compile_names_the_state_dict(tmp_path):
    """torchvision's ResNet-18 compiled for the cuda target (no GPU needed):
    library, header and manifest; the manifest's weights are the module's
    float state_dict entries with their shapes; no values file is kept;
    the compile record counts what the search replaced. With the CPU
    reference: the program the library runs (kept), run on the CPU path
    with the seeded weights, equals PyTorch's output on them (the GPU run
    compares its output with the saved one), and the record holds the
    weights' digest, which the same seed reproduces."""
    script = textwrap.dedent('''
        import json, sys, torch
        from pathlib import Path
        from pet_mlir import params, torch_bench
        out = Path(sys.argv[1])
        torch_bench.compile_models(out, ["resnet18"], precisions=["fp32"],
                                   with_cpu_reference=True)
        torch.manual_seed(torch_bench.SEED)
        model, _ = torch_bench._torch_models().build("resnet18", device="cpu")
        manifest = params.read_manifest(out / "resnet18-fp32.so.params.json")
        # The seeded weights: the same draws again, others for another seed.
        digest = torch_bench.seeded_weights(model)
        again = torch_bench.seeded_weights(model)
        torch_bench.SEED += 1
        other = torch_bench.seeded_weights(model)
        print(json.dumps(dict(
            weights={a["name"]: a["shape"] for a in params.weights(manifest)},
            state={k: list(v.shape) for k, v in model.state_dict().items()
                   if v.dtype == torch.float32},
            files=sorted(p.name for p in out.iterdir()),
            digests=[digest, again, other],
            record=json.loads((out / "torch-bench.json").read_text()))))
    ''')
    proc = subprocess.run([str(PYTHON), "-c", script, str(tmp_path)], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")),
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["weights"] == r["state"]
    assert "layer4.1.bn2.running_var" in r["weights"]
    for name in ("resnet18-fp32.so", "resnet18-fp32.h", "resnet18-fp32.so.params.json"):
        assert name in r["files"]
    assert "resnet18-fp32.so.params.bin" not in r["files"]
    for name in ("resnet18-fp32.pet.mlir", "resnet18-fp32.cpu.npy"):
        assert name in r["files"]
    record = r["record"]["resnet18"]["fp32"]
    assert record["layout"] == "nchw" and record["mutants_applied"] >= 0
    assert record["compile_s"] > 0
    assert record["cpu_vs_torch_cpu"] <= 1e-5
    digest, again, other = r["digests"]
    assert record["weights_digest"] == digest == again and other != digest


def _result(model, precision, pet_ms, difference):
    return {"model": model, "precision": precision, "device": "GPU", "torch": "2.x",
            "cudnn": 91900, "batch": 1, "runs": 100,
            "tolerance": torch_bench.TOLERANCE[precision], "torch_eager_ms": 2.0,
            "torch_graph_ms": 1.0, "pet_ms": pet_ms, "pet_over_graph": pet_ms / 1.0,
            "pet_difference": difference, "torch_difference": 0.0,
            "equal": difference <= torch_bench.TOLERANCE[precision]}


def test_report_orders_models_and_marks_differences(tmp_path):
    """Rows in the benchmark's model order, FP32 before TF32; a difference
    over the precision's tolerance is marked NO; failures are listed."""
    out = tmp_path / "out"
    out.mkdir()
    results = [_result("bert_base", "fp32", 0.5, 2e-6),
               _result("resnet18", "tf32", 0.4, 3e-2),
               _result("resnet18", "fp32", 0.6, 5e-5)]
    for r in results:
        (out / f"{r['model']}.{r['precision']}.json").write_text(json.dumps(r))
    (out / "failures.txt").write_text("csrnet fp32: FAILED (out of memory)\n")
    table = torch_bench.write_report(tmp_path, out, tmp_path / "report")
    rows = [(r["model"], r["precision"]) for r in table["results"]]
    assert rows == [("resnet18", "fp32"), ("resnet18", "tf32"), ("bert_base", "fp32")]
    md = (tmp_path / "report.md").read_text()
    lines = [line for line in md.splitlines() if line.startswith("| resnet18")]
    assert "| yes (<= 0.0001) |" in lines[0]
    assert "| NO (<= 0.01) |" in lines[1]   # 3e-2 over TF32's 1e-2
    assert "csrnet fp32: FAILED" in md
    assert json.loads((tmp_path / "report.json").read_text())["failures"]


def test_report_shows_torch_compile_and_the_cpu_path(tmp_path):
    """torch.compile's time and PET over it where measured, -- where not;
    the CPU path's difference marked against its tolerance (FP32 1e-5), or
    'other weights' where the GPU machine drew other values."""
    out = tmp_path / "out"
    out.mkdir()
    rows = [dict(_result("resnet18", "fp32", 0.5, 1e-6), torch_compile_ms=2.0,
                 cpu_path_difference=2e-6, cpu_path_equal=True),
            dict(_result("csrnet", "fp32", 0.5, 1e-6), cpu_path_difference=3e-5,
                 cpu_path_equal=False),
            dict(_result("bert_base", "fp32", 0.5, 1e-6), cpu_path_difference=None)]
    for r in rows:
        (out / f"{r['model']}.{r['precision']}.json").write_text(json.dumps(r))
    torch_bench.write_report(tmp_path, out, tmp_path / "report")
    lines = {line.split("|")[1].strip(): line for line in
             (tmp_path / "report.md").read_text().splitlines()
             if line.startswith("| ") and "fp32" in line}
    assert "| 2.000 | **0.500** | 0.50 | 0.25 |" in lines["resnet18"]
    assert "| 2.0e-06 yes (<= 1e-05) |" in lines["resnet18"]
    assert "| -- | **0.500** | 0.50 | -- |" in lines["csrnet"]
    assert "| 3.0e-05 NO (<= 1e-05) |" in lines["csrnet"]
    assert "| other weights |" in lines["bert_base"]


def test_report_without_results_is_an_error(tmp_path):
    with pytest.raises(SystemExit, match="no results"):
        torch_bench.write_report(tmp_path, tmp_path, tmp_path / "report")
