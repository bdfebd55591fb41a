"""Measure pairing quality on labelled fictional regions: NDCG@3 and competitors in top-3.

Five regions: Elvedalen (the first tuning set), Kivilahti (written before any run), Kuusivaara
(a `;`-separated CSV with a BOM in Swedish, Finnish and Danish, labelled before any tuning), and
Fjordbygda (mostly Norwegian) and Skärgården (Swedish, Finnish, Danish), both written and labelled
blind by readers who never saw the scoring code. A region whose files are missing is skipped with
a note. Each business is read the way the app reads a form: sector through the taxonomy, offers
and needs through the synonym data, and a sector's default profile when nothing else was given.
The CSV regions go through the import's own reading (`registry.read_table` and
`registry.read_profile`), as `import-businesses` reads them. `--misses` prints, per business,
its top-3 beside its labelled partners. The headline figures use the first reader's labels alone; those
with the second reader's additions follow in brackets (bench/data/README.md says why).

A quarter of the rows of the regions the product is judged on give only a sector, so each region
also gets two lines on such rows: NDCG@3 over the businesses that give only a sector, and the same
region with every fourth row (rows 4, 8, 12 ...) cut to its name, sector and municipality, over all
businesses and over the sector-only ones (Fjordbygda's and Skärgården's rows 4, 8, 12 ... already
give only a sector, so their cut region is the region itself). A last line per region writes each
row's municipality one of six ways owners write one ("Fjordvik kommune", "fjordvik", "FJORDVIK",
"Fjordviks kommun", "Tromso" for "Tromsø"), all of which method.places.key folds by design, so
its figure shows that nothing is lost to them; beside it, what comparing the text would lose.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from method import places
from workshops.businesses import pairing
from workshops.businesses.pairing import Profile

DATA = Path(__file__).parent / "data"
# (title, file stem, id prefix of a CSV region's rows: row N is <prefix>NN)
REGIONS = (
    ("Elvedalen (tuning set)", "elvedalen", ""),
    ("Kivilahti (held out)", "kivilahti", ""),
    ("Kuusivaara (sv/fi/da CSV)", "kuusivaara", "t"),
    ("Fjordbygda (blind, mostly nb/nn CSV)", "fjordbygda", "f"),
    ("Skärgården (blind, sv/fi/da CSV)", "skargarden", "s"),
    ("Fjellgrenda (blind, mostly nb/nn CSV)", "fjellgrenda", "g"),
    ("Järvimaa (blind, sv/fi/da CSV)", "jarvimaa", "j"),
)
TOP = 3
SECTOR_ONLY_EVERY = 4  # every fourth row of the judged regions gives only a sector


@dataclass(frozen=True)
class Labels:
    """Graded partner labels (symmetric) and the pairs marked as pure competitors."""

    grades: Mapping[frozenset[str], int]
    competitors: frozenset[frozenset[str]]


def read_profile(row: Mapping[str, object], profile_id: str | None = None) -> Profile:
    """Turn one form row into a pairing profile, as the app's import reads it."""
    from workshops.businesses import registry

    reading = registry.read_profile(
        str(row.get("sector") or ""),
        str(row.get("offers") or ""),
        str(row.get("needs") or ""),
        name=str(row.get("name") or ""),
    )
    return Profile(
        id=profile_id or str(row["id"]),
        name=str(row["name"]),
        group=reading.sector_group,
        offers=frozenset(reading.offers),
        needs=frozenset(reading.needs),
        interests=frozenset(row.get("interests") or ()),  # type: ignore[arg-type]
        municipality=places.key(str(row.get("municipality") or "")),  # as the app compares it
        assumed=reading.assumed,
    )


def sector_only(row: Mapping[str, object]) -> dict[str, object]:
    """Cut a form row to what a business that gives only a sector writes: name, sector, place."""
    return {key: row[key] for key in ("id", "name", "sector", "municipality") if key in row}


def gives_only_a_sector(row: Mapping[str, object]) -> bool:
    """Tell whether a form row gives a sector and neither offers nor needs."""
    written = (str(row.get(key) or "").strip() for key in ("offers", "needs"))
    return bool(str(row.get("sector") or "").strip()) and not any(written)


