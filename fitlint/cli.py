"""Command line: ``fitlint check``, ``fitlint shapes``, ``fitlint rule``, ``fitlint clean``, ``fitlint server``,
``fitlint --version``.

Exit codes: 0 no findings, 1 findings, 2 usage error or internal error.
"""
from __future__ import annotations

import argparse
import sys
from typing import List, NoReturn, Optional, Sequence, Tuple

from . import __version__

# The names of fitlint.output.FORMATS (imported only when a report is rendered:
# a run answered from the cache imports neither the analysis nor the rules).
OUTPUT_FORMATS = ("concise", "full", "github", "json", "rdjson", "sarif")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with one clear line, like argparse, but no usage dump
        sys.stderr.write(f"fitlint: error: {message}\n")
        sys.exit(2)


def _codes(value: str) -> List[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fitlint", description="Find the bugs that make Keras model.fit fail, before it runs.")
    parser.add_argument("--version", action="version", version=f"fitlint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="lint files, directories, or - for stdin")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--select", type=_codes, default=None, metavar="CODES",
                       help="comma-separated codes, prefixes (FIT2) or names to check instead of the defaults")
    check.add_argument("--extend-select", type=_codes, default=[], metavar="CODES", help="add to the selection")
    check.add_argument("--ignore", type=_codes, default=[], metavar="CODES", help="remove from the selection")
    check.add_argument("--output-format", choices=OUTPUT_FORMATS, default="concise")
    check.add_argument("--stdin-filename", default=None, metavar="NAME", help="the name to report for - (stdin)")
    check.add_argument("--output-file", default=None, metavar="FILE", help="write the report to FILE")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="parallel processes (default: one per core, up to 8, for 16+ files)")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply the excludes to files named on the command line too (for pre-commit)")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    check.add_argument("--confirm", action="store_const", const="errors", default=None,
                       help="run a TensorFlow dry run of each error finding (--confirm=all: also of every fully "
                            "known fit/evaluate/predict call); needs the `confirm` extra")
    check.add_argument("--confirm-all", dest="confirm", action="store_const", const="all", help=argparse.SUPPRESS)
    check.add_argument("--show-refuted", action="store_true", help="keep findings the dry run refuted")
    check.add_argument("--confirm-timeout", type=float, default=None, metavar="SECONDS",
                       help="time limit per dry-run case (default 60)")
    check.add_argument("--confirm-memory", type=int, default=None, metavar="MB",
                       help="memory limit of the dry-run worker, beyond what TensorFlow takes to load (default 4096)")
    check.add_argument("--confirm-budget", type=float, default=None, metavar="SECONDS",
                       help="time limit of the whole dry run (default 600)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write .fitlint_cache")
    check.add_argument("--config", default=None, metavar="FILE",
                       help="a pyproject.toml or fitlint.toml to use instead of the nearest one")
    check.add_argument("--statistics", action="store_true", help="print a count per rule instead of the findings")
    check.add_argument("--changed-since", default=None, metavar="REV",
                       help="report only findings on lines changed since git revision REV (and untracked files)")
    check.add_argument("--diff", default=None, metavar="REV",
                       help="the former name of --changed-since (deprecated; still works)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes, check again and report what remains")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply (or show) the unsafe fixes; implies --fix unless --show-fixes")
    check.add_argument("--show-fixes", action="store_true",
                       help="print the fixes as a unified diff instead of the findings; write nothing")

    shapes = sub.add_parser("shapes", help="show each model's inferred shapes and what is known at every fit call")
    shapes.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    shapes.add_argument("--output-format", choices=("text", "json"), default="text")
    shapes.add_argument("--output-file", default=None, metavar="FILE", help="write the report to FILE")
    shapes.add_argument("--stdin-filename", default=None, metavar="NAME", help="the name to report for - (stdin)")
    shapes.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="parallel processes (default: one per core, up to 8, for 16+ files)")
    shapes.add_argument("--force-exclude", action="store_true",
                        help="apply the excludes to files named on the command line too")
    shapes.add_argument("--config", default=None, metavar="FILE",
                        help="a pyproject.toml or fitlint.toml to use instead of the nearest one")
    clean = sub.add_parser("clean", help="remove the result cache (.fitlint_cache)")
    clean.add_argument("--config", default=None, metavar="FILE",
                       help="the configuration whose folder holds the cache (default: the nearest one)")

    server = sub.add_parser("server", help="run the language server over stdio (needs the `lsp` extra)")
    server.add_argument("--check-delay", type=float, default=None, metavar="SECONDS",
                        help="wait this long after the last edit before checking (default 0.15)")

    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", nargs="?", help="a rule code or name, e.g. FIT201")
    rule.add_argument("--all", action="store_true", help="list every rule")
    return parser


