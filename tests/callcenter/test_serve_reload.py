"""SIGHUP in ``callcenter up``: reload the IVR flows and log the outcome in one record."""

import logging
import shutil
from pathlib import Path

import pytest

from callcenter.center import CallCenter, make_call_center
from callcenter.clock import VirtualClock
from callcenter.serve import reload_on_signal
from callcenter.settings import load_settings
from tests.ivr.helpers import SAMPLES


def center_on(folder: Path) -> CallCenter:
    settings = load_settings(overrides={"ivr": {"flows_dir": folder}}, environ={})
    return make_call_center(settings, clock=VirtualClock())


def test_a_valid_folder_is_swapped_in_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copytree(SAMPLES, tmp_path / "ivr")
    center = center_on(tmp_path / "ivr")
    with caplog.at_level(logging.INFO, logger="callcenter.serve"):
        assert reload_on_signal(center)
    assert caplog.messages == [
        "IVR flows reloaded (generation 1): hotel, main, survey, travel"
    ]


def test_a_broken_folder_keeps_the_old_flows_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copytree(SAMPLES, tmp_path / "ivr")
    center = center_on(tmp_path / "ivr")
    before = center.flows.flows
    (tmp_path / "ivr" / "main.yaml").write_text("start: x\nnodes: {}\n", "utf-8")
    with caplog.at_level(logging.INFO, logger="callcenter.serve"):
        assert not reload_on_signal(center)
    (message,) = caplog.messages
    assert message.startswith("IVR flows not reloaded, the old flows stay in use")
    assert "main.yaml" in message
    assert center.flows.flows is before
