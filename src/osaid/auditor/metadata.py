"""What a weights file's header says about the model: license, name, base models, source.

Bounded reads only: at most `header_bytes` (model_references.yaml) of a file are read, and tensors
are never touched. GGUF is read with the maintained `gguf` package over that prefix (a copy in a
temporary file, so a hostile tensor count or offset cannot reach the rest of a 50 GB file);
safetensors by its 8-byte header length and the JSON header's `__metadata__`. Keys are data.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path

from osaid.sources.local import read_prefix


def read_metadata(path: Path, rel: str, size: int) -> dict:
    """{format, size, license?, license_name?, license_link?, name?, base_models?, source?,
    error?} for the weights file at `path` (read without following links)."""
    from osaid.auditor.find import knowledge
    from osaid.evidence.inventory import sniff_format

    spec = knowledge().model_files
    try:
        head = read_prefix(path, 64)
    except OSError as exc:
        return {"format": None, "size": size, "error": f"unreadable ({exc.strerror or exc})"}
    fmt, pickle = sniff_format(rel, head)
    meta: dict = {"format": fmt, "size": size}
    if pickle:
        meta["pickle"] = True
    try:
        if fmt == "gguf":
            meta.update(_gguf(path, spec))
        elif fmt == "safetensors":
            meta.update(_safetensors(path, spec))
    except OSError as exc:
        meta["error"] = f"unreadable ({exc.strerror or exc})"
    return {k: v for k, v in meta.items() if v not in (None, "", [])}


def _gguf(path: Path, spec: dict) -> dict:
    limit = int(spec["header_bytes"])
    data = read_prefix(path, limit)
    fields = gguf_fields(data)
    if fields is None:
        return {"error": "not a readable GGUF header"}
    keys = spec["gguf_keys"]
    out = {name: _text(fields.get(key)) for name, key in keys.items() if name != "base_count"}
    bases = []
    count = fields.get(keys["base_count"])
    n = count if isinstance(count, int) else 0
    for i in range(min(n, 16)):
        base = {k: _text(fields.get(f"general.base_model.{i}.{k}")) for k in spec["gguf_base_keys"]}
        base = {k: v for k, v in base.items() if v}
        if base:
            bases.append(base)
    out["base_models"] = bases
    out["fields"] = {
        k: _text(fields[k])
        for k in (*keys.values(),)
        if k in fields and k != keys["base_count"] and _text(fields[k])
    }
    return out


def gguf_fields(data: bytes) -> dict[str, object] | None:
    """The metadata key-values in the first bytes of a GGUF file (tensor infos and tensors are
    never read; keys past the end of `data` are not seen). None when it is not GGUF."""
    if data[:4] != b"GGUF":
        return None
    import gguf

    class _HeaderOnly(gguf.GGUFReader):
        def _build_tensor_info(self, offs, count):  # tensors are never read
            return offs, []

        def _build_tensors(self, start_offs, fields):
            self.tensors = []

    with tempfile.TemporaryDirectory(prefix="osaid-gguf-") as tmp:
        copy = os.path.join(tmp, "header.gguf")
        with open(copy, "wb") as fh:
            fh.write(data)
        reader = _HeaderOnly.__new__(_HeaderOnly)
        reader.fields = {}
        try:
            reader.__init__(copy)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError, MemoryError):
            pass  # a truncated or odd header: the fields read before it still count
        out: dict[str, object] = {}
        for name, f in list(reader.fields.items()):
            if name.startswith("GGUF."):
                continue
            try:
                value = f.contents()
            except (ValueError, IndexError, UnicodeDecodeError, TypeError):
                continue
            if isinstance(value, (str, int, float, bool)):
                out[name] = value
        del reader
    return out


def _safetensors(path: Path, spec: dict) -> dict:
    limit = int(spec["header_bytes"])
    head = read_prefix(path, 8)
    if len(head) < 8:
        return {"error": "not a readable safetensors header"}
    (n,) = struct.unpack("<Q", head)
    if n > limit - 8:
        return {"error": f"safetensors header larger than {limit // 1024} KiB; not read"}
    data = read_prefix(path, 8 + n)[8:]
    try:
        header = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {"error": "safetensors header is not JSON"}
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(meta, dict):
        return {}
    keys = spec["safetensors_keys"]
    out: dict = {}
    for name, candidates in keys.items():
        for c in candidates:
            if isinstance(meta.get(c), str) and meta[c].strip():
                out[name] = meta[c].strip()[:200]
                break
    if "source" in out:
        out["source_repo"] = out.pop("source")
    out["fields"] = {k: str(v)[:200] for k, v in meta.items() if k in sum(keys.values(), [])}
    return out


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s[:200] if s else None
