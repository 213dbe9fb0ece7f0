"""The hub client: one place that speaks HTTP to a Hugging Face Hub.

It knows the endpoint (`HF_ENDPOINT`), the token (`--token`, else `HF_TOKEN`, else the login
`huggingface_hub` stored), osaid's headers, bounded reads, retries and what a failed connection
is called in one line. Requests go through `huggingface_hub`'s shared HTTP session (so proxies and
its offline switch apply). What the answers mean is for `model.py`, `datasets.py` and
`listing.py`; this module never judges a repository.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from osaid.sources.hf.limits import DEFAULT_WINDOW, RateBudget, bucket_of, shared_budget
from osaid.sources.interface import SourceError

DEFAULT_ENDPOINT = "https://huggingface.co"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool = False


class NetworkError(SourceError):
    """The hub could not be reached or the connection broke; `reason` is a few words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TokenRejected(SourceError):
    """The hub refused the token itself (invalid or revoked): every request would fail alike."""


class HubClient:
    """HTTP to one hub, shared by every thread of a process (it holds no per-request state)."""

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        tries: int = 3,
        backoff: float = 1.0,
        max_wait: float = DEFAULT_WINDOW,
        timeout: float = 30.0,
        budget: RateBudget | None = None,
    ) -> None:
        self.endpoint = (endpoint or default_endpoint()).rstrip("/")
        self.explicit_token = token
        self.tries = max(1, tries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.budget = budget or shared_budget(self.endpoint)
        """The rate-limit accounts this client asks before each request (`limits.py`)."""
        self.requests = 0
        """Requests made so far (for benchmarks and tests)."""
        self._count = threading.Lock()
        self.stop = threading.Event()
        """Set to end every wait for a rate-limit window at once (a scan being stopped)."""
        self._token_value: str | None | bool = False

    # -- identity ------------------------------------------------------------------------------

    def token(self) -> str | None:
        if self._token_value is False:
            token = self.explicit_token or os.environ.get("HF_TOKEN") or None
            if token is None and not truthy(os.environ.get("HF_HUB_DISABLE_IMPLICIT_TOKEN")):
                from osaid.sources import hf  # looked up there, so one patch point in tests

                token = hf._stored_token()
            self._token_value = token.strip() if isinstance(token, str) and token.strip() else None
        return self._token_value  # type: ignore[return-value]

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        from osaid import __version__

        headers = {"user-agent": f"osaid/{__version__}"}
        token = self.token()
        if token:
            headers["authorization"] = f"Bearer {token}"
        if extra:
            headers.update(extra)
        return headers

    # -- requests ------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        label: str,
        *,
        limit: int,
        params=None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """GET with bounded retries; reads at most `limit` bytes of the body."""
        from huggingface_hub import get_session
        from huggingface_hub.errors import OfflineModeIsEnabled
        from huggingface_hub.utils import _http

        # The HTTP client huggingface_hub's session is built on (httpx2, or httpx before it).
        httpx2 = getattr(_http, "httpx2", None) or _http.httpx

        all_headers = self.headers(headers)
        bucket = bucket_of(url)
        for attempt in range(1, self.tries + 1):
            wait = self._backoff(attempt)
            self.budget.acquire(bucket, label, self.max_wait, self.stop)
            try:
                with get_session().stream(
                    "GET", url, params=params, headers=all_headers, timeout=self.timeout
                ) as resp:
                    with self._count:
                        self.requests += 1
                    status = resp.status_code
                    self.budget.observe(bucket, resp.headers, status, _retry_after(resp.headers))
                    if status == 429 and attempt < self.tries:
                        wait = 0.0  # the budget holds the next try until the hub allows it
                    elif status in RETRY_STATUS and attempt < self.tries:
                        wait = min(self.max_wait, _retry_after(resp.headers) or wait)
                    elif status == 401 and _invalid_credentials(resp.headers):
                        raise TokenRejected(
                            f"{label}: the hub rejected the token (invalid credentials); "
                            "check HF_TOKEN, --token or the stored login"
                        )
                    else:
                        cap = limit if status < 400 else 16 * 1024
                        body, truncated = _read_bounded(resp, cap)
                        return Answer(
                            status, {k.lower(): v for k, v in resp.headers.items()}, body, truncated
                        )
            except OfflineModeIsEnabled:
                raise SourceError(
                    f"{label}: HF_HUB_OFFLINE is set; use --offline to read the cache"
                ) from None
            except httpx2.ConnectError as exc:
                raise NetworkError(
                    f"{label}: cannot reach the hub at {self.endpoint} "
                    f"({_reason(exc)}); check the network, or use --offline "
                    "for a revision already checked",
                    _reason(exc),
                ) from None
            except (
                httpx2.TimeoutException,
                httpx2.NetworkError,
                httpx2.RemoteProtocolError,
                httpx2.TooManyRedirects,
            ) as exc:
                if attempt >= self.tries or isinstance(exc, httpx2.TooManyRedirects):
                    raise NetworkError(
                        f"{label}: the connection to {self.endpoint} failed "
                        f"({_reason(exc)}) after {attempt} tries",
                        _reason(exc),
                    ) from None
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * (2 ** (attempt - 1)))


class OnceAtATime:
    """Threads that need the same thing at once: the first one gets it, the others wait for it
    to finish and then look in the cache it filled (a shared LICENSE, a shared dataset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}

    def first(self, key: str) -> threading.Event | None:
        """An event to `done()` when this caller is the first for `key`; None after waiting
        for the first one to finish."""
        with self._lock:
            event = self._running.get(key)
            if event is None:
                self._running[key] = threading.Event()
                return self._running[key]
        event.wait()
        return None

    def done(self, key: str) -> None:
        with self._lock:
            event = self._running.pop(key, None)
        if event is not None:
            event.set()


# --- helpers ------------------------------------------------------------------------------------


def _retry_after(headers) -> float | None:
    """`Retry-After` in seconds (a number, or an HTTP date), or None."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - time.time())


def _invalid_credentials(headers) -> bool:
    return "invalid credentials" in (headers.get("x-error-message") or "").lower()


def default_endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _stored_token() -> str | None:
    """The login `huggingface_hub` keeps (token file, or its other lookups)."""
    try:
        from huggingface_hub import get_token

        return get_token()
    except Exception:  # noqa: BLE001, S110 - a broken login store is the same as no login
        return None


def _read_bounded(resp, limit: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if "refused" in low:
        return "connection refused"
    if "name or service" in low or "nodename" in low or "getaddrinfo" in low:
        return "host not found"
    if "timed out" in low or "timeout" in low:
        return "timed out"
    return text[:120]
