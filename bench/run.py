"""Benchmarks: generated codecs against json itself and against the peers, in one run.

    make bench            # installs the bench extra, then runs this

Every figure is a ratio measured in the same process (or, for generation, the same
run), so it holds on a noisy machine. Peers that are not installed are reported as
such. Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "fine_tuning.yaml"
EXAMPLES = sorted((ROOT / "schema" / "examples").glob("*.json"))
GOAL_PAYLOADS = {"resume-page": 2.0, "reinforcement-multi-grader": 2.5}
sys.path.insert(0, str(ROOT / "generated"))
sys.path.insert(0, str(ROOT))

from fine_tuning_client import FineTuningJob  # noqa: E402


def best(fns: dict[str, Callable[[], Any]], budget: float) -> dict[str, float]:
    """Seconds per call for each function: timed batches taken in turn (so a disturbance
    hits all of them alike), the best batch of each (the least disturbed)."""
    timer = time.process_time  # CPU time: less disturbed by other processes than wall time
    numbers: dict[str, int] = {}
    for name, fn in fns.items():
        number = 1
        while timeit.timeit(fn, number=number, timer=timer) < min(0.02, budget / 10):
            number *= 2
        numbers[name] = number
    rounds = max(5, min(25, int(budget / 0.02)))
    found = {name: float("inf") for name in fns}
    gc.collect()
    for _ in range(rounds):
        for name, fn in fns.items():
            found[name] = min(found[name], timeit.timeit(fn, number=numbers[name], timer=timer) / numbers[name])
    return found


# ----- peers ---------------------------------------------------------------------------


class Peer:
    name = ""

    def decode(self, text: str) -> Any:
        raise NotImplementedError

    def encode(self, obj: Any) -> str:
        raise NotImplementedError


class OpenAISDK(Peer):
    """The official SDK's model (pydantic): validating, as `model_validate_json` does."""

    name = "openai SDK (pydantic)"

    def __init__(self) -> None:
        from openai.types.fine_tuning import FineTuningJob as Job

        self.Job = Job

    def decode(self, text: str) -> Any:
        return self.Job.model_validate_json(text)

    def encode(self, obj: Any) -> str:
        return obj.model_dump_json(exclude_unset=True)  # type: ignore[no-any-return]


class OpenAPIPythonClient(Peer):
    name = "openapi-python-client"

    def __init__(self, workdir: Path) -> None:
        exe = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
        out = workdir / "opc"
        subprocess.run([exe, "generate", "--path", str(SCHEMA), "--output-path", str(out)],
                       check=True, capture_output=True, text=True)
        pkg = next(p for p in out.iterdir() if (p / "__init__.py").exists())
        sys.path.insert(0, str(out))
        models = __import__(pkg.name + ".models", fromlist=["FineTuningJob"])
        self.Job = models.FineTuningJob

    def decode(self, text: str) -> Any:
        return self.Job.from_dict(json.loads(text))

    def encode(self, obj: Any) -> str:
        return json.dumps(obj.to_dict())


def load_peers(workdir: Path) -> tuple[list[Peer], list[str]]:
    peers: list[Peer] = []
    missing: list[str] = []
    for make in (OpenAISDK, lambda: OpenAPIPythonClient(workdir)):
        try:
            peers.append(make())  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - report and go on
            missing.append(f"{getattr(make, 'name', 'openapi-python-client')}: {type(exc).__name__}: {str(exc)[:120]}")
    return peers, missing


# ----- codec ---------------------------------------------------------------------------


