"""``make screenshot``: the README's pictures of a report, taken in headless Debian chromium.

python -m docs.screenshot RUN_DIR OUT.png  (the top of the report: overview, reach, favourability)
python -m docs.screenshot PAGE.html OUT.png [HEIGHT]  (the top of any diplosim page, e.g. a
sensitivity analysis' sensitivity.html)
python -m docs.screenshot RUN_DIR OUT.png '#map'  (one section of the report, by its id)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from tests.report.browser import open_report


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    extra = sys.argv[3] if len(sys.argv) > 3 else "2150"
    page_file = source if source.suffix == ".html" else source / "report.html"
    if extra.startswith("#"):
        page = open_report(page_file, width=1280, height=3600, element=extra)
        image = Image.open(io.BytesIO(page.screenshot)).convert("RGB")
    else:
        height = int(extra)
        page = open_report(page_file, width=1280, height=height + 150)
        image = Image.open(io.BytesIO(page.screenshot)).convert("RGB").crop((0, 0, 1280, height))
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"screenshot written to {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
