"""The cohort profile (issue 20 item 2): gender, ethnicity and level of intervention.

Three optional CSV columns describe each case for the report's cohort outline.  Each is
read into one of a short, fixed list of values (so nothing a person typed ever reaches a
report through them), and each is counted one way only: never crossed with another
column or with a case reference, so that no small group identifies a child.

Decisions where the issue is silent:

- **Ethnicity: the ONS 2021 categories for England and Wales, both levels.**  A file may
  give one of the 19 detailed categories ("White: Irish", "Indian", "Black Caribbean")
  or one of the 5 high-level groups ("Mixed", "White"); the detailed category is kept
  when given (nothing the extract knew is thrown away), and the report and the analysis
  screen count by the **5 high-level groups**: with cohorts of 15 to 30 children, 19
  categories would leave most of them holding one child.
- Accepted spellings are matched ignoring letter case, punctuation and ``&``/``and``:
  the full ONS wording, the group and category together ("Asian British - Indian",
  "White Other", "any other white background"), the category alone where it is not
  ambiguous ("Pakistani", "Roma"; never a bare "other").  DfE census codes (WBRI ...)
  are not read: their Gypsy/Roma code straddles two ONS categories.
- **Gender**: female, male, another gender (non-binary and other answers), or not
  recorded.  **Level of intervention**: early help, child in need, child protection,
  looked after, or not recorded; common abbreviations (EH, CIN, CP, CPP, LAC, CLA) are
  read.  A child with no service at those levels is "not recorded" (the issue's four
  levels are the whole list).
- "not recorded" may be written (also "unknown", "not known", "not stated", "refused",
  "prefer not to say"); a blank cell counts the same.  "Refused" is not kept apart: the
  report only needs to say the information is missing.
- **Small groups are shown, and flagged.**  Counts are exact (a Business Group report
  reads "2 of 15"), but a group of fewer than ``SMALL_GROUP`` children is marked, with a
  sentence saying so, because one-way counts of a small cohort can still point at a
  child when read beside the rest of the report.  Nothing is suppressed: suppression
  with totals shown is undone by subtraction, and the report goes out need-to-know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from audit.text import quote

NOT_RECORDED = "not recorded"
SMALL_GROUP = 3
"""A group of fewer children than this is flagged in the profile (see the module doc)."""

PROFILE_COLUMNS = ("gender", "ethnicity", "level_of_intervention")

GENDERS = ("female", "male", "another gender")
LEVELS = ("early help", "child in need", "child protection", "looked after")

# ONS 2021, England and Wales: 5 high-level groups and their 19 detailed categories.
ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "Asian, Asian British or Asian Welsh": ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Other Asian"),
    "Black, Black British, Black Welsh, Caribbean or African": ("African", "Caribbean", "Other Black"),
    "Mixed or Multiple ethnic groups": ("White and Asian", "White and Black African", "White and Black Caribbean",
                                       "Other Mixed or Multiple ethnic groups"),
    "White": ("English, Welsh, Scottish, Northern Irish or British", "Irish", "Gypsy or Irish Traveller", "Roma",
              "Other White"),
    "Other ethnic group": ("Arab", "Any other ethnic group"),
}

_NOT_RECORDED_WORDS = ("not recorded", "not known", "unknown", "not stated", "not given", "not obtained",
                       "refused", "declined", "prefer not to say")

# Other ways a group is written, before or instead of its full ONS name.
_GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "Asian, Asian British or Asian Welsh": ("asian", "asian british", "asian or asian british", "asian asian british",
                                            "asian welsh", "asian british or asian welsh"),
    "Black, Black British, Black Welsh, Caribbean or African": (
        "black", "black british", "black or black british", "black welsh", "black black british",
        "black british caribbean or african", "black african caribbean or black british",
        "black caribbean or african"),
    "Mixed or Multiple ethnic groups": ("mixed", "multiple", "mixed or multiple", "mixed multiple",
                                        "mixed or multiple ethnic group", "mixed ethnic group", "mixed ethnic groups",
                                        "mixed heritage", "dual heritage"),
    "White": ("white",),
    "Other ethnic group": ("other ethnic group", "other ethnic groups"),
}
# Other ways a category is written: (alone, only after its group's name).
_CATEGORY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Other Asian": (("other asian", "any other asian background"), ("other", "any other", "other background")),
    "Other Black": (("other black", "any other black background", "any other black african or caribbean background"),
                    ("other", "any other", "other background")),
    "White and Asian": (("white and asian",), ()),
    "White and Black African": (("white and black african",), ()),
    "White and Black Caribbean": (("white and black caribbean",), ()),
    "Other Mixed or Multiple ethnic groups": (
        ("other mixed", "any other mixed background", "other mixed or multiple", "any other mixed or multiple "
         "ethnic background", "other mixed background"), ("other", "any other", "other background")),
    "English, Welsh, Scottish, Northern Irish or British": (
        ("british", "english", "welsh", "scottish", "northern irish", "white british",
         "english welsh scottish northern irish or british"), ()),
    "Gypsy or Irish Traveller": (("gypsy or irish traveller", "gypsy", "irish traveller", "gypsy traveller",
                                  "traveller of irish heritage"), ()),
    "Other White": (("other white", "any other white background", "white other"), ("other", "any other",
                                                                                    "other background")),
    "Any other ethnic group": (("any other ethnic group",), ("any other ethnic group",)),
}

_GENDER_WORDS = {"female": "female", "f": "female", "girl": "female", "woman": "female",
                 "male": "male", "m": "male", "boy": "male", "man": "male",
                 "another gender": "another gender", "other": "another gender", "non binary": "another gender",
                 "nonbinary": "another gender", "another": "another gender", "other gender": "another gender"}
_LEVEL_WORDS = {"early help": "early help", "eh": "early help",
                "child in need": "child in need", "cin": "child in need", "children in need": "child in need",
                "child protection": "child protection", "cp": "child protection", "cpp": "child protection",
                "child protection plan": "child protection",
                "looked after": "looked after", "lac": "looked after", "cla": "looked after",
                "looked after child": "looked after", "child looked after": "looked after",
                "children looked after": "looked after"}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def _norm(value: str) -> str:
    """Lower case, ``&`` as "and", every run of punctuation or spaces as one space."""
    return " ".join(_NON_WORD.sub(" ", value.casefold().replace("&", " and ")).split())


def ethnicity_value(group: str, category: str = "") -> str:
    """How a value is stored: ``White: Irish`` for a category, ``White`` for a group."""
    return f"{group}: {category}" if category else group


def _ethnicity_words() -> dict[str, str]:
    words: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(key: str, value: str) -> None:
        key = _norm(key)
        if key in words and words[key] != value:
            ambiguous.add(key)
        words[key] = value

    for group, categories in ETHNIC_GROUPS.items():
        prefixes = (_norm(group), *_GROUP_WORDS[group])
        for prefix in prefixes:
            add(prefix, ethnicity_value(group))
        for category in categories:
            alone, after_group = _CATEGORY_WORDS.get(category, ((_norm(category),), ()))
            value = ethnicity_value(group, category)
            for word in (_norm(category), *alone):
                add(word, value)
                for prefix in prefixes:
                    add(f"{prefix} {word}", value)
            for word in after_group:
                for prefix in prefixes:
                    add(f"{prefix} {word}", value)
    for key in ambiguous:
        del words[key]
    for word in _NOT_RECORDED_WORDS:
        words[_norm(word)] = NOT_RECORDED
    return words


_ETHNICITY_WORDS = _ethnicity_words()
for _word in _NOT_RECORDED_WORDS:
    _GENDER_WORDS[_norm(_word)] = NOT_RECORDED
    _LEVEL_WORDS[_norm(_word)] = NOT_RECORDED
GENDER_WORDS = {_norm(k): v for k, v in _GENDER_WORDS.items()}
LEVEL_WORDS = {_norm(k): v for k, v in _LEVEL_WORDS.items()}
ETHNICITY_WORDS = _ETHNICITY_WORDS


# --- explaining parsers (the CSV import's style: a trimmed, non-blank value in; the
# stored value out, or one sentence appended to ``bad``)


def gender(value: str, bad: list[str]) -> str | None:
    found = GENDER_WORDS.get(_norm(value))
    if found is None:
        bad.append(f"{quote(value)} is not a gender maca records; use female, male, another gender or "
                   f"not recorded, or leave it blank")
    return found


def level_of_intervention(value: str, bad: list[str]) -> str | None:
    found = LEVEL_WORDS.get(_norm(value))
    if found is None:
        bad.append(f"{quote(value)} is not a level of intervention; use early help, child in need, child "
                   f"protection, looked after or not recorded, or leave it blank")
    return found


def ethnicity(value: str, bad: list[str]) -> str | None:
    found = ETHNICITY_WORDS.get(_norm(value))
    if found is None:
        bad.append(f"{quote(value)} is not one of the ONS 2021 ethnic groups; use a group (Asian, Black, Mixed, "
                   f"White, Other ethnic group), a category such as White: Irish or Black Caribbean, or not "
                   f"recorded, or leave it blank")
    return found


PARSERS = {"gender": gender, "ethnicity": ethnicity, "level_of_intervention": level_of_intervention}


# --- counting


def ethnic_group(value: str) -> str:
    """The high-level group of a stored ethnicity ("not recorded" for blank or unknown)."""
    group = value.split(": ", 1)[0]
    return group if group in ETHNIC_GROUPS else NOT_RECORDED


def gender_of(value: str) -> str:
    return value if value in GENDERS else NOT_RECORDED


def level_of(value: str) -> str:
    return value if value in LEVELS else NOT_RECORDED


PROFILE_LABELS = {"gender": "Gender", "ethnicity": "Ethnicity (ONS 2021 groups)",
                  "level_of_intervention": "Level of intervention"}


def profile_counts(genders: Iterable[str], ethnicities: Iterable[str],
                   levels: Iterable[str]) -> dict[str, dict[str, int]]:
    """One-way counts of each profile column (every category, zeros kept, "not recorded"
    last), by column name.  Ethnicity is counted by high-level group."""
    counts: dict[str, dict[str, int]] = {
        "gender": dict.fromkeys((*GENDERS, NOT_RECORDED), 0),
        "ethnicity": dict.fromkeys((*ETHNIC_GROUPS, NOT_RECORDED), 0),
        "level_of_intervention": dict.fromkeys((*LEVELS, NOT_RECORDED), 0),
    }
    for value in genders:
        counts["gender"][gender_of(value)] += 1
    for value in ethnicities:
        counts["ethnicity"][ethnic_group(value)] += 1
    for value in levels:
        counts["level_of_intervention"][level_of(value)] += 1
    return counts


def small(count: int) -> bool:
    """A group small enough to flag (see the module docstring)."""
    return 0 < count < SMALL_GROUP