def codec(budget: float, peers: list[Peer]) -> list[dict[str, Any]]:
    rows = []
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        job = FineTuningJob.from_json(text)
        t = best({"loads": lambda: json.loads(text), "strict": lambda: FineTuningJob.from_json(text),
                  "lenient": lambda: FineTuningJob.from_json(text, strict=False),
                  "dumps": lambda: json.dumps(data), "to_json": job.to_json}, budget)
        row: dict[str, Any] = {
            "payload": path.stem,
            "bytes": len(text.encode()),
            "json.loads us": t["loads"] * 1e6,
            "strict": t["strict"] / t["loads"],
            "lenient": t["lenient"] / t["loads"],
            "to_json": t["to_json"] / t["dumps"],
        }
        for peer in peers:
            try:
                obj = peer.decode(text)
                p = best({"loads": lambda: json.loads(text), "decode": lambda: peer.decode(text),
                          "dumps": lambda: json.dumps(data), "encode": lambda: peer.encode(obj)}, budget)
                row[peer.name + " decode"] = p["decode"] / p["loads"]
                row[peer.name + " encode"] = p["encode"] / p["dumps"]
            except Exception as exc:  # noqa: BLE001
                row[peer.name + " decode"] = f"failed: {type(exc).__name__}"
                row[peer.name + " encode"] = "-"
        rows.append(row)
    return rows


def memory() -> list[dict[str, Any]]:
    rows = []
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        n = 200

        def held(make: Callable[[], Any]) -> float:
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            keep = [make() for _ in range(n)]
            after = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            del keep
            return (after - before) / n

        as_dict = held(lambda: json.loads(text))
        as_job = held(lambda: FineTuningJob.from_json(text))
        rows.append({"payload": path.stem, "dict bytes": as_dict, "job bytes": as_job, "ratio": as_job / as_dict})
    return rows


# ----- generation ----------------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str] | None = None, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generation(workdir: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["OAS_DATACLASSES_CACHE_DIR"] = str(workdir / "cache")
    gen = [sys.executable, "-m", "generator", "generate", "--out", str(workdir / "gen")]
    subprocess.run(gen, check=True, capture_output=True, env=env, cwd=ROOT)  # fill the cache
    out: dict[str, Any] = {
        "generate, warm cache": timed(gen, env),
        "generate, --no-cache": timed(gen + ["--no-cache"], env, runs=1),
    }
    dmcg = shutil.which("datamodel-codegen") or str(Path(sys.executable).parent / "datamodel-codegen")
    if Path(dmcg).exists():
        out["datamodel-codegen"] = timed([dmcg, "--input", str(SCHEMA), "--input-file-type", "openapi",
                                          "--output", str(workdir / "dm.py")])
    return out


# ----- the whole OpenAI snapshot -------------------------------------------------------

from tests.snapshot import SNAPSHOT  # noqa: E402


