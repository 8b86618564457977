"""The language server (``fitlint server``); needs the ``lsp`` extra (pygls).

The server itself (pygls, lsprotocol) is imported when first named, so that
its LSP-free parts (``edits``, ``incremental``) load without it."""
from typing import Any

__all__ = ["FitlintServer", "create", "start"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
