"""Cross-validate the pairing score's weights over the labelled regions (issue 17).

Leave one region out: for each labelled region of `bench.pairing_quality`, the score's weights
(`scoring.Weights`; the taxonomy stays as it is) are searched on the other regions, for the
highest mean NDCG@3 on the first reader's labels, and a weight vector that puts a labelled
competitor in a top 3 of any of those regions is rejected. The held-out region is then scored with
the chosen weights, beside its figure with the weights in scoring.py (the baseline, same process).
The held-out figures say whether tuning weights on some regions helps a region it never saw.

The search is coarse and bounded: a few plausible values per weight (`SEARCH`), a seeded random
draw of vectors from that grid scored on every region once, then, from the best of them (or the
current weights unless one beats them by `MIN_GAIN`), passes of coordinate search, one weight at a
time, keeping a value only when it raises the mean by at least `MIN_GAIN`; last, a searched weight
that does not raise the mean goes back to its current value. Weights left out of the search:
`match` (the scale: the other additive terms are searched relative to it), `competitor` (a flagged
competitor is never in a top 3, whatever its penalty) and the distance and realm terms (the
regions give no coordinates and no realms). Every vector is scored through
`pairing.top_partners`, as the app ranks partners, and each (vector, region) once.

The folds run twice: for the highest training mean, then also under the project's rule on the
training regions (no region more than `DROP` below its figure with the current weights). Then:
the weights searched on all regions (free and under the rule) and the per-weight median of each
run's folds, each scored on every region; and each region's figure with weights searched on it
alone, the best this search finds for the region's own labels (an optimistic bound: what is left
above it is the features' or the labels', not the weights'); and the ceiling of any score, the
region's candidate pairs (which no weight changes) ranked by their labels.

    python -m bench.pairing_weights             # about 40 s on a busy 2-core machine
    python -m bench.pairing_weights --pool 0    # coordinate search from the current weights only
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace

from bench.pairing_quality import REGIONS, TOP, Labels, available, load_region, ndcg_at
from workshops.businesses import pairing
from workshops.businesses.pairing import Profile, Weights

# Plausible values per searched weight (each holds scoring.py's value; the search starts there).
SEARCH: Mapping[str, tuple[float, ...]] = {
    "reciprocity": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5),
    "affinity": (1.0, 1.5, 2.0, 2.5, 3.0, 4.0),
    "shared_interest": (1.0, 2.0, 3.0),
    "pool_beds": (0.0, 0.5, 1.0, 1.5),
    "other_municipality": (0.0, 0.25, 0.5, 0.75, 1.0, 1.25),
    "same_municipality": (0.0, 0.25, 0.5),
    "assumed_match": (0.2, 0.35, 0.5, 0.7, 1.0),
    "close": (0.0, 0.25, 0.5, 0.75),
    "serves": (0.25, 0.5, 0.75, 1.0),
    "customer": (0.0, 0.5, 1.0, 1.5),
    "full_match": (0.5, 1.0, 1.5, 2.0),
    "beyond": (0.0, 0.25, 0.5, 1.0),
}
RANDOM_VECTORS = 150  # drawn once from the grid, scored on every region
SEED = 17
PASSES = 3  # coordinate passes at most
MIN_GAIN = 0.001  # a change must raise the training mean by this much
DROP = 0.01  # the project's rule: no region lower than with the current weights by more

Vector = tuple[float, ...]  # values of SEARCH's weights, in SEARCH's order


class Scorer:
    """Score weight vectors on the regions, each (vector, region) once."""

    def __init__(self, regions: Mapping[str, tuple[list[Profile], Labels]]) -> None:
        self.regions = regions
        self.cache: dict[tuple[Vector, str], tuple[float, int]] = {}
        self.base = pairing.WEIGHTS
        self.current: Vector = tuple(getattr(self.base, name) for name in SEARCH)

    def weights(self, vector: Vector) -> Weights:
        return replace(self.base, **dict(zip(SEARCH, vector, strict=True)))

    def region(self, vector: Vector, stem: str) -> tuple[float, int]:
        """NDCG@3 on the first reader's labels and labelled competitors in top-3."""
        key = (vector, stem)
        if key not in self.cache:
            profiles, labels = self.regions[stem]
            top = pairing.top_partners(profiles, k=TOP, weights=self.weights(vector))
            ranked = {a: [s.partner_id for s in found] for a, found in top.items()}
            rivals = sum(
                frozenset((a, b)) in labels.competitors
                for a, found in ranked.items()
                for b in found
            )
            self.cache[key] = (ndcg_at(ranked, labels, [p.id for p in profiles]), rivals)
        return self.cache[key]

    def mean(self, vector: Vector, stems: Sequence[str], ruled: bool = False) -> float | None:
        """Mean NDCG@3 over the regions, or None when a labelled competitor is in a top 3 (or,
        `ruled`, when a region is more than `DROP` below its figure with the current weights)."""
        found = [self.region(vector, stem) for stem in stems]
        if any(rivals for _, rivals in found):
            return None
        if ruled and any(
            ndcg < self.region(self.current, stem)[0] - DROP
            for stem, (ndcg, _) in zip(stems, found, strict=True)
        ):
            return None
        return sum(ndcg for ndcg, _ in found) / len(found)

    def changed(self, vector: Vector) -> int:
        return sum(v != c for v, c in zip(vector, self.current, strict=True))

    def search(
        self, stems: Sequence[str], pool: Iterable[Vector], ruled: bool = False
    ) -> tuple[Vector, float]:
        """Return the weights with the highest mean NDCG@3 over the regions, and that mean.

        Start from the current weights, or from the best vector of the pool (ties: fewer
        weights changed) when it beats them by `MIN_GAIN`; then coordinate passes; then put
        back every weight whose searched value does not raise the mean (fewest changes).
        """
        best = self.current
        best_mean = self.mean(best, stems, ruled)
        assert best_mean is not None, "the current weights break the rule on the training sets"
        ranked = [(self.mean(v, stems, ruled), -self.changed(v), v) for v in pool]
        admissible = [(m, c, v) for m, c, v in ranked if m is not None]
        if admissible:
            m, _, v = max(admissible)
            if m >= best_mean + MIN_GAIN:
                best, best_mean = v, m
        for _ in range(PASSES):
            moved = False
            for k, name in enumerate(SEARCH):
                for value in SEARCH[name]:
                    if value == best[k]:
                        continue
                    trial = (*best[:k], value, *best[k + 1 :])
                    m = self.mean(trial, stems, ruled)
                    if m is not None and m >= best_mean + MIN_GAIN:
                        best, best_mean, moved = trial, m, True
            if not moved:
                break
        for k in range(len(best)):  # a weight that does not help goes back to scoring.py's
            if best[k] != self.current[k]:
                trial = (*best[:k], self.current[k], *best[k + 1 :])
                m = self.mean(trial, stems, ruled)
                if m is not None and m >= best_mean - 1e-9:
                    best, best_mean = trial, m
        return best, best_mean

    def describe(self, vector: Vector) -> str:
        """The weights that differ from scoring.py's, or "as scoring.py"."""
        changed = [
            f"{name} {value:g} (was {was:g})"
            for name, value, was in zip(SEARCH, vector, self.current, strict=True)
            if value != was
        ]
        return ", ".join(changed) if changed else "as scoring.py"


