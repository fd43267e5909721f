"""Who says what, and how firmly: quotations, speakers, attributions (named, anonymous,
"reportedly"), and a hedge or negation changed between a sentence and its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from summarizer.text import memo
from summarizer.text.names import name_occurs, names
from summarizer.text.words import (
    QUOTES,
    SENTENCE_MEMO,
    STOPWORDS,
    content_stems,
    normalize,
    stem,
    words,
)

_QUOTED = re.compile(r"\"([^\"]{2,})\"|(?<!\w)'([^']{8,})'(?!\w)")


def quotations(text: str) -> list[str]:
    """What `text` puts between quotation marks (single quotes only for 8+ characters)."""
    plain = text.translate(QUOTES)
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTED.finditer(plain)]


def quotation_occurs(quote: str, evidence: str) -> bool:
    """Each part of `quote` (split at ellipses) occurs in `evidence` (normalized)."""
    parts = [normalize(p).strip(" .,;:!?'\"") for p in re.split(r"\.\.\.|\u2026", quote)]
    return all(not p or p in evidence for p in parts)


_NAME_RUN = r"[A-Z][\w.'\-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w.'\-]*){0,3}"
_SPEECH = (
    r"said|says|told|tells|added|adds|claimed|claims|stated|states|reported|reports|"
    r"announced|announces|warned|warns|insisted|insists|admitted|admits|argued|argues|"
    r"confirmed|confirms|revealed|reveals|wrote|writes|tweeted|explained|explains|"
    r"denied|denies|alleged|alleges"
)
_SPEAKER = re.compile(
    rf"(?:(?i:according\s+to|citing|cited\s+by|quoted\s+by)\s+(?:(?i:the)\s+)?(?P<a>{_NAME_RUN}))"
    rf"|(?P<b>{_NAME_RUN})\s+(?:has\s+|had\s+|have\s+)?(?:{_SPEECH})\b"
    rf"|(?:{_SPEECH})\s+(?P<c>{_NAME_RUN})(?=\s*[,.;]|\s*$)"
)


def speakers(text: str) -> list[str]:
    """Who `text` says is speaking: "X said", "X told", "according to X", "citing X"."""
    out = []
    plain = text.translate(QUOTES)
    found = names(plain)
    for m in _SPEAKER.finditer(plain):
        group = next(g for g in ("a", "b", "c") if m.group(g))
        lo, hi = m.span(group)
        # The name within the match, as `names` reads it ("Although Smith said" -> Smith).
        out += [n.text for n in found if lo <= n.start < hi]
    return list(dict.fromkeys(out))


# Unnamed sources: "three government officials familiar with the matter", "diplomats".
_ANONYMOUS = re.compile(
    r"\b(?:(?:[a-z]+|\d+)\s+){0,3}?(?:officials?|diplomats?|sources?|spokes(?:man|woman|person)|"
    r"analysts|experts|witnesses|insiders|aides)\b",
    re.I,
)
_NOT_SOURCE_WORDS = frozenset(
    {"a", "an", "and", "also", "the", "to", "by", "of", "with", "from"}
    | {"cites", "cited", "citing", "according", "said", "told", "says"}
)
_REPORTED = re.compile(r"\b(reportedly|allegedly|purportedly|rumou?red)\b", re.I)


# What `framing_errors` finds: a hedge made stronger, or a negation flipped.
Framing = Literal["hedge", "negation"]


def attributions(text: str) -> list[str]:
    """How a sentence attributes what it says: its named speakers ("Times of Israel"), the
    unnamed sources it cites ("three government officials"), or a reporting hedge
    ("reportedly"). Empty when it states something in the writer's own voice."""
    return list(_attributions(text))


@memo.bounded(SENTENCE_MEMO)  # each article sentence is asked about for many items
def _attributions(text: str) -> tuple[str, ...]:
    out = speakers(text)
    if _SOURCED.search(text):
        for m in _ANONYMOUS.finditer(text):
            words = m.group().split()
            while len(words) > 1 and words[0].lower() in _NOT_SOURCE_WORDS:
                words.pop(0)
            out.append(" ".join(words))
    out += [m.group().lower() for m in _REPORTED.finditer(text)]
    return tuple(dict.fromkeys(out))


# Words that hedge what follows them: the article does not state it as fact. A headline
# drops the copula ("Egypt expected to lead ..."), except before "said" and "reported",
# which without it are speech ("he said to reporters").
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|alleged|purportedly|apparently|possibly|probably|likely|"
    r"may|might|could|(?:(?:is|are|was|were) )?(?:expected|believed|thought|understood|"
    r"rumou?red|alleged|suspected|feared) to|(?:is|are|was|were) (?:said|reported) to|"
    r"unconfirmed|unverified)\b",
    re.I,
)
# A statement that names its source reports it, whatever its verb: not a dropped hedge.
_SOURCED = re.compile(rf"\b({_SPEECH}|say|tell|according|citing|claim|report)\b", re.I)
_WILL = re.compile(r"\b(will|shall|(?:is|are) going to)\b", re.I)
_NEGATION = re.compile(
    r"\b(not|no|never|none|nobody|nothing|neither|nor|cannot)\b(?! (?:more|less|fewer|"
    r"longer|later|sooner|only|just|even|doubt|stranger|matter)\b)(?! but\b)|n't\b(?! only\b)",
    re.I,
)
_SCOPE = 4  # a hedge or negation governs the next few words
# Framing is compared only where the summary restates one sentence this closely (weighted
# share of its content words): a looser paraphrase may carry its hedge in other words.
CLOSE = 0.6


