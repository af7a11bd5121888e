"""The verifier page in headless Chromium: bytes of the first load, and time from input to verdict.

Run: ``python bench/bench_verifier_page.py [ROUNDS]`` (default 20). Needs Debian's chromium and Playwright (the
test extra). Builds a real office and its exported site (tests/web/scenario.py), serves it on 127.0.0.1 and
prints: the bytes the first visit transfers (goal < 1.5 MB), the page's own verdict times for pasted text
(median, p95 over ROUNDS x 6 cards), and for the fake camera (one launch per card kind; time from the frame
that held a readable code to the verdict on screen, for the first scan after the page opened and for two more;
goal < 100 ms). The machine's load average is printed: on a shared machine it moves the figures a lot.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from tests.web import scenario as scn


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = Path(tmp)
        scenario = scn.build(root)
        with scn.serve(scenario.site_dir) as (url, log):
            browser = pw.chromium.launch(executable_path=scn.CHROMIUM, args=scn.CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(url)
            page.wait_for_selector('body[data-ready="1"]')
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(500)  # let the service worker finish precaching
            print(f"first load: {log.sent:,} bytes sent for {len(log)} requests ({sorted(set(log))})")
            count = 0
            for _ in range(rounds):
                for kind in scn.KINDS:
                    count += 1
                    page.fill("#text", scenario.texts[kind])
                    page.click("#paste button[type=submit]")
                    page.wait_for_selector(f'#verdict[data-count="{count}"]')
            pasted = page.evaluate("window.verifierTimings")
            print(
                f"pasted text -> verdict: median {statistics.median(pasted):.1f} ms, p95 {p95(pasted):.1f} ms (n={len(pasted)})"
            )
            browser.close()
            camera: list[float] = []
            reading: list[float] = []
            again: list[float] = []
            for kind in scn.KINDS:
                video = scn.y4m_of(scenario.fronts[kind], root / f"{kind}.y4m")
                browser = pw.chromium.launch(
                    executable_path=scn.CHROMIUM,
                    args=[
                        *scn.CHROMIUM_ARGS,
                        "--use-fake-device-for-media-stream",
                        "--use-fake-ui-for-media-stream",
                        f"--use-file-for-fake-video-capture={video}",
                    ],
                )
                context = browser.new_context(viewport={"width": 390, "height": 844}, permissions=["camera"])
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector('body[data-ready="1"]')
                for scan in range(1, 4):  # the first scan after the page opened, then two more
                    page.click("#camera")
                    page.wait_for_selector(f'#verdict[data-count="{scan}"]', timeout=20_000)
                timings = page.evaluate("window.verifierTimings")
                camera.append(timings[0])
                again += timings[1:]
                reading.append(float(page.evaluate("window.verifierDecodeTimings[0]")))
                browser.close()
            print(
                f"camera frame -> verdict: median {statistics.median(camera):.1f} ms, max {max(camera):.1f} ms "
                f"({', '.join(f'{k} {v:.0f}' for k, v in zip(scn.KINDS, camera, strict=True))}); of which reading "
                f"the QR code: median {statistics.median(reading):.1f} ms"
            )
            print(
                f"camera, later scans in the same page: median {statistics.median(again):.1f} ms, max {max(again):.1f} ms"
            )
            print(f"load average: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
