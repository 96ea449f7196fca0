"""A reproducible corpus of news-length security reports for the scale benchmark (bench/scale.py).

Each report is a Markdown file with front matter (``title``, ``published``, ``source``) and a body of
300–900 words (median about 500): paragraphs written from this module's own templates (joint police
operations, cyber attacks and their attribution, drug seizures, summits, appointments, extraditions,
military exercises), filled from invented lists of people, agencies, criminal groups, outlets and
operations plus real countries and cities, interleaved with paragraphs and recombined sentences of the
demo corpus in ``examples/reports/`` (read through ``liaison.ingest.read_paths``). About 15% of the
reports are in French. About 5% are syndicated near-duplicates: a copy of an earlier report under
another outlet's name with a new headline, one sentence added or removed and a few words changed.

The same ``--seed`` gives byte-identical files.

    .venv/bin/python bench/corpus.py --out /tmp/corpus [--reports 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "reports"
FRENCH_SHARE = 0.15
DUPLICATE_SHARE = 0.05
MIN_WORDS, MAX_WORDS, MEDIAN_WORDS = 300, 900, 445  # target median; paragraphs overshoot it a little
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2025, 6, 30)
FILE_PATTERN = "report-*.md"

# --- the invented world ------------------------------------------------------------------------
# Country | French name with article | French "in" | cities (English:French when they differ).
COUNTRIES = """
France|la France|en France|Paris,Lyon,Marseille,Lille
Germany|l'Allemagne|en Allemagne|Berlin,Hamburg:Hambourg,Munich
Spain|l'Espagne|en Espagne|Madrid,Barcelona:Barcelone,Valencia:Valence
Italy|l'Italie|en Italie|Rome,Milan,Naples
Portugal|le Portugal|au Portugal|Lisbon:Lisbonne,Porto
the Netherlands|les Pays-Bas|aux Pays-Bas|Amsterdam,Rotterdam,The Hague:La Haye
Belgium|la Belgique|en Belgique|Brussels:Bruxelles,Antwerp:Anvers,Liège
Poland|la Pologne|en Pologne|Warsaw:Varsovie,Gdansk,Krakow:Cracovie
Romania|la Roumanie|en Roumanie|Bucharest:Bucarest,Constanta:Constanța
Greece|la Grèce|en Grèce|Athens:Athènes,Piraeus:Le Pirée
Sweden|la Suède|en Suède|Stockholm,Gothenburg:Göteborg
Norway|la Norvège|en Norvège|Oslo,Bergen
Finland|la Finlande|en Finlande|Helsinki,Tampere
Ireland|l'Irlande|en Irlande|Dublin,Cork
the United Kingdom|le Royaume-Uni|au Royaume-Uni|London:Londres,Manchester,Glasgow
the United States|les États-Unis|aux États-Unis|Washington,New York,Miami
Canada|le Canada|au Canada|Ottawa,Montreal:Montréal,Vancouver
Brazil|le Brésil|au Brésil|Brasília,São Paulo,Rio de Janeiro
Colombia|la Colombie|en Colombie|Bogotá,Cartagena:Carthagène
Mexico|le Mexique|au Mexique|Mexico City:Mexico,Guadalajara
Morocco|le Maroc|au Maroc|Rabat,Casablanca,Tangier:Tanger
Senegal|le Sénégal|au Sénégal|Dakar,Saint-Louis
Côte d'Ivoire|la Côte d'Ivoire|en Côte d'Ivoire|Abidjan,Yamoussoukro
Nigeria|le Nigeria|au Nigeria|Lagos,Abuja
Kenya|le Kenya|au Kenya|Nairobi,Mombasa
South Africa|l'Afrique du Sud|en Afrique du Sud|Johannesburg,Cape Town:Le Cap
Egypt|l'Égypte|en Égypte|Cairo:Le Caire,Alexandria:Alexandrie
Turkey|la Turquie|en Turquie|Ankara,Istanbul
Ukraine|l'Ukraine|en Ukraine|Kyiv:Kiev,Odesa:Odessa,Kharkiv
Japan|le Japon|au Japon|Tokyo,Osaka
South Korea|la Corée du Sud|en Corée du Sud|Seoul:Séoul,Busan
Australia|l'Australie|en Australie|Canberra,Sydney,Melbourne
Singapore|Singapour|à Singapour|Singapore:Singapour
India|l'Inde|en Inde|New Delhi,Mumbai:Bombay
Thailand|la Thaïlande|en Thaïlande|Bangkok,Chiang Mai
Switzerland|la Suisse|en Suisse|Bern:Berne,Geneva:Genève,Zurich
Austria|l'Autriche|en Autriche|Vienna:Vienne,Graz
Czechia|la Tchéquie|en Tchéquie|Prague,Brno
Estonia|l'Estonie|en Estonie|Tallinn,Tartu
Lithuania|la Lituanie|en Lituanie|Vilnius,Kaunas
"""

FEMALE_NAMES = (
    "Marta Ingrid Elena Sofia Claire Hanna Amara Leila Nadia Teresa Yuki Fiona Camille Adaeze Lucía "
    "Katarzyna Mireille Astrid Paula Ruth Oona Rosalind Zainab Beatriz"
).split()
MALE_NAMES = (
    "Tomasz Henrik Matteo Jonas Adrien Kofi Rafael Dmytro Emeka Stefan Olivier Hamid Lars Pedro Niall "
    "Kenji Andrei Bastien Youssef Samuel Ivo Anders Thabo Gustavo"
).split()
SURNAMES = (
    "Lindqvist Wierzbicki Castellanos Okonkwo Varga Brennan Halloran Petrescu Dufresne Achterberg "
    "Sørensen Kowalczyk Haddad Ferreira Takeda Nyström Osei Valcourt Marchetti Rask Albescu Moravec "
    "Quintero Falk Ekwueme Vidal Roussel Kerrigan Hollis Strand Amrani Benali Koval Sandoval Oyelaran "
    "Whitcombe Vanderlinde Desrosiers Mattila Olabode Carvalho Prentice Kallio Ruzicka Abernethy "
    "Lacombe Szabo Ndiaye Mercadier Oyelowo Thorvaldsen Iwasaki Branco Feeney Galanis Ashdown"
).split()
SUSPECT_GIVEN = (
    "Viktor Ruslan Goran Luka Ilir Artem Danilo Marco Jairo Cédric Karim Nikos Edin Bogdan".split()
)
SUSPECT_SURNAMES = (
    "Sablin Ostrovets Marinkovic Bregu Tkachuk Rinaldi Mendoza Kallas Vrabie Dervishi Lazaridis "
    "Okafor Zelenko Barrientos Hoxha Stanescu"
).split()

# English name | French name with article | acronym: national agencies, each given to one country per corpus.
AGENCIES = """
National Crime Directorate|la Direction nationale de la criminalité|NCD
Federal Cyber Investigation Bureau|le Bureau fédéral des enquêtes cyber|FCIB
Central Anti-Fraud Office|l'Office central de lutte contre la fraude|CAFO
Maritime Security Agency|l'Agence de sécurité maritime|MARSA
Border and Customs Intelligence Service|le Service de renseignement des frontières et des douanes|BCIS
Directorate of Internal Security|la Direction de la sécurité intérieure|DISEC
Digital Security Authority|l'Autorité de sécurité numérique|DIGISA
Organised Crime Task Force|le Groupe d'intervention contre le crime organisé|OCTAF
Financial Intelligence Service|le Service de renseignement financier|FINSERV
Criminal Police Directorate|la Direction de la police criminelle|CRIMPOL
Signals Intelligence Agency|l'Agence du renseignement électromagnétique|SIGAG
Anti-Corruption Bureau|le Bureau anticorruption|ACOB
Cyber Defence Command|le Commandement de la cyberdéfense|CYDEC
Narcotics Control Service|le Service de lutte contre les stupéfiants|NARCOS
Coast Guard Command|le Commandement des garde-côtes|COGUC
Special Investigations Unit|l'Unité des enquêtes spéciales|SPIU
National Police Intelligence Office|l'Office du renseignement de la police nationale|NAPIO
Economic Crime Authority|l'Autorité de lutte contre la criminalité économique|ECRA
Counter-Extremism Centre|le Centre de lutte contre l'extrémisme|COEXC
Cybercrime Prosecution Service|le Parquet spécialisé en cybercriminalité|CYPROS
"""
INTERNATIONAL = """
Europol|Europol|Europol
Interpol|Interpol|Interpol
Eurojust|Eurojust|Eurojust
the Atlantic Cyber Coordination Centre|le Centre atlantique de coordination cyber|ACCC
the Mediterranean Police Cooperation Council|le Conseil méditerranéen de coopération policière|MPCC
the Global Financial Crime Forum|le Forum mondial contre la criminalité financière|GFCF
"""
TITLES = {  # English, French (masculine), French (feminine)
    "director": ("director general", "directeur général", "directrice générale"),
    "head": ("head", "chef", "cheffe"),
    "chief": ("chief", "patron", "patronne"),
    "commissioner": ("commissioner", "commissaire", "commissaire"),
    "deputy": ("deputy director", "directeur adjoint", "directrice adjointe"),
    "prosecutor": ("chief prosecutor", "procureur en chef", "procureure en chef"),
}
CYBER_GROUPS = (
    "BlackMarlin GlassViper CobaltVane RedSable HollowTern IronMoth QuietCanary VantaLock Mirelock "
    "KraitNet DuskHarrow ObsidianWasp PaleOrbit GreyLantern"
).split()
GANGS = [
    ("the Serrano clan", "le clan Serrano"),
    ("the Valdera cartel", "le cartel Valdera"),
    ("the Ostrov network", "le réseau Ostrov"),
    ("the Blue Harbour gang", "la bande du Port bleu"),
    ("the Kestrel brotherhood", "la confrérie Kestrel"),
    ("the Marlow syndicate", "le syndicat Marlow"),
    ("the Delgado family", "la famille Delgado"),
    ("the Northern Ring", "l'Anneau du Nord"),
]
OPERATIONS = [
    ("Silver Heron", "Héron d'argent"),
    ("Tidewater", "Marée haute"),
    ("Glass Bridge", "Pont de verre"),
    ("Northern Lantern", "Lanterne du Nord"),
    ("Cold Anchor", "Ancre froide"),
    ("Red Meridian", "Méridien rouge"),
    ("Quiet Harbour", "Port tranquille"),
    ("Amber Gate", "Porte d'ambre"),
    ("Long Shadow", "Ombre longue"),
    ("White Falcon", "Faucon blanc"),
    ("Broken Compass", "Boussole brisée"),
    ("Iron Tide", "Marée de fer"),
]
EXERCISES = "Northern Shield|Desert Compass|Blue Horizon|Coastal Sentinel|Atlas Resolve|Sahel Bridge".split(
    "|"
)
VICTIMS = [
    ("Halvorsen Shipping", "l'armateur Halvorsen Shipping"),
    ("Meridian Health Trust", "le groupe hospitalier Meridian Health"),
    ("Castellane Energy", "l'énergéticien Castellane"),
    ("Brightwater Utilities", "le distributeur d'eau Brightwater"),
    ("Kestrel Bank", "la banque Kestrel"),
    ("Norrland Rail", "la compagnie ferroviaire Norrland Rail"),
    ("Aurelia Insurance", "l'assureur Aurelia"),
    ("the national electoral commission", "la commission électorale nationale"),
    ("the ministry of foreign affairs", "le ministère des affaires étrangères"),
    ("Solenne Telecom", "l'opérateur Solenne Télécom"),
]
THREATS = [
    ("ransomware", "les rançongiciels"),
    ("drug trafficking", "le trafic de drogue"),
    ("human trafficking", "la traite des êtres humains"),
    ("money laundering", "le blanchiment d'argent"),
    ("foreign interference", "l'ingérence étrangère"),
    ("arms smuggling", "le trafic d'armes"),
    ("terrorist financing", "le financement du terrorisme"),
    ("attacks on critical infrastructure", "les attaques contre les infrastructures critiques"),
]
OUTLETS_EN = [
    "The Harbour Gazette",
    "Continental Wire",
    "The Evening Sentinel",
    "Security Affairs Review",
    "The Northern Bulletin",
    "Policing Today Weekly",
    "Global Threat Monitor",
    "The Capital Herald",
    "Westbridge Post",
    "The Daily Meridian",
    "Crossborder News Agency",
    "The Lakeside Chronicle",
]
OUTLETS_FR = [
    "Le Courrier de l'Est",
    "La Dépêche numérique",
    "L'Écho des frontières",
    "Le Veilleur",
    "La Tribune de l'Ouest",
    "Le Journal des enquêtes",
]
MONTHS_EN = "January February March April May June July August September October November December".split()
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
DAYS_EN = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
DAYS_FR = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
NUMBERS_EN = "zero one two three four five six seven eight nine ten eleven twelve".split()
NUMBERS_FR = "zéro un deux trois quatre cinq six sept huit neuf dix onze douze".split()

# --- templates -----------------------------------------------------------------------------------
# Per language and kind of story: titles, leads (first paragraph) and details. Shared: quotes,
# background and closing sentences. Slots are filled from a story (see ``Story.slots``).
T: dict[str, dict[str, dict[str, list[str]]]] = {
    "en": {
        "cyber": {
            "title": [
                "{intl} and police from {n_countries} countries take down {group} ransomware network",
                "Operation {op}: {group} servers seized as {n_arrests} suspects are arrested",
                "Police dismantle {group}, the ransomware service behind the attack on {victim}",
            ],
            "lead": [
                "Police and judicial authorities in {n_countries_w} countries have taken down the "
                "infrastructure of {group}, a ransomware group blamed for attacks on hospitals, ports and "
                "local councils, {intl} said on {weekday}.",
                "The {org} said on {weekday} that it had seized {n_servers} servers used by the {group} "
                "ransomware group in an international action code-named Operation {op}, carried out with "
                "{intl} and police from {country2} and {country3}.",
                "Investigators from {country}, {country2} and {country3} have shut down the servers of "
                "{group}, whose software locked the systems of {victim} last year, officials announced in "
                "{city} on {date}.",
            ],
            "detail": [
                "Investigators arrested {n_arrests_w} people in {city} and {city2} and searched "
                "{n_searches} premises. Officers seized computers, phones and cryptocurrency worth about "
                "{money}.",
                "According to {intl}, the group had extorted more than {money2} from at least {n_victims} "
                "victims since {year_before}, among them {victim}.",
                "The investigation began in {month_before} after analysts at the {org} traced ransom "
                "payments from a victim in {country} to servers rented in {country2}.",
                "{suspect}, a {age}-year-old national of {country3} described by prosecutors as the "
                "group's administrator, was detained at {city} airport and faces extradition to "
                "{country}.",
                "Servers in {country2}, {country3} and {country} were taken offline, and the group's leak "
                "site now displays a banner saying that it is under the control of law enforcement.",
                "Officers obtained {n_keys} decryption keys, and the {org} said it would contact victims "
                "in {country} over the coming days.",
            ],
        },
        "drugs": {
            "title": [
                "{tonnes} tonnes of cocaine seized at {city} port as police arrest {n_arrests}",
                "Police in {n_countries} countries break up {gang}, seizing drugs worth {money}",
                "{country} and {country2} police arrest {n_arrests} in raids on {gang}",
            ],
            "lead": [
                "Police in {country} and {country2} have arrested {n_arrests_w} people and seized "
                "{tonnes} tonnes of cocaine hidden in containers of bananas at the port of {city}, the "
                "{org} said on {weekday}.",
                "A joint investigation by the {org} and officers from {country2} has dismantled {gang}, "
                "a network accused of moving cocaine from {country3} to Europe through the port of "
                "{city}, prosecutors said on {date}.",
            ],
            "detail": [
                "The drugs, with an estimated street value of {money}, had been shipped from {country3} "
                "and were due to be collected by a transport company registered in {city2}.",
                "Investigators say {gang} used encrypted telephones and front companies to organise "
                "shipments, and laundered the proceeds through property in {country2}.",
                "During {n_searches} searches, officers seized firearms, {n_cars} luxury cars and "
                "{money2} in cash.",
                "{suspect}, suspected of running the network from {city2}, was among those arrested. "
                "His lawyer said he denied the charges.",
                "The operation, known as Operation {op}, involved {n_officers} officers and was "
                "coordinated by {intl}.",
            ],
        },
        "summit": {
            "title": [
                "Security chiefs from {n_countries} countries meet in {city} to coordinate action "
                "against {threat}",
                "{p1} and {p2_name} sign cooperation agreement in {city}",
                "{intl} summit in {city} ends with pledge to share more intelligence on {threat}",
            ],
            "lead": [
                "The heads of police and intelligence services from {n_countries_w} countries met in "
                "{city} on {weekday} for two days of talks on {threat}, the first such gathering since "
                "{year_before}.",
                "{p1}, {p1_title} of the {p1_org} ({p1_acr}), and {p2_name}, {p2_title} of the "
                "{p2_org}, signed an agreement in {city} on {date} to exchange intelligence on "
                "{threat}.",
            ],
            "detail": [
                "The meeting, hosted by the {p1_org} and {intl}, brought together officials from "
                "{country}, {country2}, {country3} and a dozen other countries.",
                "{p1_hon} {p1_last} said the services had agreed to set up a joint analysis cell in "
                "{city2}, staffed by {n_officers} officers, before the end of {year}.",
                "{p2_hon} {p2_last} described a sharp rise in {threat} cases reported in {country2} "
                "over the previous {n_years_w} years.",
                "Delegates also discussed the protection of {victim}, which suffered a serious attack "
                "in {month_before}.",
            ],
        },
        "appointment": {
            "title": [
                "{country} names {p1} as new {p1_title} of the {p1_org}",
                "{p1} to lead the {p1_org} after {p2_name} steps down",
            ],
            "lead": [
                "The government of {country} has appointed {p1} as {p1_title} of the {p1_org} "
                "({p1_acr}), replacing {p2_name}, who is retiring after {n_years_w} years in the post, "
                "the interior ministry said on {weekday}.",
                "{p1}, a career investigator who led the {p1_org}'s work on {threat}, will become its "
                "{p1_title} on {later_date}, officials in {city} announced.",
            ],
            "detail": [
                "{p1_hon} {p1_last} joined the service in {year_before} and previously spent {n_years_w} "
                "years as liaison officer at {intl} in {city2}.",
                "Under {p2_name}, the {p1_org} took part in Operation {op}, which led to "
                "{n_arrests} arrests in {n_countries_w} countries.",
                "The appointment comes as the agency prepares to move into new headquarters in {city}, "
                "with {n_officers} staff.",
            ],
        },
        "attribution": {
            "title": [
                "{country} blames {group} hackers for cyber attack on {victim}",
                "{country} and {country2} attribute breach at {victim} to {group}",
            ],
            "lead": [
                "The government of {country} on {weekday} publicly attributed a cyber attack on {victim} "
                "to {group}, a hacking group it said acts on behalf of a foreign intelligence service.",
                "{country} and {country2} said on {date} that {group}, a state-backed hacking group, was "
                "behind the intrusion into the networks of {victim} discovered in {month_before}.",
            ],
            "detail": [
                "{p1}, {p1_title} of the {p1_org}, said the intrusion began in {month_before} and gave "
                "the attackers access to the personal data of {n_victims} people.",
                "The {p1_org} ({p1_acr}) published technical indicators so that other organisations "
                "could check their own systems.",
                "{country} summoned the ambassador of {country3} and announced sanctions against "
                "{n_arrests_w} individuals and one company.",
                "The attackers used stolen passwords and a flaw in remote-access software, according to "
                "a report by the {p2_org}.",
            ],
        },
        "exercise": {
            "title": [
                "{exercise} {year}: {n_troops} troops from {n_countries} countries train in {country}",
                "Multinational exercise {exercise} ends in {country}",
            ],
            "lead": [
                "More than {n_troops} soldiers from {n_countries_w} countries took part in {exercise} "
                "{year}, a multinational exercise hosted by {country} that ended on {weekday} near "
                "{city}.",
                "The {exercise} exercise, which brings together armed forces and police units from "
                "{n_countries_w} countries, opened in {city} on {date}.",
            ],
            "detail": [
                "Units from {country2} and {country3} practised the evacuation of civilians, the "
                "protection of ports and the response to a simulated attack on {victim}.",
                "{p1}, {p1_title} of the {p1_org}, said the exercise tested how quickly services could "
                "share intelligence across borders.",
                "This year's edition included, for the first time, a cyber defence component run from "
                "{city2}.",
            ],
        },
        "extradition": {
            "title": [
                "{suspect} extradited from {country2} to {country} to face charges",
                "Alleged leader of {gang} sentenced to {n_years} years in {city}",
            ],
            "lead": [
                "{suspect}, a {age}-year-old accused of leading {gang}, was extradited from {country2} to "
                "{country} on {weekday}, the {org} said.",
                "A court in {city} on {date} sentenced {suspect} to {n_years} years in prison for "
                "running {gang}, a network that smuggled drugs and weapons through {country2}.",
            ],
            "detail": [
                "{suspect_hon} {suspect_last} was arrested in {city2} in {month_before} on an "
                "international warrant issued by prosecutors in {city}.",
                "Prosecutors said the network laundered about {money} through companies registered in "
                "{country3}.",
                "The court also ordered the confiscation of {n_cars} cars and property worth {money2}.",
                "{n_arrests_w} other members of the network were convicted at the same trial.",
            ],
        },
    },
    "fr": {
        "cyber": {
            "title": [
                "Rançongiciel : le réseau {group} démantelé par une opération internationale",
                "Opération « {op} » : {n_arrests} interpellations et des serveurs saisis",
            ],
            "lead": [
                "Les autorités policières et judiciaires de {n_countries_w} pays ont démantelé "
                "l'infrastructure de {group}, un groupe de rançongiciel tenu pour responsable d'attaques "
                "contre des hôpitaux et des collectivités, a annoncé {intl} {weekday}.",
                "{org} a annoncé {weekday} la saisie de {n_servers} serveurs utilisés par le groupe "
                "{group}, au terme d'une opération baptisée « {op} » menée avec {intl}.",
            ],
            "detail": [
                "Les enquêteurs ont interpellé {n_arrests_w} personnes à {city} et à {city2} et mené "
                "{n_searches} perquisitions. Des ordinateurs et des cryptomonnaies d'une valeur "
                "d'environ {money} ont été saisis.",
                "Selon {intl}, le groupe avait extorqué plus de {money2} à au moins {n_victims} victimes "
                "depuis {year_before}, parmi lesquelles {victim}.",
                "L'enquête avait été ouverte en {month_before} après une plainte déposée {in_country} par "
                "{victim}.",
                "{suspect}, un ressortissant {of_country3} âgé de {age} ans présenté comme "
                "l'administrateur du groupe, a été arrêté à l'aéroport de {city}.",
            ],
        },
        "drugs": {
            "title": [
                "{tonnes} tonnes de cocaïne saisies dans le port de {city}",
                "Coup de filet contre {gang} : {n_arrests} interpellations",
            ],
            "lead": [
                "Les polices {of_country} et {of_country2} ont interpellé {n_arrests_w} personnes et saisi "
                "{tonnes} tonnes de cocaïne dissimulées dans des conteneurs de bananes dans le port de "
                "{city}, a indiqué {weekday} {org}.",
                "Une enquête commune {of_org} et d'enquêteurs {of_country2} a permis de démanteler "
                "{gang}, soupçonné d'acheminer de la cocaïne vers l'Europe par le port de {city}.",
            ],
            "detail": [
                "La drogue, d'une valeur estimée à {money} à la revente, avait été expédiée depuis "
                "{country3}.",
                "Selon les enquêteurs, {gang} utilisait des téléphones chiffrés et des sociétés écrans, "
                "et blanchissait ses profits dans l'immobilier {in_country2}.",
                "Au cours de {n_searches} perquisitions, les policiers ont saisi des armes, {n_cars} "
                "voitures de luxe et {money2} en espèces.",
                "{suspect}, soupçonné de diriger le réseau depuis {city2}, figure parmi les personnes "
                "interpellées. Son avocat affirme qu'il conteste les faits.",
            ],
        },
        "summit": {
            "title": [
                "Les chefs de la sécurité de {n_countries} pays réunis à {city} contre {threat}",
                "{p1} et {p2_name} signent un accord de coopération à {city}",
            ],
            "lead": [
                "Les responsables des services de police et de renseignement de {n_countries_w} pays "
                "se sont réunis {weekday} à {city} pour deux jours de discussions consacrées à la lutte "
                "contre {threat}.",
                "{p1}, {p1_title} {of_p1_org}, et {p2_name}, {p2_title} {of_p2_org}, ont signé "
                "le {date} à {city} un accord d'échange de renseignements sur {threat}.",
            ],
            "detail": [
                "La réunion, organisée par {p1_org} et {intl}, a rassemblé des responsables venus "
                "{of_country}, {of_country2} et d'une dizaine d'autres pays.",
                "{p1_hon} {p1_last} a indiqué que les services avaient convenu de créer une cellule "
                "d'analyse commune à {city2}, forte de {n_officers} agents.",
                "{p2_hon} {p2_last} a décrit une forte hausse des affaires concernant {threat} "
                "{in_country2} au cours des {n_years_w} dernières années.",
            ],
        },
        "appointment": {
            "title": [
                "{p1} prend la tête {of_p1_org}",
                "{p1} succède à {p2_name} à la tête {of_p1_org}",
            ],
            "lead": [
                "Le gouvernement a nommé {p1} {p1_title} {of_p1_org}, en remplacement de {p2_name}, "
                "qui part à la retraite après {n_years_w} ans à ce poste, a annoncé {weekday} le "
                "ministère de l'intérieur.",
            ],
            "detail": [
                "{p1_hon} {p1_last} est entré dans le service en {year_before} et a passé {n_years_w} "
                "ans comme officier de liaison auprès {of_intl} à {city2}.",
                "Sous la direction de {p2_name}, {p1_org} a participé à l'opération « {op} », qui a "
                "abouti à {n_arrests} interpellations dans {n_countries_w} pays.",
            ],
        },
        "attribution": {
            "title": [
                "Cyberattaque contre {victim} : {country} accuse le groupe {group}",
            ],
            "lead": [
                "Le gouvernement a attribué publiquement {weekday} la cyberattaque contre {victim} au "
                "groupe {group}, qui agirait pour le compte d'un service de renseignement étranger.",
            ],
            "detail": [
                "Selon {p1}, {p1_title} {of_p1_org}, l'intrusion a commencé en {month_before} et a "
                "donné accès aux données personnelles de {n_victims} personnes.",
                "L'ambassadeur {of_country3} a été convoqué et des sanctions ont été annoncées contre "
                "{n_arrests_w} personnes.",
            ],
        },
        "extradition": {
            "title": [
                "{suspect} extradé depuis {country2} pour être jugé",
                "Le chef présumé de {gang} condamné à {n_years} ans de prison à {city}",
            ],
            "lead": [
                "{suspect}, {age} ans, soupçonné de diriger {gang}, a été extradé depuis {country2} "
                "{weekday}, a annoncé {org}.",
                "Le tribunal de {city} a condamné le {date} {suspect} à {n_years} ans de prison pour "
                "avoir dirigé {gang}, un réseau de trafic de drogue et d'armes.",
            ],
            "detail": [
                "{suspect_hon} {suspect_last} avait été arrêté à {city2} en {month_before} en vertu "
                "d'un mandat d'arrêt international.",
                "Selon le parquet, le réseau a blanchi environ {money} par l'intermédiaire de sociétés "
                "enregistrées {in_country3}.",
                "Le tribunal a également ordonné la confiscation de {n_cars} véhicules et de biens "
                "d'une valeur de {money2}.",
            ],
        },
    },
}
SHARED = {
    "en": {
        "quote": [
            '"This operation shows what we can achieve when services share information quickly," '
            "{p1_hon} {p1_last} told reporters in {city}.",
            '"No single country can deal with {threat} on its own," said {p1}, {p1_title} of the {p1_org}.',
            "{p1_hon} {p1_last} said further arrests were likely in the coming weeks and urged victims "
            "to contact the police.",
            '"We will keep working with our partners in {country2} and {country3}," {p2_name}, '
            "{p2_title} of the {p2_org}, said in a statement.",
            "Speaking in {city2}, {p2_hon} {p2_last} said the case showed how quickly criminal "
            "networks adapt to pressure from the authorities.",
        ],
        "background": [
            "{intl} said it had set up a coordination centre in {city2} for the action, where officers "
            "from {country2} and {country3} worked alongside its own analysts.",
            "The case is the latest in a series of joint investigations coordinated by {intl} since "
            "{year_before}.",
            "Officials in {country2} declined to comment on the investigation, citing legal proceedings.",
            "Last year the {p2_org} reported {n_victims} cases linked to {threat}, a rise of "
            "{percent} per cent on the year before.",
            "The {p1_org} has about {n_officers} staff and a budget of {money2}, according to its "
            "annual report published in {month_before}.",
            "Cooperation between {country} and {country2} on {threat} was formalised in a treaty "
            "signed in {year_before}.",
        ],
        "closing": [
            "The investigation is continuing, the {p1_org} said.",
            "A first hearing is scheduled in {city} on {later_date}.",
            "{p2_name} is expected to present the results to ministers in {city2} on {later_date}.",
            "{intl} said more details would be released once the legal proceedings allow it.",
        ],
    },
    "fr": {
        "quote": [
            "« Cette opération montre ce que nous pouvons accomplir lorsque les services partagent "
            "rapidement l'information », a déclaré {p1_hon} {p1_last} à la presse à {city}.",
            "« Aucun pays ne peut lutter seul contre {threat} », a souligné {p1}, {p1_title} {of_p1_org}.",
            "{p1_hon} {p1_last} a indiqué que de nouvelles interpellations étaient probables dans les "
            "prochaines semaines.",
            "« Nous continuerons à travailler avec nos partenaires », a affirmé {p2_name}, {p2_title} "
            "{of_p2_org}, dans un communiqué.",
        ],
        "background": [
            "{intl} a indiqué avoir installé à {city2} un centre de coordination où des enquêteurs "
            "{of_country2} et {of_country3} ont travaillé aux côtés de ses analystes.",
            "Cette affaire est la dernière d'une série d'enquêtes communes coordonnées par {intl} "
            "depuis {year_before}.",
            "Les autorités {of_country2} n'ont pas souhaité commenter l'enquête en cours.",
            "L'an dernier, {p2_org} a recensé {n_victims} affaires concernant {threat}, une hausse "
            "de {percent} % par rapport à l'année précédente.",
        ],
        "closing": [
            "L'enquête se poursuit, a précisé {p1_org}.",
            "Une première audience est prévue à {city} le {later_date}.",
            "{intl} a indiqué que d'autres détails seraient communiqués ultérieurement.",
        ],
    },
}
# Word edits for syndicated copies (same number of words): one occurrence of each chosen pair.
EDITS = {
    "en": [
        ("said", "stated"),
        ("arrested", "detained"),
        ("about", "around"),
        ("more than", "upwards of"),
        ("people", "individuals"),
        ("seized", "confiscated"),
        ("investigators", "detectives"),
        ("officials", "authorities"),
        ("announced", "said"),
        ("network", "organisation"),
    ],
    "fr": [
        ("a déclaré", "a affirmé"),
        ("interpellé", "arrêté"),
        ("environ", "quelque"),
        ("plus de", "au-delà de"),
        ("enquêteurs", "policiers"),
        ("a indiqué", "a précisé"),
        ("réseau", "groupe"),
        ("saisi", "confisqué"),
    ],
}
SYNDICATION_TITLES = {
    "en": ["{title}", "UPDATE: {title}", "{title} — officials", "Exclusive: {title}", "{title}, police say"],
    "fr": ["{title}", "ACTUALISATION : {title}", "{title}, selon les autorités"],
}


@dataclass(frozen=True)
class Country:
    name: str
    fr: str
    fr_in: str
    cities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Person:
    given: str
    surname: str
    female: bool
    title: str
    agency: int

    @property
    def name(self) -> str:
        return f"{self.given} {self.surname}"


@dataclass
class World:
    countries: list[Country]
    agencies: list[tuple[str, str, str, int]]  # English, French, acronym, country index
    international: list[tuple[str, str, str]]
    people: list[Person]
    suspects: list[str]


@dataclass
class Story:
    language: str
    kind: str
    slots: dict[str, str]
    published: date
    source: str


@dataclass
class Generated:
    title: str
    published: date
    source: str
    language: str
    paragraphs: list[list[str]]  # sentences by paragraph
    story: Story | None = None
    copy_of: int | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(" ".join(sentences) for sentences in self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(s.split()) for p in self.paragraphs for s in p)


@dataclass
class CorpusStats:
    reports: int = 0
    words: int = 0
    french: int = 0
    duplicates: int = 0
    lengths: list[int] = field(default_factory=list)

    @property
    def median_words(self) -> float:
        ordered = sorted(self.lengths)
        middle = len(ordered) // 2
        if not ordered:
            return 0.0
        return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def build_world(rng: random.Random) -> World:
    countries = []
    for line in COUNTRIES.strip().splitlines():
        name, fr, fr_in, cities = line.split("|")
        pairs = tuple((c.split(":")[0], c.split(":")[-1]) for c in cities.split(","))
        countries.append(Country(name, fr, fr_in, pairs))
    homes = rng.sample(range(len(countries)), len(AGENCIES.strip().splitlines()))
    agencies = [
        (*line.split("|"), home)  # type: ignore[misc]
        for line, home in zip(AGENCIES.strip().splitlines(), homes, strict=True)
    ]
    international = [tuple(line.split("|")) for line in INTERNATIONAL.strip().splitlines()]
    people: list[Person] = []
    seen: set[str] = set()
    titles = sorted(TITLES)
    while len(people) < 140:
        female = rng.random() < 0.45
        given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        surname = rng.choice(SURNAMES)
        if surname in seen:  # one person per surname, so "Ms Varga" is never ambiguous
            continue
        seen.add(surname)
        people.append(Person(given, surname, female, rng.choice(titles), rng.randrange(len(agencies))))
        if len(seen) == len(SURNAMES):
            break
    suspects = sorted({f"{g} {s}" for g in SUSPECT_GIVEN for s in SUSPECT_SURNAMES})
    suspects = rng.sample(suspects, 60)
    return World(countries, agencies, international, people, suspects)  # type: ignore[arg-type]


def _spell(number: int, language: str) -> str:
    words = NUMBERS_EN if language == "en" else NUMBERS_FR
    return words[number] if 0 <= number < len(words) else _figure(number, language)


def _figure(number: int, language: str) -> str:
    text = f"{number:,}"
    return text.replace(",", "\u202f") if language == "fr" else text


def _money(rng: random.Random, language: str, low: float, high: float) -> str:
    amount = math.exp(rng.uniform(math.log(low), math.log(high)))
    currency = rng.choice(["€", "$", "£"])
    if amount >= 1_000_000:
        value = f"{amount / 1_000_000:.1f}".rstrip("0").rstrip(".")
        if language == "fr":
            name = {"€": "d'euros", "$": "de dollars", "£": "de livres"}[currency]
            return f"{value.replace('.', ',')} millions {name}"
        return f"{currency}{value} million"
    value_int = int(round(amount, -3))
    if language == "fr":
        return f"{_figure(value_int, 'fr')} {currency}"
    return f"{currency}{_figure(value_int, 'en')}"


def _date(day: date, language: str) -> str:
    if language == "fr":
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _month(day: date, language: str) -> str:
    return f"{(MONTHS_FR if language == 'fr' else MONTHS_EN)[day.month - 1]} {day.year}"


def _of(name: str) -> str:
    """French "de" + a name with its article: "du Portugal", "des Pays-Bas", "de la France", "d'Europol"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    if not name.startswith(("la ", "l'")) and name[0] in "AEIOUÉaeiouyé":
        return "d'" + name
    return "de " + name


