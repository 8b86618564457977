"""The result cache in ``.fitlint_cache/`` (static findings and dry-run
results), authenticated so that no entry can come from the checked repository.

Layout::

    .fitlint_cache/
        CACHEDIR.TAG      marks the folder as a cache for backup tools
        .gitignore        ``*``: nothing in it is ever committed
        static/<key>      one file's findings (see :class:`Cache`)
        runs/<key>        a whole `fitlint check`'s output (see :class:`Replay`)
        confirm/<key>.json  one dry-run program's result (fitlint.confirm.runner)

Every entry is ``<hmac>\\n<payload>``: an HMAC-SHA256 of the entry's key and
payload under a secret that lives outside the repository, in the user's cache
directory (``$FITLINT_KEY_FILE``, else ``$XDG_CACHE_HOME/fitlint/key``, else
``~/.cache/fitlint/key``; created with mode 0600). An entry committed to a
repository, or planted in it by a pull request, fails the check and is
ignored. Without a usable key nothing is read or written.

A static entry's key covers the file's path (and the working directory) and
content, fitlint's version and the content of its own source files, Python's
and LibCST's versions, and the effective configuration
(the selected rule codes and whether dry-run programs are built). Its payload
records the files the analysis read besides the checked file (see
``Facts.dependencies``) with their content hashes; the entry counts only while
they are unchanged.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from . import __version__

DIR_NAME = ".fitlint_cache"
FORMAT = "1"  # bump when the payload changes
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fitlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
ABSENT = "-"  # the hash of a dependency that does not exist


def key_path() -> str:
    """Where the secret lives: never inside the checked repository."""
    explicit = os.environ.get("FITLINT_KEY_FILE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fitlint", "key")


@lru_cache(maxsize=8)
def _secret(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            data = handle.read().strip()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:  # create it: written to a private temporary file, then linked in place (never half-written)
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        import tempfile  # only when writing: its imports are not paid on a warm run
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".key-")
        try:  # mkstemp makes it readable and writable by this user only (0600)
            os.write(fd, os.urandom(32).hex().encode() + b"\n")
            os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
        with open(path, "rb") as handle:
            data = handle.read().strip()
        return data if len(data) >= 32 else None
    except OSError:
        return None


def secret() -> Optional[bytes]:
    """The HMAC key (created on first use), or None when it cannot be had."""
    return _secret(key_path())


def seal(secret_key: bytes, key: str, payload: bytes) -> bytes:
    mac = hmac.new(secret_key, key.encode() + b"\n" + payload, hashlib.sha256).hexdigest()
    return mac.encode() + b"\n" + payload


def unseal(secret_key: bytes, key: str, blob: bytes) -> Optional[bytes]:
    """The payload of an entry written by :func:`seal` under ``key`` with this
    secret, else None (planted, copied from another key, or damaged)."""
    mac, sep, payload = blob.partition(b"\n")
    if not sep:
        return None
    expected = hmac.new(secret_key, key.encode() + b"\n" + payload, hashlib.sha256).hexdigest().encode()
    return payload if hmac.compare_digest(mac, expected) else None


def prepare(cache_dir: str) -> None:
    """Create the folder with its CACHEDIR.TAG and a .gitignore of ``*``."""
    os.makedirs(cache_dir, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")):
        path = os.path.join(cache_dir, name)
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)


def write_entry(path: str, blob: bytes) -> None:
    """Atomically (a reader sees the old entry, the new one, or none)."""
    folder = os.path.dirname(path)
    import tempfile  # only when writing: its imports are not paid on a warm run
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_entry(path: str, secret_key: bytes, key: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    return unseal(secret_key, key, blob)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """fitlint's version and the content of every one of its source files, so
    that a development change invalidates every entry."""
    return package_fingerprint(os.path.dirname(os.path.abspath(__file__)), __version__) + "\n" + _runtime()


def _runtime() -> str:
    """Python's version (FIT000 quotes its parser) and LibCST's, read without
    importing it."""
    from importlib.util import find_spec

    libcst = "?"
    try:
        spec = find_spec("libcst")
        if spec is not None and spec.submodule_search_locations:
            with open(os.path.join(list(spec.submodule_search_locations)[0], "_version.py"), "rb") as handle:
                libcst = content_hash(handle.read())
    except (OSError, ImportError, ValueError):
        pass
    return f"{sys.version}\n{sys.executable}\n{libcst}"


def package_fingerprint(package: str, version: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\n{version}\n".encode())
    names = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        names += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    for name in sorted(names):
        digest.update(os.path.relpath(name, package).encode() + b"\0")
        with open(name, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return content_hash(handle.read())
    except OSError:
        return ABSENT


# The dependencies the analysis of the current file reported (see note()).
_recording: Optional[List[Any]] = None


def recording() -> bool:
    """Whether a result being computed is to be stored (see Cache.lint)."""
    return _recording is not None


def note(dependencies: Sequence[Any]) -> None:
    """Called by the engine with ``Facts.dependencies`` after analysing a file."""
    if _recording is not None:
        _recording.extend(dependencies)


def _finding_to_dict(f: Any) -> Dict[str, Any]:
    return {"code": f.code, "name": f.name, "severity": f.severity, "message": f.message, "path": f.path,
            "line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
            "related": [[r.path, r.line, r.column, r.message, r.cell] for r in f.related], "hint": f.hint,
            "cell": f.cell, "program": f.program, "no_program": f.no_program, "evidence": list(f.evidence),
            "fix": f.fix.to_dict() if f.fix is not None else None}


def _finding_from_dict(d: Dict[str, Any]) -> Any:
    from .findings import Fix, Related, Reported

    related = [Related(p, line, col, msg, cell) for p, line, col, msg, cell in d["related"]]
    return Reported(code=d["code"], name=d["name"], severity=d["severity"], message=d["message"], path=d["path"],
                    line=d["line"], column=d["column"], end_line=d["end_line"], end_column=d["end_column"],
                    related=related, hint=d["hint"], cell=d["cell"], program=d["program"],
                    no_program=d["no_program"], evidence=tuple(d["evidence"]),
                    fix=Fix.from_dict(d["fix"]) if d.get("fix") else None)


@dataclass
class Cache:
    """Static results of one configuration. Picklable: worker processes get
    a copy and write their own entries."""

    folder: str  # the .fitlint_cache folder
    secret_key: bytes
    config: str  # what of the configuration changes findings
    fitlint: str = field(default_factory=fingerprint)

    @classmethod
    def open(cls, folder: str, codes: Sequence[str], programs: Optional[str]) -> Optional["Cache"]:
        key = secret()
        if key is None:
            return None
        config = json.dumps({"codes": sorted(codes), "programs": programs}, sort_keys=True)
        return cls(folder, key, config)

    def dependencies(self, paths: Sequence[str]) -> Optional[List[List[str]]]:
        """The dependencies recorded in the entries of ``paths`` (with the
        hashes they had), or None when a file has no valid entry."""
        out: Dict[str, str] = {}
        for path in paths:
            digest = file_hash(path)
            key = self.key(path, digest)
            payload = read_entry(self._entry(key), self.secret_key, key)
            if digest == ABSENT or payload is None:
                return None
            try:
                out.update((d, h) for d, h in json.loads(payload)["deps"])
            except (ValueError, KeyError, TypeError):
                return None
        return [[d, out[d]] for d in sorted(out)]

    def key(self, path: str, digest: str) -> str:
        # the working directory too: project modules are looked up from it
        text = f"static\n{self.fitlint}\n{self.config}\n{os.getcwd()}\n{path}\n{digest}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _entry(self, key: str) -> str:
        return os.path.join(self.folder, "static", key)

    def lookup(self, paths: Sequence[str]) -> Dict[str, list]:
        """The cached findings of every file whose entry is valid."""
        hits: Dict[str, list] = {}
        deps: Dict[str, str] = {}
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    digest = content_hash(handle.read())
            except OSError:
                continue
            key = self.key(path, digest)
            payload = read_entry(self._entry(key), self.secret_key, key)
            if payload is None:
                continue
            try:
                data = json.loads(payload)
                if any((deps[d] if d in deps else deps.setdefault(d, file_hash(d))) != h for d, h in data["deps"]):
                    continue
                hits[path] = [_finding_from_dict(f) for f in data["findings"]]
            except (ValueError, KeyError, TypeError):
                continue
        return hits

    def lint(self, path: str, codes: Sequence[str], programs: Optional[str]) -> Any:
        """``engine.lint_path``, storing the result when it is complete and the
        file did not change while it was analysed."""
        global _recording
        from .engine import lint_path

        before = file_hash(path)
        _recording = []
        try:
            result = lint_path(path, codes, programs)
            recorded = _recording
        finally:
            _recording = None
        if result.error is None and before != ABSENT:
            hashes: Dict[str, str] = {}
            for dep in recorded:  # a path, or (path, hash of the content the analysis read)
                name, digest = (dep, None) if isinstance(dep, str) else dep
                hashes[name] = digest or hashes.get(name) or file_hash(name)
            if file_hash(path) == before:
                self.store(path, before, result.findings, [[d, hashes[d]] for d in sorted(hashes)])
        return result

    def store(self, path: str, digest: str, findings: list, deps: List[List[str]]) -> None:
        key = self.key(path, digest)
        payload = json.dumps({"deps": deps, "findings": [_finding_to_dict(f) for f in findings]},
                             separators=(",", ":")).encode()
        try:
            prepare(self.folder)
            os.makedirs(os.path.join(self.folder, "static"), exist_ok=True)
            write_entry(self._entry(key), seal(self.secret_key, key, payload))
        except OSError:
            pass  # a read-only folder: no cache, same results


def clean(folder: str) -> bool:
    """Remove the cache folder; True when there was one."""
    if not os.path.isdir(folder):
        return False
    import shutil
    shutil.rmtree(folder)
    return True


def location(root: str) -> str:
    """The cache folder of a project: next to its configuration (the working
    directory when there is none)."""
    return os.path.join(root, DIR_NAME)



# Formats whose text depends only on the findings and the files (SARIF and
# the review formats also ask git where the repository's top is).
REPLAY_FORMATS = ("concise", "full", "json")


class _Tee:
    """A stream that also keeps what is written to it (``keep`` decides)."""

    def __init__(self, stream: Any, keep: bool = True) -> None:
        self.stream = stream
        self.keep = keep
        self.parts: List[str] = []

    def write(self, text: str) -> int:
        if self.keep or not text.startswith("\r"):  # progress lines start with a carriage return
            self.parts.append(text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@dataclass
class Replay:
    """A whole ``fitlint check`` answered from the cache: when the same
    command line ran in the same folder with the same configuration file,
    the same fitlint, the same files with the same content and unchanged
    dependencies, print what it printed and exit as it exited. This path
    imports neither the analysis nor the rules. Only runs without the dry
    run, --diff or --output-file, in the concise/full/json formats, that
    exited 0 or 1 with nothing on stderr, are recorded."""

    folder: str
    secret_key: bytes
    slot: str
    paths: List[str]
    exclude: List[str]
    root: str
    config: bytes
    signature: str = ""
    files: List[str] = field(default_factory=list)
    out: Optional[_Tee] = None
    err: Optional[_Tee] = None

    @classmethod
    def prepare(cls, args: Any, argv: Sequence[str]) -> Optional["Replay"]:
        if args.no_cache or args.output_file or args.diff or getattr(args, "changed_since", None) or args.confirm or \
                getattr(args, "fix", False) or getattr(args, "unsafe_fixes", False) or \
                getattr(args, "show_fixes", False) or \
                args.output_format not in REPLAY_FORMATS:
            return None
        paths = list(args.paths or ["."])
        key = secret()
        if "-" in paths or key is None:
            return None
        try:
            from . import config as configuration
            from .files import DEFAULT_EXCLUDE

            if args.config is not None and not os.path.isfile(args.config):
                return None
            config_path = args.config or configuration.find()
            raw = b""
            section: Dict[str, Any] = {}
            if config_path:
                with open(config_path, "rb") as handle:
                    raw = handle.read()
                data = configuration.tomllib.loads(raw.decode("utf-8"))
                section = data.get("tool", {}).get("fitlint", {}) if os.path.basename(config_path) == \
                    "pyproject.toml" else data
            confirm = section.get("confirm", {})
            if not isinstance(confirm, dict) or confirm.get("enabled") is not False and "enabled" in confirm:
                return None
            exclude = section.get("exclude")
            exclude = list(DEFAULT_EXCLUDE) if exclude is None else exclude
            exclude = exclude + section.get("extend-exclude", [])
            if not all(isinstance(e, str) for e in exclude):
                return None
            root = os.path.dirname(os.path.abspath(config_path)) if config_path else os.getcwd()
            slot = hashlib.sha256(json.dumps(["run", fingerprint(), os.getcwd(), list(argv),
                                              os.path.abspath(config_path) if config_path else None]).encode())
            replay = cls(location(root), key, slot.hexdigest(), paths, exclude, root, raw)
            state = replay._state()
        except Exception:  # whatever is wrong, the full run says it
            return None
        if state is None:
            return None
        replay.files, replay.signature = state
        return replay

    def _state(self) -> Optional[Tuple[List[str], str]]:
        from .files import discover

        files, missing = discover(self.paths, self.exclude, self.root)
        if missing:
            return None
        digest = hashlib.sha256(self.config)
        for path in files:
            digest.update(f"\0{path}\0{file_hash(path)}".encode())
        return files, digest.hexdigest()

    def _entry(self) -> str:
        return os.path.join(self.folder, "runs", self.slot)

    def answer(self) -> Optional[int]:
        """Print the recorded output and return the exit code, or None."""
        payload = read_entry(self._entry(), self.secret_key, "run/" + self.slot)
        if payload is None:
            return None
        try:
            data = json.loads(payload)
            if data["signature"] != self.signature or any(file_hash(d) != h for d, h in data["deps"]):
                return None
            stdout, code = data["stdout"], data["code"]
        except (ValueError, KeyError, TypeError):
            return None
        sys.stdout.write(stdout)
        return int(code)

    @contextmanager
    def capture(self) -> Iterator[None]:
        self.out, self.err = _Tee(sys.stdout), _Tee(sys.stderr, keep=False)
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.out, self.err  # type: ignore[assignment]
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved

    def record(self, args: Any, code: int) -> None:
        store: Optional[Cache] = getattr(args, "static_cache", None)
        if code not in (0, 1) or args.confirm or store is None or self.out is None or self.err is None \
                or self.err.parts:
            return
        deps = store.dependencies(self.files)
        if deps is None or self._state() != (self.files, self.signature):
            return  # a file changed while it was checked
        payload = json.dumps({"signature": self.signature, "deps": deps, "stdout": "".join(self.out.parts),
                              "code": code}).encode()
        try:
            prepare(self.folder)
            os.makedirs(os.path.join(self.folder, "runs"), exist_ok=True)
            write_entry(self._entry(), seal(self.secret_key, "run/" + self.slot, payload))
        except OSError:
            pass
