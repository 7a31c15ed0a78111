"""Specs shaped by other people's habits (issue: real specs as they come): files that
refer to files, remote refs mapped to local copies, warnings and --strict-spec, typed
configuration. The corpus of real specs has its own module, tests/test_corpus.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.errors import SpecError
from generator.load import load
from generator.lower import lower

from .test_features import package

REPO = Path(__file__).resolve().parents[1]
MULTI = REPO / "tests" / "features" / "multi_file" / "spec.yaml"


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def lowered_with_warnings(path: Path, **kw: object) -> tuple[ir.Package, list[str]]:
    said: list[str] = []
    spec = load(path, on_warning=lambda w: said.append(str(w)), **kw)  # type: ignore[arg-type]
    return lower(spec, "pkg"), said


def test_multi_file_spec_warns_once_per_place_and_lowers_every_operation() -> None:
    pkg, said = lowered_with_warnings(MULTI)
    where = os.path.relpath(MULTI)
    assert said == [
        f"{where}: /paths/~1trees/get: an operation given by $ref is not standard OpenAPI; read from where it points",
        f"{where}: /paths/~1ping/post: the operation has no responses; its method returns None",
    ]
    ops = {op.method_name: op for op in pkg.operations}
    assert set(ops) == {"get_tree", "put_tree", "list_trees", "ping"}
    # the operation read through its $ref keeps its parameters and typed answer
    assert [p.arg for p in ops["list_trees"].parameters] == ["kind"]
    assert ops["list_trees"].returns == "list[Plant]"
    assert ops["get_tree"].returns == "Tree" and [p.arg for p in ops["get_tree"].parameters] == ["tree_id"]
    assert ops["put_tree"].body is not None and ops["ping"].returns == "None"


def test_a_schema_file_that_refers_to_itself_is_one_recursive_model() -> None:
    mod = package("multi_file")
    tree = mod.Tree.from_dict({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})
    assert isinstance(tree.children[0].children[0], mod.Tree)
    assert tree.children[0].children[0].name == "c"


def test_discriminator_mapping_through_files_names_the_variants_own_files() -> None:
    mod = package("multi_file")
    plants = [mod.Fern.from_dict({"plant_type": "fern", "fronds": 3}), mod.Moss.from_dict({"plant_type": "moss"})]
    text = (MULTI.parent / "golden" / "multi_file_client" / "models.py").read_text(encoding="utf-8")
    assert '"fern": _dec_Fern' in text and '"moss": _dec_Moss' in text
    assert [type(p).__name__ for p in plants] == ["Fern", "Moss"]


def test_strict_spec_turns_the_first_warning_into_an_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = cli("generate", "--schema", str(MULTI), "--out", str(out), "--package", "p", "--no-cache",
               "--formatter", "ruff", "--strict-spec")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"error: {os.path.relpath(MULTI, REPO)}: /paths/~1trees/get: an operation given by $ref is not standard "
        "OpenAPI; read from where it points (an error with --strict-spec)"
    ]
    assert not out.exists()
    done = cli("generate", "--schema", str(MULTI), "--out", str(out), "--package", "p", "--no-cache",
               "--formatter", "ruff")
    assert done.returncode == 0, done.stderr
    assert [line.split(": ")[0] for line in done.stderr.splitlines()] == ["warning", "warning"]
    assert (out / "p" / "client.py").is_file()


REMOTE = """\
openapi: 3.0.3
info: {title: Remote, version: "1"}
paths:
  /service:
    get:
      operationId: getService
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "https://schemas.example.org/v1/service.yaml#/components/schemas/Service"}
"""

SERVICE = """\
components:
  schemas:
    Service:
      type: object
      required: [id]
      properties:
        id: {type: string}
