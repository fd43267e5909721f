"""The embedded local model, served in-process over the OpenAI protocol."""

from summarizer.local.transport import AsyncEmbeddedTransport, EmbeddedTransport

__all__ = ["AsyncEmbeddedTransport", "EmbeddedTransport"]
