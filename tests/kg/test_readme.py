"""The README starts with the two commands for a fresh machine and documents what ships."""

from __future__ import annotations

import re
from pathlib import Path

from graph.core.namespaces import IMPORT_PREFIXES, all_prefixes
from graph.queries.catalogue import load_catalogue

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_begins_with_the_two_commands() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block and README.index("```sh") < 40
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test" in ci


def test_every_catalogue_query_is_documented() -> None:
    for name in load_catalogue():
        assert f"`{name}`" in README, name


def test_every_prefix_is_documented() -> None:
    for prefix in [*all_prefixes(), *IMPORT_PREFIXES]:
        if prefix in ("rdf",):
            continue
        assert f"`{prefix}:`" in README, prefix
