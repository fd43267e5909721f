"""Your own brief (`summarizer.brief`): a user's schema made of the public blocks, checked,
salvaged, reported, rendered and served as the built-in one is, through Python, the CLI,
the service, `view` and `eval`; and every schema sent to OpenAI in its strict form."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from summarizer import ArticleSummary, SchemaError, Summarizer, SummaryResult
from summarizer.brief import Brief, findings_of, layout, load, overview_of, schema_digest
from summarizer.checks.report import ground_brief
from summarizer.checks.scope import article_scope
from summarizer.cli import app
from tests.conftest import FaultServer, Reply, completion
from tests.user_briefs import FactCheck, QuoteDesk

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
SPEC = "tests/user_briefs.py:FactCheck"
EXAMPLES = {
    "EconomicRelease": "examples/economic_release/brief.py:EconomicRelease",
    "CourtRuling": "examples/court_ruling/brief.py:CourtRuling",
}

# An answer a model could give for the seed: each claim in the article's words, with its
# claimant named in the sentences it cites, and a quotation copied verbatim.
ANSWER: dict[str, Any] = {
    "headline": "Egypt is expected to lead the Gaza stabilization force.",
    "claims": [
        {"sentences": [1], "claim": "Egypt is expected to lead the International Stabilization "
         "Force.", "claimant": "The Guardian", "status": "unverified"},
        {"sentences": [8], "claim": "Indonesia would commit to sending 20,000 soldiers to Gaza.",
         "claimant": "Indonesia", "status": "supported"},
    ],
    "quotes": [{"sentences": [5], "quote": "unified national Palestinian framework",
                "speaker": "Hamas"}],
    "topic": "politics",
    "tags": ["Gaza", "Egypt"],
}  # fmt: skip


@pytest.fixture
def sentences(seed_text: str) -> list[str]:
    from summarizer import Article

    return [s.text for s in Article.from_text(seed_text).sentences]


def _summarize(fault_server: FaultServer, answer: dict[str, Any], **options: Any) -> Any:
    fault_server.script = [Reply(200, completion(json.dumps(answer)))]
    with Summarizer(base_url=fault_server.base_url, model="m", cache=False,
                    context_window=32768, **options) as summarizer:  # fmt: skip
        return summarizer.summarize(SEED.read_text(encoding="utf-8"))


# -- the blocks --------------------------------------------------------------------------


def test_the_layout_tells_prose_items_and_what_passes_through() -> None:
    shape = layout(FactCheck)
    assert shape.prose == ("headline",)
    assert list(shape.items) == ["claims", "quotes"] and shape.lists == ("claims", "quotes")
    assert shape.plain == ("topic", "tags")  # cite nothing: passed through unchecked


def test_the_built_in_brief_is_made_of_the_same_blocks() -> None:
    shape = layout(ArticleSummary)
    assert shape.prose == ("title", "tldr", "summary")
    assert list(shape.items) == ["key_points", "entities", "claims", "figures", "open_questions"]
    assert shape.plain == ()


def test_no_module_outside_the_schema_names_the_built_in_brief() -> None:
    """#25's target: the checks, salvage, chunking, rendering, the page and the pipeline
    know no brief by name."""
    where = ["summarizer/checks", "summarizer/salvage.py", "summarizer/chunking.py",
             "summarizer/render.py", "summarizer/page", "summarizer/pipeline.py",
             "summarizer/view.py", "summarizer/brief.py"]  # fmt: skip
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for w in where
        for p in ([ROOT / w] if (ROOT / w).is_file() else sorted((ROOT / w).rglob("*.*")))
        if p.suffix in (".py", ".html")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "ArticleSummary" in line
    ]
    assert found == []


def test_the_gate_checks_each_cited_field_by_its_type(sentences: list[str]) -> None:
    with article_scope(sentences):
        assert FactCheck.model_validate(ANSWER).claims[1].claimant == "Indonesia"
        wrong_claimant = json.loads(json.dumps(ANSWER))
        wrong_claimant["claims"][1]["claimant"] = "Malaysia"
        with pytest.raises(ValueError, match="name: claimant 'Malaysia' does not occur in S8"):
            FactCheck.model_validate(wrong_claimant)
        misquoted = json.loads(json.dumps(ANSWER))
        misquoted["quotes"][0]["quote"] = "a unified Palestinian front"
        with pytest.raises(ValueError, match=r"quotation: quote .a unified Palestinian front"):
            FactCheck.model_validate(misquoted)
        invented = {**ANSWER, "headline": "Egypt will lead 40,000 troops in Gaza."}
        with pytest.raises(ValueError, match="number 40,000 is not in the article"):
            FactCheck.model_validate(invented)


def test_a_field_that_copies_its_description_is_an_echo(sentences: list[str]) -> None:
    """A small model copies the prompt's field descriptions ("The release's main news, as
    a short headline"): words of the prompt, not of the article."""
    copied = {**ANSWER, "headline": "A headline of at most 12 words."}
    with (
        article_scope(sentences),
        pytest.raises(
            ValueError, match="headline: echo: copies the words of a field's description"
        ),
    ):
        FactCheck.model_validate(copied)


