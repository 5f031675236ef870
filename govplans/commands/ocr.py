"""`govplans ocr`: recognise the scans the crawls queued (images, scanned PDFs, PDFs whose text
layer is not text), beside the crawl: crawls only queue, this command's worker processes read."""
from __future__ import annotations

import json
import sys

import click

from govplans.options import data_option, existing_archive


@click.command()
@click.option("--pending", "which", flag_value="pending", default=True,
              help="Only files waiting for recognition (the default).")
@click.option("--all", "which", flag_value="all",
              help="Every queued file again, done and failed ones too (a better model came).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes (one recogniser each, one core each).")
@click.option("--max-pages", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Pages read of one file.")
@click.option("--seconds", type=click.FloatRange(1, 86_400), default=300, show_default=True,
              help="Time limit of one file: the pages read by then are kept.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the figures.")
@data_option
def ocr(which, workers, max_pages, seconds, as_json, data_path) -> None:
    """Recognise queued scans (with a progress bar); the documents show the text, marked as
    recognised with its confidence, and the index is brought up to date."""
    from tqdm import tqdm

    from archive.operations.ocr import run_ocr

    data = existing_archive(data_path)
    bar = tqdm(desc="ocr", unit="file", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    from concurrent.futures.process import BrokenProcessPool

    try:
        summary = run_ocr(data, workers=workers, everything=which == "all", max_pages=max_pages,
                          seconds=seconds, progress=progress)
    except BrokenProcessPool:
        raise click.ClickException("a recognition worker died (out of memory?): the files it held are "
                                   "claimed again when their lease runs out (15 min), three tries each") from None
    finally:
        bar.close()
    figures = {"files": summary.files, "done": summary.done, "failed": summary.failed, "pages": summary.pages,
               "recognised_pages": summary.recognised_pages, "seconds": round(summary.seconds, 1),
               "indexed": summary.indexed, "errors": summary.errors[:20]}
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    click.echo(f"{summary.files} files: {summary.done} recognised, {summary.failed} failed; "
               f"{summary.recognised_pages} pages recognised in {summary.seconds:.1f} s; "
               f"{summary.indexed} documents indexed")
    for error in summary.errors[:20]:
        click.echo(f"  failed: {error}", err=True)


COMMANDS = (ocr,)
