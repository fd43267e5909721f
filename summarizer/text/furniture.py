"""Page furniture: what a web page puts among an article's sentences that is no part of the
story. A photo's caption ("Victim: DNA tests reportedly link ... (pictured) on Sunday"), a
note of what a photo shows ("(pictured left)", ", pictured in 2014,"), a byline ("By .
John Smith ."), a time stamp ("PUBLISHED: 12:31 EST"), a link ("Scroll down for video",
"Read more: ...", "Click here ..."). Daily Mail pages run captions into the text, often
without a final stop, so that the sentence breaker joins them to the sentence after.

The article's sentences keep their numbers (every item cites them); `proposable` says what
of each sentence code may propose an item from: the sentence without its photo notes, or
nothing where the sentence is furniture or holds a caption. `rule_of` names the rule that
decides, for measuring (`benchmarks/standing_alone.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.text import memo
from summarizer.text.words import SENTENCE_MEMO

# A whole sentence that is furniture: a link, a byline, a time stamp, a credit.
_FURNITURE = re.compile(
    r"^\W*(?:"
    r"(?:scroll|swipe)\s+(?:down|up|left|right|through)\b[^.]{0,40}?\b(?:videos?|pictures?|"
    r"photos?|images?|galler(?:y|ies)|more)\b"
    r"|read\s+more\b|click\s+here\b|see\s+more\b|(?:find\s+out|learn)\s+more\b|share\s+this\s+article\b|share\s+or\s+comment\b"
    r"|(?:published|updated|last\s+updated)\b\s*(?:at\s+|on\s+)?:?\s*[|\d]"
    r"|follow\s+@\w+|follow\s+(?:us|him|her|them|\w+)\s+on\s+(?:twitter|facebook|instagram)\b"
    r"|(?:image|photo(?:graph)?|picture|video)\s+(?:copyright|caption|credit)s?\b"
    r"|media\s+playback\s+is\s+(?:unsupported|not\s+supported)\b"
    r")",
    re.IGNORECASE,
)
# A byline: "By", then only names ("By . John Smith and Jane Doe . PUBLISHED: ...").
_BYLINE = re.compile(
    r"^By\s+(?:\.\s+)?[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|and|for|in|\.|\|))*"
    r"\s*\.?\s*(?:$|PUBLISHED|UPDATED)"
)
# A caption's label: a few words, the first capitalized, and a colon before a capital
# ("Scene of death: A destroyed graveyard ...", "TUNE-UP: Clinton's ..."). Not a name or a
# title ("Joy Smith: ...", "Fall of an Empire: The Story of ...", "the new Avengers: Age of
# Ultron"), and not a speaker's ("Nicholls said: 'I ...", "He laughs: 'It
# ...'", "Former England spinner Graeme Swann: \"I am ...": a word of speech, a pronoun
# first, or three words or more before a quotation).
_LABEL = re.compile(
    r"^[\"'\u201c\u2018]?([A-Z][\w'\u2019&-]*(?:\s+[\w'\u2019&-]+){0,4})(?<!\d):\s*"
    r"(?=([\"'\u201c\u2018])?[A-Z0-9\[])"
)
# The same spliced into a sentence: after a word with no stop ("... Hillary Clinton Obsessed
# with her style: Julia, pictured ..."), a capitalized word that begins it.
_SPLICED_LABEL = re.compile(
    r"(?<=[a-z0-9)])\s+([A-Z][a-z][\w'\u2019-]*(?:\s+[\w'\u2019&-]+){0,4}):\s+(?=[A-Z])"
)
_SPEECH_WORDS = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|wrote|writes|tweeted|posted|explained|"
    r"explains|stated|states|insisted|insists|admitted|admits|warned|warns|revealed|reveals|"
    r"declared|announced|claimed|claims|asked|asks|replied|continued|concluded|saying|"
    r"stressed|quipped|laughed|laughs|joked|went\s+on|reads|read|statement|message|quote|"
    r"quoted|tweet)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"(?:I|We|He|She|It|They|You|This|That|There|Who|What|Why|How|When|Where)\b")
_PREPOSITIONS = frozenset({"with", "in", "at", "on", "for", "from", "after", "before", "since",
                           "during", "like", "as", "by"})  # fmt: skip
_SMALL = frozenset({"of", "the", "a", "an", "and", "in", "on", "at", "to", "for", "with", "vs",
                    "v", "de", "la", "le", "von", "van", "&"})  # fmt: skip


def _is_label(text: str) -> bool:
    """Does `text` open with a caption's label (see `_LABEL`)?"""
    m = _LABEL.match(text)
    if m is None:
        return False
    label, words = m.group(1), m.group(1).split()
    if _SPEECH_WORDS.search(label) or _PRONOUN.match(label):
        return False
    if m.group(2) and len(words) >= 3:
        return False  # a speaker before a quotation
    if len(words) == 1 or label.isupper() or re.fullmatch(r"[A-Z][a-z]{2,}ing", words[0]):
        return True  # one word, capitals, or a gerund first ("Ditching Wall Street: ...")
    # A title's colon: its words capitalized but the small ones ("Fall of an Empire: The
    # Story of ..."), or a name after a preposition ("With the new Avengers: Age of Ultron
    # ..."; not "Ditching Wall Street: ...").
    titled = all(w[:1].isupper() or w.lower() in _SMALL for w in words)
    named = words[0].lower() in _PREPOSITIONS and words[-1][:1].isupper()
    return not titled and not named


