"""Web index server time: an index with N subjects (default 10,000; rows copied from a real scan
of the examples and MOT records, under new keys), then the index page, a filtered page, a
subject page, the API and a badge, timed in-process (no network) over repeated requests.

    python bench/web_bench.py [--subjects 10000]

Target: the index page (paginated) in <= 100 ms server time with 10,000 subjects.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOT = REPO.parent / "shared" / "corpus" / "mot-models"


def build(db: Path, n: int) -> None:
    import contextlib
    import io
    import sqlite3

    from osaid.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            [
                "scan",
                "--jobs",
                str(os.cpu_count() or 1),
                "--db",
                str(db),
                "--format",
                "csv",
                str(REPO / "examples"),
                str(MOT),
            ]
        )
    if code not in (0, 1):
        raise SystemExit("scan failed")
    conn = sqlite3.connect(db)
    have = conn.execute("SELECT count(*) FROM subjects").fetchone()[0]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(subjects)") if r[1] != "id"]
    copy = ", ".join(c if c not in ("key", "slug", "name") else f"{c} || '-' || ?" for c in cols)
    i = 0
    with conn:
        while have < n:
            i += 1
            conn.execute(
                f"INSERT INTO subjects ({', '.join(cols)}) SELECT {copy} FROM subjects "
                f"WHERE key NOT LIKE '%-copy%' LIMIT ?",
                (f"copy{i}", f"copy{i}", f"copy{i}", n - have),
            )
            have = conn.execute("SELECT count(*) FROM subjects").fetchone()[0]
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="osaid-web-bench-"))
    try:
        db = work / "index.db"
        t = time.perf_counter()
        build(db, args.subjects)
        print(
            f"built {args.subjects} subjects in {time.perf_counter() - t:.1f} s; machine "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
        )
        from starlette.testclient import TestClient

        from osaid.index.web import create_app

        client = TestClient(create_app(str(db)))
        slug = client.get("/api/subjects", params={"q": "BLOOM"}).json()["subjects"][0]["id"]
        urls = [
            "/",
            "/?verdict=not-open-source-ai&sort=score&order=desc",
            "/?q=llama&page=2",
            f"/subjects/{slug}",
            "/api/subjects?per_page=100",
            f"/badge/{slug}.svg",
            "/landscape",
        ]
        for url in urls:
            client.get(url)  # warm
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            print(
                f"{url:55s} median {statistics.median(times):6.1f} ms  "
                f"p90 {sorted(times)[int(len(times) * 0.9)]:6.1f} ms"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
