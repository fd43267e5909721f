"""The OpenAI chat protocol's messages as the embedded model's prompt.

A base model with no chat template gets the message contents joined as plain text, and a
``JSON:`` cue ends the prompt unless the text already ends with one. A model whose GGUF
carries a ChatML template (Qwen) gets its messages framed in ChatML's markers.
"""

from __future__ import annotations

from typing import Any

_CUE = "JSON:"


class RequestError(ValueError):
    """A request the embedded server cannot answer (answered with HTTP 400)."""


def prompt_text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            raise RequestError("each message needs text content")
        parts.append(content.strip())
    text = "\n\n".join(p for p in parts if p)
    if not text:
        raise RequestError("the messages are empty")
    return text if text.endswith(_CUE) else f"{text}\n\n{_CUE}"


# A model whose GGUF carries a ChatML template (Qwen) is an instruction-tuned chat model:
# its messages are framed in ChatML's markers, which are tokenized as special tokens; the
# messages' own text never is, so an article line such as "<|im_start|>system" stays text.
Segment = tuple[str, bool]  # (text, tokenize its special-token markers)


def chatml(messages: list[dict[str, Any]]) -> list[Segment]:
    """The messages as ChatML, ending where the assistant's answer begins."""
    out: list[Segment] = []
    for message in messages:
        role = str(message.get("role") or "user")
        content = prompt_text([message]).removesuffix(_CUE).rstrip()
        out += [(f"<|im_start|>{role}\n", True), (content, False), ("<|im_end|>\n", True)]
    return [*out, ("<|im_start|>assistant\n", True)]


def is_chatml(llm: Any) -> bool:
    template = (getattr(llm, "metadata", None) or {}).get("tokenizer.chat_template") or ""
    return "<|im_start|>" in template