def _rule(args: argparse.Namespace) -> int:
    from .rules import ALL_RULES, lookup

    if args.all:
        for r in ALL_RULES:
            state = "" if r.default else "  (off by default)"
            print(f"{r.code}  {r.name:<34} {r.severity:<8} {r.summary}{state}")
        return 0
    if not args.code:
        sys.stderr.write("fitlint: error: give a rule code or name, or --all\n")
        return 2
    r = lookup(args.code)  # type: ignore[assignment]
    if r is None:
        sys.stderr.write(f"fitlint: error: unknown rule {args.code!r} (see `fitlint rule --all`)\n")
        return 2
    from .docs import fix_line

    print(f"# {r.code} {r.name} ({r.severity}{', off by default' if not r.default else ''})\n")
    print(fix_line(r) + "\n")
    print(r.doc())
    return 0


def _load_config(args: argparse.Namespace):
    """The configuration ``--config`` names, else the nearest one; None after
    printing the error (exit 2) when it cannot be read."""
    from .api import ConfigError, load_config

    try:
        return load_config(config_file=args.config)
    except ConfigError as exc:
        sys.stderr.write(f"fitlint: error: {exc}\n")
        return None


def _check(args: argparse.Namespace) -> int:
    from . import api, engine
    from .output import FORMATS, fixed_note, statistics, summary
    from .rules import SelectionError

    config = _load_config(args)
    if config is None:
        return 2
    try:
        rules = api.select_rules(config, args.select, args.extend_select, args.ignore)
    except SelectionError as exc:
        sys.stderr.write(f"fitlint: error: {exc}\n")
        return 2
    if args.confirm is None and config.confirm_enabled:
        args.confirm = "errors"
    if args.confirm_timeout is None:
        args.confirm_timeout = config.confirm_timeout
    if args.confirm_memory is None:
        args.confirm_memory = config.confirm_memory
    if args.confirm_budget is None:
        args.confirm_budget = config.confirm_budget
    if args.confirm_memory < 1 or args.confirm_budget <= 0 or args.confirm_timeout <= 0:
        sys.stderr.write("fitlint: error: --confirm-timeout, --confirm-memory and --confirm-budget must be positive\n")
        return 2
    if args.jobs is not None and args.jobs < 1:
        sys.stderr.write("fitlint: error: --jobs must be at least 1\n")
        return 2
    if args.confirm:
        from .confirm import MissingTensorFlow, tensorflow_version

        try:
            tensorflow_version()
        except MissingTensorFlow as exc:
            sys.stderr.write(f"fitlint: error: {exc}\n")
            return 2
    programs = args.confirm
    paths = args.paths or ["."]
    if "-" in paths:
        if len(paths) > 1:
            sys.stderr.write("fitlint: error: - (stdin) cannot be combined with other paths\n")
            return 2
        source = sys.stdin.buffer.read()
        name = args.stdin_filename or "-"
        findings = api.check_source(source, name, config, rules, programs)
        errors = []
    else:
        config.force_exclude = config.force_exclude or args.force_exclude
        try:
            result = api.check_paths(paths, config, rules, jobs=args.jobs, progress=sys.stderr.isatty(),
                                     programs=programs, cache=_static_cache(args, config, rules, programs))
        except api.MissingPaths as exc:
            for m in exc.paths:
                sys.stderr.write(f"fitlint: error: {m}: no such file or directory\n")
            return 2
        findings, errors = result.findings, result.errors
    since, option = (args.changed_since, "--changed-since") if args.changed_since else (args.diff, "--diff")
    if since:
        from .gitdiff import DiffError, changed_lines, only_changed

        if option == "--diff":
            sys.stderr.write("fitlint: warning: --diff is deprecated, use --changed-since (same meaning)\n")
        try:
            findings = only_changed(findings, changed_lines(since))
        except DiffError as exc:
            sys.stderr.write(f"fitlint: error: {option} {since}: {exc}\n")
            return 2
    fixed = None
    if args.fix or args.unsafe_fixes or args.show_fixes:
        if "-" in paths:
            sys.stderr.write("fitlint: error: --fix, --unsafe-fixes and --show-fixes need files, not - (stdin)\n")
            return 2
        from . import fixes

        def recheck(path: str, text: str) -> List:
            found = engine.lint_source(text.encode("utf-8"), path, rules, programs)
            return engine.per_file_ignores(found, config.per_file_ignores, config.root)

        results = _fix_files(findings, args.unsafe_fixes, recheck, 1 if since else fixes.MAX_ROUNDS)
        if args.show_fixes:
            sys.stdout.write("".join(r.diff() for r in results))
            if not args.quiet:
                n = sum(r.fixed for r in results)
                sys.stderr.write(f"fitlint: would fix {n} finding{'s' * (n != 1)} in {len(results)} "
                                 f"file{'s' * (len(results) != 1)}\n")
            return 1 if results else 0
        for r in results:
            fixes.write_text(r.path, r.after)
        done = {r.path for r in results}
        findings = [f for f in findings if f.path not in done] + [f for r in results for f in r.findings]
        findings.sort(key=lambda f: f.sort_key())
        if since:
            findings = only_changed(findings, changed_lines(since))
        fixed = (sum(r.fixed for r in results), len(results)) if results else None
    refuted = 0
    if args.confirm:
        from .confirm import confirm

        findings = confirm(findings, timeout=args.confirm_timeout,
                           cache_dir=None if args.no_cache else _cache_location(config),
                           progress=sys.stderr.isatty(), memory=args.confirm_memory, budget=args.confirm_budget)
        refuted = sum(1 for f in findings if (f.confirmation or {}).get("status") == "refuted")
        if not args.show_refuted:
            findings = [f for f in findings if (f.confirmation or {}).get("status") != "refuted"]
    if args.statistics:
        text = statistics(findings)
    else:
        text = FORMATS[args.output_format](findings)
    if args.output_format in ("concise", "full") and not args.quiet:
        text += summary(findings, refuted, len(errors), fixed) + "\n"
    elif fixed is not None and not args.quiet:
        sys.stderr.write(f"fitlint: {fixed_note(*fixed)}\n")
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            sys.stderr.write(f"fitlint: error: cannot write {args.output_file}: {exc.strerror or exc}\n")
            return 2
    else:
        sys.stdout.write(text)
    for path, message in errors:
        sys.stderr.write(f"fitlint: {path}: {message}\n")
    if errors:
        return 2
    failing = [f for f in findings if (f.confirmation or {}).get("status") != "refuted"]
    if failing and not args.exit_zero:
        return 1
    return 0


