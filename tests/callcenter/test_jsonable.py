"""``jsonable`` turns DTOs and events into what ``json.dumps`` takes as it is."""

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from callcenter.jsonable import jsonable


class Kind(StrEnum):
    STAY = "hotel_stay"


@dataclass(frozen=True, slots=True, kw_only=True)
class Booking:
    kind: Kind
    starts_on: dt.date
    nights: tuple[int, ...]
    notes: dict[int, str]


def test_dataclasses_enums_dates_and_collections_become_json() -> None:
    booking = Booking(
        kind=Kind.STAY, starts_on=dt.date(2026, 1, 15), nights=(1, 2), notes={7: "x"}
    )
    value = jsonable(booking)
    assert value == {
        "kind": "hotel_stay",
        "starts_on": "2026-01-15",
        "nights": [1, 2],
        "notes": {"7": "x"},
    }
    assert json.loads(json.dumps(value)) == value


def test_a_datetime_keeps_its_time_and_zone() -> None:
    at = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    assert jsonable(at) == "2026-01-05T08:00:00+00:00"
