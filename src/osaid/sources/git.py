"""A git repository (a URL, or a local repository asked for with `git:PATH`) -> a `Release`.

The repository is fetched with the git command line into a temporary folder that is always
removed: one commit deep, with blobs larger than a bound left on the server (a partial clone), no
hooks, no submodules, no prompts, only the https, ssh, git and file protocols, and a time limit.
The user's and the system's git configuration are not read, so no credential helper, URL rewrite,
LFS filter or fsmonitor runs; the repository's own content is never executed.

Only the files that were fetched are written out (`git checkout-index`, which refuses unsafe
paths); the folder is then read by `LocalSource`. Files left on the server are still listed, from
the commit's tree, without content. Git LFS pointer files are listed with the size and sha256 of
the object they stand for.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from osaid.model import Evidence, FileEntry, Problem, Release
from osaid.sources.interface import Source, SourceError
from osaid.sources.local import DEFAULT_LIMITS, Limits, LocalSource

BLOB_LIMIT = 1024 * 1024
"""Blobs larger than this are not fetched (weights live in LFS or elsewhere; text is read up to
256 KiB anyway)."""
TIMEOUT = 300
"""Seconds one git command may take."""
PROTOCOLS = ("https", "ssh", "git", "file")

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.I)
_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//)")
_REV = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/+-]{0,199}$")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_LFS = re.compile(
    rb"^version https://git-lfs\.github\.com/spec/v1\n(?:.*\n)*?oid sha256:"
    rb"([0-9a-f]{64})\n(?:.*\n)*?size (\d{1,20})\n",
    re.M,
)


@dataclass(frozen=True)
class GitTarget:
    url: str
    """What git is given (a local path becomes a `file://` URL)."""
    revision: str | None
    display: str
    """The URL as the report shows it (credentials removed)."""
    name: str


def is_git_target(target: str) -> bool:
    """A URL with a scheme, `user@host:path`, a path ending in `.git`, or `git:PATH`."""
    if target.startswith("git:") and not target.startswith("git://"):
        return True
    if _SCHEME.match(target) or _SCP.match(target):
        return True
    return _split_rev(target)[0].rstrip("/").endswith(".git")


def parse_target(target: str) -> GitTarget:
    """Split `URL[@REV]` and check it; raises SourceError with a one-line reason."""
    if target.startswith("git:") and not target.startswith("git://"):
        raw = target[4:]
        path, rev = (raw, None) if os.path.exists(raw) else _split_rev(raw)
        return _local(target, path, rev)
    scheme = _SCHEME.match(target)
    if scheme:
        proto = scheme.group(1).lower()
        if proto not in PROTOCOLS:
            raise SourceError(
                f"{target}: the {proto}:// protocol is not allowed (use "
                f"{', '.join(p + '://' for p in PROTOCOLS)})"
            )
        url, rev = _split_rev(target)
        if proto == "file":
            return _checked(url, rev, url)
        return _checked(url, rev, _without_credentials(url))
    if _SCP.match(target):
        url, rev = _split_rev(target)
        return _checked(url, rev, url)
    path, rev = (target, None) if os.path.exists(target) else _split_rev(target)
    return _local(target, path, rev)


def _split_rev(target: str) -> tuple[str, str | None]:
    """`URL@REV` -> (URL, REV); an `@` before the path (user@host) is not a revision."""
    m = _SCHEME.match(target)
    if m:
        start = target.find("/", m.end())
    elif _SCP.match(target):
        start = target.index(":")
    else:
        start = 0
    if start < 0:
        return target, None
    at = target.rfind("@", start)
    if at < 0:
        return target, None
    return target[:at], target[at + 1 :]


def _local(target: str, path: str, rev: str | None) -> GitTarget:
    p = Path(path).expanduser()
    if not p.exists():
        raise SourceError(f"{target}: no such repository")
    if not p.is_dir():
        raise SourceError(f"{target}: not a git repository (not a folder)")
    p = p.resolve()
    url = p.as_uri()
    return _checked(url, rev, str(p))


def _checked(url: str, rev: str | None, display: str) -> GitTarget:
    if rev is not None and (
        not _REV.match(rev) or ".." in rev or rev.endswith((".lock", "/")) or "@{" in rev
    ):
        raise SourceError(f"{display}: malformed revision {rev[:60]!r} after '@'")
    if any(c in url for c in "\n\r\x00") or url.startswith("-"):
        raise SourceError(f"{display[:80]}: malformed repository URL")
    tail = re.split(r"[/:]", url.rstrip("/"))[-1]
    name = tail[:-4] if tail.endswith(".git") else tail
    return GitTarget(url, rev, display, name or display)


def _without_credentials(url: str) -> str:
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url, flags=re.I)


def _environment(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false" if os.path.exists("/bin/false") else "false",
            "SSH_ASKPASS": "/bin/false" if os.path.exists("/bin/false") else "false",
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_LFS_SKIP_SMUDGE": "1",
            "HOME": home,
            "LC_ALL": "C",
        }
    )
    return env


def _config_args(blob_limit: int) -> list[str]:
    args = [
        "-c",
        "core.hooksPath=" + os.devnull,
        "-c",
        "core.fsmonitor=false",
        "-c",
        "protocol.allow=never",
        "-c",
        "submodule.recurse=false",
        "-c",
        "core.symlinks=true",
        "-c",
        "advice.detachedHead=false",
    ]
    for proto in PROTOCOLS:
        args += ["-c", f"protocol.{proto}.allow=always"]
    return args


class GitSource(Source):
    name = "git"

    def __init__(
        self,
        blob_limit: int = BLOB_LIMIT,
        timeout: float = TIMEOUT,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.blob_limit = blob_limit
        self.timeout = timeout
        self.limits = limits

    def load(self, target: str) -> Release:
        spec = parse_target(target)
        git = shutil.which("git")
        if git is None:
            raise SourceError(
                f"{spec.display}: git is not installed (osaid needs the git command "
                "to read a repository)"
            )
        with tempfile.TemporaryDirectory(prefix="osaid-git-", ignore_cleanup_errors=True) as tmp:
            home = os.path.join(tmp, "home")
            os.mkdir(home)
            work = os.path.join(tmp, "repo")
            run = _Runner(
                git, spec, _environment(home), self.timeout, _config_args(self.blob_limit)
            )
            sha = self._fetch(run, spec, work)
            entries = self._tree(run, work, sha)
            problems = self._checkout(run, work, sha, entries)
            release = LocalSource(self.limits).load(work)
            release = self._complete(release, work, entries, problems)
        return dataclasses.replace(
            release, name=spec.name, source=self.name, location=spec.display, revision=sha
        )

    # --- steps -------------------------------------------------------------------------------

    def _fetch(self, run: _Runner, spec: GitTarget, work: str) -> str:
        flt = [f"--filter=blob:limit={self.blob_limit}"]
        if spec.url.startswith("file:"):
            # A local repository serves with git's defaults, which refuse filters and fetching
            # a commit by its id; its upload-pack is started here, so it can be told to allow both.
            flt += [
                "--upload-pack",
                "git -c uploadpack.allowFilter=true "
                "-c uploadpack.allowAnySHA1InWant=true upload-pack",
            ]
        run(
            [
                "clone",
                "--quiet",
                "--depth",
                "1",
                *flt,
                "--no-checkout",
                "--no-tags",
                "--no-recurse-submodules",
                "--template=",
                "--",
                spec.url,
                work,
            ],
            what="clone",
        )
        if spec.revision is None:
            ref = "HEAD"
        else:
            # A branch, tag or commit: fetched on its own, one commit deep, same filter.
            run(
                [
                    "-C",
                    work,
                    "fetch",
                    "--quiet",
                    "--depth",
                    "1",
                    *flt,
                    "--no-tags",
                    "--no-recurse-submodules",
                    "--",
                    "origin",
                    spec.revision,
                ],
                what="fetch",
                revision=spec.revision,
            )
            ref = "FETCH_HEAD"
        sha = run(
            ["-C", work, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            what="rev-parse",
            revision=spec.revision,
        ).strip()
        if not _SHA.match(sha):
            raise SourceError(
                f"{spec.display}: could not resolve "
                f"{spec.revision or 'the default branch'} to a commit"
            )
        # From here on nothing may be fetched: a missing blob must stay missing, not be
        # downloaded on demand. Forgetting the remote makes git treat it as absent.
        run(["-C", work, "remote", "remove", "origin"], what="configure")
        run(
            ["-C", work, "config", "--unset-all", "extensions.partialClone"],
            what="configure",
            check=False,
        )
        return sha

    def _tree(self, run: _Runner, work: str, sha: str) -> list[tuple[str, str, str, str, str]]:
        """(mode, type, oid, size or '-'/'BAD', path) for every entry of the commit's tree."""
        out = run(["-C", work, "ls-tree", "-r", "-l", "-z", "--full-tree", sha], what="ls-tree")
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            parts = meta.split()
            if len(parts) != 4:
                continue
            entries.append((parts[0], parts[1], parts[2], parts[3], path))
            if len(entries) > self.limits.max_files * 2:
                break
        return entries

    def _checkout(self, run: _Runner, work: str, sha: str, entries) -> list[Problem]:
        problems: list[Problem] = []
        run(["-C", work, "read-tree", sha], what="read-tree")
        fetched = [e[4] for e in entries if e[1] == "blob" and e[3] != "BAD"]
        if fetched:
            run(
                ["-C", work, "checkout-index", "--quiet", "-z", "--stdin"],
                what="checkout",
                stdin="\0".join(fetched) + "\0",
            )
        for _mode, kind, _, _, path in entries:
            if kind == "commit":
                problems.append(
                    Problem(
                        "git-submodule",
                        "A git submodule: another repository, "
                        "not fetched and not part of this assessment.",
                        (Evidence(path=path),),
                    )
                )
        return problems

    def _complete(self, release: Release, work: str, entries, problems: list[Problem]) -> Release:
        """List what was not fetched; replace LFS pointers by the objects they stand for."""
        listed = {f.path for f in release.files}
        files = []
        documents = dict(release.documents)
        for f in release.files:
            lfs = _lfs_pointer(os.path.join(work, f.path), f.size)
            if lfs is None:
                files.append(f)
                continue
            size, sha256 = lfs
            files.append(FileEntry(path=f.path, size=size, sha256=sha256))
            documents.pop(f.path, None)
        # `ls-tree -l` prints BAD for the size of a blob that is not in the clone.
        not_fetched = [
            path
            for _, kind, _, size, path in entries
            if kind == "blob" and size == "BAD" and path not in listed and _safe_path(path)
        ]
        for path in not_fetched[: max(0, self.limits.max_files - len(files))]:
            # Its size is not known without fetching it; it is larger than the bound.
            files.append(FileEntry(path=path, size=self.blob_limit + 1))
        if not_fetched:
            problems.append(
                Problem(
                    "git-files-not-fetched",
                    f"{len(not_fetched)} file(s) larger than "
                    f"{_bytes(self.blob_limit)} were listed but not fetched; their content and exact "
                    "size were not read (the size shown is the bound).",
                    tuple(Evidence(path=p) for p in not_fetched[:5]),
                )
            )
        files.sort(key=lambda f: f.path)
        return dataclasses.replace(
            release,
            files=tuple(files),
            documents=documents,
            problems=release.problems + tuple(problems),
        )


