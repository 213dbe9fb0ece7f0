"""What the web index shows of a stored report, beyond the report itself: license names for ids,
locations without server paths, upstream links, the findings that decide a verdict, and the
lines of an evidence file.

Everything here reads the report (and, for upstream links and evidence lines, the scanned files
that the report names); nothing here decides a verdict.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from functools import lru_cache

from markupsafe import Markup, escape

SEVERITY_RANK = {"not-open-source-ai": 0, "insufficient-evidence": 1, "open-source-ai": 2}
MOF_RANK = {"I": 1, "II": 2, "III": 3}
MAX_SOURCE_BYTES = 256 * 1024
_OPERATORS = re.compile(r"(\s+(?:AND|OR|WITH)\s+|[()])")
# What a license id looks like in a message (`LicenseRef-x-1.0`, `Apache-2.0`, `GPL-2.0+`);
# each such word is looked up, rather than trying every known id at every position.
# Plain words (no digit, hyphen or dot, not all capitals) are skipped without a lookup.
_ID_TOKEN = re.compile(
    r"(?<![\w.+-])(?=[\w.+-]*[-.\d]|[A-Z][A-Z+]+(?![\w.+-]))[A-Za-z0-9][\w.+-]*[\w+]"
)


# --- license names ----------------------------------------------------------------------------


class LicenseNames:
    """License id -> name, from the names the stored assessments recorded (and the catalog)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def name(self, expression: str | None) -> str:
        """`LicenseRef-x AND MIT` -> `X License and MIT License`; unknown ids stay as they are."""
        if not expression:
            return "none"
        parts = _OPERATORS.split(expression)
        out = []
        for part in parts:
            token = part.strip()
            if token in ("AND", "OR", "WITH"):
                out.append(f" {token.lower()} ")
            elif token:
                out.append(self.names.get(token, token))
            elif part:
                out.append(part)
        return "".join(out).strip()

    def markup(self, expression: str | None) -> Markup:
        """The name, with the id in a tooltip and (when it differs) in code font beside."""
        if not expression:
            return Markup('<span class="lic none">none</span>')
        name = self.name(expression)
        if name == expression:
            return Markup('<code class="lic">{}</code>').format(expression)
        return Markup(
            '<span class="lic" title="{0}">{1}</span> <code class="lic-id">{0}</code>'
        ).format(expression, name)

    def short(self, expression: str | None) -> Markup:
        """The name, the id only in a tooltip (for tables and lists)."""
        if not expression:
            return Markup('<span class="lic none">none</span>')
        return Markup('<span class="lic" title="{0}">{1}</span>').format(
            expression, self.name(expression)
        )

    def in_text(self, text: str | None) -> Markup:
        """A message with each license id it quotes shown by name (id in the tooltip)."""
        escaped = str(escape(text or ""))

        def named(m: re.Match) -> str:
            token = m.group(0)
            name = self.names.get(token)
            if name is None or name == token:
                return token
            return str(Markup('<span class="lic" title="{0}">{1}</span>').format(token, name))

        return Markup(_ID_TOKEN.sub(named, escaped))


def catalog_names() -> dict[str, str]:
    """Names the license catalog knows (for ids no stored assessment named)."""
    try:
        from osaid.knowledge.licensing import catalog

        return {
            e["id"]: re.sub(r"\s*\(.*\)$", "", str(e["name"]))
            for e in catalog().entries()
            if e.get("name")
        }
    except Exception:  # noqa: BLE001 - names are a nicety; ids still show
        return {}


def mof_classes() -> dict[str, str | None]:
    """Component id -> the MOF class that first requires it (None: optional)."""
    from osaid.knowledge import components

    return {c["id"]: c.get("mof_class") for c in components()}


# --- locations --------------------------------------------------------------------------------


def display_location(source: str, location: str, roots: list[str]) -> str:
    """A subject's location as readers may see it: a hub id or URL as it is; a path relative to
    the folder or file that was scanned (`examples/open-release`), never the server's path."""
    if not location.startswith("/") and not re.match(r"^[A-Za-z]:[\\/]", location):
        if source == "git" and location.startswith("git:/"):
            return "git:" + display_location("local", location[4:], roots)
        return location
    best = None
    for root in roots:
        root = root.rstrip("/") or "/"
        if location == root or location.startswith(root + "/"):
            if best is None or len(root) > len(best):
                best = root
    if best is not None:
        rel = location[len(best) :].lstrip("/")
        base = posixpath.basename(best)
        return posixpath.join(base, rel) if rel else base
    parts = [p for p in location.split("/") if p]
    return "/".join(parts[-2:]) if parts else "?"


def server_prefix(location: str, shown: str) -> str:
    """The part of `location` that `shown` dropped (`/srv/scans/`), '' when none or when it
    is only `/` (removing every slash from a report would break its URLs)."""
    if location.startswith("/") and location.endswith(shown):
        prefix = location[: len(location) - len(shown)]
        return prefix if prefix.strip("/") else ""
    return ""


# --- upstream links ---------------------------------------------------------------------------


