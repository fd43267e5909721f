"""Benchmark: briefs against an editor's hand-checked gold (`benchmarks/editor_gold/`).

The gold was written by hand from 24 news_dev articles (Zhang et al. 2023, research use;
the texts are not in this repository): for each, the entities a reader needs, who said
what (speaker, kind of source, hedging, the sentence that says it), the figures that
matter and "traps", patterns a faithful brief must not contain (a plan told as done, a
possibility as fact, a reversed relation, a wrong speaker). `dev.json` is for
development; `held_out.json` is the held-out half: score it rarely, and read only its
totals (this script lists its missed items only with `--details`).

Run, from the repository root:
    python benchmarks/editor_gold.py [dev|held_out] [--candidates] [--lines 33,39]
        [--eval ../shared/eval] [--details]
Default: the embedded model writes each brief (`Summarizer(backend="embedded",
cache=False)`, 10-20 s an article). `--candidates`: what code proposes without the model
(`summarizer.candidates.propose` on the article's sentences), fast, for development;
those have no title, TL;DR or summary.

Matching:
- Names are normalized: case, punctuation (apostrophes, full stops, commas; hyphens and
  "&" are kept), curly quotes, a leading "the", spaces.
- Entity: a brief entity matches a gold entity if its name equals the gold name or an
  alias, or is a whole-word tail of one ("Guardiola" ~ "Pep Guardiola", the surname), or
  ends with a gold name of two words or more ("French minister Bernard Cazeneuve").
  Recall pairs gold and brief entities one to one (exact matches first); precision counts
  a brief entity right if it matches any gold entity or an `also_ok` name; type accuracy
  is over the matched pairs.
- Claim: recalled if a brief claim cites (by the article's sentence numbers, as
  `Article.from_text(text).sentences` numbers them) a sentence holding the gold `in`
  excerpt (or an `also_in` one) and its `attributed_to` matches the gold speaker or an
  alias: equal, or holding it as whole words, or a capitalized whole-word tail of it
  ("Guardiola"). One brief claim recalls one gold claim. Label accuracy over recalled:
  `source_kind` and `hedging` both the gold's (a gold list allows either). Precision:
  brief claims that match some gold claim.
- Figure: recalled if a brief figure's value equals the gold value, normalized ("70 per
  cent" == "70%", commas, currency signs and spaces ignored, "million" == "m", number
  words as digits: "three" == "3"), and its `counts` holds one of the gold count words
  (lower case, crude stems: "members" ~ "member"; every word of a multi-word one).
  Precision: brief figures matching some gold figure.

Defects, per brief, each listed with its text:
- pronoun: a TL;DR, key point, claim statement, open question or the summary's first
  sentence that starts with a pronoun or demonstrative (He, She, It, They, This, ...,
  "The move", "The couple", ...) whose referent is not in that text ("It is not clear
  ..." and other empty "it" are not counted);
- first_person: I, we, my, our, me, us outside quotation marks in the title, TL;DR,
  summary, key points or claim statements;
- repeated: two summary sentences, or the TL;DR and a summary sentence, sharing >= 80%
  of the longer one's words;
- cut_end: the title or a sentence ending in a function word ("the", "has", "of",
  "and", "not", ...) or with an unclosed double quotation mark;
- open_question: an open question with no sign of something unknown, unclear or
  disputed;
- trap: a gold trap pattern matching anywhere in the brief's text.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "benchmarks" / "editor_gold"

Brief = dict[str, Any]
DEFECT_KINDS = ("pronoun", "first_person", "repeated", "cut_end", "open_question", "trap")


# --- normalizing -------------------------------------------------------------------------


def spaced(text: str) -> str:
    """Text with every run of white space (no-break spaces too) as one space."""
    return " ".join(text.replace("\xa0", " ").split())


def norm_name(name: str) -> str:
    """A name for comparing: lower case, no punctuation but hyphens and "&", no "the"."""
    s = name.replace("\u2019", "'").replace("\u2018", "'").lower()
    s = re.sub(r"[^\w\s&-]", "", s.replace("'", ""))
    s = re.sub(r"^the\s+", "", spaced(s))
    return s


def tokens(name: str) -> list[str]:
    return norm_name(name).split()


def is_tail(short: str, long: str, *, capitalized: bool = False) -> bool:
    """`short`'s words end `long`'s (and, if asked, begin with a capital in `long`)."""
    a, b = tokens(short), tokens(long)
    if not a or len(a) > len(b) or b[-len(a) :] != a:
        return False
    if not capitalized:
        return True
    words = re.sub(r"[^\w\s&-]", "", long.replace("'", "")).split()
    return len(words) >= len(a) and words[-len(a)][:1].isupper()


def contains_words(text: str, words: str) -> bool:
    """`words` (normalized) occur in `text` (normalized) as whole words."""
    t, w = tokens(text), tokens(words)
    return bool(w) and any(t[i : i + len(w)] == w for i in range(len(t) - len(w) + 1))


NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "a": "1",
}  # fmt: skip
FRACTIONS = {
    "two-thirds": "2/3", "two thirds": "2/3", "a third": "1/3", "one third": "1/3",
    "one-third": "1/3", "a quarter": "1/4", "a fifth": "1/5", "one fifth": "1/5",
    "half": "1/2", "a half": "1/2",
}  # fmt: skip
SCALES = {"million": "m", "mn": "m", "m": "m", "billion": "bn", "bn": "bn", "thousand": "k",
          "k": "k", "%": "%", "st": "st", "nd": "nd", "rd": "rd", "th": "th"}  # fmt: skip
NUMBER = re.compile(
    r"(\d+(?:\.\d+)?(?:/\d+)?)\s*(%|million|mn|billion|bn|thousand|st|nd|rd|th|m|k)?(?![a-z])"
)


def norm_value(value: str) -> str:
    """A figure's value for comparing: "70 per cent" -> "70%", "£1.7 million" -> "1.7m"."""
    s = value.lower().replace("\u00c2", "").replace("\u00e2", "")
    s = re.sub(r"\s*(per ?cent|percent|pc)\b", "%", s)
    s = re.sub(r"[£$€¥,]|\bus(?=\d)|\byuan\b", "", s)
    for words, digits in FRACTIONS.items():
        if re.search(rf"\b{words}\b", s):
            return digits
    s = re.sub(
        r"\b(" + "|".join(NUMBER_WORDS) + r")\b(?=\s*(million|billion|thousand|$|\s|-))",
        lambda m: NUMBER_WORDS[m.group(1)],
        s,
    )
    s = re.sub(r"\ba\b", "", s) if not re.search(r"\d", s) else s
    m = NUMBER.search(s)
    if m is None:
        return spaced(s)
    number = m.group(1)
    if "." in number and "/" not in number:
        number = number.rstrip("0").rstrip(".")
    return number + SCALES.get(m.group(2) or "", "")