def make_story(rng: random.Random, world: World, language: str) -> Story:
    kinds = sorted(T[language])
    weights = {"cyber": 4, "drugs": 3, "summit": 2, "appointment": 1, "attribution": 2, "exercise": 1}
    kind = rng.choices(kinds, weights=[weights.get(k, 1) for k in kinds])[0]
    fr = language == "fr"
    p1, p2 = rng.sample(world.people, 2)
    agency1, agency2 = world.agencies[p1.agency], world.agencies[p2.agency]
    home = agency1[3]
    others = rng.sample([i for i in range(len(world.countries)) if i != home], 2)
    c1, c2, c3 = (world.countries[i] for i in (home, *others))
    city, city2 = (rng.choice(c.cities)[1 if fr else 0] for c in (c1, c2))
    days = (LAST_DAY - FIRST_DAY).days
    published = FIRST_DAY + timedelta(days=rng.randrange(days))
    event = published - timedelta(days=rng.randrange(4))
    before = published - timedelta(days=rng.randrange(60, 540))
    later = published + timedelta(days=rng.randrange(10, 90))
    suspect = rng.choice(world.suspects)
    intl = rng.choice(world.international)
    gang = rng.choice(GANGS)
    victim = rng.choice(VICTIMS)
    threat = rng.choice(THREATS)

    def title_of(person: Person) -> str:
        english, masculine, feminine = TITLES[person.title]
        return (feminine if person.female else masculine) if fr else english

    def honorific(person: Person) -> str:
        if fr:
            return "Mme" if person.female else "M."
        return "Ms" if person.female else "Mr"

    n_countries = rng.randint(3, 24)
    slots = {
        "p1": p1.name,
        "p1_last": p1.surname,
        "p1_hon": honorific(p1),
        "p1_title": title_of(p1),
        "p1_org": agency1[1 if fr else 0],
        "p1_acr": agency1[2],
        "p2_name": p2.name,
        "p2_last": p2.surname,
        "p2_hon": honorific(p2),
        "p2_title": title_of(p2),
        "p2_org": agency2[1 if fr else 0],
        "org": agency1[1 if fr else 0],
        "intl": intl[1 if fr else 0],
        "country": c1.fr if fr else c1.name,
        "country2": c2.fr if fr else c2.name,
        "country3": c3.fr if fr else c3.name,
        "in_country": c1.fr_in,
        "in_country2": c2.fr_in,
        "in_country3": c3.fr_in,
        "of_country": _of(c1.fr),
        "of_country2": _of(c2.fr),
        "of_country3": _of(c3.fr),
        "of_org": _of(agency1[1]),
        "of_p1_org": _of(agency1[1]),
        "of_p2_org": _of(agency2[1]),
        "of_intl": _of(intl[1]),
        "city": city,
        "city2": city2,
        "date": _date(event, language),
        "weekday": (DAYS_FR if fr else DAYS_EN)[event.weekday()],
        "year": str(event.year),
        "year_before": str(before.year),
        "month_before": _month(before, language),
        "later_date": _date(later, language),
        "suspect": suspect,
        "suspect_last": suspect.split()[-1],
        "suspect_hon": "M." if fr else "Mr",
        "group": rng.choice(CYBER_GROUPS),
        "gang": gang[1 if fr else 0],
        "op": rng.choice(OPERATIONS)[1 if fr else 0],
        "exercise": rng.choice(EXERCISES),
        "victim": victim[1 if fr else 0],
        "threat": threat[1 if fr else 0],
        "n_countries": str(n_countries),
        "n_countries_w": _spell(n_countries, language),
        "n_arrests": str(rng.randint(2, 140)),
        "n_arrests_w": _spell(rng.randint(2, 30), language),
        "n_servers": _figure(rng.randint(12, 900), language),
        "n_searches": _spell(rng.randint(3, 60), language),
        "n_victims": _figure(rng.randint(40, 25_000), language),
        "n_keys": _figure(rng.randint(100, 4_000), language),
        "n_officers": _figure(rng.choice([40, 60, 120, 250, 400, 800, 1_500]), language),
        "n_troops": _figure(rng.choice([800, 1_200, 2_500, 4_000, 7_500, 10_000]), language),
        "n_cars": _spell(rng.randint(2, 25), language),
        "n_years": str(rng.randint(3, 22)),
        "n_years_w": _spell(rng.randint(3, 12), language),
        "tonnes": str(rng.randint(2, 18)) if rng.random() < 0.7 else f"{rng.uniform(1, 12):.1f}",
        "age": str(rng.randint(24, 61)),
        "percent": str(rng.randint(5, 60)),
        "money": _money(rng, language, 200_000, 90_000_000),
        "money2": _money(rng, language, 50_000, 40_000_000),
    }
    if fr:
        slots["tonnes"] = slots["tonnes"].replace(".", ",")
    source = rng.choice(OUTLETS_FR if fr else OUTLETS_EN)
    return Story(language, kind, slots, published, source)


