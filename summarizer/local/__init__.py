"""The embedded local model, served in-process over the OpenAI protocol."""

from summarizer.local.transport import EmbeddedTransport

__all__ = ["EmbeddedTransport"]
