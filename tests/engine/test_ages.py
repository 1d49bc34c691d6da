"""Age groups in a run: a campaign aimed at some ages is shown only to them, and the by-age
tables add up to the all-ages ones."""

from __future__ import annotations

from tests.engine.conftest import query, run

BASE = {"name": "t", "seed": 3, "duration_days": 2,
        # the whole platform (sampling fraction 1), so the actor's reach shows at this size
        "world": {"users": 20000, "countries": ["US", "GB"],
                  "platform_users": {"US": 17432, "GB": 2568}},
        "actors": [{"id": "gov", "type": "foreign_ministry", "country": "GB",
                    "languages": ["en"], "campaigns": [
                        {"id": "young", "posts_per_day": 24, "content_mix": {"news": 1.0},
                         "topics": ["politics"], "targets": ["US"], "appeal": 0.9,
                         "ages": ["18-24"]}]}]}


def test_a_campaign_aimed_at_an_age_group_reaches_only_it(tmp_runs):
    out = run(BASE, tmp_runs)
    by_age = dict(query(out, "SELECT age, sum(unique_viewers) FROM audience_by_age "
                             "WHERE actor = 'gov' GROUP BY age"))
    assert by_age.get("18-24", 0) > 100, by_age
    assert set(by_age) == {"18-24"}
    # and its platform audience counts only that group's share of US users (about 26%)
    aimed = query(out, "SELECT sum(platform_views) FROM posts p JOIN accounts a "
                       "ON p.account = a.account WHERE a.actor = 'gov'")[0][0]
    data = dict(BASE, actors=[dict(BASE["actors"][0], campaigns=[
        {k: v for k, v in BASE["actors"][0]["campaigns"][0].items() if k != "ages"}])])
    everyone = query(run(data, tmp_runs), "SELECT sum(platform_views) FROM posts p JOIN "
                     "accounts a ON p.account = a.account WHERE a.actor = 'gov'")[0][0]
    assert 0.1 < aimed / everyone < 0.5, (aimed, everyone)


def test_the_by_age_tables_add_up_to_the_all_ages_ones(tmp_runs):
    out = run(BASE, tmp_runs)
    assert query(out, "SELECT sum(unique_viewers) FROM audience")[0] == query(
        out, "SELECT sum(unique_viewers) FROM audience_by_age")[0]
    rows = query(out, """
        SELECT a.n, sum(b.n), a.mean, sum(b.mean * b.n) / sum(b.n)
        FROM attitudes a JOIN attitudes_by_age b USING (day, country, kind, subject)
        GROUP BY a.day, a.country, a.kind, a.subject, a.n, a.mean""")
    assert rows and all(n == m and abs(x - y) < 1e-9 for n, m, x, y in rows)


def test_summary_by_age_breaks_opinion_and_audience_down(tmp_runs):
    from typer.testing import CliRunner

    from diplosim.analysis.opinion import audience_by_age, opinion_by_age
    from diplosim.analysis.run import load_run
    from diplosim.cli import app

    out = run(BASE, tmp_runs)
    rows = opinion_by_age(load_run(out))
    assert {r["age"] for r in rows} == {"18-24", "25-34", "35-44", "45-54", "55+"}
    assert {r["age"] for r in audience_by_age(load_run(out)) if r["actor"] == "gov"} == {
        "18-24"}
    result = CliRunner().invoke(app, ["summary", str(out), "--by-age"])
    assert result.exit_code == 0, result.output
    assert "Opinion by age group" in result.output and "Audience by age group" in result.output
