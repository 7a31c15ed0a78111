"""Configuration from ``[tool.oas-dataclasses]``, template overrides, ``--version``.

A temporary repository holds a small spec with one operation (so the client, and its
environment variables, are generated), a pyproject.toml and a templates folder; the
commands run there with no flags, then with flags that override the configuration.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__, cli
from generator.errors import UsageError
from generator.load import load
from generator.lower import lower
from generator.output import read_tree
from generator.pipeline import Options, build
from generator.render import BUILTIN_TEMPLATES

REPO = Path(__file__).resolve().parents[1]

SPEC = """\
openapi: 3.1.0
info: {title: Acme widgets, version: "3.1"}
servers: [{url: "https://acme.example/v1"}]
security: [{Token: []}]
paths:
  /widgets/{widget_id}:
    get:
      operationId: getWidget
      parameters: [{name: widget_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}
components:
  schemas:
    Widget:
      type: object
      required: [id]
      properties:
        id: {type: string}
        size: {type: [integer, "null"]}
  securitySchemes:
    Token: {type: http, scheme: bearer}
"""

README = """\
# {{ package.name }} for Acme
{{ package.title | markdown_text }} {{ package.version | markdown_text }} ({{ package.sha256[:12] }})
"""

PYPROJECT = """\
[project]
name = "acme"

[tool.oas-dataclasses]
schema = "api/widgets.yaml"
out = "src"
package = "acme_widgets"
env_prefix = "ACME"
templates = "codegen"
"""


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("format-cache")


@pytest.fixture
def run(cache_dir: Path):
    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["OAS_DATACLASSES_CACHE_DIR"] = str(cache_dir)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    """A repository configured in its pyproject.toml, with one overridden template."""
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "widgets.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "codegen").mkdir()
    (tmp_path / "codegen" / "README.md.jinja").write_text(README, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return tmp_path


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def test_version(run, tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"oas-dataclasses {__version__}\n"


def test_generate_with_no_flags_reads_the_configuration(run, acme: Path) -> None:
    result = run("generate", cwd=acme)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    pkg = acme / "src" / "acme_widgets"
    assert sorted(p.name for p in (acme / "src").iterdir()) == ["acme_widgets"]
    readme = (pkg / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# acme_widgets for Acme\nAcme widgets 3.1 (")  # the repository's template
    client = (pkg / "client.py").read_text(encoding="utf-8")
    assert '"ACME_API_KEY"' in client and '"ACME_BASE_URL"' in client and "OPENAI" not in client
    assert run("check", cwd=acme).returncode == 0
    # flags override the configuration, one key at a time
    result = run("check", "--quiet", "--env-prefix", "WIDGETS", cwd=acme)
    assert result.returncode == 1 and result.stdout == result.stderr == ""
    result = run("check", "--env-prefix", "WIDGETS", cwd=acme)
    assert "changed: src/acme_widgets/client.py" in result.stdout.splitlines()
    assert '+_CREDENTIALS = (_base_client.Credential("api_key", "WIDGETS_API_KEY", "header"),)' in (
        result.stdout.splitlines())
    assert [line for line in result.stdout.splitlines() if line.startswith("changed:")] == [
        "changed: src/acme_widgets/client.py"
    ]
    result = run("check", "--templates", str(BUILTIN_TEMPLATES), cwd=acme)
    assert [line for line in result.stdout.splitlines() if line.startswith("changed:")] == [
        "changed: src/acme_widgets/README.md"
    ]
    result = run("generate", "--package", "other", "--out", "build", cwd=acme)
    assert result.returncode == 0, result.stderr
    assert (acme / "build" / "other" / "README.md").read_text(encoding="utf-8").startswith("# other for Acme")


def test_env_prefix_from_the_configuration_reaches_the_ir(acme: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(acme)
    options = cli._options(cli._parser().parse_args(["generate"]))
    assert options == Options(schema=Path("api/widgets.yaml"), out=Path("src"), package="acme_widgets",
                              templates=Path("codegen"), env_prefix="ACME", use_cache=True)
    package = lower(load(options.schema), options.package, options.env_prefix)
    assert package.env_prefix == "ACME"
    assert (package.base_url_env, package.log_env) == ("ACME_BASE_URL", "ACME_LOG")
    overridden = cli._options(cli._parser().parse_args(["check", "--env-prefix", "W2"]))
    assert overridden.env_prefix == "W2" and overridden.package == "acme_widgets"


def test_bad_env_prefix_is_bad_input(run, acme: Path) -> None:
    result = run("generate", "--env-prefix", "ACME-CORP", cwd=acme)
    assert result.returncode == 2
    assert result.stderr == "error: environment prefix 'ACME-CORP' must be letters, digits and underscores\n"
    assert not (acme / "src").exists()


# ----- template overrides ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    spec = tmp_path_factory.mktemp("spec") / "widgets.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec, build(Options(schema=spec, out=spec.parent, package="widgets", use_cache=False))


def test_overriding_one_template_changes_only_its_file(builtin: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    spec, reference = builtin
    assert {"models.py", "client.py", "README.md", "__init__.py"} <= set(reference)
    templates = tmp_path / "templates"
    templates.mkdir()
    # a copy of the built-in models template with one extra comment
    text = (BUILTIN_TEMPLATES / "models.py.jinja").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    (templates / "models.py.jinja").write_text(first + "\n# Reviewed by the Acme API team.\n" + rest,
                                               encoding="utf-8")
    files = build(Options(schema=spec, out=tmp_path, package="widgets", templates=templates, use_cache=False))
    assert differing(reference, files) == ["models.py"]
    added = [line for line in difflib.ndiff(reference["models.py"].decode().splitlines(),
                                            files["models.py"].decode().splitlines()) if line[:1] in "+-"]
    assert added == ["+ # Reviewed by the Acme API team."]
    # a README of one's own, everything else as built in
    (templates / "models.py.jinja").unlink()
    (templates / "README.md.jinja").write_text(README, encoding="utf-8")
    files = build(Options(schema=spec, out=tmp_path, package="widgets", templates=templates, use_cache=False))
    assert differing(reference, files) == ["README.md"]
    assert re.fullmatch(r"# widgets for Acme\nAcme widgets 3\.1 \([0-9a-f]{12}\)\n", files["README.md"].decode())


def test_overriding_an_included_template_reaches_every_module(builtin: tuple[Path, dict[str, bytes]],
                                                              tmp_path: Path) -> None:
    spec, reference = builtin
    templates = tmp_path / "templates"
    templates.mkdir()
    header = (BUILTIN_TEMPLATES / "_header.jinja").read_text(encoding="utf-8")
    (templates / "_header.jinja").write_text("# Copyright Acme.\n" + header, encoding="utf-8")
    files = build(Options(schema=spec, out=tmp_path, package="widgets", templates=templates, use_cache=False))
    changed = differing(reference, files)
    assert changed == sorted(name for name in reference if name.endswith(".py") and reference[name])
    for name in changed:
        assert files[name] == b"# Copyright Acme.\n" + reference[name]


def test_a_header_override_not_in_black_format_is_formatted_everywhere(builtin: tuple[Path, dict[str, bytes]],
                                                                       tmp_path: Path) -> None:
    # the runtime modules skip the formatter only under a header it would leave as it is
    spec, reference = builtin
    templates = tmp_path / "templates"
    templates.mkdir()
    header = (BUILTIN_TEMPLATES / "_header.jinja").read_text(encoding="utf-8")
    (templates / "_header.jinja").write_text("#Copyright Acme.  \n" + header, encoding="utf-8")
    files = build(Options(schema=spec, out=tmp_path, package="widgets", templates=templates, use_cache=False))
    changed = differing(reference, files)
    assert {"_base_client.py", "_runtime.py", "errors.py"} < set(changed)
    for name in changed:
        assert files[name] == b"# Copyright Acme.\n" + reference[name]


def test_a_file_named_like_an_output_file_replaces_it(builtin: tuple[Path, dict[str, bytes]], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    spec, reference = builtin
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no pyproject.toml here: only the flags count
    templates = tmp_path / "templates"
    templates.mkdir()
    # not in black's format: it gets the header and the formatter
    (templates / "errors.py").write_text("class ClientError(Exception):\n  'Ours.'\nx = {'a':1}\n", encoding="utf-8")
    # a template for the same file loses to the file
    (templates / "errors.py.jinja").write_text('{% include "_header.jinja" %}\nraise SystemExit\n', encoding="utf-8")
    # anything else is copied as it is, line endings included
    (templates / "README.md").write_bytes(b"# Widgets\r\n\r\nOurs, {{ not a template }}.\n")
    out = tmp_path / "out"
    assert cli.main(["generate", "--schema", str(spec), "--out", str(out), "--package", "widgets",
                     "--templates", str(templates)]) == 0
    files = read_tree(out / "widgets")
    assert differing(reference, files) == ["README.md", "errors.py"]
    header = b"".join(reference["models.py"].splitlines(keepends=True)[:3])
    assert header.startswith(b"# Generated by oas-dataclasses ")
    assert files["errors.py"] == header + b'class ClientError(Exception):\n    "Ours."\n\n\nx = {"a": 1}\n'
    assert files["README.md"] == b"# Widgets\r\n\r\nOurs, {{ not a template }}.\n"


def test_an_output_file_override_that_is_not_python_is_bad_input(builtin: tuple[Path, dict[str, bytes]],
                                                                  tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    spec, _ = builtin
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "client.py").write_text("import json\ndef (:\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["generate", "--schema", str(spec), "--out", str(out), "--package", "widgets",
                     "--templates", str(templates), "--no-cache"]) == 2
    assert capsys.readouterr().err == f"error: {templates / 'client.py'}:2: not valid Python: invalid syntax\n"
    assert not out.exists()


def test_templates_folder_that_does_not_exist(run, acme: Path) -> None:
    shutil.rmtree(acme / "codegen")
    result = run("generate", cwd=acme)
    assert result.returncode == 2
    assert result.stderr == "error: templates folder codegen does not exist\n"


@pytest.mark.parametrize("table, message", [
    ('organization = "OpenAI-Organization"', "client_options].organization must be a table with exactly header"),
    ('organization = { header = "OpenAI-Organization" }', "must be a table with exactly header"),
    ('organization = { header = "Bad Header", env = "ORG" }', "organization.header must be an HTTP header name"),
    ('organization = { header = "X-Org", env = "1ORG" }', "organization.env must be an environment variable name"),
    ('timeout = { header = "X-Timeout", env = "T" }', "'timeout' is already a client argument"),
    ('"class" = { header = "X-Class", env = "C" }', "'class' is not a usable argument name"),
    ('a = { header = "X-A", env = "A" }\nb = { header = "x-a", env = "B" }', "'x-a' is also 'a'"),
])
def test_bad_client_options_are_one_line_errors(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.oas-dataclasses.client_options]\n{table}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(message)):
        cli.read_config(tmp_path)


def test_client_options_reach_the_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.oas-dataclasses.client_options]\nteam = { header = "X-Team", env = "ACME_TEAM" }\n', encoding="utf-8")
    (tmp_path / "widgets.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["generate", "--schema", "widgets.yaml", "--out", "out", "--package", "widgets"]) == 0
    client = (tmp_path / "out" / "widgets" / "client.py").read_text(encoding="utf-8")
    assert "team: str | None = None," in client and 'ClientOption("team", "X-Team", "ACME_TEAM")' in client
    assert "organization" not in client  # nothing of OpenAI's is built in
