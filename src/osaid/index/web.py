"""`osaid serve`: the index database as web pages, a JSON API and SVG badges.

Read-only: the database is opened with `mode=ro` and `query_only`. Pages are rendered on the
server (Jinja2, autoescaped) and need no JavaScript; a Content-Security-Policy forbids scripts
altogether, so text from cards and licenses can only ever be shown, never run.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from osaid.index import badges, charts
from osaid.index.store import Store

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SORTS = {
    "name": "name COLLATE NOCASE",
    "source": "source",
    "verdict": "verdict",
    "mof": "mof_class",
    "score": "osai_score",
    "license": "weights_license",
    "organisation": "organisation COLLATE NOCASE",
    "changed": "last_change",
}
EXPORT_TYPES = {
    "mot": ("mot.yml", "application/yaml; charset=utf-8", "MOT manifest (YAML)"),
    "cyclonedx": ("cyclonedx.json", "application/json", "CycloneDX"),
}


def _safe_url(url: object) -> str | None:
    """Only http(s) links leave the index; anything else (javascript:, data:) is shown as text."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = _safe_url
    env.globals["verdict_label"] = charts.LABELS
    return env


class Index:
    """The queries the pages and the API share, over one read-only connection per thread."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._local = threading.local()
        Store.open(db_path, readonly=True).close()  # fail now, with a clear message

    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store.open(self.db_path, readonly=True)
        return store

    def query(self, sql: str, args=()) -> list:
        return self.store.conn.execute(sql, args).fetchall()

    def subjects(self, params) -> dict:
        where, args = [], []
        for key, column in (
            ("verdict", "verdict"),
            ("license", "license_family"),
            ("organisation", "organisation"),
            ("source", "source"),
        ):
            value = params.get(key)
            if value:
                if value == "none":
                    where.append(f"{column} IS NULL")
                else:
                    where.append(f"{column} = ?")
                    args.append(value)
        mof = params.get("class")
        if mof:
            where.append("mof_class IS NULL" if mof == "none" else "mof_class = ?")
            args += [] if mof == "none" else [mof]
        q = (params.get("q") or "").strip()
        if q:
            where.append("(name LIKE ? ESCAPE '\\' OR location LIKE ? ESCAPE '\\')")
            like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [like, like]
        sort = params.get("sort") if params.get("sort") in SORTS else "name"
        order = "DESC" if params.get("order") == "desc" else "ASC"
        try:
            size = min(max(int(params.get("per_page", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
            page = max(int(params.get("page", 1)), 1)
        except ValueError:
            raise HTTPException(400, "page and per_page must be numbers") from None
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.query(f"SELECT count(*) FROM subjects{clause}", args)[0][0]
        # counts by verdict under every filter but the verdict itself
        vwhere = [w for w in where if not w.startswith("verdict")]
        vargs = args[1:] if params.get("verdict") and params.get("verdict") != "none" else args
        vclause = (" WHERE " + " AND ".join(vwhere)) if vwhere else ""
        counts = {
            r[0]: r[1]
            for r in self.query(
                f"SELECT verdict, count(*) FROM subjects{vclause} GROUP BY verdict", vargs
            )
        }
        rows = self.query(
            "SELECT slug, name, source, location, organisation, verdict, mof_class, osai_score, "
            f"weights_license, license_family, last_change FROM subjects{clause} "
            f"ORDER BY {SORTS[sort]} {order}, id LIMIT ? OFFSET ?",
            [*args, size, (page - 1) * size],
        )
        return {
            "total": total,
            "page": page,
            "per_page": size,
            "pages": max(1, math.ceil(total / size)),
            "sort": sort,
            "order": order.lower(),
            "counts": counts,
            "subjects": [dict(r) for r in rows],
        }

    def options(self) -> dict:
        def distinct(column: str, limit: int = 300) -> list[str]:
            return [
                r[0]
                for r in self.query(
                    f"SELECT {column}, count(*) n FROM subjects WHERE {column} IS NOT NULL "
                    f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {limit}"
                )
            ]

        return {
            "license": sorted(distinct("license_family"), key=str.lower),
            "class": sorted(distinct("mof_class")),
            "organisation": sorted(distinct("organisation"), key=str.lower),
            "source": sorted(distinct("source")),
        }

    def subject(self, slug: str):
        row = self.store.subject(slug)
        if row is None:
            raise HTTPException(404, f"no subject {slug!r} in this index")
        return row

    def history(self, subject_id: int) -> list[dict]:
        return [dict(r) for r in self.store.history(subject_id)]

    def exports(self, assessment_id: int) -> list[str]:
        return [
            r[0]
            for r in self.query(
                "SELECT format FROM exports WHERE assessment_id = ?", (assessment_id,)
            )
        ]

    def by(self, column: str, limit: int = 15) -> list[charts.Row]:
        rows = self.query(
            f"SELECT coalesce({column}, '(none)'), verdict, count(*) FROM subjects GROUP BY 1, 2"
        )
        groups: dict[str, dict[str, int]] = {}
        for label, verdict, n in rows:
            groups.setdefault(label, {})[verdict] = n
        ranked = sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0].lower()))
        top, rest = ranked[:limit], ranked[limit:]
        if rest:
            other: dict[str, int] = {}
            for _, counts in rest:
                for v, n in counts.items():
                    other[v] = other.get(v, 0) + n
            top.append((f"(other {len(rest)})", other))
        return top

    def over_time(self) -> list[charts.Row]:
        """Subjects by verdict at the end of each day that saw a change."""
        current: dict[int, str] = {}
        counts: dict[str, int] = {}
        days: list[charts.Row] = []
        for subject_id, day, verdict in self.query(
            "SELECT subject_id, substr(scanned_at, 1, 10), verdict FROM assessments "
            "ORDER BY scanned_at, id"
        ):
            before = current.get(subject_id)
            if before is not None:
                counts[before] -= 1
            current[subject_id] = verdict
            counts[verdict] = counts.get(verdict, 0) + 1
            if days and days[-1][0] == day:
                days[-1] = (day, dict(counts))
            else:
                days.append((day, dict(counts)))
        return days


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
                        ("q", "string", "text in the name or location"),
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
                            "name, source, verdict, mof, score, license, organisation, changed",
                        ),
                        ("order", "string", "asc or desc"),
                        ("page", "integer", "1-based page"),
                        ("per_page", "integer", f"page size (at most {MAX_PAGE_SIZE})"),
                    )
                ],
                "responses": {
                    "200": {
                        "description": "a page of subjects",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SubjectPage"}
                            }
                        },
                    }
                },
            }
        },
        "/api/subjects/{id}": {
            "get": {
                "summary": "A subject with its current report (osaid.report/1)",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
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
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
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
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "kind",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["verdict", "mof"]},
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
                            "report": {"type": "object", "description": "osaid.report/1"},
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


def _api_subject(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "slug"}
    return {"id": row["slug"], **out}


def create_app(db_path: str) -> Starlette:
    index = Index(db_path)
    env = _environment()

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(request=request, path=request.url.path, **context)
        return HTMLResponse(html, status_code=status)

    def link(request: Request, **changes) -> str:
        params = {k: v for k, v in request.query_params.items() if v}
        params.update({k: v for k, v in changes.items()})
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return "?" + urlencode(params) if params else request.url.path

    def home(request: Request) -> Response:
        result = index.subjects(request.query_params)
        return page(
            request,
            "index.html",
            result=result,
            options=index.options(),
            params=request.query_params,
            link=lambda **c: link(request, **c),
        )

    def subject(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        report = index.store.report(row["current_id"])
        findings = report.get("findings", [])
        return page(
            request,
            "subject.html",
            s=dict(row),
            r=report,
            blockers=[f for f in findings if f.get("severity") == "blocker"],
            history=index.history(row["id"]),
            exports=[
                (fmt, *EXPORT_TYPES[fmt])
                for fmt in index.exports(row["current_id"])
                if fmt in EXPORT_TYPES
            ],
            lineage=_lineage_graph(report.get("lineage") or [], report["subject"]),
        )

    def finding(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        report = index.store.report(row["current_id"])
        n = request.path_params["n"]
        findings = report.get("findings", [])
        if not 1 <= n <= len(findings):
            raise HTTPException(404, f"no finding {n} for {row['slug']!r}")
        return page(request, "finding.html", s=dict(row), r=report, n=n, f=findings[n - 1])

    def report_json(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        return JSONResponse(index.store.report(row["current_id"]))

    def export(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        fmt = request.path_params["fmt"]
        body = index.store.export(row["current_id"], fmt) if fmt in EXPORT_TYPES else None
        if body is None:
            raise HTTPException(
                404,
                f"no {fmt} export stored for {row['slug']!r} (rescan "
                f"with `osaid scan --export {fmt}`)",
            )
        filename, media, _ = EXPORT_TYPES[fmt]
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'inline; filename="{row["slug"]}.{filename}"'},
        )

    def landscape(request: Request) -> Response:
        by_license, by_org, over_time = (
            index.by("license_family"),
            index.by("organisation"),
            index.over_time(),
        )
        return page(
            request,
            "landscape.html",
            charts=[
                (
                    "by-license",
                    "Verdicts by weights license family",
                    charts.stacked_bars("Verdicts by weights license family", by_license),
                    by_license,
                ),
                (
                    "by-organisation",
                    "Verdicts by organisation",
                    charts.stacked_bars("Verdicts by organisation", by_org),
                    by_org,
                ),
                (
                    "over-time",
                    "Verdicts over time",
                    charts.timeline("Subjects by verdict over time", over_time),
                    over_time,
                ),
            ],
            verdicts=charts.VERDICTS,
        )

    def landscape_csv(request: Request) -> Response:
        name = request.path_params["chart"]
        if name == "by-license":
            text = charts.to_csv("license_family", index.by("license_family", 10**6))
        elif name == "by-organisation":
            text = charts.to_csv("organisation", index.by("organisation", 10**6))
        elif name == "over-time":
            text = charts.to_csv("date", index.over_time())
        else:
            raise HTTPException(404, f"no chart {name!r}")
        return PlainTextResponse(text, media_type="text/csv; charset=utf-8")

    def api_subjects(request: Request) -> Response:
        result = index.subjects(request.query_params)
        result["subjects"] = [_api_subject(r) for r in result["subjects"]]
        return JSONResponse(result)

    def api_subject(request: Request) -> Response:
        row = dict(index.subject(request.path_params["slug"]))
        keys = (
            "slug",
            "name",
            "source",
            "location",
            "organisation",
            "verdict",
            "mof_class",
            "osai_score",
            "weights_license",
            "license_family",
            "last_change",
        )
        out = _api_subject({k: row[k] for k in keys})
        out["report"] = index.store.report(row["current_id"])
        out["history"] = f"/api/subjects/{row['slug']}/history"
        return JSONResponse(out)

    def api_history(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        return JSONResponse(
            [{k: v for k, v in h.items() if k != "id"} for h in index.history(row["id"])]
        )

    def openapi(request: Request) -> Response:
        return JSONResponse(OPENAPI)

    def badge(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        kind = request.query_params.get("kind", "verdict")
        if kind == "mof":
            svg = badges.mof_badge(row["mof_class"])
        elif kind == "verdict":
            svg = badges.verdict_badge(row["verdict"])
        else:
            raise HTTPException(400, "kind is 'verdict' or 'mof'")
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=300"})

    async def error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return page(
            request,
            "error.html",
            status=exc.status_code,
            status_code=exc.status_code,
            message=exc.detail,
        )

    routes = [
        Route("/", home),
        Route("/subjects/{slug}", subject),
        Route("/subjects/{slug}/findings/{n:int}", finding),
        Route("/subjects/{slug}/report.json", report_json),
        Route("/subjects/{slug}/export/{fmt}", export),
        Route("/landscape", landscape),
        Route("/landscape/{chart}.csv", landscape_csv),
        Route("/api/subjects", api_subjects),
        Route("/api/subjects/{slug}", api_subject),
        Route("/api/subjects/{slug}/history", api_history),
        Route("/api/openapi.json", openapi),
        Route("/badge/{slug}.svg", badge),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: error},
        middleware=[Middleware(_SecurityHeaders)],
    )
    app.state.index = index
    return app


class _SecurityHeaders:
    """Adds the Content-Security-Policy (no scripts at all) and friends to every response."""

    HEADERS = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _lineage_graph(lineage: list, subject: dict) -> dict | None:
    """Nodes and edges of the report's lineage for a small SVG (positions computed here, so the
    template only draws). None when the report names no base."""
    if not lineage:
        return None
    root = str(subject.get("name"))
    nodes = [{"id": "__subject__", "label": root, "depth": 0, "verdict": None, "note": ""}]
    index_of = {"__subject__": 0}
    edges = []
    for b in lineage:
        if not isinstance(b, dict):
            continue
        bid = str(b.get("id") or "?")
        if bid not in index_of:
            index_of[bid] = len(nodes)
            nodes.append(
                {
                    "id": bid,
                    "label": bid,
                    "depth": int(b.get("depth") or 1),
                    "verdict": b.get("verdict"),
                    "note": " · ".join(
                        str(x) for x in (b.get("relation"), b.get("license"), b.get("status")) if x
                    ),
                }
            )
        via = b.get("via")
        parent = index_of.get(str(via), 0) if via else 0
        edges.append((parent, index_of[bid]))
    rows: dict[int, int] = {}
    for n in nodes:
        n["x"] = 10 + 230 * rows.get(n["depth"], 0)
        rows[n["depth"]] = rows.get(n["depth"], 0) + 1
        n["y"] = 10 + 60 * n["depth"]
    width = 10 + 230 * max(rows.values())
    height = 20 + 60 * (max(rows) + 1)
    lines = [
        {
            "x1": nodes[a]["x"] + 110,
            "y1": nodes[a]["y"] + 36,
            "x2": nodes[b]["x"] + 110,
            "y2": nodes[b]["y"],
        }
        for a, b in edges
    ]
    return {"nodes": nodes, "edges": lines, "width": width, "height": height}


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
