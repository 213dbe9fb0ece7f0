# SPDX-License-Identifier: Apache-2.0
"""Prepare the training corpus: normalise, deduplicate, filter short lines."""

import hashlib
import unicodedata


def prepare(lines):
    seen = set()
    for line in lines:
        line = unicodedata.normalize("NFC", line)
        if len(line) < 20:
            continue  # filter out short lines
        digest = hashlib.sha256(line.encode()).hexdigest()
        if digest in seen:
            continue  # dedup exact repeats
        seen.add(digest)
        yield line
