"""Errors of the AMI layer: one base, protocol errors split by whose fault they are."""

from callcenter.errors import CallCenterError


class AmiError(CallCenterError):
    """Base of every error raised by ``callcenter.ami``."""


class ProtocolError(AmiError):
    """The AMI conversation went wrong."""


class LocalProtocolError(ProtocolError):
    """We misused the API: sent after close, a line break in a header, fed after EOF."""


class RemoteProtocolError(ProtocolError):
    """Asterisk (or whatever answered) sent something that is not AMI."""


class ActionFailed(AmiError):  # noqa: N818 - names fixed by issue 4
    """Asterisk answered an action with ``Response: Error``.

    Carries the whole result so the caller can read ``Message`` and friends.
    """

    def __init__(self, message: str, *, action_name: str, result: object) -> None:
        super().__init__(f"{action_name}: {message}")
        self.action_name = action_name
        self.result = result


class AmiTimeout(AmiError, TimeoutError):  # noqa: N818 - names fixed by issue 4
    """No (complete) answer within the action's timeout."""


class LoginFailed(AmiError):  # noqa: N818 - names fixed by issue 4
    """Asterisk refused our credentials; retrying will not help."""


class ConnectionLost(AmiError):  # noqa: N818 - names fixed by issue 4
    """The connection dropped while an action was waiting for its answer."""


class NotConnected(AmiError):  # noqa: N818 - names fixed by issue 4
    """The client is closed, or was never started."""
