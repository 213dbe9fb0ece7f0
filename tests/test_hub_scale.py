"""The hub at scale, against the fake hub on loopback: listings as scan inputs, what a cold scan
and an unchanged rescan cost in requests, rate-limit windows obeyed or deferred, one dataset
lookup per scan, and the real hub's ways (mixed gating, 401 and 403, invalid tokens, renamed
repositories, files behind a CDN)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from conftest import run_cli
from hubserver import (
    GENERATED_DATASETS,
    GRANTED_TOKEN,
    FakeRepo,
    default_repos,
    generated_datasets,
    generated_model,
    git_blob_id,
    serving,
)

from osaid.sources.hf.limits import RateBudget, RateLimited

ORG = "acme"
N = 24


def models(n: int = N) -> list[FakeRepo]:
    return [generated_model(f"{ORG}/model-{i:03d}") for i in range(n)]


def scan(*argv: str):
    r = run_cli("scan", *argv, "--format", "json")
    return r, (json.loads(r.out) if r.out else None)


def api_calls(hub, prefix: str) -> list[str]:
    return [p for p in hub.paths() if p.startswith(prefix)]


def test_listing_scan_costs_two_requests_a_model_cold_and_only_the_listing_unchanged(
    monkeypatch, tmp_path
):
    repos = models() + generated_datasets() + [generated_model("other/model-x")]
    with serving(monkeypatch, tmp_path, repos, page_size=10) as hub:
        db = str(tmp_path / "i.db")
        r, out = scan(f"hf:author={ORG}", "--db", db, "--jobs", "1")
        assert r.code == 0, r.err
        assert out["status"] == {"new": N}
        assert {x["name"] for x in out["results"]} == {f"{ORG}/model-{i:03d}" for i in range(N)}
        listing = api_calls(hub, "/api/models")
        pages = [p for p in listing if p == "/api/models"]
        assert len(pages) == 3  # 24 models, 10 a page
        per_model = [p for p in listing if p != "/api/models"]
        assert sorted(per_model) == sorted(f"/api/models/{ORG}/model-{i:03d}" for i in range(N))
        # every dataset the models name is looked up once for the whole scan
        named = {json.loads(json.dumps(m.card_data))["datasets"][0] for m in models()}
        ds_meta = api_calls(hub, "/api/datasets/")
        assert sorted(ds_meta) == sorted(f"/api/datasets/{d}" for d in named)
        # shared files (license texts, configs) are downloaded once, whichever model has them:
        # per model, its metadata and its own card; the rest once per distinct file
        shared = {
            git_blob_id(content)
            for m in models()
            for path, content in m.files.items()
            if isinstance(content, bytes) and path != "README.md"
        }
        resolved = [p for p in hub.paths() if "/resolve/" in p and not p.startswith("/datasets/")]
        assert len([p for p in resolved if p.endswith("/README.md")]) == N
        assert len(resolved) == N + len(shared)
        assert len([p for p in resolved if p.endswith("/LICENSE")]) == 3  # three texts in all
        datasets = [p for p in hub.paths() if p.startswith(("/api/datasets/", "/datasets/"))]
        assert len(datasets) == 3 * len(named)  # metadata, card, license file: once each

        # nothing changed: the listing pages, and not one request per model
        hub.reset()
        r, out = scan(f"hf:author={ORG}", "--db", db, "--jobs", "1")
        assert r.code == 0, r.err
        assert out["status"] == {"unchanged": N}
        assert hub.paths() == ["/api/models"] * 3

        # one model gets a new commit: only it is fetched again, and its history grows
        changed = f"{ORG}/model-007"
        hub.repos[("model", changed)] = generated_model(changed, rev=1)
        hub.reset()
        r, out = scan(f"hf:author={ORG}", "--db", db, "--jobs", "1")
        assert r.code == 0, r.err
        assert out["status"] == {"unchanged": N - 1, "changed": 1}
        model_requests = [p for p in hub.paths() if p.startswith(("/api/models/", f"/{ORG}/"))]
        assert model_requests == [
            f"/api/models/{changed}",
            f"/{changed}/resolve/{hub.repos[('model', changed)].refs['main']}/README.md",
        ]
        dataset = hub.repos[("model", changed)].card_data["datasets"][0]
        assert [p for p in hub.paths() if "/datasets/" in p] == [
            f"/api/datasets/{dataset}",  # looked up again: once in this scan
            f"/datasets/{dataset}/resolve/{hub.repos[('dataset', dataset)].refs['main']}/README.md",
            f"/datasets/{dataset}/resolve/{hub.repos[('dataset', dataset)].refs['main']}/LICENSE",
        ]
        conn = sqlite3.connect(db)
        rows = conn.execute(
            "SELECT count(*) FROM assessments a JOIN subjects s ON s.id = a.subject_id "
            "WHERE s.key = ?",
            (f"hf:{changed}",),
        ).fetchone()[0]
        conn.close()
        assert rows == 2


def test_search_listing_and_a_bad_listing_input(monkeypatch, tmp_path):
    repos = models(6) + generated_datasets() + [generated_model("other/special-model")]
    with serving(monkeypatch, tmp_path, repos):
        r, out = scan("hf:search=special", "--db", str(tmp_path / "i.db"))
        assert r.code == 0, r.err
        assert [x["name"] for x in out["results"]] == ["other/special-model"]
        r, out = scan("hf:tag=license:mit", "--db", str(tmp_path / "t.db"))
        assert r.code == 0, r.err
        mit = sorted(m.repo_id for m in repos if "license:mit" in m.tags)
        assert mit and sorted(x["name"] for x in out["results"]) == mit
        bad = run_cli("scan", "hf:owner=acme", "--db", str(tmp_path / "i.db"))
        assert bad.code == 2 and "not a hub listing" in bad.err
        offline = run_cli("scan", "hf:author=acme", "--offline", "--db", str(tmp_path / "i.db"))
        assert offline.code == 2 and "--offline" in offline.err


def test_rate_limit_window_is_waited_out_with_one_budget_and_api_apart_from_files(
    monkeypatch, tmp_path
):
    repos = models(8) + generated_datasets()
    limits = {"api": (6, 2.0), "resolvers": (1000, 2.0)}
    with serving(monkeypatch, tmp_path, repos, rate_limits=limits) as hub:
        t0 = time.monotonic()
        r = run_cli(
            "scan", f"hf:author={ORG}", "--db", str(tmp_path / "i.db"), "--hub-workers", "4"
        )
        elapsed = time.monotonic() - t0
        assert r.code == 0, (r.out, r.err)
        assert "8 new" in r.out
        # 8 model metadata + 1 listing page + 8 datasets' metadata = 17 api requests: at least
        # two windows were waited for, announced, and the hub refused few requests (the first
        # ones in flight before it had said what the quota was)
        assert elapsed >= 2.0
        assert "rate limit" in r.err and "waiting" in r.err
        assert "waited" in r.out and "api rate-limit window" in r.out
        assert hub.refused <= 4, hub.refused
        # file downloads were not held back by the api budget
        assert "resolvers rate-limit window" not in r.out


def test_a_budget_spent_for_longer_than_a_window_defers_and_says_so(monkeypatch, tmp_path):
    repos = models(10) + generated_datasets()
    with serving(monkeypatch, tmp_path, repos, rate_limits={"api": (4, 3600.0)}) as hub:
        db = str(tmp_path / "i.db")
        t0 = time.monotonic()
        r = run_cli("scan", f"hf:author={ORG}", "--db", db, "--hub-workers", "2")
        assert time.monotonic() - t0 < 30
        assert r.code == 1, r.out
        assert "deferred" in r.out and "run the same scan again" in r.out
        assert "error:" not in r.out
        # the hub was not pestered once it said the budget was spent
        api = [p for p in hub.paths() if "/resolve/" not in p]
        assert len(api) <= 4 + 2 and hub.refused <= 2, (api, hub.refused)
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM subjects").fetchone()[0]
        conn.close()
        assert stored < 10


def test_budget_announces_one_wait_for_all_threads_and_counts_down_before_the_hub_says_no():
    waits = []
    budget = RateBudget(on_wait=lambda b, s, q: waits.append((b, round(s), q)))
    budget.observe(
        "api", {"RateLimit": '"api";r=2;t=1', "RateLimit-Policy": "q=500;w=300"}, 200, None
    )
    budget.acquire("api", "x")
    budget.acquire("api", "x")  # the two the hub said were left
    t0 = time.monotonic()
    threads = [threading.Thread(target=budget.acquire, args=("api", "x")) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 0.8 <= time.monotonic() - t0 < 3
    assert waits == [("api", 1, 500)]
    budget.acquire("resolvers", "x")  # another bucket, never held by the api's


def test_mixed_gating_public_license_gated_rest_401_anonymous_403_without_access(
    monkeypatch, tmp_path, cli
):
    files = generated_model(f"{ORG}/gated-mixed").files
    repo = FakeRepo(
        f"{ORG}/gated-mixed",
        files,
        gated="manual",
        card_data={"license": "apache-2.0"},
        public_files=("README.md", "LICENSE"),
    )
    with serving(monkeypatch, tmp_path, [repo, *generated_datasets()]) as hub:
        r = cli("check", f"hf:{ORG}/gated-mixed", "--format", "json")
        report = r.json
        assert report["verdict"] == "not-open-source-ai"
        problems = json.dumps(report)
        assert "no token was given" in problems
        # the public license file was read (and cited); the gated config was refused
        assert '"path": "LICENSE"' in problems
        refused = [q for q in hub.requests if q.path.endswith("config.json")]
        assert refused and not refused[0].authorized

        monkeypatch.setenv("HF_TOKEN", "hf_someone_without_access")
        r = cli(
            "check", f"hf:{ORG}/gated-mixed", "--format", "json", "--cache-dir", str(tmp_path / "c")
        )
        assert "the token given has not been granted access" in json.dumps(r.json)

        monkeypatch.setenv("HF_TOKEN", GRANTED_TOKEN)
        r = cli(
            "check", f"hf:{ORG}/gated-mixed", "--format", "json", "--cache-dir", str(tmp_path / "d")
        )
        assert "acceptance-required" not in json.dumps(r.json)


def test_invalid_stored_token_is_one_clear_line(monkeypatch, tmp_path, cli):
    with serving(monkeypatch, tmp_path, default_repos()):
        monkeypatch.setenv("HF_TOKEN", "hf_invalid_revoked")
        r = cli("check", "hf:osaid-examples/pebble-lm-tiny")
        assert r.code == 2 and r.out == ""
        assert "rejected the token" in r.err and r.err.count("\n") == 1


def test_renamed_repository_is_stored_under_its_new_id(monkeypatch, tmp_path, cli):
    repo = generated_model(f"{ORG}/new-name")
    with serving(
        monkeypatch,
        tmp_path,
        [repo, *generated_datasets()],
        renamed={f"{ORG}/old-name": f"{ORG}/new-name"},
    ):
        r = cli("check", f"hf:{ORG}/old-name", "--format", "json")
        assert r.code in (0, 1), r.err
        assert r.json["subject"]["name"] == f"{ORG}/new-name"
        assert r.json["subject"]["location"] == f"hf:{ORG}/new-name"
        db = str(tmp_path / "i.db")
        s, out = scan(f"{ORG}/old-name", "--db", db)
        assert s.code == 0, s.err
        conn = sqlite3.connect(db)
        keys = [k for (k,) in conn.execute("SELECT key FROM subjects")]
        conn.close()
        assert keys == [f"hf:{ORG}/new-name"]


def test_text_files_behind_a_cdn_redirect_give_the_same_report(monkeypatch, tmp_path, cli):
    reports = []
    for where, cdn in (("a", False), ("b", True)):
        with serving(monkeypatch, tmp_path / where, default_repos(), cdn=cdn) as hub:
            r = cli("check", "hf:osaid-examples/pebble-lm-tiny", "--format", "json")
            assert r.code == 0, r.err
            assert any(p.startswith("/fake-cdn/") for p in hub.paths()) == cdn
            report = r.json
            report.pop("tool", None)
            reports.append(json.dumps(report, sort_keys=True).replace(hub.url, "HUB"))
    assert reports[0] == reports[1]


@pytest.mark.parametrize("dataset", GENERATED_DATASETS[:1])
def test_one_dataset_lookup_shared_by_models_loaded_at_once(monkeypatch, tmp_path, dataset):
    from osaid.sources.hf import HubSource

    repos = models(12) + generated_datasets()
    with serving(monkeypatch, tmp_path, repos, latency=0.05) as hub:
        source = HubSource()
        threads = [
            threading.Thread(target=source.datasets.dataset, args=(dataset,)) for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert api_calls(hub, "/api/datasets/") == [f"/api/datasets/{dataset}"]


def test_scan_with_a_rejected_token_stops_at_once_with_one_line(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, models(6) + generated_datasets()) as hub:
        monkeypatch.setenv("HF_TOKEN", "hf_invalid_revoked")
        ids = tmp_path / "ids.txt"
        ids.write_text("".join(f"{ORG}/model-{i:03d}\n" for i in range(6)), encoding="utf-8")
        r = run_cli("scan", str(ids), "--db", str(tmp_path / "i.db"), "--hub-workers", "1")
        assert r.code == 2 and r.out == ""
        assert r.err.count("\n") == 1 and "rejected the token" in r.err
        assert len(hub.paths()) <= 2  # not once per model


def test_hub_ids_given_alone_learn_their_commits_from_their_authors_listing(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, models(8) + generated_datasets(), page_size=5) as hub:
        ids = tmp_path / "ids.txt"
        ids.write_text("".join(f"{ORG}/model-{i:03d}\n" for i in (1, 2, 6)), encoding="utf-8")
        db = str(tmp_path / "i.db")
        r, out = scan(str(ids), "--db", db)
        assert r.code == 0, r.err
        assert out["status"] == {"new": 3}
        # refs are always re-resolved: without the listing each model would cost a request
        monkeypatch.setenv("OSAID_HF_REF_TTL", "0")
        hub.reset()
        r, out = scan(str(ids), "--db", db)
        assert r.code == 0, r.err
        assert out["status"] == {"unchanged": 3}
        assert hub.paths() == ["/api/models", "/api/models"]  # two pages of five found all three
        # an author's listing is not asked for one or two ids: they are asked for themselves
        hub.reset()
        r, out = scan(f"{ORG}/model-001", "--db", db)
        assert out["status"] == {"unchanged": 1}
        assert hub.paths() == [f"/api/models/{ORG}/model-001"]


def test_hostile_rate_limit_headers_are_bounded():
    budget = RateBudget(max_wait=0.1)
    budget.observe("api", {"RateLimit": '"api";r=0;t=99999999999999'}, 429, None)
    with pytest.raises(RateLimited) as exc:
        budget.acquire("api", "hf:a/b")
    assert "rate limit is spent until" in str(exc.value)
    assert exc.value.until - time.time() <= 86_400 + 5  # a day at most, whatever it says
    budget.observe("resolvers", {"RateLimit": "garbage", "Retry-After": "x"}, 200, None)
    budget.acquire("resolvers", "hf:a/b")  # an unreadable header holds nothing
