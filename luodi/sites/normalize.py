"""Normalise CT.gov `Locations` entries into site keys, and organisation names into org keys.

A site key identifies one facility in one place. Entries that differ only in case, accents,
punctuation, spacing ("Uh Montpellier" / "Uhmontpellier"), common abbreviations ("Univ." /
"University"), postal codes (present in the current export, absent in the old one) or a
department prefix/suffix ("Department of Cardiology, X Hospital") get the same key, so that
a site's history is pooled. The raw entries are kept by the caller for output.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Location",
    "country_name",
    "fold",
    "loose_key",
    "org_key",
    "parse_location",
    "site_key",
    "words",
]

_ABBREV: dict[str, str] = {
    "univ": "university",
    "universite": "university",
    "universitaet": "university",
    "universitat": "university",
    "universidad": "university",
    "universita": "university",
    "universitario": "university",
    "universitaria": "university",
    "universitari": "university",
    "universitaire": "university",
    "hosp": "hospital",
    "h": "hospital",  # "H. Clínico", "H. Universitario": a lone "H" in a facility name
    "hosps": "hospitals",
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "centro": "center",
    "med": "medical",
    "inst": "institute",
    "instit": "institute",
    "st": "saint",
    "ste": "sainte",
    "san": "saint",  # "San Raffaele" / "St. Raffaele" both occur
    "natl": "national",
    "gen": "general",
    "dept": "department",
    "reg": "regional",
    "hlth": "health",
    "fdn": "foundation",
    "mt": "mount",
    "chu": "chu",
    "hopital": "hospital",
    "hospitalier": "hospital",
    "ospedale": "hospital",
    "clinica": "clinic",
    "clinique": "clinic",
    "klinikum": "clinic",
}
# Words that carry no identity in a facility name (articles in the export's common languages).
# fmt: off
_FILLER = frozenset([
    "the", "of", "and", "at", "de", "du", "des", "di", "del", "della", "la", "le", "les",
    "el", "y", "e", "en", "dei", "degli", "und", "fur", "a"
])
# fmt: on
# A component that starts like this names a sub-unit, not the facility.
_DEPT = re.compile(
    r"^(department|dept|division|service|servicio|servizio|unit|unidad|unite|section|"
    r"laboratory|lab|uoc|uo|reparto|ward|faculty of medicine department|clinic of|"
    r"departement|departamento|dipartimento|institute of clinical)\b"
)
_POSTAL = re.compile(r"^[a-z]{0,3}[- ]?\d[\d a-z-]{1,9}$")
# Country names that contain a comma in CT.gov ("Korea, Republic of") and spelling variants
# between the two export generations.
_COUNTRY_FIX = re.compile(
    r",\s*(republic of|islamic republic of|the democratic republic of the|"
    r"united republic of|province of china|the former yugoslav republic of|"
    r"democratic people's republic of|plurinational state of|bolivarian republic of)\s*$",
    re.IGNORECASE,
)
_COUNTRY_ALIAS: dict[str, str] = {
    "korea republic of": "south korea",
    "korea": "south korea",
    "russian federation": "russia",
    "iran islamic republic of": "iran",
    "czech republic": "czechia",
    "turkiye": "turkey",
    "viet nam": "vietnam",
    "taiwan province of china": "taiwan",
    "moldova republic of": "moldova",
    "tanzania united republic of": "tanzania",
    "congo the democratic republic of the": "congo drc",
    "macedonia the former yugoslav republic of": "north macedonia",
    "syrian arab republic": "syria",
    "lao people's democratic republic": "laos",
    "hong kong sar": "hong kong",
    "us": "united states",
    "usa": "united states",
    "uk": "united kingdom",
}


def fold(text: str) -> str:
    """Lowercase and strip accents ("Orléans" -> "orleans", "Ramón" -> "ramon")."""
    text = text.replace("ß", "ss").replace("ı", "i")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded alphanumeric words with abbreviations expanded and filler words dropped."""
    out = []
    for w in re.findall(r"[a-z0-9]+", fold(text).replace("'", "")):
        w = _ABBREV.get(w, w)
        if w not in _FILLER:
            out.append(w)
    return out


