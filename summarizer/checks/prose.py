"""Checks on the prose a model writes (title, TL;DR, summary), read from spaCy's parse of
each sentence: what a reader would send back though every word is the article's.

- `repeats`: a sentence said again, or nearly so, in the same text;
- first person outside quotation marks ("the lorry hit us" in a brief's own voice);
- text about the article rather than the news ("The article highlights ...");
- a lesson the article does not draw ("highlights the importance of standing up for
  oneself");
- a sentence that does not parse as one: a hedge verb with nothing hedged ("Egypt is
  expected, with ..."), a count after a number in the singular ("winning the 14 time");
  a sentence without a finite verb is reported only (`verbless`);
- a sentence cut by a length cap, ending on a word that needs what follows ("... the
  Premier League has not");
- a relation between two names the other way round from its evidence ("Washington's
  special relationship with the UK" where the article has Britain's with Washington).

Each is named by its `ErrorKind` (`checks.rules`), and measured for false alarms on the
news_dev writers' summaries by `benchmarks/prose_checks.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from wordfreq import zipf_frequency

from summarizer.text.names import name_occurs
from summarizer.text.words import QUOTES, content_words, normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Near-repeats: most of two sentences' content words are the same ("This move ...", "The
# move ..."), by Jaccard over stems; `words.similar`'s default .8 misses a repeat with a
# word or two changed.
REPEAT = 0.6
CONTAINED = 0.8  # of the longer sentence's words


def repeats(sentences: Sequence[str], earlier: Sequence[str] = ()) -> list[tuple[int, str]]:
    """The sentences (1-based, with the one they repeat) that say again, or nearly, what
    one before them says: in `sentences`, or in `earlier` (the TL;DR a summary follows:
    a reader reads both, and a summary that opens with its TL;DR says it twice)."""
    found: list[tuple[int, str]] = []
    seen: list[str] = list(earlier)
    for n, s in enumerate(sentences, 1):
        before = next((t for t in seen if _near(s, t)), None)
        if before is not None:
            found.append((n, before))
        seen.append(s)
    return found


def _near(a: str, b: str) -> bool:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return normalize(a) == normalize(b)
    if len(wa & wb) / len(wa | wb) >= REPEAT:
        return True
    # Or nearly the same words, small ones too: 80% of the longer's are the other's (the
    # TL;DR again with a word changed: "Teenagers in Scottish foster care are being moved
    # too often" after "Teenagers in Scotland are being moved too often").
    ta, tb = set(normalize(a).split()), set(normalize(b).split())
    return len(ta & tb) / max(len(ta), len(tb)) >= CONTAINED


@functools.lru_cache(maxsize=4096)
def parsed(sentence: str) -> Doc:
    from summarizer.claims import parser

    return parser()(sentence)


# Quote marks: double ones, and single ones not between two letters (an apostrophe, as in
# "We're", is inside a word).
_MARK = re.compile(r"\"|(?<![^\W\d_])'|'(?![^\W\d_])")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """The stretches inside quotation marks. A sentence cut from a longer quotation has a
    mark left unpaired: an opening one quotes to the end ("'We've been here one day."), a
    closing one (after a word, before a space or the end) from the start ("... tourists,'
    the officer said")."""
    text = text.translate(QUOTES)
    spans: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for m in _MARK.finditer(text):
        mark, at = m.group(0), m.start()
        if mark in open_at:
            spans.append((open_at.pop(mark), at + 1))
            continue
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        # A mark after a word and not before one closes ("tourists,' the officer"); after a
        # space, a bracket or a colon, it opens ("said:' We ...").
        closes = not before.isspace() and before not in "([{:" and not after.isalnum()
        if closes and not spans and not open_at:
            spans.append((0, at + 1))
        else:
            open_at[mark] = at
    spans += [(at, len(text)) for at in open_at.values()]
    return spans


def first_person(sentence: str, article: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """First-person pronouns (by morphology: Person=1) outside quotation marks: the brief
    speaks in no one's voice. Two lists: those lifted from a speaker's words, where the
    article has the pronoun with the word before or after it ("the lorry hit us", "in the
    future I will": three words with it), and the others (a writer's "helping us understand")."""
    spans = _quoted_spans(sentence)
    haystack = normalize(" ".join(article))
    lifted, own = [], []
    doc = parsed(sentence)
    for t in doc:
        if t.pos_ != "PRON" or "1" not in t.morph.get("Person", []):
            continue
        if any(a <= t.idx < b for a, b in spans):
            continue
        near = [doc[i : i + 3] for i in range(t.i - 2, t.i + 1) if i >= 0 and i + 3 <= len(doc)]
        said = [normalize(w.text) for w in near if not any(x.is_punct for x in w)]
        if any(re.search(rf"\b{re.escape(w)}\b", haystack) for w in said):
            lifted.append(t.text)
        else:
            own.append(t.text)
    return lifted, own


# The piece itself as what the sentence is about ("The article highlights", "this piece
# discusses"): nouns that name a text. ("The author" is news in a story about a novelist.)
_PIECE = frozenset({"article", "piece", "passage", "text", "excerpt", "story"})


def about_article(sentence: str, article: Sequence[str]) -> str | None:
    """The words where a sentence is about the article rather than the news ("The
    article highlights"): "the/this article" (a singular noun of `_PIECE` with "the" or
    "this") where the article names no such thing ("an article in the Times" is news)."""
    haystack = normalize(" ".join(article))
    for t in parsed(sentence):
        if t.tag_ != "NN" or t.lemma_.lower() not in _PIECE:
            continue
        det = [c for c in t.children if c.dep_ == "det" and c.lower_ in ("the", "this")]
        if not det or t.dep_ not in ("nsubj", "nsubjpass", "pobj", "poss"):
            continue
        if not re.search(rf"\b{re.escape(t.lower_)}\b", haystack):
            return f"{det[0].text} {t.text}"
    return None


# A lesson: an abstract noun of value or need that a sentence says the story shows
# ("highlights the importance of", "a reminder that", "the need for", "a testament to"),
# a judgment of its weight ("a significant event"), or a generic "oneself".
_LESSON = re.compile(
    r"\b(?:importance|the need (?:for|to)|reminder|lesson|testament|cautionary|oneself|"
    r"it is (?:important|essential|crucial|vital) (?:to|that)|"
    # a judgment of weight the article does not make ("is a significant event in the history")
    r"(?:significant|important|major|historic|landmark) (?:event|moment|milestone|step))\b",
    re.I,
)


def lesson(sentence: str, evidence: Sequence[str]) -> str | None:
    """The words of a lesson or moral that its evidence (the article sentences that
    support the sentence best, or the article) does not state."""
    m = _LESSON.search(sentence)
    if m is None:
        return None
    key = normalize(m.group()).split()[-1] if m.group().lower().startswith("it is") else None
    word = key or normalize(m.group()).split()[-1 if "need" not in m.group().lower() else 1]
    if any(re.search(rf"\b{re.escape(word)}", normalize(s)) for s in evidence):
        return None
    return m.group()


# Verbs whose passive hedges what follows ("is expected to", "is believed to"): with
# nothing after them, what is expected is missing.
_HEDGE_VERBS = frozenset({"expect", "believe", "think", "suppose", "rumour", "rumor", "say"})


# A sentence cut after a courtesy title by the segmenter ("Last month, Mrs."): not the
# writer's.
_ABBREVIATED = re.compile(r"\b[A-Z][a-z]{0,3}\.$")


def verbless(sentence: str) -> bool:
    """A sentence of three words or more with no finite verb: a fragment. The small
    parser misreads verbs ("People in the camp report ..." as a noun), and writers write
    fragments: reported, not gated (`benchmarks/prose_checks.py`)."""
    doc = parsed(sentence)
    words = [t for t in doc if not t.is_punct and not t.is_space]
    return len(words) >= 3 and not any(map(_finite, doc)) and not _ABBREVIATED.search(sentence)


def unparsed(sentence: str, article: Sequence[str] = ()) -> str | None:
    """Why a sentence does not parse as one, or None: a name's hedge verb in the passive
    with nothing hedged where the article has what is hedged ("Egypt is expected, with
    ..." for "Egypt is expected to ..."); a number above one counting a singular noun as
    the article does not ("the 14 time")."""
    doc = parsed(sentence)
    haystack = normalize(" ".join(article))
    for t in doc:
        if _hedges_nothing(t) and re.search(rf"\b{t.lower_} to\b", haystack):
            return f"'{t.text}' hedges nothing after it"
        if _singular_count(t) and not re.search(rf"\d\s+{t.head.lower_}\b", haystack):
            return f"'{t.text} {t.head.text}' counts in the singular"
    return None


def _finite(t: Token) -> bool:
    """A finite verb, or a past participle with a subject and no auxiliary, which the
    tagger reads for a past tense it is ("Cameron's duty involved visiting ...")."""
    if "Fin" in t.morph.get("VerbForm", []) or t.tag_ in ("VBD", "VBZ", "VBP", "MD"):
        return True
    deps = {c.dep_ for c in t.children}
    bare = t.tag_ == "VBN" and not deps & {"aux", "auxpass"}
    return bare and ("nsubj" in deps or (t.dep_ == "acl" and t.head.dep_ == "ROOT"))


def _hedges_nothing(t: Token) -> bool:
    """A hedge verb in the passive, said of a name, with nothing after it: "Egypt is
    expected," (to do what?)."""
    doc = t.doc
    deps = {c.dep_: c for c in t.children}
    subject = deps.get("nsubjpass")
    return (
        t.lemma_ in _HEDGE_VERBS
        and t.tag_ == "VBN"
        and subject is not None
        and subject.pos_ == "PROPN"
        and not deps.keys() & {"xcomp", "ccomp", "agent", "dobj"}
        and not any(map(_infinitive, t.children))  # ", according to X, to lead"
        and (t.i + 1 >= len(doc) or doc[t.i + 1].is_punct)
    )


def _infinitive(t: Token) -> bool:
    """A clause with "to" before its verb, however the parser attached it."""
    return t.dep_ == "advcl" and any(c.tag_ == "TO" for c in t.children)


def _singular_count(t: Token) -> bool:
    """`t` is a number above one ("14") whose head is a singular common noun it counts,
    in a noun phrase of its own ("the 14 time"; not "14-time winner", "20%", "£5 note")."""
    head = t.head
    if t.dep_ != "nummod" or head.tag_ != "NN" or head.i != t.i + 1 or not head.is_alpha:
        return False
    value = t.text.replace(",", "")
    if not value.isdigit() or int(value) < 2 or (len(value) == 4 and value[:2] in ("19", "20")):
        return False
    if t.i > 0 and t.doc[t.i - 1].tag_ == "$":
        return False
    if t.ent_type_ in ("TIME", "DATE", "QUANTITY", "MONEY", "PERCENT"):  # "3 pm", "5 ft"
        return False
    if zipf_frequency(f"{head.lower_}s", "en") < 3:  # a unit never plural: "84 percent"
        return False
    after = head.doc[head.i + 1] if head.i + 1 < len(head.doc) else None
    return head.dep_ in ("dobj", "pobj", "nsubj", "attr") and not (
        after is not None and (after.text == "-" or after.pos_ in ("NOUN", "PROPN", "NUM"))
    )


# Parts of speech a sentence cannot end on: it needs what comes after them.
_OPEN_ENDED = frozenset({"ADP", "DET", "CCONJ", "SCONJ", "AUX"})


def cut_end(text: str) -> str | None:
    """The last words where a text ends on a word that needs what follows: a preposition,
    a determiner, a conjunction, an auxiliary or a negated one without its verb ("... has
    not"): cut by a length cap."""
    doc = parsed(text.rstrip())
    words = [t for t in doc if not t.is_punct and not t.is_space]
    if len(words) < 3:
        return None
    last = words[-1]
    if last.tag_ == "POS":  # "China's Trial of a Cult Member's": whose what?
        return f"{words[-2].text}{last.text}"
    if last.lower_ in ("not", "n't") and len(words) > 1:
        if words[-2].pos_ in ("AUX", "VERB") and words[-2].lemma_ in ("have", "be", "do"):
            return f"{words[-2].text} {last.text}"
        return None
    if last.pos_ == "DET" and last.lower_ not in ("a", "an", "the"):
        return None  # "one another", "they lost both"
    possessive = last.pos_ == "PRON" and "Yes" in last.morph.get("Poss", []) and last.dep_ == "poss"
    if possessive or (last.pos_ in _OPEN_ENDED and last.dep_ != "prt"):
        if last.pos_ == "AUX" and last.dep_ not in ("aux", "auxpass"):
            return None  # "... as it always has", "... than it was"
        return last.text
    return None


# Words that open a sentence and stand for something before it: read first, as a TL;DR or
# a summary is, they stand for nothing ("This proposal is based on ...", "He said ...").
_REFERRING = frozenset({"he", "she", "they", "him", "them", "his", "her", "their", "this",
                        "these", "that", "those"})  # fmt: skip
# "This afternoon the prosecutor said": a time, which the brief's date fixes.
_TIMES = frozenset({"morning", "afternoon", "evening", "week", "weekend", "month", "year",
                    "season", "summer", "spring", "autumn", "winter", "decade"})  # fmt: skip
# "The group urged ...": a noun that renames what came before it, alone with "the".
_RENAMING = frozenset({"group", "couple", "pair", "move", "decision", "incident", "latter",
                       "former"})  # fmt: skip


def dangling(sentence: str) -> str | None:
    """The opening words of a sentence that refer to what came before it (a pronoun, a
    demonstrative, "The group" alone), or None: the opening sentence of a TL;DR or a
    summary has nothing before it. "It" is left alone: it often stands for the clause
    after it ("It is not clear what ...")."""
    doc = parsed(sentence)
    words = [t for t in doc if t.is_alpha]
    if len(words) < 2:
        return None
    first, second = words[0], words[1]
    if first.i in {i for a, b in _quoted_spans(sentence) for i in range(a, b)}:
        return None
    lower = first.lower_
    if lower in _REFERRING and first.pos_ in ("PRON", "DET"):
        if first.pos_ == "DET" and (second.lower_ in _TIMES or first.ent_type_ in ("DATE", "TIME")):
            return None  # "This past Saturday"
        if lower == "that" and first.dep_ not in ("nsubj", "det"):
            return None  # "That the plan failed is clear"
        if any(c.dep_ == "relcl" for c in first.children):
            return None  # "Those who voted": the clause says who
        return first.text if first.pos_ == "PRON" else f"{first.text} {second.text}"
    if lower == "the" and second.lower_ in _RENAMING and second.dep_ in ("nsubj", "nsubjpass"):
        return f"{first.text} {second.text}"
    return None


def cut_phrase(text: str, article: Sequence[str]) -> str | None:
    """The last words where a text ends inside a noun phrase of the article's: its last
    three words are the article's, and there the last one modifies the word after it
    ("... according to a campaign" where the article has "a campaign group"). A cap cut
    it; where the article has the words end a phrase somewhere, they may end one here."""
    words = normalize(text).rstrip(" .!?'\u2019\u201d)").split()
    if len(words) < 3:
        return None
    tail = " ".join(words[-3:])
    cut = None
    for sentence in article:
        if tail not in normalize(sentence):
            continue
        doc = parsed(sentence)
        for t in doc[2:]:
            if normalize(doc[t.i - 2 : t.i + 1].text) != tail:
                continue
            follows = doc[t.i + 1] if t.i + 1 < len(doc) else None
            if follows is None or t.head.i <= t.i or t.dep_ not in _MODIFIES:
                return None  # the article ends a phrase on it
            cut = f"{' '.join(words[-3:])} ({follows.text})"
    return cut


# A noun of a compound ("campaign group", "Prime Minister"): an adjective may end a phrase.
_MODIFIES = frozenset({"compound"})


# Relations between two names: "A's X with B", "A's X of / to / over B" (possessor and
# object of a preposition on the same noun X).
_RELATING = frozenset({"with", "to", "of", "over", "on", "against", "for", "from"})


def relations(sentence: str) -> list[tuple[str, str, str, str]]:
    """(owner, noun, preposition, other) for each "A's X <prep> B" between two names."""
    out = []
    for t in parsed(sentence):
        if t.pos_ not in ("NOUN", "PROPN"):
            continue
        owner = next((c for c in t.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
        if owner is None:
            continue
        for prep in t.children:
            if prep.dep_ == "prep" and prep.lower_ in _RELATING:
                obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                if obj is not None and obj.pos_ == "PROPN":
                    out.append((_name(owner), t.lemma_.lower(), prep.lower_, _name(obj)))
    return out


def _name(t: Token) -> str:
    parts = [c for c in t.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
    return " ".join([*(p.text for p in parts), t.text])


def reversed_relations(sentence: str, evidence: Iterable[str]) -> list[str]:
    """The relations of `sentence` ("Washington's relationship with the UK") that an
    evidence sentence has with the two names swapped ("Britain's relationship with
    Washington") and none has the sentence's way round."""
    mine = relations(sentence)
    if not mine:
        return []
    theirs = [r for s in evidence for r in relations(s)]
    found = []
    for a, noun, prep, b in mine:
        same = [r for r in theirs if r[1] == noun and r[2] == prep]
        swapped = any(_is(b, r[0]) and _is(a, r[3]) for r in same)
        kept = any(_is(a, r[0]) and _is(b, r[3]) for r in same)
        if swapped and not kept:
            found.append(f"{a}'s {noun} {prep} {b}")
    return found


def owned_roles(sentence: str) -> list[tuple[str, str]]:
    """(owner, noun) for each "A's X" where A is a name and X a common noun ("Chris
    Christie's husband")."""
    out = []
    for t in parsed(sentence):
        if t.pos_ != "NOUN":
            continue
        owner = next((c for c in t.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
        if owner is not None:
            out.append((_name(owner), t.lemma_.lower()))
    return out


def named_as(sentence: str) -> list[tuple[str, str]]:
    """(name, noun) for each noun the article puts beside a name as what it is: "her
    husband, Chris Christie", "Chris Christie, her husband" (apposition), "Her husband
    Chris Christie" (the noun before the name)."""
    out = []
    for t in parsed(sentence):
        if t.pos_ != "NOUN":
            continue
        for c in t.children:
            if c.dep_ == "appos" and c.pos_ == "PROPN":
                out.append((_name(c), t.lemma_.lower()))
        if t.dep_ in ("appos", "compound") and t.head.pos_ == "PROPN":
            out.append((_name(t.head), t.lemma_.lower()))
    return out


def reversed_roles(sentence: str, evidence: Iterable[str]) -> list[str]:
    """The "A's X" of `sentence` where the evidence has A as the X ("Chris Christie's
    husband" for "her husband, Chris Christie") and nowhere someone as A's X."""
    mine = owned_roles(sentence)
    if not mine:
        return []
    evidence = list(evidence)
    theirs = [r for s in evidence for r in named_as(s)]
    owned = [r for s in evidence for r in owned_roles(s)]
    return [
        f"{a}'s {noun}"
        for a, noun in mine
        if any(_same(a, n) and x == noun for n, x in theirs)
        and not any(_is(a, n) and x == noun for n, x in owned)
    ]


def _same(name: str, other: str) -> bool:
    """The same person by name: one name the end of the other, two words or more ("Chris
    Christie", "Governor Chris Christie"), not a surname two people share."""
    a, b = normalize(name).split(), normalize(other).split()
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 2 and long[-len(short) :] == short)


def _is(name: str, other: str) -> bool:
    return name_occurs(name, normalize(other)) or name_occurs(other, normalize(name))
