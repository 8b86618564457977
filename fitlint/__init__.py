"""fitlint: find the bugs that make Keras ``model.fit`` fail, before it runs."""

__version__ = "0.1.0"
DOCS_URL = "https://github.com/fitlint/fitlint/blob/main/docs/rules.md"