# A note of what a photo shows: a bracket that opens with where it is or "pictured" ("(left)",
# "(pictured left and right)", "(above wiping away tears ...)", "(file photo of ...)").
_PHOTO_BRACKET = re.compile(
    r"\s*\((?:(?:pictured|picture|photo|photographed|left|right|centre|center|above|below|"
    r"top|bottom|inset|main|file\s+photo|far\s+left|far\s+right|second\s+(?:left|right|from)|"
    r"front|back|middle|background|foreground|circled|highlighted)\b[^()]*"
    r"|[^()]*?,\s*(?:left|right|centre|center|above|below)|[^()]*\bpictured\b[^()]*)\)"
)
# "X, pictured in 2014, rode ...", "the minivan pictured, but ...", not "was pictured with".
_PICTURED = re.compile(
    r",\s*pictured\b[^,.;:'\"\u2018\u2019\u201c\u201d()]{0,60},"
    r"|(?<![,\w])\s+pictured(?=[,.;:)]|\s*$)"
)
_PICTURED_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:\w+ly\s+)?pictured\b", re.I
)
_PICTURED_LABEL = re.compile(r"(?:^|\s)(?:Pictured|PICTURED)(?:\s+\w+)?\s*:")
_ENDS = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$|[\"'\u201d\u2019]\s*$")


def rule_of(sentence: str) -> str | None:
    """The rule that makes `sentence` not proposable (see `proposable`), or "note" where
    it only loses its photo notes; None where it is the article's as it is."""
    text = sentence.strip()
    if _FURNITURE.search(text):
        return "furniture"
    if _BYLINE.search(text):
        return "byline"
    if _PICTURED_LABEL.search(text):
        return "pictured label"
    if _is_label(text):
        return "label"
    if not (_PHOTO_BRACKET.search(text) or _PICTURED.search(text)):
        return None
    if not _ENDS.search(text):
        return "noted, no stop"
    if any(_is_label(text[m.start(1) :]) for m in _SPLICED_LABEL.finditer(text)):
        return "noted, spliced label"
    if re.search(r"\bpictured\b", _stripped(text)) and not _PICTURED_VERB.search(text):
        return "noted, a note left"
    return "note"


def _stripped(text: str) -> str:
    """`text` without its photo notes; ", 69, pictured left ..., enjoys" keeps the comma
    that closes the age."""
    text = _PHOTO_BRACKET.sub("", text)
    text = _PICTURED.sub(lambda m: "," if re.search(r"\d$", text[: m.start()]) and
                         m.group().startswith(",") else "", text)  # fmt: skip
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


@memo.bounded(SENTENCE_MEMO)
def proposable(sentence: str) -> str:
    """What of `sentence` an item may be proposed from: the sentence without its photo
    notes; "" where it is furniture (a link, a byline, a time stamp) or a photo's caption
    (a label before a colon; a photo note in a sentence without a final stop, with a label
    spliced into it, or one the rules cannot cut out)."""
    rule = rule_of(sentence)
    if rule is None:
        return sentence
    return _stripped(sentence) if rule == "note" else ""


def proposable_sentences(sentences: Sequence[str]) -> list[str]:
    """Each sentence as `proposable` leaves it, in order: numbers are kept."""
    return [proposable(s) for s in sentences]
