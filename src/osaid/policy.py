"""Policy as code: what an organisation accepts of the models it builds on.

Read from `[tool.osaid]` in `pyproject.toml` or from `osaid.toml` (top level, or its own
`[tool.osaid]` table), with the standard library's `tomllib`:

    require = "open-source-ai"                  # or a list; or deny = ["not-open-source-ai"]
    allow-licenses = ["Apache-2.0", "MIT"]      # every license of a model must be one of these
    deny-licenses = ["LicenseRef-*"]            # none of these (globs allowed)
    deny-kinds = ["user-threshold", "non-commercial"]   # restriction kinds never acceptable
    fail-on = "error"                           # error | warning | note | never
    [tool.osaid.severity]                       # per violation rule (defaults below)
    unresolved = "error"
    [[tool.osaid.exceptions]]
    model = "org/name"                          # a glob; matched without case
    reason = "legal approved for the pilot"
    expires = 2027-03-31

`check`, `audit` and `verify` evaluate every model they judge with `evaluate` and fail (exit 1)
when a violation's severity reaches `fail-on`. A bad policy file is an `InputError` naming the
file and the line. Without a policy file the default is the `check` command's own gate: anything
but `open-source-ai` is an error.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import re
from dataclasses import dataclass, field

from osaid.errors import InputError

VERDICTS = ("open-source-ai", "not-open-source-ai", "insufficient-evidence")
SEVERITIES = ("error", "warning", "note")
FAIL_ON = (*SEVERITIES, "never")
RULES = {
    "verdict": "error",
    "license-denied": "error",
    "license-not-allowed": "error",
    "kind-denied": "error",
    "exception-expired": "error",
    "unresolved": "warning",
    "dynamic-reference": "warning",
}
"""Violation rules and their default severities."""
KEYS = (
    "require",
    "deny",
    "allow-licenses",
    "deny-licenses",
    "deny-kinds",
    "fail-on",
    "severity",
    "exceptions",
)
EXCEPTION_KEYS = ("model", "reason", "expires")
POLICY_FILES = ("osaid.toml", "pyproject.toml")
MAX_POLICY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Exemption:
    model: str
    reason: str
    expires: datetime.date | None
    line: int | None = None

    def matches(self, model: str) -> bool:
        return fnmatch.fnmatchcase(model.lower(), self.model.lower())

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True)
class Policy:
    path: str | None = None
    """The file it was read from (None: the built-in default)."""
    allowed_verdicts: tuple[str, ...] = ("open-source-ai",)
    allow_licenses: tuple[str, ...] | None = None
    deny_licenses: tuple[str, ...] = ()
    deny_kinds: tuple[str, ...] = ()
    exceptions: tuple[Exemption, ...] = ()
    fail_on: str = "error"
    severity: dict[str, str] = field(default_factory=lambda: dict(RULES))

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "allowed_verdicts": list(self.allowed_verdicts),
            "allow_licenses": None if self.allow_licenses is None else list(self.allow_licenses),
            "deny_licenses": list(self.deny_licenses),
            "deny_kinds": list(self.deny_kinds),
            "fail_on": self.fail_on,
            "severity": dict(self.severity),
            "exceptions": [e.to_json() for e in self.exceptions],
        }


DEFAULT = Policy()


@dataclass(frozen=True)
class Subject:
    """What a policy judges of one model."""

    id: str
    verdict: str | None
    """None when the model could not be assessed."""
    licenses: tuple[str, ...] = ()
    restrictions: tuple[tuple[str, dict], ...] = ()
    """(kind, where: {quote, path, line, from}) of every restriction found, bases included."""
    unresolved: str | None = None
    """Why the model could not be assessed, when it could not."""


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    message: str
    model: str | None = None
    exception: Exemption | None = None
    """The exception that waives it (then it does not fail the gate)."""
    evidence: tuple[dict, ...] = ()

    @property
    def waived(self) -> bool:
        return self.exception is not None

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "model": self.model,
            "waived": self.waived,
            "exception": self.exception.to_json() if self.exception else None,
            "evidence": list(self.evidence),
        }


# --- evaluating ----------------------------------------------------------------------------------


def _match(value: str, patterns: tuple[str, ...]) -> bool:
    v = value.lower()
    return any(fnmatch.fnmatchcase(v, p.lower()) for p in patterns)


def evaluate(policy: Policy, s: Subject, today: datetime.date | None = None) -> list[Violation]:
    """The violations of `policy` by one model (waived ones included, marked)."""
    today = today or datetime.date.today()
    sev = policy.severity
    found: list[Violation] = []
    if s.verdict is None:
        found.append(
            Violation(
                "unresolved",
                sev["unresolved"],
                f"{s.id} could not be assessed: {s.unresolved or 'not resolved'}",
                s.id,
            )
        )
    elif s.verdict not in policy.allowed_verdicts:
        found.append(
            Violation(
                "verdict",
                sev["verdict"],
                f"{s.id} is {s.verdict}; the policy accepts "
                + " or ".join(policy.allowed_verdicts or ("no verdict",)),
                s.id,
            )
        )
    for lic in s.licenses:
        if _match(lic, policy.deny_licenses):
            found.append(
                Violation(
                    "license-denied",
                    sev["license-denied"],
                    f"{s.id}: license {lic} is denied",
                    s.id,
                )
            )
        elif policy.allow_licenses is not None and not _match(lic, policy.allow_licenses):
            found.append(
                Violation(
                    "license-not-allowed",
                    sev["license-not-allowed"],
                    f"{s.id}: license {lic} is not in allow-licenses",
                    s.id,
                )
            )
    seen: set[str] = set()
    for kind, where in s.restrictions:
        if kind in policy.deny_kinds and kind not in seen:
            seen.add(kind)
            src = f" (in {where['from']})" if where.get("from") and where["from"] != s.id else ""
            found.append(
                Violation(
                    "kind-denied",
                    sev["kind-denied"],
                    f"{s.id}: a {kind} restriction{src} is never acceptable",
                    s.id,
                    evidence=(where,),
                )
            )
    exemption = next((e for e in policy.exceptions if e.matches(s.id)), None)
    if exemption is None or not found:
        return found
    if exemption.expires is not None and exemption.expires < today:
        found.append(
            Violation(
                "exception-expired",
                sev["exception-expired"],
                f"{s.id}: the exception for {exemption.model} expired on "
                f"{exemption.expires.isoformat()} (reason given: {exemption.reason})",
                s.id,
            )
        )
        return found
    return [Violation(v.rule, v.severity, v.message, v.model, exemption, v.evidence) for v in found]


def failing(policy: Policy, violations: list[Violation]) -> list[Violation]:
    """The violations that fail the gate: not waived, at or above `fail-on`."""
    if policy.fail_on == "never":
        return []
    bar = SEVERITIES.index(policy.fail_on)
    return [v for v in violations if not v.waived and SEVERITIES.index(v.severity) <= bar]


# --- reading -------------------------------------------------------------------------------------


def discover(start: str) -> str | None:
    """The policy file for a folder: `osaid.toml`, else a `pyproject.toml` with `[tool.osaid]`."""
    for name in POLICY_FILES:
        path = os.path.join(start, name)
        if not os.path.isfile(path):
            continue
        if name == "osaid.toml":
            return path
        try:
            with open(path, "rb") as fh:
                head = fh.read(MAX_POLICY_BYTES)
        except OSError:
            continue
        if re.search(rb"^\s*\[\s*tool\.osaid[\].]", head, re.M):
            return path
    return None


def resolve(explicit: str | None, start: str, *, disabled: bool = False) -> Policy:
    """`--policy FILE` if given, else the policy file found in `start`, else the default."""
    if disabled:
        return DEFAULT
    path = explicit or discover(start)
    return load(path) if path else DEFAULT


def load(path: str) -> Policy:
    import tomllib

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        from osaid.errors import os_error_message

        raise InputError(os_error_message(path, exc)) from None
    if len(raw) > MAX_POLICY_BYTES:
        raise InputError(f"{path}: policy file larger than {MAX_POLICY_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if m:
            where = f":{m.group(1)}"
        elif "end of document" in str(exc):
            where = f":{max(1, len(text.splitlines()))}"
        else:
            where = ""
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise InputError(f"{path}{where}: invalid TOML: {reason}") from None
    table = data.get("tool", {}).get("osaid") if isinstance(data.get("tool"), dict) else None
    if table is None:
        if os.path.basename(path) == "pyproject.toml":
            raise InputError(f"{path}: no [tool.osaid] table")
        table = {k: v for k, v in data.items() if k != "tool"}
    return _parse(table, path, text.splitlines())


class _Lines:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path, self.lines = path, lines

    def key(self, key: str, after: int = 0) -> int | None:
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(after, len(self.lines)):
            if pat.match(self.lines[i]):
                return i + 1
        return None

    def table(self, n: int) -> int:
        """0-based index of the n-th `[[...exceptions]]` header (or 0)."""
        seen = -1
        for i, ln in enumerate(self.lines):
            if re.match(r"^\s*\[\[\s*(tool\.osaid\.)?exceptions\s*\]\]", ln):
                seen += 1
                if seen == n:
                    return i
        return 0

    def error(self, message: str, line: int | None) -> InputError:
        return InputError(f"{self.path}{f':{line}' if line else ''}: {message}")


def _strings(value: object, key: str, at: _Lines) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise at.error(f"{key}: expected a string or a list of strings", at.key(key))
    return tuple(v.strip() for v in value)


def _parse(table: dict, path: str, lines: list[str]) -> Policy:
    from osaid.knowledge import restriction_kinds

    at = _Lines(path, lines)
    if not isinstance(table, dict):
        raise at.error("[tool.osaid] must be a table", None)
    for key in table:
        if key not in KEYS:
            raise at.error(f"unknown key {key!r} (known: {', '.join(KEYS)})", at.key(key))
    if "require" in table and "deny" in table:
        raise at.error("give either require or deny, not both", at.key("deny"))
    allowed: tuple[str, ...] = DEFAULT.allowed_verdicts
    for key in ("require", "deny"):
        if key in table:
            values = _strings(table[key], key, at)
            for v in values:
                if v not in VERDICTS:
                    raise at.error(
                        f"{key}: unknown verdict {v!r} (one of {', '.join(VERDICTS)})", at.key(key)
                    )
            allowed = values if key == "require" else tuple(v for v in VERDICTS if v not in values)
    allow_l = (
        _strings(table["allow-licenses"], "allow-licenses", at)
        if "allow-licenses" in table
        else None
    )
    deny_l = (
        _strings(table["deny-licenses"], "deny-licenses", at) if "deny-licenses" in table else ()
    )
    kinds = _strings(table["deny-kinds"], "deny-kinds", at) if "deny-kinds" in table else ()
    known = restriction_kinds()
    for kind in kinds:
        if kind not in known:
            raise at.error(
                f"deny-kinds: unknown restriction kind {kind!r} (known: {', '.join(sorted(known))})",
                at.key("deny-kinds"),
            )
    fail_on = table.get("fail-on", "error")
    if fail_on not in FAIL_ON:
        raise at.error(f"fail-on: expected one of {', '.join(FAIL_ON)}", at.key("fail-on"))
    severity = dict(RULES)
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise at.error("severity: expected a table of rule = severity", at.key("severity"))
    for rule, level in sev.items():
        if rule not in RULES:
            raise at.error(
                f"severity: unknown rule {rule!r} (known: {', '.join(RULES)})", at.key(rule)
            )
        if level not in SEVERITIES:
            raise at.error(
                f"severity.{rule}: expected one of {', '.join(SEVERITIES)}", at.key(rule)
            )
        severity[rule] = level
    exceptions = []
    raw = table.get("exceptions", [])
    if not isinstance(raw, list):
        raise at.error(
            "exceptions: expected an array of tables ([[tool.osaid.exceptions]])",
            at.key("exceptions"),
        )
    for n, item in enumerate(raw):
        start = at.table(n)
        if not isinstance(item, dict):
            raise at.error(f"exceptions[{n}]: expected a table", start + 1)
        for key in item:
            if key not in EXCEPTION_KEYS:
                raise at.error(
                    f"exceptions[{n}]: unknown key {key!r} (known: {', '.join(EXCEPTION_KEYS)})",
                    at.key(key, start) or start + 1,
                )
        for key in ("model", "reason"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise at.error(
                    f"exceptions[{n}]: {key} is required (a non-empty string)",
                    at.key(key, start) or start + 1,
                )
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = datetime.date.fromisoformat(expires)
            except ValueError:
                expires = False
        if isinstance(expires, datetime.datetime):
            expires = expires.date()
        if expires is not None and not isinstance(expires, datetime.date):
            raise at.error(
                f"exceptions[{n}]: expires must be a date (YYYY-MM-DD)",
                at.key("expires", start) or start + 1,
            )
        exceptions.append(
            Exemption(item["model"].strip(), item["reason"].strip(), expires, start + 1)
        )
    return Policy(
        path=path,
        allowed_verdicts=allowed,
        allow_licenses=allow_l,
        deny_licenses=deny_l,
        deny_kinds=kinds,
        exceptions=tuple(exceptions),
        fail_on=fail_on,
        severity=severity,
    )


def subject_of(assessment, name: str | None = None) -> Subject:
    """What a policy judges of an assessed release: verdict, license ids, every restriction kind
    found in its terms or its bases' terms."""
    facts = assessment.facts
    sid = name or facts.subject.name
    return Subject(
        id=sid,
        verdict=assessment.verdict.value,
        licenses=tuple(sorted({lf.id for lf in facts.licenses})),
        restrictions=tuple(restrictions(assessment)),
    )


def restrictions(assessment) -> list[tuple[str, dict]]:
    """(kind, where) of the restrictions in a release's terms and in its bases' terms."""
    out: list[tuple[str, dict]] = []
    seen: set[tuple] = set()

    def add(finding, origin: str) -> None:
        rule, _, kind = finding.rule.partition(":")
        if rule != "restriction" or not kind:
            return
        ev = finding.evidence[0] if finding.evidence else None
        where = {
            "from": origin,
            "severity": finding.severity.value,
            "path": ev.path if ev else None,
            "line": ev.line if ev else None,
            "quote": ev.quote if ev else None,
        }
        key = (kind, origin, where["path"], where["line"])
        if key not in seen:
            seen.add(key)
            out.append((kind, where))

    for f in assessment.findings:
        add(f, assessment.facts.subject.name)
    for base in assessment.facts.bases:
        for f in base.terms:
            add(f, base.id)
    return out
