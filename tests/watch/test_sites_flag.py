"""The flag shows in `govplans sites list` and on the status page, and clears when the site recovers."""
from __future__ import annotations

import yaml
from click.testing import CliRunner

from archive.config import DataDir
from archive.operations.health import update_site_health
from archive.store.health import record_check
from archive.store import Archive
from govplans.cli import main
from archive.store import runs as crawl_runs

SITE = {"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": "trs",
        "base_url": "http://www.qiyang.gov.cn.test", "columns": ["/zwgk/"]}


def run(archive: Archive, listed: int, unchanged: int) -> None:
    run_id = crawl_runs.start_run(archive, "qiyang")
    crawl_runs.finish_run(archive, run_id, pages=unchanged, unchanged=unchanged)
    record_check(archive, run_id, "qiyang", listed, 0, {})
    update_site_health(archive, "qiyang")


def test_flag_shows_in_sites_list_and_status_then_clears(tmp_path):
    from search_ui import create_app

    data = DataDir(tmp_path / "data").ensure()
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(yaml.safe_dump([SITE], allow_unicode=True), encoding="utf-8")
    archive = Archive(data.database_url)
    archive.upsert_site(SITE)
    run(archive, listed=20, unchanged=20)
    run(archive, listed=0, unchanged=0)                    # the lists went empty

    def listing() -> str:
        result = CliRunner().invoke(main, ["sites", "list", "--sites-file", str(sites_file), "--data", str(data.root)])
        assert result.exit_code == 0, result.output
        return result.output

    def status() -> dict:
        app = create_app({"DATA_DIR": str(data.root), "TESTING": True})
        try:
            return app.test_client().get("/status.json").get_json()
        finally:
            app.extensions["govplans"].archive.close()

    assert "BROKEN" in listing() and "没有找到任何条目" in listing()
    assert status()["broken"] == ["qiyang"]
    run(archive, listed=21, unchanged=21)                  # recovered
    assert "BROKEN" not in listing()
    assert status()["broken"] == []
    archive.close()
