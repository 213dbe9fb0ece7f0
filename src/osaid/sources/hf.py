"""A model repository on the Hugging Face Hub -> a `Release`, without downloading its weights.

Targets: `hf:ORG/NAME`, `hf:ORG/NAME@REVISION` (a branch, tag or commit sha), or a bare `ORG/NAME`
(see `osaid.sources.load`). One metadata request (`/api/models/{repo}/revision/{rev}?blobs=true`)
gives the commit sha, the file list with sizes and LFS sha256, the gating state and the card's
front-matter fields. Then only the files judgement needs are fetched (the card, license-ish files,
configs, code, docs: `inventory.wants_text`), each bounded like the local source's reads (a Range
request for a prefix of a long file). Weights are never requested: their presence, size and hash
come from the metadata.

Requests go through `huggingface_hub`'s shared HTTP session (so `HF_ENDPOINT`, proxies and its
offline switch apply) with osaid's own headers, retries and error messages. The token is `--token`,
else `HF_TOKEN`, else the login `huggingface_hub` stored. A gated repository the token cannot read
is assessed from its metadata, with an `acceptance-required` problem saying so.

Cache (see `cache.py`): a snapshot is stored per resolved commit sha. A full 40-hex sha revision is
served from the cache with no request. A ref (branch, tag, default branch) resolved less than
`OSAID_HF_REF_TTL` seconds ago (default 600; 0 always re-resolves) is reused with no request;
older, it is re-resolved with one metadata request, and the files are fetched only if it now
points at a commit not in the cache. `--offline` (or `HF_HUB_OFFLINE=1`) uses any cached
resolution, however old, and never makes a request.

Card `datasets:` entries (at most `MAX_DATASETS`) are looked up as dataset repositories; what was
found goes to `Release.metadata["datasets"]` as plain dicts: `id`, `url`, `license`, `gated`,
`size_category`, `card_excerpt`, `revision`, `last_modified`, `error` (None, or why nothing could
be read), and the dataset's terms documents (its license-ish files, at most `MAX_DATASET_TERMS`,
each bounded like a text file): `terms`, a list of `{path, sha256 (of the bytes as fetched), text,
truncated}`, or None when they could not be read (`terms_error` says why). A dataset's metadata
and files can change while the model's commit does not, so `refresh_datasets` (the terms lock sets
it) looks them up again even when the model's snapshot is cached.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from urllib.parse import quote

from osaid.evidence.inventory import wants_text
from osaid.model import Evidence, FileEntry, Problem, Release, TextDocument
from osaid.sources.cache import SnapshotCache, cache_root, release_from_dict
from osaid.sources.interface import Source, SourceError
from osaid.sources.local import DEFAULT_LIMITS, Limits, TextBudget, decode

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_DATASETS = 10
"""Card `datasets:` entries looked up on the hub; the rest are counted, not fetched."""
MAX_INFO_BYTES = 64 * 1024 * 1024
"""The largest metadata answer accepted (a repository with tens of thousands of files)."""
DATASET_CARD_BYTES = 64 * 1024
DATASET_INFO_BYTES = 16 * 1024 * 1024
"""The largest dataset metadata answer (with its file list) accepted; beyond it the metadata is
asked for again without the file list, and the dataset's terms documents are not read."""
MAX_DATASET_TERMS = 3
"""License-ish files read per dataset (top-level ones first)."""
EXCERPT_CHARS = 600
DEFAULT_REF_TTL = 600.0
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CARD_FIRST = ("README.md", "readme.md", "README.MD")

