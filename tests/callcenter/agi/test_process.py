"""callcenter-agi: process AGI over pyst2 with a fake stdin/stdout."""

import io
import os
import signal
from collections.abc import Iterator

import pytest

from callcenter.agi.channel import AgiChannel
from callcenter.agi.process import EXIT_OK, EXIT_USAGE, main, resolve_handler

ENV = (
    "agi_request: /var/lib/asterisk/agi-bin/callcenter-agi\n"
    "agi_channel: PJSIP/sipp-00000000\n"
    "agi_uniqueid: 1795345223.35\n"
    "agi_callerid: sipp\n"
    "agi_arg_1: ivr/main\n"
    "agi_arg_2: vip\n"
    "\n"
)


@pytest.fixture(autouse=True)
def restore_sighup() -> Iterator[None]:
    """pyst2 installs a SIGHUP handler; give the test process its own back."""
    previous = signal.getsignal(signal.SIGHUP)
    yield
    signal.signal(signal.SIGHUP, previous)


async def greeting(channel: AgiChannel) -> None:
    await channel.answer()
    digit, endpos = await channel.stream_file("hello-world", "#")
    await channel.set_variable("RESULT", f"{digit}:{endpos}:{channel.env.args[1]}")


def test_runs_the_named_handler_over_stdin_stdout() -> None:
    stdin = io.StringIO(ENV + "200 result=0\n200 result=35 endpos=800\n200 result=1\n")
    stdout = io.StringIO()
    code = main(["ivr/main"], routes={"ivr/main": greeting}, stdin=stdin, stdout=stdout)
    assert code == EXIT_OK
    assert stdout.getvalue() == (
        'ANSWER\nSTREAM FILE hello-world "#"\nSET VARIABLE RESULT "#:800:vip"\n'
    )


def test_missing_prompt_is_not_a_hangup_unlike_pyst2_get_result() -> None:
    stdin = io.StringIO(ENV + "200 result=0\n200 result=-1 endpos=0\n200 result=1\n")
    stdout = io.StringIO()
    assert (
        main(["ivr/main"], routes={"ivr/main": greeting}, stdin=stdin, stdout=stdout)
        == 0
    )
    assert stdout.getvalue().endswith("SET VARIABLE RESULT None:0:vip\n")


def test_hangup_line_and_511_end_the_script_quietly() -> None:
    stdin = io.StringIO(ENV + "HANGUP\n511 Command Not Permitted on a dead channel\n")
    stderr = io.StringIO()
    code = main(
        ["ivr/main"],
        routes={"ivr/main": greeting},
        stdin=stdin,
        stdout=io.StringIO(),
        stderr=stderr,
    )
    assert code == EXIT_OK
    assert stderr.getvalue() == ""


def test_sighup_from_asterisk_raises_agihangup_before_the_next_command() -> None:
    async def hang(channel: AgiChannel) -> None:
        await channel.answer()
        os.kill(os.getpid(), signal.SIGHUP)  # what Asterisk does on hang-up
        await channel.answer()

    stdin = io.StringIO(ENV + "200 result=0\n")
    stdout = io.StringIO()
    assert main(["x"], routes={"x": hang}, stdin=stdin, stdout=stdout) == EXIT_OK
    assert stdout.getvalue() == "ANSWER\n"


def test_eof_on_stdin_is_a_hangup() -> None:
    assert (
        main(
            ["x"], routes={"x": greeting}, stdin=io.StringIO(ENV), stdout=io.StringIO()
        )
        == EXIT_OK
    )


def test_unknown_script_exits_with_usage_status() -> None:
    stderr = io.StringIO()
    code = main(
        ["nope"], routes={}, stdin=io.StringIO(ENV), stdout=io.StringIO(), stderr=stderr
    )
    assert code == EXIT_USAGE
    assert "no AGI script named 'nope'" in stderr.getvalue()


def test_handlers_resolve_from_a_module_path() -> None:
    handler = resolve_handler("tests.callcenter.agi.test_process:greeting")
    assert handler is greeting
    with pytest.raises(LookupError):
        resolve_handler("tests.callcenter.agi.test_process:missing")


def test_script_name_defaults_to_the_request_file_name() -> None:
    stdin = io.StringIO(ENV + "200 result=0\n200 result=0 endpos=1\n200 result=1\n")
    routes = {"callcenter-agi": greeting}
    assert main([], routes=routes, stdin=stdin, stdout=io.StringIO()) == EXIT_OK
