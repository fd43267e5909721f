"""summarizer.pytest_plugin, as a user's project meets it: a test records its model calls
once against a real (loopback) server and replays them with the server unused, with the
key scrubbed, a golden file compared, and a clear failure when the request changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED, FaultServer, Reply, completion

pytest_plugins = ["pytester"]

USER_TEST = """
from pathlib import Path

def test_brief(summarizer_recording):
    summarizer = summarizer_recording.summarizer(
        base_url="{url}", model="m", api_key="sk-secret-key-123456", max_reasks=0{more}
    )
    result = summarizer.summarize(Path(r"{seed}").read_text())
    summarizer_recording.assert_golden(result)
"""


def user_test(pytester: pytest.Pytester, server: FaultServer, more: str = "") -> None:
    pytester.makepyfile(test_brief=USER_TEST.format(url=server.base_url, seed=SEED, more=more))


def recorded(pytester: pytest.Pytester, server: FaultServer, summary: str) -> None:
    """The user's test, recorded once against `server` answering `summary`."""
    server.script = [Reply(200, completion(summary))]
    user_test(pytester, server)
    pytester.runpytest_subprocess("--summarizer-record=once").assert_outcomes(passed=1)


def test_record_once_then_replay_without_the_server(
    pytester: pytest.Pytester, fault_server: FaultServer, valid_summary_json: str
) -> None:
    fault_server.models = {"data": [{"id": "m", "context_length": 32768}]}
    recorded(pytester, fault_server, valid_summary_json)
    folder = pytester.path / "cassettes" / "test_brief"
    cassette = (folder / "test_brief.yaml").read_text()
    assert "/chat/completions" in cassette
    assert "sk-secret-key-123456" not in cassette  # scrubbed before it was written
    assert (folder / "test_brief.golden.json").is_file()
    asked = len(fault_server.requests)
    # Replayed with the network blocked, as in a CI without it: any connection fails.
    pytester.makeconftest(BLOCKED)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert len(fault_server.requests) == asked  # the server was not asked


BLOCKED = """
import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked in this test run")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
"""


def test_a_changed_request_says_why_and_how_to_re_record(
    pytester: pytest.Pytester, fault_server: FaultServer, valid_summary_json: str
) -> None:
    recorded(pytester, fault_server, valid_summary_json)
    user_test(pytester, fault_server, more=', language="fr"')  # another prompt
    run = pytester.runpytest_subprocess()
    run.assert_outcomes(failed=1)
    server = fault_server.base_url.removesuffix("/v1")
    run.stdout.fnmatch_lines([
        "summarizer: a request not in the cassette *test_brief.yaml: POST /v1/chat/completions"
        f" to {server} (the closest one recorded differs in its body); a change of prompt, "
        "schema or options changes the request, and so may an upgrade of summarizer (now *). "
        f"Re-record: pytest --summarizer-record=all 'test_brief.py::test_brief', with {server} "
        "answering",
    ])  # fmt: skip
    said = run.stdout.str()
    assert "cannot connect" not in said and "Traceback" not in said and "BackendError" not in said
    # The command it gives records the new request; replayed, it passes.
    pytester.runpytest_subprocess("--summarizer-record=all", "test_brief.py::test_brief"
                                  ).assert_outcomes(passed=1)  # fmt: skip
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


EMBEDDED_TEST = """
from pathlib import Path

def test_brief(summarizer_recording):
    summarizer = summarizer_recording.summarizer(backend="embedded", max_reasks=0)
    summarizer.summarize(Path(r"{seed}").read_text())
"""


def test_an_embedded_request_not_recorded_says_so(pytester: pytest.Pytester) -> None:
    """The embedded model's transport is replayed too; a request its cassette does not
    hold was reported as a connection that failed ("cannot connect to embedded model")."""
    pytester.makepyfile(test_brief=EMBEDDED_TEST.format(seed=SEED))
    cassette = pytester.path / "cassettes" / "test_brief" / "test_brief.yaml"
    cassette.parent.mkdir(parents=True)
    cassette.write_text("interactions: []\nversion: 1\n")  # recorded, but not this request
    run = pytester.runpytest_subprocess()
    run.assert_outcomes(failed=1)
    run.stdout.fnmatch_lines([
        "summarizer: a request not in the cassette *test_brief.yaml: POST /v1/chat/completions"
        " to the embedded model (nothing like it was recorded); *Re-record: pytest "
        "--summarizer-record=all 'test_brief.py::test_brief'",
    ])  # fmt: skip
    said = run.stdout.str()
    assert "cannot connect" not in said and "Traceback" not in said and "BackendError" not in said


def test_a_missing_cassette_fails_with_how_to_record_it(
    pytester: pytest.Pytester, fault_server: FaultServer
) -> None:
    user_test(pytester, fault_server)
    run = pytester.runpytest_subprocess()
    run.assert_outcomes(errors=1)
    run.stdout.fnmatch_lines(["*no cassette at *test_brief.yaml: record it against a real*"])
    assert fault_server.requests == []


def test_a_different_result_fails_the_golden_file(
    pytester: pytest.Pytester, fault_server: FaultServer, valid_summary_json: str
) -> None:
    recorded(pytester, fault_server, valid_summary_json)
    golden = pytester.path / "cassettes" / "test_brief" / "test_brief.golden.json"
    golden.write_text(golden.read_text().replace('"attempts": 1', '"attempts": 7'))
    run = pytester.runpytest_subprocess()
    run.assert_outcomes(failed=1)
    run.stdout.fnmatch_lines([
        f"the result differs from {golden} at provenance.attempts: 1 now, 7 recorded; if the "
        f"new result is right, store it: rm '{golden}' && pytest --summarizer-record=once "
        "'test_brief.py::test_brief' (its cassette replayed; --summarizer-record=all asks the "
        "model anew)",
    ])  # fmt: skip
    assert "Traceback" not in run.stdout.str() and "assert found" not in run.stdout.str()
    # What it says to do stores the result from the cassette, with the server unused.
    asked = len(fault_server.requests)
    golden.unlink()
    pytester.runpytest_subprocess("--summarizer-record=once", "test_brief.py::test_brief"
                                  ).assert_outcomes(passed=1)  # fmt: skip
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert len(fault_server.requests) == asked and '"attempts": 1' in golden.read_text()


def test_the_projects_cassettes_are_replayed_by_the_same_recorder() -> None:
    from summarizer import testing
    from tests import recording

    assert recording.expected is testing.comparable
    assert Path(recording.make_vcr("none").cassette_library_dir) == recording.CASSETTES
