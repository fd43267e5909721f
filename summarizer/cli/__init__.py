"""The `summarizer` command line.

Heavy modules (openai, instructor, spaCy, llama.cpp, the settings) are imported inside the
commands that need them, and the flags for settings are made when a command is run or
its help asked (`cli.options`), so `summarizer --help` starts fast. The commands: `summarize`
(`cli.summarize`), `eval` (`cli.evaluate`), `check`, `schema`, `prompts`, `backends`,
`serve`, `view`, `cache` (`cli.tools`), and `batch` (`cli.batch_files`). Their flags for a
summarizer's options are derived from the one declaration of each (`cli.options`).

Exit codes: 0 all done; 1 some articles failed; 2 usage or configuration error;
130 interrupted (run the same command again to finish).
"""

from __future__ import annotations

import os
import sys
from typing import Any

# Importing the command modules registers their commands on `app`.
from summarizer.cli import batch_files, evaluate, summarize, tools
from summarizer.cli.common import app
from summarizer.cli.options import lazy_flags

lazy_flags(app)

__all__ = ["app", "batch_files", "evaluate", "main", "summarize", "tools"]


def main() -> Any:
    try:
        return app()
    except SystemExit as exc:
        _leave(exc.code)
        raise


def _leave(code: Any) -> None:
    """Before the interpreter tears down: a decode of the embedded model still running in
    its thread (a deadline passed while it loaded the model or read a prompt batch) is
    stopped; one that cannot be stopped in time is left behind with the process, which
    ends at once with its exit code (llama.cpp freed under a running decode crashes)."""
    transport = sys.modules.get("summarizer.local.transport")
    if transport is None or transport.stop_generations():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)
