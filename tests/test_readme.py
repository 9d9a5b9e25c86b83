"""The README's set-up commands and example queries stay true."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import BASE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", README, re.S)


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"```sh\n(.*?)\n```", README.split("## Command line")[0], re.S)
    assert len(commands) == 2
    assert "archivekg build seeds/" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return ox.Store.read_only(str(seed_build / "current" / "store"))


@pytest.mark.parametrize("n", range(len(QUERIES)))
def test_example_query(store: ox.Store, n: int) -> None:
    q = QUERIES[n].replace("http://localhost:8080/", BASE)
    rows = list(store.query(q, use_default_graph_as_union=True))
    assert rows, QUERIES[n]
    if "Every utterance of Beqir Balluku" in q:
        assert [int(r["pos"].value) for r in rows] == list(range(2, 29, 2))
    if "exact source characters" in q:
        assert [(int(r["start"].value), int(r["end"].value)) for r in rows] == [(5995, 6209)]
    if "conversation with Mao Zedong" in q:
        assert {r["other"].value for r in rows} == {"Beqir Balluku"}


def test_every_cli_command_is_in_the_readme() -> None:
    out = subprocess.run(["archivekg", "--help"], capture_output=True, text=True, check=True).stdout
    commands = re.findall(r"^  (\w+)\s", out.split("Commands:")[1], re.M)
    assert commands
    for c in commands:
        assert f"archivekg {c}" in README


def test_every_server_setting_is_in_the_readme() -> None:
    """The README's settings table names every setting of server/config.py, with its default."""
    from server.config import SETTINGS

    for setting in SETTINGS:
        assert f"| `ARCHIVEKG_{setting.name}` | `{setting.default}` |" in README, setting.name
