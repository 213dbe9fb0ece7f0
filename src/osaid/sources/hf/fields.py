"""Reading the hub's JSON values defensively: every field may be missing or of another type."""

from __future__ import annotations

import re

EXCERPT_CHARS = 600
_SEGMENT = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
REPO_ID = re.compile(rf"^{_SEGMENT}/{_SEGMENT}$")
DATASET_ID = re.compile(rf"^(?:{_SEGMENT}/)?{_SEGMENT}$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


def safe_path(path: str) -> bool:
    if not path or len(path) > 1000 or path.startswith("/") or "\\" in path:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def as_list(v: object) -> list:
    return v if isinstance(v, list) else []


def plain_str(v: object) -> str | None:
    return v[:500] if isinstance(v, str) else None


def license_value(v: object) -> str | list[str] | None:
    if isinstance(v, str):
        return v[:200]
    if isinstance(v, list):
        return [x[:200] for x in v if isinstance(x, str)][:10] or None
    return None


def gating(v: object) -> str | bool:
    """The hub's `gated` value: False, "auto" or "manual" (True for any other truthy value)."""
    if v in (None, False, "", "false", "False"):
        return False
    if isinstance(v, str) and v in ("auto", "manual"):
        return v
    return True


def gating_word(headers: dict[str, str]) -> bool:
    return (
        "gated" in headers.get("x-error-message", "").lower()
        or "restricted" in headers.get("x-error-message", "").lower()
    )


def is_gated_answer(status: int, headers: dict[str, str]) -> bool:
    """A file request refused because the repository is gated (401 or 403 saying so)."""
    return headers.get("x-error-code") == "GatedRepo" or (
        status in (401, 403) and gating_word(headers)
    )


def card_excerpt(text: str) -> str | None:
    """The start of a card's body: front matter and headings' markup dropped."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        lines = lines[end + 1 :] if end is not None else []
    body = " ".join(ln.strip().lstrip("#").strip() for ln in lines if ln.strip())
    return body[:EXCERPT_CHARS] or None
