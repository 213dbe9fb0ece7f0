"""Refresh knowledge/license_fingerprints.tsv: hashes of standard license texts found on this machine.

A fingerprint is the SHA-256 of a license text's words after folding (see
`osaid.evidence.identify.fingerprint`: lower case, copyright and "all rights reserved" lines
dropped, punctuation and layout ignored). A LICENSE file whose fingerprint is in the table is that
license, word for word, so `osaid check` can name it without loading the text classifier. Only
hashes are stored, never the texts.

The texts come from the machine: Debian's /usr/share/common-licenses and the license files of
installed Python packages. Each is kept only when the classifier identifies it as one license
covering the whole text.

    python scripts/refresh_license_fingerprints.py
"""

from __future__ import annotations

import site
import sys
from pathlib import Path

from osaid.evidence import identify

OUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "osaid"
    / "knowledge"
    / "license_fingerprints.tsv"
)


def candidates() -> list[Path]:
    roots = [Path("/usr/share/common-licenses")]
    roots += [Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]]
    roots += [Path(sys.base_prefix) / "lib"]
    files: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        if root.name == "common-licenses":
            files += [p for p in root.iterdir() if p.is_file() and not p.is_symlink()]
            continue
        for info in root.glob("**/*.dist-info"):
            for p in (
                list(info.glob("LICEN[CS]E*"))
                + list(info.glob("licenses/**/*"))
                + list(info.glob("COPYING*"))
            ):
                if p.is_file() and p.stat().st_size < 200_000:
                    files.append(p)
    return files


def main() -> None:
    found: dict[str, tuple[str, str]] = {}
    for path in candidates():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        matches = identify._spdx(text)  # the classifier only, no fingerprint short cut
        if len(matches) != 1 or matches[0].coverage < 0.99 or matches[0].note:
            continue
        fp = identify.fingerprint(text)
        source = (
            "/usr/share/common-licenses"
            if "common-licenses" in str(path)
            else f"installed package {path.parts[-3] if path.parent.name == 'licenses' else path.parent.name}"
        )
        found.setdefault(fp, (matches[0].id, source))
    rows = sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(
            "# Fingerprints of standard license texts: SHA-256 of the folded words (see\n"
            "# osaid.evidence.identify.fingerprint). Written by\n"
            "# scripts/refresh_license_fingerprints.py from texts found on the machine,\n"
            "# each identified as one license covering the whole text; `source` says where.\n"
        )
        fh.write("sha256\tid\tsource\n")
        for fp, (lid, source) in rows:
            fh.write(f"{fp}\t{lid}\t{source}\n")
    print(f"{len(rows)} fingerprints for {len({v[0] for v in found.values()})} licenses -> {OUT}")


if __name__ == "__main__":
    main()
