"""The scenario's JSON Schema (``diplosim schema``), for editors that complete and check YAML
(``# yaml-language-server: $schema=...``), and the scenario reference of the docs, both built
from the Pydantic models of ``schema``: every field with its type, default, range, description
and an example taken from the built-in scenarios."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from diplosim.parameters import PARAMETERS
from diplosim.scenario import events, fields, schema
from diplosim.world.countries import country_table, language_names

__all__ = ["SCHEMA_ID", "json_schema", "reference_markdown"]

SCHEMA_ID = "https://diplosim.invalid/scenario.schema.json"

#: Descriptions of the fields whose Pydantic ``Field`` has none (the rest are the models' own).
DESCRIPTIONS = {
    ("Scenario", "name"): "The scenario's name (letters, digits, `_`, `-`); runs go to `out/NAME`.",
    ("Scenario", "description"): "Free text: the question the scenario asks.",
    ("Scenario", "seed"): "Random seed: the same scenario and seed give the same outputs.",
    ("Scenario", "duration_days"): "Simulated days (one tick is one hour).",
    ("Scenario", "world"): "Who is on the platform: users and countries.",
    ("Scenario", "platform"): "The feed's ranking and the platform's policies at the start.",
    ("Scenario", "issues"): "Contested questions users take a stance on (-1 to +1).",
    ("Scenario", "claims"): "Circulating factual claims users come to believe (0 to 1).",
    ("Scenario", "actors"): "Governments, media, organisations, creators and citizen groups "
                            "with their campaigns.",
    ("Scenario", "events"): "The timeline: briefings, networks, crises, bans, policy changes.",
    ("Scenario", "output"): "What the run keeps beyond the standard tables.",
    ("Platform", "moderation"): "Fact-checking of false claims.",
    ("Baseline", "country"): "The polled country.",
    ("ClaimBaseline", "country"): "The surveyed country.",
    ("Issue", "id"): "The issue's identifier, used by `stance.issue`.",
    ("Favourability", "unfavourable"): "Share unfavourable (if only one share is given, the "
                                       "other is 1 - it - the no-opinion share).",
    ("Claim", "id"): "The claim's identifier, used by `claim` in campaigns and networks.",
    ("Campaign", "id"): "The campaign's identifier, unique within the actor.",
    ("Campaign", "start_day"): "Day the campaign starts (default 0).",
    ("Campaign", "topics"): "Topics the videos are about (drawn in turn).",
    ("Campaign", "hashtags"): "Hashtags the videos carry.",
    ("Campaign", "stance"): "The issue and side the videos take.",
    ("Actor", "id"): "The actor's identifier, unique in the scenario.",
    ("Actor", "type"): "What kind of actor: it sets the messenger's credibility and labels.",
    ("Actor", "country"): "The actor's country: favourability toward it is what the actor "
                          "courts.",
    ("Actor", "languages"): "Languages the actor posts in (ISO 639).",
    ("Actor", "campaigns"): "What the actor posts, when and to whom.",
    ("InfluencerBriefing", "type"): "The most-followed creators in `countries` post the "
                                    "campaign's message once, sponsored.",
    ("InfluencerBriefing", "actor"): "The sponsoring actor (declared in `actors`).",
    ("InfluencerBriefing", "campaign"): "The sponsor's campaign whose message is posted.",
    ("InfluencerBriefing", "influencers"): "How many creators are briefed.",
    ("InfluencerBriefing", "countries"): "Where the briefed creators are.",
    ("CoordinatedNetwork", "type"): "Inauthentic accounts switch on, posting near-copies in "
                                    "bursts and boosting each other.",
    ("CoordinatedNetwork", "id"): "The network's identifier (in `accounts.network`).",
    ("CoordinatedNetwork", "country"): "The country the accounts pose as being from.",
    ("CoordinatedNetwork", "accounts"): "Number of inauthentic accounts.",
    ("CoordinatedNetwork", "languages"): "Languages the accounts post in.",
    ("CoordinatedNetwork", "claim"): "A declared claim the posts carry.",
    ("CoordinatedNetwork", "stance"): "The issue and side the posts take.",
    ("CoordinatedNetwork", "posts_per_account_per_day"): "Posts per account per day.",
    ("CoordinatedNetwork", "burst_window_minutes"): "All accounts post a near-copy of one text "
                                                    "within this many minutes.",
    ("CoordinatedNetwork", "targets"): "Countries targeted, or `all`.",
    ("CoordinatedNetwork", "hashtags"): "Hashtags the posts carry.",
    ("CoordinatedNetwork", "end_day"): "Day the network stops (default: the end of the run).",
    ("Crisis", "type"): "Interest in a topic jumps in some countries.",
    ("Crisis", "topic"): "The topic whose interest rises.",
    ("Crisis", "countries"): "Where interest rises.",
    ("Crisis", "interest_multiplier"): "How many times the usual interest.",
    ("Crisis", "duration_days"): "How long the crisis lasts.",
    ("Ban", "type"): "The app stops in a country except for VPN users.",
    ("Ban", "country"): "The banned country (in `world.countries`).",
    ("Policy", "type"): "A platform policy changes from `day`, everywhere or in `countries`.",
    ("Policy", "ranking"): "The feed's ranking from this day.",
    ("Policy", "state_media_labels"): "Whether state-affiliated accounts are labelled.",
    ("Policy", "fact_check"): "Whether fact-checkers label false claims.",
    ("Policy", "fact_check_delay_hours"): "Hours from a false claim's post to its label.",
    ("Policy", "diversity"): "Share of each feed page given to videos outside the viewer's "
                             "interests.",
    ("Variant", "id"): "The variant's identifier: `diplosim run FILE --variant ID`.",
    ("Variant", "description"): "What the variant changes and why.",
}


def _describe(tree: dict) -> None:
    for name, d in tree["$defs"].items():
        for field, prop in d.get("properties", {}).items():
            if "description" not in prop and (name, field) in DESCRIPTIONS:
                prop["description"] = DESCRIPTIONS[(name, field)]
    for field, prop in tree["properties"].items():
        if "description" not in prop:
            prop["description"] = DESCRIPTIONS[("Scenario", field)]


def _codes(node: Any) -> Any:
    """Replace each ``x-codes`` marker by a reference to the list of codes."""
    if isinstance(node, dict):
        if "x-codes" in node:
            ref = {"$ref": f"#/$defs/{node['x-codes']}"}
            rest = {k: v for k, v in node.items() if k not in ("x-codes", "type")}
            return {"allOf": [ref], **rest} if rest else ref  # draft 7 ignores $ref's siblings
        return {k: _codes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_codes(v) for v in node]
    return node


@cache
def _schema() -> dict:
    tree = _codes(copy.deepcopy(schema.Scenario.model_json_schema()))
    _describe(tree)
    tree["$defs"]["CountryCode"] = {
        "description": "An ISO 3166-1 alpha-2 country code of the shipped country table.",
        "enum": sorted(country_table())}
    tree["$defs"]["Language"] = {
        "description": "An ISO 639 language code spoken in a country of the shipped table.",
        "enum": sorted(language_names())}
    tree["properties"]["parameters"]["propertyNames"] = {"enum": list(PARAMETERS)}
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID,
            "title": "diplosim scenario", **tree}


def json_schema() -> dict:
    """The JSON Schema (draft 7, what yaml-language-server reads) of a scenario file, with
    every field described."""
    return copy.deepcopy(_schema())


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=1, ensure_ascii=False) + "\n"


# -- the reference page ----------------------------------------------------------------------

def _type(prop: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        return {"CountryCode": "country code", "Language": "language code"}.get(name, name)
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "anyOf" in prop or "oneOf" in prop:
        kinds = [_type(p) for p in prop.get("anyOf", prop.get("oneOf", []))
                 if p.get("type") != "null"]
        return " or ".join(kinds)
    kind = prop.get("type", "any")
    if prop.get("pattern") in _PATTERNS:
        return _PATTERNS[prop["pattern"]]
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        if "additionalProperties" in prop and isinstance(prop["additionalProperties"], dict):
            return f"map to {_type(prop['additionalProperties'])}"
        return "map"
    return {"integer": "whole number", "number": "number", "boolean": "true/false",
            "string": "text"}.get(kind, kind)


_PATTERNS = {fields.ID_JSON["pattern"]: "identifier", r"^#\w{1,100}$": "hashtag"}


def _num(x: float) -> str:
    return f"{x:,}" if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _range(prop: dict) -> str:
    props = [prop, *prop.get("anyOf", []), prop.get("items", {})]
    parts = []
    for p in props:
        if "minimum" in p:
            parts.append(f"≥ {_num(p['minimum'])}")
        if "exclusiveMinimum" in p:
            parts.append(f"> {_num(p['exclusiveMinimum'])}")
        if "maximum" in p and p["maximum"] < 2**62:
            parts.append(f"≤ {_num(p['maximum'])}")
        if "exclusiveMaximum" in p:
            parts.append(f"< {_num(p['exclusiveMaximum'])}")
        if "minItems" in p:
            parts.append(f"at least {p['minItems']} item{'s' * (p['minItems'] > 1)}")
        if "maxLength" in p:
            parts.append(f"at most {p['maxLength']} characters")
    return ", ".join(dict.fromkeys(parts))


def _examples() -> dict[str, Any]:
    """Field path (``actors[].campaigns[].topics``) -> the first value a built-in scenario
    gives it (example.yaml first)."""
    from diplosim.scenario.yaml_lines import parse_yaml

    folder = Path(__file__).resolve().parents[3] / "scenarios"
    found: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                sub = f"{path}.{k}" if path else str(k)
                if isinstance(node.get("type"), str) and path == "events[]":
                    sub = f"{path}(type: {node['type']}).{k}"
                found.setdefault(sub, v)
                walk(v, sub)
        elif isinstance(node, list):
            for v in node:
                walk(v, f"{path}[]")

    files = sorted(folder.glob("*.yaml"), key=lambda p: (p.name != "example.yaml", p.name))
    for path in files:
        walk(_plain(parse_yaml(path.read_text(encoding="utf-8"))[0]), "")
    return found


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return getattr(node, "value", node)


def _example(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > 60:
        return ""
    return f"`{text}`"


def reference_markdown() -> str:
    """Every field of a scenario, section by section: type, default, range, description and an
    example from the built-in scenarios (the docs' scenario reference)."""
    tree = json_schema()
    defs = tree["$defs"]
    try:
        examples = _examples()
    except FileNotFoundError:  # installed without the repository's scenarios
        examples = {}
    out = ["# Scenario reference", "",
           "Generated from the scenario schema (`diplosim.scenario.schema`) when the docs are "
           "built; `diplosim schema --out scenario.schema.json` writes the same schema as JSON "
           "Schema for editors. Examples are the first value a built-in scenario gives the "
           "field. A path ending in `[]` is a list of such items.", ""]
    seen: set[str] = set()

    def section(title: str, node: dict, path: str) -> None:
        rows, nested = [], []
        required = set(node.get("required", []))
        for field, prop in node.get("properties", {}).items():
            full = f"{path}.{field}" if path else field
            ref = _model_ref(prop)
            default = "(required)" if field in required else (
                f"`{json.dumps(prop['default'])}`" if "default" in prop else "")
            kind = _type(prop)
            if prop.get("unsupported"):
                kind += " (not supported yet)"
            rows.append(f"| `{full}` | {kind} | {default} | {_range(prop)} | "
                        f"{prop.get('description', '').replace('|', '/')} | "
                        f"{_example(examples.get(full))} |")
            for model, suffix in ref:
                nested.append((model, full + suffix))
        out.extend([f"## {title}", "", node.get("description", ""), "",
                    "| field | type | default | range | meaning | example |",
                    "| --- | --- | --- | --- | --- | --- |", *rows, ""])
        for model, sub in nested:
            key = f"{model}@{sub}"
            if key not in seen:
                seen.add(key)
                section(f"`{sub}` ({model})", defs[model], sub)

    section("The scenario file", {k: tree[k] for k in ("properties", "required")}
            | {"description": "The top level of a scenario file."}, "")
    return "\n".join(out) + "\n"


def _model_ref(prop: dict) -> list[tuple[str, str]]:
    """The nested models a property holds, with the path suffix ('' or '[]')."""
    refs: list[tuple[str, str]] = []
    candidates = [(prop, "")]
    for p in prop.get("anyOf", []):
        candidates.append((p, ""))
    if "items" in prop:
        items = prop["items"]
        candidates.append((items, "[]"))
        for p in items.get("oneOf", []):
            candidates.append((p, "[]"))
    for p, suffix in candidates:
        name = p.get("$ref", "").rsplit("/", 1)[-1]
        if name and name not in ("CountryCode", "Language"):
            refs.append((name, suffix if "oneOf" not in prop.get("items", {}) else
                         f"[](type: {_event_type(name)})"))
    return refs


def _event_type(model: str) -> str:
    return next(k for k, v in events.EVENT_TYPES.items() if v.__name__ == model)
