"""The [console] section: the code lists agents pick from."""

from pathlib import Path

import pytest

from callcenter.errors import ConfigError
from callcenter.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "callcenter.toml"
    path.write_text(text)
    return path


def test_defaults_when_the_section_is_absent(tmp_path: Path) -> None:
    console = load_settings(write(tmp_path, "")).console
    assert "lunch" in console.pause_reasons
    assert "resolved" in console.dispositions


def test_a_site_sets_its_own_codes(tmp_path: Path) -> None:
    text = '[console]\npause_reasons = ["coaching", "lunch"]\ndispositions = ["sold"]\n'
    console = load_settings(write(tmp_path, text)).console
    assert console.pause_reasons == ("coaching", "lunch")
    assert console.dispositions == ("sold",)


@pytest.mark.parametrize(
    "line",
    ["pause_reasons = []", 'dispositions = ["Sold Out"]', 'pause_reasons = ["a", "a"]'],
)
def test_bad_code_lists_are_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError, match="console"):
        load_settings(write(tmp_path, f"[console]\n{line}\n"))
