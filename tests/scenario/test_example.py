"""The example scenario is the contract: it validates, and every field is read as written."""

from __future__ import annotations

import re

from diplosim.scenario import load_scenario, parse_scenario
from diplosim.scenario.schema import Ban, CoordinatedNetwork, Crisis, InfluencerBriefing, Policy
from tests.conftest import EXAMPLE, SHARED_DATA

CONTRACT = SHARED_DATA.parent / "examples" / "scenario.yaml"


def _paths(value, prefix=""):
    """Every field path a scenario's JSON form sets (list items merged)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{prefix}.{k}"
            yield from _paths(v, f"{prefix}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _paths(v, f"{prefix}[]")


def test_the_shared_contract_validates_runs_and_the_example_covers_it(tmp_path):
    """The shared example stays the minimal contract: it validates and runs; the shipped
    example may add to it (dated polls) but drops none of its fields."""
    from diplosim.engine.engine import hash_form, simulate

    contract = load_scenario(CONTRACT, ["world.users=2000"])
    result = simulate(contract, tmp_path / "run")
    assert result.manifest["posts"] > 0
    example = load_scenario(EXAMPLE)
    missing = set(_paths(hash_form(load_scenario(CONTRACT)))) - set(_paths(hash_form(example)))
    assert missing == set()


def test_every_field_of_the_example_is_read():
    s = load_scenario(EXAMPLE)
    assert (s.name, s.seed, s.duration_days) == ("example", 7, 14)
    assert s.world.users == 100_000
    assert s.world.countries == ["US", "GB", "DE", "FR", "PL", "UA", "RU", "JP", "ID", "BR"]
    assert s.platform.ranking == "engagement" and s.platform.state_media_labels is True
    assert s.platform.moderation.fact_check is True
    assert s.platform.moderation.fact_check_delay_hours == 24
    assert [(i.id, i.negative, i.positive) for i in s.issues] == [
        ("ukraine_war", "pro_russia", "pro_ukraine")]
    assert [(c.id, c.true) for c in s.claims] == [("biolabs", False)]

    emb, state, media, citizens = s.actors
    assert (emb.id, emb.type, emb.country, emb.host_country, emb.languages) == (
        "fr_embassy_jp", "embassy", "FR", "JP", ["ja", "fr"])
    c = emb.campaigns[0]
    assert (c.id, c.start_day, c.end_day, c.posts_per_day) == ("culture_week", 0, 14, 2)
    assert c.content_mix == {"entertainment": 0.7, "policy": 0.3}
    assert (c.topics, c.hashtags, c.targets) == (["food", "travel", "culture"],
                                                 ["#FranceJapon"], ["JP"])
    c = state.campaigns[0]
    assert (state.type, c.start_day, c.posts_per_day, c.stance.issue, c.stance.value) == (
        "foreign_ministry", 1, 3, "ukraine_war", 0.8)
    assert c.targets == ["US", "DE", "FR", "GB", "PL"]
    assert c.content_mix == {"policy": 0.8, "entertainment": 0.2}
    assert media.type == "state_media" and media.languages == ["en", "ru", "de"]
    assert media.campaigns[0].stance.value == -0.8 and media.campaigns[0].content_mix is None
    assert (citizens.type, citizens.accounts, citizens.campaigns[0].targets) == (
        "citizen", 500, ["all"])
    assert citizens.campaigns[0].content_mix == {"entertainment": 0.4, "news": 0.6}

    brief, net, crisis, ban, policy = s.events
    assert isinstance(brief, InfluencerBriefing)
    assert (brief.day, brief.actor, brief.campaign, brief.influencers, brief.countries) == (
        3, "us_state_dept", "stand_with_ukraine", 30, ["US"])
    assert isinstance(net, CoordinatedNetwork)
    assert (net.id, net.country, net.accounts, net.claim, net.stance.value) == (
        "biolabs_network", "RU", 200, "biolabs", -1.0)
    assert (net.posts_per_account_per_day, net.burst_window_minutes, net.targets) == (
        4, 10, ["US", "ID", "BR"])
    assert isinstance(crisis, Crisis)
    assert (crisis.topic, crisis.countries, crisis.interest_multiplier, crisis.duration_days) == (
        "conflict", ["PL", "DE"], 3.0, 4)
    assert isinstance(ban, Ban) and (ban.day, ban.country, ban.vpn_share) == (8, "US", 0.1)
    assert isinstance(policy, Policy) and (policy.day, policy.ranking) == (10, "social")
    assert s.focal_countries() == ["FR", "US", "RU", "UA"]


def test_countries_all_means_every_country_with_platform_users(example_text):
    text = example_text.replace("countries: [US, GB, DE, FR, PL, UA, RU, JP, ID, BR]",
                                "countries: all")
    s = parse_scenario(text, "example.yaml")
    assert len(s.world.countries) > 150
    assert "US" in s.world.countries and "IN" not in s.world.countries  # India: banned since 2020


def test_every_schema_field_is_documented_in_the_scenario_format_page():
    from pydantic import BaseModel

    from diplosim.scenario import schema
    from tests.conftest import ROOT

    section = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    models = [m for m in vars(schema).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m is not schema.Model]
    code_spans = re.findall(r"`([^`]+)`", section)
    for model in models:
        for name in model.model_fields:
            assert any(re.search(rf"(?<![\w]){name}(?![\w])", span) for span in code_spans), (
                f"{model.__name__}.{name} is not documented")
