"""Configuration: ``[tool.fitlint]`` in the nearest ``pyproject.toml``, or a
``fitlint.toml`` (top-level keys), the closest file to the working directory
winning; command-line options override it.

Every mistake — an unknown key, a value of the wrong type, an unknown rule
code — is a :class:`ConfigError` that names the file and the key.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11
    import tomli as tomllib

class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Optional[str] = None
    select: Optional[List[str]] = None
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: Optional[List[str]] = None
    extend_exclude: List[str] = field(default_factory=list)
    force_exclude: bool = False  # excludes apply to files named explicitly too
    confirm_enabled: bool = False
    confirm_timeout: float = 60.0
    confirm_memory: int = 4096  # MB the dry-run worker may allocate beyond TensorFlow itself
    confirm_budget: float = 600.0  # seconds for the whole dry run

    @property
    def root(self) -> str:
        """Paths in the configuration are relative to its folder."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()


_LIST_KEYS = {"select", "extend-select", "ignore", "exclude", "extend-exclude"}
_CODE_KEYS = {"select", "extend-select", "ignore"}
_KEYS = _LIST_KEYS | {"per-file-ignores", "confirm", "force-exclude"}
_CONFIRM_KEYS = {"timeout", "enabled", "memory", "budget"}


def find(start: Optional[str] = None) -> Optional[str]:
    """The closest configuration file from ``start`` (default: the working
    directory) upwards: a fitlint.toml, or a pyproject.toml with [tool.fitlint]."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, "fitlint.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate) and _has_section(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_section(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return False
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return b"tool.fitlint" in raw  # broken, but meant for fitlint: load() says what is wrong
    return isinstance(data.get("tool"), dict) and "fitlint" in data["tool"]


def load(path: Optional[str]) -> Config:
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        section = data.get("tool", {}).get("fitlint", {})
        prefix = "tool.fitlint"
    else:
        section = data
        prefix = ""
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{prefix}] must be a table")
    return _parse(path, prefix, section)


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _strings(path: str, name: str, value: Any) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {name} must be a list of strings")
    return list(value)


def _codes(path: str, name: str, value: Any) -> List[str]:
    from .rules import SelectionError, expand  # here: reading a configuration needs no analysis

    codes = _strings(path, name, value)
    for code in codes:
        try:
            expand(code)
        except SelectionError:
            raise ConfigError(f"{path}: {name}: unknown rule code or name {code!r}") from None
    return codes


def _parse(path: str, prefix: str, section: Dict[str, Any]) -> Config:
    config = Config(path=path)
    for key, value in section.items():
        name = _key(prefix, key)
        if key not in _KEYS:
            raise ConfigError(f"{path}: unknown key {name!r} (known: {', '.join(sorted(_KEYS))})")
        if key in _CODE_KEYS:
            setattr(config, key.replace("-", "_"), _codes(path, name, value))
        elif key in _LIST_KEYS:
            setattr(config, key.replace("-", "_"), _strings(path, name, value))
        elif key == "force-exclude":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: {name} must be true or false")
            config.force_exclude = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {name} must be a table of glob = [codes]")
            config.per_file_ignores = {glob: _codes(path, f"{name}.{glob!r}", codes) for glob, codes in value.items()}
        elif key == "confirm":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {name} must be a table")
            for ckey, cvalue in value.items():
                cname = f"{name}.{ckey}"
                if ckey not in _CONFIRM_KEYS:
                    raise ConfigError(f"{path}: unknown key {cname!r} (known: {', '.join(sorted(_CONFIRM_KEYS))})")
                if ckey in ("timeout", "budget"):
                    if isinstance(cvalue, bool) or not isinstance(cvalue, (int, float)) or not 0 < cvalue < float("inf"):
                        raise ConfigError(f"{path}: {cname} must be a positive number of seconds")
                    setattr(config, f"confirm_{ckey}", float(cvalue))
                elif ckey == "memory":
                    if isinstance(cvalue, bool) or not isinstance(cvalue, int) or cvalue <= 0:
                        raise ConfigError(f"{path}: {cname} must be a positive whole number of megabytes")
                    config.confirm_memory = cvalue
                elif not isinstance(cvalue, bool):
                    raise ConfigError(f"{path}: {cname} must be true or false")
                else:
                    config.confirm_enabled = cvalue
    return config
