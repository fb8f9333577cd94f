"""Agents' commands: a console logging in takes the agent over from the simulation."""

from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import LogIn
from callcenter.core.agent_commands import AgentCommandHandler
from callcenter.core.messages import AgentCommand, AgentReply, TakeOverAgent
from callcenter.domain.events import AgentState
from callcenter.domain.ids import AgentId, QueueName

AGENT = AgentId("1001")


def engine() -> AcdEngine:
    return AcdEngine(
        [QueueConfig(name=QueueName("support"))],
        [
            AgentConfig(
                agent_id=AGENT,
                name="A",
                endpoint="sim/1001",
                queues={QueueName("support"): 0},
            )
        ],
    )


def login(acd: AcdEngine, pin: str | None = None, **kwargs: object) -> list[object]:
    out: list[object] = []
    handler = AgentCommandHandler(acd, **kwargs)  # type: ignore[arg-type]
    args = {} if pin is None else {"pin": pin}
    command = AgentCommand(agent_id=AGENT, command="login", args=args, request_id="r1")
    handler.handle(command, 1.0, out)
    return out


def test_login_of_a_logged_out_agent_logs_in_and_takes_over() -> None:
    acd = engine()
    out = login(acd)
    assert TakeOverAgent(agent_id=AGENT, manual=True) in out
    assert acd.agent_state(AGENT) is AgentState.AVAILABLE
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    assert reply.ok


def test_login_of_an_agent_the_simulation_plays_is_a_take_over_not_an_error() -> None:
    acd = engine()
    acd.handle(LogIn(agent_id=AGENT), 0.0)  # the simulation logged them in at start
    out = login(acd)
    assert TakeOverAgent(agent_id=AGENT, manual=True) in out
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    assert reply.ok, reply.message
    assert acd.agent_state(AGENT) is AgentState.AVAILABLE


def test_a_wrong_pin_is_refused_without_taking_over() -> None:
    out = login(engine(), "1234", pins={AGENT: "4321"})
    assert not any(isinstance(o, TakeOverAgent) for o in out)
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    assert (reply.ok, reply.code) == (False, "bad_pin")
