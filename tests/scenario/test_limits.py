"""Hostile scenario files are refused with a message, cheaply: files too large are refused before
they are read, over-long numbers never reach ``int()``, aliases and variants are bounded, and
``validate`` parses a file once however many variants it declares."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

import diplosim.scenario.loader as loader
from diplosim.cli import app
from diplosim.errors import ScenarioError
from diplosim.scenario import load_scenario, parse_scenario
from diplosim.scenario.builtin import builtin_scenarios
from diplosim.scenario.loader import (
    MAX_SCENARIO_BYTES,
    MAX_VARIANT_CHECKS,
    load_with_variants,
    parse_with_variants,
    read_scenario_text,
)
from diplosim.scenario.schema import MAX_VARIANTS
from diplosim.scenario.yaml_lines import MAX_ALIASES, MAX_INT_DIGITS, MAX_TEXT
from tests.conftest import EXAMPLE_TEXT, ROOT

BIG = "9" * 5000


def _message(raw: bytes | str, overrides: list[str] | None = None, **kw) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, "s.yaml", overrides, **kw)
    return str(info.value)


def _with_variants(n: int, text: str = EXAMPLE_TEXT) -> str:
    return text + "variants:\n" + "".join(
        f"  - {{id: v{i}, description: d, set: {{platform.diversity: 0.{i % 10}}}}}\n"
        for i in range(n))


# -- numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("number", "digits"), [
    (BIG, "5,000"), ("-" + BIG, "5,000"), ("0x" + "f" * 5000, "5,002"),
    ("0b" + "1" * 20_000, "20,002"), ("1" + ":1" * 3000, "6,001"), ("9_" * 2500, "2,500"),
])
def test_an_over_long_whole_number_is_a_message_with_line_and_field(number, digits):
    message = _message(EXAMPLE_TEXT.replace("seed: 7", f"seed: {number}"))
    assert message == (f"s.yaml:5: seed: a whole number of {digits} digits; at most "
                       f"{MAX_INT_DIGITS} are accepted")


def test_an_over_long_number_deep_in_a_list_names_its_field():
    text = EXAMPLE_TEXT.replace("posts_per_day: 3\n", f"posts_per_day: {BIG}\n")
    assert _message(text).startswith(
        "s.yaml:75: actors[1].campaigns[0].posts_per_day: a whole number of 5,000 digits")


@pytest.mark.parametrize(("value", "words"), [
    ("0x_", "not a valid int: '0x_'"), ("-0b_", "not a valid int: '-0b_'"),
    ("!!int abc", "not a valid int: 'abc'"), ("!!int", "not a valid int: ''"),
    ("!!float abc", "not a valid float: 'abc'"), ("!!bool x", "not a valid bool: 'x'"),
    ("!!timestamp soon", "not a valid timestamp: 'soon'"),
    (f"!!int {BIG}", "a whole number of 5,000 digits"),
])
def test_a_malformed_value_pyyaml_cannot_build_is_a_message(value, words):
    # PyYAML's own constructors raise ValueError, KeyError, IndexError on these
    assert _message(EXAMPLE_TEXT.replace("seed: 7", f"seed: {value}")).startswith(
        "s.yaml:5: seed: ")
    assert words in _message(EXAMPLE_TEXT, [f"seed={value}"])


def test_the_longest_accepted_whole_number_reaches_the_schema():
    text = EXAMPLE_TEXT.replace("seed: 7", "seed: " + "9" * MAX_INT_DIGITS)
    assert "s.yaml:5: seed: expected a whole number from 0 to" in _message(text)


def test_an_over_long_number_in_set_names_the_option():
    message = _message(EXAMPLE_TEXT, [f"seed={BIG}"])
    assert message == (f"--set seed={'9' * 55}... (5,005 characters): a whole number of 5,000 "
                       f"digits; at most {MAX_INT_DIGITS} are accepted")
    result = subprocess.run([sys.executable, "-m", "diplosim.cli", "validate",
                             str(ROOT / "scenarios" / "example.yaml"), "--set",
                             f"world.users={BIG}"], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--set world.users=" in result.stderr and "5,000 digits" in result.stderr


# -- file size ---------------------------------------------------------------------------------
def test_a_huge_sparse_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as f:  # 3 GB that cost no disk
        f.truncate(3 * 2**30)
    # the child's own peak (VmHWM, kB): ru_maxrss would include the test runner's memory,
    # which Linux carries into a child it starts
    probe = textwrap.dedent(f"""
        from diplosim.errors import ScenarioError
        from diplosim.scenario import load_scenario
        try:
            load_scenario({str(big)!r})
        except ScenarioError as e:
            print(e)
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        print(int(status.split()[0]))
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=True)
    message, peak_kb = result.stdout.splitlines()
    assert message == (f"{big}: file too large: 3,221,225,472 bytes; a scenario may have at "
                       f"most {MAX_SCENARIO_BYTES:,} bytes (5 MB)")
    assert int(peak_kb) < 400_000, f"peak memory {int(peak_kb) // 1000} MB"


