"""Many models' commits in one request: the hub's listing (`/api/models`), paged.

`GET /api/models?author=ORG|search=TEXT|filter=TAG&limit=1000&expand=sha&expand=gated...` answers
up to 1,000 models per page with the fields asked for in `expand`, and a `Link: <URL>;
rel="next"` header to the next page. A scan learns every listed model's current commit sha this
way, so a model whose sha it already assessed costs no request of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from osaid.sources.hf.client import HubClient
from osaid.sources.hf.fields import FULL_SHA, REPO_ID, gating
from osaid.sources.interface import SourceError

PAGE_SIZE = 1000
"""Models per page (the hub's largest)."""
MAX_PAGE_BYTES = 32 * 1024 * 1024
EXPAND = ("sha", "lastModified", "gated", "private")
QUERIES = {"author": "author", "search": "search", "tag": "filter"}
"""The listing inputs osaid accepts (`hf:author=ORG`) -> the hub's query parameter."""
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Listed:
    repo_id: str
    sha: str | None
    """The commit the default branch points at (None when the hub did not say)."""
    gated: str | bool


def parse_query(text: str) -> tuple[str, str] | None:
    """`hf:author=ORG`, `hf:search=TEXT`, `hf:tag=TAG` -> (hub parameter, value), else None."""
    if not text.startswith("hf:") or "=" not in text:
        return None
    key, _, value = text[3:].partition("=")
    value = value.strip()
    if key not in QUERIES or not value or len(value) > 200:
        return None
    if any(ord(c) < 32 for c in value):
        return None
    return QUERIES[key], value


def list_models(client: HubClient, param: str, value: str) -> Iterator[Listed]:
    """Every model the listing gives for `param=value`, page by page (one request a page)."""
    label = f"hf:{next(k for k, v in QUERIES.items() if v == param)}={value}"
    url: str | None = f"{client.endpoint}/api/models"
    params: list | None = [
        (param, value),
        ("limit", str(PAGE_SIZE)),
        *[("expand", e) for e in EXPAND],
    ]
    while url:
        ans = client.get(url, label, limit=MAX_PAGE_BYTES, params=params)
        if ans.status != 200:
            raise SourceError(f"{label}: the hub's listing answered HTTP {ans.status}")
        if ans.truncated:
            raise SourceError(f"{label}: a listing page is larger than osaid reads")
        try:
            page = json.loads(ans.body)
        except (ValueError, RecursionError):
            page = None
        if not isinstance(page, list):
            raise SourceError(f"{label}: the hub's answer is not a model listing")
        for item in page:
            if not isinstance(item, dict):
                continue
            rid = item.get("id") or item.get("modelId")
            if not isinstance(rid, str) or not REPO_ID.match(rid) or ".." in rid:
                continue
            sha = item.get("sha")
            yield Listed(
                rid,
                sha if isinstance(sha, str) and FULL_SHA.match(sha) else None,
                gating(item.get("gated")),
            )
        url, params = _next_page(ans.headers.get("link", ""), client.endpoint), None


def _next_page(link: str, endpoint: str) -> str | None:
    """The next page's URL from a `Link` header, only when it is on the same hub."""
    m = _NEXT.search(link)
    if not m:
        return None
    url = m.group(1)
    if url.startswith("/"):
        url = endpoint + url
    return url if url.startswith(endpoint + "/api/models") else None
