"""French resources of the temporal tagger: word lists and extraction patterns (see ``timex.py``).

Plain data, no imports from ``timex``: the engine there builds its rules from these tables. Keys are
lower case; the patterns are matched case-insensitively. ``{NAME}`` in a pattern is a fragment of
``FRAGMENTS`` or one the engine builds from the word lists (``{MONTH}``, ``{WD}``, ``{NUM}``, ``{UNIT}``...).
Each rule names the handler that normalises its matches; the named groups carry the meaning
(``day``, ``month``, ``year``, ``wd``, ``rel``, ``num``, ``unit``...) and ``t``, when present, is the extent.
French conventions: the article of an explicit date is left out ("le 19 octobre" -> "19 octobre"), the
determiner of a relative or nominal expression is kept ("la semaine dernière", "l'été 2021").
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
MONTH_ABBREVIATIONS: dict[str, int] = {
    "janv.": 1,
    "févr.": 2,
    "fév.": 2,
    "fevr.": 2,
    "avr.": 4,
    "juil.": 7,
    "sept.": 9,
    "oct.": 10,
    "nov.": 11,
    "déc.": 12,
    "dec.": 12,
}
WEEKDAYS: dict[str, int] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
NUMBERS: dict[str, int] = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "cents": 100,
    "une dizaine de": 10,
    "une quinzaine de": 15,
    "une vingtaine de": 20,
    "une centaine de": 100,
}
VAGUE_NUMBERS = frozenset(
    {
        "quelques",
        "plusieurs",
        "de nombreuses",
        "de nombreux",
        "nombreuses",
        "nombreux",
        "maintes",
        "certaines",
    }
)
UNITS: dict[str, str] = {
    "an": "Y",
    "ans": "Y",
    "année": "Y",
    "années": "Y",
    "annee": "Y",
    "annees": "Y",
    "mois": "M",
    "semaine": "W",
    "semaines": "W",
    "jour": "D",
    "jours": "D",
    "journée": "D",
    "journées": "D",
    "heure": "H",
    "heures": "H",
    "minute": "MIN",
    "minutes": "MIN",
    "seconde": "S",
    "secondes": "S",
    "décennie": "DE",
    "décennies": "DE",
    "decennie": "DE",
    "decennies": "DE",
    "siècle": "CE",
    "siècles": "CE",
    "siecle": "CE",
    "siecles": "CE",
    "trimestre": "Q",
    "trimestres": "Q",
    "semestre": "HY",
    "semestres": "HY",
    "week-end": "WE",
    "week-ends": "WE",
    "weekend": "WE",
    "weekends": "WE",
}
RELATIVES: dict[str, int] = {
    "dernier": -1,
    "dernière": -1,
    "derniere": -1,
    "passé": -1,
    "passée": -1,
    "passe": -1,
    "précédent": -1,
    "précédente": -1,
    "écoulé": -1,
    "écoulée": -1,
    "prochain": 1,
    "prochaine": 1,
    "suivant": 1,
    "suivante": 1,
    "à venir": 1,
    "en cours": 0,
    "ce": 0,
    "cet": 0,
    "cette": 0,
}
DAY_OFFSETS: dict[str, int] = {
    "avant-hier": -2,
    "hier": -1,
    "aujourd'hui": 0,
    "demain": 1,
    "après-demain": 2,
    "ce": 0,
    "cet": 0,
    "cette": 0,
}
ANAPHORIC_DAYS: dict[str, int] = {
    "la veille": -1,
    "le lendemain": 1,
    "le jour même": 0,
    "le même jour": 0,
}
PARTS_OF_DAY: dict[str, str] = {
    "matin": "MO",
    "matinée": "MO",
    "après-midi": "AF",
    "soir": "EV",
    "soirée": "EV",
    "nuit": "NI",
    "midi": "MI",
}
SEASONS: dict[str, str] = {"printemps": "SP", "été": "SU", "ete": "SU", "automne": "FA", "hiver": "WI"}
ORDINALS: dict[str, int] = {
    "premier": 1,
    "première": 1,
    "1er": 1,
    "1re": 1,
    "deuxième": 2,
    "second": 2,
    "seconde": 2,
    "2e": 2,
    "2ème": 2,
    "troisième": 3,
    "3e": 3,
    "3ème": 3,
    "quatrième": 4,
    "4e": 4,
    "4ème": 4,
    "dernier": -1,
}
HOLIDAYS: dict[str, tuple[int, int]] = {
    "noël": (12, 25),
    "le jour de l'an": (1, 1),
    "la saint-sylvestre": (12, 31),
    "la toussaint": (11, 1),
    "le 14-juillet": (7, 14),
}
SET_WORDS: dict[str, str] = {
    "annuel": "P1Y",
    "annuelle": "P1Y",
    "annuels": "P1Y",
    "annuelles": "P1Y",
    "annuellement": "P1Y",
    "quotidiennement": "P1D",
    "mensuellement": "P1M",
    "hebdomadairement": "P1W",
    "trimestriel": "P3M",
    "trimestrielle": "P3M",
    "trimestriels": "P3M",
    "trimestrielles": "P3M",
}

# Words after which a bare month or season is a date ("en juin", "depuis mars", "fin mai").
MONTH_CONTEXT = (
    r"(?:\b(?:en|de|d['’]|depuis|dès|jusqu['’]en|jusqu['’]à|avant|après|pendant|durant|mois\s+de|"
    r"début|fin|courant|vers|à\s+partir\s+de|entre|et|ou|au|à|d['’]ici|d['’]ici\s+à)\s*)$"
)
# Future cues before a weekday or month ("sera", "va", "prévu") flip its default past reading.
CUES = (
    r"\b(?:(?P<fut>va|vont|sera|seront|aura|auront|devra|devront|devrait|devraient|doit|doivent|prévue?s?|"
    r"programmée?s?|attendue?s?|prochaine?s?|\w+\b(?:(?<=era)|(?<=eront)|(?<=ira)|(?<=iront)|(?<=dra)|(?<=dront)))|"
    r"(?P<past>a|ont|avait|avaient|était|étaient|fut|furent|eu|été|dernière?s?|derniers|\w+\b(?:(?<=ait)|(?<=aient))))"
    r"\b"
)
# A four-digit number followed by one of these counts things, it is not a year ("2000 personnes").
COUNT_NOUNS = (
    r"personnes|habitants|emplois|salariés|employés|soldats|militaires|policiers|euros|dollars|francs|"
    r"serveurs|ordinateurs|véhicules|voitures|avions|appareils|km|kilomètres|mètres|tonnes|victimes|morts|"
    r"blessés|attaques|membres|utilisateurs|clients|passagers|exemplaires|actions|voix|sièges|points|pages|"
    r"élèves|étudiants|foyers|logements|comptes|fichiers|documents|messages|hectares|fois|heures|jours|"
    r"semaines|mois|ans|années|minutes|cas|manifestants|agents|hommes|femmes|enfants|réfugiés|migrants|"
    r"dossiers|entreprises|sites|adresses|signalements|plaintes|interpellations|arrestations"
)
# A four-digit number after one of these is a quantity or an identifier, not a year.
YEAR_BEFORE_GUARD = (
    r"(?:\b(?:n°|no|numéro|vol|environ|près\s+de|plus\s+de|moins\s+de|quelque|article|page)\s*)$"
)

FRAGMENTS: dict[str, str] = {
    "DAY": r"(?:1er|1re|premier|3[01]|[12]\d|0?[1-9])(?!\d)(?:er|e)?\b",
    "FUZZY": r"(?:début|debut|fin|mi-|courant|milieu)(?:\s+(?:de\s+|d['’]))?",
    "POD": r"(?:matinée|matin|après-midi|soirée|soir|nuit)",
    "REL": r"(?:dernière|dernier|derniere|passée|passé|précédente|précédent|prochaine|prochain|suivante|"
    r"suivant)",
    "AMPM": r"(?!)",
    "TZ": r"(?:UTC|GMT|heure\s+de\s+Paris|heure\s+locale)",
}

RULES: list[tuple[str, str, str]] = [
    ("iso", "YEAR4 <30 >30", r"{ISO}"),
    ("numeric", "re:NUMERIC", r"{NUMERIC}"),
    (
        "range_dm",
        "MONTH <35 >35",
        r"\b(?:(?:du|les|entre\s+le)\s+)?(?P<day>{DAY})(?P<more>(?:\s*,\s*{DAY})*)\s*(?:-|–|au|et|à)\s*"
        r"(?:le\s+)?(?P<day2>{DAY})\s+"
        r"(?P<month>{MONTH})(?:\s+(?P<year>{YEAR}))?",
    ),
    (
        "date",
        "MONTH <35 >35",
        r"\b(?:(?P<ce>ce|cet)\s+)?(?:(?P<wd>{WD})\s*,?\s+)?(?P<day>{DAY})\s+(?P<month>{MONTH})"
        r"(?:\s*,?\s*(?P<year>{YEAR}))?",
    ),
    (
        "month_year",
        "MONTH <35 >35",
        r"\b(?:(?P<fuzzy>{FUZZY})\s*)?(?P<month>{MONTH})\s+(?:de\s+l['’]année\s+)?(?P<year>{YEAR})",
    ),
    (
        "month",
        "MONTH <35 >35",
        r"(?<!\w)(?:(?P<fuzzy>{FUZZY})\s*)?(?P<month>{MONTH_FULL})\b(?!-)(?:\s+(?P<rel>dernier|prochain|passé))?"
        r"(?!\s*\d)",
    ),
    (
        "weekday",
        "WD <5 >25",
        r"\b(?:(?P<rel_ce>ce)\s+)?(?P<wd>{WD})(?:\s+(?P<pod>{POD}))?(?:\s+(?P<rel>dernier|prochain|passé))?\b",
    ),
    (
        "dayrel",
        "hier demain aujourd <5 >20",
        r"(?<!\w)(?P<offset>avant-hier|après-demain|aujourd['’]hui|hier|demain)(?:\s+(?P<pod>{POD}))?(?!\w)",
    ),
    (
        "dayrel",
        "matin midi soir nuit <10 >5",
        r"\b(?P<offset>ce|cet|cette)\s+(?P<pod>matin|après-midi|soir|nuit)\b",
    ),
    (
        "anaphoric",
        "veille lendemain jour <15 >10",
        r"\b(?P<anaph>la\s+veille|le\s+lendemain|le\s+jour\s+même|le\s+même\s+jour)\b",
    ),
    (
        "unitrel",
        "semaine week weekend mois année annee an trimestre semestre décennie siècle <25 >20",
        r"(?<!\w)(?:(?P<fuzzy>plus\s+tôt|plus\s+tard|(?:début|fin|milieu|courant|cours)\s+(?:de\s+|du\s+|d['’]))\s*)?"
        r"(?P<det>la\s+|le\s+|l['’]|cette\s+|ce\s+|cet\s+)?(?P<unit>semaine|week-end|weekend|mois|année|an|trimestre|"
        r"semestre|décennie|siècle)(?:-ci)?\b(?:\s+(?P<rel>{REL}|en\s+cours|écoulée?))?",
    ),
    (
        "ago",
        "y <5 >45",
        r"\b(?P<ilya>il\s+y\s+a)\s+(?:(?P<approx>environ|près\s+de|plus\s+de|moins\s+de|presque)\s+)?"
        r"(?P<num>{NUM})\s+(?P<unit>{UNIT})(?P<half>\s+et\s+demie?)?",
    ),
    (
        "ahead",
        "dans ici <5 >45",
        r"\b(?:dans|d['’]ici)\s+(?P<num>{NUM})\s+(?P<unit>{UNIT})(?:\s+et\s+demie?)?\b",
    ),
    ("set_a", "par <3 >15", r"\b(?P<per>par)\s+(?P<unit>an|année|mois|semaine|jour|heure|trimestre)\b"),
    (
        "set_every",
        "chaque tous toutes <3 >40",
        r"\b(?P<every>chaque|tous\s+les|toutes\s+les)\s+(?:(?P<num>{NUM})\s+)?(?P<unit>{UNIT})\b",
    ),
    ("set_every_wd", "chaque tous <3 >20", r"\b(?:chaque|tous\s+les)\s+(?P<wd>{WD})s?\b"),
    ("set_word", "SETWORD <3 >3", r"\b(?P<setword>{SETWORD})\b"),
    (
        "time",
        "re:TIME <5 >25",
        r"(?<![\w:.])(?P<hour>[01]?\d|2[0-3])\s?h\s?(?P<minute>[0-5]\d)?(?!\w)(?:\s*(?P<tz>{TZ}))?",
    ),
    (
        "time",
        "re:TIME <5 >25",
        r"(?<![\w:.])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?![\d:])(?:\s*(?P<tz>{TZ}))?",
    ),
    (
        "time",
        "heure heures <12 >10",
        r"\b(?:à|vers|dès|avant|après|jusqu['’]à)\s+(?P<t>(?P<hour>[01]?\d|2[0-3])\s+heures?(?:\s+(?P<minute>[0-5]\d))?)\b",
    ),
    (
        "time",
        "midi minuit <12 >3",
        r"\b(?:à|vers|dès|avant|après|jusqu['’]à)\s+(?P<t>(?P<noon>midi|minuit))\b",
    ),
    (
        "duration",
        "UNIT <45 >25",
        r"\b(?:(?P<det>les|ces)\s+(?P<num>{NUM})\s+(?P<rel>dernières|derniers|dernière|dernier|prochaines|"
        r"prochains|premières|premiers)\s+(?P<unit>{UNIT}))",
    ),
    (
        "duration",
        "UNIT <45 >25",
        r"\b(?:(?P<approx>environ|presque|près\s+de|quelque|au\s+moins)\s+)?(?P<num>{NUM})\s+(?P<unit>{UNIT})"
        r"(?P<half>\s+et\s+demie?)?\b",
    ),
    (
        "duration",
        "UNIT <45 >25",
        r"\b(?P<num>des|de\s+longues|de\s+longs)\s+(?P<unit>années|décennies|mois|semaines|siècles)\b",
    ),
    (
        "year_range",
        "YEAR4 <30 >30",
        r"(?<![\w$€£#.,/-])(?P<year>(?:19|20)\d{2})\s*(?:-|–|/)\s*(?P<year2>(?:19|20)?\d{2})(?![\w%]|[.,/-]\d)",
    ),
    (
        "year",
        "YEAR4 <30 >30",
        r"(?<![\w$€£¥#.,/:-])(?<!\$\s)(?<!€\s)(?:(?P<fuzzy>début|fin|mi|courant|milieu)(?:\s*-\s*|\s+(?:de\s+)?))?"
        r"(?P<year>(?:19|20)\d{2})(?![\w%]|[.,:/-]\d|\s*(?:%|pour\s+cent\b|€))",
    ),
    ("fiscal", "exercice <15 >10", r"\b(?:exercice|l['’]exercice)\s+(?P<year>(?:19|20)\d{2})\b"),
    (
        "decade",
        "années <15 >10",
        r"(?<!\w)(?:(?:(?P<fuzzy>début|fin|milieu)\s+des|les|des|aux)\s+)?années\s+(?P<decade>(?:19|20)\d0|\d0)\b",
    ),
    (
        "century",
        "siècle <25 >5",
        r"\b(?:le\s+)?(?:(?P<fuzzy>début|fin|milieu)\s+du\s+)?(?:(?P<roman>[XVI]{1,5})|(?P<century>\d{1,2}))"
        r"(?:e|ème|è|ᵉ)\s+siècle\b",
    ),
    (
        "season",
        "SEASON <25 >20",
        r"(?<!\w)(?:(?P<prep>au|en|à|pendant|depuis|dès|avant|après|courant)\s+)?(?P<t>(?:(?P<fuzzy>début|fin|mi-|milieu)"
        r"\s*(?:de\s+|d['’])?)?(?:(?P<det>l['’]|cet\s+|ce\s+|le\s+))?(?P<season>printemps|été|automne|hiver)\b"
        r"(?:\s+(?P<year>{YEAR})|\s+(?P<rel>dernier|prochain|passé))?)",
    ),
    (
        "quarter",
        "trimestre <15 >30",
        r"\b(?:le\s+)?(?P<qord>premier|1er|deuxième|second|2e|2ème|troisième|3e|3ème|quatrième|4e|4ème|dernier)"
        r"\s+trimestre\b(?:\s+(?:de\s+l['’]année\s+|de\s+)?(?P<year>{YEAR})|\s+(?P<thisyear>de\s+l['’]année|"
        r"de\s+cette\s+année))?",
    ),
    ("quarter", "t1 t2 t3 t4 <3 >10", r"\b(?P<qnum>(?-i:T)[1-4])\s*(?P<year>{YEAR})"),
    (
        "half",
        "semestre <15 >30",
        r"\b(?:le\s+)?(?P<hord>premier|1er|second|deuxième|2e|2nd)\s+semestre\b(?:\s+(?:de\s+)?(?P<year>{YEAR})|"
        r"\s+(?P<thisyear>de\s+l['’]année|de\s+cette\s+année))?",
    ),
    (
        "ref",
        "actuellement maintenant présent nos moment heure récemment dernièrement"
        " dernières derniers passé autrefois avenir prochainement prochaines prochains venir <15 >15",
        r"(?<!\w)(?:(?P<ref_present>actuellement|maintenant|à\s+présent|de\s+nos\s+jours|en\s+ce\s+moment|"
        r"à\s+l['’]heure\s+actuelle)|(?P<ref_past>récemment|dernièrement|ces\s+dernières\s+(?:années|semaines|"
        r"décennies)|ces\s+derniers\s+(?:mois|jours|temps)|le\s+passé|autrefois)|(?P<ref_future>l['’]avenir|"
        r"prochainement|les\s+prochaines\s+(?:semaines|années|décennies)|les\s+prochains\s+(?:jours|mois)|"
        r"les\s+(?:jours|semaines|mois|années)\s+à\s+venir))(?!\w)",
    ),
    ("holiday", "HOLIDAY <20 >20", r"(?<!\w)(?P<holiday>{HOLIDAY})(?:\s+(?P<year>{YEAR}))?(?!\w)"),
]
