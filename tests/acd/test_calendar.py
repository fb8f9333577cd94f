"""Opening hours in a time zone, with holidays and special days."""

from datetime import UTC, date, datetime, time

from acd.calendar import BusinessHours


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


PARIS = BusinessHours.office(
    "Europe/Paris", "09:00", "18:00", holidays=[date(2026, 5, 1)]
)


def test_open_on_weekdays_in_local_time() -> None:
    assert PARIS.is_open(at("2026-01-05T08:00"))  # 09:00 in Paris (UTC+1)
    assert not PARIS.is_open(at("2026-01-05T07:59"))
    assert not PARIS.is_open(at("2026-01-05T17:00"))  # 18:00 closes
    assert not PARIS.is_open(at("2026-01-10T10:00"))  # Saturday


def test_daylight_saving_moves_the_utc_hours() -> None:
    assert PARIS.is_open(at("2026-07-06T07:00"))  # 09:00 in summer (UTC+2)
    assert not PARIS.is_open(at("2026-07-06T16:00"))


def test_holidays_and_special_days() -> None:
    assert not PARIS.is_open(at("2026-05-01T10:00"))
    eve = BusinessHours(
        timezone="Europe/Paris",
        weekly=PARIS.weekly,
        special={date(2026, 12, 24): ((time(9), time(12)),)},
    )
    assert eve.is_open(at("2026-12-24T10:00"))
    assert not eve.is_open(at("2026-12-24T12:00"))


def test_an_interval_may_end_at_midnight() -> None:
    late = BusinessHours.office("UTC", "20:00", "00:00", days=range(7))
    assert late.is_open(at("2026-01-05T23:59"))
    assert not late.is_open(at("2026-01-06T00:00"))