def test_a_field_that_copies_a_line_of_its_prompt_is_an_echo(
    fault_server: FaultServer,
) -> None:
    """The embedded model, choosing for a user's brief, wrote its prompt's own line as the
    headline ("The most important sentences of an article", on a FRANK article): words of
    the prompt, not of the article. The headline is replaced by the article's; the
    choices stand."""
    copied = {"headline": "The most important sentences of an article", "quotes": [1]}
    result = _summarize(fault_server, copied, schema=QuoteDesk, lists="extract", max_reasks=0)
    assert result.provenance.prompt == "brief-choose"
    assert result.brief.headline != copied["headline"] and len(result.brief.quotes) == 1
    ((field, action, reason),) = [(c.field, c.action, c.reason) for c in result.corrections]
    assert (field, action) == ("headline", "replaced")
    assert reason.startswith("headline: echo: copies the words of the prompt's instructions")


def test_the_report_checks_every_part_field_by_field(sentences: list[str]) -> None:
    with article_scope(sentences):
        brief = FactCheck.model_validate(ANSWER)
    report = ground_brief(brief, sentences)
    assert [(c.field, c.index) for c in report.checks] == [
        ("headline", 1),
        ("claims", 1),
        ("claims", 2),
        ("quotes", 1),
    ]
    assert not report.errors
    quote = report.checks[-1]
    assert quote.text == "unified national Palestinian framework" and quote.evidence == [5]


def test_a_long_articles_parts_are_the_briefs_own() -> None:
    assert list(findings_of(FactCheck).model_json_schema()["properties"]) == ["claims", "quotes"]
    overview = overview_of(FactCheck).model_json_schema()["properties"]
    assert list(overview) == ["headline", "topic", "tags"]