def _bytes(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n:g} {unit}"
        n /= 1024
    return str(n)


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return not path.startswith("/") and ".." not in parts and ".git" not in parts


def _lfs_pointer(path: str, size: int) -> tuple[int, str] | None:
    """(size, sha256) of the object a Git LFS pointer file stands for, or None."""
    if size > 1024:
        return None
    from osaid.sources.local import read_prefix

    try:
        head = read_prefix(path, 1024)
    except OSError:
        return None
    m = _LFS.match(head)
    return (int(m.group(2)), m.group(1).decode()) if m else None


class _Runner:
    """Runs one git command at a time in its own process group, so a timeout or Ctrl-C stops git
    and every helper it started."""

    def __init__(
        self, git: str, spec: GitTarget, env: dict[str, str], timeout: float, config: list[str]
    ) -> None:
        self.git, self.spec, self.env, self.timeout, self.config = git, spec, env, timeout, config

    def __call__(
        self,
        args: list[str],
        *,
        what: str,
        revision: str | None = None,
        stdin: str | None = None,
        check: bool = True,
    ) -> str:
        import subprocess

        cmd = [self.git, *self.config, *args]
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                start_new_session=True,
            )
        except OSError as exc:
            raise SourceError(
                f"{self.spec.display}: cannot run git ({exc.strerror or exc})"
            ) from None
        try:
            out, err = proc.communicate(
                stdin.encode() if stdin is not None else None, timeout=self.timeout
            )
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise SourceError(
                f"{self.spec.display}: git {what} timed out after {self.timeout:g} s"
            ) from None
        except BaseException:
            _kill(proc)
            raise
        if proc.returncode != 0 and check:
            raise SourceError(
                _explain(self.spec, what, revision, err.decode("utf-8", errors="replace"))
            )
        return out.decode("utf-8", errors="replace")


