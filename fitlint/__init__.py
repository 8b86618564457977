"""fitlint: find the bugs that make Keras ``model.fit`` fail, before it runs."""

__version__ = "0.1.0"