def test_the_schema_digest_tells_briefs_apart() -> None:
    assert schema_digest(FactCheck) != schema_digest(ArticleSummary)
    assert schema_digest(load(SPEC)) == schema_digest(FactCheck)  # same schema, by file


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("tests/user_briefs.py:NotABrief", "a Pydantic model, but not a brief: subclass"),
        ("tests.user_briefs:not_a_class", "not a Pydantic model"),
        ("tests.user_briefs:NothingChecked", "nothing in it is checked against the article"),
        ("tests.user_briefs:ItemsWithoutSentences", "must keep `sentences: list[int]`"),
        ("tests.user_briefs:Unexpressible", "no JSON Schema for it"),
        ("tests.nowhere:Brief", "cannot import tests.nowhere"),
        ("tests/nowhere.py:Brief", "no such file: tests/nowhere.py"),
        ("tests.user_briefs:Missing", "tests.user_briefs has no Missing"),
        ("FactCheck", "name it as package.module:Class or path/to/file.py:Class"),
    ],
)  # fmt: skip
def test_a_schema_that_cannot_be_one_says_why_in_one_line(spec: str, says: str) -> None:
    with pytest.raises(SchemaError) as caught:
        load(spec)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_module_in_the_current_folder_says_it_is_not_searched(tmp_path: Path) -> None:
    """#36: `--schema desk.briefs:Earnings` beside the user failed with "No module named
    'desk'": the `summarizer` command searches its own folder, not the current one."""
    import os
    import shutil
    import subprocess
    import sys

    (tmp_path / "desk").mkdir()
    shutil.copy(ROOT / "tests" / "user_briefs.py", tmp_path / "desk" / "briefs.py")
    command = [str(Path(sys.executable).parent / "summarizer"), "schema", "--schema"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(spec: str, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, spec], cwd=tmp_path, env={**env, **more},
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    here = run("desk.briefs:FactCheck")
    assert here.returncode == 2 and here.stdout == ""
    (line,) = here.stderr.splitlines()
    assert f"desk is in the current folder, {tmp_path.resolve()}, which is not searched" in line
    assert "run with PYTHONPATH=. or name the file: desk/briefs.py:FactCheck" in line
    assert str(Path(sys.executable).parent) in line  # a folder it did search
    assert run("desk.briefs:FactCheck", PYTHONPATH=".").returncode == 0
    assert run("desk/briefs.py:FactCheck").returncode == 0
    (line,) = run("elsewhere.briefs:FactCheck").stderr.splitlines()
    assert "no module elsewhere in the folders searched (" in line
    assert "put the folder that holds it on PYTHONPATH" in line


# -- through Python ----------------------------------------------------------------------


# -- through Python ----------------------------------------------------------------------


def test_a_users_brief_from_python(fault_server: FaultServer) -> None:
    result = _summarize(fault_server, ANSWER, schema=FactCheck)
    assert isinstance(result.brief, FactCheck) and result.provenance.brief == "FactCheck"
    assert result.grounding is not None and not result.grounding.errors
    sent = fault_server.requests[0]["json"]
    form = sent["response_format"]["json_schema"]
    assert form["name"] == "FactCheck" and "claimant" in json.dumps(form["schema"])
    # The result's JSON reads back as the same brief, given its schema.
    again = SummaryResult.model_validate_json(
        result.model_dump_json(), context={"schema": FactCheck}
    )
    assert again.brief == result.brief


def test_a_failing_item_of_a_users_brief_is_dropped_and_said(fault_server: FaultServer) -> None:
    answer = json.loads(json.dumps(ANSWER))
    answer["claims"].append({"sentences": [9], "claim": "Azerbaijan sent 5,000 troops to Gaza.",
                             "claimant": "Times of Israel", "status": "supported"})  # fmt: skip
    result = _summarize(fault_server, answer, schema=FactCheck, max_reasks=0)
    assert len(result.brief.claims) == 2
    assert [(c.field, c.action) for c in result.corrections] == [("claims", "dropped")]


def test_the_cache_keeps_briefs_of_different_schemas_apart(tmp_path: Path) -> None:
    from summarizer import Article

    article = Article.from_text(SEED.read_text(encoding="utf-8"))
    options: dict[str, Any] = {"base_url": "http://127.0.0.1:9/v1", "model": "m",
                               "cache_dir": tmp_path}  # fmt: skip
    with Summarizer(**options) as built_in, Summarizer(schema=FactCheck, **options) as own:
        assert built_in.key_of(article) != own.key_of(article)


# -- OpenAI's strict form ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["ArticleSummary", "FactCheck", *EXAMPLES])
def test_every_schema_goes_to_openai_in_its_strict_form(name: str) -> None:
    from summarizer.backends import OpenAIBackend
    from summarizer.strict import violations

    known: dict[str, type[Brief]] = {"ArticleSummary": ArticleSummary, "FactCheck": FactCheck}
    brief = known[name] if name in known else load(EXAMPLES[name])
    backend = OpenAIBackend("https://api.openai.com/v1", "gpt-4o-mini", "sk-test", "json_schema")
    body = backend.extra_body(brief.model_json_schema(), [])
    assert body is not None
    form = body["response_format"]
    assert form["type"] == "json_schema" and form["json_schema"]["strict"] is True
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", form["json_schema"]["name"])
    assert violations(form["json_schema"]["schema"]) == []
    assert violations(brief.model_json_schema()) != []  # as Pydantic writes it: not strict


def test_the_strict_rules_catch_what_openai_refuses() -> None:
    from summarizer.strict import violations

    loose = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3},
             "b": {"$ref": "#/$defs/B", "description": "x"}}, "required": ["a"],
             "$defs": {"B": {"type": "object", "properties": {}}}}  # fmt: skip
    found = violations(loose)
    assert any("without additionalProperties: false" in v for v in found)
    assert any("required does not list every property" in v for v in found)
    assert any("'maxLength' is not in the strict subset" in v for v in found)
    assert any("a $ref with other keywords beside it" in v for v in found)


def test_a_compatible_server_keeps_the_form_it_constrains_with() -> None:
    from summarizer.backends import CompatibleBackend

    backend = CompatibleBackend("http://127.0.0.1:8/v1", "m", None, "json_schema")
    assert backend.extra_body(FactCheck.model_json_schema(), []) is None  # instructor's own


