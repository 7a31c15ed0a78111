"""Golden trees: `generated/` for `schema/`, and one per feature spec under tests/features.

`python -m tests.golden` (or `make golden`) rewrites the feature goldens; a change in a
golden file is reviewed like code.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "tests" / "features"
sys.path.insert(0, str(ROOT))

from generator.output import write_tree  # noqa: E402
from generator.pipeline import Options, build  # noqa: E402


def fragment(**changes: object) -> Options:
    """The Options `python -m generator generate` uses for `generated/` (the client
    options come from the repository's pyproject.toml, as the command line reads them)."""
    from generator.cli import read_config

    config = read_config(ROOT)
    options = config.get("client_options", {})
    base = Options(ROOT / "schema" / "fine_tuning.yaml", ROOT / "generated", "fine_tuning_client",
                   client_options=tuple((k, v["header"], v["env"]) for k, v in options.items()),
                   example_extensions=tuple(config.get("example_extensions", ())))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def features() -> list[Path]:
    return sorted(p for p in FEATURES.iterdir() if (p / "spec.yaml").is_file())


def package_name(feature: Path) -> str:
    return feature.name + "_client"


def options(feature: Path) -> Options:
    return Options(schema=feature / "spec.yaml", out=feature / "golden", package=package_name(feature))


def build_feature(feature: Path) -> dict[str, bytes]:
    return build(options(feature))


def main() -> int:
    for feature in features():
        opts = options(feature)
        write_tree(opts.out, opts.package, build(opts))
        print(f"wrote {opts.out / opts.package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
