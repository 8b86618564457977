"""fitlint as a library: what the command line, the language server and the
pre-commit hook are thin layers over.

- :func:`load_config`: the configuration that applies to a path;
- :func:`select_rules`: the rules a configuration (and options) select;
- :func:`check_source`: the findings of one source text (a script, or a
  notebook when the path ends in ``.ipynb``);
- :func:`discover` and :func:`check_paths`: the findings of files and folders;
- :func:`explain`: what the analysis knows of the name (or ``# noqa`` code)
  at a position, from the same facts as ``fitlint shapes``.

Importing this module loads neither the analysis nor the rules: each function
imports what it needs.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, List, Optional, Sequence, Type, Union

from .config import Config, ConfigError, find as _find_config, load as _load

if TYPE_CHECKING:  # pragma: no cover - types only
    from .cache import Cache
    from .engine import RunResult
    from .explain import Explanation
    from .findings import Reported
    from .rules import Rule

__all__ = ["Config", "ConfigError", "SelectionError", "MissingPaths", "load_config", "select_rules", "check_source",
           "discover", "check_paths", "explain"]


class MissingPaths(ValueError):
    """Paths given to check that do not exist."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(", ".join(paths))
        self.paths = list(paths)


def __getattr__(name: str):
    if name == "SelectionError":  # the rules' own exception, imported on use
        from .rules import SelectionError

        return SelectionError
    raise AttributeError(name)


def load_config(path: Optional[str] = None, config_file: Optional[str] = None) -> Config:
    """The configuration ``config_file`` names, else the nearest one from
    ``path`` upwards (a file's folder; default: the working directory), else
    the defaults. Raises :class:`ConfigError` when it cannot be read."""
    if config_file is not None:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such file")
        return _load(config_file)
    start = None
    if path is not None:
        start = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    return _load(_find_config(start))


def select_rules(config: Config, select: Optional[Sequence[str]] = None, extend_select: Iterable[str] = (),
                 ignore: Iterable[str] = ()) -> List[Type["Rule"]]:
    """The rules to run: ``select`` (default: the configuration's, else the
    default rules), plus the configuration's and the given ``extend_select``,
    minus the configuration's and the given ``ignore``. Raises
    ``SelectionError`` for an unknown code or name."""
    from .rules import select as selected

    return selected(select if select is not None else config.select,
                    list(config.extend_select) + list(extend_select), list(config.ignore) + list(ignore))


def check_source(source: Union[bytes, str], path: str, config: Optional[Config] = None,
                 rules: Optional[Sequence[Type["Rule"]]] = None, programs: Optional[str] = None) -> List["Reported"]:
    """The findings of one file's content, sorted, with ``# noqa`` comments
    and the configuration's ``per-file-ignores`` applied. ``config`` defaults
    to the one that applies to ``path``, ``rules`` to its selection.
    ``programs``: see :func:`fitlint.engine.lint_source`."""
    from . import engine

    if config is None:
        config = load_config(path)
    if rules is None:
        rules = select_rules(config)
    findings = engine.lint_source(source, path, rules, programs)
    findings.sort(key=lambda f: f.sort_key())
    return engine.per_file_ignores(findings, config.per_file_ignores, config.root)


def discover(paths: Sequence[str], config: Config) -> List[str]:
    """The files to check under ``paths``, with the configuration's
    excludes applied (to files named explicitly too when its
    ``force_exclude`` is set). Raises :class:`MissingPaths`."""
    from . import engine

    exclude = list(config.exclude if config.exclude is not None else engine.DEFAULT_EXCLUDE)
    files, missing = engine.discover(paths, exclude + list(config.extend_exclude), config.root,
                                     force_exclude=config.force_exclude)
    if missing:
        raise MissingPaths(missing)
    return files


def check_paths(paths: Sequence[str], config: Config, rules: Optional[Sequence[Type["Rule"]]] = None,
                jobs: Optional[int] = None, progress: bool = False, programs: Optional[str] = None,
                cache: Optional["Cache"] = None) -> "RunResult":
    """The findings of every file under ``paths`` (see :func:`discover`),
    ``per-file-ignores`` applied; files that could not be read are in
    ``errors``. Raises :class:`MissingPaths`."""
    from . import engine

    if rules is None:
        rules = select_rules(config)
    result = engine.run(discover(paths, config), rules, jobs=jobs, progress=progress, programs=programs, cache=cache)
    result.findings = engine.per_file_ignores(result.findings, config.per_file_ignores, config.root)
    return result


def explain(source: Union[bytes, str], path: str, line: int, column: int,
            cell: Optional[int] = None) -> Optional["Explanation"]:
    """What is known at a 1-based ``line`` and ``column`` (within ``cell``
    of a notebook): a model's summary, a value's shape, dtype, range and
    where it was built, or the documentation of a rule code in a ``# noqa``
    comment. None when there is nothing to say."""
    from .explain import explain as explained

    return explained(source, path, line, column, cell)

