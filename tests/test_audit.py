"""`osaid audit`: the models an application uses, where, what they are, and what the policy says."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, SHARED, run_cli
from hubserver import serving

APPS = REPO / "tests" / "fixtures" / "apps"
SCHEMA = REPO / "src" / "osaid" / "auditor" / "audit.schema.json"
SARIF_SCHEMA = SHARED / "reference" / "sarif-2.1.0"
EMBED_MAP = f"acme-labs/pebble-embed={EXAMPLES / 'open-release'}"


def usages(doc: dict, model: str) -> list[str]:
    m = next(m for m in doc["models"] if m["id"] == model)
    return [f"{u['path']}:{u['line']}" if u["line"] else u["path"] for u in m["usages"]]


def model(doc: dict, ident: str) -> dict:
    return next(m for m in doc["models"] if m["id"] == ident)


def write_gguf(path: Path, **strings: str) -> None:
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), "llama")
    for key, value in strings.items():
        w.add_string(key, value)
    w.add_tensor("w", np.zeros(8, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# --- finding references --------------------------------------------------------------------------


def test_flask_app_references_with_their_lines_and_ids_built_at_run_time():
    r = run_cli("audit", str(APPS / "flask-app"), "--no-assess", "--format", "json")
    assert r.code == 0, r.err
    doc = r.json
    assert {m["id"] for m in doc["models"]} == {
        "osaid-examples/pebble-lm-tiny",
        "osaid-examples/pebble-chat-apache",
    }
    assert usages(doc, "osaid-examples/pebble-lm-tiny") == ["app/__init__.py:7"]
    # one model named through a constant in two calls (one pinned to a revision): one model
    assert usages(doc, "osaid-examples/pebble-chat-apache") == ["app/chat.py:7", "app/chat.py:8"]
    chat = model(doc, "osaid-examples/pebble-chat-apache")
    assert chat["usages"][1]["text"].startswith("model = AutoModelForCausalLM.from_pretrained(")
    assert chat["target"] == "hf:osaid-examples/pebble-chat-apache@main"
    dyn = {(d["path"], d["line"]): d["reason"] for d in doc["dynamic"]}
    assert "f-string" in dyn[("app/sizes.py", 8)]
    assert "PEBBLE_CHECKPOINT" in dyn[("app/sizes.py", 12)]


def test_rag_service_configs_commands_openai_client_and_adapter_base():
    doc = run_cli("audit", str(APPS / "rag-service"), "--no-assess", "-f", "json").json
    assert usages(doc, "osaid-examples/pebble-chat-apache") == [
        "config/vllm.yaml:2",
        "docker-compose.yml:4",
        "rag/answer.py:10",
    ]
    assert usages(doc, "acme-labs/pebble-embed") == [
        ".env.example:1",
        "docker-compose.yml:10",
        "rag/embed.py:7",
    ]
    embed = model(doc, "acme-labs/pebble-embed")
    assert "default of the environment variable EMBEDDING_MODEL" in embed["usages"][2]["note"]
    lora = model(doc, "osaid-examples/pebble-lm-tiny-lora")
    assert lora["base_model"] == "osaid-examples/pebble-lm-tiny"
    assert [d["line"] for d in doc["dynamic"]] == [8]  # os.environ["RERANKER_MODEL"]


def test_lookalike_strings_invent_no_reference():
    """Paths, URLs, org/name in comments, docs, docker images, actions, hosted API names and a
    same-named method of the app's own class are not model references."""
    doc = run_cli("audit", str(APPS / "lookalike"), "--no-assess", "-f", "json").json
    assert doc["models"] == []
    assert doc["dynamic"] == []
    assert doc["summary"]["files_seen"] >= 9