# -- through the CLI, the service, view and eval -----------------------------------------


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_a_users_brief_from_the_cli(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.script = [Reply(200, completion(json.dumps(ANSWER)))]
    common = ["--base-url", fault_server.base_url, "--model", "m", "--schema", SPEC]
    done = _cli("summarize", *common, "--no-cache", str(SEED))
    assert done.exit_code == 0, done.output
    written = json.loads(done.stdout)
    assert written["summary"]["quotes"][0]["speaker"] == "Hamas"
    shown = _cli("summarize", *common, "--no-cache", "-f", "markdown", str(SEED))
    assert shown.exit_code == 0, shown.output
    assert "## Claims" in shown.stdout and "## Quotes" in shown.stdout
    assert "- Egypt is expected" not in shown.stdout  # an item shows as its kinds say:
    assert "**The Guardian** (unverified): Egypt is expected" in shown.stdout
    assert "**Topic** politics" in shown.stdout and "**Tags** Gaza, Egypt" in shown.stdout


def test_the_cli_exports_a_users_schema_and_refuses_a_bad_one() -> None:
    done = _cli("schema", "--schema", SPEC)
    assert done.exit_code == 0
    assert json.loads(done.stdout)["title"] == "FactCheck"
    result = _cli("schema", "SummaryResult", "--schema", SPEC)
    assert "CheckedClaim" in result.stdout
    bad = _cli("schema", "--schema", "tests.user_briefs:NotABrief")
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    assert "not a brief" in bad.output


def test_view_shows_a_users_brief(
    fault_server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault_server.script = [Reply(200, completion(json.dumps(ANSWER)))]
    out = tmp_path / "brief.json"
    common = ["--base-url", fault_server.base_url, "--model", "m", "--schema", SPEC]
    made = _cli("summarize", *common, "--no-cache", str(SEED))
    assert made.exit_code == 0, made.output
    out.write_text(made.stdout)
    page = tmp_path / "brief.html"
    done = _cli("view", str(out), str(SEED), "--schema", SPEC, "-o", str(page))
    assert done.exit_code == 0, done.output
    html = page.read_text()
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))  # type: ignore[union-attr]  # fmt: skip
    fields = {f["name"]: f for f in data["layout"]["fields"]}
    assert fields["quotes"]["roles"] == {"quote": "quote", "speaker": "bold"}
    assert fields["headline"]["kind"] == "prose" and fields["tags"]["kind"] == "plain"
    # #36: without its schema, the result was read as the built-in brief ("not a
    # summarizer result (summary.title: Field required)"). The settings may name it; else
    # one line says the result's brief needs --schema.
    wrong = _cli("view", str(out), "-o", str(page))
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr == (
        f"summarizer: {out}: its brief is FactCheck, not the built-in one: name its schema, "
        "--schema package.module:FactCheck (or path/to/file.py:FactCheck)\n"
    )
    other = _cli("view", str(out), "--schema", "tests.user_briefs:QuoteDesk", "-o", str(page))
    assert other.exit_code == 2
    assert other.stderr.endswith("its brief is FactCheck, not QuoteDesk (--schema)\n")
    page.unlink()
    monkeypatch.setenv("SUMMARIZER_SCHEMA", SPEC)
    assert _cli("view", str(out), "-o", str(page)).exit_code == 0 and page.is_file()
    page.unlink()
    monkeypatch.delenv("SUMMARIZER_SCHEMA")
    monkeypatch.setenv("SUMMARIZER_SCHEMAS", json.dumps({"facts": SPEC}))
    assert _cli("view", str(out), "-o", str(page)).exit_code == 0 and page.is_file()


