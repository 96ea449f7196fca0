"""The temporal tagger: TIMEX3 extents and values in English and French, against fixed DCTs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.domain import Time, TimeType
from liaison.extract.timex import find_times, infer_dct

MEANTIME = Path(__file__).resolve().parents[3] / "shared" / "data" / "meantime-en-dev"
TUESDAY = date(2022, 9, 20)  # a Tuesday, ISO week 38
MARDI = date(2023, 2, 21)  # a Tuesday, ISO week 8


def found(text: str, dct: date | None = TUESDAY, language: str = "en") -> list[tuple[str, str]]:
    """(extent, value) of every expression, checking the offsets on the way."""
    times = find_times(text, dct, language)
    for item in times:
        assert text[item.start : item.end] == item.text
    return [(item.text, item.value) for item in times]


def one(text: str, dct: date | None = TUESDAY, language: str = "en") -> Time:
    times = find_times(text, dct, language)
    assert len(times) == 1, times
    return times[0]


# ------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "extent", "value"),
    [
        ("They met on September 20, 2022 in Rabat.", "September 20, 2022", "2022-09-20"),
        ("They met on 20 September 2022 in Rabat.", "20 September 2022", "2022-09-20"),
        ("They met on Sept. 20 in Rabat.", "Sept. 20", "2022-09-20"),
        ("They met on Tuesday, September 20 in Rabat.", "Tuesday, September 20", "2022-09-20"),
        ("The file is dated 2022-09-20.", "2022-09-20", "2022-09-20"),
        ("The file is dated 20/09/2022.", "20/09/2022", "2022-09-20"),  # day > 12: day first
        ("The file is dated 09/10/2022.", "09/10/2022", "2022-09-10"),  # English: month first
        ("The photo, dated 7/8/07, shows it.", "7/8/07", "2007-07-08"),
        ("It grew in June 2022.", "June 2022", "2022-06"),
        ("It was founded in 2021.", "2021", "2021"),
        ("It happened on March 01 , 2008 .", "March 01 , 2008", "2008-03-01"),  # tokenised text
        ("The vote on the 5th of May was close.", "5th of May", "2022-05-05"),
    ],
)
def test_absolute_dates_en(text: str, extent: str, value: str) -> None:
    assert found(text) == [(extent, value)]


@pytest.mark.parametrize(
    ("text", "extent", "value"),
    [
        ("Publié le 19 octobre 2023.", "19 octobre 2023", "2023-10-19"),
        ("Mardi 21 février 2023, à Paris.", "Mardi 21 février 2023", "2023-02-21"),
        ("Ce mardi 21 février, la réunion.", "Ce mardi 21 février", "2023-02-21"),
        ("Le 1er mars 2023 à Rabat.", "1er mars 2023", "2023-03-01"),
        ("Le rapport du 03/04/2022.", "03/04/2022", "2022-04-03"),  # French: day first
        ("La croissance de juin 2022.", "juin 2022", "2022-06"),
        ("Créée en 2021.", "2021", "2021"),
    ],
)
def test_absolute_dates_fr(text: str, extent: str, value: str) -> None:
    assert found(text, MARDI, "fr") == [(extent, value)]


def test_a_day_or_month_without_year_takes_the_dct_year_or_the_one_before() -> None:
    assert found("It was signed on June 18.") == [("June 18", "2022-06-18")]
    # a month after the DCT's month, in a past context, is last year's
    assert found("Prices rose in December.") == [("December", "2021-12")]
    assert found("The shipment arrived on 11 December.") == [("11 December", "2021-12-11")]
    # ... unless the sentence looks forward
    assert found("The shipments will arrive in October.") == [("October", "2022-10")]
    assert found("Il viendra en janvier.", MARDI, "fr") == [("janvier", "2024-01")]
    assert found("Il est venu en décembre.", MARDI, "fr") == [("décembre", "2022-12")]


# ------------------------------------------------------------ weekdays


def test_weekdays_point_backwards_in_news() -> None:
    assert found("The minister said on Monday that talks had ended.") == [("Monday", "2022-09-19")]
    assert found("Officials met on Tuesday.") == [("Tuesday", "2022-09-20")]  # the DCT itself
    assert found("Officials met on Wednesday.") == [("Wednesday", "2022-09-14")]


def test_weekdays_forward_with_next_or_a_future_cue() -> None:
    assert found("He will travel next Monday.") == [("next Monday", "2022-09-26")]
    assert found("They met last Tuesday.") == [("last Tuesday", "2022-09-13")]
    assert found("The trial will begin on Wednesday.") == [("Wednesday", "2022-09-21")]
    assert found("The trial is set to begin on Wednesday.") == [("Wednesday", "2022-09-21")]
    assert found("On Friday, he will speak.") == [("Friday", "2022-09-23")]


def test_weekdays_fr() -> None:
    assert found("Les ministres se sont réunis lundi.", MARDI, "fr") == [("lundi", "2023-02-20")]
    assert found("Lundi dernier, il a parlé.", MARDI, "fr") == [("Lundi dernier", "2023-02-20")]
    assert found("Il reviendra lundi prochain.", MARDI, "fr") == [("lundi prochain", "2023-02-27")]
    assert found("Le procès s'ouvrira mercredi.", MARDI, "fr") == [("mercredi", "2023-02-22")]
    # an explicit date wins over the weekday
    assert found("Ce mardi 21 février, il parle.", date(2023, 3, 1), "fr") == [
        ("Ce mardi 21 février", "2023-02-21")
    ]


def test_weekday_with_part_of_day_is_a_time() -> None:
    friday = one("Apple said on Friday morning that it would.", date(2010, 7, 17))
    assert (friday.text, friday.type, friday.value) == ("Friday morning", TimeType.TIME, "2010-07-16TMO")


# ------------------------------------------------------------ relative


@pytest.mark.parametrize(
    ("text", "extent", "value"),
    [
        ("Yesterday, the ministry said so.", "Yesterday", "2022-09-19"),
        ("The ministry said so today.", "today", "2022-09-20"),
        ("It will be signed tomorrow.", "tomorrow", "2022-09-21"),
        ("They met last week.", "last week", "2022-W37"),
        ("They meet this week.", "this week", "2022-W38"),
        ("They meet next month.", "next month", "2022-10"),
        ("It rose last year.", "last year", "2021"),
        ("It rose earlier this year.", "earlier this year", "2022"),
        ("It rose earlier this month.", "earlier this month", "2022-09"),
        ("It rose in recent years.", "recent years", "PAST_REF"),
        ("It is now closed.", "now", "PRESENT_REF"),
        ("It is currently closed.", "currently", "PRESENT_REF"),
        ("It closed two days ago.", "two days ago", "2022-09-18"),
        ("It closed three weeks ago.", "three weeks ago", "2022-W35"),
        ("More arrests are expected in the coming weeks.", "the coming weeks", "FUTURE_REF"),
        ("The deal was struck at the end of the year.", "the end of the year", "2022"),
        ("The deal was struck the day before yesterday.", "the day before yesterday", "2022-09-18"),
        ("The talks ended last night.", "last night", "2022-09-19TNI"),
    ],
)
def test_relative_en(text: str, extent: str, value: str) -> None:
    assert found(text) == [(extent, value)]


@pytest.mark.parametrize(
    ("text", "extent", "value"),
    [
        ("Il l'a annoncé hier.", "hier", "2023-02-20"),
        ("Il l'annonce aujourd'hui.", "aujourd'hui", "2023-02-21"),
        ("Il l'annoncera demain.", "demain", "2023-02-22"),
        ("Ils se sont vus la semaine dernière.", "la semaine dernière", "2023-W07"),
        ("Les chiffres de l'an dernier.", "l'an dernier", "2022"),
        ("Les chiffres de l'année dernière.", "l'année dernière", "2022"),
        ("Le sommet du mois prochain.", "mois prochain", "2023-03"),
        ("Les prix ont augmenté ces dernières années.", "ces dernières années", "PAST_REF"),
        ("Le site est actuellement fermé.", "actuellement", "PRESENT_REF"),
        ("Il a été arrêté il y a deux jours.", "il y a deux jours", "2023-02-19"),
        (
            "D'autres arrestations sont attendues dans les prochaines semaines.",
            "les prochaines semaines",
            "FUTURE_REF",
        ),
        ("Le lendemain, il est reparti.", "Le lendemain", "2023-02-22"),
    ],
)
def test_relative_fr(text: str, extent: str, value: str) -> None:
    assert found(text, MARDI, "fr") == [(extent, value)]


def test_the_next_day_is_anchored_on_the_last_date_mentioned() -> None:
    text = "The delegation arrived on 3 March 2021. The next day it met the minister."
    assert found(text) == [("3 March 2021", "2021-03-03"), ("The next day", "2021-03-04")]


# ------------------------------------------------------------ fuzzy


@pytest.mark.parametrize(
    ("text", "language", "extent", "value"),
    [
        ("Talks resumed in mid-June.", "en", "mid-June", "2022-06"),
        ("The target is early 2023.", "en", "early 2023", "2023"),
        ("Protests began in late May.", "en", "late May", "2022-05"),
        ("It will ship in mid-2011.", "en", "mid-2011", "2011"),
        ("Les pourparlers ont repris mi-juin.", "fr", "mi-juin", "2022-06"),
        ("Les pourparlers ont repris début juin.", "fr", "début juin", "2022-06"),
        ("Les manifestations ont commencé fin mai.", "fr", "fin mai", "2022-05"),
        ("L'objectif est début 2023.", "fr", "début 2023", "2023"),
    ],
)
def test_fuzzy_parts(text: str, language: str, extent: str, value: str) -> None:
    assert found(text, TUESDAY, language) == [(extent, value)]


# ------------------------------------------------------------ ranges


def test_a_range_of_days_gives_one_expression_per_day() -> None:
    assert found("The summit on June 13-14 ended.") == [("June 13", "2022-06-13"), ("14", "2022-06-14")]
    assert found("The summit from 13 to 14 June ended.") == [("13", "2022-06-13"), ("14 June", "2022-06-14")]
    assert found("The summit on June 13, 14 and 15, 2021.") == [
        ("June 13", "2021-06-13"),
        ("14", "2021-06-14"),
        ("15, 2021", "2021-06-15"),
    ]
    assert found("Le sommet des 13 et 14 juin.", TUESDAY, "fr") == [
        ("13", "2022-06-13"),
        ("14 juin", "2022-06-14"),
    ]
    assert found("Du 3 au 5 mars 2023.", MARDI, "fr") == [("3", "2023-03-03"), ("5 mars 2023", "2023-03-05")]


def test_a_range_of_years() -> None:
    assert found("Deliveries run from 2009 to 2011.") == [("2009", "2009"), ("2011", "2011")]
    assert found("The 2022-23 season.") == [("2022", "2022"), ("23", "2023")]


def test_numbers_after_a_date_are_not_a_range() -> None:
    assert found("On June 13 and 14 people died.") == [("June 13", "2022-06-13")]


# ------------------------------------------------------------ durations and sets


@pytest.mark.parametrize(
    ("text", "language", "extent", "value"),
    [
        ("The talks lasted two days.", "en", "two days", "P2D"),
        ("The talks lasted three weeks.", "en", "three weeks", "P3W"),
        ("He was held for 48 hours.", "en", "48 hours", "PT48H"),
        ("It took a decade.", "en", "a decade", "P10Y"),
        ("It took ten years.", "en", "ten years", "P10Y"),
        ("It took twenty-five minutes.", "en", "twenty-five minutes", "PT25M"),
        ("It took several years.", "en", "several years", "PXY"),
        ("It is almost two and a half years late.", "en", "almost two and a half years", "P2.5Y"),
        ("A 27-year contract.", "en", "27-year", "P27Y"),
        ("It grew over the past decade.", "en", "the past decade", "P10Y"),
        ("It will grow in the next four years.", "en", "the next four years", "P4Y"),
        ("Half an hour later.", "en", "Half an hour", "PT30M"),
        ("Les pourparlers ont duré deux jours.", "fr", "deux jours", "P2D"),
        ("Il a été détenu 48 heures.", "fr", "48 heures", "PT48H"),
        ("Cela a pris une décennie.", "fr", "une décennie", "P10Y"),
        ("Il a été condamné à dix-huit mois.", "fr", "dix-huit mois", "P18M"),
        ("Il a passé quatre-vingt-dix jours en mer.", "fr", "quatre-vingt-dix jours", "P90D"),
        ("Cela dure depuis les trois dernières années.", "fr", "les trois dernières années", "P3Y"),
    ],
)
def test_durations(text: str, language: str, extent: str, value: str) -> None:
    item = one(text, TUESDAY, language)
    assert (item.text, item.value, item.type, item.precision) == (
        extent,
        value,
        TimeType.DURATION,
        "duration",
    )


@pytest.mark.parametrize(
    ("text", "language", "extent", "value"),
    [
        ("The committee meets every year.", "en", "every year", "P1Y"),
        ("The report is published weekly.", "en", "weekly", "P1W"),
        ("Fifteen tankers a year.", "en", "a year", "P1Y"),
        ("They meet every Monday.", "en", "every Monday", "XXXX-WXX-1"),
        ("Le comité se réunit chaque année.", "fr", "chaque année", "P1Y"),
        ("Le comité se réunit tous les deux ans.", "fr", "tous les deux ans", "P2Y"),
        ("Cent millions d'euros par an.", "fr", "par an", "P1Y"),
    ],
)
def test_sets(text: str, language: str, extent: str, value: str) -> None:
    item = one(text, TUESDAY, language)
    assert (item.text, item.value, item.type, item.precision) == (extent, value, TimeType.SET, "set")


def test_a_year_alone_is_a_duration_not_a_set() -> None:
    assert found("The project took a year.") == [("a year", "P1Y")]
    assert one("The project took a year.").type is TimeType.DURATION


# ------------------------------------------------------------ times


def test_clock_times_take_the_day_of_their_sentence_or_the_dct() -> None:
    assert found("The meeting opened at 10:30.") == [("10:30", "2022-09-20T10:30")]
    assert found("The meeting opened at 3 p.m.") == [("3 p.m.", "2022-09-20T15:00")]
    assert found("It took off on Tuesday in Everett at 18:00 UTC.", date(2009, 12, 16)) == [
        ("Tuesday", "2009-12-15"),
        ("18:00 UTC", "2009-12-15T18:00Z"),
    ]
    assert found("A meeting is planned for 10:30 a.m. on October 3.") == [
        ("10:30 a.m.", "2022-10-03T10:30"),
        ("October 3", "2022-10-03"),
    ]
    assert found("Rendez-vous à 15h30, puis à 18 heures.", MARDI, "fr") == [
        ("15h30", "2023-02-21T15:30"),
        ("18 heures", "2023-02-21T18:00"),
    ]
    assert one("The meeting opened at 3 p.m.").type is TimeType.TIME


# ------------------------------------------------------------ seasons, quarters, decades


@pytest.mark.parametrize(
    ("text", "language", "extent", "value", "precision"),
    [
        ("It happened in summer 2021.", "en", "summer 2021", "2021-SU", "season"),
        ("It happened last summer.", "en", "last summer", "2022-SU", "season"),
        ("Profits fell in the first quarter.", "en", "the first quarter", "2022-Q1", "quarter"),
        (
            "Profits fell in the fourth quarter of 2021.",
            "en",
            "the fourth quarter of 2021",
            "2021-Q4",
            "quarter",
        ),
        ("Profits fell in Q3 2021.", "en", "Q3 2021", "2021-Q3", "quarter"),
        ("Sales fell in the second half of 2021.", "en", "the second half of 2021", "2021-H2", "quarter"),
        ("It began in the 1990s.", "en", "the 1990s", "199", "decade"),
        ("It began in the 20th century.", "en", "the 20th century", "19", "century"),
        ("C'était l'été 2021.", "fr", "l'été 2021", "2021-SU", "season"),
        ("Les bénéfices du premier trimestre.", "fr", "premier trimestre", "2022-Q1", "quarter"),
        ("Cela a commencé dans les années 1990.", "fr", "les années 1990", "199", "decade"),
        ("Au XXe siècle, déjà.", "fr", "XXe siècle", "19", "century"),
    ],
)
def test_seasons_quarters_decades(text: str, language: str, extent: str, value: str, precision: str) -> None:
    item = one(text, TUESDAY, language)
    assert (item.text, item.value, item.precision) == (extent, value, precision)


# ------------------------------------------------------------ false positives


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("May I ask a question?", "en"),
        ("Officials may have left.", "en"),
        ("The march was long.", "en"),
        ("March on, they said.", "en"),
        ("They operate 2,000 servers.", "en"),
        ("They operate 2000 servers.", "en"),
        ("The Sun rose over the Sat-Com site.", "en"),
        ("Black Friday sales were strong.", "en"),
        ("He paid $2015 for it.", "en"),
        ("Growth was 2019 % higher.", "en"),
        ("The fall of Kabul shocked them.", "en"),
        ("Flight 2021 landed.", "en"),
        ("He fired a second shot.", "en"),
        ("Version 2.5.10 is out; the IP is 10.20.30.40.", "en"),
        ("Il a été arrêté.", "fr"),
        ("Mars est une planète.", "fr"),
        ("2000 personnes ont manifesté.", "fr"),
        ("Un quotidien national l'a révélé.", "fr"),
    ],
)
def test_false_positives(text: str, language: str) -> None:
    assert find_times(text, TUESDAY, language) == []


def test_month_names_with_context_are_dates() -> None:
    assert found("In May the group met.") == [("May", "2022-05")]
    assert found("By March, troops had left.") == [("March", "2022-03")]


# ------------------------------------------------------------ structure


def test_offsets_slice_exactly_and_results_are_sorted_and_disjoint() -> None:
    text = (
        "PARIS, 14 mars 2023 — L’attaque d’hier, la semaine dernière, mi-juin et l’été 2021 : "
        "aujourd’hui, à 15h30, les 13 et 14 juin, il y a trois ans, chaque année, ces dernières années."
    )
    times = find_times(text, MARDI, "fr")
    assert len(times) >= 12
    previous_end = 0
    for item in times:
        assert text[item.start : item.end] == item.text
        assert item.start >= previous_end
        previous_end = item.end
    assert ("d’hier"[2:], "2023-02-20") in [(t.text, t.value) for t in times]  # typographic apostrophe
    assert ("aujourd’hui", "2023-02-21") in [(t.text, t.value) for t in times]


def test_without_a_dct_relative_values_stay_underspecified() -> None:
    text = "On Monday, yesterday, on June 13, next week, at 3 p.m., on September 20, 2022."
    assert found(text, None) == [
        ("Monday", "XXXX-WXX-1"),
        ("yesterday", "PAST_REF"),
        ("June 13", "XXXX-06-13"),
        ("next week", "FUTURE_REF"),
        ("3 p.m.", "2022-09-20T15:00"),  # the full date of its sentence
        ("September 20, 2022", "2022-09-20"),
    ]
    assert found("Talks resumed in June. At 3 p.m. they ended.", None) == [
        ("June", "XXXX-06"),
        ("3 p.m.", "XXXX-XX-XXT15:00"),
    ]


def test_language_tags_and_unknown_languages() -> None:
    assert found("Il l'a annoncé hier.", MARDI, "fr-FR") == [("hier", "2023-02-20")]
    assert found("Die Sitzung am 20.09.2022.", MARDI, "de") == [("20.09.2022", "2022-09-20")]
    assert find_times("", MARDI, "en") == []


# ------------------------------------------------------------ DCT inference


def test_infer_dct_takes_the_latest_full_date() -> None:
    text = (
        "Officials said on Monday that the unit had been dissolved.\n"
        "Embedded post — @ministry, September 20, 2022: 'We thank our partners.'\n"
        "The unit was created on 3 March 2021 and reviewed last week."
    )
    assert infer_dct(text, "en") == date(2022, 9, 20)
    assert infer_dct("PARIS, 14 March 2023 — The minister said.", "en") == date(2023, 3, 14)
    assert infer_dct("Publié le 19 octobre 2023 à 14h35. Mis à jour hier.", "fr") == date(2023, 10, 19)


def test_infer_dct_ignores_relative_and_partial_dates() -> None:
    assert infer_dct("Yesterday, in June and in 2021, nothing was dated.", "en") is None
    assert infer_dct("", "en") is None
