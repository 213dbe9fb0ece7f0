"""The hub's rate limits, obeyed rather than fought.

The hub counts requests per caller in fixed windows (five minutes on huggingface.co), in separate
buckets: `api` (metadata, listings) and `resolvers` (file downloads, any URL with `/resolve/`).
Every answer says where the caller stands, in the IETF draft headers (parsed by
`huggingface_hub.utils.parse_ratelimit_headers`):

    RateLimit: "api";r=499;t=120                    r requests left, t seconds to the window's end
    RateLimit-Policy: "fixed window";"api";q=500;w=300

A `RateBudget` keeps one account per bucket for the whole process (every thread asks it before a
request). While the hub says requests are left, they go ahead, counted down locally so that many
threads in flight do not overshoot. When none are left, a request waits for the window to end, if
that is at most `max_wait` seconds away (a wait is announced once through `on_wait`, however many
threads wait), else it is refused at once with `RateLimited`, without asking the hub: a scan
defers the subject and says so in its summary. A 429 answer puts its bucket on hold the same way,
for the `RateLimit` header's `t`, else `Retry-After`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from osaid.sources.interface import SourceError

DEFAULT_WINDOW = 300.0
"""The hub's window (seconds), until a `RateLimit-Policy` header says otherwise."""
BUCKETS = ("api", "resolvers")
MAX_HOLD = 86_400.0
"""The longest hold an answer is believed for (a day): a larger number is a broken header."""


class RateLimited(SourceError):
    """The hub's budget for `bucket` is spent until `until` (a wall-clock time), later than the
    caller accepts to wait."""

    def __init__(self, message: str, bucket: str, until: float) -> None:
        super().__init__(message)
        self.bucket = bucket
        self.until = until


def bucket_of(url: str) -> str:
    """The hub's bucket for a request: file downloads are `resolvers`, the rest `api`."""
    return "resolvers" if "/resolve/" in url else "api"


@dataclass
class _Account:
    remaining: int | None = None
    """Requests left in the current window (None: unknown, the hub has not said)."""
    reset_at: float = 0.0
    """When the current window ends (time.monotonic())."""
    limit: int | None = None
    window: float = DEFAULT_WINDOW
    waiting_until: float = 0.0
    """The end of the wait last announced (so a wait is announced once)."""
    waits: int = 0
    waited: float = 0.0


class RateBudget:
    """One account per bucket, shared by every thread of the process."""

    def __init__(self, *, max_wait: float = DEFAULT_WINDOW, on_wait=None) -> None:
        self.max_wait = max_wait
        self.on_wait = on_wait
        """`on_wait(bucket, seconds, limit)` when requests start waiting for a window to end."""
        self._accounts = {b: _Account() for b in BUCKETS}
        self._lock = threading.Lock()

    def account(self, bucket: str) -> _Account:
        return self._accounts.setdefault(bucket, _Account())

    def acquire(self, bucket: str, label: str, max_wait: float | None = None, stop=None) -> None:
        """Wait until a request in `bucket` may be made, at most `max_wait` seconds (default:
        the budget's), or raise `RateLimited`; a wait ends early when `stop` (an Event) is set."""
        max_wait = self.max_wait if max_wait is None else max_wait
        while True:
            if stop is not None and stop.is_set():
                raise RateLimited(f"{label}: stopped while waiting for the hub", bucket, 0.0)
            with self._lock:
                acc = self.account(bucket)
                now = time.monotonic()
                if acc.reset_at <= now:
                    acc.remaining = None  # a new window: the hub will say where we stand
                if acc.remaining is None or acc.remaining > 0:
                    if acc.remaining is not None:
                        acc.remaining -= 1
                    return
                wait = acc.reset_at - now
                if wait > max_wait:
                    raise self._refusal(bucket, label, wait, max_wait)
                announce = acc.reset_at > acc.waiting_until + 0.5
                if announce:
                    acc.waiting_until = acc.reset_at
                    acc.waits += 1
                    acc.waited += wait
                limit = acc.limit
            if announce and self.on_wait is not None:
                self.on_wait(bucket, wait, limit)
            pause = min(wait, 1.0) + 0.01
            if stop is not None:
                stop.wait(pause)
            else:
                time.sleep(pause)

    def observe(self, bucket: str, headers, status: int, retry_after: float | None) -> None:
        """Learn from an answer's headers; a 429 puts the bucket on hold."""
        info = _parse(headers)
        with self._lock:
            acc = self.account(bucket)
            now = time.monotonic()
            if info is not None:
                reset_at = now + min(info.reset_in_seconds, MAX_HOLD)
                if acc.remaining is None or reset_at > acc.reset_at + 1.0:
                    acc.remaining = info.remaining  # a window we had not seen
                else:
                    acc.remaining = min(acc.remaining, info.remaining)
                acc.reset_at = max(acc.reset_at, reset_at) if acc.remaining == 0 else reset_at
                if info.limit:
                    acc.limit = info.limit
                if info.window_seconds:
                    acc.window = float(info.window_seconds)
            if status == 429:
                hold = (
                    info.reset_in_seconds
                    if info is not None
                    else retry_after
                    if retry_after is not None
                    else 1.0
                )
                acc.remaining = 0
                acc.reset_at = max(acc.reset_at, now + min(hold, MAX_HOLD))

    def _refusal(self, bucket: str, label: str, wait: float, max_wait: float) -> RateLimited:
        until = time.time() + wait
        when = time.strftime("%H:%M:%S UTC", time.gmtime(until))
        return RateLimited(
            f"{label}: the hub's {bucket} rate limit is spent until {when} "
            f"({wait:.0f} s, longer than the {max_wait:.0f} s osaid waits); try again then",
            bucket,
            until,
        )

    def summary(self) -> dict[str, dict]:
        """Per bucket: the hub's quota and window when it said them, waits and seconds waited."""
        with self._lock:
            return {
                b: {"limit": a.limit, "window": a.window, "waits": a.waits, "waited": a.waited}
                for b, a in self._accounts.items()
            }


def _parse(headers):
    from huggingface_hub.utils import parse_ratelimit_headers

    try:
        return parse_ratelimit_headers(headers)
    except (ValueError, TypeError):
        return None


_SHARED: dict[str, RateBudget] = {}
_SHARED_LOCK = threading.Lock()


def shared_budget(endpoint: str) -> RateBudget:
    """The process's budget for a hub: the hub counts per caller, not per client object."""
    with _SHARED_LOCK:
        budget = _SHARED.get(endpoint)
        if budget is None:
            budget = _SHARED[endpoint] = RateBudget(on_wait=announce_on_stderr)
        return budget


def announce_on_stderr(bucket: str, seconds: float, limit: int | None) -> None:
    """The default announcement of a wait: one line on stderr, for waits of a second or more."""
    if seconds < 1:
        return
    import sys

    quota = f" ({limit} requests per window)" if limit else ""
    sys.stderr.write(
        f"osaid: the hub's {bucket} rate limit{quota} is spent; waiting {seconds:.0f} s "
        "for its window to end\n"
    )
    sys.stderr.flush()
