"""Time lines: a search's documents per year per province (per county within a province), and a
template family's adoption order, as a picture (SVG, escaped), JSON and CSV."""
from __future__ import annotations

import csv
import io

from tests.ui.conftest import XSS, html_of


def test_search_timeline_counts_per_province_and_year(client):
    data = client.get("/timeline.json").get_json()
    assert data["level"] == "province" and data["years"] == [2023, 2024]
    assert {r["name"]: r["years"] for r in data["rows"]} == {"湖南省": {"2023": 2, "2024": 2},
                                                             "江西省": {"2023": 2, "2024": 1}}
    assert data["svg"].count('class="cell') == 4


def test_within_a_province_the_rows_are_counties(client):
    data = client.get("/timeline.json", query_string={"region": "430000", "q": "政务公开"}).get_json()
    assert data["level"] == "county"
    assert {r["name"]: r["total"] for r in data["rows"]} == {"祁阳市": 2, "江永县": 1}


def test_timeline_page_draws_the_chart_and_links_cells_to_searches(client):
    page = html_of(client.get("/timeline", query_string={"q": "方案"}))
    svg = page.xpath("//figure[@id='timeline-chart']/*[local-name()='svg']")
    assert svg and page.xpath("//figure[@id='timeline-chart']//*[local-name()='a']/@href")[0].startswith("/search?")


def test_timeline_csv_has_a_column_per_year(client):
    response = client.get("/timeline.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["region_code", "region", "2023", "2024", "total"]
    assert ["430000", "湖南省", "2", "2", "4"] in rows
    assert client.get("/timeline.csv?year=x").status_code == 400


def test_adoption_order_of_a_family_picture_json_and_csv(client):
    data = client.get("/templates/2/adoption.json").get_json()
    assert [a["order"] for a in data["adoptions"]] == [1, 2, 3]
    assert {a["region_code"] for a in data["adoptions"]} == {"431121", "431125", "360124"}
    firsts = [a["first"] for a in data["adoptions"]]
    assert firsts == sorted(firsts)
    page = client.get("/templates/2/adoption").get_data(as_text=True)
    assert 'id="adoption-chart"' in page and XSS not in page
    rows = list(csv.reader(io.StringIO(client.get("/templates/2/adoption.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["order", "region_code", "region"] and len(rows) == 4
    assert client.get("/templates/999/adoption.json").status_code == 404


def test_search_and_templates_pages_link_the_time_lines(client):
    assert html_of(client.get("/search?q=方案")).xpath("//a[@class='timeline-link']/@href")
    assert html_of(client.get("/templates")).xpath("//a[@class='adoption-link']/@href")
