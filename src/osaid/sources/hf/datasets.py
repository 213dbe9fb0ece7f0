"""Datasets a model card names, as the hub describes them.

Card `datasets:` entries (at most `MAX_DATASETS`) are looked up as dataset repositories; what was
found goes to `Release.metadata["datasets"]` as plain dicts: `id`, `url`, `license`, `gated`,
`size_category`, `card_excerpt`, `revision`, `last_modified`, `error` (None, or why nothing could
be read), and the dataset's terms documents (its license-ish files, at most `MAX_DATASET_TERMS`,
each bounded like a text file): `terms`, a list of `{path, sha256 (of the bytes as fetched), text,
truncated}`, or None when they could not be read (`terms_error` says why).

A `DatasetReader` looks each dataset up once in its lifetime: a scan shares one reader between all
the models it loads, so a dataset named by ten thousand models costs its requests once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import quote

from osaid.sources.hf.client import HubClient, OnceAtATime, TokenRejected
from osaid.sources.hf.fields import (
    DATASET_ID,
    EXCERPT_CHARS,
    FULL_SHA,
    as_list,
    card_excerpt,
    gating,
    is_gated_answer,
    is_int,
    license_value,
    plain_str,
    safe_path,
)
from osaid.sources.hf.limits import RateLimited
from osaid.sources.interface import SourceError
from osaid.sources.local import Limits, decode

MAX_DATASETS = 10
"""Card `datasets:` entries looked up on the hub; the rest are counted, not fetched."""
DATASET_CARD_BYTES = 64 * 1024
DATASET_INFO_BYTES = 16 * 1024 * 1024
"""The largest dataset metadata answer (with its file list) accepted; beyond it the metadata is
asked for again without the file list, and the dataset's terms documents are not read."""
MAX_DATASET_TERMS = 3
"""License-ish files read per dataset (top-level ones first)."""
MEMO_SIZE = 4096
"""Dataset lookups a reader remembers (the most recently used)."""


def named_datasets(card_data: dict) -> tuple[list[str], int]:
    """The dataset ids a card's `datasets:` field names (each once, at most `MAX_DATASETS`),
    and how many more it names."""
    named = card_data.get("datasets")
    named = [named] if isinstance(named, str) else as_list(named)
    ids = list(dict.fromkeys(d.strip() for d in named if isinstance(d, str) and d.strip()))
    return ids[:MAX_DATASETS], max(0, len(ids) - MAX_DATASETS)


