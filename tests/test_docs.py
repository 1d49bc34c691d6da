"""The documentation: the site builds strictly (no broken link or reference) with its generated
pages complete, the tutorial notebook runs and draws its plots, the README stays a five-minute
read that links into the docs, and the citation names the package's version."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

import diplosim
from tests.conftest import ROOT

README = ROOT / "README.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                             str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _text(path):
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def test_generated_pages_hold_every_parameter_field_and_command(site):
    from diplosim.cli import app
    from diplosim.parameters import PARAMETERS

    params = _text(site / "parameters" / "index.html")
    assert all(name in params for name in PARAMETERS)
    cli = _text(site / "reference" / "cli" / "index.html")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(commands) >= 14
    for command in commands:
        assert f"diplosim {command.rstrip('_').replace('_', '-')}" in cli, command
    reference = _text(site / "reference" / "scenario" / "index.html")
    for field in ("world.users", "actors[].campaigns[].portrays", "events[](type: ban).vpn_share"):
        assert field in reference
    for md in (ROOT / "scenarios").glob("*.md"):
        assert (site / "scenarios" / md.stem / "index.html").exists(), md.name
    api = _text(site / "api" / "index.html")
    assert "load_run" in api and "import_files" in api and "simulate" in api


def test_measured_tables_are_the_generators_own():
    from benchmarks.readme_table import current, render

    from diplosim.studies.validation import BEGIN, END

    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert render(current()) in performance
    validation = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert BEGIN in validation and END in validation


def test_odd_page_has_every_element_of_the_protocol():
    odd = (ROOT / "docs" / "odd.md").read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialisation",
                    "Input data", "Submodels"):
        assert f". {heading}" in odd, heading
    from diplosim.parameters import PARAMETERS
    named = {p for p in PARAMETERS if f"`{p}`" in odd} | {
        p for p in PARAMETERS if p.startswith("credibility_") and "`credibility_*`" in odd}
    assert set(PARAMETERS) - named == set(), "parameters no submodel names"


def test_odd_page_links_each_submodel_to_its_code_and_parameters(site):
    odd = (site / "odd" / "index.html").read_text(encoding="utf-8")
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    params = (site / "parameters" / "index.html").read_text(encoding="utf-8")
    source = (ROOT / "docs" / "odd.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`([a-z_]+/[a-z_]+)\.py`", source))
    assert len(paths) >= 15
    for path in paths:
        assert (ROOT / "src" / "diplosim" / f"{path}.py").exists(), path
        module = "diplosim." + path.replace("/", ".")
        assert f'href="../api/#{module}"' in odd, path
        assert f'id="{module}"' in api, module
    from diplosim.parameters import PARAMETERS
    linked = set(re.findall(r'href="../parameters/#([a-z_]+)"', odd))
    assert linked <= set(PARAMETERS)
    family = {p for p in PARAMETERS if p.startswith("credibility_")}  # `credibility_*`
    assert set(PARAMETERS) - linked <= family and linked & family
    assert all(f'<span id="{name}">' in params for name in PARAMETERS)


def test_tutorial_notebook_runs_and_draws_two_plots():
    nb = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    plots = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(plots) == 2
    ranking = nb.cells[-1].outputs[0]["data"]["text/plain"]
    # the three actors with the most views on the platform, with their figures
    assert "platform_views" in ranking
    assert sum(a in ranking for a in ("fr_embassy_jp", "us_state_dept", "ru_state_media",
                                      "ua_citizens", "biolabs_network")) == 3


def test_readme_is_short_and_every_link_resolves():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    assert text.startswith("# diplosim\n") and "make run" in text and "make test" in text
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert len(local) >= 10
    for link in local:
        assert (ROOT / link).exists(), link
    for must in ("docs/tutorial.md", "docs/odd.md", "docs/scenario-format.md", "CITATION.cff"):
        assert must in text, must


def test_citation_names_this_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == diplosim.__version__
    assert cff["title"] and cff["authors"] and cff["license"] == "MIT"


SMALL = ["--set", "world.users=2000", "--set", "duration_days=2"]


def test_tutorial_runs_as_written(tmp_path, monkeypatch):
    """Every command of docs/tutorial.md, on the scenario its YAML blocks write, works; only
    the sizes are made small (users, days, seeds, trajectories) so the test is quick."""
    from typer.testing import CliRunner

    from diplosim.cli import app

    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    commands = [line.split() for block in re.findall(r"```\n(diplosim .*?)```", text, re.S)
                for line in block.splitlines()]
    assert len(blocks) == 2 and [c[1] for c in commands] == [
        "schema", "validate", "run", "sweep", "compare", "sensitivity"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "embassy.yaml").write_text(blocks[0] + blocks[1], encoding="utf-8")
    runner = CliRunner()
    for command in commands:
        args = [{"8": "2", "4": "2"}.get(a, a) if prev in ("--replicates", "--samples") else a
                for prev, a in zip(["", *command[:-1]], command, strict=True)][1:]
        if args[0] in ("run", "sweep", "sensitivity"):
            args += SMALL
        if args[0] == "sensitivity":
            args += ["--serial", "--out", "out/sens"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output[-2000:])
    assert (tmp_path / "scenario.schema.json").exists()
    assert (tmp_path / "out" / "embassy" / "report.html").exists()
    assert (tmp_path / "compare.html").exists()
    assert (tmp_path / "out" / "sens" / "sensitivity.html").exists()
    # the mistake the tutorial suggests trying is reported with its line and the right code
    bad = (blocks[0] + blocks[1]).replace("countries: [JP, US]", "countries: [JP, UK]")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "diplosim", "validate", "bad.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    line = bad.splitlines().index("  countries: [JP, UK]") + 1
    assert f"bad.yaml:{line}: world.countries[1]" in result.stderr + result.stdout
    assert "did you mean 'GB' (United Kingdom)?" in result.stderr + result.stdout



def test_every_python_example_of_the_readme_and_docs_runs(tmp_path, monkeypatch):
    """Each ```python block of the README, then of the docs pages, written to a file and run as
    a script (``runpy``) in a folder beside the built-in scenarios; only the README's run is
    made smaller (1,500 users). A block that raises (an API that moved, a DuckDB call it no
    longer has) fails here, and the analysis page's block gives the run's own figures."""
    import runpy

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    blocks = [(page.stem, block) for page in pages
              for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"),
                                      re.S)]
    assert [n for n, _ in blocks][:1] == ["README"] and "analysis" in [n for n, _ in blocks]
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    results = {}
    for i, (name, block) in enumerate(blocks):
        script = tmp_path / f"{i:02d}_{name}.py"
        script.write_text(block.replace('"world.users=5000"', '"world.users=1500"'),
                          encoding="utf-8")
        results[name] = runpy.run_path(str(script), run_name="__main__")
    from diplosim.analysis.run import load_run

    a = results["analysis"]
    (truth,) = load_run(tmp_path / "out" / "small").one("SELECT sum(impressions) FROM exposures")
    assert a["posts"] > 0 and a["impressions"] == truth
    assert sum(r[1] for r in a["by_actor"]) == truth == sum(r["impressions"] for r in a["daily"])
    assert len(a["top"]) == 3 and a["top"][0]["actor"]
