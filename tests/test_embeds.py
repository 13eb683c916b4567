"""What an embedded view says of itself: the full view it links back to, its sources
and the years of its figures (the footer), for every view; and the gallery."""
import pytest

from conftest import run_page
from dashboard.embeds import FULL_VIEW_PAGE, VIEW_TABLES, VIEWS, full_view, map_sources
from dashboard.loading import load_dataset


def test_every_view_has_a_full_view_and_tables_to_date_it():
    assert set(FULL_VIEW_PAGE) == set(VIEWS) == set(VIEW_TABLES)


@pytest.mark.parametrize("view, params, expected", [
    ("map", {"embed": "true", "view": "map", "region": "prizren", "measure": "field_presence", "lang": "sq"},
     ("map", {"lang": "sq", "region": "prizren", "measure": "field_presence"})),
    ("staffing_over_time", {"view": "staffing_over_time", "region": "prizren", "lang": "sr"},
     ("staffing", {"lang": "sr"})),
    ("briefing", {"view": "briefing", "region": "peja"}, ("", {"region": "peja"})),
    ("milestones_per_year", {}, ("history", {})),
])
def test_the_link_back_keeps_the_language_and_the_maps_own_parameters(view, params, expected):
    assert full_view(view, params) == expected


def test_the_maps_sources_are_named_once_each():
    titles = map_sources(load_dataset())
    assert titles[0] == "OSCE Mission in Kosovo (fact sheet)" and len(titles) == len(set(titles))  # most cited first


def footer(at) -> str:
    [html] = [e.proto.body for e in at.get("html") if 'class="omik-embed-footer"' in e.proto.body]
    return html


@pytest.mark.parametrize("view", VIEWS)
def test_every_embed_has_a_title_and_a_footer_with_years_and_the_link_back(view):
    at = run_page("embed", view=view, lang="sq")
    assert len(at.subheader) == 1  # the view's title
    html = footer(at)
    assert "Shifrat " in html and "Paneli i Misionit" in html
    assert f'href="{FULL_VIEW_PAGE[view]}?lang=sq"' in html and 'target="_blank"' in html


def test_a_map_embed_names_its_sources_and_links_back_to_the_same_map():
    at = run_page("embed", view="map", region="prizren")
    assert any(c.value.startswith("Offices and regions\\: ") for c in at.caption)
    assert 'href="map?region=prizren"' in footer(at)


def test_the_link_back_has_the_language_shown_not_an_unknown_one():
    at = run_page("embed", view="map", lang='"><script>')
    assert 'href="map"' in footer(at)
