"""Open a report in headless Debian Chromium (never a downloaded browser) and read it back."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageReport:
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    plots: int = 0
    plot_paths: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # every link drawn inside a chart
    plot_text: str = ""                             # every chart's drawn text
    screenshot: bytes = b""


def open_report(path: Path, screenshot: Path | None = None, width: int = 1280,
                height: int = 2400, texts: tuple[str, ...] = (), element: str | None = None
                ) -> PageReport:
    from playwright.sync_api import sync_playwright

    out = PageReport()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: out.console.append((m.type, m.text)))
            page.on("pageerror", lambda e: out.page_errors.append(str(e)))
            page.on("request", lambda r: out.requests.append(r.url))

            def dialog(d):
                out.dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", dialog)
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.plot').length === "
                                   "document.querySelectorAll('.plot .main-svg').length / 2 "
                                   "|| document.querySelectorAll('.plot .plot-container')"
                                   ".length === document.querySelectorAll('.plot').length",
                                   timeout=60_000)
            page.wait_for_timeout(500)
            out.plots = page.locator(".plot .plot-container").count()
            out.plot_paths = page.locator(".plot svg path").count()
            out.links = page.evaluate("Array.from(document.querySelectorAll('.plot a'))"
                                      ".map(a => a.getAttribute('href') || "
                                      "a.getAttribute('xlink:href') || '')")
            out.plot_text = page.evaluate("Array.from(document.querySelectorAll('.plot'))"
                                          ".map(p => p.textContent).join('\\n')")
            for selector in texts:
                out.texts[selector] = page.locator(selector).first.text_content()
            if element is not None:  # one element (a report section, say) only
                out.screenshot = page.locator(element).screenshot()
            else:
                out.screenshot = page.screenshot(full_page=screenshot is None)
            if screenshot is not None:
                screenshot.write_bytes(out.screenshot)
        finally:
            browser.close()
    return out
