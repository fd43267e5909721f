"""The error rules: what a reader would call an error in a part of a summary, by kind.

Built on the text facts of `summarizer.text`: a number, name or quotation that the
evidence does not have, a speaker who is not the source, a hedge made stronger or a
negation flipped, words copied from a check's own message. The gate (the schema's
validators, which re-ask) and the grounding report both ask these rules, so a summary is
judged by the same rules wherever it is judged. Which kinds are not looked for (an article
in a language whose word lists these rules lack) is an argument, `skip`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from textwrap import shorten

from summarizer.text import memo
from summarizer.text.attribution import (
    CLOSE,
    attributions,
    framing_errors,
    pronoun_speakers,
    quotation_occurs,
    quotations,
    speakers,
    speaks_before,
)
from summarizer.text.dates import date_occurs, dates
from summarizer.text.names import name_occurs, names
from summarizer.text.numbers import figure_occurs, number_matches, numbers
from summarizer.text.support import cited, support
from summarizer.text.words import (
    ARTICLE_MEMO,
    contains,
    content_stems,
    cut_short,
    normalize,
    unknown_words,
)


class ErrorKind(StrEnum):
    """The kinds of error a reader would call an error. Each one re-asks the model."""

    NUMBER = "number"  # a number the evidence does not have
    NAME = "name"  # a name (person, place, organization, date) the evidence does not have
    QUOTATION = "quotation"  # words put in quotation marks that the evidence does not have
    SPEAKER = "speaker"  # "X said" where X is not the source in the evidence
    HEDGE = "hedge"  # a hedged statement ("reportedly", "may") stated as fact or "will"
    NEGATION = "negation"  # a statement negated where the evidence is not, or the reverse
    CITATION = "citation"  # a citation of a sentence the article does not have
    ECHO = "echo"  # words of the prompt or of a check's message (a re-ask's), not the article's
    WORD = "word"  # a word neither English nor the article's: garbled decoding
    # The prose checks (`checks.prose`), read from the parse of the model's own sentences.
    REPEATED = "repeated"  # a sentence said again, or nearly so
    FIRST_PERSON = "first_person"  # "I", "we", "us" outside quotation marks
    ABOUT_ARTICLE = "about_article"  # "The article highlights ...": the piece, not the news
    LESSON = "lesson"  # a lesson or moral the article does not draw
    UNPARSED = "unparsed"  # a sentence that does not parse as one
    CUT = "cut"  # a title or sentence cut by a length cap ("... has not")
    RELATION = "relation"  # "A's X with B" where the evidence has B's X with A
    DANGLING = "dangling"  # a TL;DR or summary opening on "This proposal", "He", "The group"


@dataclass(frozen=True, slots=True)
class Error:
    kind: ErrorKind
    found: str  # the offending part, as the summary writes it
    message: str  # says what is wrong, for the report and the re-ask


# Phrases of the checks' messages and of pydantic's, which a small model re-asked with them
# copies into its next answer ("... is not the source in its evidence; write only what the
# article says"): the article does not say them.
_ECHO = re.compile(
    r"write only what the article says|is not the source in its evidence|is not in (?:the "
    r"article|S\d)|states as fact what its evidence|negates what its evidence|input_type=|"
    r"errors\.pydantic\.dev|validation error",
    re.IGNORECASE,
)


def _echoes(text: str, evidence: Sequence[str]) -> Iterable[Error]:
    m = _ECHO.search(text)
    if m and not any(_ECHO.search(s) for s in evidence):
        yield Error(
            ErrorKind.ECHO, m.group(), f"copies the words of an error message ('{m.group()}')"
        )


def _missing(text: str, evidence: Sequence[str], where: str) -> Iterable[Error]:
    haystack = normalize(" ".join(evidence))
    for q in dict.fromkeys(quotations(text)):
        if not quotation_occurs(q, haystack):
            yield Error(ErrorKind.QUOTATION, q, f"quotation \u201c{q}\u201d is not in {where}")
    known = [n for s in evidence for n in numbers(s)]
    for n in numbers(text):
        if not number_matches(n, known) and not contains(haystack, normalize(n.text)):
            yield Error(ErrorKind.NUMBER, n.text, f"number {n.text} is not in {where}")
    for name in dict.fromkeys(n.text for n in names(text)):
        if not name_occurs(name, haystack):
            yield Error(ErrorKind.NAME, name, f"'{name}' is not in {where}")
    for word in unknown_words(text, haystack):
        yield Error(ErrorKind.WORD, word, f"'{word}' is not an English word nor in {where}")
    last = cut_short(text)
    if last is not None and not _ends_a_sentence(text, evidence):
        yield Error(ErrorKind.WORD, last, f"the sentence ends on '{last}': it is cut short")
    for date in dates(text):  # its parts in one sentence, not a month here, a year there
        if not date_occurs(date, evidence):
            yield Error(ErrorKind.NAME, date.text, f"the date '{date.text}' is not in {where}")


def _ends_a_sentence(text: str, sentences: Sequence[str]) -> bool:
    """Does an article sentence end as `text` does (its last four words)? Then `text` ends
    where the article does, not cut short."""
    tail = " ".join(normalize(text).rstrip(" .!?'\u2019\u201d)").split()[-4:])
    return any(normalize(s).rstrip(" .!?'\u2019\u201d)").endswith(tail) for s in sentences)


def _framing(text: str, evidence: Sequence[str], window: Sequence[str]) -> Iterable[Error]:
    """Speaker, hedge and negation: compared with the best evidence sentence."""
    if not evidence:
        return
    context = normalize(" ".join(window))
    # Who the window says is speaking. Where it names sources, the speaker must be one of
    # them, not merely named ("according to Trump" where The Guardian reports on Trump's
    # plan); where it names none that the patterns see, being named there is enough.
    found = speakers(text)
    sources = [normalize(a) for s in window for a in attributions(s)] if found else []
    for speaker in found:
        named = name_occurs(speaker, context)
        a_source = any(name_occurs(speaker, src) for src in sources) or speaks_before(
            speaker, window
        )
        if not named or (sources and not a_source):
            yield Error(
                ErrorKind.SPEAKER,
                speaker,
                f"attributed to {speaker}, who is not the source in its evidence",
            )
    if support(text, [evidence[0]]).words < CLOSE:
        return  # the evidence is not close enough to compare its framing
    for kind, message in framing_errors(text, evidence[0]):
        yield Error(ErrorKind(kind), text, message)


def errors(
    text: str,
    evidence: Sequence[str],
    *,
    window: Sequence[str] = (),
    where: str = "the article",
    names_from: Sequence[str] | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[Error]:
    """The errors in `text` against `evidence` (the sentences it rests on, best first).

    Numbers, names and quotations are looked for in `names_from` (default: `evidence`;
    for free text, the whole article); a speaker in `window` (the evidence and the
    sentences just before it, where news names a speaker before quoting them)."""
    names_in = tuple(names_from) if names_from is not None else tuple(evidence)
    found = _errors(text, tuple(evidence), tuple(window or evidence), where, names_in)
    return [e for e in found if e.kind.value not in skip] if skip else list(found)


# Validation checks every part of a summary, then the grounding report checks the same
# parts against the same sentences: the second time is a look-up.
@memo.bounded(ARTICLE_MEMO)
def _errors(
    text: str, evidence: tuple[str, ...], window: tuple[str, ...], where: str,
    names_from: tuple[str, ...],
) -> tuple[Error, ...]:  # fmt: skip
    found = list(_echoes(text, evidence))
    found += _missing(text, names_from, where)
    found += _framing(text, evidence, window)
    return tuple(found)


def name_missing(phrase: str, ids: Sequence[int], article: Sequence[str]) -> bool:
    """A name (an entity, a claim's source) that none of the cited sentences has, in any
    of its forms."""
    return not name_occurs(phrase, normalize(" ".join(cited(ids, article))))


def figure_missing(value: str, ids: Sequence[int], article: Sequence[str]) -> bool:
    """A figure that none of the cited sentences has, as written or by value."""
    return not figure_occurs(value, cited(ids, article))


def quote_missing(quote: str, ids: Sequence[int], article: Sequence[str]) -> bool:
    """A quotation whose words none of the cited sentences has."""
    return not quotation_occurs(quote, normalize(" ".join(cited(ids, article))))


def copies_description(text: str, descriptions: frozenset[str], article: Sequence[str]) -> bool:
    """Whether `text` is one of its brief's field `descriptions` (the prompt's words)
    rather than the article's: most of its words are a description's, and the article does
    not have them ("The release's main news, as a short headline")."""
    return _copied(text, descriptions) and support(text, article).fused < 0.6


@functools.lru_cache(maxsize=4096)
def _copied(text: str, descriptions: frozenset[str]) -> bool:
    """Most of `text`'s words (as `support` weighs them) are one description's. Every part
    of every answer passes here, and again in the report: first, cheaply, are most of its
    words the descriptions' at all?"""
    stems = content_stems(text)
    if not descriptions or not stems:
        return False
    known = _stems_of(descriptions)
    if sum(w for s, w in stems.items() if s in known) < 0.6 * sum(stems.values()):
        return False
    return any(support(text, [d]).words >= 0.6 for d in descriptions)


