"""The Overview's headline: built from the figures in the data, each part with its
hedge and year, and nothing said where the data has no figure."""
import pytest

from dashboard.kpis import (
    Kpi,
    field_presence_summary,
    field_teams_kpi,
    headline,
    headline_text,
    kpi_sources,
    overview_kpis,
    plural_form,
    year_span,
)
from dashboard.loading import load_dataset
from dashboard.provenance import SourceRef


def kpi(value, as_of="2024", qualifier="exact", currency=None, source="Fact sheet"):
    return Kpi("kpi.x", value, qualifier, currency, source=SourceRef(source, source, "OSCE", None), as_of=as_of)


def test_the_headline_of_the_real_data():
    assert headline(load_dataset()) == (
        "The Mission in figures: 503 posts (2016–2020), a budget of €17,462,600 (2019), 5 regional centres "
        "(2016–2020), over 30 field teams (2016–2020) and members in 38 municipalities (2023).")


@pytest.mark.parametrize("lang, expected", [
    ("sq", "Misioni në shifra: 503 vende pune (2016–2020), një buxhet prej 17 462 600 € (2019), 5 qendra rajonale "
           "(2016–2020), mbi 30 ekipe në terren (2016–2020) dhe anëtarë në 38 komuna (2023)."),
    ("sr", "Misija u brojkama: 503 radna mesta (2016–2020), budžet od 17.462.600 € (2019), 5 regionalnih centara "
           "(2016–2020), preko 30 terenskih timova (2016–2020) i članovi u 38 opština (2023)."),
])
def test_the_headline_in_albanian_and_serbian(lang, expected):
    assert headline(load_dataset(), lang).replace("\u00a0", " ").replace("\u202f", " ") == expected


def test_a_part_without_a_figure_is_left_out_not_estimated():
    kpis = {"posts": Kpi("kpi.staff", None), "budget": kpi(18_300_000, "2023", currency="EUR"),
            "field_teams": kpi(30, "2016/2020", "more_than")}
    assert headline_text(kpis) == "The Mission in figures: a budget of €18,300,000 (2023) and over 30 field teams " \
                                  "(2016–2020)."


def test_an_undated_figure_is_left_out():
    assert headline_text({"posts": Kpi("kpi.staff", 500)}) is None


def test_no_figures_no_headline(empty_data_dir):
    from dashboard.loading import load_dataset as load

    assert headline_text({}) is None
    assert headline(load(empty_data_dir)) is None


def test_one_part_reads_as_a_sentence():
    assert headline_text({"regional_centres": kpi(1, "2019")}) == "The Mission in figures: 1 regional centre (2019)."


@pytest.mark.parametrize("count, lang, form", [
    (1, "en", "one"), (5, "en", "other"), (1, "sq", "one"), (38, "sq", "other"),
    (1, "sr", "one"), (21, "sr", "one"), (11, "sr", "other"), (3, "sr", "few"), (503, "sr", "few"),
    (13, "sr", "other"), (30, "sr", "other"), (2.5, "sr", "other"),
])
def test_nouns_agree_with_their_number(count, lang, form):
    assert plural_form(count, lang) == form


@pytest.mark.parametrize("as_of, years", [("2016/2020", "2016–2020"), ("2023-05-04", "2023"), ("2019", "2019"),
                                          ("2024-06/2024-12", "2024")])
def test_a_figure_is_dated_by_its_years(as_of, years):
    assert year_span(as_of) == years


def test_each_source_of_the_strip_is_named_once_with_its_figures():
    kpis = overview_kpis(load_dataset())
    footnote = kpi_sources(kpis)
    assert footnote.count("OSCE Mission in Kosovo (fact sheet)") == 1
    assert "OSCE Mission in Kosovo (fact sheet) (Staff (posts), Regional centres, Field teams)" in footnote
    assert kpi_sources([Kpi("kpi.staff", None)]) == ""


def test_the_field_teams_figure_does_not_read_as_a_failure():
    [teams] = [k for k in overview_kpis(load_dataset()) if k.key == "kpi.field_teams"]
    assert teams.display_value() == "over 30"
    assert teams.detail.startswith("Working in 38 municipalities, as sources of 2010–2018 say.")


def test_field_presence_is_counted_by_municipality_with_the_inferred_ones_apart():
    assert field_presence_summary(load_dataset()) == (38, 24, "2010–2018")


def test_without_field_presence_the_figure_says_the_source_lists_no_places(data_copy):
    (data_copy / "field_presence.csv").write_text(
        (data_copy / "field_presence.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    data = load_dataset(data_copy)
    assert field_presence_summary(data) is None
    assert field_teams_kpi(data).detail == "In municipalities across Kosovo; the source does not list them by place."
