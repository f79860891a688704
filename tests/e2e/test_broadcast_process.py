"""One announcement to 2,000 residents through the real sender process (`musharaka
send-broadcasts`, at its default full rate: paced at 93% of 30 messages a second) and the
fake Telegram in limit mode (429 above 30 messages a second overall or one a second per chat;
every request checked against the Bot API spec), which runs in a process of its own
(tests/e2e/fake_process.py) so that pauses of the busy pytest process cannot bunch the
sender's requests. Halfway through the sender is killed with SIGKILL, then started again.

What the design guarantees, and what this checks exactly: each outbox row is claimed
(committed), sent, and its outcome committed at once. After a SIGKILL, the only rows whose
fate is unknown are those claimed at that moment (at most MUSHARAKA_BROADCAST_CONCURRENCY,
one per worker). Under the default MUSHARAKA_BROADCAST_IN_DOUBT=resend they are sent again
once their lease runs out, so nobody misses the announcement; of them, the ones Telegram had
already accepted before the kill (sent but not yet recorded, a window of a few milliseconds
per message) arrive a second time. The Bot API cannot tell the sender which those are, so
"zero duplicates" cannot be promised across a SIGKILL; what is promised, and checked here
against what the fake server recorded, is: nobody is missed, nobody outside the rows in doubt
at the kill gets it twice, nobody gets it more than twice, and no 429 at all. (Under `skip`,
the in-process test in tests/test_broadcast_sender.py shows the other side: never twice, the
undelivered rows in doubt counted as failed.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.formatting import format_number
from tests.e2e.broadcasts import (
    STAFF,
    Deliveries,
    add_people,
    outbox,
    prepare,
    progress_screen,
    sender_process,
)
from tests.e2e.fake_process import FakeProcess

# At 30 messages a second (paced at 93% of it) 2,000 take about 72 s; a loaded
# machine may need longer. The timeouts only guard against hanging; nothing is timed.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

CONCURRENCY = 8
# On PostgreSQL the same story with fewer residents: the guarantees do not depend on the
# count, and one 2,000-message run (SQLite, the default deployment) is enough for the suite.
RECIPIENTS = {"sqlite": range(400_000, 402_000), "postgresql": range(410_000, 410_600)}


@pytest.fixture
async def limited_api(tmp_path: Path) -> AsyncIterator[FakeProcess]:
    server = FakeProcess(limit_mode=True, log_path=tmp_path / "fake-bot-api.log")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return "sqlite", f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}"
    return "postgresql", str(request.getfixturevalue("postgres_database"))


async def test_a_sender_killed_halfway_resumes_and_everyone_gets_the_announcement_once(
    limited_api: FakeProcess, database: tuple[str, str], tmp_path: Path
) -> None:
    api = limited_api
    dialect, url = database
    recipients = RECIPIENTS[dialect]
    await add_people(api, recipients)
    number = await prepare(url, recipients)
    got = Deliveries(api)
    settings = {
        "broadcast_concurrency": str(CONCURRENCY),
        # Rows in doubt come back after their lease; 20 s is far longer than one message
        # takes from claim to record, even on a busy machine.
        "broadcast_lease_seconds": "20",
        "broadcast_poll_seconds": "0.5",
    }

    first = sender_process(api, tmp_path, url, **settings).start()
    await first.wait_until(lambda: got.total >= len(recipients) // 2, 600, "half delivered")
    first.kill()  # SIGKILL: no goodbye, messages in flight
    await asyncio.sleep(1)  # the fake finishes any request that reached it before the kill
    await api.sync()  # everything the fake recorded so far is in `got`
    at_kill = dict(got.per_chat)
    statuses = await outbox(url, number)

    # At the kill: nobody had it twice; every row recorded as sent was delivered; whatever was
    # delivered but not recorded is among the rows in doubt, which are one per worker at most.
    in_doubt = {chat for chat, status in statuses.items() if status == "claimed"}
    recorded = {chat for chat, status in statuses.items() if status == "sent"}
    assert set(at_kill.values()) == {1}
    assert recorded <= set(at_kill)
    assert set(at_kill) - recorded <= in_doubt
    assert len(in_doubt) <= CONCURRENCY
    assert len(at_kill) < len(recipients)  # it really was killed halfway
    delivered_in_doubt = in_doubt & set(at_kill)

    second = sender_process(api, tmp_path, url, **settings).start()
    everyone = len(recipients)
    final = f"✅ Announcement #{number} sent: {format_number(everyone, 'en')} of "
    await second.wait_until(
        lambda: len(got.per_chat) == everyone and progress_screen(api).startswith(final),
        900,
        "the announcement to everyone and the final figures",
    )
    await second.stop_async()
    await api.sync()
    print(
        f"{dialect}: killed after {len(at_kill)} of {everyone}; {len(in_doubt)} in doubt, "
        f"{len(delivered_in_doubt)} of them already delivered (so sent twice); "
        f"busiest second {got.busiest_second()} messages"
    )

    assert set(got.per_chat) == set(recipients)  # nobody missed
    # Twice only for those Telegram had accepted in the instant before the kill.
    assert got.duplicates() == dict.fromkeys(delivered_in_doubt, 2)
    assert got.total == everyone + len(delivered_in_doubt)
    assert api.throttled == 0  # not one 429, before or after the restart
    assert api.violations == []
    assert STAFF not in got.per_chat  # announcements off: only the progress
    assert progress_screen(api) == f"{final}{format_number(everyone, 'en')} delivered."
    statuses = await outbox(url, number)
    assert set(statuses.values()) == {"sent"} and len(statuses) == everyone
