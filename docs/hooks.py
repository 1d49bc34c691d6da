"""MkDocs hooks: the pages generated from the code when the site is built, so they cannot go
stale (the scenario reference from the Pydantic schema, the command reference from the CLI, the
parameter table, the built-in scenarios' pages from ``scenarios/NAME.md``, the scaling
estimate from ``benchmarks/results.json``, the run folder's tables from the table contract)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

GENERATED = "<!-- generated:{} -->"


def cli_markdown() -> str:
    """Every command of ``diplosim`` with its help and options, from the Typer app."""
    import click
    import typer

    from diplosim.cli import app

    group = typer.main.get_command(app)
    out = ["# Command reference", "",
           "Generated from the command line's own help when the docs are built "
           "(`diplosim COMMAND --help` prints the same).", ""]
    for name in sorted(group.commands):  # type: ignore[attr-defined]
        cmd = group.commands[name]  # type: ignore[attr-defined]
        out += [f"## `diplosim {name}`", "", " ".join((cmd.help or "").split()), "",
                "| argument or option | meaning | default |", "| --- | --- | --- |"]
        for p in cmd.params:
            if p.name == "help":
                continue
            names = (p.name.upper() if isinstance(p, click.Argument)
                     else ", ".join(p.opts + p.secondary_opts))
            default = "" if p.required or p.default in (None, False, ()) else f"`{p.default}`"
            text = " ".join((getattr(p, "help", None) or "").split()).replace("|", "/")
            out.append(f"| `{names}` | {text} | {default} |")
        out.append("")
    return "\n".join(out)


def layers_markdown() -> str:
    """The house's floors as the import contract in ``pyproject.toml`` declares them (the one
    ``make lint`` and ``tests/test_architecture.py`` enforce), each package with the first line
    of its own docstring."""
    import importlib
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    floors = next(c for c in contracts if c["type"] == "layers")["layers"]
    out = ["| floor | package | what it holds |", "| --- | --- | --- |"]
    for i, floor in enumerate(floors):
        for name in (n.strip() for n in floor.split("|")):
            doc = (importlib.import_module(name).__doc__ or "").strip()
            first = " ".join(doc.split("\n\n")[0].split()).replace("|", "/")
            path = name.removeprefix("diplosim.").replace(".", "/")
            out.append(f"| {len(floors) - i} | `{path}` | {first} |")
    forbidden = [c for c in contracts if c["type"] == "forbidden"]
    out += ["", "Besides the floors:"]
    out += [f"- {c['name']} (`{c['source_modules'][0]}` never imports "
            + ", ".join(f"`{m}`" for m in c["forbidden_modules"]) + ")." for c in forbidden]
    return "\n".join(out)


def link_odd(markdown: str) -> str:
    """The ODD page names code as `engine/timeline.py` and constants as `favourability_rate`
    (readable as plain Markdown); on the site each becomes a link, to the module's entry in
    the API reference and to the constant's row of the parameter table. A name without a
    target stays a broken link, which the strict build refuses."""
    from diplosim.parameters import PARAMETERS

    def code(m: re.Match) -> str:
        module = "diplosim." + m.group(1).replace("/", ".")
        return f"[`{m.group(1)}.py`](api.md#{module})"

    def parameter(m: re.Match) -> str:
        name = m.group(1)
        if name.endswith("_*"):  # a family, such as `credibility_*`: its first row
            name = next((p for p in PARAMETERS if p.startswith(name[:-1])), name)
        return f"[`{m.group(1)}`](parameters.md#{name})" if name in PARAMETERS else m.group(0)

    markdown = re.sub(r"(?<!\[)`([a-z_]+/[a-z_]+)\.py`", code, markdown)
    return re.sub(r"(?<!\[)`([a-z_]+(?:_\*)?)`", parameter, markdown)


def on_files(files, config):
    from diplosim.scenario.json_schema import reference_markdown

    pages = {"reference/scenario.md": reference_markdown(), "reference/cli.md": cli_markdown()}
    for md in sorted((ROOT / "scenarios").glob("*.md")):
        pages[f"scenarios/{md.name}"] = md.read_text(encoding="utf-8")
    for uri, text in pages.items():
        files.append(File.generated(config, uri, content=text))
    return files


def on_page_markdown(markdown, page, config, files):
    if str(ROOT) not in sys.path:  # MkDocs restores sys.path after loading the hooks
        sys.path.insert(0, str(ROOT))
    from benchmarks.scale_estimate import markdown as scale_markdown

    from diplosim.parameters import markdown_table
    from diplosim.store.contract import markdown as tables_markdown

    for name, make in (("parameters", lambda: markdown_table(anchors=True)),
                       ("scale", scale_markdown), ("layers", layers_markdown),
                       ("tables", tables_markdown)):
        if GENERATED.format(name) in markdown:
            markdown = markdown.replace(GENERATED.format(name), make())
    if page.file.src_uri == "odd.md":
        markdown = link_odd(markdown)
    return markdown
