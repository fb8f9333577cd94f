"""``callcenter crm`` and ``callcenter db`` from the command line."""

import json
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli_crm import crm_group, db_group


def test_seed_then_pop_a_known_and_an_unknown_caller(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    runner = CliRunner()
    seeded = runner.invoke(
        db_group, ["--db-url", url, "seed", "--customers", "50", "--complaints", "5"]
    )
    assert seeded.exit_code == 0, seeded.output
    assert "seeded 57 customers, 5 complaints" in seeded.output
    known = runner.invoke(
        crm_group, ["--db-url", url, "pop", "138 0013 8000", "--json"]
    )
    assert known.exit_code == 0, known.output
    payload = json.loads(known.output)
    assert payload["status"] == "known"
    assert payload["routing"]["tier"] == "vip"
    unknown = runner.invoke(crm_group, ["--db-url", url, "pop", "withheld"])
    assert unknown.exit_code == 0
    assert "unknown" in unknown.output


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    runner = CliRunner()
    result = runner.invoke(db_group, ["--db-url", url, "seed", "--customers", "-3"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --customers must be 0 or more, got -3"
    ]
    bad_url = runner.invoke(crm_group, ["--db-url", "nope://x", "pop", "1"])
    assert bad_url.exit_code == 2
    assert bad_url.output.startswith("error: ")
    assert len(bad_url.output.strip().splitlines()) == 1
