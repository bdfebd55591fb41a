"""Suggest complementary partners, pair the room for speed meetings and propose ecosystems.

Pure functions over plain values: no requests, no database. Scores follow METHOD.md section 3:
what one offers that the other needs (both ways), reciprocity, sector affinity, shared interest in
the same ideas, different realms, minus a penalty for pure competitors and for distance.

The work is split by subject; this package re-exports the public names:

- `scoring`: profiles, reasons and the score of one pair (`score_pair`, `explain`);
- `candidates`: which pairs are worth scoring, and the order of a business's partners;
- `matrix`: many pairs at once as sparse matrices (large regions, speed meetings);
- `ranking`: each business's best partners (`top_partners`, `suggest`, `build_graph`) and the
  leader's marks and outcomes applied to them (`apply_feedback`);
- `meeting`: speed-meeting rounds;
- `ecosystems`: proposed groups that cover a visitor's day;
- `figure`: the partner network as a picture.

Each name is loaded from its module when first used (PEP 562), so importing the package costs
nothing: the method report draws the network figure without loading the scoring engine.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Each public name and the submodule that defines it.
_SOURCES = {
    "candidates": (
        "AFFINITY_FANOUT",
        "AFFINITY_FILL",
        "STRONG_AFFINITY",
        "TOP_SAFE",
        "_edges_by_index",
        "candidate_pairs",
    ),
    "ecosystems": ("Ecosystem", "ecosystems"),
    "figure": ("network_figure",),
    "matrix": ("MATRIX_FROM", "_edges_by_matrix", "score_matrix"),
    "meeting": ("EXACT_MATCHING_UP_TO", "Meeting", "matching_weight", "speed_meeting"),
    "ranking": (
        "Feedback",
        "apply_feedback",
        "build_graph",
        "pair_kind",
        "partner_edges",
        "suggest",
        "top_partners",
    ),
    "scoring": (
        "WEIGHTS",
        "PairScore",
        "Profile",
        "Reason",
        "Suggestion",
        "Weights",
        "_score",
        "explain",
        "score_pair",
    ),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}

__all__ = [
    "AFFINITY_FANOUT",
    "AFFINITY_FILL",
    "EXACT_MATCHING_UP_TO",
    "MATRIX_FROM",
    "STRONG_AFFINITY",
    "TOP_SAFE",
    "WEIGHTS",
    "Ecosystem",
    "Feedback",
    "Meeting",
    "PairScore",
    "Profile",
    "Reason",
    "Suggestion",
    "Weights",
    "_edges_by_index",
    "_edges_by_matrix",
    "_score",
    "apply_feedback",
    "build_graph",
    "candidate_pairs",
    "ecosystems",
    "explain",
    "matching_weight",
    "network_figure",
    "pair_kind",
    "partner_edges",
    "score_matrix",
    "score_pair",
    "speed_meeting",
    "suggest",
    "top_partners",
]


def __getattr__(name: str) -> Any:
    """Load a public name (or a submodule) the first time it is asked for."""
    module = _MODULE_OF.get(name)
    if module is None and name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(f"{__name__}.{module or name}")
    value = getattr(loaded, name) if module else loaded
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF) | set(_SOURCES))


class _Package(types.ModuleType):
    """This package's module object. Loading a submodule sets the package's attribute of its
    name; for `ecosystems`, a submodule and its function, the attribute stays the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _MODULE_OF and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # the names as type checkers and editors see them
    from workshops.businesses.pairing.candidates import (
        AFFINITY_FANOUT,
        AFFINITY_FILL,
        STRONG_AFFINITY,
        TOP_SAFE,
        _edges_by_index,
        candidate_pairs,
    )
    from workshops.businesses.pairing.ecosystems import Ecosystem, ecosystems
    from workshops.businesses.pairing.figure import network_figure
    from workshops.businesses.pairing.matrix import MATRIX_FROM, _edges_by_matrix, score_matrix
    from workshops.businesses.pairing.meeting import (
        EXACT_MATCHING_UP_TO,
        Meeting,
        matching_weight,
        speed_meeting,
    )
    from workshops.businesses.pairing.ranking import (
        Feedback,
        apply_feedback,
        build_graph,
        pair_kind,
        partner_edges,
        suggest,
        top_partners,
    )
    from workshops.businesses.pairing.scoring import (
        WEIGHTS,
        PairScore,
        Profile,
        Reason,
        Suggestion,
        Weights,
        _score,
        explain,
        score_pair,
    )
