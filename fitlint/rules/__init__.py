"""The rule table: every rule by code and by name, and rule selection."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Type

from .base import Context, Rule
from .file import InternalErrorRule, SyntaxErrorRule
from .inputs import (
    ImplicitTrailingAxis, InputDimMismatch, InputRankMismatch, InputShapeIncludesSamples, InvalidInputDtype,
    MissingBatchAxis, MissingModelInput, SampleCountMismatch, UnbatchedDataset, UnknownInputKey,
)
from .labels import (
    BinaryLossShapeMismatch, CategoricalLossIntegerLabels, LabelWidthMismatch, NumClassesTooSmall,
    OneHotDepthTooSmall, OutputRankMismatch, RegressionTargetMismatch, SingleUnitSoftmax, SparseLabelOutOfRange,
    SparseLossOneHotLabels,
)
from .graph import (
    EmbeddingIndexOutOfRange, LayerRankMismatch, MergeShapeMismatch, NonPositiveOutputSize, ReshapeSizeMismatch,
    VocabularyExceedsEmbedding, WeightsShapeMismatch,
)
from .applications import ApplicationInputShape
from .ops import BroadcastMismatch, MatmulShapeMismatch, MixedDtypeOp
from .workflow import DryRunFailure, FitBeforeCompile, UnscaledImageInput

ALL_RULES: List[Type[Rule]] = sorted([
    SyntaxErrorRule, InternalErrorRule,
    InputRankMismatch, InputDimMismatch, InputShapeIncludesSamples, MissingModelInput, UnknownInputKey,
    UnbatchedDataset, InvalidInputDtype, MissingBatchAxis, SampleCountMismatch, ImplicitTrailingAxis,
    SparseLabelOutOfRange, CategoricalLossIntegerLabels, SparseLossOneHotLabels, LabelWidthMismatch,
    OutputRankMismatch, BinaryLossShapeMismatch, RegressionTargetMismatch, OneHotDepthTooSmall,
    SingleUnitSoftmax, NumClassesTooSmall,
    EmbeddingIndexOutOfRange, LayerRankMismatch, NonPositiveOutputSize, ReshapeSizeMismatch, MergeShapeMismatch,
    WeightsShapeMismatch, VocabularyExceedsEmbedding, ApplicationInputShape,
    MatmulShapeMismatch, MixedDtypeOp, BroadcastMismatch,
    FitBeforeCompile, UnscaledImageInput, DryRunFailure,
], key=lambda r: r.code)

BY_CODE: Dict[str, Type[Rule]] = {r.code: r for r in ALL_RULES}
BY_NAME: Dict[str, Type[Rule]] = {r.name: r for r in ALL_RULES}
# Codes split into two (one code, one severity): the old code stands for
# both in selection, ``# noqa`` and per-file-ignores.
SPLIT: Dict[str, List[str]] = {
    old: [r.code for r in ALL_RULES if r.split_from == old]
    for old in sorted({r.split_from for r in ALL_RULES if r.split_from})
}


def aliases(code: str) -> List[str]:
    """The codes a rule code stands for: itself and the codes split from it."""
    return [code] + SPLIT.get(code, [])


class SelectionError(ValueError):
    pass


def lookup(selector: str) -> Optional[Type[Rule]]:
    """A rule by exact code or name."""
    return BY_CODE.get(selector.upper()) or BY_NAME.get(selector.lower())


def expand(selector: str) -> List[Type[Rule]]:
    """Rules matching a code, a code prefix (``FIT2``, ``FIT``, ``ALL``) or a name."""
    sel = selector.strip()
    if not sel:
        return []
    rule = lookup(sel)
    if rule is not None:
        return [BY_CODE[code] for code in aliases(rule.code)]
    upper = sel.upper()
    if upper == "ALL":
        return list(ALL_RULES)
    if upper.startswith("FIT"):
        matches = [r for r in ALL_RULES if r.code.startswith(upper)]
        if matches:
            return matches
    raise SelectionError(f"unknown rule code or name: {selector!r} (see `fitlint rule --all`)")


def select(select: Optional[Sequence[str]] = None, extend_select: Sequence[str] = (),
           ignore: Sequence[str] = ()) -> List[Type[Rule]]:
    """The rules to run: ``select`` (or the defaults), plus ``extend_select``,
    minus ``ignore``, in code order."""
    if select is None:
        chosen = {r for r in ALL_RULES if r.default}
    else:
        chosen = {r for s in select for r in expand(s)}
    chosen |= {r for s in extend_select for r in expand(s)}
    chosen -= {r for s in ignore for r in expand(s)}
    return sorted(chosen, key=lambda r: r.code)


__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "SPLIT", "Context", "Rule", "SelectionError", "aliases", "expand", "lookup",
           "select"]
