"""The business_hours and holiday variables computed from a calendar and ``now``."""

from datetime import date

from acd.calendar import BusinessHours
from callcenter.core.hours import hours_variables

MONDAY_8_UTC = 1_767_600_000.0
PARIS = BusinessHours.office(
    "Europe/Paris", "09:00", "18:00", holidays=[date(2026, 1, 6)]
)


def test_without_a_calendar_the_center_is_always_open() -> None:
    assert hours_variables(None, MONDAY_8_UTC) == {
        "business_hours": True,
        "holiday": False,
    }


def test_open_closed_and_holiday_in_local_time() -> None:
    assert hours_variables(PARIS, MONDAY_8_UTC) == {
        "business_hours": True,  # 09:00 in Paris
        "holiday": False,
    }
    assert hours_variables(PARIS, MONDAY_8_UTC - 3600)["business_hours"] is False
    tuesday_noon = MONDAY_8_UTC + 27 * 3600
    assert hours_variables(PARIS, tuesday_noon) == {
        "business_hours": False,
        "holiday": True,
    }
