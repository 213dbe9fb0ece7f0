"""The Python API: `osaid.check(target, **options)` and `osaid.audit(path, **options)`.

Both run what the commands run (`pipeline.assess_target`; `audit.find`, `audit.resolve`) and
apply a policy (`osaid.policy`): by default the policy file found beside the target (`osaid.toml`
or `[tool.osaid]` in `pyproject.toml`), else the built-in one (open-source-ai required). Errors
are `osaid.errors.OsaidError` subclasses with a one-line message.
"""

from __future__ import annotations

import datetime
import io
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from osaid.auditor.report import AuditResult
    from osaid.model import Assessment
    from osaid.policy import Policy, Violation


def _policy(policy, start: str) -> Policy:
    from osaid import policy as pol

    if policy is False:
        return pol.DEFAULT
    if isinstance(policy, pol.Policy):
        return policy
    if policy is None or policy is True:
        return pol.resolve(None, start)
    return pol.load(os.fspath(policy))


def _source_options(offline: bool, cache_dir: str | None, token: str | None):
    from osaid.sources import SourceOptions

    return SourceOptions(offline, cache_dir, token)


@dataclass
class Report:
    """One release's assessment and what the policy says of it."""

    assessment: Assessment
    policy: Policy
    violations: list[Violation] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """`open-source-ai`, `not-open-source-ai` or `insufficient-evidence`."""
        return self.assessment.verdict.value

    @property
    def passed(self) -> bool:
        """True when no violation fails the policy's gate."""
        from osaid.policy import failing

        return not failing(self.policy, self.violations)

    def to_dict(self) -> dict:
        """The `osaid.report/1` document (README, "JSON report")."""
        from osaid.reports.json import to_dict

        return to_dict(self.assessment)

    def to_json(self, indent: int | None = 2) -> str:
        """The `osaid.report/1` JSON text, as `osaid check --format json` writes it."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def render(self, fmt: str = "text") -> str:
        """The report as `osaid check --format FMT` writes it (text, json, markdown)."""
        from osaid.reports import render

        buf = io.StringIO()
        render(fmt, self.assessment, buf)
        return buf.getvalue()


def check(
    target: str,
    *,
    offline: bool = False,
    cache_dir: str | None = None,
    token: str | None = None,
    bases: dict[str, str] | None = None,
    lineage_depth: int | None = None,
    frameworks: list[str] | None = None,
    policy: str | os.PathLike[str] | Policy | bool | None = None,
    today: datetime.date | None = None,
) -> Report:
    """Assess one release (a folder, `hf:ORG/NAME[@REV]`, a git URL, a MOT manifest).

    `bases` maps base-model ids to local targets (`--base`); `policy` is a policy file, a
    `Policy`, None (find one in the current folder) or False (the built-in policy)."""
    from osaid import lineage
    from osaid.pipeline import Settings, assess_target
    from osaid.policy import evaluate, subject_of

    settings = Settings(
        source_options=_source_options(offline, cache_dir, token),
        bases=lineage.parse_mapping([f"{k}={v}" for k, v in (bases or {}).items()]),
        lineage_depth=lineage_depth,
        frameworks=None if frameworks is None else tuple(frameworks),
    )
    assessment = assess_target(target, settings)
    pol = _policy(policy, os.getcwd())
    return Report(assessment, pol, evaluate(pol, subject_of(assessment), today))


@dataclass
class AuditReport:
    """The models an application uses, each assessed once, and what the policy says of them."""

    result: AuditResult

    @property
    def passed(self) -> bool:
        return self.result.passed

    @property
    def models(self) -> list[dict]:
        return self.to_dict()["models"]

    def to_dict(self) -> dict:
        """The `osaid.audit/1` document (docs/audit.md; schema in `auditor/audit.schema.json`)."""
        from osaid.auditor.report import to_dict

        return to_dict(self.result)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def render(self, fmt: str = "text") -> str:
        """The report as `osaid audit --format FMT` writes it (text, json, markdown, sarif)."""
        from osaid.auditor import render, sarif

        doc = self.to_dict()
        buf = io.StringIO()
        if fmt == "json":
            return self.to_json() + "\n"
        {"text": render.text, "markdown": render.markdown, "sarif": sarif.render}[fmt](doc, buf)
        return buf.getvalue()


def audit(
    path: str | os.PathLike[str] = ".",
    *,
    files: list[str] | None = None,
    offline: bool = False,
    cache_dir: str | None = None,
    token: str | None = None,
    mapping: dict[str, str] | None = None,
    lock: str | None = None,
    lineage_depth: int | None = None,
    policy: str | os.PathLike[str] | Policy | bool | None = None,
    assess: bool = True,
    today: datetime.date | None = None,
) -> AuditReport:
    """Find every model the application at `path` uses (only in `files`, relative to `path`,
    when given), assess each once and judge them by the policy.

    `mapping` maps ids, Ollama names or paths to targets (`--map`); `lock` is an `osaid.lock`
    whose pinned revisions hub ids resolve to; `assess=False` only finds references."""
    from osaid.auditor import find, report, resolve
    from osaid.errors import InputError, os_error_message

    root = os.fspath(path)
    try:
        if not os.path.isdir(root):
            raise InputError(f"{root}: not a folder (osaid audit reads an application's folder)")
        os.listdir(root)
    except OSError as exc:
        raise InputError(os_error_message(root, exc)) from None
    pol = _policy(policy, root)
    scan = find.scan(root, files)
    models = resolve.group(scan.references, root)
    options = resolve.Options(
        source_options=_source_options(offline, cache_dir, token),
        mapping=resolve.parse_map([f"{k}={v}" for k, v in (mapping or {}).items()]),
        lock=resolve.read_lock_map(lock) if lock else {},
        lineage_depth=lineage_depth,
        assess=assess,
    )
    resolve.assess_models(models, root, options)
    return AuditReport(report.judge(root, scan, models, pol, today))
