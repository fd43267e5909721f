"""Replay recorded model calls (no network) and compare the outcome with its fixture.

Cassettes were recorded from real servers by `python -m tests.recording`; see the
docs/testing.md. Record mode `none`: a request with no recording fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.recording import CASSETTES, FIXTURES, load_cases, make_vcr, run_case

CASES = load_cases()


def _ids(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_replay_matches_recorded_fixture(case: dict[str, Any]) -> None:
    fixture = json.loads((FIXTURES / f"{case['name']}.json").read_text())
    with make_vcr("none").use_cassette(f"{case['name']}.yaml") as cassette:
        outcome = run_case(case)
        assert cassette.all_played, "the replay made fewer requests than were recorded"
    assert outcome == fixture


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_each_recording_ends_as_the_case_says(case: dict[str, Any]) -> None:
    """`expect` in cases.json is written by hand: a re-recording that turns a valid summary
    into an error (or back) fails here until a person updates the case."""
    fixture = json.loads((FIXTURES / f"{case['name']}.json").read_text())
    assert case["expect"] in ("summary", "error")
    assert case["expect"] in fixture, f"{case['name']} now ends in {next(iter(fixture))}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_each_recording_holds_what_a_person_wrote_of_it(case: dict[str, Any]) -> None:
    """`then` in cases.json, written by hand from reading each recording: the error and
    what it says, or the corrections the policy made. A re-recording or a change in the
    checks that alters either fails here, whatever the regenerated fixture says."""
    fixture = json.loads((FIXTURES / f"{case['name']}.json").read_text())
    then = case["then"]
    with make_vcr("none").use_cassette(f"{case['name']}.yaml"):
        outcome = run_case(case)  # replayed now, not read from the fixture
    if "error" in then:
        assert outcome["error"]["type"] == then["error"]
        assert then["says"] in outcome["error"]["message"]
    else:
        made = [[c["field"], c["action"]] for c in outcome["corrections"]]
        assert made == then["corrections"]
    assert ("error" in then) == ("error" in fixture)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_replayed_results_pass_validation_against_the_article(case: dict[str, Any]) -> None:
    """A fixture is not trusted blindly: its summary must validate against its article."""
    from summarizer import ArticleSummary
    from summarizer.checks.scope import article_scope
    from summarizer.inputs import items
    from summarizer.language import skipped_checks

    fixture = json.loads((FIXTURES / f"{case['name']}.json").read_text())
    if "error" in fixture:
        pytest.skip("this recording ends in a reported error")
    # Read as the CLI and the recorder read it (an .html page is text, not markup).
    (item,) = items([str(Path(__file__).parent.parent / case["article"])])
    article = item.article
    assert article is not None
    sentences = [s.text for s in article.sentences]
    with article_scope(sentences, skip=skipped_checks(article.lang)):
        ArticleSummary.model_validate(fixture["summary"])  # the checks of its language


def test_a_request_without_recording_fails(seed_text: str) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    from summarizer import BackendError, Summarizer

    case = CASES[0]
    with make_vcr("none").use_cassette(f"{case['name']}.yaml"), pytest.raises(BackendError) as info:
        Summarizer(**case["options"], cache=False, temperature=0.5).summarize(seed_text)
    causes = []
    error: BaseException | None = info.value
    while error is not None:
        causes.append(error)
        error = error.__cause__
    assert any(isinstance(c, CannotOverwriteExistingCassetteException) for c in causes)


# Anything that looks like a credential: OpenAI keys, bearer tokens, secret headers.
SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._-]{8,}"),
    re.compile(
        r"(?i)^\s*(authorization|api-key|x-api-key|cookie|set-cookie|openai-organization|openai-project):",
        re.M,
    ),
    re.compile(r"\borg-[A-Za-z0-9]{16,}"),
    re.compile(r"\bproj_[A-Za-z0-9]{16,}"),
]


def test_cassettes_exist_for_every_case() -> None:
    recorded = {p.stem for p in CASSETTES.glob("*.yaml")}
    assert recorded == {c["name"] for c in CASES}


@pytest.mark.parametrize(
    "path", sorted(CASSETTES.rglob("*.yaml")), ids=lambda p: str(p.relative_to(CASSETTES))
)
def test_cassettes_hold_no_secrets(path: Path) -> None:
    text = path.read_text()
    for pattern in SECRET_PATTERNS:
        match = pattern.search(text)
        assert match is None, f"{path.name} contains {match.group(0)!r}"


def test_secret_scrubbing_removes_auth_headers() -> None:
    from summarizer.testing import scrub_request, scrub_response

    class Request:
        def __init__(self) -> None:
            self.uri = "http://user:pw@127.0.0.1:8/v1/chat/completions"
            self.headers = {
                "Authorization": "Bearer x",
                "OpenAI-Organization": "o",
                "Accept": "*/*",
            }

    scrubbed = scrub_request(Request())
    assert scrubbed.headers == {"Accept": "*/*"}
    assert scrubbed.uri == "http://127.0.0.1:8/v1/chat/completions"
    response = {
        "headers": {"Set-Cookie": ["a=b"], "openai-project": ["p"], "Content-Type": ["json"]}
    }
    assert scrub_response(response)["headers"] == {"Content-Type": ["json"]}


def test_a_real_recording_that_carried_keys_is_written_without_them(
    fault_server: Any,
    valid_summary_json: str,
    seed_text: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recorded for real (vcrpy in record mode, a server on loopback that answers with
    secret headers of its own): the key, a URL's password and the server's cookies and
    organization never reach the cassette file."""
    from summarizer import Summarizer
    from tests.conftest import Reply, completion

    key = "sk-test-" + "k3y" * 8
    secret_headers = {"set-cookie": "session=s3cr3t-cookie", "openai-organization": "org-x",
                      "x-request-id": "req-123"}  # fmt: skip
    fault_server.script = [Reply(200, completion(valid_summary_json), headers=secret_headers)]
    monkeypatch.setenv("SUMMARIZER_API_KEY", key)
    with_key = tmp_path / "with-key.yaml"
    with make_vcr("all").use_cassette(str(with_key)):
        Summarizer(base_url=fault_server.base_url, model="m", cache=False,
                   context_window=32768).summarize(seed_text)  # fmt: skip
    sent = {k.lower(): v for k, v in fault_server.requests[-1]["headers"].items()}
    assert sent["authorization"] == f"Bearer {key}"
    monkeypatch.delenv("SUMMARIZER_API_KEY")
    with_password = tmp_path / "with-password.yaml"
    url = fault_server.base_url.replace("http://", "http://reader:pa55-w0rd-x@")
    with make_vcr("all").use_cassette(str(with_password)):
        Summarizer(base_url=url, model="m", cache=False, context_window=32768).summarize(seed_text)
    sent = {k.lower(): v for k, v in fault_server.requests[-1]["headers"].items()}
    assert sent["authorization"].startswith("Basic ")
    for cassette in (with_key, with_password):
        text = cassette.read_text()
        assert "Egypt expected to lead Gaza" in text  # the exchange itself was recorded
        for secret in (key, "pa55-w0rd-x", "s3cr3t-cookie", "org-x", "req-123", "Basic "):
            assert secret not in text, (cassette.name, secret)
        for pattern in SECRET_PATTERNS:
            assert pattern.search(text) is None, (cassette.name, pattern.pattern)
