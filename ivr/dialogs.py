"""Node handlers that talk with the caller: menu, collect, callback and survey.

Each asks, waits for the caller's keys and retries on invalid or no input as the
node says; when retries run out the node's ``on_failure`` is taken, or the call is
hung up with an outcome that says why.
"""

import re
from collections.abc import Callable, Mapping

from callcenter.domain.commands import SayKind, SayValue
from callcenter.domain.events import DigitsCollected
from ivr.core import Media, Outcome, SessionCore, digits_of
from ivr.model import CallbackNode, CollectNode, MenuNode, SurveyNode
from ivr.requests import IvrOutput, RequestCallback, SaveSurvey
from ivr.validators import VALIDATORS, phone_number

_SCORES = frozenset("12345")


class Dialogs(SessionCore):
    """Menu, collect, callback and survey handling for :class:`IvrSession`."""

    _survey_answers: dict[str, int] | None = None

    def _retry(
        self, prompt: str | None, now: float, again: Callable[[float], list[IvrOutput]]
    ) -> list[IvrOutput]:
        commands: list[Media] = [self._play([prompt])] if prompt else []
        return self._media(commands, now, lambda _digit, at: again(at))

    # --- menu ---------------------------------------------------------------------

    def _run_menu(self, node: MenuNode, attempt: int, now: float) -> list[IvrOutput]:
        options = {
            option.digit: option.target
            for option in node.options
            if option.when is None or option.when(self._vars)
        }

        def collect(_digit: str, _at: float) -> list[IvrOutput]:
            return self._collect(
                node.prompts[-1],
                1,
                node.timeout,
                lambda event, t: self._menu_choice(
                    node, options, attempt, event.digits, t
                ),
            )

        if len(node.prompts) == 1:
            return collect("", now)

        def intro_done(digit: str, at: float) -> list[IvrOutput]:
            if digit:
                return self._menu_choice(node, options, attempt, digit, at)
            return collect("", at)

        intro = self._play(node.prompts[:-1], interruptible=True)
        return self._media([intro], now, intro_done)

    def _menu_choice(
        self,
        node: MenuNode,
        options: Mapping[str, str],
        attempt: int,
        keyed: str,
        now: float,
    ) -> list[IvrOutput]:
        digit = keyed.rstrip("#")[:1]
        if digit in options:
            return self._enter(options[digit], now)
        if attempt >= node.retries:
            return self._fail(node.on_failure, Outcome.MENU_FAILED, now)
        prompt = node.invalid_prompt if digit else node.no_input_prompt
        return self._retry(
            prompt, now, lambda at: self._run_menu(node, attempt + 1, at)
        )

    def _fail(
        self, target: str | None, outcome: Outcome, now: float
    ) -> list[IvrOutput]:
        if target is not None:
            return self._enter(target, now)
        return self._hang_up(now, outcome.value)

    # --- collect ------------------------------------------------------------------

    def _run_collect(
        self, node: CollectNode, attempt: int, _now: float
    ) -> list[IvrOutput]:
        return self._collect(
            node.prompt,
            node.max_digits,
            node.timeout,
            lambda event, at: self._collected(node, attempt, event, at),
        )

    def _collected(
        self, node: CollectNode, attempt: int, event: DigitsCollected, now: float
    ) -> list[IvrOutput]:
        digits = event.digits.rstrip("#")
        if _acceptable(node, digits):
            self._set(node.store, digits)
            return self._enter(node.next, now)
        if attempt >= node.retries:
            return self._fail(node.on_failure, Outcome.INPUT_FAILED, now)
        prompt = node.invalid_prompt if digits else None
        return self._retry(
            prompt, now, lambda at: self._run_collect(node, attempt + 1, at)
        )

    # --- callback -----------------------------------------------------------------

    def _run_callback(self, node: CallbackNode, now: float) -> list[IvrOutput]:
        if phone_number(digits_of(self.caller_number)):
            return self._confirm_number(node, 0, now)
        return self._ask_number(node, 0, now)

    def _confirm_number(
        self, node: CallbackNode, attempt: int, now: float
    ) -> list[IvrOutput]:
        say = self._say_digits(digits_of(self.caller_number))

        def ask(_digit: str, _at: float) -> list[IvrOutput]:
            return self._collect(
                node.confirm_prompt,
                1,
                node.timeout,
                lambda event, t: self._confirmed(node, attempt, event.digits, t),
            )

        return self._media([say], now, ask)

    def _confirmed(
        self, node: CallbackNode, attempt: int, keyed: str, now: float
    ) -> list[IvrOutput]:
        if keyed.startswith("1"):
            return self._book_callback(node, self.caller_number, now)
        if keyed.startswith("2"):
            return self._ask_number(node, 0, now)
        if attempt >= node.retries:
            return self._callback_failed(node, now)
        return self._confirm_number(node, attempt + 1, now)

    def _ask_number(
        self, node: CallbackNode, attempt: int, _now: float
    ) -> list[IvrOutput]:
        def entered(event: DigitsCollected, at: float) -> list[IvrOutput]:
            digits = event.digits.rstrip("#")
            if phone_number(digits):
                return self._book_callback(node, digits, at)
            if attempt >= node.retries:
                return self._callback_failed(node, at)
            return self._ask_number(node, attempt + 1, at)

        return self._collect(node.enter_prompt, 15, node.timeout, entered)

    def _say_digits(self, digits: str) -> Media:
        if digits and not digits.startswith("0"):
            return SayValue(
                call_id=self.call_id,
                value=int(digits),
                kind=SayKind.DIGITS,
                language=self.language,
            )
        return self._play([f"digits/{digit}" for digit in digits])

    def _book_callback(
        self, node: CallbackNode, number: str, now: float
    ) -> list[IvrOutput]:
        self._set("callback_number", number)
        self._callback_booked()
        booked = RequestCallback(call_id=self.call_id, number=number)
        done = self._media(
            [self._play(node.done_prompts)],
            now,
            lambda _digit, at: self._hang_up(at, Outcome.CALLBACK.value),
        )
        return [booked, *done]

    def _callback_booked(self) -> None:
        """Hook: the queue entry (if any) became the callback."""

    def _callback_failed(self, node: CallbackNode, now: float) -> list[IvrOutput]:
        return self._fail(node.on_failure, Outcome.INPUT_FAILED, now)

    # --- survey -------------------------------------------------------------------

    def _run_survey(self, node: SurveyNode, now: float) -> list[IvrOutput]:
        self._survey_answers = {}
        return self._ask_question(node, 0, 0, now)

    def _ask_question(
        self, node: SurveyNode, index: int, attempt: int, now: float
    ) -> list[IvrOutput]:
        if index >= len(node.questions):
            return self._survey_done(node, now)
        question = node.questions[index]

        def answered(event: DigitsCollected, at: float) -> list[IvrOutput]:
            keyed = event.digits.rstrip("#")
            if keyed in _SCORES and self._survey_answers is not None:
                self._survey_answers[question.key] = int(keyed)
                self._set(f"survey_{question.key}", int(keyed))
                return self._ask_question(node, index + 1, 0, at)
            if attempt >= node.retries:
                return self._ask_question(node, index + 1, 0, at)
            prompt = node.invalid_prompt if keyed else None
            return self._retry(
                prompt, at, lambda t: self._ask_question(node, index, attempt + 1, t)
            )

        return self._collect(question.prompt, 1, node.timeout, answered)

    def _save_survey(self) -> list[IvrOutput]:
        answers, self._survey_answers = self._survey_answers, None
        if not answers:
            return []
        return [SaveSurvey(call_id=self.call_id, answers=answers)]

    def _survey_done(self, node: SurveyNode, now: float) -> list[IvrOutput]:
        saved = self._save_survey()
        thanks: list[Media] = (
            [self._play(node.thanks_prompts)] if node.thanks_prompts else []
        )

        def after(_digit: str, at: float) -> list[IvrOutput]:
            if node.next is not None:
                return self._enter(node.next, at)
            return self._end_of_flow(at)

        return [*saved, *self._media(thanks, now, after)]


def _acceptable(node: CollectNode, digits: str) -> bool:
    if not node.min_digits <= len(digits) <= node.max_digits:
        return False
    if node.validator is not None and not VALIDATORS[node.validator](digits):
        return False
    if node.pattern is not None:
        return re.fullmatch(node.pattern, digits) is not None
    return True
