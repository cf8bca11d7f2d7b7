# `make` builds every manual in content/ into build/<stem>/; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

MANUALS := $(wildcard content/*.md)
BUILT   := $(patsubst content/%.md,build/%/.built,$(MANUALS))
# A manual's outputs depend on the manual, the themes and the package itself.
SOURCES := $(shell find src -type f \( -name '*.py' -o -name '*.ttf' -o -name '*.yaml' -o -name '*.zip' \) 2>/dev/null) pyproject.toml
THEMES  := $(wildcard themes/*.yaml themes/*/*)
LINTED  := src tests $(wildcard scripts)

.PHONY: all test lint check accept bench fuzz watch clean distclean

all: $(BUILT)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The stamp is touched only after a successful build; unchanged outputs keep their
# timestamps, so a no-op `make` touches nothing.
build/%/.built: content/%.md $(SOURCES) $(THEMES) | $(STAMP)
	$(BIN)/deckbuild -q build $< --out build/$*
	@mkdir -p $(@D) && touch $@

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy --strict src

check: $(STAMP)
	$(BIN)/deckbuild check $(MANUALS)

accept: $(STAMP)
	DECKBUILD_ACCEPT=1 $(BIN)/python -m pytest -q -m "not render" tests/test_golden.py tests/test_rubric_layout.py \
		tests/test_handout_golden.py tests/test_deck_golden.py tests/test_pptx_template.py

# An installed package carries bytecode; a checkout run with PYTHONDONTWRITEBYTECODE never
# gets any, and every build would time Python compiling deckbuild (the floor compiles nothing).
bench: $(STAMP)
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python scripts/bench.py

# The Hypothesis properties with many more examples (the fuzz profile in tests/conftest.py).
PROPERTIES := tests/test_properties.py tests/test_audiences.py tests/test_nothing_lost.py \
	tests/test_integrity.py \
	tests/test_handout_properties.py tests/test_pdf_flowables.py tests/test_deck_layout.py

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -m "not render" $(PROPERTIES)

# Rebuilds each manual in content/ into build/<stem>/ whenever it, its theme or a picture
# it shows changes; Ctrl-C stops. The .built stamps are left alone, so the next `make`
# builds once more (and, the outputs being the same, rewrites nothing).
watch: $(STAMP)
	$(BIN)/deckbuild -q watch $(MANUALS)

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
