"""`diplosim schema`: the JSON Schema an editor checks scenarios with. Every built-in scenario
validates against the written file, the file in the repository is the command's output, and
the schema catches the mistakes the loader catches (a misspelt field, a wrong enum, a range)."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from typer.testing import CliRunner

from diplosim.cli import app
from diplosim.scenario.json_schema import json_schema_text, reference_markdown
from diplosim.scenario.yaml_lines import parse_yaml
from tests.conftest import EXAMPLE_TEXT, ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=scenario.schema.json"


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


@pytest.fixture(scope="module")
def validator(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "scenario.schema.json"
    result = CliRunner().invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(written)
    return jsonschema.Draft7Validator(written)


def test_the_shipped_schema_file_is_the_commands_output():
    shipped = ROOT / "scenarios" / "scenario.schema.json"
    assert shipped.read_text(encoding="utf-8") == json_schema_text(), (
        "scenarios/scenario.schema.json is stale: run "
        "`diplosim schema --out scenarios/scenario.schema.json`")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_built_in_scenario_validates_against_the_schema(validator, path):
    text = path.read_text(encoding="utf-8")
    if path.name != "example.yaml":  # the example is the shared contract, byte for byte
        assert text.splitlines()[0] == MODELINE
    data = _plain(parse_yaml(text)[0])
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def _errors(validator, data):
    return [(".".join(map(str, e.absolute_path)), e.validator)
            for e in validator.iter_errors(data)]


def test_the_schema_refuses_what_the_loader_refuses(validator):
    good = _plain(parse_yaml(EXAMPLE_TEXT)[0])
    cases = [
        (("world", "userz"), 5, ("world", "additionalProperties")),
        (("platform", "ranking"), "random", ("platform.ranking", "enum")),
        (("world", "users"), 0, ("world.users", "minimum")),
        (("world", "countries"), ["XX"], ("world.countries", "anyOf")),
        (("actors", 0, "languages"), ["jp"], ("actors.0.languages.0", "enum")),
        (("actors", 0, "campaigns", 0, "hashtags"), ["nohash"],
         ("actors.0.campaigns.0.hashtags.0", "pattern")),
        (("parameters",), {"no_such_parameter": 1}, ("parameters", "enum")),
    ]
    assert _errors(validator, good) == []
    for path, value, expected in cases:
        bad = copy.deepcopy(good)
        node = bad
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert expected in _errors(validator, bad), (path, value, _errors(validator, bad))
    event = copy.deepcopy(good)
    event["events"][0]["influencers"] = -1
    assert any(p.startswith("events.0") for p, _ in _errors(validator, event))


def test_every_field_has_a_description():
    tree = json.loads(json_schema_text())
    missing = [f"{name}.{field}" for name, d in tree["$defs"].items()
               for field, prop in d.get("properties", {}).items() if not prop.get("description")]
    missing += [f for f, p in tree["properties"].items() if not p.get("description")]
    assert missing == []


def test_the_reference_lists_every_field_with_an_example_where_a_scenario_has_one():
    text = reference_markdown()
    for field in ("world.users", "actors[].campaigns[].posts_per_day",
                  "events[](type: ban).vpn_share", "variants[].remove", "issues[].baselines"):
        assert f"| `{field}` |" in text, field
    row = next(r for r in text.splitlines() if r.startswith("| `world.users` |"))
    assert "≥ 1, ≤ 2,000,000,000" in row and "`100000`" in row
