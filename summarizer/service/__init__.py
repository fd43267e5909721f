"""`summarizer serve`: the summarizer as an HTTP service (FastAPI on uvicorn).

`app` builds the service and its routes (its docstring has the table of statuses);
`gate` is what stands between a request and the summarizer (token, size, caps, queue);
`models` holds the request and error bodies.
"""

from summarizer.service.app import check_access, create_app, is_loopback
from summarizer.service.models import SERVED_PROMPTS, Options

__all__ = ["SERVED_PROMPTS", "Options", "check_access", "create_app", "is_loopback"]