def test_eval_scores_a_users_text_fields(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.script = [Reply(200, completion(json.dumps(ANSWER)))]
    data = tmp_path / "set.jsonl"
    record = {"id": "gaza", "article": SEED.read_text(encoding="utf-8"),
              "reference_summary": "Egypt is expected to lead the Gaza force."}  # fmt: skip
    data.write_text(json.dumps(record) + "\n")
    common = ["--base-url", fault_server.base_url, "--model", "m", "--schema", SPEC]
    report = tmp_path / "report"
    done = _cli(
        "eval", str(data), *common, "--text", "headline+claims", "--report-dir", str(report)
    )
    assert done.exit_code == 0, done.output
    summary = json.loads((report / "report.json").read_text())["summary"]
    assert summary["articles"] == 1 and summary["failed"] == 0
    wrong = _cli("eval", str(data), *common, "--text", "summary", "--report-dir", str(report))
    assert wrong.exit_code == 2
    assert "FactCheck has no text field 'summary'" in wrong.output
    assert "headline, claims, quotes" in wrong.output


def test_the_service_serves_the_briefs_its_settings_name(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    from tests.test_service import serve

    fault_server.script = [Reply(200, completion(json.dumps(ANSWER)))]
    body = {"text": SEED.read_text(encoding="utf-8"), "schema": "factcheck"}
    with serve(fault_server, tmp_path, schemas={"factcheck": SPEC}) as running:
        listed = httpx.get(f"{running.url}/v1/schemas").json()
        assert listed["default"] == "ArticleSummary"
        assert sorted(listed["schemas"]) == ["ArticleSummary", "factcheck"]
        assert listed["layouts"]["factcheck"]["schema"] == "FactCheck"
        made = httpx.post(f"{running.url}/v1/summaries", json=body, timeout=30)
        assert made.status_code == 200, made.text
        assert made.json()["summary"]["quotes"][0]["speaker"] == "Hamas"
        assert made.json()["provenance"]["brief"] == "FactCheck"
        unknown = httpx.post(f"{running.url}/v1/summaries", json={**body, "schema": "x"})
        assert unknown.status_code == 404
        assert unknown.json()["error"]["message"] == (
            "no schema named 'x'; the service serves: ArticleSummary, factcheck"
        )


def test_the_service_will_not_start_with_a_schema_it_cannot_load() -> None:
    env = {"SUMMARIZER_SCHEMAS": json.dumps({"bad": "tests.user_briefs:NotABrief"})}
    refused = CliRunner().invoke(
        app, ["serve", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"], env=env
    )
    assert refused.exit_code == 2 and "not a brief" in refused.output


def test_the_strict_form_keeps_what_the_subset_allows_and_drops_the_rest() -> None:
    from typing import Optional

    from pydantic import Field

    from summarizer.brief import Brief, Cited, GroundedText
    from summarizer.strict import strict_schema, violations

    class Dated(Cited):
        text: GroundedText = Field(max_length=50, description="What happened.")
        when: str = Field(json_schema_extra={"format": "date"})
        where: str = Field(json_schema_extra={"format": "postal-code"})
        note: Optional[str] = None  # noqa: UP045

    class Timeline(Brief):
        headline: GroundedText = Field(max_length=80, json_schema_extra={"pattern": "^.+$"})
        events: list[Dated] = Field(min_length=1, max_length=5, description="In order.",
                                    json_schema_extra={"x-one-per": "event"})  # fmt: skip

    schema = Timeline.model_json_schema()
    before = json.dumps(schema, sort_keys=True)
    strict = strict_schema(schema)
    assert json.dumps(schema, sort_keys=True) == before  # the brief's own schema untouched
    assert violations(strict) == []
    events = strict["properties"]["events"]
    assert (events["minItems"], events["maxItems"], events["description"]) == (1, 5, "In order.")
    assert "x-one-per" not in events
    assert "maxLength" not in strict["properties"]["headline"]
    assert "pattern" not in strict["properties"]["headline"]
    item = strict["$defs"]["Dated"]
    assert item["required"] == ["sentences", "text", "when", "where", "note"]
    assert item["additionalProperties"] is False
    assert item["properties"]["when"]["format"] == "date"
    where = item["properties"]["where"]
    assert where == {"title": "Where", "type": "string"}  # a format strict mode lacks goes
    note = item["properties"]["note"]
    assert "default" not in note and {"type": "null"} in note["anyOf"]
    assert item["properties"]["sentences"]["items"] == {"type": "integer"}
    assert strict["properties"]["events"]["items"] == {"$ref": "#/$defs/Dated"}


def test_the_strict_rules_name_each_way_to_break_them() -> None:
    from summarizer.strict import MAX_DEPTH, MAX_PROPERTIES, violations

    def nested(depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "string"}
        for _ in range(depth):
            node = {"type": "object", "properties": {"a": node}, "required": ["a"],
                    "additionalProperties": False}  # fmt: skip
        return node

    assert violations(nested(MAX_DEPTH)) == []
    assert any("nested more than" in v for v in violations(nested(MAX_DEPTH + 2)))
    assert violations({"type": "array", "items": {"type": "string"}}) == [
        "$: the root is not an object"
    ]
    wide = {f"p{i}": {"type": "string"} for i in range(MAX_PROPERTIES + 1)}
    too_wide = {"type": "object", "properties": wide, "required": list(wide),
                "additionalProperties": False}  # fmt: skip
    assert violations(too_wide) == [f"$: {MAX_PROPERTIES + 1} properties, more than 5000"]
    odd = {"type": "object", "properties": {"d": {"type": "string", "format": "color"},
           "n": {"anyOf": [{"type": "integer", "minimum": 0}, "x"]}},
           "required": ["d", "n"], "additionalProperties": False}  # fmt: skip
    found = violations(odd)
    assert "$.d: format 'color' is not supported" in found
    assert "$.n.anyOf[1]: not a schema object" in found
    assert not any("minimum" in v for v in found)  # a number may have its bounds


def test_a_ref_with_notes_beside_it_is_inlined_for_openai() -> None:
    """Pydantic writes a field of one item with a description as a `$ref` with the
    description beside it, which strict mode refuses: the item is written in its place."""
    from pydantic import Field

    from summarizer.brief import Brief, Cited, GroundedText
    from summarizer.strict import strict_schema, violations

    class Lead(Cited):
        text: GroundedText

    class Story(Brief):
        headline: GroundedText
        lead: Lead = Field(description="The story's first fact.")

    schema = Story.model_json_schema()
    assert set(schema["properties"]["lead"]) == {"$ref", "description"}
    lead = strict_schema(schema)["properties"]["lead"]
    assert "$ref" not in lead and lead["description"] == "The story's first fact."
    assert lead["required"] == ["sentences", "text"] and lead["additionalProperties"] is False
    assert violations(strict_schema(schema)) == []
    typed = {"type": "object", "properties": {"d": {"type": ["string", "null"], "format": "date"}},
             "required": ["d"], "additionalProperties": False}  # fmt: skip
    assert violations(typed) == []  # a string among the types may have its format


def test_the_strict_form_reaches_into_lists_unions_and_definitions() -> None:
    from typing import Annotated, Optional

    from pydantic import Field, StringConstraints

    from summarizer.brief import Brief, GroundedText
    from summarizer.strict import MAX_PROPERTIES, strict_schema, violations

    Short = Annotated[str, StringConstraints(max_length=20)]

    class Tagged(Brief):
        headline: GroundedText = Field(max_length=80, description="A headline.")
        tags: list[Short] = Field(default_factory=list)
        aside: Optional[Short] = None  # noqa: UP045

    strict = strict_schema(Tagged.model_json_schema())
    headline = strict["properties"]["headline"]
    assert headline == {"description": "A headline.", "title": "Headline", "type": "string"}
    assert strict["properties"]["tags"]["items"] == {"type": "string"}  # no maxLength inside
    assert {"type": "string"} in strict["properties"]["aside"]["anyOf"]
    assert violations(strict) == []
    bad_item = {"type": "object", "properties": {"xs": {"type": "array", "items": {
        "type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}},
        "required": ["xs"], "additionalProperties": False}  # fmt: skip
    assert violations(bad_item) == ["$.xs[]: an object without additionalProperties: false"]
    bad_def = {"type": "object", "properties": {}, "required": [], "additionalProperties": False,
               "$defs": {"X": {"type": "object", "properties": {}, "required": []}}}  # fmt: skip
    assert violations(bad_def) == ["$.$defs.X: an object without additionalProperties: false"]
    assert strict_schema({"type": "object"})["required"] == []
    untyped = strict_schema({"properties": {"a": {"type": "string"}}})  # an object all the same
    assert untyped["additionalProperties"] is False and untyped["required"] == ["a"]
    assert any("without additionalProperties" in v for v in violations({"type": "object",
               "properties": {"o": {"properties": {}, "required": []}}, "required": ["o"],
               "additionalProperties": False}))  # fmt: skip
    wide = {f"p{i}": {"type": "string"} for i in range(MAX_PROPERTIES)}
    full = {"type": "object", "properties": wide, "required": list(wide),
            "additionalProperties": False}  # fmt: skip
    assert violations(full) == []  # as many as OpenAI allows, not more
