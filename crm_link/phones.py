"""Phone numbers in E.164, the only form stored and looked up.

A caller id arrives in whatever shape the PBX or an agent typed: ``138 0013 8000``,
``+86 138-0013-8000``, ``008613800138000`` or ``+44 20 7946 0958``. ``normalize`` turns
each into ``+8613800138000``-style E.164 so that one indexed equality finds the
customer. National numbers are read in a configurable default region ("CN").
"""

import phonenumbers

from crm_link.errors import InvalidPhoneNumberError

_INTERNATIONAL_PREFIXES = ("00",)


def normalize(raw: str, *, region: str = "CN") -> str:
    """Return ``raw`` as E.164.

    Args:
        raw: The number as dialled, printed or typed.
        region: ISO 3166 country whose national format applies when ``raw`` has no
            country code.

    Raises:
        InvalidPhoneNumberError: ``raw`` is not a possible phone number.
    """
    text = raw.strip()
    if text.startswith(_INTERNATIONAL_PREFIXES) and not text.startswith("000"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        msg = f"not a phone number: {raw!r} ({exc})"
        raise InvalidPhoneNumberError(msg) from exc
    if not phonenumbers.is_possible_number(parsed):
        msg = f"not a possible phone number: {raw!r}"
        raise InvalidPhoneNumberError(msg)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalize(raw: str, *, region: str = "CN") -> str | None:
    """Return ``raw`` as E.164, or ``None`` for withheld and unusable numbers."""
    try:
        return normalize(raw, region=region)
    except InvalidPhoneNumberError:
        return None
