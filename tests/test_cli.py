"""The command line contract: ``python -m generator generate|check``.

Everything here runs the real CLI in a subprocess (exit codes, stderr, no traceback),
except the failure-injection tests of ``generator.output``, which run in process.
Specs are small and written inline; all output goes to tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator import __version__, output

REPO = Path(__file__).resolve().parents[1]
PKG = "pets"

SPEC_31 = """\
openapi: 3.1.0
info: {title: Pets, version: "1.0"}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        name: {type: [string, "null"]}
"""

# A different valid spec: used to show that check notices a changed input.
SPEC_31_B = SPEC_31.replace("name:", "nickname:")

SPEC_30 = """\
openapi: 3.0.3
info: {title: Pets, version: "1.0"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, tag]
      properties:
        id: {type: integer}
        name: {type: string, nullable: true}
        tag: {type: string}
"""

SPEC_JSON = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1.0"},
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            }
        }
    },
}

SPEC_MAIN = """\
openapi: 3.1.0
info: {title: Pets, version: "1.0"}
components:
  schemas:
    Owner:
      type: object
      required: [pet]
      properties:
        pet: {$ref: "common/other.yaml#/components/schemas/Pet"}
"""

SPEC_OTHER = """\
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        tag: {$ref: "#/components/schemas/Tag"}
    Tag:
      type: string
"""


# ----- helpers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One formatting cache for the module: repeats are fast, the user's cache is untouched."""
    return tmp_path_factory.mktemp("format-cache")


@pytest.fixture
def run(cache_dir: Path):
    def run(*args: str, cwd: Path | str = REPO) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["OAS_DATACLASSES_CACHE_DIR"] = str(cache_dir)
        # Import the generator from this checkout whatever the cwd (the editable
        # install alone is not enough if it was made before generator/__init__.py).
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and folder under root (hidden ones included), with its bytes."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel + ("/" if path.is_dir() else "")] = b"" if path.is_dir() else path.read_bytes()
    return found


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """A folder holding one earlier generation of SPEC_31 in out/pets (copy before use)."""
    base = tmp_path_factory.mktemp("previous")
    write(base / "spec.yaml", SPEC_31)
    env = {**os.environ, "OAS_DATACLASSES_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--schema", "spec.yaml", "--out", "out", "--package", PKG],
        cwd=base, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return base


@pytest.fixture
def project(tmp_path: Path, previous: Path) -> Path:
    """tmp_path with spec.yaml (SPEC_31) and out/pets generated from it."""
    shutil.copytree(previous, tmp_path, dirs_exist_ok=True)
    return tmp_path


# ----- basics ---------------------------------------------------------------------------


def test_version(run) -> None:
    result = ok(run("--version"))
    assert __version__ in result.stdout


def test_no_command_prints_help_and_exits_2(run) -> None:
    result = run()
    assert result.returncode == 2
    assert "usage:" in (result.stdout + result.stderr)
    assert "generate" in result.stderr and "check" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_writes_only_the_package(project: Path, previous: Path) -> None:
    out = project / "out"
    assert sorted(p.name for p in out.iterdir()) == [PKG]  # nothing else in DIR
    files = output.read_tree(out / PKG)
    assert "__init__.py" in files and "models.py" in files
    assert b"class Pet" in files["models.py"]
    assert sorted(p.name for p in project.iterdir()) == ["out", "spec.yaml"]


def test_generate_twice_is_byte_identical_and_check_passes(run, project: Path) -> None:
    before = snapshot(project / "out")
    ok(run("generate", "--schema", "spec.yaml", "--out", "out", "--package", PKG, cwd=project))
    assert snapshot(project / "out") == before
    result = ok(run("check", "--schema", "spec.yaml", "--out", "out", "--package", PKG, cwd=project))
    assert result.stdout == ""


def test_no_cache_gives_the_same_bytes(run, project: Path, cache_dir: Path) -> None:
    assert any(p.is_file() for p in cache_dir.rglob("*")), "the cache dir was not used"
    before = snapshot(project / "out")
    ok(run("generate", "--no-cache", "--spec", "spec.yaml", "--out", "out", "--package", PKG, cwd=project))
    assert snapshot(project / "out") == before
    ok(run("check", "--no-cache", "--spec", "spec.yaml", "--out", "out", "--package", PKG, cwd=project))


def test_spec_is_an_alias_of_schema(run, project: Path) -> None:
    ok(run("check", "--spec", "spec.yaml", "--out", "out", "--package", PKG, cwd=project))
    write(project / "b.yaml", SPEC_31_B)
    assert run("check", "--spec", "b.yaml", "--out", "out", "--package", PKG, cwd=project).returncode == 1
    assert run("check", "--schema", "b.yaml", "--out", "out", "--package", PKG, cwd=project).returncode == 1


# ----- input forms ----------------------------------------------------------------------


