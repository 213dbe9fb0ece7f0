"""A fake Hugging Face Hub on 127.0.0.1, for tests and benchmarks. No network beyond loopback.

It answers the requests osaid (and huggingface_hub's download helpers) make:

    GET  /api/models/{org}/{name}[/revision/{rev}][?blobs=true]   model metadata with `siblings`
    GET  /api/datasets/{id}[/revision/{rev}][?expand=...]          dataset metadata
    GET  /{org}/{name}/resolve/{rev}/{path}                        a file (Range supported)
    HEAD /{org}/{name}/resolve/{rev}/{path}                        its headers (X-Repo-Commit, ETag,
                                                                   X-Linked-Size/Etag, Location)
    GET|HEAD /datasets/{id}/resolve/{rev}/{path}

Errors carry the headers the real hub sets (`X-Error-Code: RepoNotFound | RevisionNotFound |
GatedRepo`, `X-Error-Message`) so clients can tell them apart. Every request is recorded in
`hub.requests` (method, path, query, whether it carried a token) so tests can assert what was asked
for — and what was not (weights). Large files exist only as LFS metadata: asking for their content
is answered with HTTP 500 and recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

GRANTED_TOKEN = "hf_fake_granted"
"""The token the fake hub accepts for gated and private repositories."""


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


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    authorized: bool
    range: str | None = None


class FakeHub:
    """`with FakeHub(repos) as hub:` serves them at `hub.url` until the block ends."""

    def __init__(self, repos: list[FakeRepo]) -> None:
        self.repos = {(r.kind, r.repo_id): r for r in repos}
        self.requests: list[Request] = []
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
        with self._lock:
            self.requests.append(req)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()


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
        query = parse_qs(parts.query)
        m = re.match(r"^/api/(models|datasets)/(.+?)(?:/revision/(.+))?$", path)
        if m and self.command == "GET":
            kind = "model" if m.group(1) == "models" else "dataset"
            return self._info(kind, m.group(2), m.group(3), query)
        m = re.match(r"^/(datasets/)?(.+?)/resolve/([^/]+)/(.+)$", path)
        if m:
            kind = "dataset" if m.group(1) else "model"
            return self._file(kind, m.group(2), m.group(3), m.group(4))
        self._error(404, None, "Not found")

    def _repo(self, kind: str, repo_id: str) -> FakeRepo | None:
        repo = self.hub.repos.get((kind, repo_id))
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
                    s.update(size=len(content), blobId=hashlib.sha1(content).hexdigest())
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
        if repo.gated and not self._authorized():
            self._error(
                401,
                "GatedRepo",
                f"Access to {repo.repo_id} is restricted: accept its "
                "conditions on the hub and authenticate to read its files.",
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
        common["ETag"] = f'"{hashlib.sha1(content).hexdigest()}"'
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
def serving(monkeypatch, tmp_path, repos: list[FakeRepo] | None = None):
    """A fake hub with `repos` (default: the fixture repos), and the environment pointing osaid
    at it: its endpoint, a fresh cache, no token, no offline switch, no stored login."""
    from osaid.sources import hf

    with FakeHub(default_repos() if repos is None else repos) as h:
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        for var in ("HF_TOKEN", "HF_HUB_OFFLINE", "OSAID_HF_REF_TTL", "XDG_CACHE_HOME"):
            monkeypatch.delenv(var, raising=False)
        # Never pick up a login stored on the machine running the tests.
        monkeypatch.setattr(hf, "_stored_token", lambda: None)
        yield h
