"""A model repository on the Hugging Face Hub -> a `Release`, without downloading its weights.

Targets: `hf:ORG/NAME`, `hf:ORG/NAME@REVISION` (a branch, tag or commit sha), or a bare `ORG/NAME`
(see `osaid.sources.load`). One metadata request (`/api/models/{repo}/revision/{rev}?blobs=true`)
gives the commit sha, the file list with sizes and LFS sha256, the gating state and the card's
front-matter fields. Then only the files judgement needs are fetched (the card, license-ish files,
configs, code, docs: `inventory.wants_text`), each bounded like the local source's reads (a Range
request for a prefix of a long file). Weights are never requested: their presence, size and hash
come from the metadata.

Requests go through the hub client (`client.py`: endpoint, token, retries, rate limits). A gated
repository the token cannot read is assessed from its metadata, with an `acceptance-required`
problem saying so.

Cache (see `cache.py`): a snapshot is stored per resolved commit sha. A full 40-hex sha revision is
served from the cache with no request. A ref (branch, tag, default branch) resolved less than
`OSAID_HF_REF_TTL` seconds ago (default 600; 0 always re-resolves) is reused with no request;
older, it is re-resolved with one metadata request, and the files are fetched only if it now
points at a commit not in the cache. `--offline` (or `HF_HUB_OFFLINE=1`) uses any cached
resolution, however old, and never makes a request.

The datasets the card names are looked up by `datasets.py`. A dataset's metadata and files can
change while the model's commit does not, so `refresh_datasets` (the terms lock sets it) looks them
up again even when the model's snapshot is cached.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from osaid.evidence.inventory import read_rank, wants_text
from osaid.model import Evidence, FileEntry, Problem, Release, TextDocument
from osaid.sources.cache import BlobCache, SnapshotCache, cache_root, release_from_dict
from osaid.sources.hf.client import Answer, HubClient, NetworkError, OnceAtATime, truthy
from osaid.sources.hf.datasets import DatasetReader
from osaid.sources.hf.fields import (
    FULL_SHA,
    REPO_ID,
    as_list,
    gating,
    is_gated_answer,
    is_int,
    license_value,
    plain_str,
    safe_path,
)
from osaid.sources.hf.limits import DEFAULT_WINDOW, RateLimited
from osaid.sources.interface import Source, SourceError
from osaid.sources.local import (
    DEFAULT_LIMITS,
    Limits,
    TextBudget,
    decode,
    unread_terms_problems,
)

MAX_INFO_BYTES = 64 * 1024 * 1024
"""The largest metadata answer accepted (a repository with tens of thousands of files)."""
DEFAULT_REF_TTL = 600.0
CARD_FIRST = ("README.md", "readme.md", "README.MD")
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


class _Gated(Exception):
    """A file request was refused because the repository is gated."""


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
        max_wait: float = DEFAULT_WINDOW,
        timeout: float = 30.0,
        workers: int = 8,
        client: HubClient | None = None,
    ) -> None:
        self.offline = offline or truthy(os.environ.get("HF_HUB_OFFLINE"))
        self.client = client or HubClient(
            endpoint=endpoint,
            token=token,
            tries=tries,
            backoff=backoff,
            max_wait=max_wait,
            timeout=timeout,
        )
        self.endpoint = self.client.endpoint
        self.cache = SnapshotCache(cache_root(cache_dir), self.endpoint, "models")
        self.blobs = BlobCache(cache_root(cache_dir), self.endpoint)
        self._blob_reads = OnceAtATime()
        self.limits = limits
        self.workers = workers
        self.datasets = DatasetReader(self.client, limits, workers)
        ttl = os.environ.get("OSAID_HF_REF_TTL")
        try:
            self.ref_ttl = float(ttl) if ttl else DEFAULT_REF_TTL
        except ValueError:
            raise SourceError(f"OSAID_HF_REF_TTL={ttl!r}: expected a number of seconds") from None
        self.refresh_datasets = False
        """Look the card's datasets up again on a cached snapshot (for the terms lock)."""

    @property
    def requests(self) -> int:
        """Requests made so far (for benchmarks and tests)."""
        return self.client.requests

    def _token(self) -> str | None:
        return self.client.token()

    # -- the whole flow --------------------------------------------------------------------------

    def load(self, target: str, *, known_sha: str | None = None) -> Release:
        """`target` as a Release. `known_sha`: the commit the target's ref points at, as the
        hub's listing just said (a scan learns many at once): a cached snapshot of it is used
        with no request, however old the ref's last resolution."""
        t = parse_target(target)
        ref_key = t.revision or "@default"
        if t.revision and FULL_SHA.match(t.revision):
            sha: str | None = t.revision
        elif known_sha and FULL_SHA.match(known_sha):
            sha = known_sha  # the ref is remembered below, once the hub's metadata confirms it
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
        asked = t
        new_id = info.get("id")
        if (
            isinstance(new_id, str)
            and new_id != t.repo_id
            and REPO_ID.match(new_id)
            and ".." not in new_id
            and "--" not in new_id
        ):
            t = HubTarget(new_id, t.revision)  # renamed on the hub: the new id is the release's
        if not (t.revision and FULL_SHA.match(t.revision)):
            self.cache.put_ref(t.repo_id, ref_key, sha)
        cached = self._cached(t.repo_id, sha)
        if cached is not None:
            return self._refreshed(cached)
        release, access, complete = self._build(t, info)
        if asked.repo_id != t.repo_id:
            release = replace(release, metadata={**release.metadata, "renamed_from": asked.repo_id})
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
        ids = [d["id"] for d in named if isinstance(d, dict) and isinstance(d.get("id"), str)]
        datasets, _ = self.datasets.lookup({"datasets": ids})
        return replace(release, metadata={**release.metadata, "datasets": datasets})

    # -- metadata ------------------------------------------------------------------------------

    def _model_info(self, t: HubTarget) -> dict:
        url = f"{self.endpoint}/api/models/{t.repo_id}"
        if t.revision:
            url += f"/revision/{quote(t.revision, safe='')}"
        ans = self.client.get(url, t.label, limit=MAX_INFO_BYTES, params={"blobs": "true"})
        if ans.status == 429:
            raise RateLimited(self._error_line(ans, t), "api", 0.0)
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

    def _error_line(self, ans: Answer, t: HubTarget) -> str:
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
                f"{t.label}: rate-limited by the hub (HTTP 429) after {self.client.tries} tries; "
                f"try again later{hint}"
            )
        if ans.status >= 500:
            return (
                f"{t.label}: the hub answered HTTP {ans.status} after {self.client.tries} tries; "
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
        plan: list[tuple[str, int, int, str | None]] = []  # (path, wanted, size, git blob id)
        budget = TextBudget(lim, problems)
        siblings = info.get("siblings")
        siblings = siblings if isinstance(siblings, list) else []
        entries = []
        for s in siblings:
            if not isinstance(s, dict) or not isinstance(s.get("rfilename"), str):
                continue
            path = s["rfilename"]
            if not safe_path(path):
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
            if not is_int(size):
                size = lfs.get("size") if lfs and is_int(lfs.get("size")) else 0
            digest = lfs.get("sha256") if lfs else None
            digest = (
                digest.lower()
                if isinstance(digest, str) and re.fullmatch(r"[0-9a-fA-F]{64}", digest)
                else None
            )
            blob = s.get("blobId") if lfs is None else None
            blob = blob.lower() if isinstance(blob, str) and FULL_SHA.match(blob.lower()) else None
            entries.append((path, max(0, size), digest, blob))
        # what matters first: the card, terms, data documents, other documents, configs, code
        entries.sort(key=lambda e: (e[0] not in CARD_FIRST, read_rank(e[0]), e[0]))
        unread_terms: list[str] = []
        for path, size, digest, blob in entries:
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
                if read_rank(path) <= 1:
                    unread_terms.append(path)
                continue
            plan.append((path, want, size, blob))
            budget.spend(min(size, want))

        problems += unread_terms_problems(unread_terms)
        documents: dict[str, TextDocument] = {}
        gated = gating(info.get("gated"))
        access = "full"
        complete = True
        results = self._fetch_all(t, sha, plan)
        for path, want, size, _ in plan:
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
        datasets, omitted = self.datasets.lookup(card_data)
        metadata: dict[str, object] = {
            "hub": self.endpoint,
            "url": repo_url,
            "repo_id": t.repo_id,
            "requested_revision": t.revision,
            "gated": gated,
            "access": access,
            "private": info.get("private") is True,
            "disabled": info.get("disabled") is True,
            "tags": [x for x in as_list(info.get("tags")) if isinstance(x, str)][:200],
            "library_name": plain_str(info.get("library_name")),
            "pipeline_tag": plain_str(info.get("pipeline_tag")),
            "last_modified": plain_str(info.get("lastModified")),
            "card_data_license": license_value(card_data.get("license")),
            "card_data_license_name": plain_str(card_data.get("license_name")),
            "card_data_license_link": plain_str(card_data.get("license_link")),
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
        # Files whose bytes are in the blob cache cost no request: read them here. Threads are
        # for what must be downloaded, and only when there is more than one such file (a scan
        # has many models in flight already).
        new = []
        for p in rest:
            path, want, size, blob = p
            known = self.blobs.get(blob, size) if blob and 0 < size <= want else None
            if known is not None:
                results[path] = (known, False)
            else:
                new.append(p)
        if len(new) <= 1:
            for p in new:
                results[p[0]] = self._fetch(t, sha, *p)
            return results
        rest = new
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for (path, *_), outcome in zip(
                rest, pool.map(lambda p: self._fetch(t, sha, *p), rest), strict=False
            ):
                results[path] = outcome
        return results

    def _fetch(self, t: HubTarget, sha: str, path: str, want: int, size: int, blob: str | None):
        if size == 0:
            return b"", False
        if blob and size <= want:
            mine = self._blob_reads.first(blob)
            try:
                known = self.blobs.get(blob, size)
                if known is not None:  # the same bytes were read before, in any repository
                    return known, False
                return self._download(t, sha, path, want, size, blob)
            finally:
                if mine is not None:
                    self._blob_reads.done(blob)
        return self._download(t, sha, path, want, size, blob)

    def _download(self, t: HubTarget, sha: str, path: str, want: int, size: int, blob):
        url = f"{self.endpoint}/{t.repo_id}/resolve/{sha}/{quote(path)}"
        extra = {"accept-encoding": "identity"}
        if size > want:
            extra["range"] = f"bytes=0-{want}"
        try:
            ans = self.client.get(url, f"{t.label}: {path}", limit=want + 1, headers=extra)
        except NetworkError as exc:
            return exc.reason
        if ans.status in (200, 206):
            truncated = ans.truncated or len(ans.body) > want
            if blob and not truncated and len(ans.body) == size:
                self.blobs.put(blob, ans.body)
            return ans.body, truncated
        if is_gated_answer(ans.status, ans.headers):
            return _Gated()
        if ans.status == 429:
            raise RateLimited(
                f"{t.label}: {path}: rate-limited by the hub (HTTP 429) after "
                f"{self.client.tries} tries; try again later",
                "resolvers",
                0.0,
            )
        return f"HTTP {ans.status}"
