"""The loop guards of the embedded decoder: what it may not write next.

Small models loop: greedy decoding writes the same key point again and again.
`Openings` (with ``k`` > 0) forbids a JSON string value to open with the same first ``k``
tokens as an earlier one, so the model copies a different sentence instead of the same
one again. The values of the prompt's worked example count as earlier ones: a base model
otherwise copies the example's claims, roles and questions into the answer for the real
article. Short cycles are cut the same way (`cycle_continuation`), and so are endless
"words" with no space in them ("TheGuardian.com,Theguardian.com,...",
"1000000000001000...": MAX_WORD_CHARS, MAX_DIGITS), and values that would outgrow their
schema's maxLength (LENGTH_MARGIN). (A general no-repeat-n-gram ban was tried and
dropped: in text copied from the article it forced paraphrases and glued words.)

`Openings` also tracks where in the JSON the answer is (inside a string, which key, the
value so far), which the other guards need. Token ids and their text come from the
decoder; nothing here needs the model.
"""

from __future__ import annotations

import re


class Openings:
    """Tracks the JSON being written: bans the token that would give a string value the
    same first `k` tokens as an earlier one, and counts the characters since the last space
    in a string and the digits in a row, for the loop guards in `generate`."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.seen: set[tuple[int, ...]] = set()
        self.current: list[int] | None = None  # tokens of the value being written
        self.in_string = False
        self.escaped = False
        self.last = ""  # last non-space character outside strings
        self.word = 0  # characters since the last space, in the string being written
        self.value = ""  # the string value written so far
        self.digits = 0  # digits in a row, anywhere
        self.key = ""  # the last object key written (the value being written is its)

    def banned(self) -> set[int]:
        if self.k <= 0 or self.current is None or len(self.current) != self.k - 1:
            return set()
        head = tuple(self.current)
        return {p[-1] for p in self.seen if p[:-1] == head}

    def prime(self, tokens: list[int], pieces: list[str]) -> None:
        """Learn the values already written in the prompt (a worked example's JSON), so
        the model cannot copy them into its answer either; then start afresh."""
        for token, piece in zip(tokens, pieces, strict=True):
            self.add(token, piece)
        self.current, self.in_string, self.escaped, self.last = None, False, False, ""
        self.word = self.digits = 0
        self.value = ""

    def value_text(self, piece: str) -> str | None:
        """The part of `piece` that would be written inside a string value, after the
        current word; None if none of it would be (outside strings, or in a key)."""
        if self.in_string:
            return piece if self.current is not None else None
        if self.last == ":" and '"' in piece:
            return piece.split('"', 1)[1]
        return None

    def add(self, token: int, piece: str) -> None:
        if self.current is not None:
            self.current.append(token)
        for ch in piece:
            self.word = 0 if ch == " " else self.word + 1
            self.digits = self.digits + 1 if ch.isdigit() else 0
            if self.in_string:
                self.value += ch
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
                    if self.current is None:  # a key, not a value
                        self.key = self.value[:-1]
                    self.value = ""
                    if self.current is not None and len(self.current) >= self.k:
                        self.seen.add(tuple(self.current[: self.k]))
                    self.current = None
            elif ch == '"':
                self.in_string = True
                self.word = 0
                self.value = ""
                self.current = [] if self.last == ":" else None
            elif not ch.isspace():
                self.last = ch


# Greedy decoding also falls into cycles inside one value ("TheGuardian.com," or "0" again
# and again) until max_tokens. A unit of at most MAX_CYCLE tokens that has just repeated
# so that the run spans CYCLE_RUN tokens (and at least three times) may not go on.
MAX_CYCLE = 16
CYCLE_RUN = 12
# Longer cycles hide in one endless "word" ("100000000000100000000000..."): a string may
# not go on for more than MAX_WORD_CHARS characters without a space.
MAX_WORD_CHARS = 40
MAX_DIGITS = 15  # nor write more digits in a row than any real figure has (also in numbers)


def cycle_continuation(out: list[int]) -> set[int]:
    """The token that would extend a cycle at the end of `out`, if there is one."""
    for period in range(1, MAX_CYCLE + 1):
        repeats = max(3, -(-CYCLE_RUN // period))
        run = period * repeats
        if len(out) < run - 1:
            break
        tail = out[-(run - 1) :]
        # out + [next] would be `repeats` copies of a `period`-token unit
        if all(tail[i] == tail[i + period] for i in range(len(tail) - period)):
            return {tail[-period]}
    return set()


# Characters left before a string's maxLength when it must start to end: from there, at
# the first point where a period can end the sentence, it does, and the string closes.
LENGTH_MARGIN = 16
# A character after which a period ends a sentence (schema._END).
ENDABLE = re.compile("[a-z0-9%')\u2019\u201d]")
