"""`govplans verify`, `backup` and `restore`: the archive proves itself and travels."""
from __future__ import annotations

import json
import sys

import click

from govplans.options import data_option, existing_archive

EXIT_LOSS = 1       # evidence is gone or damaged
EXIT_FAULTS = 3     # something is wrong that costs no evidence (the index, a damaged record nothing rests on)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the report.")
@click.option("--repair", is_flag=True,
              help="Rebuild the index, re-point rows at intact captures and extract them again, "
                   "mark documents whose evidence is gone.")
@data_option
def verify(as_json, repair, data_path) -> None:
    """Re-read every WARC record and check it against its digests, every row against its record,
    the index against the documents. Exit 0: healthy; 1: evidence lost; 3: other faults."""
    from archive.operations.verify import repair as fix, verify as check

    data = existing_archive(data_path)
    report = check(data)
    if repair and (report.faults or report.stale_marks):
        fix(data, report)
        repaired = report.repaired
        report = check(data)
        report.repaired = repaired
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        click.echo(_text(report))
    if report.faults:
        sys.exit(EXIT_LOSS if report.loss else EXIT_FAULTS)


def _text(report) -> str:
    from archive.operations.verify import KINDS, LISTED

    lines = [f"{report.files} WARC files ({report.bytes:,} bytes), {report.records} records, "
             f"{report.captures} captures, {report.documents} documents"
             + (f", {report.indexed} indexed" if report.indexed is not None else "")]
    if report.repaired:
        lines.append("repaired: " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in
                                               sorted(report.repaired.items())))
    if not report.faults:
        lines.append("no faults: every record reads whole with its digests, every row rests on one")
        return "\n".join(lines)
    for kind, count in sorted(report.counts.items()):
        lines.append(f"{count:>8}  {kind}: {KINDS[kind]}")
    for fault in report.faults[:LISTED]:
        lines.append(f"  {'LOSS ' if fault.loss else '     '}{fault.kind:<24} {fault.where}  {fault.detail}")
    if len(report.faults) > LISTED:
        lines.append(f"  … and {len(report.faults) - LISTED} more (--json lists the first {LISTED})")
    if report.lost_documents:
        lines.append(f"{len(report.lost_documents)} documents rest on no intact record")
    return "\n".join(lines)


COMMANDS = (verify,)