def _run_measured(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[str, str, str]:
    """(seconds, peak memory, CPU seconds of the run and its worker processes) of one
    run, or ("failed"/"timeout", "", ""). CPU seconds over wall seconds is how many
    cores the run kept busy: on a machine other work shares, the wall time of a run with
    workers says little without it."""
    time_cmd = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(time_cmd + cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timeout (> {timeout:.0f} s)", "", ""
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines()[: -1 if time_cmd else None]
                 if not line.startswith("Command exited with")]  # less /usr/bin/time's own lines
        return "failed: " + (lines or ["?"])[-1][:100], "", ""
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = done.stderr.strip().splitlines()[-1] if time_cmd else ""
    return f"{seconds:.2f}", f"{int(peak) / 1024:.0f} MB" if peak.isdigit() else "", f"{cpu:.2f}"


# A field's description (FineTuningJob.id), and where a schema and a path go: the edits
# that "regenerate after an upstream change" measures.
EDITED_DESCRIPTION = "          description: The object identifier, which can be referenced in the API endpoints.\n"
EDITED_AFTER = "\n    FineTuningJob:\n"


def edit_description(text: str, n: int) -> str:
    """The spec with one field's description changed (a different change for each n)."""
    at = text.index(EDITED_DESCRIPTION, text.index(EDITED_AFTER))
    changed = EDITED_DESCRIPTION.replace("endpoints.", f"endpoints (revision {n}).")
    return text[:at] + changed + text[at + len(EDITED_DESCRIPTION):]


def add_schema_and_operation(text: str, n: int) -> str:
    """The spec with a new schema and a new operation that returns it."""
    schema = (f"    BenchAdded{n}:\n      type: object\n      description: Added by the benchmark.\n"
              "      required: [id]\n      properties:\n        id:\n          type: string\n"
              "          description: The identifier.\n        size:\n          type: integer\n")
    path = (f"  /bench_added_{n}/{{thing_id}}:\n    get:\n      operationId: getBenchAdded{n}\n"
            "      summary: Get a thing the benchmark added.\n      parameters:\n        - name: thing_id\n"
            "          in: path\n          required: true\n          schema:\n            type: string\n"
            "      responses:\n        '200':\n          description: OK\n          content:\n"
            "            application/json:\n              schema:\n"
            f"                $ref: '#/components/schemas/BenchAdded{n}'\n")
    at = text.index("\npaths:\n") + len("\npaths:\n")
    text = text[:at] + path + text[at:]
    at = text.index("\ncomponents:\n  schemas:\n") + len("\ncomponents:\n  schemas:\n")
    return text[:at] + schema + text[at:]


BLACK = "oas-dataclasses --formatter black"
RUFF = "oas-dataclasses --formatter ruff"
CHANGED = "one description changed"
ADDED = "schema and operation added"
COLD_ONE_JOB = "cold, --jobs 1"


def snapshot(workdir: Path, timeout: float, repeats: int = 3) -> list[dict[str, Any]]:
    """The whole snapshot as one package (models and client): with each formatter cold
    (empty cache) and warm (nothing changed); with black also after an upstream change
    (one description; a schema and an operation: the median of ``repeats`` different
    changes of each kind, each from the cache the cold run left) and cold with one
    process; then the peers on the same file. Each run is time-boxed."""
    rows: list[dict[str, Any]] = []
    text = SNAPSHOT.read_text(encoding="utf-8")

    def measure(tool: str, run: str, formatter: str, spec: Path, *extra: str, cache: str = "") -> bool:
        env = dict(os.environ, OAS_DATACLASSES_CACHE_DIR=str(workdir / (cache or f"cache-{formatter}")))
        cmd = [sys.executable, "-m", "generator", "generate", "--schema", str(spec), "--out",
               str(workdir / f"snap-{formatter}"), "--package", "openai_snapshot", "--formatter", formatter, *extra]
        seconds, peak, cpu = _run_measured(cmd, env, timeout)
        rows.append({"tool": tool, "run": run, "seconds": seconds, "CPU seconds": cpu, "peak memory": peak})
        return _number(seconds) is not None

    def after_a_change(run: str, edit: Callable[[str, int], str]) -> None:
        measured: list[tuple[float, str]] = []
        for n in range(repeats):
            spec = workdir / f"{edit.__name__}-{n}.yaml"
            spec.write_text(edit(text, n), encoding="utf-8")
            if not measure(BLACK, run, "black", spec):
                return  # the failed run's row stays
            row = rows.pop()
            measured.append((float(row["seconds"]), row["CPU seconds"], row["peak memory"]))
        seconds, cpu, peak = sorted(measured)[len(measured) // 2]
        rows.append({"tool": BLACK, "run": run, "seconds": f"{seconds:.2f}", "CPU seconds": cpu, "peak memory": peak})

    if measure(RUFF, "cold", "ruff", SNAPSHOT):
        measure(RUFF, "warm", "ruff", SNAPSHOT)  # a warm run after a failed cold one measures nothing
    if measure(BLACK, "cold", "black", SNAPSHOT):
        # right after, so that what else the machine runs weighs on both alike
        measure(BLACK, COLD_ONE_JOB, "black", SNAPSHOT, "--jobs", "1", cache="cache-black-one-job")
        if measure(BLACK, "warm", "black", SNAPSHOT):
            after_a_change(CHANGED, edit_description)
            after_a_change(ADDED, add_schema_and_operation)
    peers = {
        "openapi-python-client": ["generate", "--path", str(SNAPSHOT), "--output-path", str(workdir / "opc"),
                                  "--overwrite"],
        "datamodel-codegen (models only)": ["--input", str(SNAPSHOT), "--input-file-type", "openapi",
                                            "--output", str(workdir / "dm.py")],
    }
    for name, args in peers.items():
        exe_name = name.split()[0]
        exe = shutil.which(exe_name) or str(Path(sys.executable).parent / exe_name)
        if not Path(exe).exists():
            rows.append({"tool": name, "run": "cold", "seconds": "not installed"})
            continue
        seconds, peak, cpu = _run_measured([exe, *args], dict(os.environ), timeout)
        rows.append({"tool": name, "run": "cold", "seconds": seconds, "CPU seconds": cpu, "peak memory": peak})
    return rows


def edited_snapshot(workdir: Path) -> Path:
    """The snapshot with one response enum widened (ReasoningEffort gains `max`), for
    timing `changes` on a whole spec."""
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("    ReasoningEffort:\n")
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == "enum:")
    indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())]
    lines.insert(at + 1, f"{indent}- max\n")
    path = workdir / "snapshot-edited.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def changes_rows(workdir: Path, timeout: float) -> list[dict[str, Any]]:
    """`changes SNAPSHOT EDITED` (both whole specs, one enum apart), cold (the YAML parse
    cache empty) and warm."""
    env = dict(os.environ, OAS_DATACLASSES_CACHE_DIR=str(workdir / "cache-changes"))
    cmd = [sys.executable, "-m", "generator", "changes", str(SNAPSHOT), str(edited_snapshot(workdir)),
           "--no-accept", "--fail-on", "breaking"]
    rows = []
    for state in ("cold", "warm"):
        seconds, peak, _ = _run_measured(cmd, env, timeout)
        rows.append({"tool": "oas-dataclasses changes (snapshot vs one enum edit)", "run": state,
                     "seconds": seconds, "peak memory": peak})
    return rows


