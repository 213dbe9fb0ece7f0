"""A fake Hugging Face Hub on 127.0.0.1, for tests and benchmarks. No network beyond loopback.

It answers the requests osaid (and huggingface_hub's download helpers) make:

    GET  /api/models/{org}/{name}[/revision/{rev}][?blobs=true]   model metadata with `siblings`
    GET  /api/datasets/{id}[/revision/{rev}][?expand=...]          dataset metadata
    GET  /{org}/{name}/resolve/{rev}/{path}                        a file (Range supported)
    HEAD /{org}/{name}/resolve/{rev}/{path}                        its headers (X-Repo-Commit, ETag,
                                                                   X-Linked-Size/Etag, Location)
    GET|HEAD /datasets/{id}/resolve/{rev}/{path}
    GET  /api/models?author=&search=&filter=&limit=&cursor=&expand=...  the listing, paged by a
                                                                   `Link: <...>; rel="next"` header

Errors carry the headers the real hub sets (`X-Error-Code: RepoNotFound | RevisionNotFound |
GatedRepo`, `X-Error-Message`) so clients can tell them apart. Every request is recorded in
`hub.requests` (method, path, query, whether it carried a token) so tests can assert what was asked
for — and what was not (weights). Large files exist only as LFS metadata: asking for their content
is answered with HTTP 500 and recorded.

Like the real hub, it can also:
- count requests in fixed windows per bucket (`api`, `resolvers`: any `/resolve/` URL) and say so
  in every answer (`RateLimit: "api";r=REMAINING;t=SECONDS_LEFT`, `RateLimit-Policy: "fixed
  window";"api";q=QUOTA;w=WINDOW`), answering 429 when a window's quota is spent (`rate_limits`);
- gate a repository's files but serve some of them to everyone (`FakeRepo.public_files`: license
  files readable, weights and the rest gated), answering 401 to an anonymous caller and 403 to a
  token without access;
- refuse an invalid token (any token starting `hf_invalid`) with 401 on everything;
- redirect a renamed repository's URLs with 307 to the new name (`renamed`);
- serve text files behind a 302 to a CDN path (`cdn=True`), which is not rate-limited;
- add latency to every answer (`latency` seconds), and build repositories on demand
  (`factory(repo_id)`, with `listed` the ids the listing shows) for benchmarks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

GRANTED_TOKEN = "hf_fake_granted"
"""The token the fake hub accepts for gated and private repositories."""
INVALID_TOKEN_PREFIX = "hf_invalid"
"""Tokens starting so are refused with 401 on every request (a revoked stored login)."""
PAGE_SIZE = 1000
"""The listing's largest page, as on the real hub."""


@dataclass(frozen=True)
class LfsBlob:
    """A file the hub stores in LFS: listed with size and sha256, content never served."""

    size: int
    sha256: str


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, bytes | LfsBlob]
    kind: str = "model"
    """`model` or `dataset`."""
    refs: dict[str, str] = field(default_factory=dict)
    """Branch/tag -> commit sha; `main` is added from the content when missing."""
    gated: bool | str = False
    private: bool = False
    disabled: bool = False
    card_data: dict = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    busy: int = 0
    """Answer this many metadata requests with 429 (Retry-After: 0) before serving them."""
    retry_after: str = "0"
    public_files: tuple[str, ...] = ()
    """Files of a gated repository served to everyone (e.g. its license files)."""

    def __post_init__(self) -> None:
        if "main" not in self.refs:
            self.refs["main"] = self.commit()

    def commit(self) -> str:
        h = hashlib.sha1(self.repo_id.encode())
        for path in sorted(self.files):
            content = self.files[path]
            h.update(path.encode())
            h.update(content if isinstance(content, bytes) else content.sha256.encode())
        return h.hexdigest()

    def resolve(self, rev: str) -> str | None:
        if rev in self.refs:
            return self.refs[rev]
        return rev if rev in self.refs.values() else None


