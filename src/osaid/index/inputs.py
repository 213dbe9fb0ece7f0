"""Scan inputs -> subjects: folders, folders of releases, manifests, lists of hub ids, hub ids.

A subject is one release, known by a stable key: `local:/real/path`, `manifest:/real/path.yml`
or `hf:ORG/NAME`.
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


def expand(inputs: list[str]) -> list[Subject]:
    """Inputs -> subjects, in order, each once. A folder holding a card (README), a config.json or
    weights at its top is one release; any other folder holds releases (each subfolder) and
    manifests (each `.yml` whose top-level key is `framework:`). A `.yml` file is a manifest; another file lists
    hub ids, one per line (`#` starts a comment); anything else must be a hub id."""
    from osaid.sources import hf

    subjects: dict[str, Subject] = {}

    def add(s: Subject) -> None:
        subjects.setdefault(s.key, s)

    def hub(target: str, where: str) -> None:
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
    return list(subjects.values())


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
