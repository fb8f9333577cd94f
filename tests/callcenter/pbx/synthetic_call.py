"""One call in AMI frames, written as in the recordings, for the sans-IO Asterisk tests.

The caller (``PJSIP/sipp-00000001``, Uniqueid = call id) enters our AGI, dials agent
1001 (``PJSIP/1001-00000002``), who answers. The frames are **synthetic**, in the
wire format of tests/fixtures/ami with the fields Asterisk documents; ``wire``
parses them with the real ``AmiConnection`` and ``replay`` translates them.
"""

from callcenter.ami.messages import Event
from callcenter.ami.protocol import AmiConnection
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.registry import ChannelRegistry
from callcenter.pbx.translate import translate

CALL = CallId("1795342860.35")
AGENT = AgentId("1001")
CALLER_CHANNEL = "PJSIP/sipp-00000001"
AGENT_CHANNEL = "PJSIP/1001-00000002"
AGENT_UID = "1795342866.37"
BANNER = "Asterisk Call Manager/11.0.0\r\n"


def wire(*frames: str) -> list[Event]:
    """Parse AMI frames written as in the recordings (one header a line)."""
    text = "".join(
        "\r\n".join(line.strip() for line in f.strip().splitlines()) + "\r\n\r\n"
        for f in frames
    )
    conn = AmiConnection()
    return [
        m for m in conn.receive_data((BANNER + text).encode()) if isinstance(m, Event)
    ]


def caller(name: str, extra: str = "") -> str:
    """Return an event ``name`` of the caller's channel, with ``extra`` headers."""
    return f"""Event: {name}
        Channel: {CALLER_CHANNEL}
        Uniqueid: {CALL}
        Linkedid: {CALL}
        {extra}"""


def agent(name: str, extra: str = "") -> str:
    """Return an event ``name`` of the agent's channel, with ``extra`` headers."""
    return f"""Event: {name}
        Channel: {AGENT_CHANNEL}
        Uniqueid: {AGENT_UID}
        Linkedid: {CALL}
        {extra}"""


DIAL = f"DestChannel: {AGENT_CHANNEL}\nDestUniqueid: {AGENT_UID}"
RINGING = (
    caller("Newexten", "Application: AGI\nAppData: agi://127.0.0.1:4573/callcenter\n"
           "CallerIDNum: +8613800138000"),
    caller("DialBegin", DIAL),
)  # fmt: skip
ANSWERED = caller("DialEnd", f"{DIAL}\nDialStatus: ANSWER")
CALL_SETUP = (*RINGING, ANSWERED)


def replay(registry: ChannelRegistry, *frames: str) -> list[ev.DomainEvent]:
    """Translate ``frames`` in order at t = 100 s; return the domain events."""
    return [d for e in wire(*frames) for d in translate(e, registry, 100.0)]


def talking() -> ChannelRegistry:
    """Return a registry in which the caller talks to agent 1001."""
    registry = ChannelRegistry()
    kinds = [type(e).__name__ for e in replay(registry, *CALL_SETUP)]
    assert kinds == ["CallOffered", "AgentRinging", "CallAnswered"]
    return registry