def test_openapi_30_nullable(run, tmp_path: Path) -> None:
    write(tmp_path / "spec.yaml", SPEC_30)
    ok(run("generate", "--schema", "spec.yaml", "--out", "out", "--package", "p30", cwd=tmp_path))
    models = (tmp_path / "out" / "p30" / "models.py").read_text(encoding="utf-8")
    assert re.search(r"^\s+name: str \| None$", models, re.M), models
    assert re.search(r"^\s+tag: str$", models, re.M), models
    # the generated package decodes null for the nullable field only
    code = textwrap.dedent(
        """
        from p30 import Pet, DecodeError
        assert Pet.from_dict({"id": 1, "name": None, "tag": "t"}).name is None
        try:
            Pet.from_dict({"id": 1, "name": "n", "tag": None})
        except DecodeError:
            pass
        else:
            raise SystemExit("null accepted for a non-nullable field")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "out", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_json_spec(run, tmp_path: Path) -> None:
    (tmp_path / "spec.json").write_text(json.dumps(SPEC_JSON, indent=2), encoding="utf-8")
    ok(run("generate", "--schema", "spec.json", "--out", "out", "--package", PKG, cwd=tmp_path))
    assert b"class Pet" in (tmp_path / "out" / PKG / "models.py").read_bytes()
    ok(run("check", "--schema", "spec.json", "--out", "out", "--package", PKG, cwd=tmp_path))


def test_relative_file_ref(run, tmp_path: Path) -> None:
    write(tmp_path / "api" / "main.yaml", SPEC_MAIN)
    write(tmp_path / "api" / "common" / "other.yaml", SPEC_OTHER)
    # run from elsewhere: the ref is relative to the referring file, not the cwd
    ok(run("generate", "--schema", str(tmp_path / "api" / "main.yaml"), "--out", str(tmp_path / "out"),
           "--package", PKG))
    models = (tmp_path / "out" / PKG / "models.py").read_text(encoding="utf-8")
    assert "class Owner" in models and "class Pet" in models
    assert re.search(r"^\s+pet: Pet$", models, re.M), models


# ----- bad input ------------------------------------------------------------------------

_OBJ = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n"


def _prop_ref(ref: str) -> str:
    return _OBJ + f"components:\n  schemas:\n    P:\n      type: object\n      properties:\n        a: {{$ref: '{ref}'}}\n"


BAD = {
    # name: (file name, content (None: do not create), expected stderr after "error: ")
    "missing file": ("nope.yaml", None, r"nope\.yaml: no such file"),
    "yaml syntax": ("bad.yaml", "openapi: 3.1.0\ninfo: {title: x\n  version: 1\n",
                    r"bad\.yaml: line 3, column \d+: invalid YAML: "),
    "yaml syntax 2": ("bad.yaml", "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: [1, 2\n",
                      r"bad\.yaml: line \d+, column \d+: invalid YAML: "),
    "json syntax": ("bad.json", '{"openapi": "3.1.0",\n "info": }', r"bad\.json: line 2, column 10: invalid JSON: "),
    "empty yaml": ("bad.yaml", "", r"bad\.yaml: the file is empty"),
    "comments only": ("bad.yaml", "# nothing\n\n", r"bad\.yaml: the file is empty"),
    "empty json": ("bad.json", "", r"bad\.json: the file is empty"),
    "not utf-8": ("bad.yaml", b"openapi: 3.1.0\ninfo: \xff\n", r"bad\.yaml: not UTF-8"),
    "not a mapping": ("bad.yaml", "- a\n- b\n", r"bad\.yaml: /: not an OpenAPI document: the top level is a list, not a mapping"),
    "scalar document": ("bad.json", "42", r"bad\.json: /: not an OpenAPI document: the top level is a number, not a mapping"),
    "no openapi field": ("bad.yaml", "info: {title: x}\n", r"bad\.yaml: /: not an OpenAPI document: it has no 'openapi' field"),
    "swagger 2": ("bad.yaml", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
                  r"bad\.yaml: /swagger: Swagger 2\.0 is not supported; convert it to OpenAPI 3 .*swagger2openapi"),
    "openapi 4": ("bad.yaml", "openapi: 4.0.0\n", r"bad\.yaml: /openapi: unsupported OpenAPI version"),
    "dangling ref in a property": (
        "bad.yaml", _prop_ref("#/components/schemas/Nope"),
        r"bad\.yaml: /components/schemas/P/properties/a/\$ref: \$ref '#/components/schemas/Nope' points to nothing"),
    "dangling ref as a component": (
        "bad.yaml", _OBJ + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n",
        r"bad\.yaml: /components/schemas/A/\$ref: \$ref '#/components/schemas/B' points to nothing"),
    "dangling ref in a path": (
        "bad.yaml", _OBJ + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n"
        "        '200': {$ref: '#/components/responses/Gone'}\n",
        r"bad\.yaml: /paths/~1a/get/responses/200/\$ref: \$ref '#/components/responses/Gone' points to nothing"),
    "missing ref file": ("bad.yaml", _prop_ref("other.yaml#/components/schemas/X"),
                         r"bad\.yaml: /components/schemas/P/properties/a/\$ref: .*does not exist: other\.yaml"),
    "ref loop": (
        "bad.yaml", _OBJ + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n",
        r"bad\.yaml: /components/schemas/A: \$ref chain loops.*/components/schemas/B"),
    "ref to itself": ("bad.yaml", _OBJ + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n",
                      r"bad\.yaml: /components/schemas/A: \$ref chain loops"),
    "remote ref": ("bad.yaml", _prop_ref("https://example.com/api.yaml#/components/schemas/X"),
                   r"bad\.yaml: /components/schemas/P/properties/a/\$ref: remote \$ref .*not supported"),
    "anchor ref": ("bad.yaml", _prop_ref("#foo"), r"bad\.yaml: /components/schemas/P/properties/a/\$ref: .*JSON pointer"),
    "unknown type": ("bad.yaml", _OBJ + "components:\n  schemas:\n    A: {type: strin}\n",
                     r"bad\.yaml: /components/schemas/A/type: unknown type 'strin'"),
    "duplicate operationId": (
        "bad.yaml", _OBJ + "paths:\n  /a:\n    get: {operationId: same, responses: {}}\n"
        "  /b:\n    get: {operationId: same, responses: {}}\n",
        r"bad\.yaml: /paths/~1b/get/operationId: duplicate operationId 'same'"),
    "request body without content": (
        "bad.yaml", _OBJ + "paths:\n  /a:\n    post:\n      operationId: make\n"
        "      requestBody: {content: {}}\n",
        r"bad\.yaml: /paths/~1a/post/requestBody: operation 'make': a request body needs a content media type"),
}


def _schemas(body: str) -> str:
    return _OBJ + "components:\n  schemas:\n" + textwrap.indent(textwrap.dedent(body), "    ")


def _bomb(levels: int = 9) -> str:
    """Billion laughs: nine aliases of nine aliases ... of one schema."""
    lines = ["        l0: &l0 {type: string, enum: [lol]}"]
    for i in range(1, levels):
        refs = ", ".join(f"{k}: *l{i - 1}" for k in "abcdefghi")
        lines.append(f"        l{i}: &l{i} {{type: object, properties: {{{refs}}}}}")
    return _OBJ + "components:\n  schemas:\n    A:\n      type: object\n      properties:\n" + "\n".join(lines) + "\n"


BAD.update({
    # keywords of the wrong JSON type: say which, where, and what it is instead
    "properties not a mapping": ("bad.yaml", _schemas("A: {type: object, properties: 5}\n"),
                                 r"bad\.yaml: /components/schemas/A/properties: properties must be a mapping, not a number$"),
    "required not a list": ("bad.yaml", _schemas("A: {type: object, required: a, properties: {a: {}}}\n"),
                            r"bad\.yaml: /components/schemas/A/required: required must be a list, not a string$"),
    "required entry": ("bad.yaml", _schemas("A: {type: object, required: [a, 1]}\n"),
                       r"bad\.yaml: /components/schemas/A/required/1: required entries must be strings, not a number$"),
    "enum a mapping": ("bad.yaml", _schemas("A: {type: string, enum: {}}\n"),
                       r"bad\.yaml: /components/schemas/A/enum: enum must be a list, not a mapping$"),
    "items a number": ("bad.yaml", _schemas("A: {type: array, items: 5}\n"),
                       r"bad\.yaml: /components/schemas/A/items: a schema must be a mapping or a boolean, not a number$"),
    "type a number": ("bad.yaml", _schemas("A: {type: 5}\n"),
                      r"bad\.yaml: /components/schemas/A/type: type must be a string, not a number$"),
    "nullable a string": ("bad.yaml", _schemas("A: {type: string, nullable: 'yes'}\n"),
                          r"bad\.yaml: /components/schemas/A/nullable: nullable must be a boolean, not a string$"),
    "oneOf a mapping": ("bad.yaml", _schemas("A: {oneOf: {type: string}}\n"),
                        r"bad\.yaml: /components/schemas/A/oneOf: oneOf must be a non-empty list, not a mapping$"),
    "description a list": ("bad.yaml", _schemas("A: {type: string, description: [x]}\n"),
                           r"bad\.yaml: /components/schemas/A/description: description must be a string, not a list$"),
    "components a number": ("bad.yaml", _OBJ + "components: 5\n",
                            r"bad\.yaml: /components: components must be a mapping, not a number$"),
    "info a list": ("bad.yaml", "openapi: 3.1.0\ninfo: [1]\n", r"bad\.yaml: /info: info must be a mapping, not a list$"),
    "paths a number": ("bad.yaml", _OBJ + "paths: 5\n", r"bad\.yaml: /paths: paths must be a mapping, not a number$"),
    "parameters a mapping": ("bad.yaml", _OBJ + "paths:\n  /a:\n    get: {operationId: a, parameters: {name: x}}\n",
                             r"bad\.yaml: /paths/~1a/get/parameters: parameters must be a list, not a mapping$"),
    "response a number": ("bad.yaml", _OBJ + "paths:\n  /a:\n    get: {operationId: a, responses: {'200': 5}}\n",
                          r"bad\.yaml: /paths/~1a/get/responses/200: a response must be a mapping, not a number$"),
    "servers a mapping": ("bad.yaml", _OBJ + "servers: {url: x}\n", r"bad\.yaml: /servers: servers must be a list"),
    "discriminator a number": (
        "bad.yaml", _schemas("""\
            A: {type: object, required: [k], properties: {k: {const: a}}}
            B: {type: object, required: [k], properties: {k: {const: b}}}
            U: {oneOf: [$ref: '#/components/schemas/A', $ref: '#/components/schemas/B'], discriminator: 5}
            """), r"bad\.yaml: /components/schemas/U/discriminator: discriminator must have a string propertyName$"),
    "enum of infinity": ("bad.yaml", _schemas("A: {type: number, enum: [1, .inf]}\n"),
                         r"bad\.yaml: /components/schemas/A/enum/1: enum values must be finite numbers, not inf$"),
    "yaml binary": ("bad.yaml", _schemas("A: {type: string, default: !!binary aGVsbG8=}\n"),
                    r"bad\.yaml: /components/schemas/A/default: a YAML binary \(!!binary\) value has no JSON form$"),
    # $ref chains (and unions of nothing but themselves) that loop without reaching a schema
    "ref loop of three": (
        "bad.yaml", _schemas("A: {$ref: '#/components/schemas/B'}\nB: {$ref: '#/components/schemas/C'}\n"
                             "C: {$ref: '#/components/schemas/A'}\n"),
        r"bad\.yaml: /components/schemas/A: \$ref chain loops without reaching a schema: "
        r"/components/schemas/B -> /components/schemas/C -> /components/schemas/A -> /components/schemas/B$"),
    "ref cycle inside a schema": (
        "bad.yaml", _schemas("A: {type: object, properties: {a: {type: array, items: {$ref: '#/components/schemas/A/properties/a'}}}}\n"),
        r"bad\.yaml: /components/schemas/A/properties/a: \$ref cycle that never reaches a named schema$"),
    "union of itself": ("bad.yaml", _schemas("A: {oneOf: [{$ref: '#/components/schemas/A'}]}\n"),
                        r"bad\.yaml: /components/schemas/A: the schema refers only to itself \(A\)"),
    "unions of each other": (
        "bad.yaml", _schemas("A: {anyOf: [$ref: '#/components/schemas/B']}\n"
                             "B: {oneOf: [$ref: '#/components/schemas/A', {type: 'null'}]}\n"),
        r"bad\.yaml: /components/schemas/A: the schema refers only to itself \(A\)"),
    # what the generator does not support says what and where
    "cookie parameter": ("bad.yaml", _OBJ + "paths:\n  /a:\n    get:\n      operationId: list\n"
                         "      parameters: [{name: q, in: cookie, schema: {type: string}}]\n",
                         r"bad\.yaml: /paths/~1a/get/parameters/0: operation 'list': cookie parameters are not supported yet$"),
    "multipart without properties": (
        "bad.yaml", _OBJ + "paths:\n  /a:\n    post:\n      operationId: up\n"
        "      requestBody: {content: {multipart/form-data: {schema: {type: string}}}}\n",
        r"bad\.yaml: /paths/~1a/post/requestBody/content/multipart~1form-data: operation 'up': a multipart body "
        r"needs an object schema with properties$"),
    "tuple items": ("bad.yaml", _schemas("A: {type: array, items: [{type: string}]}\n"),
                    r"bad\.yaml: /components/schemas/A/items: tuple-style items lists are not supported$"),
    "false schema": ("bad.yaml", _schemas("A: {type: object, properties: {a: false}}\n"),
                     r"bad\.yaml: /components/schemas/A/properties/a: the schema `false` accepts nothing"),
    "allOf of a string": ("bad.yaml", _schemas("A: {allOf: [{type: string}, {properties: {a: {}}}]}\n"),
                          r"bad\.yaml: /components/schemas/A/allOf/0: allOf members must be objects$"),
    # nesting and aliases that would exhaust the stack or memory
    "alias bomb": ("bad.yaml", _bomb(), r"bad\.yaml: YAML aliases expand the document past 1,000,000 objects"),
    "alias of itself": ("bad.yaml", _OBJ + "x-loop: &a [*a]\n",
                        r"bad\.yaml: /x-loop/0/0/0/.*/\.\.\.: nested more than 200 levels deep$"),
    "deep yaml": ("bad.yaml", _OBJ + "x-deep: " + "[" * 50_000 + "]" * 50_000 + "\n",
                  r"bad\.yaml: line 3, column 208: nested more than 200 levels deep$"),
    "deep json": ("bad.json", '{"openapi": "3.1.0", "x": ' + "[" * 50_000 + "]" * 50_000 + "}",
                  r"bad\.json: nested too deeply$"),
    "nested 300 levels": ("bad.json", '{"openapi": "3.1.0", "x": ' + '{"a": ' * 300 + "1" + "}" * 301,
                          r"bad\.json: /x/a/a/a/.*: nested more than 200 levels deep$"),
})


def _check_error(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match("error: " + pattern, lines[0]), lines[0]


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["generate", "check"])
def test_bad_input(run, project: Path, case: str, command: str) -> None:
    name, content, pattern = BAD[case]
    if isinstance(content, str):
        write(project / name, content)
    elif isinstance(content, bytes):
        (project / name).write_bytes(content)
    before = snapshot(project)
    result = run(command, "--schema", name, "--out", "out", "--package", PKG, cwd=project)
    _check_error(result, pattern)
    assert result.stdout == ""
    assert snapshot(project) == before  # the previous generation is untouched, nothing added


def test_directory_as_schema(run, project: Path) -> None:
    (project / "dir.yaml").mkdir()
    before = snapshot(project)
    _check_error(run("generate", "--schema", "dir.yaml", "--out", "out", "--package", PKG, cwd=project),
                 r"dir\.yaml: is a directory")
    assert snapshot(project) == before


def test_unreadable_schema(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # chmod 0 cannot stop root (CI runs as root), so the read itself is made to fail
    from generator import cli

    spec = write(project / "locked.yaml", SPEC_31)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.chdir(project)
    before = snapshot(project / "out")
    code = cli.main(["generate", "--schema", spec.name, "--out", "out", "--package", PKG])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "error: locked.yaml: cannot read: Permission denied\n"
    assert snapshot(project / "out") == before


def test_error_in_a_referenced_file_names_that_file(run, project: Path) -> None:
    write(project / "main.yaml", _prop_ref("lib/other.yaml#/components/schemas/X"))
    write(project / "lib" / "other.yaml", "components:\n  schemas:\n    X: {$ref: '#/components/schemas/Y'}\n")
    before = snapshot(project / "out")
    _check_error(run("generate", "--schema", "main.yaml", "--out", "out", "--package", PKG, cwd=project),
                 r"lib/other\.yaml: /components/schemas/X/\$ref: \$ref '#/components/schemas/Y' points to nothing")
    assert snapshot(project / "out") == before


def test_bad_package_name(run, project: Path) -> None:
    before = snapshot(project)
    result = run("generate", "--schema", "spec.yaml", "--out", "out", "--package", "not-a-name", cwd=project)
    _check_error(result, r".*not a Python identifier")
    assert snapshot(project) == before


# ----- configuration --------------------------------------------------------------------


def test_pyproject_config_and_flag_override(run, tmp_path: Path) -> None:
    write(tmp_path / "api" / "spec.yaml", SPEC_31)
    write(tmp_path / "other.yaml", SPEC_31_B)
    write(tmp_path / "pyproject.toml",
          '[project]\nname = "x"\n\n[tool.oas-dataclasses]\nschema = "api/spec.yaml"\nout = "build"\npackage = "cfgpkg"\n')
    ok(run("generate", cwd=tmp_path))
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["cfgpkg"]
    ok(run("check", cwd=tmp_path))
    # each flag overrides its key, the others still come from the config
    ok(run("generate", "--package", "flagpkg", cwd=tmp_path))
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["cfgpkg", "flagpkg"]
    ok(run("generate", "--out", "elsewhere", cwd=tmp_path))
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["cfgpkg"]
    assert run("check", "--quiet", "--schema", "other.yaml", cwd=tmp_path).returncode == 1
    ok(run("check", cwd=tmp_path))


def test_defaults_without_config(run, tmp_path: Path) -> None:
    write(tmp_path / "schema" / "fine_tuning.yaml", SPEC_31)
    ok(run("generate", cwd=tmp_path))
    assert sorted(p.name for p in (tmp_path / "generated").iterdir()) == ["fine_tuning_client"]
    ok(run("check", cwd=tmp_path))


def test_default_schema_missing(run, tmp_path: Path) -> None:
    _check_error(run("generate", cwd=tmp_path), r"schema/fine_tuning\.yaml: no such file")
    assert list(tmp_path.iterdir()) == []


def test_bad_config(run, tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.oas-dataclasses]\nschemas = "x.yaml"\n')
    _check_error(run("generate", cwd=tmp_path), r".*pyproject\.toml: .*unknown key\(s\) schemas")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


# ----- check ----------------------------------------------------------------------------

CHECK = ("check", "--schema", "spec.yaml", "--out", "out", "--package", PKG)


def test_check_reports_a_hand_edit_as_a_diff(run, project: Path) -> None:
    models = project / "out" / PKG / "models.py"
    models.write_text(models.read_text(encoding="utf-8").replace("class Pet", "class Pat", 1), encoding="utf-8")
    before = snapshot(project)
    result = run(*CHECK, cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert re.search(rf"^--- out/{PKG}/models\.py", out, re.M), out
    assert re.search(rf"^\+\+\+ out/{PKG}/models\.py", out, re.M), out
    assert re.search(r"^@@ .* @@", out, re.M), out
    assert re.search(r"^-class Pat", out, re.M) and re.search(r"^\+class Pet", out, re.M), out
    assert "__init__.py" not in out  # only the changed file
    assert snapshot(project) == before  # check writes nothing


def test_check_reports_missing_and_extra_files(run, project: Path) -> None:
    (project / "out" / PKG / "errors.py").unlink()
    (project / "out" / PKG / "stray.py").write_text("x = 1\n", encoding="utf-8")
    (project / "out" / PKG / "sub").mkdir()
    (project / "out" / PKG / "sub" / "notes.txt").write_text("hi\n", encoding="utf-8")
    result = run(*CHECK, cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"missing: out/{PKG}/errors.py" in lines, result.stdout
    assert f"extra: out/{PKG}/stray.py" in lines, result.stdout
    assert f"extra: out/{PKG}/sub/notes.txt" in lines, result.stdout
    assert "---" not in result.stdout


def test_check_when_the_package_is_absent(run, project: Path) -> None:
    shutil.rmtree(project / "out" / PKG)
    result = run(*CHECK, cwd=project)
    assert result.returncode == 1
    assert f"missing: out/{PKG}/models.py" in result.stdout.splitlines()
    assert not (project / "out" / PKG).exists()


def test_check_sees_a_changed_schema(run, project: Path) -> None:
    write(project / "spec.yaml", SPEC_31_B)
    result = run(*CHECK, cwd=project)
    assert result.returncode == 1
    assert "nickname" in result.stdout


def test_check_quiet(run, project: Path) -> None:
    (project / "out" / PKG / "errors.py").unlink()
    (project / "out" / PKG / "stray.py").write_text("x = 1\n", encoding="utf-8")
    for flag in ("--quiet", "-q"):
        result = run(*CHECK, flag, cwd=project)
        assert result.returncode == 1
        assert result.stdout == "" and result.stderr == ""


def test_check_ignores_pycache(run, project: Path) -> None:
    pkg = project / "out" / PKG
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\0junk")
    (pkg / "models.pyc").write_bytes(b"\0junk")
    result = ok(run(*CHECK, cwd=project))
    assert result.stdout == ""
    # importing the package really creates __pycache__: still clean
    subprocess.run([sys.executable, "-c", f"import {PKG}.models"], cwd=project / "out", check=True)
    ok(run(*CHECK, cwd=project))


# ----- atomic replacement ---------------------------------------------------------------

GENERATE = ("generate", "--schema", "spec.yaml", "--out", "out", "--package", PKG)


def test_generate_removes_stale_files_and_keeps_siblings(run, project: Path) -> None:
    expected = snapshot(project / "out" / PKG)
    (project / "out" / PKG / "stale.py").write_text("old = True\n", encoding="utf-8")
    (project / "out" / PKG / "old_dir").mkdir()
    (project / "out" / PKG / "old_dir" / "x.txt").write_text("x\n", encoding="utf-8")
    (project / "out" / PKG / "models.py").write_text("edited\n", encoding="utf-8")
    write(project / "out" / "sibling" / "keep.py", "keep = 1\n")
    write(project / "out" / "README.txt", "not ours\n")
    (project / "out" / f"{PKG}_other").mkdir()
    siblings = {k: v for k, v in snapshot(project / "out").items() if not k.startswith(f"{PKG}/")}
    ok(run(*GENERATE, cwd=project))
    assert snapshot(project / "out" / PKG) == expected
    assert {k: v for k, v in snapshot(project / "out").items() if not k.startswith(f"{PKG}/")} == siblings


def test_generate_into_a_new_folder_creates_parents(run, project: Path) -> None:
    ok(run("generate", "--schema", "spec.yaml", "--out", "deep/er/out", "--package", PKG, cwd=project))
    assert snapshot(project / "deep" / "er" / "out" / PKG) == snapshot(project / "out" / PKG)
    assert sorted(p.name for p in (project / "deep" / "er" / "out").iterdir()) == [PKG]


def test_repair_restores_a_leftover_old_tree(project: Path) -> None:
    out = project / "out"
    previous = snapshot(out / PKG)
    (out / PKG).rename(out / f".{PKG}.old-999999123")
    write(out / f".{PKG}.new-999999123" / "models.py", "half written")
    output.repair(out, PKG)
    assert sorted(p.name for p in out.iterdir()) == [PKG]
    assert snapshot(out / PKG) == previous


def test_repair_drops_old_tree_when_target_exists(project: Path) -> None:
    out = project / "out"
    previous = snapshot(out / PKG)
    write(out / f".{PKG}.old-999999977" / "models.py", "older")
    output.repair(out, PKG)
    assert sorted(p.name for p in out.iterdir()) == [PKG]
    assert snapshot(out / PKG) == previous


def test_next_run_cleans_up_after_a_killed_run(run, project: Path) -> None:
    out = project / "out"
    previous = snapshot(out / PKG)
    (out / PKG).rename(out / f".{PKG}.old-999999123")
    write(out / f".{PKG}.new-999999123" / "models.py", "half written")
    # check only reads: it neither repairs nor writes
    result = run(*CHECK, cwd=project)
    assert result.returncode == 1 and f"missing: out/{PKG}/models.py" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [f".{PKG}.new-999999123", f".{PKG}.old-999999123"]
    ok(run(*GENERATE, cwd=project))
    assert sorted(p.name for p in out.iterdir()) == [PKG]
    assert snapshot(out / PKG) == previous


def _files(n: int = 5) -> dict[str, bytes]:
    return {f"m{i}.py": f"x = {i}\n".encode() for i in range(n)} | {"sub/deep.txt": b"deep\n"}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-fallback"])
def test_write_tree_replaces_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    output.write_tree(tmp_path, PKG, {"a.py": b"a\n", "gone.py": b"bye\n"})
    output.write_tree(tmp_path, PKG, _files())
    assert output.read_tree(tmp_path / PKG) == _files()
    assert sorted(p.name for p in tmp_path.iterdir()) == [PKG]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-fallback"])
def test_write_tree_failure_midway_keeps_the_previous_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    output.write_tree(tmp_path, PKG, {"a.py": b"a\n", "sub/b.py": b"b\n"})
    (tmp_path / "sibling").mkdir()
    before = snapshot(tmp_path)

    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        output.write_tree(tmp_path, PKG, _files())
    assert calls["n"] == 3  # two files were written before the failure
    monkeypatch.setattr(output.os, "fsync", real_fsync)
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.glob(f".{PKG}.*"))


def test_write_tree_interrupted_keeps_the_previous_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output.write_tree(tmp_path, PKG, {"a.py": b"a\n"})
    before = snapshot(tmp_path)

    def interrupt(a: Path, b: Path) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_exchange", interrupt)  # at the moment of the swap
    with pytest.raises(KeyboardInterrupt):
        output.write_tree(tmp_path, PKG, _files())
    assert snapshot(tmp_path) == before


def test_write_tree_bad_files_dict_keeps_the_previous_tree(tmp_path: Path) -> None:
    output.write_tree(tmp_path, PKG, {"a.py": b"a\n"})
    before = snapshot(tmp_path)
    # "x" is written as a file, then needed as a folder: the write fails partway
    with pytest.raises(OSError):
        output.write_tree(tmp_path, PKG, {"m.py": b"m\n", "x": b"file\n", "x/y.py": b"y\n"})
    assert snapshot(tmp_path) == before


def test_write_tree_first_time_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(output.os, "fsync", boom)
    with pytest.raises(OSError):
        output.write_tree(tmp_path / "out", PKG, _files())
    monkeypatch.undo()
    assert list((tmp_path / "out").iterdir()) == []


def test_out_is_a_file(run, project: Path) -> None:
    before = snapshot(project)
    _check_error(run("generate", "--schema", "spec.yaml", "--out", "spec.yaml", "--package", PKG, cwd=project),
                 r"output folder spec\.yaml is not a folder")
    assert snapshot(project) == before


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-fallback"])
@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_write_tree_replaces_a_file_or_symlink_without_leftovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool, kind: str
) -> None:
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_bytes(b"keep\n")
    if kind == "file":
        (tmp_path / PKG).write_bytes(b"not a folder\n")
    else:
        (tmp_path / PKG).symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    output.write_tree(tmp_path, PKG, _files())
    assert not (tmp_path / PKG).is_symlink()
    assert output.read_tree(tmp_path / PKG) == _files()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", PKG]
    assert (tmp_path / "elsewhere" / "keep.txt").read_bytes() == b"keep\n"


def test_repair_leaves_a_live_runs_folder_alone(project: Path) -> None:
    # another generate still writing its tree (a live pid) is not disturbed
    out = project / "out"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = out / f".{PKG}.new-{sleeper.pid}"
        write(live / "models.py", "being written")
        output.repair(out, PKG)
        assert (live / "models.py").read_text() == "being written"
    finally:
        sleeper.kill()
        sleeper.wait()
    output.repair(out, PKG)
    assert not live.exists()


# ----- --debug, and a run killed at any moment -------------------------------------------


def test_debug_shows_the_traceback(run, project: Path) -> None:
    write(project / "bad.yaml", BAD["properties not a mapping"][1])
    before = snapshot(project / "out")
    quiet = run("generate", "--schema", "bad.yaml", "--out", "out", "--package", PKG, cwd=project)
    loud = run("generate", "--debug", "--schema", "bad.yaml", "--out", "out", "--package", PKG, cwd=project)
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr
    assert loud.returncode != 0
    assert "Traceback (most recent call last)" in loud.stderr
    assert "SpecError" in loud.stderr and "properties must be a mapping, not a number" in loud.stderr
    assert snapshot(project / "out") == before


# Runs generate with a hook that touches MARK at one moment of the write and then
# sleeps, so that the test can kill -9 the process exactly there.
_KILL_WRAPPER = """
import os, sys, time
from pathlib import Path
import generator.output as out

mark, moment, exchange = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "exchange"

def stop_here():
    mark.write_text(str(os.getpid()))
    time.sleep(120)

if not exchange:
    out._exchange = lambda a, b: False
if moment == "writing":  # after the second file of the new tree reached the disk
    real_fsync, calls = os.fsync, []
    def fsync(fd):
        real_fsync(fd)
        calls.append(fd)
        if len(calls) == 2:
            stop_here()
    out.os.fsync = fsync
elif moment == "swapped":  # renameat2 exchanged the trees; the old one is not removed yet
    real_exchange = out._exchange
    def swap(a, b):
        done = real_exchange(a, b)
        if done:
            stop_here()
        return done
    out._exchange = swap
elif moment == "renamed":  # the fallback moved the old tree aside; the new one is not in place
    real_rename, calls = os.rename, []
    def rename(a, b):
        real_rename(a, b)
        calls.append(a)
        if len(calls) == 1:
            stop_here()
    out.os.rename = rename

from generator.cli import main
sys.exit(main(sys.argv[4:]))
"""


def _kill_during_generate(project: Path, cache_dir: Path, moment: str, mode: str) -> None:
    mark = project / "mark"
    env = {**os.environ, "OAS_DATACLASSES_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_WRAPPER, str(mark), moment, mode,
         "generate", "--schema", "b.yaml", "--out", "out", "--package", PKG],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if mark.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert mark.exists(), proc.communicate()[1].decode()
    finally:
        proc.kill()  # SIGKILL: no handler, no cleanup
        proc.wait()
    mark.unlink()


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_kill_9_while_writing_leaves_the_previous_output(run, project: Path, cache_dir: Path, mode: str) -> None:
    if mode == "exchange" and not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    write(project / "b.yaml", SPEC_31_B)
    previous = snapshot(project / "out" / PKG)
    _kill_during_generate(project, cache_dir, "writing", mode)
    assert snapshot(project / "out" / PKG) == previous  # byte for byte
    leftovers = [p.name for p in (project / "out").iterdir() if p.name != PKG]
    assert leftovers and all(name.startswith(f".{PKG}.new-") for name in leftovers)
    # the next run repairs: no leftovers, and the new tree in place
    ok(run("generate", "--schema", "b.yaml", "--out", "out", "--package", PKG, cwd=project))
    assert sorted(p.name for p in (project / "out").iterdir()) == [PKG]
    assert b"nickname" in (project / "out" / PKG / "models.py").read_bytes()
    ok(run("check", "--schema", "b.yaml", "--out", "out", "--package", PKG, cwd=project))


@pytest.mark.parametrize("moment, mode", [("swapped", "exchange"), ("renamed", "fallback")])
def test_kill_9_during_the_swap_is_repaired_by_the_next_run(
    run, project: Path, cache_dir: Path, moment: str, mode: str
) -> None:
    if mode == "exchange" and not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    write(project / "b.yaml", SPEC_31_B)
    previous = snapshot(project / "out" / PKG)
    _kill_during_generate(project, cache_dir, moment, mode)
    names = sorted(p.name for p in (project / "out").iterdir())
    if moment == "swapped":  # one step: the folder holds the whole new tree, never a mix
        assert PKG in names
        assert b"nickname" in (project / "out" / PKG / "models.py").read_bytes()
    else:  # two renames: the previous tree waits beside, whole, for the next run
        assert PKG not in names
        (old,) = [n for n in names if n.startswith(f".{PKG}.old-")]
        assert snapshot(project / "out" / old) == previous
        output.repair(project / "out", PKG)  # what the next run does first
        assert snapshot(project / "out" / PKG) == previous
    ok(run("generate", "--schema", "b.yaml", "--out", "out", "--package", PKG, cwd=project))
    assert sorted(p.name for p in (project / "out").iterdir()) == [PKG]
    ok(run("check", "--schema", "b.yaml", "--out", "out", "--package", PKG, cwd=project))
