"""Measure pairing quality on labelled fictional regions: NDCG@3 and competitors in top-3.

Two regions: Elvedalen (the tuning set) and Kivilahti (held out, never tuned on). Each business
is read the way the app reads a form: sector through the taxonomy, offers and needs through the
synonym data, and a sector's default profile when nothing else was given.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from method import taxonomy
from workshops.businesses import pairing
from workshops.businesses.pairing import Profile

DATA = Path(__file__).parent / "data"
REGIONS = (("Elvedalen (tuning set)", "elvedalen"), ("Kivilahti (held out)", "kivilahti"))
TOP = 3


@dataclass(frozen=True)
class Labels:
    """Graded partner labels (symmetric) and the pairs marked as pure competitors."""

    grades: Mapping[frozenset[str], int]
    competitors: frozenset[frozenset[str]]


def read_profile(row: Mapping[str, object]) -> Profile:
    """Turn one form row into a pairing profile, as the app would."""
    sector = taxonomy.sector_group_for(str(row.get("sector") or ""))
    offers = taxonomy.map_words(str(row.get("offers") or "")).tags
    needs = taxonomy.map_words(str(row.get("needs") or "")).tags
    assumed = not offers and not needs and sector.group is not None
    if assumed:
        offers, needs = taxonomy.default_profile(sector.group, sector.nace_code)
    return Profile(
        id=str(row["id"]),
        name=str(row["name"]),
        group=sector.group,
        offers=frozenset(offers),
        needs=frozenset(needs),
        interests=frozenset(row.get("interests") or ()),
        municipality=str(row.get("municipality") or ""),
        assumed=assumed,
    )


def load_region(stem: str, second_reader: bool = True) -> tuple[list[Profile], Labels]:
    """Read a region's businesses and labels from bench/data (with the second reader's)."""
    data = yaml.safe_load((DATA / f"{stem}.yaml").read_text(encoding="utf-8"))
    profiles = [read_profile(row) for row in data["businesses"]]
    grades: dict[frozenset[str], int] = {}
    competitors: set[frozenset[str]] = set()
    files = [DATA / f"{stem}_labels.csv"]
    if second_reader and (DATA / f"{stem}_labels_second.csv").exists():
        files.append(DATA / f"{stem}_labels_second.csv")
    lines = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            body = [line for line in handle if not line.startswith("#")]
        lines += body if not lines else body[1:]  # one header
    for row in csv.DictReader(lines):
        pair = frozenset((row["a"], row["b"]))
        if row["grade"].strip() == "c":
            competitors.add(pair)
        else:
            grades[pair] = max(grades.get(pair, 0), int(row["grade"]))
    return profiles, Labels(grades, frozenset(competitors))


def ndcg_at(
    suggestions: Mapping[str, Sequence[str]], labels: Labels, ids: Sequence[str], k: int = TOP
) -> float:
    """Average NDCG@k over businesses with at least one labelled partner (DESIGN.md)."""
    scores = []
    for a in ids:
        relevant = sorted(
            (g for pair, g in labels.grades.items() if a in pair and g > 0), reverse=True
        )
        if not relevant:
            continue
        gained = sum(
            labels.grades.get(frozenset((a, b)), 0) / math.log2(rank + 2)
            for rank, b in enumerate(suggestions.get(a, [])[:k])
        )
        ideal = sum(g / math.log2(rank + 2) for rank, g in enumerate(relevant[:k]))
        scores.append(gained / ideal)
    return sum(scores) / len(scores)


def evaluate(profiles: Sequence[Profile], labels: Labels) -> tuple[float, int, int, int]:
    """Return NDCG@3, labelled competitors in top-3, flagged competitors in top-3, top-3 slots."""
    top = pairing.top_partners(profiles, k=TOP)
    ids = [p.id for p in profiles]
    ranked = {a: [s.partner_id for s in found] for a, found in top.items()}
    labelled = sum(
        1 for a, found in ranked.items() for b in found if frozenset((a, b)) in labels.competitors
    )
    flagged = sum(1 for found in top.values() for s in found if s.competitor)
    slots = sum(len(found) for found in ranked.values())
    return ndcg_at(ranked, labels, ids), labelled, flagged, slots


def main() -> None:
    """Print one line per figure for each labelled region."""
    for title, stem in REGIONS:
        first = evaluate(*load_region(stem, second_reader=False))[0]
        profiles, labels = load_region(stem)
        ndcg, labelled, flagged, slots = evaluate(profiles, labels)
        print(f"{title}: {len(profiles)} businesses, {len(labels.grades)} labelled pairs")
        print(f"{title}: NDCG@3 = {ndcg:.3f} ({first:.3f} on the first reader's labels alone)")
        print(
            f"{title}: competitors in top-3 = {labelled}/{slots} labelled "
            f"({labelled / max(slots, 1):.1%}), {flagged} flagged by the score"
        )


if __name__ == "__main__":
    main()
