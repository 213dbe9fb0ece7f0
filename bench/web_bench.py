"""Web index speed over an index with N subjects (default 10,000; rows copied from a real scan
of the examples and MOT records, under new keys).

1. Server time, in-process (no network, through Starlette's test client, which adds a few ms):
   the index page, a filtered page, a subject page, the API and a badge, each request
   rendered afresh (an ignored query parameter keeps the render cache out).
2. Latency over HTTP: `osaid serve` started as a user would, then C keep-alive clients
   (default 10) at once, each sending requests back to back on its own connection: subject
   pages never asked for before (rendered), subject pages asked for again (from the render
   cache, as a page read twice or a badge in a README is), badges; p50/p90/p99 per request.

    python bench/web_bench.py [--subjects 10000] [--clients 10] [--requests 300]

Targets (2 cores): the index page <= 100 ms server time; over HTTP at 10 clients, p50 <= 5 ms
for a subject page (asked for again) and <= 2 ms for a badge.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOT = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parents[1] / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "corpus"
    / "mot-models"
)


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


async def _client(port: int, paths: list[str], n: int, offset: int, out: list[float]) -> None:
    import asyncio

    for attempt in range(50):  # the server prints its address before it listens
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            break
        except ConnectionRefusedError:
            if attempt == 49:
                raise
            await asyncio.sleep(0.1)
    try:
        for i in range(n):
            path = paths[(offset + i) % len(paths)]
            t = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status = int(head.split(" ", 2)[1])
            length = re.search(r"(?im)^content-length:\s*(\d+)", head)
            if status != 200 or not length:
                raise SystemExit(f"{path}: HTTP {status} without a length\n{head}")
            await reader.readexactly(int(length.group(1)))
            out.append((time.perf_counter() - t) * 1000)
    finally:
        writer.close()


def _load(port: int, paths: list[str], clients: int, requests: int) -> list[float]:
    """`clients` keep-alive connections at once, `requests` requests each; latencies in ms
    (the first 10 of each connection are a warm-up and not counted). Client c starts at
    paths[c * (requests + 10)], so with enough paths no two requests ask for the same one."""
    import asyncio

    async def run() -> list[float]:
        warm: list[float] = []
        step = requests + 10
        await asyncio.gather(*(_client(port, paths, 10, c * step, warm) for c in range(clients)))
        out: list[float] = []
        await asyncio.gather(
            *(_client(port, paths, requests, c * step + 10, out) for c in range(clients))
        )
        return out

    return asyncio.run(run())


def _serve(db: Path):
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "osaid", "serve", "--db", str(db), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    line = proc.stderr.readline()
    match = re.search(r":(\d+)/", line)
    if not match:
        proc.kill()
        raise SystemExit(f"osaid serve did not start: {line}{proc.stderr.read()}")
    return proc, int(match.group(1))


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def http_latency(db: Path, slugs: list[str], fresh: list[str], clients: int, requests: int):
    proc, port = _serve(db)
    try:
        for label, paths, warm in (
            ("subject page, first view", [f"/subjects/{s}" for s in fresh], False),
            ("subject page, again", [f"/subjects/{s}" for s in slugs], True),
            ("badge", [f"/badge/{s}.svg" for s in slugs], True),
        ):
            if warm:  # every page once, so the run measures repeat views
                _load(port, paths, 1, len(paths))
            cpu = _cpu_seconds(proc.pid)
            times = _load(port, paths, clients, requests)
            after = _cpu_seconds(proc.pid)
            # the server's own CPU per request does not depend on what else the machine runs
            per = (
                f"  server CPU {(after - cpu) * 1000 / (clients * (requests + 10)):5.2f} ms/request"
                if cpu is not None and after is not None
                else ""
            )
            print(
                f"HTTP {label:25s} {clients} clients x {requests}: p50 {_pct(times, 0.5):6.2f} ms"
                f"  p90 {_pct(times, 0.9):6.2f} ms  p99 {_pct(times, 0.99):6.2f} ms{per}"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=300)
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
        slug = next(
            s["id"]
            for s in client.get("/api/subjects", params={"q": "BLOOM"}).json()["subjects"]
            if s["name"] == "BLOOM 366B"
        )
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
            for i in range(args.repeat):
                # a query parameter the page ignores, so no answer comes from the render cache
                busted = url + ("&" if "?" in url else "?") + f"nocache={i}"
                t = time.perf_counter()
                r = client.get(busted)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            print(
                f"{url:55s} median {statistics.median(times):6.1f} ms  "
                f"p90 {sorted(times)[int(len(times) * 0.9)]:6.1f} ms"
            )
        listed = [
            s["id"]
            for page in range(1, 8)
            for s in client.get("/api/subjects", params={"page": page, "per_page": 500}).json()[
                "subjects"
            ]
        ]
        # first views: each client asks for subjects no one asked for before (each once)
        fresh = listed[300 : 300 + args.clients * (args.requests + 10)]
        http_latency(db, listed[:300], fresh, args.clients, args.requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
