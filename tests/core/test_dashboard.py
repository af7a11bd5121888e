"""Dashboard figures: per-day counts over 30 days without scanning the whole registry, and what waits."""

from __future__ import annotations

from collections.abc import Callable

from console.core import dashboard, issuance, registry, requests
from console.core.accounts import Session
from console.core.registry import PersonInput
from tests.conftest import FakeClock

NAMES = ("Tamm", "Kask", "Saar", "Mets", "Kukk", "Ilves", "Lepp", "Oja", "Sepp", "Rebane")


def test_figures_count_days_today_and_waiting_work(session_of: Callable[[str], Session], clock: FakeClock) -> None:
    clerk = session_of("clerk")
    for day, family in enumerate(NAMES[:4]):  # one registration every 12 days
        registry.register(clerk, PersonInput(family, "Mari", f"19{60 + day}-05-06", "F", "EST"))
        clock.advance(days=12)
        clerk = session_of("clerk")
    numbers = [
        registry.register(clerk, PersonInput(family, "Jaan", f"19{70 + i}-01-02", "M", "EST"))["id_number"]
        for i, family in enumerate(NAMES[4:7])
    ]
    issuance.issue(clerk, numbers[0])
    requests.create_request(clerk, "revoke", numbers[0], "Card reported lost.")
    figures = dashboard.figures(session_of("auditor"))  # any role: counts only
    assert figures.registered_today == 3 and figures.issued_today == 1
    assert figures.pending_requests == 1 and figures.citizens == 7 and figures.cards_in_force == 1
    assert len(figures.days) == 30 and figures.days[-1] == clock.now.date()
    # Registered 48, 36, 24 and 12 days before today: the last two fall in the 30 days.
    assert sum(figures.registered) == 3 + 2 and figures.registered[-1] == 3
    assert figures.registered[-13] == 1 and figures.registered[-25] == 1
