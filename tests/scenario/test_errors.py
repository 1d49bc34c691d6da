"""Bad scenarios: each mistake gives its own message naming the line, the field and the fix."""

from __future__ import annotations

import pytest

from diplosim.errors import ScenarioError
from diplosim.scenario import parse_scenario


def _problems(text: str, overrides: list[str] | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "example.yaml", overrides)
    return [str(p) for p in info.value.problems]


# (what to replace in the example, replacement, the exact line:path prefix, words in the message)
CASES = [
    ("fielded: 2022-02-05", "fielded: 2022-03-05", "example.yaml:32: issues[0].baselines[0]"
     ".fielded", "the poll was fielded on 2022-03-05, after the scenario's start (2022-02-24); "
     "a poll must come before the run it starts"),
    ("posts_per_day: 3\n", "posts_per_day: three\n",
     "example.yaml:75: actors[1].campaigns[0].posts_per_day",
     'expected a number >= 0, got "three"'),
    ("ranking: engagement ", "ranking: engagment ", "example.yaml:21: platform.ranking",
     'expected one of engagement, social, chronological, got "engagment"'),
    ("  users: 100000", "  userz: 100000", "example.yaml:10: world.userz",
     "unknown field; did you mean 'users'?"),
    ("seed: 7", "seed: -1", "example.yaml:5: seed", "expected a whole number from 0"),
    ("countries: [US, GB", "countries: [USA, GB", "example.yaml:11: world.countries[0]",
     'ISO 3166-1 alpha-2 country code such as US or JP, got "USA"; did you mean \'US\' '
     "(United States)?"),
    ("countries: [US, GB", "countries: [US, UK", "example.yaml:11: world.countries[1]",
     "got \"UK\"; did you mean 'GB' (United Kingdom)?"),
    ("countries: [US, GB", "countries: [US, Britain", "example.yaml:11: world.countries[1]",
     'got "Britain"'),
    ("PL, UA, RU", "PL, Ukraine, RU", "example.yaml:11: world.countries[5]",
     "got \"Ukraine\"; did you mean 'UA' (Ukraine)?"),
    ("PL, UA, RU", "PL, ua, RU", "example.yaml:11: world.countries[5]",
     "did you mean 'UA' (Ukraine)?"),
    ("vpn_share: 0.1", "vpn_share: 1.5", "example.yaml:135: events[3].vpn_share",
     "expected a number from 0 to 1, got 1.5"),
    ("    actor: us_state_dept", "    actor: us_state", "example.yaml:108: events[0].actor",
     "did you mean 'us_state_dept'?"),
    ("issue: ukraine_war, value: 0.8", "issue: ukraine, value: 0.8",
     "example.yaml:77: actors[1].campaigns[0].stance.issue",
     'expected a declared issue (ukraine_war), got "ukraine"'),
    ("    claim: biolabs", "    claim: biolab", "example.yaml:119: events[1].claim",
     "did you mean 'biolabs'?"),
    ("type: embassy ", "type: embasy ", "example.yaml:53: actors[0].type",
     'got "embasy"'),
    ("    type: crisis ", "    type: crisiss ", "example.yaml:126: events[2].type",
     'expected an event type, one of influencer_briefing'),
    ("  - day: 8", "  - day: 80", "example.yaml:132: events[3].day",
     "expected a day before duration_days (14), got 80"),
    ("{entertainment: 0.7, policy: 0.3}", "{entertainment: 0.7, policy: 0.4}",
     "example.yaml:63: actors[0].campaigns[0].content_mix",
     "expected shares summing to 1, got 1.1"),
    ('hashtags: ["#FranceJapon"]', 'hashtags: ["FranceJapon"]',
     "example.yaml:65: actors[0].campaigns[0].hashtags[0]", "expected a hashtag"),
    ("topics: [food, travel, culture]", "topics: [food, travl, culture]",
     "example.yaml:64: actors[0].campaigns[0].topics[1]", "did you mean 'travel'?"),
    ("languages: [ja, fr]", "languages: [jp, fr]", "example.yaml:57: actors[0].languages[0]",
     "did you mean 'ja' (JP is a country)?"),
    ("    host_country: JP\n", "", "example.yaml:52: actors[0]",
     "an embassy needs host_country"),
    ("targets: [US, DE, FR, GB, PL]", "targets: [US, DE, FR, GB, CN]",
     "example.yaml:79: actors[1].campaigns[0].targets[4]",
     'expected a country in world.countries (US, GB, DE, FR, PL, UA, RU, JP, ID, BR), got "CN"'),
    ("fact_check: true", "fact_check: yes", "example.yaml:24: platform.moderation.fact_check",
     'expected true or false, got "yes"'),
    ("duration_days: 14", "duration_days: 14.5", "example.yaml:6: duration_days",
     "expected a whole number from 1 to 3650, got 14.5"),
    ("    accounts: 500 ", "    accounts: 0 ", "example.yaml:95: actors[3].accounts",
     "expected a whole number from 1 to 10,000,000, got 0"),
    ("    true: false", "    true: maybe", "example.yaml:49: claims[0].true",
     'expected true or false, got "maybe"'),
    ("    influencers: 30", "    influencers: 30\n    budget: 5",
     "example.yaml:111: events[0].budget", "unknown field"),
    ("    campaign: stand_with_ukraine", "    campaign: culture_week",
     "example.yaml:109: events[0].campaign",
     "expected a declared campaign of us_state_dept (stand_with_ukraine)"),
    ("  - id: fr_embassy_jp", "  - id: us_state_dept", "example.yaml:68: actors[1].id",
     'duplicate id "us_state_dept"'),
    ("    country: US\n    vpn_share", "    country: IN\n    vpn_share",
     "example.yaml:134: events[3].country", 'expected a country in world.countries'),
    ("    interest_multiplier: 3.0", "    interest_multiplier: .inf",
     "example.yaml:129: events[2].interest_multiplier", "expected a number > 0 and <= 100"),
    ("world:\n", "parameters: {stance_initial_sd: 9}\nworld:\n",
     "example.yaml:9: parameters.stance_initial_sd", "expected a number from 0 to 2, got 9"),
    ("world:\n", "parameters: {stance_initial_s: 0.3}\nworld:\n",
     "example.yaml:9: parameters.stance_initial_s", "did you mean 'stance_initial_sd'?"),
    ("  users: 100000", "  users: 100000\n  shards: 4", "example.yaml:11: world.shards",
     "not supported yet"),
    ("        start_day: 0\n        posts_per_day: 6", "        start_day: 5\n        end_day: 2\n"
     "        posts_per_day: 6", "example.yaml:88: actors[2].campaigns[0].end_day",
     "expected a day after start_day (5), got 2"),
]


