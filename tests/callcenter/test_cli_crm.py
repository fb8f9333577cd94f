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
    assert "bookings" in seeded.output
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


def seeded(tmp_path: Path) -> str:
    """Return the URL of a fresh database with the demo data (5 extra customers)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    result = CliRunner().invoke(db_group, ["--db-url", url, "seed", "--customers", "5"])
    assert result.exit_code == 0, result.output
    return url


def test_pop_by_the_booking_reference_a_caller_keyed(tmp_path: Path) -> None:
    url, runner = seeded(tmp_path), CliRunner()
    by_reference = runner.invoke(
        crm_group, ["--db-url", url, "pop", "--reference", "1234-5678", "--json"]
    )
    assert by_reference.exit_code == 0, by_reference.output
    payload = json.loads(by_reference.output)
    assert (payload["identified_by"], payload["reference"]) == ("booking", "12345678")
    assert payload["booking"]["reference"] == "H-1234-5678"
    assert payload["matches"][0]["name"] == "王芳"
    as_table = runner.invoke(
        crm_group, ["--db-url", url, "pop", "+8613700137000", "--reference", "99999999"]
    )
    assert as_table.exit_code == 0, as_table.output
    assert "reference 99999999: no such booking" in as_table.output
    assert "李强" in as_table.output  # the number decides
    assert "H-1208-0105" in as_table.output  # his stay, in the card
    nothing = runner.invoke(crm_group, ["--db-url", url, "pop"])
    assert nothing.exit_code == 2
    assert nothing.output.strip() == (
        "error: give a NUMBER, a --reference or an --account, or both"
    )


def test_pop_by_the_account_number_a_caller_keyed(tmp_path: Path) -> None:
    url, runner = seeded(tmp_path), CliRunner()
    by_account = runner.invoke(
        crm_group, ["--db-url", url, "pop", "--account", "79927398713", "--json"]
    )
    assert by_account.exit_code == 0, by_account.output
    payload = json.loads(by_account.output)
    assert (payload["identified_by"], payload["account"]) == ("account", "79927398713")
    assert payload["matches"][0]["name"] == "张伟 (锦江商旅)"
    as_table = runner.invoke(
        crm_group, ["--db-url", url, "pop", "+8613800138000", "--account", "39001390"]
    )  # the key account's booking digits: not an account number
    assert as_table.exit_code == 0, as_table.output
    assert "account 39001390: nobody has it" in as_table.output
    assert "王芳" in as_table.output  # the number decides
    both = runner.invoke(
        crm_group, ["--db-url", url, "pop", "--account", "1", "--reference", "1"]
    )
    assert both.exit_code == 2
    assert both.output.strip() == "error: give a --reference or an --account, not both"
