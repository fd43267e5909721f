"""Prompt templates: find them, render them, and say which version produced a prompt.

A prompt is a pair of Jinja templates in `prompts/`: `<name>.system.j2` (optional) and
`<name>.user.j2`. Each declares its version in a first-line comment `{# version: N #}`.
The cache key holds each prompt's name, version and a digest of its templates' text
(`keys`), so editing a template never serves a result made with the old text.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from summarizer.article import Article
from summarizer.errors import PromptError
from summarizer.language import name_of
from summarizer.resources import data_dir
from summarizer.segment import Sentence

DEFAULT_PROMPT = "news"
OVERVIEW_PROMPT = "news-overview"  # a long article's title, TL;DR and summary (`chunking`)
CHOOSE_PROMPT = "news-choose"  # prose, and the lists' items by number (`choose`)
_VERSION = re.compile(r"\{#\s*version:\s*([\w.-]+)\s*#\}")

Message = dict[str, str]


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: jinja2.Template | None
    user: jinja2.Template
    digest: str

    def render(
        self,
        article: Article,
        language: str | None = None,
        sentences: Sequence[Sentence] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> list[Message]:
        """The chat messages for `article`: metadata and numbered sentences (all, or those
        of one chunk, under their own numbers), each `fence`d, asking for a summary in
        `language` (an ISO 639-1 code; default: the article's). `extra`: more values for
        the template (fenced already)."""
        return self.messages(
            {
                "metadata": {k: fence(str(v)) for k, v in article.metadata().items()},
                "sentences": [
                    replace(s, text=fence(s.text))
                    for s in (article.sentences if sentences is None else sentences)
                ],
                "language": name_of(language or article.lang),
                **(extra or {}),
            }
        )

    def messages(self, values: dict[str, Any]) -> list[Message]:
        """The chat messages of this template with `values` (text in them already fenced)."""
        messages = []
        if self.system is not None:
            messages.append({"role": "system", "content": self.system.render(values).strip()})
        messages.append({"role": "user", "content": self.user.render(values).strip()})
        return messages


# What in an article could pass for the prompt's own structure: a sentence label, a chat
# template's special token, the article fence.
_MARKUP = re.compile(r"\[S(\d+)\]|<\|[^|<>]{0,40}\|>|</?article>", re.IGNORECASE)


def fence(text: str) -> str:
    """Article text made safe to place inside the prompt: on one line (so no line of it
    can start like a numbered sentence "[S9] ..."), with sentence labels, special tokens
    ("<|im_start|>") and the article fence written so they no longer read as markup."""

    def defuse(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return f"(S{m.group(1)})"
        return m.group(0).replace("<", "\u2039").replace(">", "\u203a")

    return _MARKUP.sub(defuse, " ".join(text.split()))


def prompt_dir() -> Path:
    return data_dir("prompts")


@functools.cache
def _env(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # plain-text prompts, never HTML
    )


def available() -> list[str]:
    """Names of the prompts that ship with the package for an article (not the overview
    and choice prompts, which the chunked path and the small-model mode use on their own)."""
    names = (p.name.removesuffix(".user.j2") for p in prompt_dir().glob("*.user.j2"))
    return sorted(n for n in names if n not in (OVERVIEW_PROMPT, CHOOSE_PROMPT))


_NAME = re.compile(r"[A-Za-z0-9][\w-]*")  # a template's name: never a path


def load(name: str = DEFAULT_PROMPT) -> Prompt:
    """The prompt named `name`, one of the templates in the prompt folder (`available`,
    or the overview prompt); a name is never a path."""
    if not _NAME.fullmatch(name):
        raise PromptError(f"no prompt named {name!r}; available: {', '.join(available())}")
    return _load(name)


@functools.cache
def _load(name: str) -> Prompt:
    directory = prompt_dir()
    user_path = directory / f"{name}.user.j2"
    if not user_path.is_file():
        raise PromptError(f"no prompt named {name!r}; available: {', '.join(available())}")
    system_path = directory / f"{name}.system.j2"
    sources = [user_path.read_text(encoding="utf-8")]
    if system_path.is_file():
        sources.append(system_path.read_text(encoding="utf-8"))
    match = _VERSION.search(sources[0])
    if match is None:
        raise PromptError(f"{user_path} has no '{{# version: N #}}' comment")
    env = _env(directory)
    return Prompt(
        name=name,
        version=match.group(1),
        system=env.get_template(system_path.name) if system_path.is_file() else None,
        user=env.get_template(user_path.name),
        digest=hashlib.sha256("\0".join(sources).encode()).hexdigest()[:16],
    )
