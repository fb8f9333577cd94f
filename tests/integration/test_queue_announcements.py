"""The position a waiting caller hears is the ACD's position at that very moment.

Several callers queue for one agent; some hang up while waiting, others are
answered, so everyone's place changes while they listen. A witness on the PBX
checks, at the instant each figure is spoken, that it is the ACD's position then.
"""

from dataclasses import dataclass
from pathlib import Path

from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from tests.integration.harness import Line

FLOW = """
start: queue
nodes:
  queue:
    kind: enqueue
    queue: reservations
    hold: {announce_every: 15, announce_mode: always, offer_after: 0}
    after_call: none
"""


@dataclass(frozen=True, kw_only=True)
class Spoken:
    call_id: CallId
    at: float
    said: int
    acd_position: int | None


def witness(line: Line) -> list[Spoken]:
    """Record every position spoken with the ACD's position at that instant."""
    spoken: list[Spoken] = []
    last_prompt: dict[CallId, str] = {}
    apply = line.pbx.apply
    acd = line.center.switchboard.acd

    def watched(command: cmd.PbxCommand, now: float) -> None:
        call = command.call_id
        position = acd.position(call)
        if isinstance(command, cmd.PlayPrompts):
            if command.prompts[0] == "queue-youarenext":
                spoken.append(
                    Spoken(call_id=call, at=now, said=1, acd_position=position)
                )
            last_prompt[call] = command.prompts[-1]
        elif isinstance(command, cmd.SayValue) and last_prompt.get(call) == (
            "queue-thereare"
        ):
            spoken.append(
                Spoken(call_id=call, at=now, said=command.value, acd_position=position)
            )
        if not isinstance(command, cmd.PlayPrompts):
            last_prompt.pop(call, None)
        apply(command, now)

    line.pbx.apply = watched  # type: ignore[method-assign]
    return spoken


async def test_every_spoken_position_is_the_acds_position_then(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(FLOW, encoding="utf-8")
    line = Line(flows_dir=tmp_path)
    spoken = witness(line)
    line.log_in("1001")
    callers = []
    for number in range(8):
        callers.append(line.call(f"+86135000000{number:02d}"))
        await line.run(5)
    await line.run(30)
    line.pbx.hang_up(callers[4])  # two callers give up while others wait
    await line.run(45)
    line.pbx.hang_up(callers[6])
    await line.run(4 * 3600)

    outcomes = [line.completed(call).outcome for call in callers]
    assert outcomes.count(ev.CallOutcome.ABANDONED) == 2
    assert outcomes.count(ev.CallOutcome.ANSWERED) == 6
    assert len(spoken) > 20
    assert {s.said for s in spoken} >= {1, 2, 3, 5}
    mismatches = [s for s in spoken if s.said != s.acd_position]
    assert mismatches == []
    for call in callers:  # each caller hears their place only go down
        said = [s.said for s in spoken if s.call_id == call]
        assert said == sorted(said, reverse=True)