def _governed(pattern: re.Pattern[str], text: str, within: set[str] | None = None) -> set[str]:
    """Stems of the content words within `_SCOPE` words after each match of `pattern`;
    with `within`, only where the first of them (what is negated or hedged) is in it."""
    plain = text.translate(QUOTES)
    out: set[str] = set()
    for m in pattern.finditer(plain):
        following = [stem(w) for w in words(plain[m.end() :])[: _SCOPE + 1] if w not in STOPWORDS]
        if following and (within is None or following[0] in within):
            out |= set(following)
    return out


def _content(text: str) -> set[str]:
    return set(content_stems(text))


def framing_errors(text: str, evidence: str) -> list[tuple[Framing, str]]:
    """A hedge made stronger or a negation flipped, against the one evidence sentence that
    `text` restates. Only what the hedge or negation governs is compared: a "may" or a
    "not" elsewhere in a long sentence is about something else."""
    found: list[tuple[Framing, str]] = []
    mine = _content(text)
    plain = text.translate(QUOTES)
    # What the evidence hedges, restated here without a hedge or a source of its own.
    hedged_there = _governed(_HEDGE, evidence, mine) & mine
    if hedged_there and not _SOURCED.search(plain):
        will = _governed(_WILL, text) & hedged_there
        dropped = hedged_there - _governed(_HEDGE, text)
        if will:
            found.append(("hedge", "says 'will' where its evidence is not certain"))
        elif len(dropped) >= 2:
            cue = _HEDGE.search(evidence.translate(QUOTES))
            word = cue.group() if cue else "a hedge"
            found.append(("hedge", f"states as fact what its evidence hedges ('{word}')"))
    # Conservative: a flip is reported only where one side has no negation at all.
    theirs = _content(evidence)
    negated_here = _governed(_NEGATION, text, theirs) & theirs
    negated_there = _governed(_NEGATION, evidence, mine) & mine
    if len(negated_here) >= 2 and not _NEGATION.search(evidence.translate(QUOTES)):
        found.append(("negation", "negates what its evidence states"))
    elif len(negated_there) >= 2 and not _NEGATION.search(plain):
        found.append(("negation", "states what its evidence negates"))
    return found


SPEECH_AFTER = re.compile(rf"^\W*(?:\S+\s+){{0,3}}?(?:has\s+|had\s+)?(?:{_SPEECH})\b", re.I)


def speaks_before(speaker: str, window: Sequence[str]) -> bool:
    """Does `speaker` (its last word: "Erdogan" of "Recep Tayyip Erdogan") come just
    before a speech verb somewhere in `window` ("Erdogan told Trump", "Smith, 54, said")?"""
    if not speaker.split():
        return False  # no name: "\b\b" would find one before every speech verb
    last = speaker.split()[-1]
    for sentence in window:
        for m in re.finditer(rf"\b{re.escape(last)}\b", sentence.translate(QUOTES)):
            if SPEECH_AFTER.match(sentence[m.end() :]):
                return True
    return False


_PRONOUN_SPEECH = re.compile(
    rf"\b(?P<p>it|he|she|they)\s+(?:has\s+|had\s+|have\s+)?(?P<v>{_SPEECH})\b", re.I
)


def pronoun_speakers(text: str, evidence: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Speech given to a pronoun ("but it said ...") that reads as someone else's.

    In `text` the pronoun reads as a name written before it in the same sentence
    ("Egypt is still being consulted ..., but it said"). `evidence` holds pairs of an
    article sentence and the text just before it (the previous sentence), where the
    article's own pronoun finds who it stands for ("Hamas agreed ... . It said ...").
    Where an evidence sentence gives the same speech to the same pronoun and none of the
    names before the pronoun in `text` is named before it in the article, the pronoun
    has changed whom it stands for: returns (the speech, the names it may read as, the
    article's text before its pronoun) for each. A pronoun with no name before it in
    `text` cannot be read here and passes."""
    out = []
    plain = text.translate(QUOTES)
    for m in _PRONOUN_SPEECH.finditer(plain):
        before = [n.text for n in names(plain[: m.start()])]
        if not before:
            continue
        said = re.compile(rf"\b{m.group('p')}\s+(?:has\s+|had\s+|have\s+)?{m.group('v')}\b", re.I)
        for sentence, previous in evidence:
            hit = said.search(sentence.translate(QUOTES))
            if hit is None:
                continue
            context = f"{previous} {sentence.translate(QUOTES)[: hit.start()]}".strip()
            if not any(name_occurs(name, normalize(context)) for name in before):
                out.append((m.group(), " or ".join(dict.fromkeys(before)), context))
            break
    return out