@functools.lru_cache(maxsize=256)
def _stems_of(descriptions: frozenset[str]) -> frozenset[str]:
    return frozenset(s for d in descriptions for s in content_stems(d))


def free_text_errors(
    sentence: str,
    article: Sequence[str],
    *,
    skip: frozenset[str] = frozenset(),
    alone: bool = True,
    headline: bool = False,
) -> list[Error]:
    """The errors of one sentence of free text (title, TL;DR, summary, any summary given to
    `check`): its evidence is the article sentences that support it best; numbers, names
    and quotations are looked for in the whole article; then the prose checks
    (`prose_errors`; `headline`: a title, which needs no verb). `alone`: the text's only
    sentence (a headline may be one word; one word among sentences is not a sentence)."""
    if (fused := _ELIDED.search(sentence)) is not None and fused[0] not in " ".join(article):
        # "The unemployment rate ha...tistics reported today.": pydantic's shortened echo
        # of an answer in a re-ask message, copied back by a small model
        return [Error(ErrorKind.WORD, fused[0], f"'{fused[0]}' is words cut and joined by "
                      "an ellipsis: write them out")]  # fmt: skip
    found = support(sentence, article)
    if not alone and len(sentence.split()) == 1:
        # "November.", "was": one word among sentences is a decoder's leftover
        return [Error(ErrorKind.WORD, sentence, f"'{sentence}' is not a sentence")]
    evidence = [article[i - 1] for i in found.evidence]
    first = found.evidence[0] if found.evidence else 1
    # A speaker is named in the best evidence sentence or in the two before it.
    window = article[max(0, first - 4) : first]
    found_errors = errors(sentence, evidence, window=window, names_from=article, skip=skip)
    if ErrorKind.SPEAKER.value not in skip:
        # Free text joins sentences: "it said" may come to stand for another speaker.
        pairs = [(article[i - 1], article[i - 2] if i > 1 else "") for i in found.evidence]
        found_errors += [
            Error(ErrorKind.SPEAKER, speech, f"'{speech}' reads as said by {reads_as}, but in "
                  f"the article it follows '{shorten(theirs, 80, placeholder=' ...')}'; "
                  "name who said it")
            for speech, reads_as, theirs in pronoun_speakers(sentence, pairs)
        ]  # fmt: skip
    return found_errors + prose_errors(sentence, article, headline=headline, skip=skip)