def _fix_files(findings: List, unsafe: bool, recheck, rounds: int) -> List:
    """Fix every file with a wanted fix (see fitlint.fixes); the results of
    the files that changed. Notebooks are left alone, with a note."""
    from . import fixes

    by_path: dict = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    results = []
    for path, found in by_path.items():
        if not any(fixes.wanted(f.fix, unsafe) for f in found):
            continue
        if path.endswith(".ipynb"):
            sys.stderr.write(f"fitlint: note: {path}: fixes are not applied to notebooks\n")
            continue
        text = fixes.read_text(path)
        if text is None:
            sys.stderr.write(f"fitlint: note: {path}: not fixed (not readable as UTF-8)\n")
            continue
        result = fixes.fix_text(path, text, found, unsafe, recheck, rounds)
        if result.changed:
            results.append(result)
    return results


def _shapes(args: argparse.Namespace) -> int:
    from . import api, shapes
    from .output.shapes import SHAPE_FORMATS

    config = _load_config(args)
    if config is None:
        return 2
    if args.jobs is not None and args.jobs < 1:
        sys.stderr.write("fitlint: error: --jobs must be at least 1\n")
        return 2
    paths = args.paths or ["."]
    if "-" in paths:
        if len(paths) > 1:
            sys.stderr.write("fitlint: error: - (stdin) cannot be combined with other paths\n")
            return 2
        result = shapes.shapes_source(sys.stdin.buffer.read(), args.stdin_filename or "-")
        errors: List[Tuple[str, str]] = []
        models, calls = (result.models, result.calls) if result.direct else ([], [])
    else:
        config.force_exclude = config.force_exclude or args.force_exclude
        try:
            files_list = api.discover(paths, config)
        except api.MissingPaths as exc:
            for m in exc.paths:
                sys.stderr.write(f"fitlint: error: {m}: no such file or directory\n")
            return 2
        models, calls, errors = shapes.run(files_list, jobs=args.jobs)
    text = SHAPE_FORMATS[args.output_format](models, calls, shapes.summary(calls))
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            sys.stderr.write(f"fitlint: error: cannot write {args.output_file}: {exc.strerror or exc}\n")
            return 2
    else:
        sys.stdout.write(text)
    for path, message in errors:
        sys.stderr.write(f"fitlint: {path}: {message}\n")
    return 2 if errors else 0