class DatasetReader:
    def __init__(self, client: HubClient, limits: Limits, workers: int = 8) -> None:
        self.client = client
        self.limits = limits
        self.workers = workers
        self._memo: OrderedDict[str, dict] = OrderedDict()
        self._reads = OnceAtATime()
        self._lock = threading.Lock()

    def lookup(self, card_data: dict) -> tuple[list[dict], int]:
        """The datasets `card_data` names, looked up (once per reader), and how many were not."""
        chosen, omitted = named_datasets(card_data)
        if not chosen:
            return [], omitted
        if len(chosen) == 1:
            return [self.dataset(chosen[0])], omitted
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(self.workers, len(chosen))) as pool:
            return list(pool.map(self.dataset, chosen)), omitted

    def dataset(self, ds_id: str) -> dict:
        """One dataset's description, from the memo or the hub. Threads asking for the same
        dataset at once wait for the first one's answer instead of asking again."""
        mine = self._reads.first(ds_id)
        try:
            with self._lock:
                if ds_id in self._memo:
                    self._memo.move_to_end(ds_id)
                    return dict(self._memo[ds_id])
            out = self._read(ds_id)
            with self._lock:
                self._memo[ds_id] = out
                while len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
            return dict(out)
        finally:
            if mine is not None:
                self._reads.done(ds_id)

    def _read(self, ds_id: str) -> dict:
        client = self.client
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
        out["url"] = f"{client.endpoint}/datasets/{ds_id}"
        label = f"dataset {ds_id}"
        fields = ("cardData", "gated", "sha", "tags", "description", "lastModified")
        url = f"{client.endpoint}/api/datasets/{ds_id}"
        try:
            ans = client.get(
                url,
                label,
                limit=DATASET_INFO_BYTES,
                params=[("expand", p) for p in (*fields, "siblings")],
            )
            if ans.status == 200 and ans.truncated:
                out["terms_error"] = "the hub's file list is larger than osaid reads"
                ans = client.get(
                    url, label, limit=4 * 1024 * 1024, params=[("expand", p) for p in fields]
                )
        except (RateLimited, TokenRejected):
            raise  # not a fact about the dataset: the caller defers the model, or stops
        except SourceError as exc:
            out["error"] = out["terms_error"] = str(exc)
            return out
        if ans.status == 429:
            raise RateLimited(f"{label}: rate-limited by the hub (HTTP 429)", "api", 0.0)
        if ans.status != 200:
            code = ans.headers.get("x-error-code", "")
            out["error"] = out["terms_error"] = (
                "not found on the hub"
                if code == "RepoNotFound" or ans.status in (401, 404)
                else f"HTTP {ans.status}"
            )
            return out
        import json

        try:
            data = json.loads(ans.body)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            out["error"] = out["terms_error"] = "the hub's answer is not dataset metadata"
            return out
        out["last_modified"] = plain_str(data.get("lastModified"))
        card = data.get("cardData") if isinstance(data.get("cardData"), dict) else {}
        out["license"] = license_value(card.get("license"))
        out["gated"] = gating(data.get("gated"))
        sizes = [
            x.split(":", 1)[1]
            for x in as_list(data.get("tags"))
            if isinstance(x, str) and x.startswith("size_categories:")
        ]
        sizes += [x for x in as_list(card.get("size_categories")) if isinstance(x, str)]
        out["size_category"] = sizes[0] if sizes else None
        sha = (
            data.get("sha")
            if isinstance(data.get("sha"), str) and FULL_SHA.match(data["sha"])
            else None
        )
        out["revision"] = sha
        description = plain_str(data.get("description"))
        if sha:
            try:
                readme = client.get(
                    f"{client.endpoint}/datasets/{ds_id}/resolve/{sha}/README.md",
                    label,
                    limit=DATASET_CARD_BYTES,
                    headers={"accept-encoding": "identity"},
                )
            except (RateLimited, TokenRejected):
                raise
            except SourceError as exc:
                readme = None
                out["error"] = f"card not read: {exc}"
            if readme is not None and readme.status == 429:
                raise RateLimited(f"{label}: rate-limited by the hub (HTTP 429)", "resolvers", 0.0)
            if readme is not None and readme.status in (200, 206):
                description = card_excerpt(decode(readme.body)[0]) or description
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
                out["terms"], out["terms_error"] = self._terms(ds_id, sha, data["siblings"])
        return out

    def _terms(self, ds_id: str, sha: str, siblings: list) -> tuple[list | None, str | None]:
        """The dataset's license-ish files at `sha`: `[{path, sha256, text, truncated}]`, or
        None and why (all or nothing, so a lock never pins half of a dataset's terms)."""
        import hashlib

        from osaid.evidence.licenses import is_license_document

        client = self.client
        listed: dict[str, int | None] = {}
        for s in siblings:
            path = s.get("rfilename") if isinstance(s, dict) else None
            if isinstance(path, str) and safe_path(path) and is_license_document(path):
                size = s.get("size")
                listed[path] = size if is_int(size) else None
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
                    ans = client.get(
                        f"{client.endpoint}/datasets/{ds_id}/resolve/{sha}/{quote(path)}",
                        f"dataset {ds_id}: {path}",
                        limit=want,
                        headers=extra,
                    )
                except (RateLimited, TokenRejected):
                    raise
                except SourceError as exc:
                    return None, f"{path}: {exc}"
                if ans.status == 429:
                    raise RateLimited(f"dataset {ds_id}: rate-limited (HTTP 429)", "resolvers", 0.0)
                if ans.status not in (200, 206):
                    gated = is_gated_answer(ans.status, ans.headers)
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
