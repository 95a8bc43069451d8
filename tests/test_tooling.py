"""The code base stays lint- and type-clean (ruff and mypy as configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or "ruff"
    proc = _run(ruff, "check", "src", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = _run(sys.executable, "-m", "mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_third_party_import_is_a_declared_dependency() -> None:
    """A fresh `pip install .` must bring every module src/ imports (optional extras count)."""
    import ast
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    declared = {re.split(r"[<>=\[ ]", r, maxsplit=1)[0].lower().replace("-", "_") for r in requirements}
    distribution = {"yaml": "pyyaml"}  # import name -> distribution name where they differ
    imported = set()
    for path in (ROOT / "src" / "chipwatch").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "chipwatch"}
    missing = {m for m in third_party if distribution.get(m, m).lower() not in declared}
    assert not missing, f"imported in src/ but not in pyproject.toml: {sorted(missing)}"


def test_docs_quote_the_current_rule_data_version() -> None:
    """Console examples print the rule data's version; a stale one means the example is stale."""
    import re
    from pathlib import Path

    from chipwatch.rules import load_rules

    root = Path(__file__).resolve().parents[1]
    quoted = {
        (path.name, v)
        for path in [root / "README.md", *(root / "docs").glob("*.md")]
        for v in re.findall(r"data (\d{4}-\d\d-\d\d\+[0-9a-f]{8})", path.read_text(encoding="utf-8"))
    }
    assert quoted and {v for _, v in quoted} == {load_rules().version}, quoted
