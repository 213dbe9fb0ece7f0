"""`osaid serve`: the index database as web pages, a JSON API and SVG badges.

Read-only: the database is opened with `mode=ro` and `query_only`. Pages are rendered on the
server (Jinja2, autoescaped) and need no JavaScript; a Content-Security-Policy forbids scripts
altogether, so text from cards and licenses can only ever be shown, never run.

Every GET answer carries an `ETag` made from the database's state (its file and WAL sizes and
times) and the URL, and `Cache-Control`; a request whose `If-None-Match` matches is answered 304
without touching the database, and rendered answers are kept in a bounded in-memory cache until
the database changes (a scan writing to it changes the ETag of every page).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from osaid import __version__
from osaid.index import badges, charts, present
from osaid.index.openapi import (
    MAX_PAGE_SIZE,
    MAX_QUERY,
    OPENAPI,
    PAGE_SIZE,
    REPORT_SCHEMA_PATH,
)
from osaid.index.store import SUMMARY_COLUMNS, Store, unpack

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
VERDICT_ORDER = (
    "CASE verdict WHEN 'not-open-source-ai' THEN 0 WHEN 'insufficient-evidence' THEN 1 "
    "WHEN 'open-source-ai' THEN 2 ELSE 3 END"
)
MOF_ORDER = "CASE mof_class WHEN 'I' THEN 1 WHEN 'II' THEN 2 WHEN 'III' THEN 3 ELSE 4 END"
SORTS = {
    "name": "name COLLATE NOCASE",
    "source": "source",
    "verdict": VERDICT_ORDER,
    "mof": MOF_ORDER,
    "score": "osai_score",
    "license": "weights_license",
    "organisation": "organisation COLLATE NOCASE",
    "changed": "last_change",
}
EXPORT_TYPES = {
    "mot": ("mot.yml", "application/yaml; charset=utf-8", "MOT manifest (YAML)"),
    "cyclonedx": ("cyclonedx.json", "application/json", "CycloneDX"),
}
OSAID_ELEMENTS = ("data-information", "code", "parameters")
MAX_COMPARE = 4
CACHE_ENTRIES = 2000
CACHE_BYTES = 64 * 1024 * 1024
MAX_URL = 4096
GENERATION_TTL = 0.05  # a commit shows within 50 ms; stat() is not paid on every request


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
        auto_reload=False,  # templates ship with osaid: no stat() per render
    )
    env.filters["safe_url"] = _safe_url
    env.globals["verdict_label"] = charts.LABELS
    env.globals["verdicts"] = charts.VERDICTS
    return env


class Index:
    """The queries the pages and the API share, over one read-only connection per thread."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._local = threading.local()
        self._memo: dict = {}
        self._generation: tuple[float, str] | None = None
        Store.open(db_path, readonly=True).close()  # fail now, with a clear message

    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store.open(self.db_path, readonly=True)
        return store

    def generation(self) -> str:
        """Changes whenever the database may have: its and its WAL's size and time (looked at
        again at most every GENERATION_TTL seconds)."""
        now = time.monotonic()
        seen = self._generation
        if seen is not None and now - seen[0] < GENERATION_TTL:
            return seen[1]
        parts = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(self.db_path + suffix)
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append("-")
        self._generation = (now, "/".join(parts))
        return self._generation[1]

    def memo(self, key: str, make):
        """A value computed once per database generation."""
        gen = self.generation()
        hit = self._memo.get(key)
        if hit is None or hit[0] != gen:
            hit = self._memo[key] = (gen, make())
        return hit[1]

    def query(self, sql: str, args=()) -> list:
        return self.store.conn.execute(sql, args).fetchall()

    # --- shared lookups ------------------------------------------------------------------------

    def licenses(self) -> present.LicenseNames:
        def make() -> present.LicenseNames:
            names = present.catalog_names()
            for lid, name in self.query(
                "SELECT license_id, name FROM licenses WHERE name IS NOT NULL AND name != '' "
                "GROUP BY license_id"
            ):
                names.setdefault(lid, name)
            # a family (`LicenseRef-x-license`, the id without its version) reads as the name
            # of a license in it, without the version
            for (family,) in self.query(
                "SELECT DISTINCT license_family FROM subjects WHERE license_family IS NOT NULL"
            ):
                if family not in names:
                    member = next((n for i, n in names.items() if i.startswith(family + "-")), None)
                    if member:
                        names[family] = re.sub(r"[\s-]+v?\d+(\.\d+)*$", "", member)
            return present.LicenseNames(names)

        return self.memo("licenses", make)

    def license_texts(self) -> list[tuple[str, str]]:
        """(weights license expression, its ids, names and family in lower case) for each
        distinct weights license in the index."""

        def make() -> list[tuple[str, str]]:
            names = self.licenses()
            return [
                (lid, " ".join([lid, names.name(lid), fam or "", names.name(fam)]).lower())
                for lid, fam in self.query(
                    "SELECT DISTINCT weights_license, license_family FROM subjects "
                    "WHERE weights_license IS NOT NULL"
                )
            ]

        return self.memo("license_texts", make)

    def roots(self) -> list[str]:
        """The absolute folders and files scans were given (locations are shown under them)."""

        def make() -> list[str]:
            out: set[str] = set()
            for (inputs,) in self.query("SELECT inputs FROM scans"):
                try:
                    for i in json.loads(inputs):
                        if isinstance(i, str) and i.startswith("/"):
                            out.add(os.path.normpath(i))
                except ValueError:
                    continue
            # relative inputs: the folder scanned is the top-level one named in the location
            return sorted(out)

        return self.memo("roots", make)

    def location(self, row) -> str:
        return present.display_location(row["source"], row["location"], self.roots())

    # --- lists -----------------------------------------------------------------------------------

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
        if len(q) > MAX_QUERY:
            raise HTTPException(400, f"the search is longer than {MAX_QUERY} characters")
        licenses = self.license_texts()
        for token in re.split(r"\s+", q.lower())[:12] if q else []:
            # licenses are matched here, over the few distinct ones, by id or name; rows by
            # LIKE (SQLite's fastest test here, case-insensitive) on name and organisation
            ids = [lid for lid, text in licenses if token in text]
            like = "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                "(name LIKE ? ESCAPE '\\' OR organisation LIKE ? ESCAPE '\\'"
                + (f" OR weights_license IN ({', '.join('?' * len(ids))})" if ids else "")
                + ")"
            )
            args += [like, like, *ids]
        sort = params.get("sort") if params.get("sort") in SORTS else "name"
        order = "DESC" if params.get("order") == "desc" else "ASC"
        size, page = _number(params, "per_page", PAGE_SIZE), _number(params, "page", 1)
        if size > MAX_PAGE_SIZE:
            raise HTTPException(400, f"per_page is at most {MAX_PAGE_SIZE}")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        # with a search, scanning the table beats walking an index (10,000 random lookups)
        table = "subjects NOT INDEXED" if q else "subjects"
        # counts by verdict under every filter but the verdict itself
        vwhere = [w for w in where if not w.startswith("verdict")]
        vargs = args[1:] if params.get("verdict") and params.get("verdict") != "none" else args
        vclause = (" WHERE " + " AND ".join(vwhere)) if vwhere else ""
        counts = {
            r[0]: r[1]
            for r in self.query(
                f"SELECT verdict, count(*) FROM {table}{vclause} GROUP BY verdict", vargs
            )
        }
        if params.get("verdict"):
            total = self.query(f"SELECT count(*) FROM {table}{clause}", args)[0][0]
        else:
            total = sum(counts.values())
        pages = max(1, math.ceil(total / size))
        if page > pages:
            raise HTTPException(400, f"page {page} is past the last page ({pages})")
        rows = self.query(
            "SELECT slug, name, source, location, organisation, verdict, mof_class, osai_score, "
            f"weights_license, license_family, last_change, current_id FROM {table}{clause} "
            f"ORDER BY {SORTS[sort]} {order}, name COLLATE NOCASE, id LIMIT ? OFFSET ?",
            [*args, size, (page - 1) * size],
        )
        subjects = []
        for r in rows:
            d = dict(r)
            d["location"] = self.location(r)
            subjects.append(d)
        return {
            "total": total,
            "page": page,
            "per_page": size,
            "pages": pages,
            "sort": sort,
            "order": order.lower(),
            "counts": counts,
            "subjects": subjects,
        }

    def options(self) -> dict:
        def make() -> dict:
            def distinct(column: str, limit: int = 300) -> list[str]:
                return [
                    r[0]
                    for r in self.query(
                        f"SELECT {column}, count(*) n FROM subjects WHERE {column} IS NOT NULL "
                        f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {limit}"
                    )
                ]

            names = self.licenses()
            return {
                "license": sorted(
                    ((f, names.name(f)) for f in distinct("license_family")),
                    key=lambda x: x[1].lower(),
                ),
                "class": sorted(distinct("mof_class"), key=lambda c: present.MOF_RANK.get(c, 9)),
                "organisation": sorted(distinct("organisation"), key=str.lower),
                "source": sorted(distinct("source")),
            }

        return self.memo("options", make)

    def subject(self, slug: str):
        row = self.store.subject(slug)
        if row is None:
            raise HTTPException(404, f"no subject {slug!r} in this index")
        return row

    def report(self, row) -> dict:
        """The stored report, with no server path left in it."""
        blob = self.query("SELECT report FROM assessments WHERE id = ?", (row["current_id"],))
        text = unpack(blob[0][0])
        shown = self.location(row)
        prefix = present.server_prefix(row["location"], shown)
        if prefix:
            text = text.replace(json.dumps(prefix)[1:-1], "")
        report = json.loads(text)
        if isinstance(report.get("subject"), dict):
            report["subject"]["location"] = shown
        return report

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


