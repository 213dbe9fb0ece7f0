"""The index database (SQLite): subjects, their assessments with history, licenses and findings.

One row per subject (`subjects`) carries its current assessment's summary columns, so the index
page is one indexed query. `assessments` keeps history: a scan adds a row for a subject only when
something changed (its content hash, its verdict, or the report itself under a newer osaid), and
says what in `change`. `licenses` and `findings` are the current rows' details, one row each,
for queries; the full `osaid.report/1` JSON is kept zlib-compressed in `assessments.report`.

Writes happen in transactions (WAL journal): a result's assessment, licenses, findings and exports
are committed together or not at all, so a killed scan leaves only complete assessments.
The schema version is `PRAGMA user_version`; `MIGRATIONS[n]` moves a database from version n to
n + 1, and opening a database runs the ones it lacks.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

from osaid.errors import InputError

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1
    """
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        engine TEXT NOT NULL,
        inputs TEXT NOT NULL,
        counts TEXT
    );
    CREATE TABLE subjects (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        location TEXT NOT NULL,
        organisation TEXT,
        first_seen TEXT NOT NULL,
        last_scanned TEXT NOT NULL,
        last_change TEXT NOT NULL,
        stat_fingerprint TEXT,
        engine TEXT NOT NULL,
        current_id INTEGER,
        verdict TEXT NOT NULL,
        mof_class TEXT,
        osai_score REAL,
        weights_license TEXT,
        license_family TEXT
    );
    CREATE INDEX subjects_verdict ON subjects(verdict);
    CREATE INDEX subjects_name ON subjects(name COLLATE NOCASE);
    CREATE INDEX subjects_last_change ON subjects(last_change);
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        subject_id INTEGER NOT NULL REFERENCES subjects(id),
        scan_id INTEGER REFERENCES scans(id),
        scanned_at TEXT NOT NULL,
        change TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        report_hash TEXT NOT NULL,
        engine TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        revision TEXT,
        verdict TEXT NOT NULL,
        mof_class TEXT,
        osai_score REAL,
        weights_license TEXT,
        n_licenses INTEGER NOT NULL,
        n_findings INTEGER NOT NULL,
        report BLOB NOT NULL
    );
    CREATE INDEX assessments_subject ON assessments(subject_id, id);
    CREATE TABLE licenses (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id),
        license_id TEXT NOT NULL,
        name TEXT,
        open INTEGER,
        osi_approved INTEGER,
        scopes TEXT NOT NULL,
        restrictions TEXT NOT NULL
    );
    CREATE INDEX licenses_assessment ON licenses(assessment_id);
    CREATE INDEX licenses_id ON licenses(license_id);
    CREATE TABLE findings (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id),
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        element TEXT,
        component TEXT,
        message TEXT NOT NULL
    );
    CREATE INDEX findings_assessment ON findings(assessment_id);
    CREATE INDEX findings_rule ON findings(rule);
    CREATE TABLE exports (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id),
        format TEXT NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (assessment_id, format)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """`$XDG_DATA_HOME/osaid/index.db`, else `~/.local/share/osaid/index.db`."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base) / "osaid" / "index.db"


def pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes | str) -> str:
    return blob if isinstance(blob, str) else zlib.decompress(blob).decode("utf-8")


@dataclass(frozen=True)
class Known:
    """What the store remembers of a subject, to decide whether a scan can skip it."""

    id: int
    slug: str
    stat_fingerprint: str | None
    engine: str
    content_hash: str
    row: dict
    """The subject's summary columns (for the scan's own summary output)."""


SUMMARY_COLUMNS = (
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
    "last_scanned",
)


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str, readonly: bool) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, *, readonly: bool = False) -> Store:
        path = str(path)
        if readonly:
            if not os.path.isfile(path):
                raise InputError(f"{path}: no index database (build one with `osaid scan`)")
            conn, version = _open_readonly(path)
            if version > SCHEMA_VERSION:
                raise InputError(newer_schema(path, version))
            if version != SCHEMA_VERSION:
                raise InputError(
                    f"{path}: index schema version {version}, this osaid reads "
                    f"{SCHEMA_VERSION} (rerun `osaid scan` to migrate it)"
                )
        else:
            folder = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(folder, exist_ok=True)
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    conn.close()
                    raise InputError(newer_schema(path, version))
                migrate(conn)
            except sqlite3.DatabaseError as exc:
                raise InputError(f"{path}: cannot use as an osaid index database ({exc})") from None
            except OSError as exc:
                raise InputError(f"{path}: cannot create ({exc.strerror or exc})") from None
        conn.row_factory = sqlite3.Row
        return cls(conn, path, readonly)

    def close(self) -> None:
        self.conn.close()

    # --- scanning ----------------------------------------------------------------------------

    def begin_scan(self, started_at: str, engine: str, inputs: list[str]) -> int:
        cur = self.conn.execute(
            "INSERT INTO scans (started_at, engine, inputs) VALUES (?, ?, ?)",
            (started_at, engine, json.dumps(inputs)),
        )
        return int(cur.lastrowid)

    def finish_scan(self, scan_id: int, finished_at: str, counts: dict) -> None:
        self.conn.execute(
            "UPDATE scans SET finished_at = ?, counts = ? WHERE id = ?",
            (finished_at, json.dumps(counts), scan_id),
        )

    def known(self, keys: list[str] | None = None) -> dict[str, Known]:
        """What the store remembers of `keys` (None: of every subject). A scan asks for a few
        hundred keys at a time, so its memory does not grow with the size of the index."""
        cols = ", ".join(f"s.{c}" for c in SUMMARY_COLUMNS)
        query = (
            f"SELECT s.id, s.key, s.stat_fingerprint, s.engine, a.content_hash, {cols} "
            "FROM subjects s JOIN assessments a ON a.id = s.current_id"
        )
        out: dict[str, Known] = {}
        if keys is None:
            batches: list[list[str] | None] = [None]
        else:
            unique = list(dict.fromkeys(keys))
            batches = [unique[i : i + 500] for i in range(0, len(unique), 500)]
        for batch in batches:
            if batch is None:
                rows = self.conn.execute(query)
            elif not batch:
                continue
            else:
                marks = ",".join("?" * len(batch))
                rows = self.conn.execute(f"{query} WHERE s.key IN ({marks})", batch)
            for r in rows:
                out[r["key"]] = Known(
                    r["id"],
                    r["slug"],
                    r["stat_fingerprint"],
                    r["engine"],
                    r["content_hash"],
                    {c: r[c] for c in SUMMARY_COLUMNS},
                )
        return out

    def touch(self, rows: list[tuple[str, str | None, str, str]]) -> None:
        """Subjects seen unchanged: (key, stat fingerprint, engine, when)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._touch(rows)
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _touch(self, rows: list[tuple[str, str | None, str, str]]) -> None:
        self.conn.executemany(
            "UPDATE subjects SET stat_fingerprint = ?, engine = ?, last_scanned = ? WHERE key = ?",
            [(fp, engine, when, key) for key, fp, engine, when in rows],
        )

    def record(
        self,
        results: list[dict],
        scan_id: int | None,
        when: str,
        *,
        unchanged: list[tuple[str, str | None, str, str]] = (),
    ) -> list[tuple[str, str]]:
        """Write assessed results, and `touch` the `unchanged` rows, in one transaction. Returns
        (key, status) for each result: `new`, `changed` (a history row was added) or
        `unchanged`.

        A result comes ready to insert (`osaid.index.scan._assess`): `report` and each export
        `pack`ed, `licenses` as (id, name, open, osi_approved, scopes JSON, restrictions JSON)
        and `findings` as (rule, severity, element, component, message) tuples."""
        statuses: list[tuple[str, str]] = []
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if unchanged:
                self._touch(unchanged)
            for res in results:
                statuses.append((res["key"], self._record_one(res, scan_id, when)))
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        return statuses

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _record_one(self, res: dict, scan_id: int | None, when: str) -> str:
        c = self.conn
        row = c.execute(
            "SELECT s.id, s.current_id, a.content_hash, a.verdict, a.report_hash "
            "FROM subjects s LEFT JOIN assessments a ON a.id = s.current_id "
            "WHERE s.key = ?",
            (res["key"],),
        ).fetchone()
        summary = (
            res["verdict"],
            res["mof_class"],
            res["osai_score"],
            res["weights_license"],
            res["license_family"],
        )
        if row is None:
            cur = c.execute(
                "INSERT INTO subjects (key, slug, name, source, location, organisation, "
                "first_seen, last_scanned, last_change, stat_fingerprint, engine, verdict, "
                "mof_class, osai_score, weights_license, license_family) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    res["key"],
                    self._free_slug(res["name"], res["key"]),
                    res["name"],
                    res["source"],
                    res["location"],
                    res["organisation"],
                    when,
                    when,
                    when,
                    res["stat_fingerprint"],
                    res["engine"],
                    *summary,
                ),
            )
            subject_id, change, status = int(cur.lastrowid), "first", "new"
        else:
            subject_id = row["id"]
            changes = []
            if row["content_hash"] != res["content_hash"]:
                changes.append("content")
            if row["verdict"] != res["verdict"]:
                changes.append("verdict")
            if not changes and row["report_hash"] != res["report_hash"]:
                changes.append("assessment")
            c.execute(
                "UPDATE subjects SET name = ?, location = ?, organisation = ?, "
                "last_scanned = ?, stat_fingerprint = ?, engine = ? WHERE id = ?",
                (
                    res["name"],
                    res["location"],
                    res["organisation"],
                    when,
                    res["stat_fingerprint"],
                    res["engine"],
                    subject_id,
                ),
            )
            if not changes:
                # same assessment; keep any export this scan made that the row lacks
                c.executemany(
                    "INSERT OR IGNORE INTO exports VALUES (?, ?, ?)",
                    [(row["current_id"], fmt, blob) for fmt, blob in res["exports"].items()],
                )
                return "unchanged"
            change, status = ",".join(changes), "changed"
        cur = c.execute(
            "INSERT INTO assessments (subject_id, scan_id, scanned_at, change, content_hash, "
            "report_hash, engine, tool_version, revision, verdict, mof_class, osai_score, "
            "weights_license, n_licenses, n_findings, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                subject_id,
                scan_id,
                when,
                change,
                res["content_hash"],
                res["report_hash"],
                res["engine"],
                res["tool_version"],
                res["revision"],
                res["verdict"],
                res["mof_class"],
                res["osai_score"],
                res["weights_license"],
                len(res["licenses"]),
                len(res["findings"]),
                res["report"],
            ),
        )
        aid = int(cur.lastrowid)
        c.executemany(
            "INSERT INTO licenses VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(aid, *row) for row in res["licenses"]],
        )
        c.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?)",
            [(aid, *row) for row in res["findings"]],
        )
        c.executemany(
            "INSERT INTO exports VALUES (?, ?, ?)",
            [(aid, fmt, blob) for fmt, blob in res["exports"].items()],
        )
        c.execute(
            "UPDATE subjects SET current_id = ?, last_change = ?, verdict = ?, "
            "mof_class = ?, osai_score = ?, weights_license = ?, license_family = ? "
            "WHERE id = ?",
            (aid, when, *summary, subject_id),
        )
        return status

    def _free_slug(self, name: str, key: str) -> str:
        base = slugify(name)
        if not self.conn.execute("SELECT 1 FROM subjects WHERE slug = ?", (base,)).fetchone():
            return base
        import hashlib

        digest = hashlib.sha1(key.encode()).hexdigest()
        for n in (6, 10, 40):
            slug = f"{base}-{digest[:n]}"
            if not self.conn.execute("SELECT 1 FROM subjects WHERE slug = ?", (slug,)).fetchone():
                return slug
        raise RuntimeError(f"no free slug for {key}")

    # --- reading -----------------------------------------------------------------------------

    def subject(self, slug: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM subjects WHERE slug = ?", (slug,)).fetchone()

    def report(self, assessment_id: int) -> dict:
        row = self.conn.execute(
            "SELECT report FROM assessments WHERE id = ?", (assessment_id,)
        ).fetchone()
        return json.loads(unpack(row["report"]))

    def export(self, assessment_id: int, fmt: str) -> str | None:
        row = self.conn.execute(
            "SELECT body FROM exports WHERE assessment_id = ? AND format = ?", (assessment_id, fmt)
        ).fetchone()
        return unpack(row["body"]) if row else None

    def history(self, subject_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT id, scanned_at, change, content_hash, engine, tool_version, revision, "
            "verdict, mof_class, osai_score, weights_license FROM assessments "
            "WHERE subject_id = ? ORDER BY id DESC",
            (subject_id,),
        ).fetchall()


def migrate(conn: sqlite3.Connection) -> int:
    """Bring a database to `SCHEMA_VERSION`, one migration per transaction. Returns the version
    it had. A database newer than this osaid is refused."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this osaid's ({SCHEMA_VERSION})"
        )
    start = version
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def newer_schema(path: str, version: int) -> str:
    """The one message for a database a newer osaid wrote (serve and scan both say it)."""
    return (
        f"{path}: index schema version {version} is newer than this osaid's "
        f"({SCHEMA_VERSION}); upgrade osaid to read or scan into it"
    )


def _open_readonly(path: str) -> tuple[sqlite3.Connection, int]:
    """A read-only connection and the schema version. `mode=ro` first; a WAL database on
    read-only media (no `-wal` beside it and no `-shm` can be made) is then opened
    `immutable=1`, which SQLite allows when no one can be writing it."""
    uri = f"file:{_uri_path(path)}?mode=ro"
    last: sqlite3.DatabaseError | None = None
    for query in ("", "&immutable=1"):
        try:
            conn = sqlite3.connect(uri + query, uri=True, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            last = exc
            continue
        try:
            conn.execute("PRAGMA query_only = 1")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn, version
        except sqlite3.DatabaseError as exc:
            conn.close()
            last = exc
            if query or os.path.exists(path + "-wal"):
                break  # a WAL file may hold commits: never read around it
    raise InputError(f"{path}: not an osaid index database ({last})") from None


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "subject"
