"""The variables saying whether the center is open, from a calendar and ``now``.

The IVR reads no clock: the switchboard computes ``business_hours`` and ``holiday``
when a call arrives and hands them to the session, so flows can branch on them
(``holiday or business_hours == false``). Without a calendar the center is always
open. Pure: the instant comes in as POSIX seconds.
"""

from acd.calendar import BusinessHours

ALWAYS_OPEN: dict[str, bool] = {"business_hours": True, "holiday": False}


def hours_variables(calendar: BusinessHours | None, now: float) -> dict[str, bool]:
    """Return ``business_hours`` and ``holiday`` at ``now`` (always open when None).

    ``business_hours`` is false on a holiday too, so a flow testing only it still
    closes on holidays.
    """
    if calendar is None:
        return dict(ALWAYS_OPEN)
    holiday = calendar.local(now).date() in calendar.holidays
    return {"business_hours": calendar.is_open(now), "holiday": holiday}
