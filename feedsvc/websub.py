"""WebSub: tell the configured hubs which feed URLs changed, so readers get them in seconds.

A ping is a courtesy: failures are logged and retried a little, never raised. A hub that
still fails after the retries is skipped for the rest of the cycle, so a dead hub costs one
URL's worth of attempts, not one per changed feed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from feedsvc.config import Settings

if TYPE_CHECKING:
    import httpx

PingOutcome = Literal["sent", "refused", "hub down"]

log = logging.getLogger("feedsvc.websub")


def ping_hubs(
    settings: Settings,
    changed_urls: Sequence[str],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """POST ``hub.mode=publish`` per changed feed URL to each hub; returns pings sent per hub."""
    hubs = settings.site.hubs
    if not hubs or not changed_urls:
        return {}
    import httpx  # only when there is something to ping

    sent: dict[str, int] = {}
    urls = list(dict.fromkeys(changed_urls))  # unique, in order
    timeout = httpx.Timeout(settings.websub_timeout)
    with httpx.Client(timeout=timeout, headers={"User-Agent": settings.fetch.user_agent}) as client:
        for hub in hubs:
            sent[hub] = 0
            for done, url in enumerate(urls):
                outcome = _ping(client, hub, url, retries=settings.websub_retries, sleep=sleep)
                if outcome == "sent":
                    sent[hub] += 1
                elif outcome == "hub down":
                    log.warning(
                        "WebSub hub %s is failing: %d feed URLs not announced this cycle",
                        hub,
                        len(urls) - done,
                    )
                    break
    return sent


def _ping(
    client: httpx.Client, hub: str, url: str, *, retries: int, sleep: Callable[[float], None]
) -> PingOutcome:
    """One URL to one hub, retried on network errors, 5xx and 429."""
    import httpx

    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
        try:
            response = client.post(hub, data={"hub.mode": "publish", "hub.url": url})
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}"
            continue
        if response.status_code < 300:
            log.debug("pinged %s for %s", hub, url)
            return "sent"
        reason = f"HTTP {response.status_code}"
        if response.status_code < 500 and response.status_code != 429:
            # the hub refused this URL; asking again will not help
            log.warning("WebSub hub %s refused %s: %s", hub, url, reason)
            return "refused"
    log.warning("WebSub hub %s was not told about %s: %s", hub, url, reason)
    return "hub down"
