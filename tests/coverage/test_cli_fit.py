"""The coverage commands as an analyst reads them in 80- and 200-column terminals (shipped data).

Tables fit the terminal's width, labels wrap instead of being cut, ids are never cut, a
terminal gets the top gaps by default (a real pseudo-terminal), ``plan`` lists the risks each
pick newly assesses, ``query --list`` needs no argument, and ``gaps``/``plan`` say which
baseline they start from.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli.main import app
from graph.cli.output import TERMINAL_TOP, Column, table_text

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def airisk(*args: str, columns: int = 80) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def gaps_json() -> dict:  # type: ignore[type-arg]
    code, out, err = airisk("gaps", "--lens", "every", "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("columns", [80, 200])
def test_gaps_fits_the_terminal_and_never_cuts_an_id_or_a_label(columns: int, gaps_json: dict) -> None:  # type: ignore[type-arg]
    code, out, err = airisk("gaps", "--lens", "every", "--top", "40", columns=columns)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns, "a line is wider than the terminal"
    assert "…" not in out, "a cell was cut"
    text = " ".join(out.split())
    for risk in gaps_json["risks"][:40]:
        assert re.search(rf"(?<![\w:.-]){re.escape(risk['id'])}(?![\w:.-])", out), f"id {risk['id']} cut or missing"
        # every word of the label is printed (wrapped, not cut)
        assert all(w in text for w in _words(risk["label"])), risk["label"]
    assert re.search(r"\(40 of \d+ rows\)", " ".join(out.split()))
    if columns == 80:
        # too narrow for every column: some are left out (and named), or each row prints as a record
        assert "not shown at this width:" in out or "\n  risk: " in out
    else:
        assert "not shown at this width" not in out  # 200 columns show every column
        assert "core-bench (cap)" in out  # the evidence column, with the test ids whole


def test_gaps_and_plan_say_which_baseline_they_start_from() -> None:
    code, out, _ = airisk("gaps", "--top", "1")
    assert code == 0 and out.startswith("Baseline: the whole catalogue (")
    code, out, _ = airisk("plan", "--budget", "2")
    assert code == 0 and out.startswith("Baseline: an empty inventory (nothing run yet)")
    example = ROOT / "data" / "inventories" / "example.csv"
    code, out, _ = airisk("plan", "--budget", "1", "--inventory", str(example))
    # The line wraps at the terminal's width wherever the checkout's path makes it long.
    assert code == 0 and " ".join(out.split()).startswith(f"Baseline: inventory 'example' from {example} (")


def test_plan_lists_the_risks_each_pick_newly_assesses() -> None:
    code, out, err = airisk("plan", "--budget", "2", "--format", "json")
    assert code == 0, err
    steps = json.loads(out)["steps"]
    code, out, err = airisk("plan", "--budget", "2", columns=80)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    for n, step in enumerate(steps, 1):
        block = out.split(f"\n{n}. {step['test_id']} newly assesses {len(step['newly_assessed'])} risk")[1]
        block = block.split(f"\n{n + 1}. ")[0]
        for rid in step["newly_assessed"]:
            assert re.search(rf"(?<![\w:.-]){re.escape(rid)}\s+\(", block), f"{rid} missing from step {n}"


def test_query_list_needs_no_argument_and_a_missing_name_is_a_usage_error() -> None:
    code, out, err = airisk("query", "--list", columns=100)
    assert code == 0, err
    assert "crosswalk" in out and "tests-for-risk" in out and max(len(x) for x in out.splitlines()) <= 100
    code, out, err = airisk("query")
    assert code == 2 and "give a catalogue query name or a .rq file" in err


def test_a_terminal_gets_the_top_gaps_by_default() -> None:
    """Run ``airisk gaps`` on a real pseudo-terminal: 20 rows by default; piped, every row."""
    env = dict(os.environ, COLUMNS="120", LINES="40")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "gaps", "--lens", "every"],
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    assert proc.returncode == 0
    flat = " ".join(out.split())
    assert f"({TERMINAL_TOP} of " in flat and "--top 0 shows every risk" in flat
    piped = subprocess.run(
        [sys.executable, "-m", "graph", "gaps", "--lens", "every"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert piped.returncode == 0 and re.search(r"\((\d{3}) rows\)", piped.stdout)


def test_cells_are_text_and_narrow_terminals_get_records() -> None:
    cols = [Column("id", "id"), Column("risk", "text"), Column("gap", "num")]
    rows = [["mit:4.2", "[bold red]Cyber[/] \x1b[31mattacks", "3.33"]]
    out = table_text(cols, rows, width=60)
    assert "[bold red]Cyber[/] <U+001B>[31mattacks" in out and "\x1b" not in out  # markup and escapes as text
    narrow = table_text(cols, [["gdm-fsf:instrumental-reasoning-2", "Instrumental Reasoning Level 2", "5.00"]], 30)
    assert "    gdm-fsf:instrumental-reasoning-2\n" in narrow and "gap: 5.00" in narrow
    # only a line holding one unbreakable id may pass the edge
    assert all(len(line) <= 30 or len(line.split()) == 1 for line in narrow.splitlines())


def test_csv_is_rounded_for_people_and_json_keeps_full_precision() -> None:
    code, out, err = airisk("gaps", "--format", "csv")
    assert code == 0, err
    assert not re.search(r"\d\.\d{5,}", out), re.search(r"\d\.\d{5,}", out)
    code, out, err = airisk("gaps", "--format", "json")
    strengths = [r["strength"] for r in json.loads(out)["risks"]]
    assert any(len(repr(s)) > 6 for s in strengths)  # e.g. 0.6666666666666666, not rounded
