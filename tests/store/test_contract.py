"""The table contract: a simulated run and an import of every format write exactly the declared
columns, in the declared order, with the declared types; the account types are declared once."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from diplosim.engine import snapshots
from diplosim.engine.engine import simulate
from diplosim.errors import DiplosimError
from diplosim.ingest.column_map import load_map
from diplosim.ingest.importer import import_files, load_registry
from diplosim.platform.accounts import MESSENGER_TYPES
from diplosim.scenario import load_scenario
from diplosim.scenario.schema import ACTOR_TYPES
from diplosim.store import contract
from diplosim.store.contract import IMPORTED, SIMULATED

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000


def _fields(s: pa.Schema) -> list[tuple[str, str]]:
    """Names and types; Parquet reads a list's item back as ``element``, which is no change."""
    return [(f.name, str(f.type).replace("<element: ", "<item: ")) for f in s]


def _check_folder(folder: Path, source: str, expect: set[str]) -> None:
    written = {p.stem for p in folder.glob("*.parquet")}
    assert written == expect, (folder, written)
    assert written <= set(contract.SIMULATED_TABLES if source == SIMULATED
                          else contract.IMPORTED_TABLES)
    for name in written:
        got = pq.read_schema(folder / f"{name}.parquet").remove_metadata()
        if name == "events" and got.equals(contract.EMPTY_EVENTS):
            assert pq.read_metadata(folder / "events.parquet").num_rows == 0
            continue
        assert _fields(got) == _fields(contract.schema(name, source)), name


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    scenario = load_scenario(ROOT / "scenarios" / "example.yaml", ["world.users=2000"])
    scenario = scenario.model_copy(update={  # four days: the briefing of day 3 fires
        "duration_days": 4, "events": [e for e in scenario.events if e.day < 4]})
    out = tmp_path_factory.mktemp("contract") / "run"
    simulate(scenario, out)
    return out


def test_a_simulated_run_writes_the_declared_columns_and_types(run):
    _check_folder(run, SIMULATED, set(contract.SIMULATED_TABLES))
    assert pq.read_metadata(run / "events.parquet").num_rows > 0  # the full events schema


def _write_exports(d: Path) -> dict[str, list[Path]]:
    """One small file per format, written from each format's documentation (as in
    tests/ingest); the Research API videos with a line to reject."""
    video = {"id": 7_000_000_000_000_000_001, "create_time": T0, "username": "emb_fr",
             "region_code": "FR", "video_description": "clip #Paris http://x.org @user2",
             "hashtag_names": ["Paris"], "like_count": 10, "comment_count": 1, "share_count": 2,
             "view_count": 1000, "favorites_count": 1, "music_id": 55, "voice_to_text": "hi",
             "video_label": {"content": "label"}}
    (d / "videos.jsonl").write_text(json.dumps(video) + "\n" + json.dumps(
        dict(video, id=7_000_000_000_000_000_002, username="user2")) + "\n{not json\n")
    (d / "page.json").write_text(json.dumps({"data": {"videos": [video], "cursor": 1}},
                                            indent=2))
    (d / "users.jsonl").write_text(json.dumps(
        {"username": "emb_fr", "data": {"display_name": "France", "is_verified": True,
                                        "follower_count": 1200, "following_count": 3}}) + "\n")
    (d / "comments.json").write_text(json.dumps({"data": {"comments": [
        {"id": 11, "video_id": video["id"], "text": "merci", "like_count": 2,
         "parent_comment_id": video["id"], "create_time": T0 + 100}]}}))
    web = {"id": "9", "createTime": T0, "author": {"uniqueId": "emb_es"}, "desc": "hola #x",
           "challenges": [{"title": "x"}], "stats": {"diggCount": 5, "playCount": 90},
           "music": {"id": "7"}, "duetInfo": {"duetFromId": "8"}, "locationCreated": "ES"}
    (d / "z.ndjson").write_text(json.dumps({"item_id": "9", "source_platform": "tiktok.com",
                                            "data": web}) + "\n")
    (d / "items.jsonl").write_text(json.dumps(web) + "\n")
    (d / "apify.json").write_text(json.dumps([
        {"id": "73", "text": "merci #Paris", "createTime": T0, "authorMeta": {"name": "a"},
         "musicMeta": {"musicId": "69"}, "diggCount": 12, "playCount": 450,
         "hashtags": [{"name": "paris"}]}]))
    with open(d / "4cat.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "thread_id", "author", "author_full", "body", "timestamp",
                    "unix_timestamp", "is_duet", "music_name", "music_id", "likes", "comments",
                    "shares", "plays", "hashtags", "challenges", "location_created"])
        w.writerow(["7301", "7301", "a", "A", "one #x", "2023-11-14 22:13:20", str(T0), "no",
                    "s", "69001", "12", "1", "0", "450", "x,y", "", "FR"])

    def page(asked, key, items):
        return json.dumps({"username": asked, "data": {"has_more": False, key: items}}) + "\n"

    listed = [{"id": 7_100_000_000_000_000_000, "username": "creator", "create_time": T0}]
    (d / "followers.jsonl").write_text(page("emb_fr", "user_followers", [{"username": "u1"}]))
    (d / "following.jsonl").write_text(page("u1", "user_following", [{"username": "emb_fr"}]))
    for name, key in (("reposted", "reposted_videos"), ("liked", "user_liked_videos"),
                      ("pinned", "pinned_videos_list")):
        (d / f"{name}.jsonl").write_text(page("u1", key, listed))
    (d / "registry.csv").write_text("handle,actor_type,country,label\n"
                                    "emb_fr,embassy,FR,state-affiliated\n")
    return {"tiktok": [d / "videos.jsonl", d / "page.json"], "tiktok-users": [d / "users.jsonl"],
            "tiktok-comments": [d / "comments.json"], "zeeschuimer": [d / "z.ndjson"],
            "tiktokapi": [d / "items.jsonl"], "apify": [d / "apify.json"],
            "csv": [d / "4cat.csv"],
            **{f"tiktok-{n}": [d / f"{n}.jsonl"]
               for n in ("followers", "following", "reposted", "liked", "pinned")}}


