"""Reloading keeps the old flows until every new flow validates."""

import shutil
from pathlib import Path

import pytest

from ivr.errors import IvrError
from ivr.loader import load_flows
from ivr.registry import FlowRegistry
from tests.ivr.helpers import SAMPLES, write_flow


def test_reload_swaps_in_valid_flows(tmp_path: Path) -> None:
    registry = FlowRegistry()
    shutil.copytree(SAMPLES, tmp_path / "ivr")

    assert registry.reload(tmp_path / "ivr") == []
    assert set(registry.flows) == {"main", "hotel", "travel", "survey"}
    assert registry.get("main").start == "identify"
    assert registry.generation == 1


def test_a_broken_flow_keeps_the_old_ones(tmp_path: Path) -> None:
    registry = FlowRegistry(load_flows(SAMPLES))
    before = registry.flows
    shutil.copytree(SAMPLES, tmp_path / "ivr")
    write_flow(tmp_path / "ivr", "start: x\nnodes:\n  x: {kind: nope}\n", name="main")

    problems = registry.reload(tmp_path / "ivr")

    assert problems
    assert problems[0].file == tmp_path / "ivr" / "main.yaml"
    assert registry.flows is before
    assert registry.generation == 0


def test_an_empty_directory_is_not_swapped_in(tmp_path: Path) -> None:
    registry = FlowRegistry(load_flows(SAMPLES))
    assert registry.reload(tmp_path) != []
    assert "main" in registry.flows


def test_unknown_flow_names_the_known_ones() -> None:
    registry = FlowRegistry(load_flows(SAMPLES))
    with pytest.raises(IvrError, match="known: hotel, main, survey, travel"):
        registry.get("missing")


def test_a_folder_without_a_required_flow_keeps_the_old_ones(tmp_path: Path) -> None:
    registry = FlowRegistry(load_flows(SAMPLES))
    before = registry.flows
    write_flow(tmp_path, "start: x\nnodes:\n  x: {kind: hangup}\n", name="other")

    problems = registry.reload(tmp_path, required=["main"])

    assert [(p.file.name, p.message) for p in problems] == [
        ("main.yaml", "flow missing")
    ]
    assert registry.flows is before
    assert registry.reload(tmp_path) == []  # without the requirement it is fine