def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def snapshot_goals(rows: list[dict[str, Any]]) -> list[str]:
    """The issues' goals for the whole snapshot, checked against one run's rows. A run
    that failed or timed out does not meet its goal; a tool that is not installed, or a
    run that did not happen, leaves its comparison out."""
    def find(tool: str, run: str, key: str = "seconds") -> float | str | None:
        for row in rows:
            if row["tool"] == tool and row.get("run") == run:
                text = str(row.get(key, ""))
                number = _number(text.removesuffix(" MB"))
                return text if number is None else number
        return None

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines: list[str] = []

    def ratio(label: str, top: float | str | None, bottom: float | str | None, goal: float) -> None:
        if top is None or bottom is None:
            return
        if isinstance(top, str) or isinstance(bottom, str) or bottom <= 0:
            failed = top if isinstance(top, str) else bottom
            lines.append(f"{label}: {failed} (goal <= {goal}x: NOT met)")
            return
        lines.append(f"{label}: {top / bottom:.3f}x (goal <= {goal}x: {verdict(top / bottom <= goal)})")

    ruff_cold, opc = find(RUFF, "cold"), find("openapi-python-client", "cold")
    if isinstance(ruff_cold, str):
        lines.append(f"ruff cold: {ruff_cold} (goals NOT met)")
    elif ruff_cold is not None and isinstance(opc, float) and opc > 0:
        r = ruff_cold / opc
        lines.append(f"ruff cold / openapi-python-client: {r:.2f} (goal <= 0.5: {verdict(r <= 0.5)})")
    peak = find(RUFF, "cold", "peak memory")
    if isinstance(peak, float):
        lines.append(f"ruff cold peak memory: {peak:.0f} MB (goal <= 500 MB: {verdict(peak <= 500)})")
    for formatter, tool in (("ruff", RUFF), ("black", BLACK)):
        warm = find(tool, "warm")
        if isinstance(warm, float):
            lines.append(f"{formatter} with nothing changed: {warm:.2f} s (goal <= 1.5 s: {verdict(warm <= 1.5)})")
        elif isinstance(warm, str):
            lines.append(f"{formatter} with nothing changed: {warm} (goal <= 1.5 s: NOT met)")
    black_cold = find(BLACK, "cold")
    ratio("black, one description changed / black cold", find(BLACK, CHANGED), black_cold, 0.03)
    ratio("black, a schema and an operation added / black cold", find(BLACK, ADDED), black_cold, 0.05)
    ratio("black cold, every core / black cold, --jobs 1", black_cold, find(BLACK, COLD_ONE_JOB), 0.6)
    if not isinstance(ruff_cold, str):
        ratio("ruff, nothing changed / ruff cold", find(RUFF, "warm"), ruff_cold, 0.5)
        ratio("black, nothing changed / ruff cold", find(BLACK, "warm"), ruff_cold, 0.5)
    return lines


