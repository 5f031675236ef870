"""A site whose last answer was a JS challenge is not rendered in the browser (that would pass the
challenge, which is solving it); other `render: browser` sites are."""
from __future__ import annotations

from datetime import datetime

from archive.models import SiteHealth
from archive.store import Archive
from crawler.render import render_meta
from crawler.spiders.base import unrendered_if_challenged

SITE = {"id": "js", "name": "某县", "family": "generic", "base_url": "http://js.gov.cn.test", "render": "browser"}


def test_a_challenged_site_is_asked_plainly_and_others_are_rendered(tmp_path):
    archive = Archive(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        archive.upsert_site(SITE)
        archive.upsert_site(dict(SITE, id="waf"))
        with archive.session() as s:
            for site_id, kind in (("js", "challenge"), ("waf", "waf")):
                s.add(SiteHealth(site_id=site_id, flagged=True, reason=kind, block_class=kind,
                                 blocked_since=datetime(2026, 1, 1), blocked_runs=1, updated=datetime(2026, 1, 1)))
        challenged = unrendered_if_challenged(SITE, archive)
        assert render_meta(challenged) == {}
        assert render_meta(unrendered_if_challenged(dict(SITE, id="waf"), archive))["playwright"] is True
        assert render_meta(unrendered_if_challenged(dict(SITE, id="fresh"), archive))["playwright"] is True
        assert unrendered_if_challenged(SITE, None) is SITE
    finally:
        archive.close()
