"""Screenshots of the verifier page at a phone's viewport (390 x 844), one per verdict, into docs/screenshots/.

    .venv/bin/python scripts/verifier_screenshots.py [OUT_DIR]

Needs Debian's chromium and Playwright (the test extra). The cards come from a real office (tests/web/scenario.py);
the verdicts the console cannot make yet from a site alone (revoked and suspended by status list, not yet
valid, status unknown, a photo in the QR) come from the hand-made vectors of tests/web/vectors.py.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.web import scenario as scn  # noqa: E402
from tests.web import vectors as vec  # noqa: E402
from tests.web.test_page_vectors import FRESH, KEYS, make_site  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        real = scn.build(root / "real")
        (root / "vectors").mkdir()
        vectors_site = make_site(root / "vectors", KEYS, FRESH)
        # once the export writes status lists (issue 11), the real office's revoked and suspended cards
        published = bool(scn.status_lists(real))
        revoked = (real.site_dir, real.texts["revoked"]) if published else (vectors_site, vec.credential(KEYS, idx=9))
        suspended = (
            (real.site_dir, real.texts["suspended"]) if published else (vectors_site, vec.credential(KEYS, idx=13))
        )
        shots = [
            (real.site_dir, "en-GB", real.texts["valid"], "verifier-valid.png"),
            (revoked[0], "en-GB", revoked[1], "verifier-revoked.png"),
            (suspended[0], "en-GB", suspended[1], "verifier-suspended.png"),
            (real.site_dir, "en-GB", real.texts["expired"], "verifier-expired.png"),
            (vectors_site, "en-GB", vec.credential(KEYS, nbf=vec.NOW + 7 * vec.DAY), "verifier-not-yet-valid.png"),
            (real.site_dir, "en-GB", real.texts["forged"], "verifier-forged.png"),
            (real.site_dir, "en-GB", real.texts["foreign"], "verifier-unknown-issuer.png"),
            (real.site_dir, "en-GB", "HTTPS://EXAMPLE.COM/NOT-A-CARD", "verifier-unreadable.png"),
            (
                vectors_site,
                "en-GB",
                vec.credential(KEYS, idx=100_000),
                "verifier-status-unknown.png",
            ),
            (vectors_site, "en-GB", vec.credential(KEYS, idx=5, photo=vec.face_jpeg()), "verifier-valid-photo.png"),
            (real.site_dir, "zh-CN", real.texts["valid"], "verifier-valid-zh_CN.png"),
            (revoked[0], "zh-CN", revoked[1], "verifier-revoked-zh_CN.png"),
            (real.site_dir, "en-GB", None, "verifier-start.png"),
        ]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=scn.CHROMIUM, args=scn.CHROMIUM_ARGS)
            for folder, locale, text, name in shots:
                with scn.serve(folder) as (url, _log):
                    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_selector('body[data-ready="1"]')
                    if text is not None:
                        page.fill("#text", text)
                        page.click("#paste button[type=submit]")
                        page.wait_for_selector('#verdict[data-count="1"]')
                        page.fill("#text", "")
                        page.evaluate("window.scrollTo(0, 0)")
                        page.evaluate("document.activeElement.blur()")
                    page.screenshot(path=str(out / name))
                    context.close()
                    print(out / name)
            browser.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