def cores_busy(rows: list[dict[str, Any]]) -> str:
    """How many cores black's cold runs kept busy (CPU seconds over wall seconds): the
    figure that says whether the machine had a core free for the second worker."""
    busy = []
    for run in ("cold", COLD_ONE_JOB):
        row = next((r for r in rows if r["tool"] == BLACK and r.get("run") == run), {})
        wall, cpu = _number(row.get("seconds")), _number(row.get("CPU seconds"))
        if wall and cpu is not None:
            busy.append(f"{cpu / wall:.2f} cores busy ({run})")
    return f"black kept {', '.join(busy)}, of {os.cpu_count()} on this machine" if busy else ""


# ----- client over loopback ------------------------------------------------------------

_SERVER = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.loopback import Loopback, Reply
server = Loopback()
reply = Reply()  # a canned job for every call, and no growing log of requests
server._next = lambda seen: reply
print(server.url, flush=True)
sys.stdin.read()
"""


def calls(make_call: Callable[[], Any], n: int, threads: int) -> tuple[float, float]:
    """(seconds per call, calls per second) for n calls spread over threads."""
    import threading

    per = n // threads
    make_call()  # warm: connection made, code paths loaded

    def work() -> None:
        for _ in range(per):
            make_call()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    return wall / (per * threads) * threads, per * threads / wall


def client_bench(n: int) -> list[dict[str, Any]]:
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(ROOT)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        from fine_tuning_client import Client

        rows = []
        ours = Client(api_key="sk-bench", base_url=url, max_retries=0)
        clients: list[tuple[str, Callable[[], Any]]] = [
            ("fine_tuning_client", lambda: ours.resume_fine_tuning_job("ftjob-1"))
        ]
        try:
            import openai

            sdk = openai.OpenAI(api_key="sk-bench", base_url=url, max_retries=0)
            clients.append(("openai SDK", lambda: sdk.fine_tuning.jobs.resume("ftjob-1")))
        except ImportError:
            print("peer not available: openai SDK (client benchmark)")
        for name, call in clients:
            row: dict[str, Any] = {"client": name}
            for threads in (1, 8):
                per_call, rate = calls(call, n, threads)
                row[f"{threads} thread(s) ms/call"] = per_call * 1e3
                row[f"{threads} thread(s) calls/s"] = rate
            rows.append(row)
        ours.close()
        return rows
    finally:
        server.kill()
        server.wait()


def client_goal(rows: list[dict[str, Any]]) -> str:
    """Our time per call over the SDK's, measured in the same run (goal: at most 0.5)."""
    by = {r["client"]: r for r in rows}
    if "openai SDK" not in by:
        return "client / openai SDK: peer not available"
    out = []
    for threads in (1, 8):
        key = f"{threads} thread(s) ms/call"
        ratio = by["fine_tuning_client"][key] / by["openai SDK"][key]
        out.append(f"client / openai SDK, {threads} thread(s): {ratio:.2f} x the time per call "
                   f"(goal <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
    return "\n".join(out)


def fmt(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def table(rows: list[dict[str, Any]]) -> str:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=0.3, help="seconds per measurement")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--calls", type=int, default=400, help="HTTP calls per client and thread count")
    parser.add_argument("--snapshot-only", action="store_true", help="only the whole-snapshot section")
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus section")
    parser.add_argument("--timeout", type=float, default=600, help="seconds each snapshot run may take")
    args = parser.parse_args()
    verdicts: list[str] = []  # every goal line printed, met or not
    if args.snapshot_only or args.corpus_only:
        with tempfile.TemporaryDirectory() as tmp:
            print(_snapshot_section(Path(tmp), args.timeout, verdicts) if args.snapshot_only
                  else _corpus_section(Path(tmp), args.timeout, verdicts))
        return exit_code(verdicts)
    print(f"# bench {time.strftime('%Y-%m-%d')}  python {platform.python_version()}  {platform.machine()}")
    print("Ratios: time of the codec / time of json itself on the same payload (lower is better).\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        peers, missing = ([], []) if args.no_peers else load_peers(work)
        for m in missing:
            print(f"peer not available: {m}")
        rows = codec(args.budget, peers)
        print("## Decode (from_json / json.loads) and encode (to_json / json.dumps)\n")
        print(table(rows))
        print()
        for row in rows:
            goal = GOAL_PAYLOADS.get(row["payload"])
            if goal:
                ok = row["strict"] <= goal and row["lenient"] <= goal and row["to_json"] <= 1.5
                verdicts.append(f"goal {row['payload']}: decode <= {goal} x, encode <= 1.5 x: "
                                f"{'met' if ok else 'NOT met'}")
                print(verdicts[-1])
        print("\n## Memory held per decoded job (tracemalloc)\n")
        print(table(memory()))
        print("\n## Client: resume_fine_tuning_job against one loopback server (its own process)\n")
        client_rows = client_bench(args.calls)
        print(table(client_rows))
        print(client_goal(client_rows))
        print("\n## Generation (cold process, median seconds)\n")
        gen = generation(work)
        print(table([gen]))
        if "datamodel-codegen" in gen:
            ratio = gen["generate, warm cache"] / gen["datamodel-codegen"]
            verdicts.append(f"generate / datamodel-codegen: {ratio:.2f} (goal <= 0.5: "
                            f"{'met' if ratio <= 0.5 else 'NOT met'})")
            print("\n" + verdicts[-1])
        print(_corpus_section(work, args.timeout, verdicts))
        print(_snapshot_section(work, args.timeout, verdicts))
    return exit_code(verdicts)


def exit_code(verdicts: list[str]) -> int:
    """``make bench`` fails when a goal is missed: 1 if any goal line says NOT met (and
    prints which), else 0."""
    missed = [v for v in verdicts if "NOT met" in v]
    print(f"\n{len(verdicts) - len(missed)} of {len(verdicts)} goals met" + "".join("\nmissed: " + v for v in missed))
    return 1 if missed else 0


# ----- the corpus of real specs ----------------------------------------------------------

from tests.snapshot import CORPUS  # noqa: E402

# (name, entry point, ref map) of each corpus spec, as tests/test_corpus.py reads them
CORPUS_SPECS = [
    ("ga4gh-drs", CORPUS / "ga4gh-drs" / "openapi" / "data_repository_service.openapi.yaml",
     "https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/="
     + str(CORPUS / "ga4gh-drs" / "remote" / "ga4gh-service-info-v1.0.0")),
    ("sendgrid-mail", CORPUS / "sendgrid-mail" / "tsg_mail_v3.yaml", ""),
    ("spotify", CORPUS / "spotify" / "fixed-spotify-open-api.yml", ""),
    ("xero-accounting", CORPUS / "xero-accounting" / "xero_accounting.yaml", ""),
    ("xero-identity", CORPUS / "xero-identity" / "xero-identity.yaml", ""),
    ("oai-uspto", CORPUS / "oai-uspto" / "uspto.yaml", ""),
]


def corpus(workdir: Path, timeout: float) -> list[dict[str, Any]]:
    """Each corpus spec generated cold (an empty cache, ruff) against openapi-python-client
    and datamodel-codegen on the same file, in the same run."""
    rows = []
    opc = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
    dmcg = shutil.which("datamodel-codegen") or str(Path(sys.executable).parent / "datamodel-codegen")
    for name, path, ref_map in CORPUS_SPECS:
        env = dict(os.environ, OAS_DATACLASSES_CACHE_DIR=str(workdir / f"cache-corpus-{name}"))
        cmd = [sys.executable, "-m", "generator", "generate", "--schema", str(path), "--out",
               str(workdir / f"corpus-{name}"), "--package", "pkg", "--formatter", "ruff"]
        if ref_map:
            cmd += ["--ref-map", ref_map]
        ours, _, _ = _run_measured(cmd, env, timeout)
        row: dict[str, Any] = {"spec": name, "oas-dataclasses (ruff, cold)": ours}
        if Path(opc).exists():
            row["openapi-python-client"], _, _ = _run_measured(
                [opc, "generate", "--path", str(path), "--output-path", str(workdir / f"opc-{name}"), "--overwrite"],
                dict(os.environ), timeout)
        if Path(dmcg).exists():
            row["datamodel-codegen (models)"], _, _ = _run_measured(
                [dmcg, "--input", str(path), "--input-file-type", "openapi", "--output",
                 str(workdir / f"dm-{name}.py")], dict(os.environ), timeout)
        a, b = _number(row["oas-dataclasses (ruff, cold)"]), _number(row.get("openapi-python-client"))
        row["ratio to opc"] = "-" if a is None or b is None or b <= 0 else f"{a / b:.2f}"
        rows.append(row)
    return rows


def corpus_goals(rows: list[dict[str, Any]]) -> list[str]:
    """At most 0.5x openapi-python-client's time wherever it succeeds; ours must succeed."""
    lines = []
    for row in rows:
        ours = _number(row["oas-dataclasses (ruff, cold)"])
        theirs = _number(row.get("openapi-python-client"))
        if ours is None:
            lines.append(f"{row['spec']}: oas-dataclasses {row['oas-dataclasses (ruff, cold)']} (goal NOT met)")
        elif theirs is not None and theirs > 0:
            ok = ours / theirs <= 0.5
            lines.append(f"{row['spec']}: {ours / theirs:.2f} x openapi-python-client "
                         f"(goal <= 0.5: {'met' if ok else 'NOT met'})")
        else:
            lines.append(f"{row['spec']}: openapi-python-client {row.get('openapi-python-client', 'not installed')}"
                         " (no comparison)")
    return lines


def _corpus_section(work: Path, timeout: float, verdicts: list[str]) -> str:
    rows = corpus(work, timeout)
    goals = corpus_goals(rows)
    verdicts.extend(g for g in goals if "goal" in g)
    return ("\n## The corpus of real specs: generation, cold (seconds, one run each)\n\n" + table(rows)
            + "\n\n" + "\n".join(goals))


def _snapshot_section(work: Path, timeout: float, verdicts: list[str]) -> str:
    head = ("\n## The whole OpenAI snapshot: one package, models and client "
            "(cold process; /usr/bin/time peak RSS)\n\n")
    if not SNAPSHOT.is_file():
        verdicts.append(f"the whole snapshot: not available ({SNAPSHOT}): goals NOT met")
        return head + verdicts[-1]
    rows = snapshot(work, timeout)
    goals = snapshot_goals(rows)
    verdicts.extend(goals)
    return (head + table(rows) + "\n\n" + "\n".join(goals) + "\n" + cores_busy(rows)
            + "\n\n## `changes` on the whole snapshot\n\n" + table(changes_rows(work, timeout)))


if __name__ == "__main__":
    sys.exit(main())