# --- the demo corpus, cut into paragraphs and sentences -------------------------------------------
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”»]?\s+")
_ABBREVIATIONS = ("M.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Mme.", "U.S.", "No.")


def split_sentences(paragraph: str) -> list[str]:
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : match.start()].split()
        last = before[-1] if before else ""
        nxt = paragraph[match.end() : match.end() + 1]
        if last in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", last) or not nxt or nxt.islower():
            continue
        piece = paragraph[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def demo_material() -> dict[str, list[list[str]]]:
    """Paragraphs of the demo corpus (each a list of sentences), by language."""
    sys.path.insert(0, str(ROOT / "src"))
    from liaison.domain import Report
    from liaison.extract.language import identify
    from liaison.ingest import read_paths

    material: dict[str, list[list[str]]] = {"en": [], "fr": []}
    for report in read_paths([DEMO], 10**7):
        if not isinstance(report, Report):
            continue
        language = report.language or identify(report.text)[0]
        if language not in material:
            continue
        for paragraph in re.split(r"\n\s*\n|\n", report.text):
            sentences = split_sentences(" ".join(paragraph.split()))
            if sum(len(s.split()) for s in sentences) >= 15:
                material[language].append(sentences)
    return material


# --- assembling reports --------------------------------------------------------------------------
def _fill(template: str, slots: dict[str, str]) -> str:
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


def make_report(rng: random.Random, story: Story, demo: dict[str, list[list[str]]]) -> Generated:
    language, slots = story.language, story.slots
    kind = T[language][story.kind]
    shared = SHARED[language]
    target = round(math.exp(rng.gauss(math.log(MEDIAN_WORDS), 0.28)))
    target = max(MIN_WORDS, min(MAX_WORDS - 60, target))
    lead = [_fill(rng.choice(kind["lead"]), slots)]
    if rng.random() < 0.35:
        dateline = slots["city"].upper()
        lead[0] = (
            f"{dateline}, {slots['date']} — {lead[0]}" if rng.random() < 0.5 else f"{dateline} — {lead[0]}"
        )
    details = [_fill(t, slots) for t in rng.sample(kind["detail"], len(kind["detail"]))]
    quotes = [_fill(t, slots) for t in rng.sample(shared["quote"], len(shared["quote"]))]
    background = [_fill(t, slots) for t in rng.sample(shared["background"], len(shared["background"]))]
    lead.append(details.pop())
    paragraphs = [lead]
    plan = ["details", "quote", "demo", "background", "mix", "details", "demo", "quote", "mix"]
    step = 0
    while sum(len(s.split()) for p in paragraphs for s in p) < target:
        block = plan[step % len(plan)] if step < len(plan) else rng.choice(["demo", "mix", "demo", "quote"])
        step += 1
        if block == "details" and details:
            paragraphs.append([details.pop() for _ in range(min(2, len(details)))])
        elif block == "quote" and quotes:
            paragraphs.append([quotes.pop()] + ([background.pop()] if background else []))
        elif block == "background" and background:
            paragraphs.append([background.pop() for _ in range(min(2, len(background)))])
        elif block == "mix":
            pool = [s for p in rng.sample(demo[language], 4) for s in p]
            paragraphs.append(rng.sample(pool, min(len(pool), rng.randint(2, 4))))
        else:
            paragraphs.append(list(rng.choice(demo[language])))
    paragraphs.append([_fill(rng.choice(shared["closing"]), slots)])
    while sum(len(s.split()) for p in paragraphs for s in p) > MAX_WORDS:  # trim the last full paragraph
        body = paragraphs[-2]
        body.pop()
        if not body:
            paragraphs.pop(-2)
    title = _fill(rng.choice(kind["title"]), slots)
    return Generated(title, story.published, story.source, language, paragraphs, story)


def syndicate(rng: random.Random, original: Generated, index: int) -> Generated:
    """A near-duplicate: another outlet, another headline, one sentence added or removed, a few edits."""
    assert original.story is not None
    story, language = original.story, original.language
    paragraphs = [list(p) for p in original.paragraphs]
    words = original.words
    extra = _fill(rng.choice(SHARED[language]["background"]), story.slots)
    removable = [
        (i, j)
        for i, p in enumerate(paragraphs[1:], start=1)
        for j in range(1, len(p))
        if words - len(p[j].split()) >= MIN_WORDS
    ]
    if removable and (rng.random() < 0.5 or words + len(extra.split()) > MAX_WORDS):
        i, j = rng.choice(removable)
        paragraphs[i].pop(j)
    else:
        paragraphs.insert(rng.randrange(1, len(paragraphs)), [extra])
    text = "\n".join("\t".join(p) for p in paragraphs)
    pairs = [pair for pair in EDITS[language] if re.search(rf"\b{re.escape(pair[0])}\b", text)]
    for old, new in rng.sample(pairs, min(3, len(pairs))):
        matches = list(re.finditer(rf"\b{re.escape(old)}\b", text))
        hit = rng.choice(matches)
        text = text[: hit.start()] + new + text[hit.end() :]
    paragraphs = [p.split("\t") for p in text.split("\n")]
    kind = T[language][story.kind]
    headline = _fill(rng.choice(kind["title"]), story.slots)
    if headline == original.title:
        headline = rng.choice(SYNDICATION_TITLES[language][1:]).format(title=headline)
    else:
        headline = rng.choice(SYNDICATION_TITLES[language]).format(title=headline)
    outlets = [o for o in (OUTLETS_FR if language == "fr" else OUTLETS_EN) if o != original.source]
    published = original.published + timedelta(days=rng.randrange(3))
    return Generated(headline, published, rng.choice(outlets), language, paragraphs, story, index)


def render(report: Generated) -> str:
    return (
        f"---\ntitle: {report.title}\npublished: {report.published.isoformat()}\n"
        f"source: {report.source}\n---\n\n{report.body}\n"
    )


def generate(out: Path, reports: int = 2000, seed: int = 7) -> CorpusStats:
    """Write ``reports`` Markdown files into ``out`` (stale ``report-*.md`` files are removed)."""
    rng = random.Random(seed)
    world = build_world(rng)
    demo = demo_material()
    duplicates = round(reports * DUPLICATE_SHARE)
    copy_slots = set(rng.sample(range(min(20, reports), reports), duplicates)) if reports > 20 else set()
    generated: list[Generated] = []
    for index in range(reports):
        if index in copy_slots:
            originals = [g for g in generated if g.copy_of is None]
            generated.append(syndicate(rng, rng.choice(originals), index))
        else:
            language = "fr" if rng.random() < FRENCH_SHARE else "en"
            generated.append(make_report(rng, make_story(rng, world, language), demo))
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(FILE_PATTERN):
        stale.unlink()
    stats = CorpusStats()
    for index, report in enumerate(generated):
        (out / f"report-{index:05d}.md").write_text(render(report), "utf-8", newline="\n")
        stats.reports += 1
        stats.words += report.words
        stats.lengths.append(report.words)
        stats.french += report.language == "fr"
        stats.duplicates += report.copy_of is not None
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write report-NNNNN.md into")
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    start = time.perf_counter()
    stats = generate(args.out, args.reports, args.seed)
    print(
        f"{stats.reports} reports, {stats.words:,} words (median {stats.median_words:.0f}, "
        f"min {min(stats.lengths, default=0)}, max {max(stats.lengths, default=0)}); "
        f"{stats.french} in French, {stats.duplicates} syndicated near-duplicates; "
        f"written to {args.out} in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
