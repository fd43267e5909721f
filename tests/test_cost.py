"""summarizer.cost: each result's cost in dollars, from its tokens and a price table or the
settings' price; a run that stops before it would pass --max-cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import genai_prices
import pytest
from typer.testing import CliRunner

from summarizer import Summarizer
from summarizer.cli import app
from summarizer.cost import Price, cost_of
from summarizer.result import Usage
from tests.conftest import SEED, FaultServer, Reply, completion, write_articles


def _priced_completion(content: str, cached: int) -> dict[str, Any]:
    body = completion(content, prompt_tokens=1000, completion_tokens=500)
    body["usage"]["prompt_tokens_details"] = {"cached_tokens": cached}
    return body


def _table(prompt: int, cached: int, answer: int, batch: bool = False) -> float:
    """What the price table itself says gpt-4o-mini costs on OpenAI."""
    found = genai_prices.calc_price(
        genai_prices.Usage(input_tokens=prompt, cache_read_tokens=cached, output_tokens=answer),
        "gpt-4o-mini",
        provider_id="openai",
        price_context={"processing": "batch"} if batch else None,
    )
    return float(found.total_price)


def test_an_openai_results_cost_is_the_price_tables_cached_input_included(
    fault_server: FaultServer, valid_summary_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    fault_server.script = [Reply(200, _priced_completion(valid_summary_json, cached=200))]
    with Summarizer(backend="openai", base_url=fault_server.base_url, model="gpt-4o-mini",
                    context_window=128_000) as summarizer:  # fmt: skip
        made = summarizer.summarize(SEED.read_text(encoding="utf-8"))
        hit = summarizer.summarize(SEED.read_text(encoding="utf-8"))
    assert made.provenance.usage.cached_tokens == 200
    assert made.provenance.cost_usd == pytest.approx(_table(1000, 200, 500))
    # cached input is cheaper: the same tokens uncached cost more
    assert (made.provenance.cost_usd or 0) < _table(1000, 0, 500)
    assert hit.cache_hit and hit.provenance.cost_usd == 0.0  # no call, no cost


def test_the_batch_api_is_priced_at_its_own_rate() -> None:
    from summarizer.backends import OpenAIBackend

    usage = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    backend = OpenAIBackend("https://api.openai.com/v1", "gpt-4o-mini", "sk-test")
    live, batch = cost_of(usage, backend), cost_of(usage, backend, batch=True)
    assert batch == pytest.approx(_table(1000, 0, 500, batch=True))
    assert live is not None and batch == pytest.approx(live / 2)  # OpenAI: half price


def test_an_unknown_model_costs_unknown_never_a_guess_and_a_price_setting_decides(
    fault_server: FaultServer, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, _priced_completion(valid_summary_json, cached=200))]
    options: dict[str, Any] = {"base_url": fault_server.base_url, "model": "my-own-llama",
                               "context_window": 32768, "cache": False}  # fmt: skip
    with Summarizer(**options) as summarizer:
        assert summarizer.summarize(SEED.read_text(encoding="utf-8")).provenance.cost_usd is None
    price = {"input": 2.0, "output": 8.0, "cached_input": 0.5}
    with Summarizer(price=price, **options) as summarizer:
        cost = summarizer.summarize(SEED.read_text(encoding="utf-8")).provenance.cost_usd
    assert cost == pytest.approx((800 * 2.0 + 200 * 0.5 + 500 * 8.0) / 1e6)


def test_the_embedded_model_costs_nothing() -> None:
    from summarizer.local.backend import EmbeddedBackend

    usage = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    assert cost_of(usage, EmbeddedBackend("", "qwen2.5-coder-0.5b")) == 0.0
    assert cost_of(usage, EmbeddedBackend("", "x"), Price(input=1, output=1)) == 0.0015


def test_a_price_setting_that_is_not_one_is_refused_in_one_line() -> None:
    from summarizer import ConfigError

    with pytest.raises(ConfigError, match="price"):
        Summarizer(base_url="http://127.0.0.1:9/v1", model="m", price={"input": -1, "output": 1})


def test_a_run_stops_starting_articles_before_it_would_pass_max_cost(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """$1,000 per million output tokens, 50 output tokens an answer: $0.05 an article.
    The first is foreseen from its prompt and the most tokens it may write (100: $0.10);
    the next ones at the mean of those made. $0.12 allows two; three are left."""
    fault_server.script = [Reply(200, completion(valid_summary_json, completion_tokens=50))]
    monkeypatch.setenv("SUMMARIZER_PRICE", json.dumps({"input": 0, "output": 1000}))
    folder = write_articles(tmp_path / "in", 5, 1)
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["summarize", str(folder), "--base-url", fault_server.base_url,
                                   "--model", "m", "--max-tokens", "100", "--context-window",
                                   "32768", "--max-cost", "0.12", "-o", str(out)])  # fmt: skip
    assert run.exit_code == 1
    assert len(fault_server.requests) == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a0.json", "a1.json"]
    assert "stopped at --max-cost $0.12: spent $0.1000; 3 article(s) left unstarted" in (run.output)
    costs = [
        json.loads(p.read_text())["provenance"]["cost_usd"] for p in (tmp_path / "out").iterdir()
    ]
    assert costs == [pytest.approx(0.05)] * 2


def test_articles_max_cost_leaves_unstarted_get_a_row_each(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """#36: one row per input (`wc -l` counts them), those not started for the budget
    included, each in its place; an unreadable input after the stop is its own failure."""
    fault_server.script = [Reply(200, completion(valid_summary_json, completion_tokens=50))]
    monkeypatch.setenv("SUMMARIZER_PRICE", json.dumps({"input": 0, "output": 1000}))
    folder = write_articles(tmp_path / "in", 5, 1)
    (folder / "a3.txt").write_text("")
    run = CliRunner().invoke(app, ["summarize", str(folder), "--base-url", fault_server.base_url,
                                   "--model", "m", "--max-tokens", "100", "--context-window",
                                   "32768", "--max-cost", "0.12"])  # fmt: skip
    assert run.exit_code == 1 and len(fault_server.requests) == 2
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(r["input"]["name"]).name for r in rows] == [f"a{n}.txt" for n in range(5)]
    assert all("summary" in r for r in rows[:2])
    unstarted = {"type": "NotStarted",
                 "message": "not started: it could take the run past --max-cost $0.12"}  # fmt: skip
    assert [r["error"] for r in rows[2:]] == [
        unstarted, {"type": "InputError", "message": "empty: no article text"}, unstarted
    ]  # fmt: skip
    assert "2 article(s) left unstarted" in run.stderr


def test_max_cost_needs_a_known_price(fault_server: FaultServer, tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["summarize", str(SEED), "--base-url", fault_server.base_url,
                                   "--model", "my-own-llama", "--max-cost", "1"])  # fmt: skip
    assert run.exit_code == 2 and not fault_server.requests
    assert "--max-cost: no price is known for" in run.output and "SUMMARIZER_PRICE" in run.output