def _cache_location(config) -> str:
    from .cache import location

    return location(config.root)


def _static_cache(args: argparse.Namespace, config, rules, programs: Optional[str]):
    """The static result cache for this run, or None (--no-cache, no key)."""
    if args.no_cache:
        return None
    from .cache import Cache

    args.static_cache = Cache.open(_cache_location(config), [r.code for r in rules], programs)
    return args.static_cache


def _check_replayed(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``fitlint check``, answered from the cache when the same command ran
    on the same files, configuration and fitlint before (see fitlint.cache.Replay)."""
    from .cache import Replay

    replay = Replay.prepare(args, argv)
    if replay is None:
        return _check(args)
    code = replay.answer()
    if code is not None:
        return code
    with replay.capture():
        code = _check(args)
    replay.record(args, code)
    return code


def _clean(args: argparse.Namespace) -> int:
    from .cache import clean

    config = _load_config(args)
    if config is None:
        return 2
    folder = _cache_location(config)
    try:
        if clean(folder):
            print(f"removed {folder}")
    except OSError as exc:
        sys.stderr.write(f"fitlint: error: cannot remove {folder}: {exc.strerror or exc}\n")
        return 2
    return 0


def _server(args: argparse.Namespace) -> int:
    try:
        from .server import start
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        sys.stderr.write(f"fitlint: error: `fitlint server` needs pygls ({exc}); install it with:\n"
                         "    pip install 'fitlint[lsp]'\n")
        return 2
    return start(args.check_delay)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(argv):
        if arg.startswith("--confirm="):
            value = arg.split("=", 1)[1]
            if value not in ("errors", "all"):
                parser.error(f"argument --confirm: invalid choice: {value!r} (choose from 'errors', 'all')")
            argv[i] = "--confirm-all" if value == "all" else "--confirm"
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check_replayed(args, argv)
    if args.command == "rule":
        return _rule(args)
    if args.command == "shapes":
        return _shapes(args)
    if args.command == "clean":
        return _clean(args)
    if args.command == "server":
        return _server(args)
    parser.print_help()
    return 2


def entry() -> None:
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    sys.exit(code)
