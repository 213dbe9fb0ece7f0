"""A Model Openness Tool manifest (MOT YAML file) -> a `Release` that declares, and holds no files.

The release's components and licenses are what the manifest claims; `evidence.manifest` turns the
parsed manifest (kept in `Release.metadata["manifest"]`, with the line of every field) into facts
that point at `FILE:LINE`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from osaid.errors import os_error_message
from osaid.evidence.manifest import MAX_BYTES, ManifestError, parse_manifest
from osaid.model import Release
from osaid.sources.interface import Source, SourceError
from osaid.sources.local import decode, read_prefix

SUFFIXES = (".yml", ".yaml")


def is_manifest_target(target: str) -> bool:
    """A `.yml`/`.yaml` target that is a file: it is read as a manifest or refused as one."""
    return target.lower().endswith(SUFFIXES) and os.path.isfile(target)


class ManifestSource(Source):
    name = "manifest"

    def load(self, target: str) -> Release:
        path = Path(target)
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                raise SourceError(f"{target}: not a regular file")
            if st.st_size > MAX_BYTES:
                raise SourceError(
                    f"{target}: not read as a Model Openness Tool manifest (larger "
                    f"than {MAX_BYTES // 1024} KiB)"
                )
            data = read_prefix(path.resolve(), MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError(os_error_message(target, exc)) from None
        if len(data) > MAX_BYTES:
            raise SourceError(
                f"{target}: not read as a Model Openness Tool manifest (larger than "
                f"{MAX_BYTES // 1024} KiB)"
            )
        text, bad = decode(data)
        if bad:
            raise SourceError(f"{target}: not a Model Openness Tool manifest (not UTF-8 text)")
        try:
            manifest = parse_manifest(text, path.name)
        except ManifestError as exc:
            raise SourceError(f"{target}: not a Model Openness Tool manifest ({exc})") from None
        rel = manifest["data"]["release"]
        name = str(rel["name"]).strip()
        version = str(rel.get("version") or "").strip()
        if version and version.lower() not in name.lower():
            name = f"{name} {version}"
        return Release(
            name=name,
            source=self.name,
            location=str(path),
            revision=None,
            files=(),
            documents={},
            metadata={"manifest": manifest},
        )