_SEGMENT = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
REPO_ID = re.compile(rf"^{_SEGMENT}/{_SEGMENT}$")
DATASET_ID = re.compile(rf"^(?:{_SEGMENT}/)?{_SEGMENT}$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_REVISION = re.compile(r"^[^\s\x00-\x1f\x7f]{1,200}$")


@dataclass(frozen=True)
class HubTarget:
    repo_id: str
    revision: str | None

    @property
    def label(self) -> str:
        return f"hf:{self.repo_id}" + (f"@{self.revision}" if self.revision else "")


def looks_like_repo_id(target: str) -> bool:
    """`ORG/NAME` with hub-valid names (a bare target that is not a local path may be one).
    Names ending like a git remote or a manifest file are left to those sources."""
    name = target.split("@", 1)[0]
    return (
        bool(REPO_ID.match(name))
        and ".." not in name
        and not name.lower().endswith((".git", ".yml", ".yaml"))
    )


def parse_target(target: str) -> HubTarget:
    """`ORG/NAME[@REVISION]` (with or without the `hf:` prefix) -> HubTarget, or SourceError."""
    raw = target[3:] if target.startswith("hf:") else target
    repo_id, _, revision = raw.partition("@")
    repo_id = repo_id.strip("/")
    if not REPO_ID.match(repo_id) or ".." in repo_id or "--" in repo_id:
        raise SourceError(f"{target}: not a hub model id (expected hf:ORG/NAME[@REVISION])")
    if "@" in raw and not _REVISION.match(revision):
        raise SourceError(f"{target}: empty or malformed revision after '@'")
    return HubTarget(repo_id, revision or None)


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool = False


class _Gated(Exception):
    """A file request was refused because the repository is gated."""


class _NetworkError(SourceError):
    """The hub could not be reached or the connection broke; `reason` is a few words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class HubSource(Source):
    name = "hf"

    def __init__(
        self,
        *,
        offline: bool = False,
        cache_dir: str | None = None,
        token: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        endpoint: str | None = None,
        tries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        timeout: float = 30.0,
        workers: int = 8,
    ) -> None:
        self.offline = offline or _truthy(os.environ.get("HF_HUB_OFFLINE"))
        self.cache = SnapshotCache(cache_root(cache_dir), endpoint or _endpoint(), "models")
        self.explicit_token = token
        self.limits = limits
        self.endpoint = (endpoint or _endpoint()).rstrip("/")
        self.tries = max(1, tries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.workers = workers
        ttl = os.environ.get("OSAID_HF_REF_TTL")
        try:
            self.ref_ttl = float(ttl) if ttl else DEFAULT_REF_TTL
        except ValueError:
            raise SourceError(f"OSAID_HF_REF_TTL={ttl!r}: expected a number of seconds") from None
        self.refresh_datasets = False
        """Look the card's datasets up again on a cached snapshot (for the terms lock)."""
        self.requests = 0
        """Requests made so far (for benchmarks and tests)."""
        self._token_value: str | None | bool = False

    # -- the whole flow --------------------------------------------------------------------------

    def load(self, target: str) -> Release:
        t = parse_target(target)
        ref_key = t.revision or "@default"
        if t.revision and FULL_SHA.match(t.revision):
            sha: str | None = t.revision
        else:
            sha = self.cache.ref(t.repo_id, ref_key, None if self.offline else self.ref_ttl)
        if sha:
            cached = self._cached(t.repo_id, sha)
            if cached is not None:
                return self._refreshed(cached)
        if self.offline:
            where = self.cache.base.parent.parent.parent
            raise SourceError(
                f"{t.label}: not in the cache ({where}) and --offline forbids "
                "asking the hub; run once without --offline"
            )
        info = self._model_info(t)
        sha = info["sha"]
        if not (t.revision and FULL_SHA.match(t.revision)):
            self.cache.put_ref(t.repo_id, ref_key, sha)
        cached = self._cached(t.repo_id, sha)
        if cached is not None:
            return self._refreshed(cached)
        release, access, complete = self._build(t, info)
        if complete:
            self.cache.put_snapshot(t.repo_id, sha, release, access)
        return release

    def _cached(self, repo_id: str, sha: str) -> Release | None:
        entry = self.cache.snapshot(repo_id, sha)
        if entry is None:
            return None
        # A snapshot taken without access is not good enough once a token might give access.
        if entry.get("access") != "full" and not self.offline and self._token():
            return None
        return release_from_dict(entry["release"])

    def _refreshed(self, release: Release) -> Release:
        """`release` with its datasets looked up now, when `refresh_datasets` asks for it."""
        named = release.metadata.get("datasets")
        if not self.refresh_datasets or self.offline or not isinstance(named, list) or not named:
            return release
        from dataclasses import replace

        ids = [d["id"] for d in named if isinstance(d, dict) and isinstance(d.get("id"), str)]
        datasets, _ = self._datasets({"datasets": ids})
        return replace(release, metadata={**release.metadata, "datasets": datasets})

    # -- HTTP ----------------------------------------------------------------------------------

    def _token(self) -> str | None:
        if self._token_value is False:
            token = self.explicit_token or os.environ.get("HF_TOKEN") or None
            if token is None and not _truthy(os.environ.get("HF_HUB_DISABLE_IMPLICIT_TOKEN")):
                token = _stored_token()
            self._token_value = token.strip() if isinstance(token, str) and token.strip() else None
        return self._token_value  # type: ignore[return-value]

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        from osaid import __version__

        headers = {"user-agent": f"osaid/{__version__}"}
        token = self._token()
        if token:
            headers["authorization"] = f"Bearer {token}"
        if extra:
            headers.update(extra)
        return headers

    def _get(
        self,
        url: str,
        label: str,
        *,
        limit: int,
        params=None,
        headers: dict[str, str] | None = None,
    ) -> _Answer:
        """GET with bounded retries; reads at most `limit` bytes of the body."""
        from huggingface_hub import get_session
        from huggingface_hub.errors import OfflineModeIsEnabled
        from huggingface_hub.utils import _http

        # The HTTP client huggingface_hub's session is built on (httpx2, or httpx before it).
        httpx2 = getattr(_http, "httpx2", None) or _http.httpx

        all_headers = self._headers(headers)
        for attempt in range(1, self.tries + 1):
            wait = self._backoff(attempt)
            try:
                with get_session().stream(
                    "GET", url, params=params, headers=all_headers, timeout=self.timeout
                ) as resp:
                    self.requests += 1
                    status = resp.status_code
                    if status in RETRY_STATUS and attempt < self.tries:
                        wait = self._retry_after(resp.headers, wait)
                    else:
                        cap = limit if status < 400 else 16 * 1024
                        body, truncated = _read_bounded(resp, cap)
                        return _Answer(
                            status, {k.lower(): v for k, v in resp.headers.items()}, body, truncated
                        )
            except OfflineModeIsEnabled:
                raise SourceError(
                    f"{label}: HF_HUB_OFFLINE is set; use --offline to read the cache"
                ) from None
            except httpx2.ConnectError as exc:
                raise _NetworkError(
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
                    raise _NetworkError(
                        f"{label}: the connection to {self.endpoint} failed "
                        f"({_reason(exc)}) after {attempt} tries",
                        _reason(exc),
                    ) from None
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * (2 ** (attempt - 1)))

    def _retry_after(self, headers, default: float) -> float:
        value = (headers.get("retry-after") or "").strip()
        if not value:
            return default
        if value.isdigit():
            return min(self.max_wait, float(value))
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
        return min(self.max_wait, max(0.0, when - time.time()))

    # -- metadata ------------------------------------------------------------------------------

    def _model_info(self, t: HubTarget) -> dict:
        url = f"{self.endpoint}/api/models/{t.repo_id}"
        if t.revision:
            url += f"/revision/{quote(t.revision, safe='')}"
        ans = self._get(url, t.label, limit=MAX_INFO_BYTES, params={"blobs": "true"})
        if ans.status != 200:
            raise SourceError(self._error_line(ans, t))
        if ans.truncated:
            raise SourceError(
                f"{t.label}: the hub's file list is larger than osaid reads "
                f"({MAX_INFO_BYTES // (1024 * 1024)} MB)"
            )
        try:
            data = json.loads(ans.body)
        except (ValueError, RecursionError):
            data = None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("sha"), str)
            or not FULL_SHA.match(data["sha"])
        ):
            raise SourceError(f"{t.label}: the hub's answer is not model metadata (no commit sha)")
        if data.get("disabled") is True:
            raise SourceError(f"{t.label}: the repository is disabled on the hub")
        return data

    def _error_line(self, ans: _Answer, t: HubTarget) -> str:
        code = ans.headers.get("x-error-code", "")
        message = ans.headers.get("x-error-message", "")
        if code == "RevisionNotFound":
            return (
                f"{t.label}: no revision {t.revision!r} in {t.repo_id} (not a branch, tag or "
                "commit of it)"
            )
        if message == "Access to this resource is disabled." or code == "DisabledRepo":
            return f"{t.label}: the repository is disabled on the hub"
        if ans.status == 401 and "invalid credentials" in message.lower():
            return (
                f"{t.label}: the hub rejected the token (invalid credentials); check HF_TOKEN "
                "or --token"
            )
        if code == "RepoNotFound" or ans.status in (401, 404):
            who = "" if self._token() else "; if it is private, set HF_TOKEN or pass --token"
            return f"{t.label}: no such model on the hub{who}"
        if code == "GatedRepo":
            return f"{t.label}: the repository is gated and the hub shows none of its metadata"
        if ans.status == 429:
            hint = "" if self._token() else " or log in (HF_TOKEN) for a higher limit"
            return (
                f"{t.label}: rate-limited by the hub (HTTP 429) after {self.tries} tries; "
                f"try again later{hint}"
            )
        if ans.status >= 500:
            return (
                f"{t.label}: the hub answered HTTP {ans.status} after {self.tries} tries; "
                "try again later"
            )
        return f"{t.label}: the hub answered HTTP {ans.status}"

    # -- building the snapshot -----------------------------------------------------------------

    def _build(self, t: HubTarget, info: dict) -> tuple[Release, str, bool]:
        lim = self.limits
        sha = info["sha"]
        repo_url = f"{self.endpoint}/{t.repo_id}"
        files: list[FileEntry] = []
        problems: list[Problem] = []
        plan: list[tuple[str, int, int]] = []  # (path, bytes wanted, listed size)
        budget = TextBudget(lim, problems)
        siblings = info.get("siblings")
        siblings = siblings if isinstance(siblings, list) else []
        entries = []
        for s in siblings:
            if not isinstance(s, dict) or not isinstance(s.get("rfilename"), str):
                continue
            path = s["rfilename"]
            if not _safe_path(path):
                problems.append(
                    Problem(
                        "unsafe-path",
                        "The hub lists a file name that is not a "
                        "plain relative path; it was not read.",
                        (Evidence(quote=path[:200]),),
                    )
                )
                continue
            lfs = s.get("lfs") if isinstance(s.get("lfs"), dict) else None
            size = s.get("size")
            if not _is_int(size):
                size = lfs.get("size") if lfs and _is_int(lfs.get("size")) else 0
            digest = lfs.get("sha256") if lfs else None
            digest = (
                digest.lower()
                if isinstance(digest, str) and re.fullmatch(r"[0-9a-fA-F]{64}", digest)
                else None
            )
            entries.append((path, max(0, size), digest))
        entries.sort(key=lambda e: (e[0] not in CARD_FIRST, e[0]))
        for path, size, digest in entries:
            if len(files) >= lim.max_files:
                problems.append(
                    Problem(
                        "tree-too-large",
                        f"More than {lim.max_files} files: the rest were not read.",
                        (Evidence(path=path),),
                    )
                )
                break
            files.append(FileEntry(path=path, size=size, sha256=digest))
            if wants_text(path, size) != "text":
                continue  # weights ("head") are never fetched from the hub: metadata only
            want = budget.allow(path)
            if want is None:
                continue
            plan.append((path, want, size))
            budget.spend(min(size, want))

        documents: dict[str, TextDocument] = {}
        gated = _gating(info.get("gated"))
        access = "full"
        complete = True
        results = self._fetch_all(t, sha, plan)
        for path, want, size in plan:
            outcome = results.get(path)
            if isinstance(outcome, _Gated) or outcome is None:
                continue
            if isinstance(outcome, str):
                problems.append(
                    Problem(
                        "unreadable-path",
                        f"Listed by the hub but could not be downloaded ({outcome}).",
                        (Evidence(path=path),),
                    )
                )
                complete = False
                continue
            data, truncated = outcome
            truncated = truncated or size > want
            text, bad = decode(data[:want])
            if bad:
                problems.append(
                    Problem(
                        "undecodable-text",
                        "Not valid UTF-8 text; undecodable bytes were replaced.",
                        (Evidence(path=path),),
                    )
                )
            documents[path] = TextDocument(path=path, text=text, truncated=truncated)
        if any(isinstance(o, _Gated) for o in results.values()):
            access = "acceptance-required"
            how = (
                "the token given has not been granted access"
                if self._token()
                else "no token was given"
            )
            problems.append(
                Problem(
                    "acceptance-required",
                    f"The hub gates this repository (gated: {gated or 'yes'}) and {how}: its files "
                    "could not be read, so only the hub metadata (file list, sizes, card fields) was "
                    "assessed. Accept its conditions on the hub, then set HF_TOKEN or pass --token "
                    "to assess the files.",
                    (Evidence(field="gated", quote=f"gated: {gated or 'yes'}", url=repo_url),),
                )
            )

        card_data = info.get("cardData") if isinstance(info.get("cardData"), dict) else {}
        datasets, omitted = self._datasets(card_data)
        metadata: dict[str, object] = {
            "hub": self.endpoint,
            "url": repo_url,
            "repo_id": t.repo_id,
            "requested_revision": t.revision,
            "gated": gated,
            "access": access,
            "private": info.get("private") is True,
            "disabled": info.get("disabled") is True,
            "tags": [x for x in _list(info.get("tags")) if isinstance(x, str)][:200],
            "library_name": _plain_str(info.get("library_name")),
            "pipeline_tag": _plain_str(info.get("pipeline_tag")),
            "last_modified": _plain_str(info.get("lastModified")),
            "card_data_license": _license_value(card_data.get("license")),
            "card_data_license_name": _plain_str(card_data.get("license_name")),
            "card_data_license_link": _plain_str(card_data.get("license_link")),
            "datasets": datasets,
            "datasets_not_fetched": omitted,
        }
        release = Release(
            name=t.repo_id,
            source=self.name,
            location=f"hf:{t.repo_id}",
            revision=sha,
            files=tuple(files),
            documents=documents,
            problems=tuple(problems),
            url_base=f"{repo_url}/blob/{sha}/",
            metadata=metadata,
        )
        return release, access, complete

    def _fetch_all(self, t: HubTarget, sha: str, plan):
        """path -> (bytes, truncated), an error string, or _Gated. Stops at the first gate."""
        results: dict[str, object] = {}
        if not plan:
            return results
        from concurrent.futures import ThreadPoolExecutor

        first, rest = plan[0], plan[1:]
        results[first[0]] = self._fetch(t, sha, *first)
        if isinstance(results[first[0]], _Gated) or not rest:
            return results
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for (path, *_), outcome in zip(
                rest, pool.map(lambda p: self._fetch(t, sha, *p), rest), strict=False
            ):
                results[path] = outcome
        return results

    def _fetch(self, t: HubTarget, sha: str, path: str, want: int, size: int):
        if size == 0:
            return b"", False
        url = f"{self.endpoint}/{t.repo_id}/resolve/{sha}/{quote(path)}"
        extra = {"accept-encoding": "identity"}
        if size > want:
            extra["range"] = f"bytes=0-{want}"
        try:
            ans = self._get(url, f"{t.label}: {path}", limit=want + 1, headers=extra)
        except _NetworkError as exc:
            return exc.reason
        if ans.status in (200, 206):
            return ans.body, ans.truncated or len(ans.body) > want
        if ans.headers.get("x-error-code") == "GatedRepo" or (
            ans.status in (401, 403) and _gating_word(ans.headers)
        ):
            return _Gated()
        return f"HTTP {ans.status}"

    # -- datasets named in the card --------------------------------------------------------------

    def _datasets(self, card_data: dict) -> tuple[list[dict], int]:
        named = card_data.get("datasets")
        named = [named] if isinstance(named, str) else _list(named)
        ids = list(dict.fromkeys(d.strip() for d in named if isinstance(d, str) and d.strip()))
        chosen, omitted = ids[:MAX_DATASETS], max(0, len(ids) - MAX_DATASETS)
        if not chosen:
            return [], omitted
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(self.workers, len(chosen))) as pool:
            return list(pool.map(self._dataset, chosen)), omitted

    def _dataset(self, ds_id: str) -> dict:
        out: dict[str, object] = {
            "id": ds_id[:200],
            "url": None,
            "license": None,
            "gated": None,
            "size_category": None,
            "card_excerpt": None,
            "revision": None,
            "last_modified": None,
            "error": None,
            "terms": None,
            "terms_error": None,
        }
        if not DATASET_ID.match(ds_id) or ".." in ds_id:
            out["error"] = out["terms_error"] = "not a hub dataset id"
            return out
        out["url"] = f"{self.endpoint}/datasets/{ds_id}"
        label = f"dataset {ds_id}"
        fields = ("cardData", "gated", "sha", "tags", "description", "lastModified")
        url = f"{self.endpoint}/api/datasets/{ds_id}"
        try:
            ans = self._get(
                url,
                label,
                limit=DATASET_INFO_BYTES,
                params=[("expand", p) for p in (*fields, "siblings")],
            )
            if ans.status == 200 and ans.truncated:
                out["terms_error"] = "the hub's file list is larger than osaid reads"
                ans = self._get(
                    url, label, limit=4 * 1024 * 1024, params=[("expand", p) for p in fields]
                )
        except SourceError as exc:
            out["error"] = out["terms_error"] = str(exc)
            return out
        if ans.status != 200:
            code = ans.headers.get("x-error-code", "")
            out["error"] = out["terms_error"] = (
                "not found on the hub"
                if code == "RepoNotFound" or ans.status in (401, 404)
                else f"HTTP {ans.status}"
            )
            return out
        try:
            data = json.loads(ans.body)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            out["error"] = out["terms_error"] = "the hub's answer is not dataset metadata"
            return out
        out["last_modified"] = _plain_str(data.get("lastModified"))
        card = data.get("cardData") if isinstance(data.get("cardData"), dict) else {}
        out["license"] = _license_value(card.get("license"))
        out["gated"] = _gating(data.get("gated"))
        sizes = [
            x.split(":", 1)[1]
            for x in _list(data.get("tags"))
            if isinstance(x, str) and x.startswith("size_categories:")
        ]
        sizes += [x for x in _list(card.get("size_categories")) if isinstance(x, str)]
        out["size_category"] = sizes[0] if sizes else None
        sha = (
            data.get("sha")
            if isinstance(data.get("sha"), str) and FULL_SHA.match(data["sha"])
            else None
        )
        out["revision"] = sha
        description = _plain_str(data.get("description"))
        if sha:
            try:
                readme = self._get(
                    f"{self.endpoint}/datasets/{ds_id}/resolve/{sha}/README.md",
                    label,
                    limit=DATASET_CARD_BYTES,
                    headers={"accept-encoding": "identity"},
                )
            except SourceError as exc:
                readme = None
                out["error"] = f"card not read: {exc}"
            if readme is not None and readme.status in (200, 206):
                description = _card_excerpt(decode(readme.body)[0]) or description
            elif readme is not None and readme.status != 404:
                out["error"] = (
                    "card not read: gated"
                    if readme.headers.get("x-error-code") == "GatedRepo"
                    else f"card not read: HTTP {readme.status}"
                )
        if description:
            out["card_excerpt"] = " ".join(description.split())[:EXCERPT_CHARS]
        if out["terms_error"] is None:
            if not sha:
                out["terms_error"] = "the hub gave no commit sha"
            elif not isinstance(data.get("siblings"), list):
                out["terms_error"] = "the hub gave no file list"
            else:
                out["terms"], out["terms_error"] = self._dataset_terms(ds_id, sha, data["siblings"])
        return out

    def _dataset_terms(
        self, ds_id: str, sha: str, siblings: list
    ) -> tuple[list | None, str | None]:
        """The dataset's license-ish files at `sha`: `[{path, sha256, text, truncated}]`, or
        None and why (all or nothing, so a lock never pins half of a dataset's terms)."""
        import hashlib

        from osaid.evidence.licenses import is_license_document

        listed: dict[str, int | None] = {}
        for s in siblings:
            path = s.get("rfilename") if isinstance(s, dict) else None
            if isinstance(path, str) and _safe_path(path) and is_license_document(path):
                size = s.get("size")
                listed[path] = size if _is_int(size) else None
        chosen = sorted(listed, key=lambda p: (p.count("/"), p.lower(), p))[:MAX_DATASET_TERMS]
        want = self.limits.text_bytes
        terms = []
        for path in chosen:
            size = listed[path]
            extra = {"accept-encoding": "identity"}
            if size is not None and size > want:
                extra["range"] = f"bytes=0-{want}"
            if size == 0:
                body, truncated = b"", False
            else:
                try:
                    ans = self._get(
                        f"{self.endpoint}/datasets/{ds_id}/resolve/{sha}/{quote(path)}",
                        f"dataset {ds_id}: {path}",
                        limit=want,
                        headers=extra,
                    )
                except SourceError as exc:
                    return None, f"{path}: {exc}"
                if ans.status not in (200, 206):
                    gated = ans.headers.get("x-error-code") == "GatedRepo" or (
                        ans.status in (401, 403) and _gating_word(ans.headers)
                    )
                    return None, f"{path}: " + ("gated" if gated else f"HTTP {ans.status}")
                body = ans.body[:want]
                truncated = (
                    ans.truncated or len(ans.body) > want or (size is not None and size > want)
                )
            terms.append(
                {
                    "path": path,
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "text": decode(body)[0],
                    "truncated": truncated,
                }
            )
        return terms, None