def country_name(text: str) -> str:
    """A country as site locations spell it once folded ("USA" -> "united states")."""
    c = " ".join(re.findall(r"[a-z0-9']+", fold(text)))
    return _COUNTRY_ALIAS.get(c, c)


_country = country_name


@dataclass(frozen=True)
class Location:
    facility: str  # best-effort: components before city/state; may hold extra parts
    places: tuple[str, ...]  # city, state... (folded), without postal codes
    country: str  # folded, aliases unified


@lru_cache(maxsize=200_000)
def parse_location(entry: str) -> Location:
    """Split an entry from the right: the last part is the country, up to two before it are
    city/state. A facility name may itself contain commas, so the split is a heuristic; keys do
    not depend on it being right (see `site_key`)."""
    text = _COUNTRY_FIX.sub(lambda m: " " + m.group(1), entry.strip())
    parts = [p.strip() for p in text.split(",") if p.strip()]
    # "Department of Cardiology, Cairo University, Cairo, Egypt": a sub-unit as its own part
    # would otherwise be read as the facility and shift the city.
    units = [p for p in parts[:-2] if _DEPT.match(fold(p))]
    if units and len(parts) - len(units) >= 3:
        parts = [p for p in parts if p not in units]
    if not parts:
        return Location("", (), "")
    country = _country(parts[-1]) if len(parts) > 1 else ""
    middle = parts[1:-1] if len(parts) > 1 else []
    places = tuple(
        fold(p)
        for p in middle
        if not _POSTAL.match(fold(p)) and fold(p) not in {"non-us", "non us"}
    )
    if len(places) > 2:
        # "ASST X, Ospedale Y, Melzo, Italy": extra leading parts belong to the facility.
        return Location(fold(", ".join(parts[:1] + list(places[:-2]))), places[-2:], country)
    return Location(fold(parts[0]), places, country)


def _facility_core(facility: str) -> str:
    # Split "X Hospital - Department of Y" / "Department of Y, X Hospital" into pieces and drop
    # the sub-unit pieces when something else remains.
    pieces = [p.strip() for p in re.split(r",| - | – |/", facility) if p.strip()]
    kept = [p for p in pieces if not _DEPT.match(p)]
    return " ".join(kept or pieces)


@lru_cache(maxsize=200_000)
def site_key(entry: str) -> str:
    """Stable key for one facility at one place; see the module docstring."""
    loc = parse_location(entry)
    name = "".join(words(_facility_core(loc.facility)))
    place = "".join(words(loc.places[0])) if loc.places else ""
    # Word boundaries are dropped on purpose ("uh montpellier" == "uhmontpellier"); the city
    # (first place part) and country keep same-named facilities in different places apart.
    return f"{name}|{place}|{loc.country}"


# Words whose presence varies between spellings of one institution ("Duke University",
# "Duke University Hospital", "Duke University Medical Center").
_GENERIC = frozenset(["hospital", "hospitals", "university", "center", "centers", "medical"])


@lru_cache(maxsize=200_000)
def loose_key(entry: str) -> str | None:
    """Order-free key without generic words, used as a second merge rule next to `site_key`
    ("Hospital Universitario Ramon y Cajal" / "Hospital Ramon y Cajal", "Toulouse University
    Hospital" / "University Hospital Toulouse"). None when too little is left to identify a
    facility ("University Hospital, Lille"), so such names never merge loosely."""
    loc = parse_location(entry)
    distinctive = sorted(set(words(_facility_core(loc.facility))) - _GENERIC)
    if sum(len(w) for w in distinctive) < 4:
        return None
    place = "".join(words(loc.places[0])) if loc.places else ""
    return f"{' '.join(distinctive)}|{place}|{loc.country}"


@lru_cache(maxsize=50_000)
def org_key(name: str) -> str:
    """Key for a sponsor/collaborator name ("University Hospital, Montpellier" ==
    "University hospital Montpellier")."""
    return "".join(words(name))
