"""``callcenter pbx check`` against a fake AMI server: one clear line when it fails."""

import asyncio
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from callcenter.cli_pbx import pbx_group
from tests.callcenter.pbx.fake_asterisk import FakeAmi, channel, free_port


class ServerThread:
    """Runs a ``FakeAmi`` on its own loop: the CLI runs ``asyncio.run`` itself."""

    def __init__(self, ami: FakeAmi) -> None:
        self.ami = ami
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> FakeAmi:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.ami.start(), self.loop).result(5)
        return self.ami

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self.ami.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def ami() -> Iterator[FakeAmi]:
    server = FakeAmi()
    server.channels = [channel("1.1", "PJSIP/sipp-00000001", app="AGI", number="+861")]
    with ServerThread(server) as running:
        yield running


def check(port: int, *args: str, secret: str = "s3cret") -> tuple[int, str, str]:  # noqa: S107
    result = CliRunner().invoke(
        pbx_group,
        ["check", "--port", str(port), *args],
        obj={},
        env={"CALLCENTER_AMI_SECRET": secret},
    )
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_version_channels_and_agent_endpoints(ami: FakeAmi) -> None:
    code, out, err = check(ami.port)
    assert (code, err) == (0, "")
    assert "ok: logged in to Asterisk 22.10.1 (AMI 11.0.0)" in out
    assert "channels: 1" in out
    assert "PJSIP/sipp-00000001" in out
    assert "PJSIP endpoints: 2" in out
    assert "1001     PJSIP/1001       Not in use" in out
    assert "NOT FOUND" in out  # configured agents without a phone on this Asterisk
    assert [a["Action"] for a in ami.actions][-1] == "Logoff"


def test_bad_credentials_are_one_line_and_exit_1(ami: FakeAmi) -> None:
    code, out, err = check(ami.port, secret="wrong")
    assert code == 1
    assert out == ""
    assert err.startswith("error: Asterisk AMI at 127.0.0.1:")
    assert "Authentication failed" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_refused_is_one_line_and_exit_1() -> None:
    code, _, err = check(free_port())
    assert code == 1
    assert "refused the connection" in err
    assert err.count("\n") == 1


def test_a_silent_server_times_out() -> None:
    with ServerThread(FakeAmi(silent=True)) as silent:
        code, _, err = check(silent.port, "--timeout", "0.3")
    assert code == 1
    assert "did not answer in time" in err