def random_pool(count: int, seed: int = SEED) -> list[Vector]:
    """Draw weight vectors uniformly from the grid (seeded, so every run draws the same)."""
    rng = random.Random(seed)
    return [tuple(rng.choice(values) for values in SEARCH.values()) for _ in range(count)]


def oracle(profiles: Sequence[Profile], labels: Labels) -> tuple[float, int, int]:
    """NDCG@3 when each business's candidates (`pairing.candidate_pairs`, which no weight
    changes) that the score does not flag as competitors are ranked by their labels; also how
    many labelled partner pairs are such candidates, of all."""
    ids = [p.id for p in profiles]
    kept = {
        frozenset((ids[i], ids[j]))
        for i, j in pairing.candidate_pairs(profiles)
        if not pairing.score_pair(profiles[i], profiles[j]).competitor
    }
    ranked = {}
    for a in ids:
        found = [
            (labels.grades.get(pair, 0), b) for b in ids if (pair := frozenset((a, b))) in kept
        ]
        ranked[a] = [b for _, b in sorted(found, reverse=True)[:TOP]]
    partners = [pair for pair, grade in labels.grades.items() if grade > 0]
    return ndcg_at(ranked, labels, ids), sum(pair in kept for pair in partners), len(partners)


def _load() -> float:
    return os.getloadavg()[0]