"""


def test_a_remote_ref_is_read_from_the_folder_its_prefix_maps_to(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(REMOTE, encoding="utf-8")
    (tmp_path / "copies" / "v1").mkdir(parents=True)
    (tmp_path / "copies" / "v1" / "service.yaml").write_text(SERVICE, encoding="utf-8")
    with pytest.raises(SpecError, match=r"remote \$ref .* map its URL to a local copy with --ref-map"):
        lower(load(spec), "pkg")
    pkg = lower(load(spec, ref_map=(("https://schemas.example.org/", tmp_path / "copies"),)), "pkg")
    assert pkg.operations[0].returns == "Service"
    assert [f.json_name for f in pkg.models[0].fields] == ["id"]
    # the command line and the configuration say the same
    done = cli("generate", "--schema", str(spec), "--out", str(tmp_path / "out"), "--package", "p",
               "--formatter", "ruff", "--no-cache", "--ref-map", f"https://schemas.example.org/={tmp_path / 'copies'}")
    assert done.returncode == 0, done.stderr
    (tmp_path / "pyproject.toml").write_text(
        '[tool.oas-dataclasses]\nschema = "api.yaml"\nout = "cfg"\npackage = "p"\nformatter = "ruff"\n'
        'ref_map = { "https://schemas.example.org/" = "copies" }\n', encoding="utf-8")
    done = cli("generate", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cfg" / "p" / "models.py").read_text(encoding="utf-8").count("class Service(") == 1


@pytest.mark.parametrize(("line", "message"), [
    ('strict_spec = "yes"', "[tool.oas-dataclasses].strict_spec must be a boolean"),
    ("ref_map = 3", '[tool.oas-dataclasses].ref_map must be a table of "URL_PREFIX" = "DIR"'),
    ('ref_map = { "https://x/" = 1 }', "[tool.oas-dataclasses].ref_map.https://x/ must be a string"),
    ("package = true", "[tool.oas-dataclasses].package must be a string"),
])
def test_configuration_values_keep_their_toml_types(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.oas-dataclasses]\n{line}\n", encoding="utf-8")
    done = cli("generate", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.rstrip().endswith(message), done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_strict_spec_from_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.oas-dataclasses]\nschema = "{MULTI}"\nout = "o"\npackage = "p"\nformatter = "ruff"\n'
        "strict_spec = true\n", encoding="utf-8")
    done = cli("generate", "--no-cache", cwd=tmp_path)
    assert done.returncode == 2 and "(an error with --strict-spec)" in done.stderr
    assert not (tmp_path / "o").exists()


def test_attributes_and_arguments_are_the_snake_case_of_wire_names() -> None:
    mod = package("wire_names")
    data = {"InvoiceID": "i1", "From": "a@b", "LineAmountTypes": "Exclusive", "invoice_id": "x"}
    invoice = mod.Invoice.from_dict(data)
    assert (invoice.invoice_id, invoice.from_, invoice.line_amount_types, invoice.invoice_id_2) == (
        "i1", "a@b", "Exclusive", "x")
    assert invoice.to_dict() == data  # the wire keeps its names
    assert mod.Invoice(invoice_id="i2", from_="c").to_dict() == {"InvoiceID": "i2", "From": "c"}
    assert "Wire name: ``InvoiceID``." in (mod.models.__file__ and Path(mod.models.__file__).read_text(encoding="utf-8"))
    import inspect
    params = list(inspect.signature(mod.Client.list_messages).parameters)
    assert params[1:6] == ["date_sent", "date_sent_lt", "date_sent_gt", "filter_status", "from_"]


def test_operators_map_by_one_table_and_reach_the_wire_unchanged() -> None:
    pkg, _ = lowered_with_warnings(REPO / "tests" / "features" / "wire_names" / "spec.yaml")
    op = pkg.operations[0]
    assert [(p.name, p.arg) for p in op.parameters] == [
        ("DateSent", "date_sent"), ("DateSent<", "date_sent_lt"), ("DateSent>", "date_sent_gt"),
        ("filter[status]", "filter_status"), ("From", "from_")]
    client = (REPO / "tests" / "features" / "wire_names" / "golden" / "wire_names_client" / "client.py").read_text(
        encoding="utf-8")
    assert '("DateSent<", date_sent_lt, True, False)' in client


def test_composed_class_names_stay_readable() -> None:
    pkg, _ = lowered_with_warnings(REPO / "tests" / "features" / "wire_names" / "spec.yaml")
    names = [m.name for m in pkg.models]
    assert names == ["Invoice", "InvoiceOfTheInvoiceAsItWasSentAndReceivedByEveryContact"]
    assert all(len(n) <= 60 for n in names)


def test_an_empty_enum_warns_refuses_every_value_strictly_and_keeps_it_leniently() -> None:
    spec = REPO / "tests" / "features" / "tolerance" / "spec.yaml"
    _, said = lowered_with_warnings(spec)
    assert said == [f"{os.path.relpath(spec)}: /components/schemas/Closed/properties/status/enum: enum: [] allows "
                    "no value: strict decoding refuses every value here, lenient decoding keeps it"]
    mod = package("tolerance")
    for value in ("open", 1, None, {"a": 1}):
        with pytest.raises(mod.DecodeError, match=r"^\$\.status: "):
            mod.Closed.from_dict({"status": value})
        assert mod.Closed.from_dict({"status": value}, strict=False).to_dict() == {"status": value}
    assert mod.Closed.from_dict({"name": "n"}).name == "n"  # absent is fine: the field is optional


def test_webhook_payloads_become_models_and_a_webhook_only_spec_has_no_client() -> None:
    mod = package("webhooks")
    shipped = mod.OrderShippedPayload.from_dict({"order_id": "o1", "carrier": "dhl"})
    assert shipped.carrier == "dhl"
    with pytest.raises(mod.DecodeError, match=r"^\$\.carrier: 'fedex' is not one of 'ups', 'dhl'$"):
        mod.OrderShippedPayload.from_dict({"order_id": "o1", "carrier": "fedex"})
    assert mod.Refund.from_dict({"order_id": "o1", "amount": 5}).amount == 5
    golden = REPO / "tests" / "features" / "webhooks" / "golden" / "webhooks_client"
    assert not (golden / "client.py").exists() and not hasattr(mod, "Client")


def test_callback_payloads_become_models(tmp_path: Path) -> None:
    from .snapshot import CORPUS

    pkg, said = lowered_with_warnings(CORPUS / "oai-callback-example" / "callback-example.yaml")
    payload = next(m for m in pkg.models if m.name == "OnDataPayload")
    assert [f.json_name for f in payload.fields] == ["timestamp", "userData"]
    assert [op.method_name for op in pkg.operations] == ["post_streams"] and said == []


def test_yaml_is_read_as_yaml_1_2_so_on_and_off_stay_strings(tmp_path: Path) -> None:
    spec = tmp_path / "switch.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
                    "    Switch:\n      type: object\n      required: [on]\n      properties:\n"
                    "        on: {type: string, enum: [on, off, yes, no]}\n        flag: {type: boolean, default: true}\n",
                    encoding="utf-8")
    pkg = lower(load(spec), "pkg")
    (field_on, flag) = pkg.models[0].fields
    assert (field_on.json_name, field_on.required, flag.default) == ("on", True, True)
    assert field_on.type == ir.LiteralType(("on", "off", "yes", "no"))
