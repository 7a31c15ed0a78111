"""The generated package works when copied into another repository under another name.

The fragment is generated once into a temporary folder (not generated/), copied to
``other_repo/vendor/ft_api_v2/`` (a sub-package) and ``other_repo/ft_api_v2/`` (top
level), and exercised there by a bare interpreter (``python -S -I``).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.load import normalized_sha256
from generator.output import write_tree
from generator.pipeline import Options, build

REPO = Path(__file__).resolve().parents[1]
FRAGMENT = REPO / "schema" / "fine_tuning.yaml"
EXAMPLES = sorted((REPO / "schema" / "examples").glob("*.json"))
PACKAGE = "fine_tuning_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    write_tree(out, PACKAGE, build(Options(schema=FRAGMENT, out=out, package=PACKAGE, use_cache=False)))
    return out / PACKAGE


@pytest.fixture(scope="module")
def other_repo(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("other_repo")
    (repo / "vendor").mkdir()
    (repo / "vendor" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(generated, repo / "vendor" / "ft_api_v2")
    shutil.copytree(generated, repo / "ft_api_v2")
    return repo


def test_imports_are_relative_or_standard_library(generated: Path) -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    modules = sorted(generated.glob("*.py"))
    assert {p.name for p in modules} >= {"__init__.py", "models.py", "errors.py", "_runtime.py", "client.py"}
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module and node.module.split(".")[0] in stdlib, f"{path.name}: from {node.module} import"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in stdlib, f"{path.name}: import {alias.name}"
        # nor a dotted module path by the old name (importlib, pickling, __module__ tricks)
        assert f"{PACKAGE}." not in path.read_text(encoding="utf-8"), path.name


CODE = textwrap.dedent(
    """
    import importlib, json, sys
    root, examples = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, root)
    packages = {}
    for name in ("vendor.ft_api_v2", "ft_api_v2"):
        pkg = importlib.import_module(name)
        packages[name] = pkg
        models = importlib.import_module(name + ".models")
        client = importlib.import_module(name + ".client")
        assert pkg.FineTuningJob is models.FineTuningJob
        assert callable(client.Client.resume_fine_tuning_job)
        for path in examples:
            text = open(path, encoding="utf-8").read()
            data = json.loads(text)
            for strict in (True, False):
                job = pkg.FineTuningJob.from_json(text, strict=strict)
                assert job.to_dict() == data, path
                assert json.loads(job.to_json()) == data, path
        data["method"] = {"type": "reinforcement", "reinforcement": {"grader": {"type": "weird"}}}
        try:
            pkg.FineTuningJob.from_dict(data)
        except pkg.DecodeError as exc:
            assert isinstance(exc, ValueError)
            assert exc.path == "$.method.reinforcement.grader.type", exc.path
        else:
            raise SystemExit(name + ": strict decoding accepted an unknown grader")
        lenient = pkg.FineTuningJob.from_dict(data, strict=False)
        assert lenient.to_dict() == data
    # two independent copies, both loaded from the other repository, nothing by the old name
    assert packages["vendor.ft_api_v2"].DecodeError is not packages["ft_api_v2"].DecodeError
    loaded = sorted(m for m in sys.modules if "ft_api_v2" in m or "fine_tuning" in m)
    assert not any(m.startswith("fine_tuning_client") for m in loaded), loaded
    for m in loaded:
        assert sys.modules[m].__file__.startswith(root), (m, sys.modules[m].__file__)
    print(" ".join(loaded))
    """
)


def test_copy_under_another_name_works(other_repo: Path) -> None:
    result = subprocess.run([sys.executable, "-S", "-I", "-c", CODE, str(other_repo), *map(str, EXAMPLES)],
                            capture_output=True, text=True, timeout=120, cwd=other_repo)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert "vendor.ft_api_v2.models" in loaded and "ft_api_v2.client" in loaded


def test_generated_readme_names_its_provenance(generated: Path, other_repo: Path) -> None:
    readme = (generated / "README.md").read_text(encoding="utf-8")
    info = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))["info"]
    sha = normalized_sha256(FRAGMENT.read_text(encoding="utf-8"))
    assert readme.startswith(f"# `{PACKAGE}`\n")
    assert f"**{info['title']}** (version {info['version']})" in readme
    assert f"| Input sha256 | `{sha}`" in readme
    assert f"| Generator | oas-dataclasses {__version__}, formatted with black " in readme
    assert f"`python -m generator generate --schema fine_tuning.yaml --package {PACKAGE}`" in readme
    assert "`client.resume_fine_tuning_job(fine_tuning_job_id)`" in readme
    assert f"licensed under {info['license']['name']}" in readme
    # it travels with the copy, and says the same there
    assert (other_repo / "vendor" / "ft_api_v2" / "README.md").read_text(encoding="utf-8") == readme
    # the provenance header (in __init__.py only) agrees with it
    header = (generated / "__init__.py").read_text(encoding="utf-8").splitlines()[:4]
    assert any(sha in line for line in header) and any(__version__ in line for line in header)


def test_readme_is_deterministic(generated: Path) -> None:
    again = build(Options(schema=FRAGMENT, out=generated.parent, package=PACKAGE, use_cache=False))
    assert again["README.md"] == (generated / "README.md").read_bytes()
    assert b"\r" not in again["README.md"]
    json.dumps(again["README.md"].decode("utf-8"))  # plain UTF-8 text
