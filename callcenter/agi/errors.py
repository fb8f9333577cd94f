"""Errors of the AGI layer, mapped from AGI result codes."""

from callcenter.errors import CallCenterError


class AgiError(CallCenterError):
    """Base of every error raised by ``callcenter.agi``."""


class AgiProtocolError(AgiError):
    """The AGI conversation went wrong (garbage, over-long lines, misuse)."""


class AgiLocalProtocolError(AgiProtocolError):
    """We misused the session: a command before the reply, a line break in an arg."""


class AgiRemoteProtocolError(AgiProtocolError):
    """Asterisk sent something that is not AGI."""


class AgiHangup(AgiError):  # noqa: N818 - names fixed by issue 4
    """The caller hung up (or the channel left the AGI); the script should end."""


class AgiTimeout(AgiError, TimeoutError):  # noqa: N818 - names fixed by issue 4
    """Asterisk did not answer in time: the session is considered stalled."""


class AgiCommandError(AgiError):
    """Asterisk answered a command with an error code; ``result`` has the details."""

    code: int = 0

    def __init__(self, message: str, *, command: str = "", usage: str = "") -> None:
        super().__init__(message)
        self.command = command
        self.usage = usage


class AgiInvalidCommand(AgiCommandError):  # noqa: N818 - names fixed by issue 4
    """510: Asterisk does not know the command."""

    code = 510


class AgiDeadChannel(AgiCommandError, AgiHangup):  # noqa: N818 - names fixed by issue 4
    """511: the channel is dead (hung up or redirected away from the AGI)."""

    code = 511


class AgiUsageError(AgiCommandError):
    """520: wrong arguments; ``usage`` holds Asterisk's usage text."""

    code = 520
