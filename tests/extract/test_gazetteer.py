"""The place gazetteer: names in English and French, code case rules, demonyms, regions, ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.extract.gazetteer import Gazetteer, Place, load_gazetteer

DATA = Path(__file__).resolve().parents[2] / "src" / "liaison" / "extract" / "data"

# The 193 UN member states (ISO 3166-1 alpha-2).
UN_MEMBERS = """
AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH CM CA CF TD CL
CN CO KM CG CD CR CI HR CU CY CZ KP DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT
GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV
ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR
MD RO RU RW KN LC VC WS SM ST SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT
TN TR TM TV UG UA AE GB TZ US UY UZ VU VE VN YE ZM ZW
""".split()


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def _place(gaz: Gazetteer, name: str) -> Place:
    place = gaz.lookup(name)
    assert place is not None, f"{name!r} should be known"
    return place


def test_the_gazetteer_is_built_once_per_process() -> None:
    assert load_gazetteer() is load_gazetteer()


@pytest.mark.parametrize(
    ("surface", "code"),
    [
        ("Etats-Unis", "US"),
        ("États-Unis", "US"),
        ("etats unis", "US"),
        ("the United States", "US"),
        ("US", "US"),
        ("U.S.", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("America", "US"),
        ("les États-Unis", "US"),
        ("Maroc", "MA"),
        ("le Maroc", "MA"),
        ("Royaume du Maroc", "MA"),
        ("Kingdom of Morocco", "MA"),
        ("MOROCCO", "MA"),
        ("Emirates", "AE"),
        ("the Emirates", "AE"),
        ("UAE", "AE"),
        ("EAU", "AE"),
        ("Emirats arabes unis", "AE"),
        ("Émirats arabes unis", "AE"),
        ("Britain", "GB"),
        ("UK", "GB"),
        ("Royaume-Uni", "GB"),
        ("Grande-Bretagne", "GB"),
        ("Russia", "RU"),
        ("la Russie", "RU"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        ("Syrie", "SY"),
        ("South Korea", "KR"),
        ("Corée du Sud", "KR"),
        ("North Korea", "KP"),
        ("Corée du Nord", "KP"),
        ("DRC", "CD"),
        ("RDC", "CD"),
        ("République démocratique du Congo", "CD"),
        ("Congo", "CG"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Holland", "NL"),
        ("Pays-Bas", "NL"),
        ("Vatican", "VA"),
        ("Palestine", "PS"),
        ("Kosovo", "XK"),
        ("Taiwan", "TW"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("l'Algérie", "DZ"),
        ("L’Algérie", "DZ"),
        ("Allemagne", "DE"),
        ("Espagne", "ES"),
        ("Mauritanie", "MR"),
        ("Burma", "MM"),
        ("Birmanie", "MM"),
        ("The Gambia", "GM"),
        ("Korea, Republic of", "KR"),
        ("Marruecos", "MA"),
    ],
)
def test_country_names_in_english_french_and_short_forms(gaz: Gazetteer, surface: str, code: str) -> None:
    place = _place(gaz, surface)
    assert (place.kind, place.country_code) == ("country", code)
    assert gaz.lookup_country(surface) == place


def test_country_places_carry_canonical_name_codes_and_capital_coordinates(gaz: Gazetteer) -> None:
    morocco = _place(gaz, "Maroc")
    assert morocco.name == "Morocco"
    assert morocco.alpha3 == "MAR"
    assert morocco.latitude == pytest.approx(34.01, abs=0.1)  # Rabat
    assert morocco.longitude == pytest.approx(-6.83, abs=0.1)
    assert morocco.population is not None and morocco.population > 30_000_000
    assert _place(gaz, "USA").name == "United States"
    assert _place(gaz, "UAE").name == "United Arab Emirates"
    assert _place(gaz, "Royaume-Uni").name == "United Kingdom"


@pytest.mark.parametrize(
    ("surface", "code"),
    [("US", "US"), ("IN", "IN"), ("CAN", "CA"), ("MAR", "MA"), ("FRA", "FR"), ("UK", "GB"), ("DPRK", "KP")],
)
def test_codes_and_all_capital_short_forms_match_in_capitals(gaz: Gazetteer, surface: str, code: str) -> None:
    place = _place(gaz, surface)
    assert place.country_code == code


@pytest.mark.parametrize("surface", ["us", "Us", "in", "In", "can", "mar", "usa", "uk", "fra", "it", "uae"])
def test_codes_written_in_lower_case_are_plain_words(gaz: Gazetteer, surface: str) -> None:
    assert gaz.lookup(surface) is None
    assert gaz.lookup_country(surface) is None


def test_country_by_code_accepts_alpha2_and_alpha3_in_any_case(gaz: Gazetteer) -> None:
    morocco = gaz.country_by_code("MA")
    assert morocco is not None and morocco.name == "Morocco"
    assert gaz.country_by_code("ma") == morocco
    assert gaz.country_by_code("MAR") == morocco
    assert gaz.country_by_code("mar") == morocco
    kosovo = gaz.country_by_code("XKX")
    assert kosovo is not None and kosovo.name == "Kosovo"
    assert gaz.country_by_code("ZZ") is None
    assert gaz.country_by_code("EH") is None  # Western Sahara is a region here


def test_lookup_country_ignores_cities_and_regions(gaz: Gazetteer) -> None:
    assert gaz.lookup_country("Rabat") is None
    assert gaz.lookup_country("Sahel") is None
    assert gaz.lookup_country("Washington") is None
    assert gaz.lookup_country("Western Sahara") is None
    georgia = gaz.lookup_country("Georgia")
    assert georgia is not None and georgia.country_code == "GE"


@pytest.mark.parametrize(
    ("surface", "name", "code"),
    [
        ("Rabat", "Rabat", "MA"),
        ("Casablanca", "Casablanca", "MA"),  # not the small Chilean namesake
        ("Tripoli", "Tripoli", "LY"),  # the larger of Libya's and Lebanon's
        ("Alger", "Algiers", "DZ"),
        ("Pékin", "Beijing", "CN"),
        ("Le Caire", "Cairo", "EG"),
        ("Marrakech", "Marrakesh", "MA"),
        ("Odessa", "Odesa", "UA"),  # not Odessa, Texas
        ("Kiev", "Kyiv", "UA"),
        ("Washington", "Washington", "US"),
        ("Washington, D.C.", "Washington", "US"),
        ("New York", "New York City", "US"),
        ("Le Havre", "Le Havre", "FR"),  # the article belongs to the name
        ("The Hague", "The Hague", "NL"),
        ("La Haye", "The Hague", "NL"),
        ("Vaduz", "Vaduz", "LI"),  # a capital below 100,000 inhabitants
        ("Gaza City", "Gaza", "PS"),
    ],
)
def test_cities(gaz: Gazetteer, surface: str, name: str, code: str) -> None:
    place = _place(gaz, surface)
    assert (place.kind, place.name, place.country_code) == ("city", name, code)


def test_city_places_carry_population_and_coordinates(gaz: Gazetteer) -> None:
    rabat = _place(gaz, "Rabat")
    assert rabat.population is not None and rabat.population > 1_000_000
    assert rabat.latitude == pytest.approx(34.01, abs=0.1)
    assert rabat.alpha3 is None


def test_countries_outrank_their_namesake_cities(gaz: Gazetteer) -> None:
    for name in ("Mexico", "Djibouti", "Singapore", "Kuwait", "Luxembourg"):
        assert _place(gaz, name).kind == "country", name


def test_common_word_city_names_are_dropped_and_short_names_excluded(gaz: Gazetteer) -> None:
    for word in ("Independence", "Paradise", "Metro", "Of", "Man", "Logos"):
        assert gaz.lookup(word) is None, word


@pytest.mark.parametrize("surname", ["Hammouchi", "Haines", "Burns"])
def test_surnames_are_not_places(gaz: Gazetteer, surname: str) -> None:
    assert gaz.lookup(surname) is None
    assert gaz.lookup_country(surname) is None
    assert gaz.demonym(surname) is None
    assert not gaz.is_ambiguous(surname)


@pytest.mark.parametrize(
    ("surface", "name"),
    [
        ("Sahel", "Sahel"),
        ("Maghreb", "Maghreb"),
        ("Sahara", "Sahara"),
        ("North Africa", "North Africa"),
        ("Afrique du Nord", "North Africa"),
        ("Middle East", "Middle East"),
        ("Moyen-Orient", "Middle East"),
        ("Proche-Orient", "Near East"),
        ("the Gulf", "Persian Gulf"),
        ("Golfe", "Persian Gulf"),
        ("Horn of Africa", "Horn of Africa"),
        ("Corne de l'Afrique", "Horn of Africa"),
        ("Sub-Saharan Africa", "Sub-Saharan Africa"),
        ("Afrique de l'Ouest", "West Africa"),
        ("Lake Chad Basin", "Lake Chad Basin"),
        ("Liptako-Gourma", "Liptako-Gourma"),
        ("Balkans", "Balkans"),
        ("Caucase", "Caucasus"),
        ("Asie centrale", "Central Asia"),
        ("Indo-Pacific", "Indo-Pacific"),
        ("Levant", "Levant"),
        ("Méditerranée", "Mediterranean"),
        ("mer Rouge", "Red Sea"),
        ("golfe de Guinée", "Gulf of Guinea"),
        ("Kurdistan", "Kurdistan"),
        ("Cachemire", "Kashmir"),
        ("Europe", "Europe"),
        ("Afrique", "Africa"),
        ("Amérique latine", "Latin America"),
        ("espace Schengen", "Schengen Area"),
        ("Arctique", "Arctic"),
        ("Scandinavie", "Scandinavia"),
        ("Europe de l'Est", "Eastern Europe"),
        ("Caraïbes", "Caribbean"),
        ("Andes", "Andes"),
    ],
)
def test_multi_country_regions_in_english_and_french(gaz: Gazetteer, surface: str, name: str) -> None:
    place = _place(gaz, surface)
    assert (place.kind, place.name, place.country_code) == ("region", name, None)
    assert place.latitude is not None and place.longitude is not None


@pytest.mark.parametrize(
    ("surface", "name", "code"),
    [
        ("Western Sahara", "Western Sahara", "EH"),
        ("Sahara occidental", "Western Sahara", "EH"),
        ("Gaza", "Gaza Strip", "PS"),
        ("bande de Gaza", "Gaza Strip", "PS"),
        ("Cisjordanie", "West Bank", "PS"),
        ("Golan Heights", "Golan Heights", "SY"),
        ("Sinaï", "Sinai", "EG"),
        ("Crimée", "Crimea", "UA"),
        ("Donbass", "Donbas", "UA"),
        ("Tindouf", "Tindouf", "DZ"),
        ("Rif", "Rif", "MA"),
        ("Cabo Delgado", "Cabo Delgado", "MZ"),
        ("Idleb", "Idlib", "SY"),
        ("Darfour", "Darfur", "SD"),
        ("Tigray", "Tigray", "ET"),
    ],
)
def test_regions_within_one_country_carry_its_code(
    gaz: Gazetteer, surface: str, name: str, code: str
) -> None:
    place = _place(gaz, surface)
    assert (place.name, place.country_code) == (name, code)
    assert place.kind in {"region", "admin"}


def test_organisations_and_continent_homonyms_are_not_regions(gaz: Gazetteer) -> None:
    for name in ("European Union", "Union européenne", "EU", "Amérique"):
        assert gaz.lookup(name) is None, name


def test_regions_file_has_at_least_sixty_regions(gaz: Gazetteer) -> None:
    regions = {place.name for _, place in gaz.names() if place.kind == "region"}
    assert len(regions) >= 60


def test_us_states_are_admin_areas(gaz: Gazetteer) -> None:
    texas = _place(gaz, "Texas")
    assert (texas.kind, texas.country_code) == ("admin", "US")
    assert _place(gaz, "Washington State").kind == "admin"
    # A country outranks the US state of the same name.
    assert _place(gaz, "Georgia").country_code == "GE"


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Moroccan", "MA"),
        ("Moroccans", "MA"),
        ("marocain", "MA"),
        ("marocaine", "MA"),
        ("marocains", "MA"),
        ("marocaines", "MA"),
        ("Marocaines", "MA"),
        ("American", "US"),
        ("Americans", "US"),
        ("américain", "US"),
        ("américaine", "US"),
        ("americaines", "US"),
        ("Israeli", "IL"),
        ("Israelis", "IL"),
        ("israélien", "IL"),
        ("israélienne", "IL"),
        ("israéliens", "IL"),
        ("israéliennes", "IL"),
        ("French", "FR"),
        ("Frenchmen", "FR"),
        ("français", "FR"),
        ("française", "FR"),
        ("françaises", "FR"),
        ("Spanish", "ES"),
        ("Spaniards", "ES"),
        ("espagnol", "ES"),
        ("espagnole", "ES"),
        ("espagnols", "ES"),
        ("espagnoles", "ES"),
        ("Emirati", "AE"),
        ("Emiratis", "AE"),
        ("émiratie", "AE"),
        ("Bahraini", "BH"),
        ("Algerian", "DZ"),
        ("algériennes", "DZ"),
        ("Malian", "ML"),
        ("maliennes", "ML"),
        ("Chinese", "CN"),
        ("Czechs", "CZ"),
        ("grecque", "GR"),
        ("turques", "TR"),
        ("suissesses", "CH"),
        ("burkinabè", "BF"),
        ("Congolese", "CD"),
        ("South Korean", "KR"),
        ("nord-coréens", "KP"),
        ("Palestinian", "PS"),
        ("Kosovar", "XK"),
        ("Polish", "PL"),
    ],
)
def test_demonyms_in_english_and_french_with_gender_and_number(gaz: Gazetteer, word: str, code: str) -> None:
    place = gaz.demonym(word)
    assert place is not None, word
    assert (place.kind, place.country_code) == ("country", code)


def test_demonyms_that_are_not(gaz: Gazetteer) -> None:
    assert gaz.demonym("US") is None
    assert gaz.demonym("America") is None
    assert gaz.demonym("Morocco") is None
    assert gaz.demonym("polish") is None  # the verb


def test_sahrawi_resolves_to_the_western_sahara_region(gaz: Gazetteer) -> None:
    place = gaz.demonym("Sahrawi")
    assert place is not None
    assert (place.name, place.kind) == ("Western Sahara", "region")


def _demonym_rows() -> list[list[str]]:
    lines = (DATA / "demonyms.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def test_every_un_member_state_has_an_english_demonym(gaz: Gazetteer) -> None:
    assert len(set(UN_MEMBERS)) == 193
    english = {row[0]: [form for form in row[1].split("|") if form] for row in _demonym_rows()}
    for code in UN_MEMBERS:
        assert english.get(code), f"no English demonym for {code}"
        place = gaz.demonym(english[code][0])
        assert place is not None and place.kind == "country", code


def test_at_least_eighty_countries_have_french_demonyms_that_resolve(gaz: Gazetteer) -> None:
    with_french = [row for row in _demonym_rows() if len(row) > 2 and row[2].strip()]
    assert len(with_french) >= 80
    for row in with_french:
        first = row[2].split("|")[0].split("/")[0]
        assert gaz.demonym(first) is not None, first


@pytest.mark.parametrize(
    "name",
    [
        "Washington",
        "Florence",
        "Victoria",
        "Charlotte",
        "Jackson",
        "Lincoln",
        "Israel",
        "Jordan",
        "Nice",
        "Mobile",
        "Split",
        "Reading",
        "Bath",
        "Orange",
        "Male",
        "IN",
        "CAN",
        "Bolton",  # heuristic: an English-speaking town with a surname ending
    ],
)
def test_place_names_that_are_also_people_or_words_are_ambiguous(gaz: Gazetteer, name: str) -> None:
    assert gaz.lookup(name) is not None, name
    assert gaz.is_ambiguous(name)


@pytest.mark.parametrize(
    "name", ["Rabat", "Sahel", "Paris", "Madrid", "Morocco", "Maroc", "Washington, D.C.", "USA", "Casablanca"]
)
def test_unambiguous_place_names(gaz: Gazetteer, name: str) -> None:
    assert gaz.lookup(name) is not None, name
    assert not gaz.is_ambiguous(name)


def test_names_lists_every_surface_form_consistently_with_lookup(gaz: Gazetteer) -> None:
    pairs = list(gaz.names())
    assert len(pairs) > 15_000
    surfaces = {surface: place for surface, place in pairs}
    assert surfaces["Rabat"].country_code == "MA"
    assert surfaces["États-Unis"].country_code == "US"
    assert surfaces["Etats-Unis"].country_code == "US"  # the unaccented twin
    assert surfaces["US"].country_code == "US"
    assert surfaces["Sahel"].kind == "region"
    for surface, place in pairs:
        assert gaz.lookup(surface) == place, surface


def test_counts(gaz: Gazetteer) -> None:
    places = {id(place): place for _, place in gaz.names()}.values()
    kinds = [place.kind for place in places]
    assert kinds.count("country") >= 249
    assert kinds.count("city") > 5_000
    assert kinds.count("region") >= 60
