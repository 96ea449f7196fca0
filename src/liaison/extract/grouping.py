"""From candidates to entities: one entity per real-world thing named in a report.

The steps, each explainable:

1. drop candidates inside URLs and @handles, units glued to numbers ("30GB"), currency signs and codes
   ("US$", "$ 99 (USD)"); set aside the names only the model's PRODUCT or WORK_OF_ART label proposed, as
   evidence; add hashtag words and flag emoji as candidates;
2. add acronym definitions: short and long form become one organisation, one named event when the
   long form ends with an event noun ("Worldwide Developers Conference (WWDC)"), and no entity when
   nothing makes the long form a name ("Software Development Kit (SDK)");
3. strip leading titles from spans ("M. Lecouffe" -> "Lecouffe") and flight numbers from airlines ("Air
   France Flight 447"); read "Air" with a place after it as an airline ("Air China");
4. copy each name onto its other occurrences, longest names first; park products: a maker's name with a
   model designator ("Airbus A380") is one product name, which Liaison does not extract (``products.py``);
5. cluster candidates by key: the gazetteer's canonical name for places ("Maroc", "USA" -> their
   country), the normalised name otherwise — a string means one thing throughout a report;
6. link clusters: an acronym to its expansion; a surname or given name alone to the one full name it
   belongs to; a misspelt full name to the right one (same given name, surname one or two edits apart);
   a one-word name read as a person or place to the one organisation whose name it starts ("AirTran",
   "AirTran Airways");
7. decide each group's type by the sum of its votes, and its name; a group with more product evidence
   (the model's PRODUCT and WORK_OF_ART labels, designators) than votes for any type is no entity, and
   so is a lone word only the model calls a person that is no given name (``_doubt_unnamed_people``).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from liaison.domain import Entity, EntityType, Mention, Sentence, normalise_name
from liaison.extract.acronyms import AcronymDefinition
from liaison.extract.candidates import (
    ACRONYM_VOTE,
    DESIGNATOR_VOTE,
    GAZETTEER_VOTE,
    MODEL_VOTE,
    NAME_LINK_VOTE,
    PRODUCT_LABEL_VOTE,
    Candidate,
)
from liaison.extract.deadline import check_deadline
from liaison.extract.gazetteer import Gazetteer
from liaison.extract.given_names import is_common_given_name
from liaison.extract.markers import Markers
from liaison.extract.products import is_currency_code_by_amount, product_end
from liaison.extract.titles import (
    COMPOUND_TITLE_PATTERN,
    GENERIC_NOUNS,
    ORGANIZATION_HEADS,
    ORGANIZATION_SUFFIXES,
    ORGANIZATION_WORDS,
    TITLE_ONLY_WORDS,
    TITLES_BEFORE,
    is_event_name,
)

PLACE_TYPES = (EntityType.COUNTRY, EntityType.LOCATION)
TYPE_PRIOR_VOTES = 2.0


@dataclass
class _Cluster:
    key: str
    candidates: list[Candidate]

    def votes(self) -> dict[EntityType, float]:
        total: dict[EntityType, float] = {}
        for candidate in self.candidates:
            for entity_type, weight in candidate.votes.items():
                total[entity_type] = total.get(entity_type, 0.0) + weight
        return total

    def best_type(self) -> EntityType | None:
        votes = self.votes()
        return max(votes, key=lambda t: (votes[t], t == EntityType.PERSON)) if votes else None

    @property
    def tokens(self) -> list[str]:
        return self.key.split()


def group_candidates(
    text: str,
    candidates: Sequence[Candidate],
    sentences: Sequence[Sentence],
    markers: Markers,
    acronyms: Sequence[AcronymDefinition],
    gazetteer: Gazetteer,
) -> tuple[Entity, ...]:
    """Decide the entities of one report from the candidates of every layer."""
    pool = [c for c in candidates if not _inside_any(c, markers.excluded) and _plausible(text, c)]
    pool, product_labels = _set_aside_product_labels(text, pool)
    pool = _cut_compound_titles(text, pool, gazetteer)
    pool = _add_hashtags(text, pool, markers, gazetteer)
    pool = _add_flags(pool, markers, gazetteer)
    pool = _add_acronyms(text, pool, acronyms, gazetteer)
    pool = _add_bare_acronyms(text, pool, markers, gazetteer)
    for candidate in pool:
        _strip_leading_title(text, candidate)
        _airline_name(text, candidate)
        _cut_flight_number(text, candidate)
    pool = _deduplicate([c for c in pool if c.end > c.start])
    pool = _deduplicate(pool + _propagate(text, pool, markers, set(product_labels)))
    pool = _deduplicate(_park_products(text, pool, product_labels))
    clusters = _cluster(text, pool)
    groups = _link(text, clusters, acronyms)
    return _entities(text, groups, sentences, gazetteer, Counter(product_labels.values()))


def _set_aside_product_labels(
    text: str, pool: list[Candidate]
) -> tuple[list[Candidate], dict[tuple[int, int], str]]:
    """Take the names only the model's PRODUCT or WORK_OF_ART label proposed out of the pool: they are
    no candidates, but evidence about their name (key) elsewhere in the report, by span."""
    kept: list[Candidate] = []
    labels: dict[tuple[int, int], str] = {}
    for candidate in pool:
        if candidate.product > 0 and not candidate.votes:
            labels[(candidate.start, candidate.end)] = normalise_name(
                name_part(text[candidate.start : candidate.end])
            )
        else:
            kept.append(candidate)
    return kept, labels


def _inside_any(candidate: Candidate, spans: Sequence[tuple[int, int]]) -> bool:
    return any(candidate.overlaps(start, end) for start, end in spans)


def _plausible(text: str, candidate: Candidate) -> bool:
    """Drop what no careful reader would call a name: lower-case words the model tagged as groups
    ("jihadist") unless a demonym table knows them, capitalised common nouns alone ("Kingdom"), units
    glued to a number, currency signs ("US$") and currency codes next to an amount."""
    if not _name_in_context(text, candidate.start, candidate.end):
        return False
    surface = name_part(text[candidate.start : candidate.end])
    if surface[:1].islower() and candidate.country is None and not candidate.canonical:
        return candidate.language == "fr" and candidate.best_type != EntityType.NATIONALITY
    words = surface.lower().split()
    if words and all(word.strip(".,") in TITLE_ONLY_WORDS for word in words):
        return False  # "Chief Operating Officer" alone is a title, not a name
    return not (" " not in surface and surface.lower() in GENERIC_NOUNS and not candidate.canonical)


def _name_in_context(text: str, start: int, end: int) -> bool:
    """False for a unit glued to a number ("30GB"), a currency sign ("US$", "HK$") and a currency code
    next to an amount ("$ 99 (USD)"): none of them names an entity."""
    if start > 0 and text[start - 1].isdigit():
        return False
    if text[end : end + 1] == "$":
        return False
    return not is_currency_code_by_amount(text, start, end)


def _cut_compound_titles(text: str, pool: list[Candidate], gazetteer: Gazetteer) -> list[Candidate]:
    """Cut titles such as "Director of National Intelligence" out of the spans the model took for
    names ("National Intelligence of the United States" becomes the country it ends with)."""
    titles = [m.span() for m in COMPOUND_TITLE_PATTERN.finditer(text)]
    if not titles:
        return pool
    kept = []
    for candidate in pool:
        for start, end in titles:
            if not candidate.overlaps(start, end) or (start > candidate.start and end < candidate.end):
                continue
            if candidate.start >= start:
                candidate.start = end
            else:
                candidate.end = start
            _trim_function_words(text, candidate)
            remainder = text[candidate.start : candidate.end]
            place = gazetteer.lookup(remainder) if remainder else None
            candidate.votes = {}
            if place is not None:
                candidate.canonical = place.name
                candidate.vote(
                    EntityType.COUNTRY if place.kind == "country" else EntityType.LOCATION, GAZETTEER_VOTE
                )
        if candidate.votes and candidate.end > candidate.start:
            kept.append(candidate)
    return kept


_EDGE_WORDS = ("of the ", "of ", "the ", "de la ", "de l'", "de l’", "du ", "des ", "de ", "la ", "le ")


def _trim_function_words(text: str, candidate: Candidate) -> None:
    changed = True
    while changed and candidate.end > candidate.start:
        changed = False
        surface = text[candidate.start : candidate.end]
        stripped = surface.lstrip(" ,")
        for word in _EDGE_WORDS:
            if stripped.lower().startswith(word):
                stripped = stripped[len(word) :]
                changed = True
        candidate.start = candidate.end - len(stripped)
        rstripped = text[candidate.start : candidate.end].rstrip(" ,")
        candidate.end = candidate.start + len(rstripped)


_BARE_ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Z&]{2,7}(?![\w-])")
# All-capital words that are not organisations: numerals, units, currencies, technical terms.
_NOT_ACRONYMS = frozenset(
    """II III IV VI VII VIII XII AM PM TV AI CEO CFO COO CTO GDP PDF URL OK ID DNA HIV COVID UTC GMT
    AFP USD EUR GBP JPY CHF CNY RUB MAD KB MB GB TB CPU GPU RAM USB DVD LCD LED HD HDMI API SDK OS
    FAQ PIN SMS GPS VPN DDOS DOS IP TCP HTTP HTTPS HTML XML JSON CSV NB PS""".split()
)


def _add_bare_acronyms(
    text: str, pool: list[Candidate], markers: Markers, gazetteer: Gazetteer
) -> list[Candidate]:
    """Acronyms the model missed: an all-capital word written in parentheses or twice, not a place.

    AFP and similar agency bylines are left to the model."""
    counts = Counter(m.group() for m in _BARE_ACRONYM.finditer(text))
    for match in _BARE_ACRONYM.finditer(text):
        word = match.group()
        start, end = match.span()
        if word in _NOT_ACRONYMS or sum(ch.isalpha() for ch in word) < 2 or gazetteer.lookup(word):
            continue
        in_parentheses = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
        if not (in_parentheses or counts[word] >= 3):
            continue
        if any(c.overlaps(start, end) for c in pool) or _inside_any(Candidate(start, end), markers.excluded):
            continue
        candidate = Candidate(start, end, label="ACRONYM")
        candidate.vote(EntityType.ORGANIZATION, MODEL_VOTE)
        pool.append(candidate)
    return pool


def _propagate(
    text: str, pool: list[Candidate], markers: Markers, products: Set[tuple[int, int]] = frozenset()
) -> list[Candidate]:
    """Every other occurrence of a name already found is a mention of it too (the model often tags
    a name once and misses it further down), except where the model calls that very span a product."""
    surfaces: dict[str, Candidate] = {}
    for candidate in pool:
        surface = text[candidate.start : candidate.end]
        if len(surface) >= 2 and any(ch.isupper() for ch in surface) and candidate.votes:
            surfaces.setdefault(surface, candidate)
    added: list[Candidate] = []
    taken = sorted((c.start, c.end) for c in pool)
    # Longer names first: "AirTran Airways" claims its occurrences before "AirTran" alone can.
    for surface, model in sorted(surfaces.items(), key=lambda item: -len(item[0])):
        check_deadline()  # every name searched for in the whole text
        pattern = re.compile(r"(?<![\w#@])" + re.escape(surface) + r"(?!\w)")
        for match in pattern.finditer(text):
            start, end = match.span()
            if (
                (start, end) in products
                or any(s < end and start < e for s, e in taken)
                or _inside_any(Candidate(start, end), markers.excluded)
                or not _name_in_context(text, start, end)
            ):
                continue
            copy = Candidate(
                start,
                end,
                label="REPEAT",
                language=model.language,
                canonical=model.canonical,
                country=model.country,
            )
            for entity_type, weight in model.votes.items():
                copy.vote(entity_type, min(weight, MODEL_VOTE))
            added.append(copy)
            taken.append((start, end))
    return added


def _add_hashtags(
    text: str, pool: list[Candidate], markers: Markers, gazetteer: Gazetteer
) -> list[Candidate]:
    for start, end in markers.hashtags:
        # A model span that runs over a hashtag ("Royaume #Lecouffe") is replaced by the tagged word.
        pool = [c for c in pool if not c.overlaps(start - 1, end) or (c.start, c.end) == (start, end)]
        word = text[start:end]
        existing = [c for c in pool if (c.start, c.end) == (start, end)]
        candidate = existing[0] if existing else Candidate(start, end, label="HASHTAG")
        if not existing:
            pool.append(candidate)
        place = gazetteer.lookup(word)
        if place is not None and not gazetteer.is_ambiguous(word):
            candidate.canonical = place.name
            candidate.vote(
                EntityType.COUNTRY if place.kind == "country" else EntityType.LOCATION, GAZETTEER_VOTE
            )
            continue
        country = gazetteer.demonym(word)
        if country is not None:
            candidate.country = country.name
            candidate.vote(EntityType.NATIONALITY, GAZETTEER_VOTE)
    return pool


def _add_flags(pool: list[Candidate], markers: Markers, gazetteer: Gazetteer) -> list[Candidate]:
    for start, end, code in markers.flags:
        country = gazetteer.country_by_code(code)
        if country is None:
            continue
        candidate = Candidate(start, end, label="FLAG", canonical=country.name)
        candidate.vote(EntityType.COUNTRY, GAZETTEER_VOTE)
        pool.append(candidate)
    return pool


def _add_acronyms(
    text: str, pool: list[Candidate], acronyms: Sequence[AcronymDefinition], gazetteer: Gazetteer
) -> list[Candidate]:
    for definition in acronyms:
        (short_start, short_end), (long_start, long_end) = definition.short, definition.long
        place = gazetteer.lookup(text[long_start:long_end])
        long_words = text[long_start:long_end].split()
        event = place is None and is_event_name(long_words)
        # "Software Development Kit (SDK)" defines a term: an organisation needs a word that makes
        # one ("Agency", "Directorate", "Union") or the model's reading of either form as a name.
        named = _organisation_words(long_words) or any(
            c.votes and (c.overlaps(*definition.long) or c.overlaps(*definition.short)) for c in pool
        )
        # Model fragments inside the expansion ("Internal Security") are parts of the one name.
        pool = [
            c
            for c in pool
            if not (long_start <= c.start and c.end <= long_end and (c.start, c.end) != definition.long)
        ]
        spans = (definition.short, definition.long)
        for start, end in spans:
            existing = [c for c in pool if (c.start, c.end) == (start, end)]
            candidate = existing[0] if existing else Candidate(start, end, label="ACRONYM")
            if not existing:
                pool = [c for c in pool if not c.overlaps(start, end)]
                pool.append(candidate)
            if place is not None:
                candidate.canonical = place.name
                candidate.vote(
                    EntityType.COUNTRY if place.kind == "country" else EntityType.LOCATION,
                    ACRONYM_VOTE,
                )
            elif event:  # "Worldwide Developers Conference (WWDC)" names an event, not its organiser
                candidate.vote(EntityType.NAMED_EVENT, ACRONYM_VOTE)
            elif named:
                candidate.vote(EntityType.ORGANIZATION, ACRONYM_VOTE)
            if (start, end) == (short_start, short_end):
                candidate.acronym_of = (long_start, long_end)
    return pool


_PRODUCT_MAKER_TYPES = (EntityType.ORGANIZATION, EntityType.PERSON)


def _park_products(
    text: str, pool: list[Candidate], product_labels: dict[tuple[int, int], str] | None = None
) -> list[Candidate]:
    """A name read as an organisation or a person that is, or starts, a product name becomes that
    product: its span covers the product's name, its votes go, and it carries designator evidence.

    The product is named by a model designator ("Airbus A380", "Rolls-Royce Trent 900", "787
    Dreamliner"), or by a name right after it that the model calls a product ("Lockheed Tristar"),
    unless that name is a common given name (the model splits "Lockheed Martin" so)."""
    voted = [(c.start, c.end) for c in pool if c.votes]
    labelled = {start: end for start, end in product_labels or {}}
    for candidate in pool:
        if candidate.votes and candidate.best_type not in _PRODUCT_MAKER_TYPES:
            continue

        def taken(start: int, end: int, me: Candidate = candidate) -> bool:
            return any(s < end and start < e and (s, e) != (me.start, me.end) for s, e in voted)

        end = product_end(text, candidate.start, candidate.end, taken)
        after = candidate.end + 1
        if _joins_given_name(text, candidate, after, labelled.get(after)) and not taken(
            after, labelled[after]
        ):
            candidate.end = labelled[after]  # "Lockheed Martin": one company, not a maker and a product
            continue
        if (
            end is None
            and candidate.votes
            and text[candidate.end : after] == " "
            and after in labelled
            and not taken(after, labelled[after])
            and not is_common_given_name(text[after : labelled[after]].split()[0])
        ):
            end = labelled[after]
        if end is None:
            continue
        candidate.end = end
        candidate.votes = {}
        candidate.product += DESIGNATOR_VOTE
    return pool


def _joins_given_name(text: str, candidate: Candidate, after: int, label_end: int | None) -> bool:
    """An organisation's name right before one word that is a common given name and that the model
    calls a product: the model has split a two-part company name ("Lockheed Martin")."""
    if (
        label_end is None
        or text[candidate.end : after] != " "
        or candidate.best_type != EntityType.ORGANIZATION
    ):
        return False
    word = text[after:label_end]
    return " " not in word and is_common_given_name(word)


def _organisation_words(words: Sequence[str]) -> bool:
    lowered = {word.lower().strip(",.()") for word in words}
    return bool(lowered & (ORGANIZATION_HEADS | ORGANIZATION_SUFFIXES | ORGANIZATION_WORDS))


_FLIGHT = re.compile(r"\s+Flight(?:\s+[A-Z]{0,3}\d+[A-Z]?)?$")


def _cut_flight_number(text: str, candidate: Candidate) -> None:
    """Cut a flight number off an airline: in "Air France Flight 447" the airline is the name."""
    match = _FLIGHT.search(text, candidate.start, candidate.end)
    if match is not None and match.start() > candidate.start and match.end() == candidate.end:
        candidate.end = match.start()


def _airline_name(text: str, candidate: Candidate) -> None:
    """A place with "Air" in front names an airline ("Air India", "Air Canada"), not the place."""
    if candidate.canonical is None or candidate.best_type not in PLACE_TYPES:
        return
    if text[max(0, candidate.start - 4) : candidate.start] != "Air " or (
        candidate.start > 4 and text[candidate.start - 5].isalnum()
    ):
        return
    candidate.start -= 4
    candidate.canonical = None
    candidate.votes = {}
    candidate.vote(EntityType.ORGANIZATION, GAZETTEER_VOTE)


def _strip_leading_title(text: str, candidate: Candidate) -> None:
    """Drop "Mr", "M.", "Director" and the like from the front of a span that goes on with a name."""
    while True:
        surface = text[candidate.start : candidate.end]
        first, _, rest = surface.partition(" ")
        if not rest or first.lower().rstrip(".") not in TITLES_BEFORE or not rest[:1].isupper():
            return
        if rest.split()[0].lower() in ORGANIZATION_HEADS:
            return
        candidate.start += len(first) + 1
        candidate.vote(EntityType.PERSON, GAZETTEER_VOTE)


def _deduplicate(pool: list[Candidate]) -> list[Candidate]:
    """One candidate per span (votes added up); nested spans keep the longest."""
    by_span: dict[tuple[int, int], Candidate] = {}
    for candidate in sorted(pool, key=lambda c: (c.start, -c.end)):
        key = (candidate.start, candidate.end)
        if key in by_span:
            kept = by_span[key]
            for entity_type, weight in candidate.votes.items():
                kept.vote(entity_type, weight)
            kept.canonical = kept.canonical or candidate.canonical
            kept.country = kept.country or candidate.country
            kept.acronym_of = kept.acronym_of or candidate.acronym_of
            kept.product += candidate.product
        else:
            by_span[key] = candidate
    result: list[Candidate] = []
    for candidate in by_span.values():
        if result and candidate.start < result[-1].end:
            continue  # overlaps a longer span that starts earlier or at the same place
        result.append(candidate)
    return result


def name_part(surface: str) -> str:
    """A mention without its leading English article: "the Pentagon" names the Pentagon."""
    return surface[4:] if surface[:4] in ("the ", "The ") and len(surface) > 4 else surface


def _cluster_key(text: str, candidate: Candidate) -> str:
    best = candidate.best_type
    if candidate.canonical and best in PLACE_TYPES:
        return "place:" + normalise_name(candidate.canonical)
    if candidate.country and best == EntityType.NATIONALITY:
        return "nationality:" + normalise_name(candidate.country)
    return normalise_name(name_part(text[candidate.start : candidate.end]))


def _cluster(text: str, pool: list[Candidate]) -> list[_Cluster]:
    clusters: dict[str, _Cluster] = {}
    for candidate in pool:
        key = _cluster_key(text, candidate)
        if not key:
            continue
        clusters.setdefault(key, _Cluster(key, [])).candidates.append(candidate)
    return list(clusters.values())


class _Groups:
    """Union-find over clusters."""

    def __init__(self, clusters: list[_Cluster]) -> None:
        self.clusters = clusters
        self.parent = list(range(len(clusters)))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        root_i, root_j = self.find(i), self.find(j)
        if root_i != root_j:
            self.parent[root_j] = root_i

    def groups(self) -> list[list[_Cluster]]:
        members: dict[int, list[_Cluster]] = {}
        for i, cluster in enumerate(self.clusters):
            members.setdefault(self.find(i), []).append(cluster)
        return list(members.values())


_MODEL_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _linkable_alone(cluster: _Cluster) -> bool:
    """Whether a name alone may be linked to a longer name that contains it: not a nationality, and
    not a place unless the gazetteer alone says so ("Angers" of "Sandy Angers", which the model did
    not read as a place; "London" of "Jack London" stays the city the model read)."""
    if cluster.key.startswith("nationality:"):
        return False
    if cluster.key.startswith("place:"):
        return not any(c.label in _MODEL_PLACE_LABELS for c in cluster.candidates)
    return True


def _only_products(cluster: _Cluster) -> bool:
    return all(c.product > 0 and not c.votes for c in cluster.candidates)


def _is_person_like(cluster: _Cluster) -> bool:
    votes = cluster.votes()
    if not votes:
        return False
    person = votes.get(EntityType.PERSON, 0.0)
    others = max(v for t, v in votes.items() if t != EntityType.PERSON) if len(votes) > 1 else 0.0
    return person > 0 and person >= others


def _surname_distance_ok(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or a[0] != b[0]:
        return False
    limit = 2 if min(len(a), len(b)) >= 8 else 1
    return OSA.distance(a, b) <= limit


def _same_person_name(a: list[str], b: list[str]) -> bool:
    """Two full names of one person, allowing a misspelt surname but never a different given name."""
    if len(a) != len(b) or len(a) < 2:
        return False
    if a[0] != b[0]:
        return False
    return all(_surname_distance_ok(x, y) for x, y in zip(a[1:], b[1:], strict=True))


def _partial_name_of(words: list[str], full: list[str]) -> bool:
    """A surname ("Wray", "Van Leeuw", misspelt by one letter or not), a given name alone, or the
    first of two surnames ("Ortega" of "Carmen Ortega Ruiz", as Spanish and Portuguese names go)."""
    if len(words) == 1 and (words[0] == full[0] or (len(full) >= 3 and words[0] in full[1:-1])):
        return True
    tail = full[-len(words) :]
    return all(_surname_distance_ok(a, b) for a, b in zip(words, tail, strict=True))


def _link(text: str, clusters: list[_Cluster], acronyms: Sequence[AcronymDefinition]) -> list[list[_Cluster]]:
    groups = _Groups(clusters)
    index = {cluster.key: i for i, cluster in enumerate(clusters)}
    # 1. acronyms to their expansions, and to fragments of their expansions used alone later
    expansions: list[tuple[str, int]] = []
    for i, cluster in enumerate(clusters):
        for candidate in cluster.candidates:
            if candidate.acronym_of is not None:
                long_key = normalise_name(text[candidate.acronym_of[0] : candidate.acronym_of[1]])
                expansions.append((long_key, i))
                for key in (long_key, "place:" + long_key):
                    if key in index:
                        groups.union(index[key], i)
    for i, cluster in enumerate(clusters):
        check_deadline()
        if len(cluster.tokens) < 2 or cluster.best_type() != EntityType.ORGANIZATION:
            continue
        owners = {j for long_key, j in expansions if f" {cluster.key} " in f" {long_key} "}
        if len(owners) == 1:
            groups.union(owners.pop(), i)
    # 2. misspelt full names of people
    people = [i for i, c in enumerate(clusters) if len(c.tokens) >= 2 and _is_person_like(c)]
    for a in range(len(people)):
        check_deadline()  # pairs of names: quadratic in the names of a report
        for b in range(a + 1, len(people)):
            i, j = people[a], people[b]
            if _same_person_name(clusters[i].tokens, clusters[j].tokens):
                groups.union(i, j)
    # 3. a surname or given name alone, to the one full name it belongs to
    full_names = [
        i
        for i, c in enumerate(clusters)
        if len(c.tokens) >= 2 and not c.key.startswith(("place:", "nationality:"))
    ]
    linked: set[int] = set()
    for i, cluster in enumerate(clusters):
        check_deadline()
        if _only_products(cluster) or not _linkable_alone(cluster):
            continue
        words = cluster.key.removeprefix("place:").split()
        owners = {
            groups.find(j)
            for j in full_names
            if j != i
            and _is_person_like(clusters[j])
            and len(words) < len(clusters[j].tokens)
            and _partial_name_of(words, clusters[j].tokens)
        }
        if len(owners) == 1:
            owner = owners.pop()
            for candidate in cluster.candidates:
                candidate.vote(EntityType.PERSON, NAME_LINK_VOTE)
            groups.union(owner, i)
            linked.add(i)
    # 4. a one-word name read as something else, alone, that starts exactly one organisation's name
    #    ("AirTran" and "AirTran Airways"): the organisation's short name
    organisations = [
        j
        for j, c in enumerate(clusters)
        if len(c.tokens) >= 2 and not c.key.startswith("place:") and c.best_type() == EntityType.ORGANIZATION
    ]
    for i, cluster in enumerate(clusters):
        check_deadline()
        if (
            i in linked
            or not _linkable_alone(cluster)
            or len(cluster.tokens) != 1
            or cluster.best_type() not in (EntityType.PERSON, EntityType.LOCATION, EntityType.COUNTRY)
        ):
            continue
        word = cluster.key.removeprefix("place:")
        owners = {groups.find(j) for j in organisations if clusters[j].tokens[0] == word}
        if len(owners) == 1:
            for candidate in cluster.candidates:
                candidate.vote(EntityType.ORGANIZATION, NAME_LINK_VOTE)
            groups.union(owners.pop(), i)
    return groups.groups()


def _entities(
    text: str,
    groups: list[list[_Cluster]],
    sentences: Sequence[Sentence],
    gazetteer: Gazetteer,
    product_labels: Counter[str] | None = None,
) -> tuple[Entity, ...]:
    starts = [s.start for s in sentences]
    entities: dict[tuple[EntityType, str], tuple[int, Entity]] = {}
    for group in groups:
        check_deadline()
        votes: dict[EntityType, float] = {}
        for cluster in group:
            for entity_type, weight in cluster.votes().items():
                votes[entity_type] = votes.get(entity_type, 0.0) + weight
        candidates = sorted((c for cl in group for c in cl.candidates), key=lambda c: c.start)
        product = sum(c.product for c in candidates) + PRODUCT_LABEL_VOTE * sum(
            (product_labels or Counter())[cluster.key] for cluster in group
        )
        if not votes or product > max(votes.values()):
            continue  # no evidence, or more of a product than of any kind of entity
        if not _doubt_unnamed_people(text, candidates, votes, product):
            continue
        entity_type = max(votes, key=lambda t: (votes[t], t == EntityType.PERSON))
        name, attributes = _name_and_attributes(text, entity_type, candidates, gazetteer)
        mentions = tuple(
            Mention(
                c.start,
                c.end,
                text[c.start : c.end],
                max(bisect.bisect_right(starts, c.start) - 1, 0),
                c.label,
                c.language,
            )
            for c in candidates
        )
        surfaces = sorted({name_part(m.text) for m in mentions} - {name})
        expansion = attributes.get("expansion")
        aliases = tuple(sorted({*surfaces, *([expansion] if expansion else [])} - {name}))
        # A prior of two votes against: a type read by the model alone stays below strong evidence
        # (a gazetteer entry, a title, an acronym definition) however often the name is repeated.
        confidence = round(votes[entity_type] / (sum(votes.values()) + TYPE_PRIOR_VOTES), 3)
        entity = Entity(entity_type, name, mentions, aliases, attributes, confidence)
        key = (entity_type, normalise_name(name))
        if key in entities:  # two groups that resolved to one name (e.g. two spellings of a country)
            first, kept = entities[key]
            merged_mentions = tuple(sorted((*kept.mentions, *mentions), key=lambda m: m.start))
            merged_aliases = tuple(sorted(set(kept.aliases) | set(aliases)))
            entities[key] = (
                first,
                Entity(
                    entity_type, kept.name, merged_mentions, merged_aliases, {**attributes, **kept.attributes}
                ),
            )
        else:
            entities[key] = (mentions[0].start, entity)
    return tuple(entity for _, entity in sorted(entities.values(), key=lambda item: item[0]))


def _plural_after_article(text: str, candidates: list[Candidate]) -> bool:
    """A plural name after "the" ("the Beatles", "the Rolling Stones") names a group, not a person."""
    return any(
        text[max(0, c.start - 4) : c.start].lower() == "the "
        and text[c.end - 2 : c.end] not in ("ss", "'s")
        and text[c.end - 1 : c.end] == "s"
        for c in candidates
    )


def _doubt_unnamed_people(
    text: str, candidates: list[Candidate], votes: dict[EntityType, float], product: float = 0.0
) -> bool:
    """A name only the model calls a person, whose first word is no common given name, is doubtful.

    Of several words ("Northrop Grumman", "Guardia Civil") or plural after "the" ("the Beatles") it is
    more likely an organisation: companies, agencies and groups are what the model confuses with people
    in security news. A single word with no other evidence ("Safari", "Dreamliner", "Pixar", a surname
    whose full name is not in the report) is as often a product, a common word or a person as an
    organisation, and a name the model also calls a product somewhere in the report is a product: for
    those, False -- the name is left out.
    """
    person = votes.get(EntityType.PERSON, 0.0)
    if person <= 0 or any(c.votes.get(EntityType.PERSON, 0.0) > MODEL_VOTE for c in candidates):
        return True
    surfaces = {name_part(text[c.start : c.end]).strip() for c in candidates if c.end > c.start}
    if any(word.isupper() or is_common_given_name(word) for word in (w.split()[0] for w in surfaces)):
        return True
    if product > 0 and person >= max(votes.values()):
        return False
    one_word = all(" " not in surface for surface in surfaces)
    if one_word and person >= max(votes.values()) and not _plural_after_article(text, candidates):
        return False
    votes[EntityType.ORGANIZATION] = votes.get(EntityType.ORGANIZATION, 0.0) + person + MODEL_VOTE / 2
    return True


def _name_and_attributes(
    text: str, entity_type: EntityType, candidates: list[Candidate], gazetteer: Gazetteer
) -> tuple[str, dict[str, str]]:
    surfaces = [name_part(text[c.start : c.end]) for c in candidates]
    attributes: dict[str, str] = {}
    if entity_type in PLACE_TYPES:
        canonical = [c.canonical for c in candidates if c.canonical]
        if canonical:
            name = Counter(canonical).most_common(1)[0][0]
            place = gazetteer.lookup(name)
            if place is not None:
                attributes["place_kind"] = place.kind
                if place.country_code:
                    attributes["country_code"] = place.country_code
            return name, attributes
    if entity_type == EntityType.NATIONALITY:
        countries = [c.country for c in candidates if c.country]
        if countries:
            country = Counter(countries).most_common(1)[0][0]
            attributes["country"] = country
            place = gazetteer.lookup_country(country)
            demonym = gazetteer.english_demonym(place.country_code) if place and place.country_code else None
            if demonym:
                return demonym, attributes
    acronym = next((c for c in candidates if c.acronym_of is not None), None)
    if acronym is not None and entity_type != EntityType.PERSON:
        assert acronym.acronym_of is not None
        short = text[acronym.start : acronym.end]
        attributes["acronym"] = short
        attributes["expansion"] = text[acronym.acronym_of[0] : acronym.acronym_of[1]]
        return short, attributes
    counts = Counter(surfaces)
    if entity_type == EntityType.PERSON:
        # the fullest form of the name, and among its spellings the most frequent
        return max(counts, key=lambda s: (len(s.split()), counts[s], len(s))), attributes
    return max(counts, key=lambda s: (counts[s], len(s))), attributes