POSTS = {"posts", "accounts"}


@pytest.mark.parametrize("fmt,tables", [
    ("tiktok", {*POSTS, "rejected"}), ("zeeschuimer", POSTS), ("tiktokapi", POSTS),
    ("apify", POSTS), ("csv", POSTS), ("tiktok-users", {"accounts"}),
    ("tiktok-comments", {"accounts", "interactions"}),
    ("tiktok-followers", {"accounts", "follows"}), ("tiktok-following", {"accounts", "follows"}),
    ("tiktok-reposted", {"accounts", "engagements"}),
    ("tiktok-liked", {"accounts", "engagements"}),
    ("tiktok-pinned", {"accounts", "engagements"})])
def test_an_import_of_each_format_writes_the_declared_columns_and_types(tmp_path, fmt, tables):
    files = _write_exports(tmp_path)[fmt]
    cmap = load_map(ROOT / "maps" / "4cat_tiktok.yaml") if fmt == "csv" else None
    r = import_files(fmt, files, tmp_path / "d", column_map=cmap)
    assert r.loaded >= 1
    _check_folder(tmp_path / "d", IMPORTED, tables)


def test_an_import_of_every_kind_together_with_a_registry_and_pseudonyms(tmp_path):
    exports = _write_exports(tmp_path)
    registry = load_registry(tmp_path / "registry.csv")
    for fast in (True, False):
        out = tmp_path / f"d{fast}"
        for fmt, files in exports.items():
            cmap = load_map(ROOT / "maps" / "4cat_tiktok.yaml") if fmt == "csv" else None
            import_files(fmt, files, out, column_map=cmap, registry=registry, key="k" * 32,
                         fast_json=fast)
        _check_folder(out, IMPORTED, set(contract.IMPORTED_TABLES))


def test_account_types_are_declared_once():
    # a scenario's actor types are exactly today's: no scenario changes meaning
    assert ACTOR_TYPES == ("head_of_state", "foreign_ministry", "embassy", "international_org",
                           "state_media", "ngo", "influencer", "citizen", "diaspora",
                           "military")
    assert ACTOR_TYPES == contract.ACTOR_TYPES
    # the simulated tables' dictionaries list these, in this order
    assert MESSENGER_TYPES == contract.SIMULATED_ACCOUNT_TYPES == ("user", *ACTOR_TYPES,
                                                                   "network")
    assert set(contract.REGISTRY_ACCOUNT_TYPES) == {
        "government", "embassy", "foreign_ministry", "international_org", "ngo", "state_media",
        "influencer", "citizen", "network", "media", "other"}
    names = [t.name for t in contract.ACCOUNT_TYPES]
    assert len(names) == len(set(names))
    assert {t.name for t in contract.ACCOUNT_TYPES if not t.simulated} == {
        "government", "media", "other"}  # the types only an import's registry gives


def test_every_table_is_well_formed():
    assert tuple(contract.TABLES) == (*contract.SIMULATED_TABLES, "rejected", "follows",
                                      "engagements")
    for t in contract.TABLES.values():
        names = [c.name for c in t.columns]
        assert len(names) == len(set(names)), t.name
        assert all(c.meaning for c in t.columns), t.name
        if t.imported_order:
            assert sorted(t.imported_order) == sorted(
                c.name for c in t.columns if c.imported is not None), t.name
        for source in t.sources:
            s = contract.schema(t.name, source)
            assert all(f.nullable for f in s) and not s.metadata
    assert snapshots.ATTITUDE_SCHEMA.names[5:] == list(snapshots._STATS)


def test_conform_casts_and_names_what_does_not_fit():
    follows = pa.table({"follower": pa.array(["a"]), "followed": pa.array(["b"]),
                      "source_file": pa.array(["f"]), "source_line": pa.array([1], pa.int32())})
    assert contract.conform(follows, "follows", IMPORTED).schema.equals(
        contract.schema("follows", IMPORTED))
    with pytest.raises(DiplosimError, match=r"follows \(imported\): expected the columns"):
        contract.conform(follows.drop_columns(["followed"]), "follows", IMPORTED)
    bad = follows.set_column(3, "source_line", pa.array(["x"]))
    with pytest.raises(DiplosimError, match=r"follows.source_line \(imported\): expected int64"):
        contract.conform(bad, "follows", IMPORTED)


def test_the_docs_table_names_every_column_and_account_type():
    md = contract.markdown()
    for t in contract.TABLES.values():
        assert f"### `{t.name}`" in md
        for c in t.columns:
            assert f"| `{c.name}` |" in md
    for a in contract.ACCOUNT_TYPES:
        assert f"| `{a.name}` |" in md
