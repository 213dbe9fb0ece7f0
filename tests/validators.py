"""Validators that are not the libraries osaid writes with, for every BOM the tests see.

- CycloneDX 1.6: the official JSON schema (CycloneDX/specification, the copy bundled for offline
  use by cyclonedx-python-lib, with its `spdx` and `jsf` schemas), applied by `jsonschema` itself
  (draft-07, every error, formats checked), not by the library's validator.
- SPDX 3.0.1: `spdx3-validate` (SHACL with pyshacl, and the JSON schema), given the official
  model, context and schema from ../shared/reference/spdx-3.0.1/ through a URL opener, so nothing
  is fetched. Skips, saying why, when ../shared is absent.
- MOT manifests: the Model Openness Tool's own schema (mof_schema.json, ../shared) with
  `jsonschema`. (The JSON report's schema and SARIF's are applied in conftest.py and
  test_sarif.py, with `jsonschema` too.)
"""

from __future__ import annotations

import email.message
import io
import json
import urllib.request
import urllib.response
import warnings
from functools import cache
from pathlib import Path

import pytest
from conftest import SHARED

SPDX_DIR = SHARED / "reference" / "spdx-3.0.1"
SPDX_FILES = {
    "https://spdx.org/rdf/3.0.1/spdx-model.ttl": ("spdx-model.ttl", "text/turtle"),
    "https://spdx.org/rdf/3.0.1/spdx-context.jsonld": (
        "spdx-context.jsonld",
        "application/ld+json",
    ),
    "https://spdx.org/schema/3.0.1/spdx-json-schema.json": (
        "spdx-json-schema.json",
        "application/json",
    ),
}


@cache
def _cyclonedx_validator():
    from importlib.resources import files

    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    folder = files("cyclonedx.schema") / "_res"
    schema = json.loads((folder / "bom-1.6.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
    registry = Registry()
    for name in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        contents = json.loads((folder / name).read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        # Referenced by file name from the BOM schema (resolved against its $id).
        registry = registry.with_resource(f"http://cyclonedx.org/schema/{name}", resource)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def cyclonedx_errors(text: str) -> list[str]:
    doc = json.loads(text)
    assert doc.get("specVersion") == "1.6" and doc.get("bomFormat") == "CycloneDX"
    return [f"{e.json_path}: {e.message}" for e in _cyclonedx_validator().iter_errors(doc)]


class _SharedFiles(urllib.request.BaseHandler):
    """Answers the three SPDX 3.0.1 URLs from ../shared; anything else is refused."""

    handler_order = 100  # before the default HTTP(S) handlers

    def https_open(self, req):
        url = req.full_url
        if url not in SPDX_FILES:
            raise urllib.error.URLError(f"no network in tests: {url}")
        name, ctype = SPDX_FILES[url]
        headers = email.message.Message()
        headers["Content-Type"] = ctype
        body = io.BytesIO((SPDX_DIR / name).read_bytes())
        response = urllib.response.addinfourl(body, headers, url, 200)
        response.msg = "OK"
        return response

    http_open = https_open


def spdx3_errors(documents: dict[str, str], tmp_path: Path) -> list[str]:
    """Errors of SPDX 3.0.1 JSON-LD documents (name -> text), validated in one run (the schema
    and model are loaded once: seconds each)."""
    if not all((SPDX_DIR / name).is_file() for name, _ in SPDX_FILES.values()):
        pytest.skip(f"the SPDX 3.0.1 model, context and schema are not in {SPDX_DIR}")
    import spdx3_validate

    paths = []
    for i, (name, text) in enumerate(documents.items()):
        path = tmp_path / f"{i}-{name.replace('/', '_')}.spdx3.json"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    previous = urllib.request._opener  # restored below: other code keeps the default opener
    urllib.request.install_opener(urllib.request.build_opener(_SharedFiles))
    try:
        with warnings.catch_warnings():  # rdflib's own deprecations, not ours
            warnings.simplefilter("ignore", DeprecationWarning)
            result = spdx3_validate.validate(paths, version="3.0.1")
    finally:
        urllib.request.install_opener(previous)
    return [str(e) for e in result.errors]


MOT_SCHEMA = SHARED / "corpus" / "mot-models" / "mof_schema.json"


def mot_errors(manifest: dict) -> list[str]:
    """Errors of a MOT manifest against the Model Openness Tool's own schema (mof_schema.json,
    from ../shared), applied by `jsonschema` (formats such as `date` checked)."""
    if not MOT_SCHEMA.is_file():
        pytest.skip(f"the Model Openness Tool's schema is not at {MOT_SCHEMA} (../shared absent)")
    from jsonschema import Draft7Validator

    schema = json.loads(MOT_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    v = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(manifest)]
