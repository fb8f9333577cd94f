"""What a simulated caller hears and keys: prompts, digits, music on hold, voicemail.

The media half of the simulated PBX. It turns the IVR's media commands into outcomes
on the PBX's ``Timeline``: a prompt finishes, digits are keyed (scripted, drawn, or
timed out), a caller on hold runs out of patience or keys 2 for a callback, a caller
leaves a message (``sim_recording``). Outcomes go under the call's ``media`` and
``hold-key`` keys, so a newer command cancels the older one's. Ringing agents,
talking and hanging up stay in ``simulated``, which hands in how a caller hangs up.
"""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from callcenter.domain import commands as cmd
from callcenter.domain.events import (
    DigitsCollected,
    DomainEvent,
    HoldInterrupted,
    PromptFinished,
)
from callcenter.pbx import sim_recording
from callcenter.pbx.sim_call import LegState, SimCall
from callcenter.pbx.timeline import Timeline
from callcenter.pbx.traffic import TrafficModel

PROMPT_SECONDS = 2.0
SAY_SECONDS = 1.0

HangUp = Callable[[SimCall, float], None]
"""The caller of a call hangs up at an instant (their patience ran out, say)."""


class CallerMedia:
    """Plays to, collects from and holds simulated callers on a shared timeline."""

    def __init__(
        self,
        *,
        timeline: Timeline,
        traffic: TrafficModel,
        emit: Callable[[DomainEvent], None],
        hang_up: HangUp,
        recordings_dir: Path | None = None,
    ) -> None:
        """Schedule on ``timeline``, draw callers' choices from ``traffic``.

        Voicemail is written under ``recordings_dir`` when given (``sim_recording``).
        """
        self._recordings_dir = recordings_dir
        self._timeline = timeline
        self._traffic = traffic
        self._emit = emit
        self._hang_up = hang_up

    def apply(self, call: SimCall, command: cmd.PbxCommand, now: float) -> bool:
        """Carry out a media command at ``now``; return False for any other command."""
        match command:
            case cmd.PlayPrompts(prompts=prompts):
                self._play(call, now + PROMPT_SECONDS * max(1, len(prompts)))
            case cmd.SayValue():
                self._play(call, now + SAY_SECONDS)
            case cmd.CollectDigits(max_digits=max_digits, timeout=timeout):
                self._collect(call, now, max_digits, timeout)
            case cmd.StartHold():
                self._hold(call, now)
            case cmd.RecordMessage():
                call.state = LegState.IVR
                sim_recording.record(
                    command,
                    now,
                    timeline=self._timeline,
                    traffic=self._traffic,
                    emit=self._emit,
                    hang_up=lambda at: self._hang_up(call, at),
                    recordings_dir=self._recordings_dir,
                )
            case _:
                return False
        return True

    def press(self, call: SimCall, at: float, digit: str) -> None:
        """Let a caller on hold key ``digit`` (nothing once they are off hold)."""
        if call.state is LegState.HOLDING:
            self._emit(HoldInterrupted(at=at, call_id=call.call_id, digit=digit))

    def _play(self, call: SimCall, done_at: float) -> None:
        if call.state is LegState.HOLDING:
            call.state = LegState.IVR if not call.patience_started else LegState.HOLDING
        self._timeline.cancel(("hold-key", call.call_id))
        call_id = call.call_id
        self._timeline.schedule(
            done_at,
            lambda at: self._emit(PromptFinished(at=at, call_id=call_id)),
            key=("media", call_id),
        )

    def _collect(
        self, call: SimCall, now: float, max_digits: int, timeout: float
    ) -> None:
        call_id = call.call_id
        self._timeline.cancel(("hold-key", call_id))
        if call.scripted_digits:
            done = now + PROMPT_SECONDS
            event: DomainEvent = DigitsCollected(
                at=done, call_id=call_id, digits=call.scripted_digits.pop(0)
            )
        elif self._traffic.chance(0.05):
            done = now + PROMPT_SECONDS + timeout
            event = DigitsCollected(at=done, call_id=call_id, digits="", timed_out=True)
        else:
            done = now + PROMPT_SECONDS + self._traffic.think_time()
            digits = self._traffic.digits(max_digits)
            event = DigitsCollected(at=done, call_id=call_id, digits=digits)
        # Outcomes are drawn before they happen: stamp the event when it does.
        self._timeline.schedule(
            done,
            lambda at: self._emit(replace(event, at=at)),
            key=("media", call_id),
        )

    def _hold(self, call: SimCall, now: float) -> None:
        call_id = call.call_id
        self._timeline.cancel(("media", call_id))
        if call.state in {LegState.IVR, LegState.HOLDING}:
            call.state = LegState.HOLDING
        if not call.patience_started:
            call.patience_started = True
            self._timeline.schedule(
                now + call.profile.patience,
                lambda at: self._hang_up(call, at),
                key=("patience", call_id),
            )
            if call.profile.wants_callback:
                press_at = now + min(call.profile.patience * 0.6, 45.0)
                self._timeline.schedule(
                    press_at,
                    lambda at: self.press(call, at, "2"),
                    key=("hold-key", call_id),
                )