def test_a_huge_file_is_never_read(tmp_path, monkeypatch):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as f:
        f.truncate(MAX_SCENARIO_BYTES + 1)
    reads = []
    real_open = type(big).open

    def counting_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read
        handle.read = lambda *a: reads.append(a) or real_read(*a)  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(type(big), "open", counting_open)
    with pytest.raises(ScenarioError, match=r"huge\.yaml: file too large: 5,000,001 bytes"):
        read_scenario_text(big)
    assert reads == []


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_device_is_refused_after_the_limit():
    with pytest.raises(ScenarioError) as info:
        load_scenario("/dev/zero")
    assert str(info.value) == (f"/dev/zero: file too large: more than {MAX_SCENARIO_BYTES:,} "
                               "bytes (reading stopped there); a scenario may have at most "
                               f"{MAX_SCENARIO_BYTES:,} bytes (5 MB)")


def test_text_too_large_is_refused_before_parsing():
    assert "s.yaml: file too large" in _message("#" * (MAX_SCENARIO_BYTES + 1))


# -- aliases ---------------------------------------------------------------------------------
def test_aliases_are_bounded_in_number():
    ok = "a: &a x\nb: [" + ", ".join(["*a"] * MAX_ALIASES) + "]\n"
    too_many = "a: &a x\nc: 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    assert "alias" not in _message(ok)
    assert _message(too_many) == (f"s.yaml:3: b[{MAX_ALIASES}]: too many aliases: more than "
                                  f"{MAX_ALIASES:,} uses of *anchors")


def test_aliases_of_a_long_string_are_bounded_in_expanded_size():
    assert MAX_TEXT == 10_000_000
    text = "a: &a " + "x" * 1_000_000 + "\nb:\n" + "  - *a\n" * 11
    # a, then b[0] to b[8]: ten copies, and the keys a and b tip it over
    assert _message(text) == ("s.yaml:2: b[8]: document too large: more than 10,000,000 "
                              "characters of values (aliases expanded)")


def test_aliases_of_a_long_string_in_a_variant_are_refused_quickly():
    # 2,000 aliases of a 1 MB string once took 7 s to check as country codes; now refused
    text = (EXAMPLE_TEXT + "variants:\n  - {id: y, description: d, set: {platform.ranking: &s "
            + "a" * 1_000_000 + "}}\n  - {id: z, description: d, set: {world.countries: ["
            + ", ".join(["*s"] * 2000) + "]}}\n")
    assert "characters of values (aliases expanded)" in _message(text, variant="z")


# -- variants --------------------------------------------------------------------------------
def test_validate_parses_the_file_once_for_300_variants(tmp_path, monkeypatch):
    path = tmp_path / "many.yaml"
    path.write_text(_with_variants(300), encoding="utf-8")
    parses = []
    real = loader.parse_yaml
    monkeypatch.setattr(loader, "parse_yaml", lambda text: parses.append(1) or real(text))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert len(parses) == 1


def test_each_variant_validated_from_one_parse_equals_loading_it_alone():
    for b in builtin_scenarios():
        base, variants = load_with_variants(b.path, ["world.users=5000"])
        assert base == load_scenario(b.path, ["world.users=5000"])
        assert variants == [load_scenario(b.path, ["world.users=5000"], v.id)
                            for v in base.variants]


def test_a_broken_variant_gives_the_message_it_gives_alone():
    text = _with_variants(5).replace("{platform.diversity: 0.3}", "{platform.diversity: 3}")
    with pytest.raises(ScenarioError) as info:
        parse_with_variants(text, "s.yaml")
    assert str(info.value) == _message(text, variant="v3")
    assert "platform.diversity: expected a number from 0 to 1, got 3" in str(info.value)


def test_variants_are_bounded_in_number_and_in_work():
    message = _message(_with_variants(MAX_VARIANTS + 1))
    line = EXAMPLE_TEXT.count("\n") + MAX_VARIANTS + 2
    assert message == (f"s.yaml:{line}: variants: too many variants: {MAX_VARIANTS + 1:,}; a "
                       f"scenario may declare at most {MAX_VARIANTS:,}")
    # 1,000 variants of the example (171 values) are within the budget; of a big scenario not
    parse_with_variants(_with_variants(MAX_VARIANTS), "s.yaml")
    big = _with_variants(MAX_VARIANTS, EXAMPLE_TEXT + "padding: [" + "1, " * 1000 + "1]\n")
    with pytest.raises(ScenarioError) as info:
        parse_with_variants(big, "s.yaml")
    assert "too many variants for the size of this scenario: 1,000 variants x" in str(info.value)
    assert f"at most {MAX_VARIANT_CHECKS:,}" in str(info.value)


def test_neither_a_variant_nor_set_may_change_the_variants():
    text = _with_variants(2).replace("set: {platform.diversity: 0.1}",
                                     "set: {'variants[0].description': x}")
    assert "variants[1].set: a variant cannot change `variants`" in _message(text, variant="v1")
    assert "variants cannot be changed with --set" in _message(_with_variants(2),
                                                               ["variants[0].id=x"])
