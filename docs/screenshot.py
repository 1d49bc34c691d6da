"""``make screenshot``: the README's picture of a report, taken in headless Debian chromium.

python -m docs.screenshot RUN_DIR OUT.png  (the top of the report: overview, reach, favourability)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from tests.report.browser import open_report


def main() -> None:
    run_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    page = open_report(run_dir / "report.html", width=1280, height=2300)
    image = Image.open(io.BytesIO(page.screenshot)).convert("RGB").crop((0, 0, 1280, 2150))
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"screenshot written to {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
