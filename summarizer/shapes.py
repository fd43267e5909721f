"""What model-written text must look like: JSON Schema patterns, and counting its
sentences and words.

The patterns of the free-text fields are there for constrained decoders (a grammar built
from the schema makes a small model stop at 15 words, or write a second sentence), and the
schema validates them too (`schema._Model._shapes`), so every valid summary is valid
against schemas/; the field validators give the friendlier messages first. They leave out
straight double quotes, backslashes (grammar converters apply a pattern to the JSON text,
where those would need escapes) and line breaks. Runs are unbounded (`*`, not `{0,n}`): a
bounded run multiplies a grammar's parse stacks, and every full grammar pass over the
vocabulary pays for each one.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Literal

from pydantic import BaseModel
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaMode, model_json_schema

from summarizer.segment import PROSE_END

# Where a sentence of model-written prose ends: `segment.PROSE_END`.
_END = PROSE_END
_SENTENCE_END = re.compile(_END + " +")

_C = r'[^"\\\n ]'  # a character of a word
_WORD = f"{_C}+"
_MID_WORD = (  # a word that does not end a sentence: no final . ! ? (after a quote either)
    f"({_C}*[^\"\\\\\\n .!?'\u2019\u201d)]"
    f"|{_C}*{_C.replace('^', '^.!?')}['\u2019\u201d)]"
    f"|{_C}*[A-Z][.!?])"
)
# The last word of a value may also end in an initialism ("... the U.S.", "... GDP."):
# without this, a sentence that ends so could never be closed.
_LAST_WORD = f"{_C}*({_END}|[A-Z][.!?]['\u2019\u201d)]?)"


def sentence_pattern(n: int) -> str:
    """A sentence of at most `n` words, ending as `_SENTENCE_END` says."""
    return f"({_MID_WORD} ){{0,{n - 1}}}{_LAST_WORD}"


_FORM = "no straight double quotes (use ' or curly quotes), backslashes or line breaks"
# What each pattern asks for, in words: the message when a value does not match.
HINTS: dict[str, str] = {}


def shaped(pattern: str, hint: str) -> JsonDict:
    HINTS[pattern] = f"{hint}; {_FORM}"
    return {"pattern": pattern}


ONE_SENTENCE = shaped(f"^{sentence_pattern(45)}$", "write one sentence ending in . ! or ?")
TWO_TO_FOUR_SENTENCES = shaped(
    f"^{sentence_pattern(45)}( {sentence_pattern(45)}){{1,3}}$",
    "write 2 to 4 sentences ending in . ! or ?",
)


def words_pattern(most: int) -> str:
    return f"^{_WORD}( {_WORD}){{0,{most - 1}}}$"


def count_sentences(text: str) -> int:
    """Sentences in model-written prose, by the rule above."""
    return len(_SENTENCE_END.findall(text.strip())) + 1


# An initialism before a capital may end a sentence ("... in the US. It's ...") or not
# ("the U.S. President"); the patterns accept both readings, and so must the counts.
_MAYBE_END = re.compile(f"(?:{_END} +|[A-Z][.!?]['\u2019\u201d)]? +(?=[A-Z\u2018\u201c']))")


def most_sentences(text: str) -> int:
    """The most sentences model-written prose may hold: each initialism before a capital
    read as a sentence's end."""
    return len(_MAYBE_END.findall(text.strip())) + 1


def count_words(text: str) -> int:
    return len(text.split())


@functools.lru_cache(maxsize=16)
def schema_text(
    cls: type[BaseModel],
    by_alias: bool | None,
    ref_template: str,
    mode: JsonSchemaMode,
    union_format: Literal["any_of", "primitive_type_array"],
) -> str:
    """A model's JSON Schema as text, memoized: every request sends one, and generating
    it takes milliseconds (`schema.Overview.model_json_schema`)."""
    schema = model_json_schema(
        cls, by_alias=by_alias, ref_template=ref_template, mode=mode, union_format=union_format
    )
    return json.dumps(schema)
