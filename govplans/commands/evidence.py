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


@click.command()
@click.argument("dest", type=click.Path(file_okay=False))
@data_option
def backup(dest, data_path) -> None:
    """Copy the archive into DEST while it runs: the database as one committed state (SQLite's
    online backup, pg_dump), then the WARC files (only what DEST lacks), and a manifest of digests."""
    from pathlib import Path

    from archive.operations.backup import BackupError, backup as copy
    from archive.store.snapshot import SnapshotError

    data = existing_archive(data_path)
    try:
        summary = copy(data, Path(dest))
    except (BackupError, SnapshotError) as error:
        raise click.ClickException(str(error))
    click.echo(f"{summary.database} ({summary.database_bytes:,} bytes, {summary.seconds['database']:.1f}s), "
               f"{summary.warc_files} WARC files ({summary.warc_bytes:,} bytes; {summary.copied_bytes:,} copied now, "
               f"{summary.unchanged_files} unchanged; {summary.seconds['warc']:.1f}s) -> {dest}", err=True)


@click.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@data_option
def restore(src, data_path) -> None:
    """Restore the backup in SRC into an empty data directory; refused when the backup does not
    match its manifest or its rows do not rest on its WARC records."""
    from pathlib import Path

    from archive.config import DataDir
    from archive.operations.backup import BackupError, restore as put_back
    from archive.store.snapshot import SnapshotError

    data = DataDir.resolve(data_path)
    try:
        figures = put_back(Path(src), data)
    except (BackupError, SnapshotError) as error:
        raise click.ClickException(str(error))
    click.echo(f"restored {figures['documents']} documents, {figures['captures']} captures in "
               f"{figures['warc_files']} WARC files; {figures['indexed']} indexed -> {data.root}", err=True)


COMMANDS = (verify, backup, restore)