def test_calls_of_libraries_not_imported_are_not_references(tmp_path):
    (tmp_path / "a.py").write_text(
        "import mylib\nm = mylib.AutoModel.from_pretrained('org/name')\n"
        "def pipeline(**kw):\n    return kw\npipeline(model='org/other')\n"
        "from transformers import pipeline as hf_pipeline\n"
        "clf = hf_pipeline('sentiment-analysis')\n"
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    assert doc["models"] == []
    # a pipeline without a model: the library picks one, which the app should pin
    assert [(d["path"], d["line"]) for d in doc["dynamic"]] == [("a.py", 7)]
    assert "default model" in doc["dynamic"][0]["reason"]


def test_hub_downloads_of_datasets_are_not_models(tmp_path):
    (tmp_path / "dl.py").write_text(
        "from huggingface_hub import hf_hub_download, snapshot_download\n"
        "hf_hub_download('org/some-data', 'x.csv', repo_type='dataset')\n"
        "snapshot_download(repo_id='org/some-model')\n"
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    assert [m["id"] for m in doc["models"]] == ["org/some-model"]
    assert usages(doc, "org/some-model") == ["dl.py:3"]


def _app_linking_out(tmp_path: Path) -> Path:
    """An application with a link `linked` to a folder outside it that loads a model."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "m.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('org/secret')\n"
    )
    app = tmp_path / "app"
    app.mkdir()
    (app / "linked").symlink_to(outside)
    return app


def test_symlinks_are_never_followed(tmp_path):
    app = _app_linking_out(tmp_path)
    doc = run_cli("audit", str(app), "--no-assess", "-f", "json").json
    assert doc["models"] == []
    assert any("symbolic link" in s["reason"] for s in doc["skipped"])


# --- weights files -------------------------------------------------------------------------------


def test_gguf_header_license_and_source_are_read(tmp_path):
    write_gguf(
        tmp_path / "tiny.gguf",
        **{
            "general.name": "Tiny test model",
            "general.license": "cc-by-nc-4.0",
            "general.source.huggingface.repository": "acme/tiny",
        },
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    m = model(doc, "tiny.gguf")
    assert m["kind"] == "file"
    assert m["metadata"]["license"] == "cc-by-nc-4.0"
    assert m["metadata"]["name"] == "Tiny test model"
    assert m["target"] == "hf:acme/tiny" and m["via"] == "header"
    assert m["licenses"] == ["CC-BY-NC-4.0"]


def test_gguf_header_is_read_within_bounds_and_bad_headers_do_not_crash(tmp_path):
    from osaid.auditor.metadata import gguf_fields

    path = tmp_path / "m.gguf"
    write_gguf(path, **{"general.license": "mit"})
    data = path.read_bytes()
    assert gguf_fields(data)["general.license"] == "mit"
    assert gguf_fields(data[:72]) == {"general.architecture": "llama"}  # cut mid-header
    hostile = b"GGUF" + struct.pack("<IQQ", 3, 2**62, 2**62) + b"\xff" * 64
    assert gguf_fields(hostile) == {}
    (tmp_path / "bad.gguf").write_bytes(hostile)
    r = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json")
    assert r.code == 0
    assert model(r.json, "bad.gguf")["kind"] == "file"


def test_safetensors_metadata_is_read(tmp_path):
    header = json.dumps(
        {
            "__metadata__": {"license": "apache-2.0", "name": "tiny"},
            "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
        }
    ).encode()
    (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(4))
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    m = model(doc, "m.safetensors")
    assert m["metadata"]["license"] == "apache-2.0"
    assert m["licenses"] == ["Apache-2.0"]


# --- assessing, with the fake hub ----------------------------------------------------------------


def test_rag_service_each_model_assessed_once_with_lineage(monkeypatch, tmp_path):
    import osaid.pipeline

    calls = []
    real = osaid.pipeline.assess_target

    def counting(target, settings=None):
        calls.append(target)
        return real(target, settings)

    monkeypatch.setattr(osaid.pipeline, "assess_target", counting)
    with serving(monkeypatch, tmp_path):
        r = run_cli("audit", str(APPS / "rag-service"), "--map", EMBED_MAP, "-f", "json")
    assert r.code == 1, r.err  # a model that is not open fails the default policy
    doc = r.json
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 4
    chat = model(doc, "osaid-examples/pebble-chat-apache")
    assert chat["verdict"] == "not-open-source-ai"
    assert chat["lineage"][0]["id"] == "osaid-examples/llama2-style-base"
    kinds = {(x["kind"], x["from"]) for x in chat["restrictions"]}
    assert ("user-threshold", "osaid-examples/llama2-style-base") in kinds
    assert [v["rule"] for v in chat["violations"]] == ["verdict"]
    assert model(doc, "osaid-examples/pebble-lm-tiny")["verdict"] == "open-source-ai"
    embed = model(doc, "acme-labs/pebble-embed")
    assert (embed["via"], embed["verdict"]) == ("map", "open-source-ai")
    assert not doc["passed"]


def test_ollama_app_gguf_resolved_through_its_header_and_library_names_need_a_map(
    monkeypatch, tmp_path
):
    with serving(monkeypatch, tmp_path):
        r = run_cli("audit", str(APPS / "ollama-app"), "-f", "json")
        assert r.code == 0, r.out  # the unresolved Ollama name is a warning by default
        gguf_model = model(r.json, "models/pebble-q4.gguf")
        assert gguf_model["verdict"] == "open-source-ai"
        assert gguf_model["target"] == "hf:osaid-examples/pebble-lm-tiny"
        assert usages(r.json, "models/pebble-q4.gguf") == ["Modelfile:1", "models/pebble-q4.gguf"]
        ollama = model(r.json, "llama3.2:3b")
        assert ollama["status"] == "unresolved"
        assert ollama["violations"][0]["severity"] == "warning"
        mapped = run_cli(
            "audit",
            str(APPS / "ollama-app"),
            "--map",
            f"llama3.2:3b={EXAMPLES / 'restricted-weights'}",
            "-f",
            "json",
        )
    assert mapped.code == 1
    assert model(mapped.json, "llama3.2:3b")["verdict"] == "not-open-source-ai"


def test_offline_without_cache_reports_models_as_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "empty-cache"))
    r = run_cli("audit", str(APPS / "flask-app"), "--offline", "-f", "json")
    assert r.code == 0  # unresolved is a warning unless the policy says otherwise
    m = model(r.json, "osaid-examples/pebble-lm-tiny")
    assert m["status"] == "unavailable" and m["verdict"] is None
    assert m["violations"][0]["rule"] == "unresolved"


def test_lock_pins_the_revision_assessed(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path):
        lock = tmp_path / "osaid.lock"
        assert run_cli("lock", "hf:osaid-examples/pebble-lm-tiny", "--lock", str(lock)).code == 0, (
            "lock"
        )
        sha = json.loads(lock.read_text())["entries"][0]["subject"]["revision"]
        doc = run_cli(
            "audit", str(APPS / "rag-service"), "--lock", str(lock), "--no-assess", "-f", "json"
        ).json
    m = model(doc, "osaid-examples/pebble-lm-tiny")
    assert (m["via"], m["target"]) == ("lock", f"hf:osaid-examples/pebble-lm-tiny@{sha}")


# --- outputs -------------------------------------------------------------------------------------


def _validator(schema: dict):
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def test_json_report_follows_its_schema(monkeypatch, tmp_path):
    schema = json.loads(SCHEMA.read_text())
    runs = [("rag-service", ()), ("ollama-app", ()), ("flask-app", ("--no-assess",))]
    runs.append(("lookalike", ("--no-assess",)))
    with serving(monkeypatch, tmp_path):
        for app, extra in runs:
            r = run_cli("audit", str(APPS / app), "--map", EMBED_MAP, "-f", "json", *extra)
            errors = sorted(_validator(schema).iter_errors(r.json), key=str)
            assert not errors, (app, errors[:3])


def test_sarif_is_valid_and_points_at_the_application_lines(monkeypatch, tmp_path):
    files = sorted(SARIF_SCHEMA.glob("*.json")) if SARIF_SCHEMA.is_dir() else []
    if not files:
        pytest.skip(f"no SARIF 2.1.0 schema at {SARIF_SCHEMA} (../shared absent)")
    schema = json.loads(files[0].read_text())
    out = tmp_path / "audit.sarif"
    with serving(monkeypatch, tmp_path):
        r = run_cli("audit", str(APPS / "rag-service"), "--map", EMBED_MAP, "--sarif", str(out))
    assert r.code == 1
    sarif = json.loads(out.read_text())
    errors = list(_validator(schema).iter_errors(sarif))
    assert not errors, errors[:3]
    results = sarif["runs"][0]["results"]
    places = {
        (
            x["ruleId"],
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            x["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        )
        for x in results
    }
    assert ("verdict", "rag/answer.py", 10) in places
    assert ("verdict", "config/vllm.yaml", 2) in places
    assert ("dynamic-reference", "rag/embed.py", 8) in places


def test_sarif_fingerprints_tell_places_apart_and_do_not_move_with_lines(monkeypatch, tmp_path):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
    app = tmp_path / "app"
    app.mkdir()
    load = 'model = AutoModel.from_pretrained("acme-labs/never-published")\n'
    (app / "serve.py").write_text(f"from transformers import AutoModel\n\n{load}{load}")

    def results() -> dict[str, dict]:
        r = run_cli("audit", str(app), "--offline", "--format", "sarif")
        assert r.code == 0, r.err
        return {
            x["partialFingerprints"]["osaidFinding/v1"]: x for x in r.json["runs"][0]["results"]
        }

    def region(x: dict) -> tuple[int, int]:
        reg = x["locations"][0]["physicalLocation"]["region"]
        return reg["startLine"], reg["startColumn"]

    before = results()
    # two alike lines: two results, told apart, each at the column where the id is written
    column = load.index('"acme-labs') + 1
    assert sorted(region(x) for x in before.values()) == [(3, column), (4, column)]
    assert {x["ruleId"] for x in before.values()} == {"unresolved"}
    (app / "serve.py").write_text("# the service's model\n" + (app / "serve.py").read_text())
    after = results()
    assert after.keys() == before.keys()
    for key, x in before.items():
        line, column = region(x)
        assert region(after[key]) == (line + 1, column)


def test_markdown_lists_each_model_once_with_its_places(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path):
        r = run_cli("audit", str(APPS / "rag-service"), "--map", EMBED_MAP, "-f", "markdown")
    rows = [ln for ln in r.out.splitlines() if ln.startswith("| `")]
    assert len(rows) == 4
    chat = next(ln for ln in rows if "pebble-chat-apache" in ln)
    assert (
        "not-open-source-ai" in chat and "user-threshold" in chat and "`rag/answer.py:10`" in chat
    )


# --- policy --------------------------------------------------------------------------------------


def _app_with_policy(tmp_path: Path, policy: str, app: str = "rag-service") -> Path:
    dest = tmp_path / "app"
    shutil.copytree(APPS / app, dest)
    (dest / "osaid.toml").write_text(policy)
    return dest


def test_policy_exception_waives_and_expired_exception_fails_saying_so(monkeypatch, tmp_path):
    waived = (
        'deny-kinds = ["user-threshold"]\n'
        'require = ["open-source-ai", "insufficient-evidence"]\n'
        "[[exceptions]]\n"
        'model = "osaid-examples/pebble-chat-apache"\n'
        'reason = "pilot approved until the migration"\n'
        "expires = 2999-12-31\n"
    )
    with serving(monkeypatch, tmp_path):
        app = _app_with_policy(tmp_path, waived)
        sarif = tmp_path / "audit.sarif"
        r = run_cli("audit", str(app), "--map", EMBED_MAP, "-f", "json", "--sarif", str(sarif))
        assert r.code == 0, r.out
        # in code scanning the waived results show as dismissed, with the reason and expiry
        for x in json.loads(sarif.read_text())["runs"][0]["results"]:
            dismissed = [s["justification"] for s in x.get("suppressions", [])]
            if x["properties"].get("model") == "osaid-examples/pebble-chat-apache":
                assert dismissed == ["pilot approved until the migration (until 2999-12-31)"]
            else:
                assert dismissed == []
        # the policy's exception names the model; the policy file is not a place it is used
        assert not any(
            u.startswith("osaid.toml") for u in usages(r.json, "osaid-examples/pebble-chat-apache")
        )
        vs = model(r.json, "osaid-examples/pebble-chat-apache")["violations"]
        assert {v["rule"] for v in vs} == {"verdict", "kind-denied"} and all(
            v["waived"] for v in vs
        )
        (app / "osaid.toml").write_text(waived.replace("2999-12-31", "2020-01-31"))
        r = run_cli("audit", str(app), "--map", EMBED_MAP)
    assert r.code == 1
    assert "expired on 2020-01-31 (reason given: pilot approved until the migration)" in r.out


def test_policy_denied_license_and_fail_on_warning(monkeypatch, tmp_path):
    app = _app_with_policy(
        tmp_path,
        '[tool.osaid]\ndeny-licenses = ["CC-BY-NC-*"]\n'
        'require = ["open-source-ai", "insufficient-evidence", "not-open-source-ai"]\n',
        "ollama-app",
    )
    write_gguf(app / "models" / "nc.gguf", **{"general.license": "cc-by-nc-4.0"})
    (app / "osaid.toml").rename(app / "pyproject.toml")
    r = run_cli("audit", str(app), "--offline", "-f", "json")
    assert r.code == 1
    nc = model(r.json, "models/nc.gguf")
    assert [v["rule"] for v in nc["violations"]] == ["unresolved", "license-denied"]
    # with fail-on = "never" the same findings are reported and nothing fails
    (app / "pyproject.toml").write_text(
        (app / "pyproject.toml").read_text() + 'fail-on = "never"\n'
    )
    assert run_cli("audit", str(app), "--offline").code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'require = "open-source-ai"\ndeny-kinds = ["user-treshold"]\n',
            "osaid.toml:2: deny-kinds: unknown restriction kind 'user-treshold'",
        ),
        ('fail-on = "error"\nrequire = "open"\n', "osaid.toml:2: require: unknown verdict 'open'"),
        ("\n\nallow-licences = []\n", "osaid.toml:3: unknown key 'allow-licences'"),
        ("require = [\n", "osaid.toml:1: invalid TOML"),
        ('fail-on = "error"\nrequire = "a" "b"\n', "osaid.toml:2: invalid TOML"),
        (
            '[[exceptions]]\nmodel = "a/b"\nreason = "x"\nexpires = "soon"\n',
            "osaid.toml:4: exceptions[0]: expires must be a date",
        ),
        ('[[exceptions]]\nmodel = "a/b"\n', "osaid.toml:1: exceptions[0]: reason is required"),
        (
            "[severity]\nunresolved = 'fatal'\n",
            "osaid.toml:2: severity.unresolved: expected one of",
        ),
    ],
)
def test_bad_policy_file_is_a_clear_error_naming_the_line(tmp_path, text, message):
    (tmp_path / "osaid.toml").write_text(text)
    r = run_cli("audit", str(tmp_path), "--no-assess")
    assert r.code == 2
    assert message in r.err, r.err
    assert "Traceback" not in r.err and r.out == ""


def test_check_applies_the_policy_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = str(EXAMPLES / "restricted-weights")
    assert run_cli("check", target).code == 1
    (tmp_path / "osaid.toml").write_text(
        'require = ["open-source-ai", "not-open-source-ai"]\n'
        '[[exceptions]]\nmodel = "restricted-weights"\nreason = "r"\nexpires = 2999-01-01\n'
    )
    assert run_cli("check", target).code == 0
    (tmp_path / "osaid.toml").write_text(
        'require = ["open-source-ai", "not-open-source-ai"]\ndeny-kinds = ["field-of-use"]\n'
    )
    r = run_cli("check", target)
    assert r.code == 1 and "a field-of-use restriction is never acceptable" in r.err
    assert run_cli("check", target, "--no-policy", "--fail-on", "not-open").code == 1
    assert run_cli("check", str(EXAMPLES / "open-release")).code == 0


def test_verify_applies_the_policy_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLES / "restricted-weights", tmp_path / "rw")
    assert run_cli("lock", "./rw").code == 0
    assert run_cli("verify").code == 0  # no drift, no policy
    (tmp_path / "osaid.toml").write_text(
        'require = ["open-source-ai", "not-open-source-ai"]\ndeny-kinds = ["user-threshold"]\n'
    )
    r = run_cli("verify", "-f", "json")
    assert r.code == 1
    assert r.json["policy_failed"] is True
    assert r.json["targets"][0]["policy"][0]["rule"] == "kind-denied"


# --- command line, API, CI -----------------------------------------------------------------------


def test_audit_bad_input_is_exit_2_with_one_line(tmp_path):
    r = run_cli("audit", str(tmp_path / "nope"))
    assert r.code == 2 and r.err.count("\n") == 1
    r = run_cli("audit", str(tmp_path), "--map", "no-equals-sign")
    assert r.code == 2 and "--map" in r.err
    r = run_cli("audit", str(tmp_path), "--map", "a/b=/no/such/folder")
    assert r.code == 2 and "no such file or folder" in r.err


def test_audit_of_changed_files_only():
    r = run_cli(
        "audit", "app/__init__.py", "--root", str(APPS / "flask-app"), "--no-assess", "-f", "json"
    )
    assert r.code == 0, r.err
    assert [m["id"] for m in r.json["models"]] == ["osaid-examples/pebble-lm-tiny"]
    assert r.json["dynamic"] == []


def test_python_api_check_and_audit():
    import osaid

    report = osaid.check(str(EXAMPLES / "open-release"), policy=False)
    assert report.verdict == "open-source-ai" and report.passed
    assert json.loads(report.to_json())["schema"] == "osaid.report/1"
    restricted = osaid.check(str(EXAMPLES / "restricted-weights"), policy=False)
    assert not restricted.passed
    a = osaid.audit(APPS / "flask-app", assess=False, policy=False)
    assert json.loads(a.to_json())["schema"] == "osaid.audit/1"
    assert {m["id"] for m in a.models} >= {"osaid-examples/pebble-lm-tiny"}


def test_import_osaid_stays_cheap():
    heavy = "('osaid.', 'rich', 'yaml', 'numpy', 'gguf')"
    code = f"import sys, osaid; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    ).stdout
    assert out.strip() == "[]"


def test_action_script_writes_sarif_and_records_the_exit_code(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash on this machine")
    app = tmp_path / "app"
    shutil.copytree(APPS / "flask-app", app)
    (app / "osaid.toml").write_text('[severity]\ndynamic-reference = "error"\n')
    launcher = tmp_path / "osaid"
    launcher.write_text(
        f"#!{sys.executable}\nimport sys\nfrom osaid.cli import main\nsys.exit(main())\n"
    )
    launcher.chmod(0o755)
    out = tmp_path / "github_output"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "OSAID_BIN": str(launcher),
        "OSAID_COMMAND": "audit",
        "OSAID_PATH": str(app),
        "OSAID_ARGS": "--offline",
        "OSAID_SARIF": str(tmp_path / "osaid.sarif"),
        "GITHUB_OUTPUT": str(out),
        "OSAID_CACHE_DIR": str(tmp_path / "cache"),
    }
    p = subprocess.run(
        [bash, str(REPO / "action" / "run.sh")], env=env, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr  # the gate is a later step, after the upload
    assert f"exit-code=1\nsarif-file={tmp_path / 'osaid.sarif'}\n" == out.read_text()
    results = json.loads((tmp_path / "osaid.sarif").read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"dynamic-reference", "unresolved"}
    out.write_text("")
    env["OSAID_POLICY"] = str(tmp_path / "missing.toml")
    p = subprocess.run(
        [bash, str(REPO / "action" / "run.sh")], env=env, capture_output=True, text=True
    )
    assert p.returncode == 2 and "missing.toml" in p.stderr


def test_pre_commit_hook_runs_through_try_repo(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not os.path.exists(pre_commit) or shutil.which("git") is None:
        pytest.skip("pre-commit or git not installed (pip install pre-commit)")
    if subprocess.run(["git", "-C", str(REPO), "rev-parse"], capture_output=True).returncode:
        pytest.skip("the osaid checkout is not a git repository")
    app = tmp_path / "app"
    shutil.copytree(APPS / "flask-app", app)
    (app / "osaid.toml").write_text('[severity]\ndynamic-reference = "error"\n')
    bindir = tmp_path / "bin"
    bindir.mkdir()
    launcher = bindir / "osaid"
    launcher.write_text(
        f"#!{sys.executable}\nimport sys\nfrom osaid.cli import main\nsys.exit(main())\n"
    )
    launcher.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO / "src"),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "OSAID_CACHE_DIR": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", "init", "-q"], cwd=app, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=app, check=True, env=env)

    def hook(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), "osaid-audit-system", "--files", *files],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    ok = hook("app/__init__.py")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout
    bad = hook("app/sizes.py", "app/__init__.py")
    assert bad.returncode == 1
    assert "app/sizes.py:8" in bad.stdout and "Failed" in bad.stdout


def test_bare_names_and_folders_in_the_tree(tmp_path):
    (tmp_path / "checkpoints" / "org-model").mkdir(parents=True)
    (tmp_path / "train.py").write_text(
        "from transformers import AutoModel, AutoTokenizer\n"
        "AutoModel.from_pretrained('gpt2')\n"  # a hub id without an organisation
        "AutoTokenizer.from_pretrained('tokenizer')\n"  # a plain word: a folder made at run time
        "AutoModel.from_pretrained('checkpoints/org-model')\n"  # a folder in the tree
        "AutoModel.from_pretrained('./out/final')\n"  # a path that is not in the tree
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    kinds = {m["id"]: m["kind"] for m in doc["models"]}
    assert kinds == {
        "gpt2": "hub",
        "checkpoints/org-model": "path",
        "./out/final": "missing-path",
    }


def test_deep_imports_positional_pipeline_and_more_libraries(tmp_path):
    (tmp_path / "svc.py").write_text(
        "from transformers.models.bert import BertModel\n"
        "from transformers import pipeline\n"
        "from optimum.onnxruntime import ORTModelForSequenceClassification as ORT\n"
        "from llama_index.embeddings.huggingface import HuggingFaceEmbedding\n"
        "import diffusers\n"
        "BertModel.from_pretrained('org/bert-like')\n"
        "pipeline('summarization', 'org/summariser')\n"
        "ORT.from_pretrained('org/onnx-model')\n"
        "HuggingFaceEmbedding(model_name='org/embedder')\n"
        "diffusers.StableDiffusionPipeline.from_pretrained('org/painter')\n"
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    assert {m["id"]: usages(doc, m["id"])[0] for m in doc["models"]} == {
        "org/bert-like": "svc.py:6",
        "org/summariser": "svc.py:7",
        "org/onnx-model": "svc.py:8",
        "org/embedder": "svc.py:9",
        "org/painter": "svc.py:10",
    }


def test_reference_patterns_are_complete_data():
    from osaid.knowledge import load_yaml

    data = load_yaml("model_references.yaml")
    for entry in data["python"]:
        assert {"call", "library", "args", "source"} <= set(entry), entry
        assert entry["args"], entry
    from osaid.auditor.find import _config_hint, knowledge

    k = knowledge()
    assert all(_config_hint().search(key) for key in k.config_keys)


def test_exec_form_commands_and_argv_lists(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nCMD ["python", "-m", "vllm.entrypoints.openai.api_server", '
        '"--model", "org/served-model"]\n'
    )
    (tmp_path / "k8s.yaml").write_text(
        "spec:\n  containers:\n    - name: tgi\n      args:\n        - --model-id\n"
        "        - org/tgi-model\n    - name: pull\n      command: [ollama, pull, mistral]\n"
    )
    (tmp_path / "start.sh").write_text("#!/bin/sh\nexec vllm serve org/shell-model --port 8000\n")
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    found = {m["id"]: usages(doc, m["id"]) for m in doc["models"]}
    assert found == {
        "org/served-model": ["Dockerfile:2"],
        "org/tgi-model": ["k8s.yaml:5"],
        "org/shell-model": ["start.sh:2"],
        "mistral": ["k8s.yaml:8"],
    }


def test_config_values_filled_in_at_deploy_time_are_listed_not_guessed(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  llm:\n    environment:\n      MODEL_ID: ${LLM_MODEL:-org/fallback}\n"
        "      LOG_LEVEL: ${LOG_LEVEL}\n"
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    assert doc["models"] == []
    assert [(d["path"], d["line"]) for d in doc["dynamic"]] == [("compose.yaml", 4)]
    assert "LLM_MODEL" in doc["dynamic"][0]["reason"]


def test_hostile_files_are_skipped_with_a_reason_not_a_crash(tmp_path):
    (tmp_path / "deep.json").write_text('{"model": ' + "[" * 200_000 + "]" * 200_000 + "}")
    (tmp_path / "nested.json").write_text('{"model": ' * 900 + '"x"' + "}" * 900)  # read, fine
    (tmp_path / "bomb.yaml").write_text("a: &a [model, model]\nb: [*a, *a]\n")
    (tmp_path / "nul.py").write_bytes(b"import transformers\x00\x00")
    (tmp_path / "deep.py").write_text("import transformers\nx = " + "(" * 5000 + ")" * 5000 + "\n")
    (tmp_path / "big.py").write_text("import transformers\n" + "#" * (2 * 1024 * 1024))
    r = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json")
    assert r.code == 0, r.err
    skipped = {s["path"]: s["reason"] for s in r.json["skipped"]}
    assert set(skipped) == {"deep.json", "bomb.yaml", "nul.py", "deep.py", "big.py"}
    assert "aliases" in skipped["bomb.yaml"] and "larger than" in skipped["big.py"]


def test_weights_in_a_folder_with_its_own_card_are_one_model(tmp_path):
    folder = tmp_path / "models" / "pebble"
    shutil.copytree(EXAMPLES / "open-release", folder)
    write_gguf(folder / "pebble-q4.gguf", **{"general.license": "apache-2.0"})
    (tmp_path / "Modelfile").write_text("FROM ./models/pebble/pebble-q4.gguf\n")
    r = run_cli("audit", str(tmp_path), "-f", "json")
    assert r.code == 0, r.out
    assert [(m["id"], m["kind"], m["verdict"]) for m in r.json["models"]] == [
        ("models/pebble", "path", "open-source-ai")
    ]
    assert "Modelfile:1" in usages(r.json, "models/pebble")


def test_action_and_hook_definitions_are_consistent():
    import re

    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    text = (REPO / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    script = (REPO / "action" / "run.sh").read_text()
    run_env = next(s for s in action["runs"]["steps"] if s.get("id") == "run")["env"]
    assert all(f"${{{name}" in script or f"${name}" in script for name in run_env)
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"osaid-audit", "osaid-audit-system"}
    for h in hooks:
        assert "--offline" in h["entry"]
        pattern = re.compile(h["files"])
        for wanted in (
            "app/chat.py",
            "Modelfile",
            "ollama/chat.modelfile",
            ".env.example",
            "config/vllm.yaml",
            "Dockerfile",
            "models/q4.gguf",
            "pyproject.toml",
        ):
            assert pattern.search(wanted), (h["id"], wanted)
        for unwanted in ("README.md", "static/app.js", "docs/notes.txt"):
            assert not pattern.search(unwanted), (h["id"], unwanted)


def test_pyproject_policy_table_is_not_a_use(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[tool.trainer]\nbase_model = "org/used-model"\n'
        '[tool.osaid]\nrequire = ["open-source-ai", "insufficient-evidence"]\n'
        '[[tool.osaid.exceptions]]\nmodel = "org/excepted"\nreason = "r"\n'
    )
    doc = run_cli("audit", str(tmp_path), "--no-assess", "-f", "json").json
    assert [m["id"] for m in doc["models"]] == ["org/used-model"]
    assert usages(doc, "org/used-model") == ["pyproject.toml:4"]


def test_changed_files_behind_a_link_are_not_read(tmp_path):
    app = _app_linking_out(tmp_path)
    r = run_cli("audit", "linked/m.py", "--root", str(app), "--no-assess", "-f", "json")
    assert r.code == 0, r.err
    assert r.json["models"] == []
    assert r.json["skipped"][0]["path"] == "linked/m.py"


def test_policy_file_names_known_to_the_cli_are_the_policy_modules():
    from osaid import policy
    from osaid.cli.options import POLICY_FILE_NAMES

    assert POLICY_FILE_NAMES == policy.POLICY_FILES
