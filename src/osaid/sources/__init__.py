"""Sources: where a release comes from. Each turns a target into a `Release` snapshot."""

from __future__ import annotations

import os
from dataclasses import dataclass

from osaid.model import Release


@dataclass(frozen=True)
class SourceOptions:
    """How remote sources may fetch: from the command line (`osaid check --offline ...`)."""

    offline: bool = False
    """Use only the cache; fail clearly when the revision is not in it."""
    cache_dir: str | None = None
    """Cache root (default: `$OSAID_CACHE_DIR`, `$XDG_CACHE_HOME/osaid`, `~/.cache/osaid`)."""
    token: str | None = None
    """Hub token (default: `HF_TOKEN`, then the login huggingface_hub stored)."""


def load(target: str, options: SourceOptions | None = None) -> Release:
    """Pick the source for a target: `hf:ORG/NAME[@REV]`, a bare `ORG/NAME` that is not a local
    path, or a local folder."""
    if (
        os.path.isdir(target)
        and not target.startswith(("hf:", "git:"))
        and not target.rstrip("/").endswith(".git")
    ):
        from osaid.sources.local import LocalSource  # the common case: no other source to import

        return LocalSource().load(target)
    from osaid.sources import hf

    if target.startswith("hf:") or (not os.path.lexists(target) and hf.looks_like_repo_id(target)):
        o = options or SourceOptions()
        return hf.HubSource(offline=o.offline, cache_dir=o.cache_dir, token=o.token).load(target)
    from osaid.sources import git, manifest

    if git.is_git_target(target):  # https://, ssh://, git://, file://, git@host:, *.git, git:PATH
        return git.GitSource().load(target)
    if manifest.is_manifest_target(target):  # a .yml/.yaml file: a MOT manifest, or refused
        return manifest.ManifestSource().load(target)
    from osaid.sources.local import LocalSource

    return LocalSource().load(target)