def git_blob_id(content: bytes) -> str:
    """The git blob id of a file, as the hub's `blobId` gives it."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    authorized: bool
    range: str | None = None


class FakeHub:
    """`with FakeHub(repos) as hub:` serves them at `hub.url` until the block ends."""

    def __init__(
        self,
        repos: list[FakeRepo],
        *,
        rate_limits: dict[str, tuple[int, float]] | None = None,
        renamed: dict[str, str] | None = None,
        cdn: bool = False,
        latency: float = 0.0,
        factory: Callable[[str], FakeRepo | None] | None = None,
        listed: list[str] | None = None,
        record: bool = True,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.repos = {(r.kind, r.repo_id): r for r in repos}
        self.requests: list[Request] = []
        self.rate_limits = dict(rate_limits or {})
        """bucket -> (quota, window seconds): requests allowed per fixed window."""
        self.renamed = dict(renamed or {})
        """Old model id -> new id: the old one's URLs answer 307 to the new one's."""
        self.cdn = cdn
        self.latency = latency
        self.factory = factory
        self.listed = listed
        """Model ids the listing shows (sorted), for a hub built by `factory`."""
        self.keep_requests = record
        self.page_size = page_size
        self.refused = 0
        """Requests answered 429 because a rate-limit window was spent."""
        self.counts: dict[str, int] = {}
        """Requests per bucket (`api`, `resolvers`, `cdn`), however many are kept."""
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def record(self, req: Request) -> None:
        bucket = "cdn" if req.path.startswith("/fake-cdn/") else _bucket(req.path)
        with self._lock:
            self.counts[bucket] = self.counts.get(bucket, 0) + 1
            if self.keep_requests:
                self.requests.append(req)

    def repo(self, kind: str, repo_id: str) -> FakeRepo | None:
        repo = self.repos.get((kind, repo_id))
        if repo is None and kind == "model" and self.factory is not None:
            repo = self.factory(repo_id)
        return repo

    def spend(self, bucket: str) -> tuple[bool, dict[str, str]]:
        """Count a request in its bucket's window: (allowed, the RateLimit headers to send)."""
        if bucket not in self.rate_limits:
            return True, {}
        quota, window = self.rate_limits[bucket]
        with self._lock:
            now = time.monotonic()
            start, used = self._windows.get(bucket, (now, 0))
            if now - start >= window:
                start, used = now, 0
            allowed = used < quota
            used += 1 if allowed else 0
            self.refused += 0 if allowed else 1
            self._windows[bucket] = (start, used)
            left = max(1, int(start + window - now + 0.999))
        headers = {
            "RateLimit": f'"{bucket}";r={max(0, quota - used)};t={left}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota};w={int(window)}',
        }
        if not allowed:
            headers["Retry-After"] = str(left)
        return allowed, headers

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.counts.clear()


