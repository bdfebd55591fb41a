"""What the word reading makes of a text, for the taxonomy's tests."""

from method import taxonomy


def tags_of(text: str) -> set[str]:
    """The tags method.taxonomy.map_words reads in text, as a set."""
    return set(taxonomy.map_words(text).tags)
