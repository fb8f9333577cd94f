"""Errors raised on purpose by the CRM layer.

Every error carries a stable ``code`` string so that the CLI, the console and HTTP
callers can react to it without parsing messages.
"""

from callcenter.errors import CallCenterError


class CrmError(CallCenterError):
    """Base of every CRM error."""

    code = "crm_error"


class InvalidPhoneNumberError(CrmError):
    """A number could not be turned into E.164 (too short, letters, no country)."""

    code = "invalid_phone_number"


class IllegalTransitionError(CrmError):
    """A complaint was asked to move to a state its workflow does not allow."""

    code = "illegal_transition"


class NotFoundError(CrmError):
    """A customer, complaint or agent named by id does not exist."""

    code = "not_found"


class InvalidComplaintError(CrmError):
    """A complaint field is out of range (unknown category, score not 1-5 ...)."""

    code = "invalid_complaint"


class ExternalCrmError(CrmError):
    """The external CRM failed, timed out, or answered with something unusable."""

    code = "external_crm_unavailable"


class InvalidBookingError(CrmError):
    """A booking cannot be stored (a reference without digits, or taken digits)."""

    code = "invalid_booking"


class InvalidAccountNumberError(CrmError):
    """An account number cannot be stored (not digits, or another customer's)."""

    code = "invalid_account_number"