@pytest.mark.parametrize(("old", "new", "where", "words"), CASES, ids=[c[2] for c in CASES])
def test_each_mistake_is_named_precisely(example_text, old, new, where, words):
    assert old in example_text
    problems = _problems(example_text.replace(old, new, 1))
    matching = [p for p in problems if p.startswith(where + ":")]
    assert matching, problems
    assert any(words in p for p in matching), matching


def test_messages_are_distinct():
    assert len({c[3] for c in CASES}) == len(CASES) >= 20


def test_all_problems_are_reported_at_once(example_text):
    text = (example_text.replace("ranking: engagement", "ranking: fastest")
            .replace("vpn_share: 0.1", "vpn_share: -1")
            .replace("    actor: us_state_dept", "    actor: nobody"))
    problems = _problems(text)
    assert len(problems) == 3
    assert [p.split(":")[1] for p in problems] == ["21", "108", "135"]  # in file order


def test_country_without_platform_users_is_explained(example_text):
    text = example_text.replace("countries: [US, GB", "countries: [IN, US, GB")
    problems = _problems(text)
    assert any("world.countries[0]: IN has no platform users" in p
               and "world.platform_users.IN" in p for p in problems)
    fixed = text.replace("  users: 100000", "  users: 100000\n  platform_users: {IN: 200000000}")
    assert parse_scenario(fixed).world.platform_users == {"IN": 200_000_000}


