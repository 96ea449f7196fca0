"""Titles and roles vocabulary, in English and French, shared by the typing layers and role extraction.

Kept in one place so that what makes a name a person ("Director Wray"), what is cut from the front of a
name ("M. Lecouffe"), and what a role's title is normalised to all agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that, right before a capitalised name, make it a person: "Director Bigger", "Mme Verlinden".
TITLES_BEFORE = frozenset(
    """mr mrs ms miss dr sir dame lord lady mme mmes mlle m monsieur madame president vice-president
    director director-general minister secretary general gen colonel col commissioner chief king queen
    prince princess sheikh emir judge senator sen ambassador prosecutor spokesman spokeswoman
    spokesperson chancellor premier pope rev commander cmdr admiral adm lieutenant lt captain capt
    sergeant sgt major maj governor gov mayor officer inspector superintendent agent detective
    directeur directrice ministre président présidente général générale commissaire procureur
    procureure juge sénateur sénatrice ambassadeur ambassadrice porte-parole commandant capitaine
    colonelle chancelier chancelière roi reine maire préfet préfète gouverneur inspecteur
    contre-amiral amiral""".split()
)

# Words that, after "X, ", make X a person: "Mike Burgess, director-general of ...".
TITLES_AFTER = TITLES_BEFORE | frozenset(
    """head deputy former acting interim chef adjoint adjointe ancien ancienne patron patronne
    secretary-general directeur-général""".split()
)

# Titles whose "of ..." belongs to the title, not to an organisation: in "Director of National
# Intelligence of the United States" the organisation-looking words are part of the title.
COMPOUND_TITLES = (
    "Director of National Intelligence",
    "Director of Central Intelligence",
    "Director of Public Prosecutions",
    "Secretary of State",
    "Secretary of Defense",
    "Secretary of Homeland Security",
    "Chief of Staff",
    "Chief of the Defence Staff",
    "Chief of Defence Staff",
    "Minister of State",
    "Minister of the Interior",
    "Minister of Interior",
    "Minister of Foreign Affairs",
    "Minister of Defence",
    "Minister of Justice",
    "Attorney General",
    "Solicitor General",
    "Inspector General",
    "Home Secretary",
    "Foreign Secretary",
    "Interior Minister",
    "Justice Minister",
    "Defence Minister",
    "Defense Secretary",
    "Foreign Minister",
    "ministre de l'Intérieur",
    "ministre de l’Intérieur",
    "ministre des Affaires étrangères",
    "ministre de la Justice",
    "ministre des Armées",
    "ministre de la Défense",
    "procureur général",
    "procureure générale",
)
COMPOUND_TITLE_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(t) for t in sorted(COMPOUND_TITLES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)

# A name that starts with one of these is an organisation, whatever precedes it.
ORGANIZATION_HEADS = frozenset(
    """directorate agency office ministry department service services bureau council police army
    force forces command committee commission court authority unit division directorate-general
    direction ministère agence conseil gendarmerie armée commandement comité tribunal autorité
    unité
    guardia policía policia polizia polizei bundespolizei carabinieri ministerio ministero ministério
    ministerium fiscalía fiscalia procura procuradoria agencia agenzia agência servicio servizio
    serviço dirección direzione direção ejército esercito exército fuerzas fuerza forze comando
    audiencia juzgado tribunale bundesamt""".split()
)

# Nouns after a name that make the name a named event: "the African Lion exercises", "Operation X".
EVENT_NOUNS_AFTER = frozenset(
    """exercise exercises drill drills manoeuvres maneuvers summit summits accords accord agreement
    treaty conference games offensive talks war""".split()
)
EVENT_WORDS_IN_NAME = frozenset(
    """accords accord agreement treaty summit games conference war exercise operation show airshow
    expo exhibition festival olympics championship championships symposium
    sommet traité conférence opération exercice""".split()
)
EVENT_NOUNS_BEFORE = frozenset({"operation", "exercise", "opération", "exercice"})


def is_event_name(words: Sequence[str]) -> bool:
    """A name of two words or more ending with an event noun ("Worldwide Developers Conference",
    "Paris Air Show"), unless it starts as an organisation's does ("Department of War")."""
    lowered = [word.lower().strip(",.") for word in words]
    return len(lowered) >= 2 and lowered[-1] in EVENT_WORDS_IN_NAME and lowered[0] not in ORGANIZATION_HEADS