def _rows(stem: str, prefix: str) -> list[dict[str, object]]:
    """Return a region's form rows, each with its id (a CSV region's N-th row is <prefix>NN)."""
    from workshops.businesses import registry

    if (DATA / f"{stem}.csv").exists():
        path = DATA / f"{stem}.csv"
        table = registry.read_table(path.read_bytes(), path.name)
        return [
            {"name": row.name, **row.cells, "id": f"{prefix or 't'}{k:02d}"}
            for k, row in enumerate(table.rows, start=1)
        ]
    data = yaml.safe_load((DATA / f"{stem}.yaml").read_text(encoding="utf-8"))
    return list(data["businesses"])


def read_csv_region(path: Path, prefix: str = "t") -> list[Profile]:
    """Read a business file as `import-businesses` does; the N-th data row gets the id tNN."""
    from workshops.businesses import registry

    table = registry.read_table(path.read_bytes(), path.name)
    return [
        read_profile({"name": row.name, **row.cells}, f"{prefix}{k:02d}")
        for k, row in enumerate(table.rows, start=1)
    ]


def available(stem: str) -> bool:
    """Tell whether a region's businesses and first reader's labels are both in bench/data."""
    found = (DATA / f"{stem}.csv").exists() or (DATA / f"{stem}.yaml").exists()
    return found and (DATA / f"{stem}_labels.csv").exists()


def sector_only_ids(stem: str, prefix: str = "t", cut: bool = False) -> list[str]:
    """Return the ids of a region's businesses that give only a sector (in the cut region when
    `cut`: every fourth row reduced to name, sector and place)."""
    rows = _rows(stem, prefix)
    if cut:
        rows = [
            sector_only(row) if k % SECTOR_ONLY_EVERY == 0 else row
            for k, row in enumerate(rows, start=1)
        ]
    return [str(row["id"]) for row in rows if gives_only_a_sector(row)]


def load_region(
    stem: str, second_reader: bool = True, prefix: str = "t", cut: bool = False
) -> tuple[list[Profile], Labels]:
    """Read a region's businesses and labels from bench/data (with the second reader's).

    With `cut`, every fourth row (4, 8, 12 ...) is reduced to name, sector and place first.
    """
    rows = _rows(stem, prefix)
    if cut:
        rows = [
            sector_only(row) if k % SECTOR_ONLY_EVERY == 0 else row
            for k, row in enumerate(rows, start=1)
        ]
    profiles = [read_profile(row) for row in rows]
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
    return sum(scores) / len(scores) if scores else float("nan")


def evaluate(
    profiles: Sequence[Profile], labels: Labels, only: Sequence[str] | None = None
) -> tuple[float, int, int, int]:
    """Return NDCG@3, labelled competitors in top-3, flagged competitors in top-3, top-3 slots
    (NDCG@3 over the businesses in `only` when given)."""
    top = pairing.top_partners(profiles, k=TOP)
    ids = [p.id for p in profiles] if only is None else list(only)
    ranked = {a: [s.partner_id for s in found] for a, found in top.items()}
    labelled = sum(
        1 for a, found in ranked.items() for b in found if frozenset((a, b)) in labels.competitors
    )
    flagged = sum(1 for found in top.values() for s in found if s.competitor)
    slots = sum(len(found) for found in ranked.values())
    return ndcg_at(ranked, labels, ids), labelled, flagged, slots


