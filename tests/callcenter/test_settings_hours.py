"""The [hours] section: when the center is open (always, unless configured)."""

from datetime import date
from pathlib import Path

import pytest

from callcenter.errors import ConfigError
from callcenter.settings import load_settings


def test_without_an_hours_section_the_center_is_always_open() -> None:
    hours = load_settings(overrides={}).hours
    assert hours.weekly is None
    assert hours.holidays == ()
    assert hours.timezone is None  # general.timezone applies


def test_weekly_hours_and_holidays_are_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "callcenter.toml"
    path.write_text(
        "[hours]\n"
        'timezone = "Asia/Shanghai"\n'
        'weekly = { mon = ["09:00-12:00", "13:00-18:00"], sat = ["10:00-00:00"] }\n'
        'holidays = [2025-10-01, "2025-10-02"]\n',
        encoding="utf-8",
    )
    hours = load_settings(path, environ={}).hours
    assert hours.timezone == "Asia/Shanghai"
    assert hours.weekly == {
        "mon": ("09:00-12:00", "13:00-18:00"),
        "sat": ("10:00-00:00",),
    }
    assert hours.holidays == (date(2025, 10, 1), date(2025, 10, 2))


@pytest.mark.parametrize(
    ("hours", "named"),
    [
        ({"timezone": "Mars/Olympus"}, "hours.timezone"),
        ({"weekly": {"mon": ["9-18"]}}, "hours.weekly.mon"),
        ({"weekly": {"monday": ["09:00-18:00"]}}, "hours.weekly"),
        ({"holidays": ["soon"]}, "hours.holidays"),
    ],
)
def test_a_bad_hours_setting_is_named_in_the_error(
    hours: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(overrides={"hours": hours}, environ={})