def _bucket(path: str) -> str:
    return "resolvers" if "/resolve/" in path else "api"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client dropping a kept-alive connection is normal; anything else is a bug to see.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    # -- plumbing -------------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        for k, v in getattr(self, "_limit_headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), headers)

    def _error(self, status: int, code: str | None, message: str) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers)

    def _authorized(self) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {GRANTED_TOKEN}"

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

    def do_HEAD(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    # -- routing --------------------------------------------------------------------------------

    def _route(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.hub.record(
            Request(self.command, path, parts.query, self._authorized(), self.headers.get("Range"))
        )
        if self.hub.latency:
            time.sleep(self.hub.latency)
        query = parse_qs(parts.query)
        self._limit_headers = {}
        if path.startswith("/fake-cdn/"):
            return self._cdn(path)
        allowed, self._limit_headers = self.hub.spend(_bucket(path))
        if not allowed:
            self._json(429, {"error": "Too many requests"})
            return
        token = self._token()
        if token is not None and token.startswith(INVALID_TOKEN_PREFIX):
            self._error(401, None, "Invalid credentials in Authorization header")
            return
        if path == "/api/models" and self.command == "GET":
            return self._listing(query)
        moved = self._renamed(path, parts.query)
        if moved:
            self._send(307, b"", {"Location": moved})
            return
        m = re.match(r"^/api/(models|datasets)/(.+?)(?:/revision/(.+))?$", path)
        if m and self.command == "GET":
            kind = "model" if m.group(1) == "models" else "dataset"
            return self._info(kind, m.group(2), m.group(3), query)
        m = re.match(r"^/(datasets/)?(.+?)/resolve/([^/]+)/(.+)$", path)
        if m:
            kind = "dataset" if m.group(1) else "model"
            return self._file(kind, m.group(2), m.group(3), m.group(4))
        self._error(404, None, "Not found")

    def _renamed(self, path: str, query: str) -> str | None:
        for old, new in self.hub.renamed.items():
            for prefix in ("/api/models/", "/"):
                if path == prefix + old or path.startswith(prefix + old + "/"):
                    rest = path[len(prefix + old) :]
                    return quote(prefix + new + rest) + (f"?{query}" if query else "")
        return None

    def _listing(self, query: dict) -> None:
        hub = self.hub
        ids = (
            hub.listed
            if hub.listed is not None
            else sorted(rid for kind, rid in hub.repos if kind == "model")
        )
        author = query.get("author", [None])[0]
        search = (query.get("search", [""])[0] or "").lower()
        tag = query.get("filter", [None])[0]
        limit = min(hub.page_size, int(query.get("limit", [PAGE_SIZE])[0]))
        cursor = int(query.get("cursor", ["0"])[0])
        expand = query.get("expand") or []
        page: list[dict] = []
        i = cursor
        while i < len(ids) and len(page) < limit:
            rid = ids[i]
            i += 1
            if author and not rid.startswith(author + "/"):
                continue
            if search and search not in rid.lower():
                continue
            repo = hub.repo("model", rid)
            if repo is None or (repo.private and not self._authorized()) or repo.disabled:
                continue
            if tag and tag not in repo.tags:
                continue
            entry = {
                "_id": hashlib.sha1(rid.encode()).hexdigest()[:24],
                "id": rid,
                "sha": repo.refs["main"],
                "lastModified": "2024-05-01T12:00:00.000Z",
                "private": repo.private,
                "gated": repo.gated,
                "tags": repo.tags,
            }
            if expand:
                entry = {k: v for k, v in entry.items() if k in expand or k in ("_id", "id")}
            page.append(entry)
        headers = {}
        if i < len(ids):
            params = [(k, v) for k, vs in query.items() if k != "cursor" for v in vs]
            params.append(("cursor", str(i)))
            from urllib.parse import urlencode

            headers["Link"] = f'<{hub.url}/api/models?{urlencode(params)}>; rel="next"'
        self._json(200, page, headers)

    def _cdn(self, path: str) -> None:
        m = re.match(r"^/fake-cdn/(model|dataset)/(.+)/([0-9a-f]{40})/(.+)$", path)
        repo = self.hub.repo(m.group(1), m.group(2)) if m else None
        content = repo.files.get(m.group(4)) if repo is not None else None
        if not isinstance(content, bytes):
            self._error(404, None, "Not found")
            return
        self._content(content, {})

    def _repo(self, kind: str, repo_id: str) -> FakeRepo | None:
        repo = self.hub.repo(kind, repo_id)
        if repo is None or (repo.private and not self._authorized()):
            # The real hub answers 401 for unknown repos to anonymous callers.
            self._error(
                401 if not self._authorized() else 404, "RepoNotFound", "Repository not found"
            )
            return None
        if repo.disabled:
            self._error(403, None, "Access to this resource is disabled.")
            return None
        return repo

    def _info(self, kind: str, repo_id: str, rev: str | None, query: dict) -> None:
        repo = self._repo(kind, repo_id)
        if repo is None:
            return
        if repo.busy > 0:
            repo.busy -= 1
            self._json(429, {"error": "Too many requests"}, {"Retry-After": repo.retry_after})
            return
        sha = repo.resolve(rev or "main")
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        blobs = query.get("blobs", ["false"])[0] == "true"
        siblings = []
        for path in sorted(repo.files):
            content = repo.files[path]
            s: dict = {"rfilename": path}
            if blobs:
                if isinstance(content, LfsBlob):
                    s.update(
                        size=content.size,
                        blobId=content.sha256[:40],
                        lfs={"size": content.size, "sha256": content.sha256, "pointerSize": 134},
                    )
                else:
                    s.update(size=len(content), blobId=git_blob_id(content))
            siblings.append(s)
        info = {
            "_id": repo.commit()[:24],
            "id": repo.repo_id,
            "sha": sha,
            "private": repo.private,
            "disabled": repo.disabled,
            "gated": repo.gated,
            "tags": repo.tags,
            "cardData": repo.card_data,
            "siblings": siblings,
            "lastModified": "2024-05-01T12:00:00.000Z",
        }
        if kind == "model":
            info.update(
                modelId=repo.repo_id,
                library_name=repo.card_data.get("library_name"),
                pipeline_tag=repo.card_data.get("pipeline_tag"),
            )
        expand = query.get("expand")
        if expand:
            info = {k: v for k, v in info.items() if k in expand or k in ("_id", "id")}
        self._json(200, info)

    def _file(self, kind: str, repo_id: str, rev: str, path: str) -> None:
        repo = self._repo(kind, repo_id)
        if repo is None:
            return
        sha = repo.resolve(rev)
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        if repo.gated and not self._authorized() and path not in repo.public_files:
            if self._token() is None:
                self._error(
                    401,
                    "GatedRepo",
                    f"Access to {repo.repo_id} is restricted: accept its "
                    "conditions on the hub and authenticate to read its files.",
                )
            else:
                self._error(
                    403,
                    "GatedRepo",
                    f"Access to {repo.repo_id} is restricted and you are not in the "
                    "authorized list: accept its conditions on the hub.",
                )
            return
        content = repo.files.get(path)
        if content is None:
            self._error(404, "EntryNotFound", f"{path} does not exist at {rev}")
            return
        common = {"X-Repo-Commit": sha}
        if isinstance(content, LfsBlob):
            common.update(
                {
                    "X-Linked-Size": str(content.size),
                    "X-Linked-Etag": f'"{content.sha256}"',
                    "ETag": f'"{content.sha256}"',
                    "Location": f"/fake-cdn/{content.sha256}",
                }
            )
            if self.command == "HEAD":
                self._send(302, b"", common)
            else:
                self._error(500, None, "the fake hub serves no large blobs")
            return
        common["ETag"] = f'"{git_blob_id(content)}"'
        if self.hub.cdn and self.command == "GET":
            where = f"/fake-cdn/{kind}/{repo.repo_id}/{sha}/{quote(path)}"
            self._send(302, b"", {**common, "Location": where})
            return
        self._content(content, common)

    def _content(self, content: bytes, common: dict[str, str]) -> None:
        rng = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if rng:
            start = int(rng.group(1))
            end = min(int(rng.group(2)) if rng.group(2) else len(content) - 1, len(content) - 1)
            if start >= len(content):
                self._send(416, b"", {"Content-Range": f"bytes */{len(content)}", **common})
                return
            self._send(
                206,
                content[start : end + 1],
                {"Content-Range": f"bytes {start}-{end}/{len(content)}", **common},
                "application/octet-stream",
            )
            return
        self._send(200, content, common, "application/octet-stream")


# --- fixture repositories, built from the project's own examples --------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HUGE = 50 * 1000**3  # 50 GB


def _tree(name: str, weights_size: int | None = None) -> dict[str, bytes | LfsBlob]:
    """An example release as hub files: weights become LFS metadata (optionally of another size)."""
    files: dict[str, bytes | LfsBlob] = {}
    root = EXAMPLES / name
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(root).as_posix()
        data = p.read_bytes()
        if rel.endswith(".safetensors"):
            files[rel] = LfsBlob(
                weights_size if weights_size is not None else len(data),
                hashlib.sha256(data).hexdigest(),
            )
        else:
            files[rel] = data
    return files


def _front_matter(files: dict[str, bytes | LfsBlob]) -> dict:
    import yaml

    text = files["README.md"].decode() if isinstance(files.get("README.md"), bytes) else ""
    if text.startswith("---"):
        return yaml.safe_load(text.split("---", 2)[1]) or {}
    return {}


def _dataset_card(title: str, license_id: str, body: str) -> bytes:
    return (
        f"---\nlicense: {license_id}\nsize_categories:\n- 10K<n<100K\n---\n\n# {title}\n\n{body}\n"
    ).encode()


def default_repos() -> list[FakeRepo]:
    """The fixture hub: an open model, a gated one, a busy one, one with 50 GB weights, ..."""
    open_files = _tree("open-release")
    restricted = _tree("restricted-weights")
    weights_only = _tree("weights-only", weights_size=HUGE)
    open_card = _front_matter(open_files)
    repos = [
        FakeRepo(
            "osaid-examples/pebble-lm-tiny",
            open_files,
            card_data=open_card,
            tags=["text-generation", "license:apache-2.0"],
            refs={"v1.0": ""},
        ),
        FakeRepo(
            "osaid-examples/pebble-lm-gated",
            restricted,
            gated="manual",
            card_data=_front_matter(restricted),
        ),
        FakeRepo("osaid-examples/pebble-lm-busy", dict(open_files), card_data=open_card, busy=2),
        FakeRepo(
            "osaid-examples/pebble-lm-throttled", dict(open_files), card_data=open_card, busy=10**6
        ),
        FakeRepo(
            "osaid-examples/huge-weights", weights_only, card_data=_front_matter(weights_only)
        ),
        FakeRepo("osaid-examples/taken-down", {"README.md": b"# gone\n"}, disabled=True),
        FakeRepo("osaid-examples/secret-lm", {"README.md": b"# private\n"}, private=True),
        FakeRepo(
            "osaid-examples/tiny-stories-en",
            {
                "README.md": _dataset_card(
                    "Tiny stories (English)",
                    "cc-by-4.0",
                    "Short made-up stories in plain English, written for the osaid examples. Each story "
                    "is a few paragraphs long; the set has a train and a held-out split.",
                )
            },
            kind="dataset",
            card_data={"license": "cc-by-4.0"},
            tags=["license:cc-by-4.0", "size_categories:10K<n<100K"],
        ),
        FakeRepo(
            "osaid-examples/public-domain-books",
            {
                "README.md": _dataset_card(
                    "Public-domain book chapters",
                    "cc0-1.0",
                    "Chapters of old books whose copyright has lapsed, cut into passages.",
                )
            },
            kind="dataset",
            card_data={"license": "cc0-1.0"},
            tags=["license:cc0-1.0", "size_categories:1K<n<10K"],
        ),
    ]
    pebble = repos[0]
    pebble.refs["v1.0"] = pebble.refs["main"]
    return repos + lineage_repos()


def _derived(files: dict[str, bytes | LfsBlob], front: str) -> dict[str, bytes | LfsBlob]:
    """A copy of an example's files whose card front matter has `front` (YAML lines) added."""
    out = dict(files)
    text = out["README.md"].decode()
    out["README.md"] = text.replace("---\n", "---\n" + front.rstrip("\n") + "\n", 1).encode()
    return out


def _repo(repo_id: str, files: dict[str, bytes | LfsBlob]) -> FakeRepo:
    return FakeRepo(repo_id, files, card_data=_front_matter(files))


def lineage_repos() -> list[FakeRepo]:
    """Models that name a base (`base_model`): a chain of three, two that name each other, one
    whose base does not exist, an Apache-2.0 fine-tune of a base under the Llama 2 license, and a
    quantization and an adapter of the open example."""
    open_files = _tree("open-release")
    ns = "osaid-examples"
    weights = LfsBlob(7 * 1000**3, hashlib.sha256(b"llama2-style base").hexdigest())
    llama_base = {
        "README.md": b"---\nlicense: llama2\npipeline_tag: text-generation\n---\n\n# A 7B base "
        b"model\n\nA base model published under the Llama 2 Community License; see "
        b"the license field.\n",
        "config.json": b'{"model_type": "llama"}\n',
        "model.safetensors": weights,
    }
    gguf_card = (
        f"---\nlicense: apache-2.0\nbase_model: {ns}/pebble-lm-tiny\n"
        "library_name: gguf\n---\n\n# pebble-lm-tiny, 4-bit\n\nThe same model, stored "
        "at 4 bits per weight for small machines.\n"
    ).encode()
    lora_card = (
        f"---\nlicense: apache-2.0\nbase_model: {ns}/pebble-lm-tiny\n"
        "library_name: peft\n---\n\n# pebble-lm-tiny, story-ending adapter\n\nA small "
        "adapter trained to end stories politely.\n"
    ).encode()
    return [
        _repo(f"{ns}/chain-root", _derived(open_files, "")),
        _repo(f"{ns}/chain-mid", _derived(open_files, f"base_model: {ns}/chain-root")),
        _repo(
            f"{ns}/chain-top",
            _derived(open_files, f"base_model: {ns}/chain-mid\nbase_model_relation: finetune"),
        ),
        _repo(f"{ns}/loop-a", _derived(open_files, f"base_model: {ns}/loop-b")),
        _repo(f"{ns}/loop-b", _derived(open_files, f"base_model: [{ns}/loop-a]")),
        _repo(f"{ns}/orphan-ft", _derived(open_files, f"base_model: {ns}/no-such-base")),
        _repo(f"{ns}/llama2-style-base", llama_base),
        _repo(
            f"{ns}/pebble-chat-apache", _derived(open_files, f"base_model: {ns}/llama2-style-base")
        ),
        _repo(
            f"{ns}/pebble-lm-tiny-gguf",
            {
                "README.md": gguf_card,
                "LICENSE": open_files["LICENSE"],
                "pebble-lm-tiny.Q4_K_M.gguf": LfsBlob(1_200_000, hashlib.sha256(b"q4").hexdigest()),
            },
        ),
        _repo(
            f"{ns}/pebble-lm-tiny-lora",
            {
                "README.md": lora_card,
                "LICENSE": open_files["LICENSE"],
                "adapter_config.json": b'{"peft_type": "LORA", "r": 8}\n',
                "adapter_model.safetensors": LfsBlob(90_000, hashlib.sha256(b"lora").hexdigest()),
            },
        ),
    ]


def resolve_url(hub: FakeHub, repo_id: str, rev: str, path: str) -> str:
    return f"{hub.url}/{repo_id}/resolve/{rev}/{quote(path)}"


@contextlib.contextmanager
def serving(monkeypatch, tmp_path, repos: list[FakeRepo] | None = None, **hub_options):
    """A fake hub with `repos` (default: the fixture repos) and `hub_options` (FakeHub's), and
    the environment pointing osaid at it: its endpoint, a fresh cache, no token, no offline
    switch, no stored login."""
    from osaid.sources import hf

    with FakeHub(default_repos() if repos is None else repos, **hub_options) as h:
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        for var in ("HF_TOKEN", "HF_HUB_OFFLINE", "OSAID_HF_REF_TTL", "XDG_CACHE_HOME"):
            monkeypatch.delenv(var, raising=False)
        # Never pick up a login stored on the machine running the tests.
        monkeypatch.setattr(hf, "_stored_token", lambda: None)
        yield h


# --- generated repositories, for tests and benchmarks at scale ----------------------------------

_LICENSES = {
    "apache-2.0": (EXAMPLES / "open-release" / "LICENSE").read_bytes(),
    "mit": b"Permission is hereby granted, free of charge, to any person obtaining a copy of "
    b"this model, to deal in it without restriction. (A short notice written for the osaid "
    b"fixtures.)\n",
    "other": b"You may use this model for research only. You may not use it commercially, "
    b"and you may not share it further. (Terms written for the osaid fixtures.)\n",
}
GENERATED_DATASETS = [f"gen-data/corpus-{i}" for i in range(8)]
"""The datasets generated models name (each named by many models)."""


def generated_model(repo_id: str, *, rev: int = 0) -> FakeRepo:
    """A small model repository built from its id alone (the same id gives the same files, so a
    benchmark hub of 100,000 models holds none of them in memory): a card of its own naming one
    of `GENERATED_DATASETS`, one of three license texts, one of 20 configs, one of 5 tokenizer
    configs, weights as LFS metadata, and for one model in ten its own modeling code. `rev`
    changes the card (a new commit)."""
    n = int(hashlib.sha1(repo_id.encode()).hexdigest()[:8], 16)
    lic = list(_LICENSES)[n % 3]
    dataset = GENERATED_DATASETS[n % len(GENERATED_DATASETS)]
    card = (
        f"---\nlicense: {lic}\nlibrary_name: transformers\npipeline_tag: text-generation\n"
        f"datasets:\n- {dataset}\n---\n\n# {repo_id.split('/')[1]}\n\nA generated model "
        f"(revision {rev}) trained on {dataset}.\n\n## Training data\n\nThe corpus named above, "
        "deduplicated and filtered for language.\n"
    ).encode()
    files: dict[str, bytes | LfsBlob] = {
        "README.md": card,
        "LICENSE": _LICENSES[lic],
        "config.json": (
            f'{{"model_type": "llama", "hidden_size": {256 * (1 + n % 20)}}}\n'
        ).encode(),
        "tokenizer_config.json": f'{{"model_max_length": {512 << (n % 5)}}}\n'.encode(),
        "model.safetensors": LfsBlob(
            1_000_000 + n % 1000, hashlib.sha256(repo_id.encode()).hexdigest()
        ),
    }
    if n % 10 == 0:
        files["modeling.py"] = f"# modeling code of {repo_id}\nclass Model:\n    pass\n".encode()
    return FakeRepo(repo_id, files, card_data=_front_matter(files), tags=[f"license:{lic}"])


def generated_datasets() -> list[FakeRepo]:
    return [
        FakeRepo(
            ds,
            {
                "README.md": _dataset_card(ds, "cc-by-4.0", "Generated text for benchmarks."),
                "LICENSE": _LICENSES["apache-2.0"],
            },
            kind="dataset",
            card_data={"license": "cc-by-4.0"},
            tags=["size_categories:10K<n<100K"],
        )
        for ds in GENERATED_DATASETS
    ]