def _kill(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except Exception:  # noqa: BLE001, S110 - pragma: no cover - nothing more can be done
        pass


_ERRORS = (
    (
        re.compile(
            r"couldn't find remote ref|not our ref|unadvertised object|no such ref|"
            r"invalid refspec|bad revision|unknown revision",
            re.I,
        ),
        "{rev}: no such branch, tag or commit in the repository",
    ),
    (
        re.compile(
            r"repository .* not found|not found|does not appear to be a git repository|"
            r"could not read from remote repository|not a git repository|"
            r"no such file or directory",
            re.I,
        ),
        "repository not found (or not public)",
    ),
    (
        re.compile(
            r"could not resolve host|failed to connect|connection (refused|timed out)|"
            r"network is unreachable",
            re.I,
        ),
        "cannot reach the host",
    ),
    (
        re.compile(
            r"authentication failed|terminal prompts disabled|permission denied|"
            r"could not read username",
            re.I,
        ),
        "the repository needs credentials (osaid reads public repositories; clone it yourself and "
        "check it with git:PATH)",
    ),
    (
        re.compile(r"transport '.*' not allowed|unsupported protocol", re.I),
        "that protocol is not allowed",
    ),
    (
        re.compile(r"dubious ownership", re.I),
        "git refuses a repository owned by another user (see git's safe.directory)",
    ),
)


def _explain(spec: GitTarget, what: str, revision: str | None, stderr: str) -> str:
    for pattern, message in _ERRORS:
        if pattern.search(stderr):
            if "{rev}" in message and not revision:
                continue
            return f"{spec.display}: " + message.format(rev=revision)
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    detail = lines[-1] if lines else "no message"
    detail = re.sub(r"^(fatal|error):\s*", "", detail)[:160]
    return f"{spec.display}: git {what} failed ({detail})"
