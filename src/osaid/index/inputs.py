"""Scan inputs -> subjects: folders, folders of releases, manifests, lists of hub ids, hub ids,
and hub listings (`hf:author=ORG`, `hf:search=TEXT`, `hf:tag=TAG`).

A subject is one release, known by a stable key: `local:/real/path`, `manifest:/real/path.yml`
or `hf:ORG/NAME`. A listing is not expanded here: the scan pages through it as it goes
(`listed`), so a listing of a million models is never held in memory at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from osaid.errors import InputError

MANIFEST_SUFFIXES = (".yml", ".yaml")
# A folder holding one of these at its top is a release itself, not a folder of releases (a
# license alone is not enough: a folder of manifests may carry one).
_RELEASE_FILE = re.compile(
    r"^(readme|model_card|config\.json)"
    r"|\.(safetensors|gguf|bin|pt|pth|ckpt|onnx|h5|npz|nemo)$",
    re.I,
)
_MANIFEST_HEAD = re.compile(r"^framework\s*:", re.M)


@dataclass(frozen=True)
class Subject:
    key: str
    """Stable identity in the store."""
    target: str
    """What `osaid.sources.load` is given."""
    kind: str
    """`local`, `manifest` or `hf`."""
    sha: str | None = None
    """For a hub subject from a listing: the commit its default branch points at."""


@dataclass(frozen=True)
class Plan:
    subjects: list[Subject]
    queries: list[tuple[str, str]]
    """Hub listings to page through: (the hub's parameter, value), e.g. ("author", "ORG")."""


def expand(inputs: list[str]) -> list[Subject]:
    """The subjects `inputs` name (listings left out: see `plan`)."""
    return plan(inputs).subjects


def listed(source, queries: list[tuple[str, str]]):
    """The subjects the hub's listings give, page by page, each with its current commit."""
    from osaid.sources.hf.listing import list_models

    for param, value in queries:
        for m in list_models(source.client, param, value):
            yield Subject("hf:" + m.repo_id, "hf:" + m.repo_id, "hf", m.sha)


def plan(inputs: list[str]) -> Plan:
    """Inputs -> subjects, in order, each once, and the hub listings asked for. A folder
    holding a card (README), a config.json or weights at its top is one release; any other
    folder holds releases (each subfolder) and manifests (each `.yml` whose top-level key is
    `framework:`). A `.yml` file is a manifest; another file lists hub ids or listings, one per
    line (`#` starts a comment); anything else must be a hub id or a hub listing."""
    from osaid.sources import hf
    from osaid.sources.hf.listing import parse_query

    subjects: dict[str, Subject] = {}
    queries: list[tuple[str, str]] = []

    def add(s: Subject) -> None:
        subjects.setdefault(s.key, s)

    def hub(target: str, where: str) -> None:
        query = parse_query(target)
        if query is not None:
            if query not in queries:
                queries.append(query)
            return
        if target.startswith("hf:") and "=" in target.split("/", 1)[0]:
            raise InputError(
                f"{where}: {target!r} is not a hub listing (hf:author=ORG, hf:search=TEXT "
                "or hf:tag=TAG)"
            )
        raw = target[3:] if target.startswith("hf:") else target
        if not hf.looks_like_repo_id(raw):
            raise InputError(
                f"{where}: {target!r} is not a hub model id (hf:ORG/NAME) and no "
                "such file or folder exists"
            )
        add(Subject("hf:" + raw.split("@", 1)[0], "hf:" + raw, "hf"))

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            if _is_release(p):
                add(_local(p))
                continue
            try:
                entries = sorted(os.scandir(p), key=lambda e: e.name)
            except OSError as exc:
                raise InputError(f"{item}: cannot list ({exc.strerror or exc})") from None
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    add(_local(Path(e.path)))
                elif (
                    e.is_file(follow_symlinks=False)
                    and e.name.lower().endswith(MANIFEST_SUFFIXES)
                    and _looks_like_manifest(e.path)
                ):
                    add(_manifest(Path(e.path)))
        elif p.is_file():
            if item.lower().endswith(MANIFEST_SUFFIXES):
                add(_manifest(p))
                continue
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{item}: cannot read as a list of hub ids ({exc})") from None
            for n, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    hub(line, f"{item}:{n}")
        elif os.path.lexists(item):
            raise InputError(f"{item}: neither a folder nor a regular file")
        else:
            hub(item, item)
    return Plan(list(subjects.values()), queries)


def _is_release(folder: Path) -> bool:
    try:
        return any(
            e.is_file(follow_symlinks=False) and _RELEASE_FILE.search(e.name)
            for e in os.scandir(folder)
        )
    except OSError as exc:
        raise InputError(f"{folder}: cannot list ({exc.strerror or exc})") from None


def _looks_like_manifest(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return True  # let the source say what is wrong with it
    return bool(_MANIFEST_HEAD.search(head))


def _local(p: Path) -> Subject:
    real = os.path.realpath(p)
    return Subject("local:" + real, real, "local")


def _manifest(p: Path) -> Subject:
    real = os.path.realpath(p)
    return Subject("manifest:" + real, real, "manifest")