def _number(params, key: str, default: int) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"\d{1,30}", raw) or int(raw) < 1:
        raise HTTPException(400, f"{key} must be a whole number from 1")
    return int(raw)


def _api_subject(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k not in ("slug", "current_id")}
    return {"id": row["slug"], **out}


def _cells(report: dict, view: str) -> list[tuple[str, str, str, str]]:
    """(column id, status, anchor on the subject page, title) for the matrix."""
    out = []
    if view == "mof":
        for c in report.get("components") or []:
            out.append(
                (
                    c.get("id"),
                    c.get("status") or "missing",
                    f"component-{c.get('id')}",
                    c.get("name") or "",
                )
            )
        return out
    elements = report.get("elements") or {}
    for element in OSAID_ELEMENTS:
        for item in (elements.get(element) or {}).get("items") or []:
            out.append(
                (
                    f"{element}/{item.get('id')}",
                    item.get("status") or "unknown",
                    f"item-{element}-{item.get('id')}",
                    item.get("label") or "",
                )
            )
    return out


def create_app(
    db_path: str, *, public_url: str | None = None, allowed_hosts: list[str] | None = None
) -> _Conditional:
    """The ASGI app; `.state.index` is the `Index` it reads."""
    index = Index(db_path)
    env = _environment()

    def base_url(request: Request) -> str:
        return public_url or str(request.base_url).rstrip("/")

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(
            request=request,
            path=request.url.path,
            lic=index.licenses(),
            version=__version__,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def link(request: Request, path: str | None = None, **changes) -> str:
        params = {k: v for k, v in request.query_params.items() if v}
        params.update({k: v for k, v in changes.items()})
        params = {k: v for k, v in params.items() if v not in (None, "")}
        target = path or request.url.path
        return target + ("?" + urlencode(params) if params else "")

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
        report = index.report(row)
        _, decisive = present.deciding(report)
        manifest = None
        if row["source"] == "manifest":
            try:
                manifest = present.manifest_fields(
                    row["location"], os.stat(row["location"]).st_mtime_ns
                )
            except OSError:
                manifest = None
        can_open = present.release_root(row["source"], row["location"]) is not None
        return page(
            request,
            "subject.html",
            s=dict(row),
            r=report,
            decisive=decisive,
            mof_sentence=present.mof_sentence(report),
            upstream=present.upstream(row["source"], row["location"], report, manifest),
            can_open=can_open,
            history=index.history(row["id"]),
            exports=[
                (fmt, *EXPORT_TYPES[fmt])
                for fmt in index.exports(row["current_id"])
                if fmt in EXPORT_TYPES
            ],
            lineage=_lineage_graph(
                report.get("lineage") or [], report["subject"], index.licenses().name
            ),
            base=base_url(request),
            needed_by=present.mof_classes(),
        )

    def finding(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        report = index.report(row)
        n = request.path_params["n"]
        findings = report.get("findings", [])
        if not 1 <= n <= len(findings):
            raise HTTPException(404, f"no finding {n} for {row['slug']!r}")
        can_open = present.release_root(row["source"], row["location"]) is not None
        return page(
            request,
            "finding.html",
            s=dict(row),
            r=report,
            n=n,
            f=findings[n - 1],
            can_open=can_open,
        )

    def source_file(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        rel = request.query_params.get("path", "")
        report = index.report(row)
        root = present.release_root(row["source"], row["location"])
        if root is None or rel not in present.evidence_paths(report):
            raise HTTPException(404, f"{rel!r} is not a file this subject's evidence cites")
        lines = present.read_evidence_file(root, rel)
        if lines is None:
            raise HTTPException(404, f"{rel!r} cannot be read now (moved, or not a text file)")
        return page(request, "source.html", s=dict(row), r=report, rel=rel, lines=lines)

    def report_json(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        return JSONResponse(index.report(row))

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
        prefix = present.server_prefix(row["location"], index.location(row))
        if prefix:
            body = body.replace(prefix, "")
        filename, media, _ = EXPORT_TYPES[fmt]
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'inline; filename="{row["slug"]}.{filename}"'},
        )

    def matrix(request: Request) -> Response:
        view = request.query_params.get("view", "osaid")
        if view not in ("osaid", "mof"):
            raise HTTPException(400, "view is 'osaid' or 'mof'")
        params = dict(request.query_params)
        params.setdefault("per_page", "25")
        result = index.subjects(params)
        rows, columns = [], {}
        for s in result["subjects"]:
            row = index.subject(s["slug"])
            cells = _cells(index.store.report(row["current_id"]), view)
            for cid, _, _, title in cells:
                columns.setdefault(cid, title)
            rows.append((s, {c[0]: c for c in cells}))
        groups: list[list] = []  # (element, columns) above the OSAID items
        for cid, _ in columns.items():
            element = cid.split("/", 1)[0] if view == "osaid" else "MOF components"
            if groups and groups[-1][0] == element:
                groups[-1][1] += 1
            else:
                groups.append([element, 1])
        return page(
            request,
            "matrix.html",
            view=view,
            groups=groups,
            result=result,
            rows=rows,
            columns=list(columns.items()),
            params=request.query_params,
            link=lambda **c: link(request, **c),
        )

    def compare(request: Request) -> Response:
        slugs = list(dict.fromkeys(request.query_params.getlist("s")))
        if not 2 <= len(slugs) <= MAX_COMPARE:
            raise HTTPException(400, f"compare 2 to {MAX_COMPARE} subjects (s=ID&s=ID)")
        subjects = []
        for slug in slugs:
            row = index.subject(slug)
            report = index.report(row)
            subjects.append(
                {
                    "s": dict(row),
                    "r": report,
                    "decisive": present.deciding(report)[1],
                    "items": {c[0]: c for c in _cells(report, "osaid")},
                    "components": {c.get("id"): c for c in report.get("components") or []},
                }
            )
        items: dict[str, str] = {}
        components: dict[str, str] = {}
        for x in subjects:
            for cid, _, _, title in _cells(x["r"], "osaid"):
                items.setdefault(cid, title)
            for c in x["r"].get("components") or []:
                components.setdefault(c.get("id"), c.get("name"))
        return page(
            request,
            "compare.html",
            subjects=subjects,
            items=list(items.items()),
            components=list(components.items()),
        )

    async def about(request: Request) -> Response:
        return page(request, "about.html")

    async def api_page(request: Request) -> Response:
        return page(request, "api.html", spec=OPENAPI, base=base_url(request))

    def landscape(request: Request) -> Response:
        names = index.licenses()
        by_license, by_org, over_time = (
            index.by("license_family"),
            index.by("organisation"),
            index.over_time(),
        )

        def chart_link(key: str):
            def make(label: str, verdict: str) -> str | None:
                if label.startswith("(other "):
                    return None
                value = "none" if label == "(none)" else label
                return "/?" + urlencode({key: value, "verdict": verdict})

            return make

        return page(
            request,
            "landscape.html",
            charts=[
                (
                    "by-license",
                    "Verdicts by weights license family",
                    charts.stacked_bars(
                        "Verdicts by weights license family",
                        by_license,
                        link=chart_link("license"),
                        label=names.name,
                    ),
                    [(names.name(label), c) for label, c in by_license],
                ),
                (
                    "by-organisation",
                    "Verdicts by organisation",
                    charts.stacked_bars(
                        "Verdicts by organisation", by_org, link=chart_link("organisation")
                    ),
                    by_org,
                ),
                (
                    "over-time",
                    "Verdicts over time",
                    charts.timeline("Subjects by verdict over time", over_time),
                    over_time,
                ),
            ],
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
        keys = tuple(c for c in SUMMARY_COLUMNS if c != "last_scanned")
        out = _api_subject({k: row[k] for k in keys})
        out["location"] = index.location(row)
        out["report"] = index.report(row)
        out["history"] = f"{base_url(request)}/api/subjects/{row['slug']}/history"
        return JSONResponse(out)

    def api_history(request: Request) -> Response:
        row = index.subject(request.path_params["slug"])
        return JSONResponse(
            [{k: v for k, v in h.items() if k != "id"} for h in index.history(row["id"])]
        )

    async def openapi(request: Request) -> Response:
        return JSONResponse(OPENAPI)

    async def report_schema(request: Request) -> Response:
        from osaid.schemas import report_schema as schema

        return JSONResponse(schema(), media_type="application/schema+json")

    async def badge(request: Request) -> Response:
        row = index.store.conn.execute(
            "SELECT verdict, mof_class FROM subjects WHERE slug = ?", (request.path_params["slug"],)
        ).fetchone()
        if row is None:
            raise HTTPException(404, f"no subject {request.path_params['slug']!r} in this index")
        kind = request.query_params.get("kind", "verdict")
        if kind == "mof":
            svg = badges.mof_badge(row["mof_class"])
        elif kind == "verdict":
            svg = badges.verdict_badge(row["verdict"])
        else:
            raise HTTPException(400, "kind is 'verdict' or 'mof'")
        return Response(svg, media_type="image/svg+xml")

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
        Route("/subjects/{slug}/source", source_file),
        Route("/subjects/{slug}/report.json", report_json),
        Route("/subjects/{slug}/export/{fmt}", export),
        Route("/matrix", matrix),
        Route("/compare", compare),
        Route("/about", about),
        Route("/landscape", landscape),
        Route("/landscape/{chart}.csv", landscape_csv),
        Route("/api", api_page),
        Route("/api/subjects", api_subjects),
        Route("/api/subjects/{slug}", api_subject),
        Route("/api/subjects/{slug}/history", api_history),
        Route("/api/openapi.json", openapi),
        Route(REPORT_SCHEMA_PATH, report_schema),
        Route("/badge/{slug}.svg", badge),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = []
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    middleware.append(Middleware(_SecurityHeaders))
    app = Starlette(routes=routes, exception_handlers={HTTPException: error}, middleware=middleware)
    app.state.index = index
    # outermost, so an answer from the cache costs no more than a dictionary lookup; the Host
    # is part of the key whenever it matters (absolute links from it, or an allow-list)
    return _Conditional(
        app,
        index=index,
        salt=f"{__version__}|{public_url}",
        by_host=not public_url or bool(allowed_hosts),
    )


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


def _cache_control(path: str) -> bytes:
    if path.startswith("/badge/"):
        return b"public, max-age=300"
    if path.startswith("/static/"):
        return b"public, max-age=3600"
    return b"no-cache"  # may be stored, but asked again (a 304 when nothing changed)


class _Conditional:
    """ETag, Cache-Control, 304 for a matching If-None-Match, and a cache of rendered answers.

    The ETag is a digest of the database's generation, the URL and the server's version (and
    public URL), so it is known before anything is rendered."""

    def __init__(self, app: Starlette, index: Index, salt: str, by_host: bool) -> None:
        self.app = app
        self.state = app.state
        self.by_host = by_host
        self.index = index
        self.salt = salt
        self.cache: OrderedDict[str, tuple[int, list, bytes]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def _etag(self, scope) -> bytes:
        raw = f"{self.salt}|{self.index.generation()}|{scope['path']}|".encode()
        raw += scope.get("query_string", b"")
        if self.by_host:
            raw += b"|" + dict(scope["headers"]).get(b"host", b"")
        return b'W/"' + hashlib.blake2b(raw, digest_size=12).hexdigest().encode() + b'"'

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) + len(scope.get("query_string", b"")) > MAX_URL:
            await _plain(send, 400, b"the address is too long")
            return
        etag = self._etag(scope)
        control = _cache_control(path)
        wanted = dict(scope["headers"]).get(b"if-none-match")
        if wanted and etag in [t.strip() for t in wanted.split(b",")]:
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", etag), (b"cache-control", control)],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        with self.lock:
            hit = self.cache.get(etag)
            if hit is not None:
                self.cache.move_to_end(etag)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send(
                {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
            )
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] != 200 or path.startswith("/static/"):
                    await send(message)
                    return
                headers = [
                    *message.get("headers", []),
                    (b"etag", etag),
                    (b"cache-control", control),
                ]
                start["headers"] = headers
                await send({**message, "headers": headers})
                return
            if message["type"] == "http.response.body" and start.get("status") == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and scope["method"] == "GET":
                    self._keep(etag, start["headers"], b"".join(chunks), path)
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, etag: bytes, headers: list, body: bytes, path: str) -> None:
        if path.startswith("/static/") or len(body) > CACHE_BYTES // 64:
            return
        with self.lock:
            if etag in self.cache:
                return
            self.cache[etag] = (200, headers, body)
            self.size += len(body)
            while len(self.cache) > CACHE_ENTRIES or self.size > CACHE_BYTES:
                _, (_, _, old) = self.cache.popitem(last=False)
                self.size -= len(old)


async def _plain(send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
                *_SecurityHeaders.HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})


def _lineage_graph(lineage: list, subject: dict, license_name=str) -> dict | None:
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
                        str(x)
                        for x in (
                            b.get("relation"),
                            license_name(b["license"]) if b.get("license") else None,
                            b.get("status"),
                        )
                        if x
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
