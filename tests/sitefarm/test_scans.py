"""World(scans=True): some documents' text only in a scan, marked in the truth; the default world
is unchanged."""
from __future__ import annotations

import io

from PIL import Image

from sitefarm import attachments
from sitefarm.world import World


def test_the_default_world_serves_no_scans():
    assert not any(a.get("scanned") for r in World(sites=3).truth(8000) for a in r["attachments"])
    plain = [r for r in World(sites=3, attachments=True).truth(8000)]
    assert not any(a.get("scanned") for r in plain for a in r["attachments"])


def test_scans_are_marked_in_the_truth_with_their_text():
    world = World(sites=3, scans=True)
    records = list(world.truth(8000))
    scanned = [(r, a) for r in records for a in r["attachments"] if a.get("scanned")]
    assert scanned
    assert {a["noise"] for _, a in scanned} >= {"clean", "broken_map"}
    for record, attachment in scanned:
        assert record["text_in"] == "attachment"
        assert record["title"] in attachment["text"]


def test_served_scans_are_images_or_pdfs():
    world = World(sites=3, scans=True)
    doc, file = next((d, f) for s in world.sites for d in world.documents(s) for f in world.attachments(d)
                     if f.noise and f.ext in ("png", "jpg"))
    body = attachments.render(world, doc, file)
    with Image.open(io.BytesIO(body)) as image:
        assert image.width > 1000
    doc, file = next((d, f) for s in world.sites for d in world.documents(s) for f in world.attachments(d)
                     if f.noise == "broken_map")
    assert attachments.render(world, doc, file).startswith(b"%PDF-")