@pytest.mark.parametrize(("text", "words"), [
    (b"", "expected a mapping of sections (name, world, actors, ...), got an empty file"),
    (b"- a\n- b\n", "got a list"),
    (b"name: [\n", "s.yaml:2: invalid YAML"),
    (b"name: x\n\xff\xfe\n", "s.yaml:2: not valid UTF-8 text (byte 8)"),
    (b"name: x\nname: y\n", "s.yaml:2: duplicate key 'name'"),
    (b"!!python/object/apply:os.system ['ls']\n", "s.yaml:1: invalid YAML: the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    (b"name: !!python/name:os.system\n", "could not determine a constructor"),
    (b"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
     b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
     "too many aliases"),
    (b"[" * 5000, "invalid YAML"),
])
def test_unreadable_files_get_one_clear_message(text, words):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    assert words in str(info.value)


def test_overrides_apply_and_are_blamed_by_name(example_text):
    s = parse_scenario(example_text, overrides=["platform.ranking=social",
                                                "actors[1].campaigns[0].posts_per_day=5",
                                                "world.users=5000",
                                                "actors.0.campaigns.0.targets=[JP]"])
    assert s.platform.ranking == "social" and s.actors[1].campaigns[0].posts_per_day == 5
    assert s.world.users == 5000 and s.actors[0].campaigns[0].targets == ["JP"]
    problems = _problems(example_text, ["world.users=many"])
    assert problems == ['--set world.users=many: world.users: expected a whole number from 1 to '
                        '2,000,000,000, got "many"']
    assert "no such place" in _problems(example_text, ["actors[9].id=x"])[0]
    assert "expected key.path=value" in _problems(example_text, ["world.users"])[0]


def test_yaml_12_booleans_keep_norway_a_country(example_text):
    text = example_text.replace("countries: [US, GB", "countries: [NO, US, GB")
    assert parse_scenario(text).world.countries[0] == "NO"


def test_anchors_and_merge_keys_are_allowed(example_text):
    text = example_text.replace("  - id: biolabs\n    true: false",
                                "  - &c {id: biolabs, true: false}\n  - {<<: *c, id: other}")
    assert [c.id for c in parse_scenario(text).claims] == ["biolabs", "other"]


def test_polls_by_age_may_sit_beside_the_all_ages_poll_but_not_overlap(example_text):
    crosstab = ("      - {country: US, positive: 0.58, negative: 0.06, fielded: 2022-02-05,\n"
                "         source: \"a crosstab\", ages: [18-24, 25-34]}\n")
    anchor = "      - {country: PL, positive: 0.69"
    fine = example_text.replace(anchor, crosstab + anchor, 1)
    assert parse_scenario(fine, "example.yaml").issues[0].baselines[1].ages == ["18-24", "25-34"]
    clash = crosstab.replace("[18-24, 25-34]", "[25-34, 35-44]").replace("a crosstab", "another")
    both = example_text.replace(anchor, crosstab + clash + anchor, 1)
    assert any("a second baseline for US for ages 25-34" in p for p in _problems(both))


def test_a_set_naming_a_list_item_by_id_lists_the_items_by_index(example_text):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(example_text, "example.yaml", ["actors.jp_embassy.followers=5"])
    assert ("actors is a list: address its items by index; actors.0 is fr_embassy_jp, "
            "actors.1 is us_state_dept, actors.2 is ru_state_media, actors.3 is ua_citizens"
            in str(e.value))
    with pytest.raises(ScenarioError) as e:
        parse_scenario(example_text, "example.yaml", ["actors.9.followers=5"])
    assert "actors.9.followers does not exist (actors has 4 items, 0 to 3)" in str(e.value)