def stem(word: str) -> str:
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)] + repl
    return w


def stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


# --- the gold ----------------------------------------------------------------------------


@dataclass
class Scores:
    """Counts for one article (or the sum of many)."""

    ent_gold: int = 0
    ent_hit: int = 0
    ent_brief: int = 0
    ent_ok: int = 0
    type_right: int = 0
    clm_gold: int = 0
    clm_hit: int = 0
    clm_brief: int = 0
    clm_ok: int = 0
    label_right: int = 0
    fig_gold: int = 0
    fig_hit: int = 0
    fig_brief: int = 0
    fig_ok: int = 0
    defects: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    wrong_labels: list[str] = field(default_factory=list)
    defect_texts: list[str] = field(default_factory=list)

    def add(self, other: Scores) -> None:
        for name in self.__dataclass_fields__:
            if isinstance(getattr(self, name), int):
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.defects.update(other.defects)


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def gold_sentences(claim: dict[str, Any], sentences: list[str]) -> set[int]:
    """The numbers (from 1) of the sentences holding the claim's excerpts."""
    found: set[int] = set()
    for excerpt in [claim["in"], *claim.get("also_in", [])]:
        e = spaced(excerpt)
        found |= {i for i, s in enumerate(sentences, 1) if e in spaced(s)}
    return found