# --- helpers ------------------------------------------------------------------------------------


def _endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _truthy(value: str | None) -> bool:
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


def _safe_path(path: str) -> bool:
    if not path or len(path) > 1000 or path.startswith("/") or "\\" in path:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _list(v: object) -> list:
    return v if isinstance(v, list) else []


def _plain_str(v: object) -> str | None:
    return v[:500] if isinstance(v, str) else None


def _license_value(v: object) -> str | list[str] | None:
    if isinstance(v, str):
        return v[:200]
    if isinstance(v, list):
        return [x[:200] for x in v if isinstance(x, str)][:10] or None
    return None


def _gating(v: object) -> str | bool:
    """The hub's `gated` value: False, "auto" or "manual" (True for any other truthy value)."""
    if v in (None, False, "", "false", "False"):
        return False
    if isinstance(v, str) and v in ("auto", "manual"):
        return v
    return True


def _gating_word(headers: dict[str, str]) -> bool:
    return (
        "gated" in headers.get("x-error-message", "").lower()
        or "restricted" in headers.get("x-error-message", "").lower()
    )


def _card_excerpt(text: str) -> str | None:
    """The start of a card's body: front matter and headings' markup dropped."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        lines = lines[end + 1 :] if end is not None else []
    body = " ".join(ln.strip().lstrip("#").strip() for ln in lines if ln.strip())
    return body[:EXCERPT_CHARS] or None
