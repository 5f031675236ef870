"""Bad input and security, in figures: inputs fuzzed, crashes, hangs, payloads tried, routes
checked, traversal attempts — and how many got through (the answer should be 0 everywhere).

    python -m bench.reliability_report [--fuzz-seconds 60] [--json]

Fuzzing: fuzz/run.py (atheris when installed, else the mutational loop), every target in one
time box. Security: the hostile archive of evaluation/hostile.py, served by the real app;
every GET route with every id, every traversal path, every state-changing route without a token,
and a bait URL in every parameter (a local server counts what reaches it).
"""
from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def fuzz_figures(seconds: float) -> dict:
    from fuzz.run import run_all

    results = run_all(seconds)
    return {"engine": results[0]["engine"], "seconds": seconds,
            "targets": {r["target"]: {k: r[k] for k in ("runs", "crashes", "hangs", "ooms", "seeds")} for r in results},
            "inputs": sum(r["runs"] for r in results), "crashes": sum(r["crashes"] for r in results),
            "hangs": sum(r["hangs"] for r in results), "ooms": sum(r["ooms"] for r in results),
            "findings": [a for r in results for a in r["artifacts"]]}


def security_figures(workdir: Path) -> dict:
    from evaluation import hostile
    from search_ui import create_app

    data = hostile.build_world(workdir)
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True, "GOVPLANS_ADMIN_TOKEN": hostile.ADMIN_TOKEN,
                      "SECRET_KEY": "report"})
    client = app.test_client()
    figures: dict = {"payloads": len(hostile.PAYLOADS), "hostile_urls": len(hostile.HOSTILE_URLS)}
    with app.extensions["govplans"].archive.session() as s:
        from sqlalchemy import func, select

        from archive.models import Document
        figures["hostile_documents"] = s.scalar(select(func.count(Document.id)))

    urls = hostile.crawl_urls(app)
    problems, header_problems, kinds = [], [], {}
    for url in urls:
        response = client.get(url)
        kinds[response.mimetype] = kinds.get(response.mimetype, 0) + 1
        problems += hostile.check_response(url, response)
        header_problems += hostile.check_security_headers(url, response)
        response.close()
    figures.update(routes=sum(1 for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   responses_checked=len(urls), responses_by_type=kinds, payloads_got_through=len(problems),
                   responses_without_security_headers=len(header_problems), problems=problems + header_problems)

    traversal = hostile.traversal_urls()
    leaks = [url for url in traversal if (lambda r: r.status_code == 200 or hostile.leaked(r))(client.get(url))]
    figures.update(traversal_attempts=len(traversal), traversal_got_through=len(leaks), traversal_leaks=leaks)

    changing = [(rule.rule, method) for rule in app.url_map.iter_rules()
                for method in rule.methods - {"GET", "HEAD", "OPTIONS"}]
    attempts = accepted = 0
    for rule, method in changing:
        for extra in ({}, {"email": "x@example.org"}, {"webhook": "http://127.0.0.1:9/"}):
            for headers in ({}, {"X-Govplans-Token": "guess"}, {"Origin": "http://evil.test"}):
                attempts += 1
                accepted += client.open(rule, method=method, data={"q": "方案", **extra}, headers=headers).status_code < 400
    figures.update(state_changing_routes=[f"{m} {r}" for r, m in changing], unauthorised_attempts=attempts,
                   unauthorised_accepted=accepted)
    figures.update(fetch_bait(app, client, urls))
    app.extensions["govplans"].archive.close()
    return figures


def fetch_bait(app, client, urls: list[str]) -> dict:
    """A bait URL in every parameter of every route and as a webhook: how many requests reach it."""
    from evaluation.hostile import ADMIN_TOKEN

    hits: list[str] = []

    class Bait(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Bait)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bait = f"http://127.0.0.1:{server.server_address[1]}/bait"
    connects: list = []
    real_connect = socket.socket.connect
    socket.socket.connect = lambda sock, address: (connects.append(address), real_connect(sock, address))[1]
    tried = 0
    try:
        params = urlencode({name: bait for name in ("url", "q", "next", "callback", "feed", "src", "webhook", "site")})
        for url in dict.fromkeys(u.split("?")[0] for u in urls):
            client.get(f"{url}?{params}", headers={"Referer": bait}).close()
            tried += 1
        client.post("/saved", data={"q": "方案", "webhook": bait, "token": ADMIN_TOKEN})
        tried += 1
    finally:
        socket.socket.connect = real_connect
        server.shutdown()
        server.server_close()
    return {"fetch_bait_requests": tried, "fetches_made": len(hits) + len(connects)}


def table(report: dict) -> str:
    f, s = report["fuzz"], report["security"]
    rows = [("inputs fuzzed", f"{f['inputs']:,} ({f['engine']}, {f['seconds']:.0f} s, "
                              + ", ".join(f"{k} {v['runs']:,}" for k, v in f["targets"].items()) + ")"),
            ("crashes / hangs / over memory", f"{f['crashes']} / {f['hangs']} / {f['ooms']}"),
            ("payloads tried", f"{s['payloads']} markup payloads + {s['hostile_urls']} hostile URLs in "
                               f"{s['hostile_documents']} documents"),
            ("routes checked", f"{s['routes']} routes, {s['responses_checked']} responses"),
            ("payloads that got through", str(s["payloads_got_through"])),
            ("responses without security headers", str(s["responses_without_security_headers"])),
            ("traversal attempts / got through", f"{s['traversal_attempts']} / {s['traversal_got_through']}"),
            ("unauthorised state changes / accepted", f"{s['unauthorised_attempts']} / {s['unauthorised_accepted']}"),
            ("requests with a bait URL / fetches made", f"{s['fetch_bait_requests']} / {s['fetches_made']}")]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-seconds", type=float, default=60, help="the fuzzer's whole time box")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govplans-security-") as tmp:
        report = {"fuzz": fuzz_figures(args.fuzz_seconds), "security": security_figures(Path(tmp))}
    report["seconds"] = round(time.monotonic() - started, 1)
    print(table(report))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    s, f = report["security"], report["fuzz"]
    bad = f["crashes"] + f["hangs"] + f["ooms"] + s["payloads_got_through"] + s["responses_without_security_headers"] \
        + s["traversal_got_through"] + s["unauthorised_accepted"] + s["fetches_made"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