# Letters on both sides of an ellipsis: a word cut in two and joined.
_ELIDED = re.compile(r"[^\W\d_]+(?:\.\.\.|\u2026)[^\W\d_]+")


def cited_errors(
    text: str,
    ids: Sequence[int],
    article: Sequence[str],
    where: str,
    *,
    skip: frozenset[str] = frozenset(),
) -> list[Error]:
    """The errors of a cited item against the sentences it cites (those that exist): its
    numbers, names and quotations must be in them, a speaker in them or just before. A
    text in words of its own (a model's key point, not the article's sentence) is prose,
    and meets the prose checks too ("Egypt is expected.")."""
    valid = [i for i in ids if 1 <= i <= len(article)]
    evidence = [article[i - 1] for i in valid]
    first = min(valid, default=1)
    window = [*article[max(0, first - 4) : first - 1], *evidence]
    ranked = sorted(evidence, key=lambda s: support(text, [s]).score, reverse=True)
    found = errors(text, ranked, window=window, where=where, skip=skip)
    if not _own_words(text, evidence):
        found += prose_errors(text, article, skip=skip)
    return found


def _own_words(text: str, evidence: Sequence[str]) -> bool:
    """`text` is one of the evidence sentences, or a clause of one that ends where that
    sentence or clause ends: the article's words, not a model's."""
    needle = normalize(text).rstrip(" .!?")
    for sentence in evidence:
        hay = normalize(sentence).rstrip(" .!?'\"\u2019\u201d")
        at = hay.find(needle)
        end = at + len(needle)
        if needle and at >= 0 and (end == len(hay) or hay[end] in ",;:.!?"):
            return True
    return False


def prose_errors(
    sentence: str,
    article: Sequence[str],
    *,
    headline: bool = False,
    skip: frozenset[str] = frozenset(),
) -> list[Error]:
    """The prose checks' errors in one sentence a model wrote (`checks.prose`): first
    person outside quotation marks, the article rather than the news, a lesson the
    article does not draw, a sentence that does not parse as one, a cut end, a relation
    reversed from its evidence. `headline`: a title, which needs no verb. English only:
    each reads the English parse."""
    if ErrorKind.UNPARSED.value in skip:  # an article in another language
        return []
    return list(_prose_errors(sentence, tuple(article), headline))


