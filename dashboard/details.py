"""The detail panel beside the presence map: what a region, municipality or office
is, what belongs to it, and where each fact comes from."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .i18n import english_only, local_names, place_name, t
from .loading import Dataset
from .places import office_location
from .presence_over_time import CURRENT_KINDS
from .provenance import as_of_sort_key, format_as_of, source_ref


@dataclass
class Detail:
    """A panel: a heading, labelled facts, a list of members, a note, and sources."""

    kind: str  # "region", "municipality" or "office"
    id: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    members_title: str | None = None
    members: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _cite(data: Dataset, row: pd.Series, lang: str, column: str = "source_id") -> str:
    return t("detail.source_line", lang, source=source_ref(data["sources"], row[column]).title,
             as_of=format_as_of(row["as_of"], lang))


def _citations(data: Dataset, row: pd.Series, related: pd.DataFrame, lang: str) -> list[str]:
    """The source lines of a row and of the rows shown with it, each once."""
    return list(dict.fromkeys([_cite(data, row, lang)] + [_cite(data, r, lang) for _, r in related.iterrows()]))


def _statements(rows: pd.DataFrame) -> pd.DataFrame:
    """Field-presence rows, newest first."""
    return rows.iloc[sorted(range(len(rows)), key=lambda i: as_of_sort_key(rows["as_of"].iloc[i]), reverse=True)]


def region_detail(data: Dataset, region_id: str, lang: str = "en") -> Detail:
    regions = data["regions"].set_index("id")
    row = regions.loc[region_id]
    municipalities = data["municipalities"]
    members = municipalities[municipalities["region_id"] == region_id]
    offices = data["offices"]
    centre = offices[(offices["kind"] == "regional_centre") & (offices["region_id"] == region_id)]
    teams = offices[(offices["kind"] == "field_team") & (offices["region_id"] == region_id)]
    detail = Detail("region", region_id, t("detail.region_title", lang, name=place_name(row, lang)))
    detail.facts.append((t("detail.local_names", lang), local_names(row)))
    if len(centre):
        detail.facts.append((t("detail.centre", lang), place_name(centre.iloc[0], lang)))
    if pd.notna(row["municipality_count"]):
        detail.facts.append((t("detail.municipalities_covered", lang), str(int(row["municipality_count"]))))
    detail.facts.append((t("detail.field_teams_listed", lang), str(len(teams))))
    presence = data["field_presence"]
    statements = _statements(presence[presence["region_id"] == region_id]).drop_duplicates(["source_id", "as_of"])
    for _, statement in statements.iterrows():
        detail.facts.append((t("detail.region_presence", lang),
                             t("detail.region_presence_item", lang, as_of=format_as_of(statement["as_of"], lang),
                               source=source_ref(data["sources"], statement["source_id"]).title)))
    detail.members_title = t("detail.municipalities_in_data", lang, count=len(members))
    detail.members = [place_name(m, lang) + ("" if m["region_basis"] == "named" else " *")
                      for _, m in members.sort_values("name_en").iterrows()]
    if (members["region_basis"] == "inferred").any():
        detail.notes.append(t("detail.inferred_note", lang))
    if teams.empty:
        detail.notes.append(t("detail.region_no_team_offices" if len(statements) else "detail.no_field_teams", lang))
    detail.sources = _citations(data, row, pd.concat([centre, statements]), lang)
    return detail


def municipality_detail(data: Dataset, code: str, lang: str = "en") -> Detail:
    municipalities = data["municipalities"].set_index("code")
    row = municipalities.loc[code]
    regions = data["regions"].set_index("id")
    offices = data["offices"]
    here = offices[offices["municipality_code"] == code]
    detail = Detail("municipality", code, place_name(row, lang))
    detail.facts.append((t("detail.local_names", lang), local_names(row)))
    if row["region_id"] in regions.index:
        detail.facts.append((t("detail.region", lang), place_name(regions.loc[row["region_id"]], lang)))
    detail.facts.append((t("detail.region_basis", lang), t(f"detail.basis.{row['region_basis']}", lang)))
    presence = data["field_presence"]
    statements = _statements(presence[presence["municipality_code"] == code])
    for _, statement in statements.iterrows():
        detail.facts.append((t("detail.presence", lang),
                             t("detail.presence_item", lang, as_of=format_as_of(statement["as_of"], lang),
                               basis=t(f"detail.presence_basis.{statement['basis']}", lang),
                               source=source_ref(data["sources"], statement["source_id"]).title)))
    if statements.empty:
        detail.facts.append((t("detail.presence", lang), t("map.presence.unknown", lang)))
    detail.members = [t("detail.office_item", lang, name=place_name(o, lang), kind=t("office.kind." + o["kind"], lang))
                      for _, o in here.iterrows()]
    if (here["kind"] == "field_team").sum() == 0:
        detail.notes.append(t("detail.no_team_office" if len(statements) else "detail.no_field_teams", lang))
    if len(here) and not here["kind"].isin(CURRENT_KINDS).all():
        detail.notes.append(t("detail.past_offices", lang))
    detail.sources = _citations(data, row, pd.concat([here, statements]), lang)
    return detail


def office_detail(data: Dataset, office_id: str, lang: str = "en") -> Detail:
    offices = data["offices"].set_index("id")
    row = offices.loc[office_id]
    municipalities = data["municipalities"].set_index("code")
    regions = data["regions"].set_index("id")
    detail = Detail("office", office_id, place_name(row, lang))
    detail.facts.append((t("detail.local_names", lang), local_names(row)))
    detail.facts.append((t("detail.kind", lang), t(f"office.kind.{row['kind']}", lang)))
    if isinstance(row["address"], str) and row["address"]:
        detail.facts.append((t("detail.address", lang), row["address"]))
    if row["municipality_code"] in municipalities.index:
        municipality = municipalities.loc[row["municipality_code"]]
        detail.facts.append((t("detail.municipality", lang), place_name(municipality, lang)))
    if row["region_id"] in regions.index:
        detail.facts.append((t("detail.region", lang), place_name(regions.loc[row["region_id"]], lang)))
    location = office_location(row)
    if location is not None and location.approximate:
        # No coordinates in the data: the map shows the municipality's seat instead.
        detail.facts.append((t("detail.location", lang), t("detail.approximate_location", lang)))
    elif isinstance(row["location_precision"], str):
        detail.facts.append((t("detail.location", lang), t(f"detail.precision.{row['location_precision']}", lang)))
    if isinstance(row["note"], str) and row["note"]:
        detail.notes.append(english_only(row["note"], lang))
    detail.sources = [_cite(data, row, lang)]
    if isinstance(row["location_source_id"], str) and row["location_source_id"]:
        detail.sources.append(t("detail.location_source_line", lang,
                                source=source_ref(data["sources"], row["location_source_id"]).title))
    detail.sources = list(dict.fromkeys(detail.sources))
    return detail


# kind -> (the table that lists it, its key column, the builder of its panel)
_KINDS = {"region": ("regions", "id", region_detail), "municipality": ("municipalities", "code", municipality_detail),
          "office": ("offices", "id", office_detail)}


def detail_for(data: Dataset, kind: str, key: str, lang: str = "en") -> Detail:
    """The panel for a selection: ``kind`` is "region", "municipality" or "office",
    ``key`` its id (a municipality's code) in ``data``. ``ValueError`` for another
    kind, or a key that table does not have."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; got {kind!r}")
    table, column, build = _KINDS[kind]
    if key not in set(data[table][column]):
        raise ValueError(f"key must be {'a code' if column == 'code' else 'an id'} in {table}.csv; got {key!r}")
    return build(data, key, lang)
