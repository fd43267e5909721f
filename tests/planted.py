"""Plant the bugs an audit found no test catching (#22), one at a time, in a copy of the
package, and run the tests that should catch each. Every one must be caught.

    python -m tests.planted            # all of them; exit 1 if one survives

Each bug is a (file, exact text, replacement) edit, so a refactoring that moves the
text makes the plant fail loudly ("not found") rather than pass silently. `make mutate`
runs mutmut over the cache key and the memo; this covers the rules mutmut's scope leaves
out (the checks, the policy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLANTS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "base_url dropped from the cache key",
        "summarizer/backends.py",
        '            "base_url": safe_url(self.base_url),\n',
        "",
        ["tests/test_cache_key.py"],
    ),
    (
        "policy dropped from the cache key",
        "summarizer/pipeline.py",
        '            "policy": self.policy,\n',
        "",
        ["tests/test_cache_key.py"],
    ),
    (
        "language dropped from the cache key",
        "summarizer/pipeline.py",
        '            "language": self.settings.language,\n',
        "",
        ["tests/test_cache_key.py"],
    ),
    (
        "decoder version dropped from the cache key",
        "summarizer/backends.py",
        '            out["decoder"] = DECODER_VERSION\n',
        "            pass\n",
        ["tests/test_cache_key.py"],
    ),
    (
        "model dropped from the cache key",
        "summarizer/backends.py",
        '            "model": self.model,\n',
        "",
        ["tests/test_cache_key.py"],
    ),
    (
        '"about" loosened from 15% to 60%',
        "summarizer/text/numbers.py",
        "if number.approximate and relative <= 0.15:",
        "if number.approximate and relative <= 0.6:",
        ["tests/test_faithfulness.py", "tests/test_text_properties.py"],
    ),
    (
        'an added "not" let through',
        "summarizer/text/attribution.py",
        '        found.append(("negation", "negates what its evidence states"))\n',
        "        pass\n",
        ["tests/test_faithfulness.py"],
    ),
    (
        "the echo check switched off",
        "summarizer/checks/rules.py",
        "    if m and not any(_ECHO.search(s) for s in evidence):",
        "    if False:",
        ["tests/test_faithfulness.py"],
    ),
    (
        "the drop policy keeps an invalid item",
        "summarizer/salvage.py",
        "fixed = _dropped(field, items.pop(index), reasons[index])",
        "fixed = _dropped(field, items[index], reasons[index])",
        ["tests/test_units.py", "tests/test_http_faults.py"],
    ),
]


def plant(name: str, path: str, old: str, new: str, tests: list[str]) -> bool:
    """True when the tests catch the planted bug."""
    with tempfile.TemporaryDirectory() as tmp:
        # The whole project (pytest puts the tests' root first on the path): package,
        # tests, data; not the virtualenv, git or mutmut's copies.
        skip = shutil.ignore_patterns("__pycache__", ".venv", ".git", "mutants", ".*cache")
        shutil.copytree(ROOT, tmp, ignore=skip, dirs_exist_ok=True)
        target = Path(tmp) / path
        text = target.read_text()
        if old not in text:
            raise SystemExit(f"{name}: the text to change is not in {path}: update this file")
        target.write_text(text.replace(old, new, 1))
        env = {**os.environ, "PYTHONPATH": tmp}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
            cwd=tmp, env=env, capture_output=True, text=True,
        )  # fmt: skip
        return run.returncode != 0


def main() -> int:
    # The control: the copy as it is passes every suite used below, so a failure is the
    # plant's doing.
    every_suite = sorted({t for *_, tests in PLANTS for t in tests})
    if plant("no bug (the control)", "summarizer/__init__.py", '"""', '"""', every_suite):
        print("the unchanged copy fails its tests: fix that first")
        return 2
    survived = []
    for name, path, old, new, tests in PLANTS:
        caught = plant(name, path, old, new, tests)
        print(f"{'caught  ' if caught else 'SURVIVED'} {name}", flush=True)
        if not caught:
            survived.append(name)
    print(f"{len(PLANTS) - len(survived)} of {len(PLANTS)} planted bugs caught")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
