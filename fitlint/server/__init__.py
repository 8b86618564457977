"""The language server (``fitlint server``); needs the ``lsp`` extra (pygls)."""
from .server import FitlintServer, create, start

__all__ = ["FitlintServer", "create", "start"]