# Nouns after a one-word "name" that make it an adjective of a polity or group ("the Hashemite kingdom").
GROUP_NOUNS_AFTER = frozenset(
    """kingdom monarchy dynasty throne regime empire royaume monarchie dynastie régime empire
    community tribe clan minority communauté tribu""".split()
)

# Capitalised common nouns that the models often tag as names when they stand alone.
GENERIC_NOUNS = frozenset(
    """kingdom royaume state government ministry court agency police army embassy parliament
    president minister kingdom republic république union administration department office""".split()
)

# Words that end company and agency names: "Singapore Airlines", "Apple Inc.", "EADS N.V.".
ORGANIZATION_SUFFIXES = frozenset(
    """inc inc. ltd ltd. corp corp. corporation company co co. plc sa s.a. ag gmbh n.v. nv llc
    holdings group airlines airways aircraft systems technologies bank motors industries
    partners agency police ministry department office service council commission bureau
    directorate authority institute university foundation association union""".split()
)
# Other words that make a name an organisation's wherever they stand in it ("North Atlantic Treaty
# Organization", "Islamic Revolutionary Guard Corps", "Kurdistan Workers' Party").
ORGANIZATION_WORDS = frozenset(
    """organization organisation organisations organizations party front movement alliance network
    league federation confederation institute institution centre center corps guard guards navy
    brigade brigades battalion regiment squadron administration board fund programme program
    secretariat parliament assembly senate congress cabinet government tribunal prosecutor
    prosecutor's prosecution customs nations state states union coalition cartel clan gang syndicate
    mafia brotherhood organisme parti mouvement réseau ligue fédération institut garde marine fonds
    secrétariat parlement assemblée sénat gouvernement procureur parquet douane douanes unies état
    états""".split()
)
# Verbs after a name that the model alone reads as a place and the gazetteer does not know, that make it
# an organisation ("Cisco sues Apple", "Cisco said"): places known to nobody rarely speak or sue.
ORGANIZATION_VERBS_AFTER = frozenset(
    """said says stated states announced announces claimed claims sued sues filed files denied denies
    confirmed confirms unveiled unveils acquired acquires""".split()
)
# Words before a name that make it a place ("near Tan-Tan", "off the coast of Galicia", "based in X").
PLACE_CUES_BEFORE = (
    ("near",),
    ("outside",),
    ("coast", "of"),
    ("outskirts", "of"),
    ("suburb", "of"),
    ("suburbs", "of"),
    ("province", "of"),
    ("region", "of"),
    ("town", "of"),
    ("village", "of"),
    ("north", "of"),
    ("south", "of"),
    ("east", "of"),
    ("west", "of"),
    ("based", "in"),
)
# Descriptors in front of an organisation's name ("airline Aer Lingus", "rival Boeing").
ORGANIZATION_DESCRIPTORS = frozenset(
    """airline carrier company manufacturer maker firm group rival retailer bank agency airframer
    consortium subsidiary operator insurer broker supplier contractor giant startup start-up
    newspaper magazine broadcaster outlet daily weekly gang compagnie société entreprise groupe
    constructeur fabricant quotidien hebdomadaire agence""".split()
)
# Nouns after "Name's" or "Name" that make the name an organisation ("Ryanair CEO", "Boeing's board").
ORGANIZATION_NOUNS_AFTER = frozenset(
    """ceo cfo coo chairman chairwoman board shares stock stocks headquarters subsidiary subsidiaries
    spokesman spokeswoman spokesperson employees staff founder founders executives customers
    products shareholders""".split()
)
# Words that make a title and nothing else: a span made only of them is not a name.
TITLE_ONLY_WORDS = TITLES_AFTER | frozenset(
    """officer executive operating financial technology chief general vice senior deputy""".split()
)
# Country abbreviations that reports write in capitals; other ISO codes are too often something else
# ("8 GB", "TV", "R-AZ").
NEWS_COUNTRY_CODES = frozenset("US USA UK UAE DRC RDC EAU KSA PRC ROK DPRK RSA".split())