def folds(
    scorer: Scorer,
    stems: Sequence[str],
    titles: Mapping[str, str],
    pool: Sequence[Vector],
    ruled: bool,
) -> list[Vector]:
    """Print the leave-one-region-out folds; return each fold's chosen weights."""
    current = scorer.current
    chosen: list[Vector] = []
    better = 0
    worst = 0.0
    for held in stems:
        train = [s for s in stems if s != held]
        vector, train_mean = scorer.search(train, pool, ruled)
        chosen.append(vector)
        was_train = scorer.mean(current, train)
        got, rivals = scorer.region(vector, held)
        was = scorer.region(current, held)[0]
        better += got > was + 1e-9
        worst = min(worst, got - was)
        print(
            f"  held out {titles[held]}: train mean {train_mean:.3f} (current {was_train:.3f});"
            f" held out {got:.3f} (current {was:.3f}, {got - was:+.3f}),"
            f" {rivals} labelled competitors in its top-3"
        )
        print(f"    weights: {scorer.describe(vector)}")
    print(f"  held-out figure up on {better} of {len(stems)} folds; largest drop {worst:+.3f}")
    return chosen


def figures(scorer: Scorer, vector: Vector, stems: Sequence[str], titles: Mapping[str, str]) -> str:
    """Each region's NDCG@3 with the weights (change from the current weights), and the mean."""
    now = [scorer.region(vector, s)[0] for s in stems]
    was = [scorer.region(scorer.current, s)[0] for s in stems]
    mean = scorer.mean(vector, stems)
    return " / ".join(
        f"{titles[s]} {n:.3f} ({n - w:+.3f})" for s, n, w in zip(stems, now, was, strict=True)
    ) + ("; a labelled competitor in a top-3" if mean is None else f"; mean {mean:.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the leave-one-region-out folds (free, then under the project's rule), weights
    searched on all regions and the folds' median, and each region's upper bound."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    count = int(args[args.index("--pool") + 1]) if "--pool" in args else RANDOM_VECTORS
    started = time.monotonic()
    names = {f.name for f in fields(Weights)}
    assert set(SEARCH) <= names, set(SEARCH) - names
    regions = {}
    titles = {}
    for title, stem, prefix in REGIONS:
        if not available(stem):
            print(f"{title}: skipped, its data or first reader's labels are missing")
            continue
        regions[stem] = load_region(stem, second_reader=False, prefix=prefix)
        titles[stem] = title.split(" (")[0]
    scorer = Scorer(regions)
    stems = list(regions)
    current = scorer.current
    print(
        f"load {_load():.1f}; current weights: "
        + ", ".join(f"{name} {value:g}" for name, value in zip(SEARCH, current, strict=True))
    )
    print(
        "current: "
        + " / ".join(f"{titles[s]} {scorer.region(current, s)[0]:.3f}" for s in stems)
        + f"; mean {scorer.mean(current, stems):.3f}"
    )
    pool = random_pool(count)
    for vector in pool:  # score the pool on every region once; the folds share it
        for stem in stems:
            scorer.region(vector, stem)
    print(f"{len(pool)} random vectors scored on {len(stems)} regions; load {_load():.1f}")

    print("\nLeave one region out, highest training mean (NDCG@3, first reader's labels):")
    chosen = folds(scorer, stems, titles, pool, ruled=False)
    print(
        f"\nLeave one region out, under the project's rule on the training regions"
        f" (none down by more than {DROP}):"
    )
    ruled = folds(scorer, stems, titles, pool, ruled=True)

    proposals = (
        ("searched on all regions", scorer.search(stems, pool)[0]),
        ("searched on all regions under the rule", scorer.search(stems, pool, ruled=True)[0]),
        ("median of the folds", tuple(map(statistics.median, zip(*chosen, strict=True)))),
        ("median of the ruled folds", tuple(map(statistics.median, zip(*ruled, strict=True)))),
    )
    for label, vector in proposals:
        print(f"\nWeights {label}: {scorer.describe(vector)}")
        print("  " + figures(scorer, vector, stems, titles))

    print("\nUpper bound: weights searched on each region alone (the taxonomy as it is):")
    for stem in stems:
        vector, alone = scorer.search([stem], pool)
        was = scorer.region(current, stem)[0]
        print(f"  {titles[stem]}: {alone:.3f} (current {was:.3f}); {scorer.describe(vector)}")
    print("Ceiling of any score: the labels' own order over the candidate pairs (no competitor):")
    for stem in stems:
        ndcg, found, labelled = oracle(*regions[stem])
        print(f"  {titles[stem]}: {ndcg:.3f}; {found} of {labelled} labelled pairs are candidates")
    print(
        f"\n{len(scorer.cache)} region scorings in {time.monotonic() - started:.0f} s;"
        f" load {_load():.1f}"
    )


if __name__ == "__main__":
    main()