def misses(profiles: Sequence[Profile], labels: Labels) -> list[str]:
    """Return, per business whose top-3 misses a labelled partner, its top-3 and its partners."""
    top = pairing.top_partners(profiles, k=TOP)
    by_id = {p.id: p for p in profiles}
    lines = []
    for p in profiles:
        partners = sorted(
            (
                (g, b)
                for pair, g in labels.grades.items()
                if p.id in pair and g > 0
                for b in pair - {p.id}
            ),
            reverse=True,
        )
        if not partners:
            continue
        got = [s.partner_id for s in top.get(p.id, [])]
        best = [b for _g, b in partners[:TOP]]
        if set(best) <= set(got) or set(got) >= {b for _g, b in partners}:
            continue

        lines.append(
            f"{p.id} {p.name[:28]} [{p.group}] offers={sorted(p.offers)} needs={sorted(p.needs)}"
            + ("  (assumed)" if p.assumed else "")
        )
        lines.append(
            "   got:  "
            + " | ".join(
                f"{x}({labels.grades.get(frozenset((p.id, x)), 0)}) {by_id[x].name[:22]}"
                for x in got
            )
        )
        lines.append(
            "   want: " + " | ".join(f"{b}({g}) {by_id[b].name[:22]}" for g, b in partners)
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Print one line per figure for each labelled region: first reader's labels, then all."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    show_misses = "--misses" in args
    for title, stem, prefix in REGIONS:
        if not available(stem):
            print(f"{title}: skipped, bench/data/{stem}.* or {stem}_labels.csv is missing")
            continue
        first = load_region(stem, second_reader=False, prefix=prefix)
        first_ndcg, first_labelled, _, _ = evaluate(*first)
        if show_misses:
            print("\n".join(misses(*first)))
        profiles, labels = load_region(stem, prefix=prefix)
        ndcg, labelled, flagged, slots = evaluate(profiles, labels)
        print(f"{title}: {len(profiles)} businesses, {len(labels.grades)} labelled pairs")
        # The headline is the first reader's: the second reader added pairs by the very rule the
        # score uses (a written need met by a written offer), which flatters the score.
        added = (DATA / f"{stem}_labels_second.csv").exists()
        print(
            f"{title}: NDCG@3 = {first_ndcg:.3f} on the first reader's labels"
            + (f" ({ndcg:.3f} with the second reader's additions)" if added else "")
        )
        print(
            f"{title}: competitors in top-3 = {first_labelled}/{slots} on the first reader's labels"
            f" ({first_labelled / max(slots, 1):.1%}"
            + (f"; {labelled} with the additions)" if added else ")")
            + f", {flagged} flagged by the score"
        )
        _print_sector_only(title, stem, prefix, first)
        _print_places_as_written(title, stem, prefix, first)


# Six ways owners write one municipality's name in a form (cycled over a region's rows), each of
# which places.key folds by design.
PLACE_SPELLINGS = (
    lambda name: name.casefold(),
    lambda name: f"{name} kommune",
    lambda name: name.upper(),
    lambda name: f" {name}s kommun" if not name.endswith("s") else f"{name} kommun",
    lambda name: name.translate(str.maketrans("æøåäöÆØÅÄÖ", "aoaaoAOAAO")),
    lambda name: name,
)


def _print_places_as_written(
    title: str, stem: str, prefix: str, first: tuple[list[Profile], Labels]
) -> None:
    """Print NDCG@3 with each row's municipality written one of PLACE_SPELLINGS' ways, compared
    as the app compares it (method.places.key) and, for contrast, as plain text (the worst case:
    every row spelled its own way)."""
    rows = {str(row["id"]): str(row.get("municipality") or "") for row in _rows(stem, prefix)}
    profiles, labels = first
    written = {
        pid: PLACE_SPELLINGS[k % len(PLACE_SPELLINGS)](name) if name else name
        for k, (pid, name) in enumerate(rows.items())
    }
    keyed = [replace(p, municipality=places.key(written[p.id])) for p in profiles]
    as_text = [replace(p, municipality=written[p.id]) for p in profiles]
    print(
        f"{title}: municipalities spelled six ways (folded by places.key): NDCG@3 = "
        f"{evaluate(keyed, labels)[0]:.3f} (compared as plain text: {evaluate(as_text, labels)[0]:.3f})"
    )


def _print_sector_only(
    title: str, stem: str, prefix: str, first: tuple[list[Profile], Labels]
) -> None:
    """Print NDCG@3 on the first reader's labels over the businesses that give only a sector,
    then over the region cut to every fourth row sector-only (all businesses, sector-only ones)."""
    own = sector_only_ids(stem, prefix)
    if own:
        print(
            f"{title}: NDCG@3 = {evaluate(*first, only=own)[0]:.3f} over its {len(own)}"
            " businesses that give only a sector"
        )
    cut_ids = sector_only_ids(stem, prefix, cut=True)
    if cut_ids == own:
        return
    cut = load_region(stem, second_reader=False, prefix=prefix, cut=True)
    whole, labelled, _, _ = evaluate(*cut)
    print(
        f"{title}: every fourth row cut to name and sector: NDCG@3 = {whole:.3f}"
        f" ({evaluate(*cut, only=cut_ids)[0]:.3f} over its {len(cut_ids)} sector-only"
        f" businesses), {labelled} labelled competitors in top-3"
    )


if __name__ == "__main__":
    main()
