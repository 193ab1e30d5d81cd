"""torch.nn.Modules into PET (pet_mlir.torch_fx, `pet_mlir.compile.compile(
module, example_inputs=...)`): torch.export, torch-mlir's FX importer,
--convert-linalg-to-pet, --pet-optimize with every mutant taken, then the
cpu target, whose results must match PyTorch's. The modules run in
.venv-torch-mlir's Python, which holds torch, torchvision and torch-mlir
(scripts/setup-torch.sh; CI installs them, about 5 GB from PyPI);
without it the tests are skipped, saying so."""

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-torch-mlir/bin/python"


def _have_torch() -> bool:
    if not PYTHON.exists():
        return False
    return subprocess.run([str(PYTHON), "-c", "import torch, torchvision, torch_mlir.fx"],
                          capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _have_torch(),
    reason="torch, torchvision and torch-mlir not in .venv-torch-mlir "
           "(bash scripts/setup-torch.sh; CI does)")


def _run(tmp_path: Path, body: str) -> dict:
    """Runs `body` in .venv-torch-mlir's Python (pet_mlir importable, the
    model `m`, its input `x`, the output directory `out` defined); returns
    the JSON it prints last."""
    script = textwrap.dedent('''
        import json, re, sys
        import numpy as np, torch, torchvision
        from pathlib import Path
        from pet_mlir import compile as pet_compile, params
        torch.manual_seed(0)
        # A torchvision ResNet with one basic block per stage, 10 classes.
        def resnet():
            return torchvision.models.resnet.ResNet(
                torchvision.models.resnet.BasicBlock, [1, 1, 1, 1], num_classes=10).eval()
        m = resnet()
        with torch.no_grad():  # BatchNorm statistics that are not the identity
            for module in m.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.running_mean.uniform_(-0.1, 0.1)
                    module.running_var.uniform_(0.5, 1.5)
        x = torch.randn(1, 3, 32, 32)
        out = Path(sys.argv[1])
        def close(a, b):
            a, b = np.asarray(a), np.asarray(b)
            return float(np.abs(a - b).max() / np.abs(b).max())
    ''') + textwrap.dedent(body)
    proc = subprocess.run([str(PYTHON), "-c", script, str(tmp_path)], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")),
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_torchvision_resnet_on_cpu_equals_pytorch(tmp_path):
    """The module with its weights as named parameters: the manifest lists
    the input and every float state_dict entry under its name; the cpu
    module run with the written weights, and with another model's
    state_dict, equals PyTorch within 1e-4 of the largest |value|; saved and
    loaded again, the weights are the module's."""
    r = _run(tmp_path, '''
        optimized = pet_compile.compile(m, example_inputs=(x,), target="cpu",
                                        output=out / "r.vmfb", optimize="min-gain=-100")
        manifest = params.read_manifest(out / "r.vmfb.params.json")
        names = [a["name"] for a in manifest["arguments"]]
        floats = [k for k, v in m.state_dict().items() if v.dtype == torch.float32]
        (y,) = pet_compile.run_cpu(out / "r.vmfb", [x.numpy()])
        other = resnet()
        (y2,) = pet_compile.run_cpu(out / "r.vmfb", [x.numpy()], params=other.state_dict())
        loaded = params.load(out / "r.vmfb.params.json")
        same = all(np.array_equal(loaded[k], m.state_dict()[k].numpy()) for k in floats)
        main = optimized[optimized.index("func.func @resnet("):]
        print(json.dumps(dict(
            main_ops=sorted(set(re.findall(r"= (pet[.][a-z_0-9]+)", main))),
            mutants=optimized.count("pet.mutant"), names=names, floats=floats,
            function=manifest["function"], same=same,
            error=close(y, m(x).detach()), error_other=close(y2, other(x).detach()),
            differ=close(y2, m(x).detach()))))
    ''')
    assert r["function"] == "resnet"
    # Batch normalization folded at load: each convolution reads a
    # preprocessed filter and is followed by its bias (an add) only.
    assert "pet.rsqrt" not in r["main_ops"] and "pet.sub" not in r["main_ops"]
    assert "pet.conv2d" in r["main_ops"] and "pet.add" in r["main_ops"]
    assert r["names"] == ["input0"] + r["floats"]
    assert "conv1.weight" in r["names"] and "bn1.running_var" in r["names"]
    assert r["mutants"] > 0
    assert r["same"]
    assert r["error"] <= 1e-4 and r["error_other"] <= 1e-4
    assert r["differ"] > 1e-2  # the other weights do change the results


def test_weights_as_constants_equal_pytorch(tmp_path):
    """weights="constants": torch-mlir inlines them; no manifest, no weight
    arguments, and the linalg program run by IREE on the generated input
    equals PyTorch on it."""
    r = _run(tmp_path, '''
        from pet_mlir import iree
        from pet_mlir.cpu import generate_input
        optimized = pet_compile.compile(m, example_inputs=(x,), target="linalg",
                                        output=out / "r.mlir", weights="constants")
        linalg = (out / "r.mlir").read_text()
        (result,) = iree.run_with_iree(linalg, "resnet", [[1, 3, 32, 32]], 1)
        shape, values = result
        given = torch.tensor(generate_input([1, 3, 32, 32], 1, 0),
                             dtype=torch.float32).reshape(1, 3, 32, 32)
        print(json.dumps(dict(
            manifest=(out / "r.mlir.params.json").exists(),
            weight_args="pet.weight" in optimized,
            error=close(np.array(values).reshape(shape), m(given).detach()))))
    ''')
    assert not r["manifest"] and not r["weight_args"]
    assert r["error"] <= 1e-4


def test_module_errors(tmp_path):
    """A module without example inputs, or with an input that is not a
    tensor: a CompileError saying so."""
    r = _run(tmp_path, '''
        messages = []
        for inputs in (None, (3.0,)):
            try:
                pet_compile.compile(m, example_inputs=inputs)
            except pet_compile.CompileError as error:
                messages.append(str(error))
        print(json.dumps(messages))
    ''')
    assert len(r) == 2
    assert "needs example_inputs" in r[0]
    assert "not a tensor" in r[1]


def test_coverage_row_of_a_torchvision_model(tmp_path):
    """python -m pet_mlir.coverage on one model: imported, optimized with
    every mutant taken, run equal to PyTorch on the CPU, and the table says
    so."""
    proc = subprocess.run([str(PYTHON), "-m", "pet_mlir.coverage", "--models", "resnet18",
                           "--out", str(tmp_path)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT / "python")), timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    (row,) = json.loads((tmp_path / "coverage.json").read_text())
    assert row["status"] == "ok" and row["equal"] and row["error"] <= 1e-4
    assert row["pet_ops"] > 0 and row["mutants"] > 0
    assert row["parameters"] == 11689512  # torchvision's ResNet-18
    table = (tmp_path / "coverage.md").read_text()
    assert "| resnet18 | 11.7 M | yes (" in table


def test_pet_compile_takes_a_saved_exported_program(tmp_path):
    """pet-compile MODEL.pt2 (torch.export.save): the module and example
    inputs it holds, weights named as in the original state_dict, the
    function named after the file; the cpu module equals PyTorch. A file
    torch cannot load is a clear error with exit code 1."""
    r = _run(tmp_path, '''
        import subprocess
        torch.export.save(torch.export.export(m, (x,)), out / "net.pt2")
        proc = subprocess.run([sys.executable, "-m", "pet_mlir.compile", str(out / "net.pt2"),
                               "--target", "cpu", "-o", str(out / "net.vmfb"), "-q"],
                              capture_output=True, text=True)
        manifest = params.read_manifest(out / "net.vmfb.params.json")
        (y,) = pet_compile.run_cpu(out / "net.vmfb", [x.numpy()])
        (out / "bad.pt2").write_bytes(b"not a zip archive")
        bad = subprocess.run([sys.executable, "-m", "pet_mlir.compile", str(out / "bad.pt2"),
                              "--target", "linalg", "-o", str(out / "bad.mlir")],
                             capture_output=True, text=True)
        print(json.dumps(dict(
            status=proc.returncode, stderr=proc.stderr[-2000:],
            function=manifest["function"], model=manifest["model"],
            names=[a["name"] for a in manifest["arguments"]][:3],
            error=close(y, m(x).detach()), bad_status=bad.returncode, bad=bad.stderr)))
    ''')
    assert r["status"] == 0, r["stderr"]
    assert r["function"] == "net" and r["model"] == "net.pt2"
    assert r["names"] == ["input0", "conv1.weight", "bn1.weight"]
    assert r["error"] <= 1e-4
    assert r["bad_status"] == 1 and "not a program torch.export.load reads" in r["bad"]


def test_one_element_parameters_are_weights(tmp_path):
    """A one-element parameter (a convolution to one channel: its bias) is
    a weight like the others: in the manifest, and another state_dict's
    value reaches the compiled module (CSRNet's last layer)."""
    r = _run(tmp_path, '''
        head = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                                   torch.nn.Conv2d(4, 1, 1)).eval()
        other = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                                    torch.nn.Conv2d(4, 1, 1)).eval()
        with torch.no_grad():
            other[2].bias.fill_(5.0)
        x8 = torch.randn(1, 3, 8, 8)
        pet_compile.compile(head, example_inputs=(x8,), target="cpu", output=out / "h.vmfb")
        manifest = params.read_manifest(out / "h.vmfb.params.json")
        (y,) = pet_compile.run_cpu(out / "h.vmfb", [x8.numpy()], params=other.state_dict())
        print(json.dumps(dict(names=[a["name"] for a in params.weights(manifest)],
                              error=close(y, other(x8).detach()))))
    ''')
    assert "2.bias" in r["names"] and "2.weight" in r["names"]
    assert r["error"] <= 1e-4
