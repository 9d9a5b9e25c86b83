"""The ``archivekg`` command line. Thin commands: each delegates to one function.

Exit status: 0 success; 1 documents or inputs have errors (nothing published);
2 usage error; 3 published with ``--keep-going`` but some documents left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import ConversionError
from .uris import BaseURIError

EXIT_ERRORS = 1
EXIT_PARTIAL = 3
DEFAULT_BASE = "http://localhost:8080/"


def _err(msg: str) -> None:
    click.echo(msg, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archivekg")
def cli() -> None:
    """archivekg: turn archive documents into a linked-data knowledge graph and publish it.

    \b
    Typical use:
      archivekg build seeds/ --out build/ --base-uri https://archive.example.org/
      archivekg info build/
    """


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Output directory; the published build is OUT/current.")
@click.option("--base-uri", default=DEFAULT_BASE, show_default=True, envvar="ARCHIVEKG_BASE_URI",
              help="Base of every minted IRI: {base}id/{kind}/{slug}. Use the domain you publish under.")
@click.option("--authority", type=click.Path(path_type=Path), default=None,
              help="Directory of authority CSV files [default: seeds/authority next to the first source, or ./seeds/authority].")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Worker processes [default: all cores].")
@click.option("--keep-going", is_flag=True, help="Publish the documents that converted; list those left out (exit 3).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [default: when stderr is a terminal].")
@click.option("--verbose", "-v", is_flag=True, help="List every warning, not just the first 20.")
def build(sources: tuple[Path, ...], out: Path, base_uri: str, authority: Path | None, jobs: int | None,
          keep_going: bool, progress: bool | None, verbose: bool) -> None:
    """Convert SOURCES (files or directories of *.txt; default seeds/) and publish them to OUT.

    Every document is read, even after an error, so that all errors are reported at
    once. If any document fails, nothing is published (the previous build stays
    whole) unless --keep-going is given.
    """
    from .build import run_build

    srcs = list(sources) or [Path("seeds")]
    if authority is None:
        guess = [s / "authority" for s in srcs if s.is_dir()] + [Path("seeds/authority")]
        authority = next((g for g in guess if g.is_dir()), None)
    try:
        outcome = run_build(srcs, out, base_uri=base_uri, authority_dir=authority, jobs=jobs,
                            keep_going=keep_going, progress_bar=progress,
                            status=lambda m: _err(f"archivekg: {m}") if progress else None)
    except BaseURIError as e:
        raise click.BadParameter(str(e), param_hint="--base-uri") from None
    except ConversionError as e:
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    for r in outcome.failed:
        for e in r.errors:
            _err(f"error: {e}")
    warnings = outcome.warnings
    for w in warnings if verbose else warnings[:20]:
        _err(f"warning: {w}")
    if len(warnings) > 20 and not verbose:
        _err(f"warning: ... and {len(warnings) - 20} more (use --verbose to list them all)")

    if outcome.release is None:
        if not outcome.results:
            _err("error: no documents found (looked for *.txt in " + ", ".join(map(str, srcs)) + ")")
        else:
            _err(f"error: {len(outcome.failed)} of {len(outcome.results)} document(s) failed; nothing was published"
                 + (" (the previous build is still in place)" if (out / "current").exists() else "")
                 + ". Fix them, or use --keep-going to publish the rest.")
        sys.exit(EXIT_ERRORS)
    rel = outcome.release
    click.echo(
        f"published {rel.documents} document(s) to {out / 'current'} in {outcome.seconds:.1f}s: "
        f"{rel.triples} triples, {rel.persons} persons, {rel.utterances} utterances, "
        f"{rel.paragraphs} paragraphs, {len(warnings)} warning(s)"
    )
    if outcome.failed:
        _err(f"left out {len(outcome.failed)} document(s): " + ", ".join(r.relpath for r in outcome.failed))
        sys.exit(EXIT_PARTIAL)



@cli.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--json", "as_json", is_flag=True, help="Print build.json as it is.")
def info(directory: Path, as_json: bool) -> None:
    """Summarise the published build in DIRECTORY (the --out of build)."""
    import json

    from .publish import read_build_info

    try:
        data = read_build_info(directory)
    except ConversionError as e:
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    if as_json:
        click.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    click.echo(f"build:       {(directory / 'current').resolve()}")
    click.echo(f"built:       {data['build_time']} by archivekg {data['archivekg']}")
    click.echo(f"base URI:    {data['base_uri']}")
    for key in ("documents", "triples", "graphs", "persons", "utterances", "paragraphs", "warnings"):
        click.echo(f"{key + ':':<13}{data[key]}")
    for name, d in sorted(data["dumps"].items()):
        click.echo(f"dump:        {d['path']}  {d['bytes']} bytes  {d['triples']} triples  sha256 {d['sha256'][:16]}...")


if __name__ == "__main__":
    cli()