# --- matching ----------------------------------------------------------------------------


def entity_match(name: str, gold: dict[str, Any]) -> int:
    """2: the name or an alias; 1: a surname-like tail, or it ends with the gold name; 0."""
    names = [gold["name"], *gold.get("aliases", [])]
    n = norm_name(name)
    if any(n == norm_name(g) for g in names):
        return 2
    if any(is_tail(name, g, capitalized=True) for g in names):
        return 1
    if any(len(tokens(g)) >= 2 and is_tail(g, name) for g in names):
        return 1
    return 0


def speaker_match(attributed_to: str, claim: dict[str, Any]) -> bool:
    for g in [claim["speaker"], *claim.get("aliases", [])]:
        if not tokens(g):
            continue
        if norm_name(attributed_to) == norm_name(g) or contains_words(attributed_to, g):
            return True
        if is_tail(attributed_to, g, capitalized=True):
            return True
    return False


def figure_match(figure: dict[str, Any], gold: dict[str, Any]) -> bool:
    if norm_value(str(figure.get("value", ""))) != norm_value(gold["value"]):
        return False
    have = stems(str(figure.get("counts", "")))
    return any(all(stem(w) in have for w in c.lower().split()) for c in gold["counts"])


def pair(
    gold: list[dict[str, Any]],
    brief: list[dict[str, Any]],
    score: Callable[[dict[str, Any], dict[str, Any]], int],
) -> dict[int, int]:
    """Gold index -> brief index, one to one, the best-scoring matches first."""
    scored = sorted(
        ((score(g, b), gi, bi) for gi, g in enumerate(gold) for bi, b in enumerate(brief)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    chosen: dict[int, int] = {}
    used: set[int] = set()
    for s, gi, bi in scored:
        if s > 0 and gi not in chosen and bi not in used:
            chosen[gi] = bi
            used.add(bi)
    return chosen


# --- defects -----------------------------------------------------------------------------

PRONOUN_START = re.compile(
    r"^[\"'\u201c\u2018]?(He|She|It|They|This|These|That|Those|His|Her|Their|Its|Him|Them"
    r"|The (move|decision|couple|pair|latter|former|group|incident|plan|deal))\b"
    # "This afternoon the Paris prosecutor said": a time, which the brief's date fixes
    r"(?! (?:morning|afternoon|evening|week|weekend|month|year|season|summer|spring"
    r"|autumn|winter)\b)"
)
EMPTY_IT = re.compile(
    r"^It (is|was|has been|had been|remains|seems|appears|will be|would be|could be)"
    r"( not| now| still)?"
    r" (clear|unclear|known|unknown|expected|likely|unlikely|thought|believed|understood"
    r"|reported|said|hoped|feared|possible|impossible|time|difficult|hard|important"
    r"|necessary|too early|\d+|[a-z]+ (years|months|weeks|days))\b"
)
FIRST_PERSON = re.compile(r"\bI\b(?!\.)|\b(we|We|my|My|our|Our|me|us|Us)\b")
QUOTED = re.compile(
    r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u2018[^\u2019]*\u2019(?!\w)|(?<!\w)'[^']*'(?!\w)"
)
FUNCTION_END = re.compile(
    r"\b(the|a|an|has|have|had|of|and|or|not|to|for|with|by|from|but|its|their|our|my|your"
    r"|as|than|into|if|because|whose|which)[\s\"'\u201d\u2019)]*[.!?]?[\s\"'\u201d\u2019)]*$",
    re.IGNORECASE,
)
UNKNOWN = re.compile(
    r"\?|\b(unclear|not clear|unknown|not known|no-?one knows|nobody knows|uncertain"
    r"|disputed?|disputes|contested|denie[sd]|deny|whether|why|how|what|when|where|who"
    r"|which|if|yet to|not yet|undecided|not (been )?decided|remains? to be|could not be"
    r"|cannot be|can't be|never explained|did not explain|not confirmed|unconfirmed"
    r"|allegedly|alleged|reportedly|claims?|doubts?|suspicions?|wonders?|unanswered"
    r"|not said|declined|refused to say|questions?)\b",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """The sentences of a brief's prose, as the article's are split."""
    from summarizer.segment import segment

    return [s.text for s in segment(text, "en")] if text.strip() else []


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def overlap(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    if min(len(wa), len(wb)) < 4:
        return 0.0
    return len(wa & wb) / max(len(wa), len(wb))


def unclosed_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("\u201c") != text.count("\u201d")


def brief_texts(brief: Brief) -> Iterable[str]:
    """Every piece of prose in the brief, for the traps."""
    for key in ("title", "tldr", "summary"):
        if brief.get(key):
            yield str(brief[key])
    for kp in brief.get("key_points", []):
        yield kp.get("text", "")
    for e in brief.get("entities", []):
        yield f"{e.get('name', '')}: {e.get('role', '')}"
    for c in brief.get("claims", []):
        yield f"{c.get('attributed_to', '')}: {c.get('statement', '')}"
    for f in brief.get("figures", []):
        yield f"{f.get('value', '')} {f.get('counts', '')}"
    for q in brief.get("open_questions", []):
        yield q.get("question", "")


def defects(brief: Brief, traps: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(kind, text) for each defect of the brief."""
    found: list[tuple[str, str]] = []
    summary = split_sentences(str(brief.get("summary") or ""))
    tldr = str(brief.get("tldr") or "")
    points = [kp.get("text", "") for kp in brief.get("key_points", [])]
    statements = [c.get("statement", "") for c in brief.get("claims", [])]
    questions = [q.get("question", "") for q in brief.get("open_questions", [])]
    standalone = [t for t in [tldr, *summary[:1], *points, *statements, *questions] if t]
    for text in standalone:
        if PRONOUN_START.match(text) and not EMPTY_IT.match(text):
            found.append(("pronoun", text))
    title = str(brief.get("title") or "")
    for text in [title, tldr, *summary, *points, *statements]:
        if text and FIRST_PERSON.search(QUOTED.sub(" ", text)):
            found.append(("first_person", text))
    for i, a in enumerate(summary):
        for b in summary[i + 1 :]:
            if overlap(a, b) >= 0.8:
                found.append(("repeated", f"{a} | {b}"))
        if tldr and overlap(tldr, a) >= 0.8:
            found.append(("repeated", f"TL;DR | {a}"))
    for text in [title, tldr, *summary, *points, *statements, *questions]:
        if text and (FUNCTION_END.search(text) or unclosed_quote(text)):
            found.append(("cut_end", text))
    for text in questions:
        if not UNKNOWN.search(text):
            found.append(("open_question", text))
    everything = "\n".join(brief_texts(brief))
    for trap in traps:
        m = re.search(trap["pattern"], everything)
        if m:
            found.append(("trap", f"{m.group(0)!r} ({trap['why']})"))
    return found


# --- scoring -----------------------------------------------------------------------------


def score(gold: dict[str, Any], brief: Brief, sentences: list[str]) -> Scores:
    sc = Scores()
    # Entities.
    g_ents, b_ents = gold["entities"], brief.get("entities", [])
    pairs = pair(g_ents, b_ents, lambda g, b: entity_match(b.get("name", ""), g))
    also = [{"name": n, "aliases": []} for n in gold.get("also_ok", [])]
    sc.ent_gold, sc.ent_hit, sc.ent_brief = len(g_ents), len(pairs), len(b_ents)
    sc.ent_ok = sum(
        1 for b in b_ents if any(entity_match(b.get("name", ""), g) for g in [*g_ents, *also])
    )
    for gi, g in enumerate(g_ents):
        if gi not in pairs:
            sc.missed.append(f"entity {g['name']} ({g['type']})")
        elif (got := b_ents[pairs[gi]].get("type")) != g["type"]:
            sc.wrong_labels.append(f"entity {g['name']}: type {got}, gold {g['type']}")
        else:
            sc.type_right += 1
    # Claims.
    g_claims, b_claims = gold["claims"], brief.get("claims", [])
    where = [gold_sentences(g, sentences) for g in g_claims]

    def claim_score(gi: int, b: dict[str, Any]) -> int:
        g = g_claims[gi]
        if not (set(b.get("sentences", [])) & where[gi]):
            return 0
        if not speaker_match(str(b.get("attributed_to", "")), g):
            return 0
        right = b.get("source_kind") in as_list(g["kind"]) and b.get("hedging") in as_list(
            g["hedging"]
        )
        return 2 if right else 1

    indexed = [{"i": i} for i in range(len(g_claims))]
    cpairs = pair(indexed, b_claims, lambda g, b: claim_score(g["i"], b))
    sc.clm_gold, sc.clm_hit, sc.clm_brief = len(g_claims), len(cpairs), len(b_claims)
    sc.clm_ok = sum(1 for b in b_claims if any(claim_score(i, b) for i in range(len(g_claims))))
    for gi, g in enumerate(g_claims):
        at = ",".join(f"S{n}" for n in sorted(where[gi]))
        if gi not in cpairs:
            sc.missed.append(f"claim {g['speaker']} [{at}] {g['gist']}")
            continue
        b = b_claims[cpairs[gi]]
        if claim_score(gi, b) == 2:
            sc.label_right += 1
        else:
            sc.wrong_labels.append(
                f"claim {g['speaker']} [{at}]: {b.get('source_kind')}/{b.get('hedging')},"
                f" gold {'|'.join(as_list(g['kind']))}/{'|'.join(as_list(g['hedging']))}"
            )
    # Figures.
    g_figs, b_figs = gold["figures"], brief.get("figures", [])
    fpairs = pair(g_figs, b_figs, lambda g, b: int(figure_match(b, g)))
    sc.fig_gold, sc.fig_hit, sc.fig_brief = len(g_figs), len(fpairs), len(b_figs)
    sc.fig_ok = sum(1 for b in b_figs if any(figure_match(b, g) for g in g_figs))
    for gi, g in enumerate(g_figs):
        if gi not in fpairs:
            sc.missed.append(f"figure {g['value']} ({'/'.join(g['counts'])})")
    # Defects.
    for kind, text in defects(brief, gold["traps"]):
        sc.defects[kind] += 1
        sc.defect_texts.append(f"{kind}: {text}")
    return sc


# --- making briefs -----------------------------------------------------------------------


def candidates_brief(sentences: list[str]) -> Brief:
    from summarizer.candidates import propose

    found = propose(sentences)
    return {k: v for k, v in found.lists().items() if k != "quotations"}


class ModelBriefs:
    """The embedded default, one brief an article."""

    def __init__(self) -> None:
        from summarizer import Summarizer

        self.summarizer = Summarizer(backend="embedded", cache=False)

    def __call__(self, text: str) -> Brief:
        result = self.summarizer.summarize(text)
        brief: Brief = result.brief.model_dump(mode="json")
        return brief

    def close(self) -> None:
        close = getattr(self.summarizer, "close", None)
        if close is not None:
            close()


# --- printing ----------------------------------------------------------------------------


def ratio(hit: int, total: int) -> str:
    return f"{hit}/{total}" if total else "-"


def pct(hit: int, total: int) -> str:
    return f"{hit / total:.2f}" if total else "  - "


HEADER = (
    f"{'line':>5} {'ent R':>7} {'ent P':>7} {'type':>6} {'clm R':>6} {'clm P':>6} "
    f"{'label':>6} {'fig R':>6} {'fig P':>6} {'defects':>8} {'sec':>6}"
)


def row(name: str, sc: Scores, seconds: str) -> str:
    return (
        f"{name:>5} {ratio(sc.ent_hit, sc.ent_gold):>7} {ratio(sc.ent_ok, sc.ent_brief):>7} "
        f"{ratio(sc.type_right, sc.ent_hit):>6} {ratio(sc.clm_hit, sc.clm_gold):>6} "
        f"{ratio(sc.clm_ok, sc.clm_brief):>6} {ratio(sc.label_right, sc.clm_hit):>6} "
        f"{ratio(sc.fig_hit, sc.fig_gold):>6} {ratio(sc.fig_ok, sc.fig_brief):>6} "
        f"{sum(sc.defects.values()):>8} {seconds:>6}"
    )


def totals_line(half: str, mode: str, sc: Scores, median: float) -> str:
    by_kind = ", ".join(f"{k} {sc.defects.get(k, 0)}" for k in DEFECT_KINDS)
    return (
        f"TOTAL {half} ({mode}): entities R {pct(sc.ent_hit, sc.ent_gold)}"
        f" P {pct(sc.ent_ok, sc.ent_brief)} type {pct(sc.type_right, sc.ent_hit)};"
        f" claims R {pct(sc.clm_hit, sc.clm_gold)} P {pct(sc.clm_ok, sc.clm_brief)}"
        f" label {pct(sc.label_right, sc.clm_hit)};"
        f" figures R {pct(sc.fig_hit, sc.fig_gold)} P {pct(sc.fig_ok, sc.fig_brief)};"
        f" defects {sum(sc.defects.values())} ({by_kind}); median {median:.2f} s/article"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("half", nargs="?", default="dev", choices=["dev", "held_out"])
    parser.add_argument("--candidates", action="store_true", help="code's items, no model")
    parser.add_argument("--lines", default="", help="only these news_dev lines: 33,39")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument(
        "--details", action="store_true", help="held_out: list its misses too (avoid)"
    )
    args = parser.parse_args(argv)

    from summarizer import Article

    gold = json.loads((GOLD / f"{args.half}.json").read_text())
    rows = [json.loads(line) for line in (args.eval / "news_dev.jsonl").open()]
    wanted = {int(n) for n in args.lines.split(",") if n.strip()}
    articles = [a for a in gold["articles"] if not wanted or a["line"] in wanted]
    show = args.half == "dev" or args.details
    mode = "candidates" if args.candidates else "embedded model"
    print(f"editor gold, {args.half} half: {len(articles)} articles, {mode}")
    make = None if args.candidates else ModelBriefs()
    total, seconds, reports = Scores(), [], []
    print(HEADER)
    try:
        for art in articles:
            record = rows[art["line"] - 1]
            if record["id"] != art["id"]:
                raise SystemExit(f"line {art['line']}: id {record['id']}, gold {art['id']}")
            text = record["article"]
            sentences = [s.text for s in Article.from_text(text).sentences]
            started = time.perf_counter()
            brief = candidates_brief(sentences) if make is None else make(text)
            took = time.perf_counter() - started
            sc = score(art, brief, sentences)
            total.add(sc)
            seconds.append(took)
            print(row(str(art["line"]), sc, f"{took:.1f}"), flush=True)
            reports.append((art["line"], sc))
    finally:
        if make is not None:
            make.close()
    median = statistics.median(seconds) if seconds else 0.0
    print(row("all", total, f"{median:.1f}"))
    print(totals_line(args.half, mode, total, median))
    if not show:
        print("(held-out half: items not listed; --details lists them)")
        return 0
    for line, sc in reports:
        if sc.missed or sc.wrong_labels or sc.defect_texts:
            print(f"\nline {line}")
            for m in sc.missed:
                print(f"  missed  {m}")
            for w in sc.wrong_labels:
                print(f"  label   {w}")
            for d in sc.defect_texts:
                print(f"  defect  {d[:220]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