@memo.bounded(ARTICLE_MEMO)
def _prose_errors(sentence: str, article: tuple[str, ...], headline: bool) -> tuple[Error, ...]:
    from summarizer.checks import prose

    found = []
    if people := prose.first_person(sentence, article)[0]:
        words = ", ".join(dict.fromkeys(people))
        found.append(Error(ErrorKind.FIRST_PERSON, words, f"'{words}' is a speaker's first "
                           "person outside quotation marks: say who, or quote them"))  # fmt: skip
    if (meta := prose.about_article(sentence, article)) is not None:
        found.append(Error(ErrorKind.ABOUT_ARTICLE, meta, f"'{meta}': say what happened, not "
                           "what the article does"))  # fmt: skip
    evidence = [article[i - 1] for i in support(sentence, article).evidence]
    if (moral := prose.lesson(sentence, evidence)) is not None:
        found.append(Error(ErrorKind.LESSON, moral, f"'{moral}' draws a lesson the article "
                           "does not state"))  # fmt: skip
    # A title cut by its cap may end inside a name's noun phrase ("... a campaign");
    # writers' sentences end so often where the article goes on (`cut_phrase`).
    cut = (
        None
        if cut_short(sentence) is not None
        # `word` has it
        else (
            prose.cut_end(sentence) or (prose.cut_phrase(sentence, article) if headline else None)
        )
    )
    if cut is not None and not _ends_a_sentence(sentence, article):
        found.append(Error(ErrorKind.CUT, cut, f"it ends on '{cut}': it is cut short; write a "
                           "shorter one that ends where its sentence does"))  # fmt: skip
    elif (why := prose.unparsed(sentence, article)) is not None:
        found.append(Error(ErrorKind.UNPARSED, sentence, f"it does not parse as a sentence "
                           f"({why})"))  # fmt: skip
    both = [s for s in article if any(n in s for r in prose.relations(sentence) for n in r[::3])]
    for relation in prose.reversed_relations(sentence, dict.fromkeys([*evidence, *both])):
        found.append(Error(ErrorKind.RELATION, relation, f"'{relation}' is the other way round "
                           "in the article"))  # fmt: skip
    for role in prose.reversed_roles(sentence, evidence):
        owner, noun = role.rsplit("'s ", 1)
        found.append(Error(ErrorKind.RELATION, role, f"'{role}': in the article {owner} is "
                           f"the {noun}"))  # fmt: skip
    return tuple(found)


def dangling_errors(sentence: str, skip: frozenset[str] = frozenset()) -> list[Error]:
    """The opening sentence of a TL;DR or a summary (read first, with nothing before it)
    opening on words that refer to what came before (`prose.dangling`)."""
    from summarizer.checks import prose

    if ErrorKind.UNPARSED.value in skip or ErrorKind.DANGLING.value in skip:
        return []
    words = prose.dangling(sentence)
    if words is None:
        return []
    return [Error(ErrorKind.DANGLING, words, f"it opens on '{words}', which stands for nothing "
                  "before it: name who or what")]  # fmt: skip


def prose_warnings(
    sentence: str,
    article: Sequence[str],
    *,
    headline: bool = False,
    skip: frozenset[str] = frozenset(),
) -> list[Error]:
    """What the prose checks find too often in writers' good prose to refuse on
    (`benchmarks/prose_checks.py`), for the report only: first person of the writer's own
    ("helping us understand"), a sentence with no finite verb (a headline needs none)."""
    from summarizer.checks import prose

    if ErrorKind.UNPARSED.value in skip:
        return []
    found = []
    if people := prose.first_person(sentence, article)[1]:
        words = ", ".join(dict.fromkeys(people))
        found.append(Error(ErrorKind.FIRST_PERSON, words, f"'{words}' is first person "
                           "outside quotation marks"))  # fmt: skip
    if not headline and prose.verbless(sentence):
        found.append(Error(ErrorKind.UNPARSED, sentence, "it has no finite verb"))
    return found


def repeated_errors(sentences: Sequence[str], earlier: Sequence[str] = ()) -> list[Error]:
    """A sentence that says again what one before it, or one of `earlier` (a TL;DR before
    a summary), says (`prose.repeats`)."""
    from summarizer.checks import prose

    return [
        Error(ErrorKind.REPEATED, sentences[n - 1], f"sentence {n} repeats "
              f"'{shorten(before, 60, placeholder=' ...')}'; say something else or leave it out")
        for n, before in prose.repeats(sentences, earlier)
    ]  # fmt: skip
