"""The OpenAPI 3.1 document of the index's JSON API (served at /api/openapi.json, shown at /api)."""

from __future__ import annotations

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_QUERY = 200
ERROR = {
    "description": "bad query: a page past the last, a query too long, a bad number",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}}}
        }
    },
}
ID_PARAM = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "the subject's id, as in its page's address /subjects/{id}",
}
REPORT_SCHEMA_PATH = "/api/schemas/osaid.report-1.schema.json"
"""Where the index serves the JSON Schema of the report (the file shipped in osaid.schemas)."""
REPORT_SCHEMA: dict = {
    "$ref": REPORT_SCHEMA_PATH,
    "description": "osaid.report/1: the assessment, as `osaid check --format json` writes it",
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "osaid index",
        "version": "1",
        "description": "Read-only: subjects assessed by `osaid scan`, their current "
        "osaid.report/1 and their history.",
    },
    "paths": {
        "/api/subjects": {
            "get": {
                "summary": "Subjects, filtered, sorted and paginated",
                "parameters": [
                    {
                        "name": n,
                        "in": "query",
                        "required": False,
                        "schema": {"type": t},
                        "description": d,
                    }
                    for n, t, d in (
                        (
                            "q",
                            "string",
                            "words, each found in the name, organisation or license (at most 200 characters)",
                        ),
                        (
                            "verdict",
                            "string",
                            "open-source-ai, not-open-source-ai, insufficient-evidence",
                        ),
                        ("license", "string", "weights license family ('none': no license)"),
                        ("class", "string", "MOF class (I, II, III; 'none': unclassified)"),
                        ("organisation", "string", "producer or hub organisation"),
                        ("source", "string", "local, manifest, hf, git"),
                        (
                            "sort",
                            "string",
                            "name, source, verdict (not open first), mof (Class I first), score, license, "
                            "organisation, changed",
                        ),
                        ("order", "string", "asc or desc"),
                        ("page", "integer", "1-based page; past the last page is a 400"),
                        ("per_page", "integer", f"page size (at most {MAX_PAGE_SIZE})"),
                    )
                ],
                "responses": {
                    "400": ERROR,
                    "200": {
                        "description": "a page of subjects",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SubjectPage"}
                            }
                        },
                    },
                },
            }
        },
        "/api/subjects/{id}": {
            "get": {
                "summary": "A subject with its current report (osaid.report/1)",
                "parameters": [ID_PARAM],
                "responses": {
                    "200": {
                        "description": "the subject",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SubjectDetail"}
                            }
                        },
                    },
                    "404": {"description": "no such subject"},
                },
            }
        },
        "/api/subjects/{id}/history": {
            "get": {
                "summary": "Every recorded change of the subject, newest first",
                "parameters": [ID_PARAM],
                "responses": {
                    "200": {
                        "description": "history rows",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Change"},
                                }
                            }
                        },
                    },
                    "404": {"description": "no such subject"},
                },
            }
        },
        "/badge/{id}.svg": {
            "get": {
                "summary": "An SVG badge: the OSAID verdict, or with kind=mof the MOF class",
                "parameters": [
                    ID_PARAM,
                    {
                        "name": "kind",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["verdict", "mof"]},
                        "description": "verdict (default): the OSAID verdict; mof: the MOF class",
                    },
                ],
                "responses": {"200": {"description": "badge", "content": {"image/svg+xml": {}}}},
            }
        },
    },
    "components": {
        "schemas": {
            "Subject": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "source": {"type": "string"},
                    "location": {"type": "string"},
                    "organisation": {"type": ["string", "null"]},
                    "verdict": {"type": "string"},
                    "mof_class": {"type": ["string", "null"]},
                    "osai_score": {"type": ["number", "null"]},
                    "weights_license": {"type": ["string", "null"]},
                    "license_family": {"type": ["string", "null"]},
                    "last_change": {"type": "string", "format": "date-time"},
                },
            },
            # The osaid.report/1 document, typed by the JSON Schema osaid ships (served beside).
            "Report": REPORT_SCHEMA,
            "SubjectPage": {
                "type": "object",
                "properties": {
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "subjects": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Subject"},
                    },
                },
            },
            "SubjectDetail": {
                "allOf": [
                    {"$ref": "#/components/schemas/Subject"},
                    {
                        "type": "object",
                        "properties": {
                            "report": {"$ref": "#/components/schemas/Report"},
                            "history": {"type": "string", "format": "uri"},
                        },
                    },
                ]
            },
            "Change": {
                "type": "object",
                "properties": {
                    "scanned_at": {"type": "string", "format": "date-time"},
                    "change": {
                        "type": "string",
                        "description": "first, content, verdict, assessment (comma-separated)",
                    },
                    "content_hash": {"type": "string"},
                    "verdict": {"type": "string"},
                    "mof_class": {"type": ["string", "null"]},
                    "osai_score": {"type": ["number", "null"]},
                    "weights_license": {"type": ["string", "null"]},
                    "revision": {"type": ["string", "null"]},
                    "tool_version": {"type": "string"},
                },
            },
        }
    },
}