def _http(url: object) -> str | None:
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def upstream(source: str, location: str, report: dict, manifest: dict | None) -> list[tuple]:
    """(label, url, how known) for the hub page, the repository and the paper."""
    links: dict[str, tuple[str, str]] = {}
    release = (manifest or {}).get("release") if isinstance(manifest, dict) else None
    release = release if isinstance(release, dict) else {}
    if source == "hf":
        model_id = re.sub(r"^hf:", "", location).split("@", 1)[0]
        if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", model_id):
            links["hub page"] = (f"https://huggingface.co/{model_id}", "hub id")
    elif _http(release.get("huggingface")):
        links["hub page"] = (release["huggingface"], "manifest field release.huggingface")
    if source == "git" and _http(location.split("@", 1)[0]):
        links["repository"] = (location.split("@", 1)[0], "scanned repository")
    elif _http(release.get("repository")):
        links["repository"] = (release["repository"], "manifest field release.repository")
    paper_ids = ("research-paper", "technical-report")
    for c in report.get("components") or []:
        if not isinstance(c, dict):
            continue
        for e in c.get("evidence") or []:
            url = _http(e.get("url")) if isinstance(e, dict) else None
            if not url:
                continue
            if c.get("id") in paper_ids and "paper" not in links:
                links["paper"] = (url, f"{c.get('name')} evidence")
            elif (
                "repository" not in links
                and re.match(r"https?://(github\.com|gitlab\.com|codeberg\.org)/[^/]+/[^/]+", url)
                and c.get("id", "").endswith("-code")
            ):
                links["repository"] = (url, f"{c.get('name')} evidence")
    order = ("hub page", "repository", "paper")
    return [(k, *links[k]) for k in order if k in links]


# --- why a verdict ----------------------------------------------------------------------------


def deciding(report: dict) -> tuple[str, list[tuple[int, dict]]]:
    """The findings that decide the verdict, with their 1-based numbers: the blockers of a
    `not-open-source-ai`, the warnings that keep an `insufficient-evidence` from open."""
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    numbered = list(enumerate(findings, 1))
    verdict = report.get("verdict")
    if verdict == "not-open-source-ai":
        return "blocker", [(n, f) for n, f in numbered if f.get("severity") == "blocker"]
    if verdict == "insufficient-evidence":
        return "warning", [(n, f) for n, f in numbered if f.get("severity") == "warning"]
    return "", []


def mof_sentence(report: dict) -> str | None:
    """Why the MOF class and the OSAID verdict differ, when they seem to."""
    mof = report.get("mof") if isinstance(report.get("mof"), dict) else {}
    cls = mof.get("class")
    verdict = report.get("verdict")
    if cls and verdict == "not-open-source-ai":
        return (
            f"MOF Class {cls} counts which components are released and under which licenses; "
            "OSAID 1.0 also asks that every required component's terms grant all four freedoms, "
            "and the blockers above show some do not."
        )
    if cls and verdict == "insufficient-evidence":
        return (
            f"MOF Class {cls} counts the components the release lists and their licenses; the "
            "OSAID verdict needs evidence that each required element is met (data information, "
            "complete code, parameters), and the findings above say what could not be shown."
        )
    if not cls and verdict == "open-source-ai":
        need = (report.get("summaries") or {}).get("mof")
        return (
            "OSAID 1.0 is met, yet no MOF class: MOF Class III asks for components OSAID does not "
            "require (such as a technical report or evaluation results)"
            + (f" — here: {need}." if need else ".")
        )
    return None


# --- evidence files ---------------------------------------------------------------------------


def evidence_paths(report: dict) -> set[str]:
    """Every relative path the report's evidence cites."""
    out: set[str] = set()

    def walk(v) -> None:
        if isinstance(v, dict):
            p = v.get("path")
            if isinstance(p, str) and ("quote" in v or "line" in v):
                out.add(p)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(report)
    return out


def release_root(source: str, location: str) -> str | None:
    """The folder evidence paths are relative to, on this server (None: not on disk)."""
    if source == "local" and location.startswith("/"):
        return location
    if source == "manifest" and location.startswith("/"):
        return os.path.dirname(location)
    return None


def read_evidence_file(root: str, rel: str) -> list[str] | None:
    """The lines of `rel` under `root`, read as the scan reads a release: no symbolic link at
    any step, a regular file, at most MAX_SOURCE_BYTES. None when it cannot be read so."""
    if not rel or rel.startswith("/") or "\\" in rel:
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    path = root
    try:
        for p in parts:
            path = os.path.join(path, p)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                return None
        if not stat.S_ISREG(st.st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    text = data[:MAX_SOURCE_BYTES].decode("utf-8", errors="replace")
    lines = text.splitlines()
    if len(data) > MAX_SOURCE_BYTES:
        lines.append("… (cut at 256 KiB)")
    return lines


@lru_cache(maxsize=512)
def manifest_fields(path: str, mtime_ns: int) -> dict | None:
    """The parsed manifest at `path` (cached by modification time), None if unreadable."""
    lines = read_evidence_file(os.path.dirname(path), os.path.basename(path))
    if lines is None:
        return None
    from osaid.evidence.manifest import ManifestError, parse_manifest

    try:
        data = parse_manifest("\n".join(lines), os.path.basename(path))["data"]
    except ManifestError:
        return None
    return data if isinstance(data, dict) else None
