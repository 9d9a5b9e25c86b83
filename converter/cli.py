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
from .wikidata import DEFAULT_ENDPOINT

EXIT_ERRORS = 1
EXIT_USAGE = 2  # as click exits on a bad option
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
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="Directory of SHACL shapes every graph must conform to [default: the project's shapes/].")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [default: when stderr is a terminal].")
@click.option("--verbose", "-v", is_flag=True, help="List every warning, not just the first 20.")
@click.option("--full", is_flag=True,
              help="Convert every document again and write the release from scratch, instead of updating the "
                   "published one with the documents that changed.")
def build(sources: tuple[Path, ...], out: Path, base_uri: str, authority: Path | None, jobs: int | None,
          keep_going: bool, shapes: Path | None, progress: bool | None, verbose: bool, full: bool) -> None:
    """Convert SOURCES (files or directories of *.txt; default seeds/) and publish them to OUT.

    Every document is read, even after an error, so that all errors are reported at
    once. Each document graph is validated against the SHACL shapes, and the whole
    dataset is checked across documents (no dangling references). If any document
    fails or any violation is found, nothing is published (the previous build stays
    whole) unless --keep-going is given: then only the documents that break a rule
    are left out. Warnings are reported and do not stop publication; neither do
    persons sharing a name (namesakes, a role such as "Translator" in many
    documents), which are kept apart and listed to review (archivekg info OUT).

    A rebuild is incremental: documents converted before are taken from OUT/.cache, and the
    published store, dumps and search index are updated with only the documents added,
    changed or removed. A change of shapes, authority data, base URI or archivekg version
    forces a full rebuild, and the build says why; so does --full.
    """
    from collections import Counter

    from .build import run_build
    from .validate import SHAPES_DIR

    srcs = list(sources) or [Path("seeds")]
    if authority is None:
        guess = [s / "authority" for s in srcs if s.is_dir()] + [Path("seeds/authority")]
        authority = next((g for g in guess if g.is_dir()), None)
        if authority is None:
            _err("warning: no authority directory (seeds/authority) found; only names found in the documents "
                 "themselves will be linked. Give one with --authority DIR.")
    try:
        outcome = run_build(srcs, out, base_uri=base_uri, authority_dir=authority, jobs=jobs,
                            keep_going=keep_going, shapes_dir=shapes or SHAPES_DIR, progress_bar=progress,
                            status=lambda m: _err(f"archivekg: {m}") if progress else None,
                            full=full, notice=lambda m: _err(f"archivekg: {m}"))
    except BaseURIError as e:
        raise click.BadParameter(str(e), param_hint="--base-uri") from None
    except ConversionError as e:
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    except OSError as e:  # the machine, not the documents: a full disk, a read-only or forbidden directory
        where = f" ({e.filename})" if e.filename else ""
        _err(f"error: cannot write the build's output in {out}: {e.strerror or e}{where}. Nothing was published"
             + (" and the previous build is still in place" if (out / "current").exists() else "")
             + ". Free some space or make the directory writable, then build again; the next build "
             "clears what this one left behind.")
        sys.exit(EXIT_ERRORS)
    for r in outcome.failed:
        for e in r.errors:
            _err(f"error: {e}")
    warnings = outcome.warnings
    if outcome.validation is not None:
        for v in outcome.validation.violations:
            _err(f"error: {v.render()}")
        warnings += [w.render() for w in outcome.validation.warnings]
    for w in warnings if verbose else warnings[:20]:
        _err(f"warning: {w}")
    if len(warnings) > 20 and not verbose:
        _err(f"warning: ... and {len(warnings) - 20} more (use --verbose to list them all)")
    review = outcome.validation.review if outcome.validation is not None else []
    if review and outcome.release is not None:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(Counter(i.kind for i in review).items()))
        _err(f"to review: {len(review)} item(s) ({kinds}), nothing merged; 'archivekg info {out}' lists them, "
             "docs/review.md says how to resolve them")

    if outcome.release is None:
        if not outcome.results:
            _err("error: no documents found (looked for *.txt in " + ", ".join(map(str, srcs)) + ")")
        elif outcome.validation is not None and not outcome.validation.conforms:
            culprits = outcome.culprits
            _err(f"error: the dataset breaks {len(outcome.validation.violations)} cross-document constraint(s)"
                 + (f", in {', '.join(culprits)}" if culprits else "") + "; nothing was published"
                 + ("" if keep_going or not culprits else ". Fix them, or use --keep-going to leave them out."))
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
    left_out = data.get("left_out", [])
    if left_out:
        click.echo(f"\nleft out ({len(left_out)}), published without them (--keep-going):")
        for d in left_out:
            for e in d["errors"]:
                click.echo(f"  {e.splitlines()[0]}")
    review = data.get("review", [])
    if review:
        click.echo(f"\nto review ({len(review)}): kept apart, nothing merged; docs/review.md says how to resolve them")
        shared = [item for item in review if item["kind"] == "name-in-several-documents"]
        if shared:
            click.echo(f"  name-in-several-documents: {len(shared)} uncurated names each shared by several documents "
                       f"(one person each; --json lists them): {', '.join(repr(i['label']) for i in shared[:8])}"
                       + (" ..." if len(shared) > 8 else ""))
        for item in review:
            if item["kind"] == "name-in-several-documents":
                continue
            click.echo(f"  {item['kind']}: {len(item['persons'])} persons labelled {item['label']!r}")
            shown = item["documents"] if item["kind"] != "role-label" else item["documents"][:10]
            for d in shown:
                click.echo(f"    {d['source']} (document {d['id']}): {d['person']}")
            if len(shown) < len(item["documents"]):
                click.echo(f"    ... and {len(item['documents']) - len(shown)} more (--json lists them all)")
            persons_in = {d["person"] for d in item["documents"]}
            for iri in item["persons"]:
                if iri not in persons_in:
                    click.echo(f"    (in no document: authority file only): {iri}")
            click.echo(f"    how: {item['how']}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: a free one, printed).")
@click.option("--threads", type=click.IntRange(1, 1024), default=100, show_default=True,
              help="Most Python threads that run requests at once (Granian's blocking threads); a request whose body "
                   "is still arriving holds one, so there are as many as --connection-limit by default.")
@click.option("--connection-limit", type=click.IntRange(1, 10000), default=100, show_default=True,
              help="Most client connections held at once (Granian's backpressure); put nginx in front for more "
                   "(docs/security.md).")
@click.option("--channel-timeout", type=click.IntRange(1, 60), default=60, show_default=True,
              help="Seconds a connection may take to send a request's headers, and stay idle between requests; "
                   "then it is closed.")
@click.option("--dev", is_flag=True, help="Flask's debug server instead of Granian (development only).")
@click.option("--endpoint", default="", envvar="ARCHIVEKG_ENDPOINT", metavar="URL",
              help="Read the graph from this SPARQL endpoint (Oxigraph server, Virtuoso), where `archivekg publish "
                   "--to` loaded the build, instead of the build's embedded store. Search, dumps and VoID still come "
                   "from DIRECTORY.")
def serve(directory: Path, host: str, port: int, threads: int, connection_limit: int, channel_timeout: int,
          dev: bool, endpoint: str) -> None:
    """Serve the build in DIRECTORY (the --out of build): SPARQL at /sparql, a page and RDF
    for every /id/ resource, /search, /dumps/, /reconcile, /health.

    The store is opened read-only; a new build published to DIRECTORY is picked up
    without a restart. Limits (ARCHIVEKG_QUERY_TIMEOUT, ARCHIVEKG_MAX_RESULT_ROWS,
    ARCHIVEKG_QUERY_MEMORY_MB, ARCHIVEKG_SERVICE_ALLOW, ...) are environment variables:
    the README lists them all.
    """
    import socket

    from server.config import SettingError, from_env
    from server.store import StoreTimeout, StoreUnavailable, open_store

    try:
        timeout = float(from_env()["QUERY_TIMEOUT"])  # type: ignore[arg-type]  # every setting checked, all at once
    except SettingError as e:
        _err(f"error: {e}")
        sys.exit(EXIT_USAGE)
    if endpoint and not endpoint.startswith(("http://", "https://")):
        _err(f"error: --endpoint {endpoint!r} is not an http(s) URL of a SPARQL endpoint")
        sys.exit(EXIT_USAGE)
    store = open_store(directory, endpoint, timeout)
    try:
        info = store.build_info()
        if endpoint:
            from server.remote_store import check_holds_build

            check_holds_build(store, info)  # type: ignore[arg-type]
    except (StoreUnavailable, StoreTimeout, OSError) as e:
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    del store  # the server opens its own, in its own process

    def serving(at_port: int) -> str:
        source = f"{endpoint} (build {directory})" if endpoint else str(directory)
        return (f"serving {info['documents']} document(s), {info['triples']} triples from {source} "
                f"at http://{host}:{at_port}/sparql")

    if dev:
        from server.app import create_app

        app = create_app({"DATA_DIR": str(directory), "ENDPOINT": endpoint})
        click.echo(serving(port), err=True)
        app.run(host=host, port=port, debug=True)
        return
    try:  # said plainly before the server starts; and a free port found for --port 0
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]
    except OSError as e:
        _err(f"error: cannot listen on {host}:{port}: {e.strerror or e}; choose another --port or --host")
        sys.exit(EXIT_ERRORS)
    import functools
    import logging
    import multiprocessing

    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    from server.app import served_app

    # Granian (Rust) reads and writes HTTP; the Flask app runs in its one worker process, made there (spawned, not
    # forked: nothing of this process's store or threads is copied into it). docs/decisions.md says why.
    multiprocessing.set_start_method("spawn", force=True)
    logging_config = {  # Granian's own lines, and a failure inside a response, go to stderr with the server's others
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"generic": {"()": "logging.Formatter", "fmt": "[%(levelname)s] %(message)s"}},
        "handlers": {"console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
        "loggers": {"_granian": {"handlers": ["console"], "level": "WARNING", "propagate": False},
                    "granian.access": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
    }
    server = Granian(
        "archivekg", address=host, port=port, interface=Interfaces.WSGI, workers=1, blocking_threads=threads,
        backpressure=connection_limit, http=HTTPModes.http1, websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=channel_timeout * 1000),
        workers_kill_timeout=5, log_level=LogLevels.warning, log_dictconfig=logging_config,
    )
    # Granian warns at each start when its threads outnumber the cores; here most of them wait (on a query process,
    # or on a slow client's body), which is what they are for.
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in str(record.msg))
    try:
        server.serve(target_loader=functools.partial(served_app, str(directory), endpoint, serving(port)),
                     wrap_loader=False)
    except RuntimeError as e:  # the port taken meanwhile
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        _err(f"error: cannot listen on {host}:{port}: {first}; choose another --port or --host")
        sys.exit(EXIT_ERRORS)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "store_url", required=True, metavar="URL",
              help="The store's SPARQL 1.1 Graph Store endpoint: Oxigraph server http://host:7878/store, Virtuoso "
                   "http://host:8890/sparql-graph-crud-auth.")
@click.option("--query-url", default=None, metavar="URL",
              help="The store's SPARQL query endpoint, to read counts back [default: next to --to, for Oxigraph "
                   "and Virtuoso].")
@click.option("--user", default=None, help="Account to write with; its password is read from the environment "
              "variable ARCHIVEKG_STORE_PASSWORD, never from the command line.")
@click.option("--auth", type=click.Choice(["digest", "basic"]), default="digest", show_default=True,
              help="HTTP authentication the store takes (Virtuoso: digest).")
@click.option("--retries", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Retries of a failed request, with exponential backoff.")
@click.option("--force", is_flag=True, help="Send every graph, even those the store already holds unchanged.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [default: when stderr is a terminal].")
def publish(directory: Path, store_url: str, query_url: str | None, user: str | None, auth: str, retries: int,
            force: bool, progress: bool | None) -> None:
    """Load the build in DIRECTORY (the --out of build) into a remote SPARQL store.

    One PUT per named graph through the SPARQL 1.1 Graph Store Protocol: a republish sends
    only the graphs that changed and deletes the graphs of documents no longer in the build.
    Each graph's triple count is then read back and must match the build's VoID.
    Exit 0 when every graph is in the store and verified, 1 otherwise (the message names the graph),
    2 on a usage error. For very large loads, see Virtuoso's bulk loader in docs/deploy.md.
    """
    import os

    from tqdm import tqdm

    from .publish_remote import PASSWORD_ENV, PublishError, publish_to_store

    password = os.environ.get(PASSWORD_ENV)
    if user and password is None:
        _err(f"error: --user {user} needs its password in the environment variable {PASSWORD_ENV}")
        sys.exit(EXIT_USAGE)
    if not store_url.startswith(("http://", "https://")):
        _err(f"error: --to {store_url!r} is not an http(s) URL of a Graph Store endpoint")
        sys.exit(EXIT_USAGE)
    bar = tqdm(total=None, unit="graph", desc="publishing", file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress)

    def step(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        result = publish_to_store(directory, store_url, query_url=query_url, user=user, password=password, auth=auth,
                                  retries=retries, force=force, progress=step)
    except PublishError as e:
        bar.close()
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    bar.close()
    click.echo(f"published {result.triples} triples to {store_url}: {len(result.sent)} graph(s) sent, "
               f"{len(result.kept)} unchanged, {len(result.deleted)} deleted; every graph verified")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="Directory of SHACL shapes (*.ttl) [default: the project's shapes/].")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True,
              help="Report format: text for people, a SHACL report graph in Turtle, or JSON.")
def validate(path: Path, shapes: Path | None, fmt: str) -> None:
    """Validate PATH against the shapes: a build output, a dump or any RDF file.

    A build output is checked graph by graph (each result names the source file
    and line), with the entities graph, the VoID description and the checks across
    documents. An RDF file is checked graph by graph. Exit status: 0 when it
    conforms (warnings allowed), 1 on violations, 2 when it cannot be read.
    """
    from .validate import ValidationInputError, load_shapes, validate_path

    try:
        report = validate_path(path, load_shapes(shapes) if shapes else None)
    except (ValidationInputError, FileNotFoundError) as e:
        _err(f"error: {e}")
        sys.exit(2)
    click.echo({"text": report.text, "turtle": report.turtle, "json": report.json}[fmt]())
    sys.exit(0 if report.conforms else EXIT_ERRORS)


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--gold", type=click.Path(path_type=Path), default=Path("tests/gold"), show_default=True,
              help="Directory of gold files named <source stem>.json.")
@click.option("--authority", type=click.Path(path_type=Path), default=Path("seeds/authority"), show_default=True,
              help="Directory of authority CSV files.")
def evaluate(sources: tuple[Path, ...], gold: Path, authority: Path) -> None:
    """Count mentions and claims in SOURCES; score them where a gold file exists.

    Prints, per document, the numbers of mentions (linked), claims and referred
    events, and where GOLD/<stem>.json exists, precision and recall of mentions,
    linking and claims, the accuracy of claim attributes, and how many sentences
    marked as not-claims were made claims.
    """
    from .evaluate import DocumentScore, ReadScore, load_gold, score_document, score_reading
    from .publish import collect_sources

    try:
        files = collect_sources(list(sources) or [Path("seeds")])
        total, scored, reading = DocumentScore(), 0, ReadScore()
        auth = _authority(authority)
        click.echo(f"{'document':<34}{'mentions':>9}{'linked':>8}{'claims':>8}{'events':>8}   gold")
        for path, rel in files:
            built = _build_one(path, rel, auth)
            ext = built.extraction
            linked = sum(1 for m in ext.mentions if m.entity)
            gpath = gold / f"{path.stem}.json"
            line = f"{rel[:33]:<34}{len(ext.mentions):>9}{linked:>8}{len(ext.claims):>8}{len(ext.events):>8}"
            if gpath.is_file() and "turns" in (g := load_gold(gpath)):
                rs = score_reading(built, g, auth)
                reading.add(rs)
                line += (f"   turns {len(built.doc.turns)}/{len(g['turns'])} speakers {rs.speakers.tp}/{len(g['turns'])}; "
                         f"people P {rs.people.precision:.2f} R {rs.people.recall:.2f}; "
                         f"claims P {rs.claims.precision:.2f} R {rs.claims.recall:.2f}")
            elif gpath.is_file():
                sc = score_document(ext, load_gold(gpath))
                total.add(sc)
                scored += 1
                line += f"   mentions P {sc.mentions.precision:.2f} R {sc.mentions.recall:.2f}; claims P {sc.claims.precision:.2f} R {sc.claims.recall:.2f}"
            click.echo(line)
    except ConversionError as e:
        _err(f"error: {e}")
        sys.exit(EXIT_ERRORS)
    if reading.documents:
        r = reading
        click.echo(f"\nover {r.documents} whole-document gold file(s):")
        click.echo(f"  turn counts exact   {r.turns_exact} of {r.turn_docs} documents with turns "
                   f"({r.turns_exact / max(1, r.turn_docs):.1%})")
        n_turns = r.speakers.tp + r.speakers.fn
        click.echo(f"  speaker attribution {r.speakers.tp} of {n_turns} turns ({r.speakers.tp / max(1, n_turns):.1%})")
        for name in ("reported", "people", "places", "organizations", "claims"):
            sc = getattr(r, name)
            click.echo(f"  {name:<19} precision {sc.precision:.3f}  recall {sc.recall:.3f}  (tp {sc.tp}, fp {sc.fp}, fn {sc.fn})")
    if scored:
        click.echo(f"\nover {scored} gold document(s):")
        for name, sc in (("mentions (span)", total.mentions), ("linking (entity)", total.linking), ("claims (sentence)", total.claims)):
            click.echo(f"  {name:<20} precision {sc.precision:.3f}  recall {sc.recall:.3f}  F1 {sc.f1:.3f}  "
                       f"(tp {sc.tp}, fp {sc.fp}, fn {sc.fn})")
        for name, sc in sorted(total.attributes.items()):
            click.echo(f"  claim {name:<14} right in {sc.tp} of {sc.tp + sc.fn} matched claims")
        click.echo(f"  not-claims made claims: {len(total.not_claims_made)} of {total.not_claims_total}")
        for s in total.not_claims_made:
            click.echo(f"    - {s}")


@cli.group()
def link() -> None:
    """Link the authority data with Wikidata: propose, review, apply, report.

    \b
    archivekg link propose build/    candidates for entities without a QID -> review file
    (edit the review file: write accept or reject in the decision column)
    archivekg link apply             accepted QIDs, with their evidence -> authority files
    archivekg link report build/     what is linked, what is not, what waits for review

    Only accepted links enter the authority data, so build never needs the network.
    """


_AUTHORITY_OPT = click.option("--authority", type=click.Path(path_type=Path), default=Path("seeds/authority"),
                              show_default=True, help="Directory of the authority CSV files.")
_REVIEW_OPT = click.option("--review", type=click.Path(path_type=Path), default=None,
                           help="Review file [default: AUTHORITY/wikidata-review.csv].")


def _review_path(authority: Path, review: Path | None) -> Path:
    from .linking import REVIEW_FILE

    return review or authority / REVIEW_FILE


@link.command("propose")
@click.argument("build_dir", metavar="BUILD", type=click.Path(path_type=Path), default=Path("build"))
@_AUTHORITY_OPT
@_REVIEW_OPT
@click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True,
              envvar="ARCHIVEKG_WIKIDATA_ENDPOINT", help="Wikidata SPARQL endpoint (or a mirror, or a local copy).")
@click.option("--cache", type=click.Path(path_type=Path), default=None,
              help="Response cache directory [default: AUTHORITY/../.cache/wikidata]; commit it for reproducible proposals.")
@click.option("--offline", is_flag=True, help="Use cached answers only; never touch the network.")
@click.option("--interval", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between requests (rate limit).")
@click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Retries, with exponential back-off, on 429, 5xx and network errors.")
@click.option("--user-agent", default=None, help="User-Agent to send [default: archivekg's, with a contact URL].")
@click.option("--all", "all_entities", is_flag=True, help="Also re-check entities that already have a QID.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [default: when stderr is a terminal].")
def link_propose(build_dir: Path, authority: Path, review: Path | None, endpoint: str, cache: Path | None, offline: bool,
                 interval: float, retries: int, user_agent: str | None, all_entities: bool, progress: bool | None) -> None:
    """Propose Wikidata items for the entities of BUILD that have no QID, into the review file.

    Candidates are found by label and alias in the documents' languages and ranked by
    type, by time (alive, or existing, at the documents' dates) and by the entities
    mentioned alongside. A clear winner is proposed; two close candidates are reported
    as ambiguous, never guessed. Exit 0, or 1 when the endpoint cannot be asked.
    """
    from .linking import contexts, propose_all, write_review
    from .wikidata import USER_AGENT, WikidataClient, WikidataError

    auth = _authority_or_exit(authority)
    review = _review_path(authority, review)
    try:
        items = contexts(build_dir, auth, all_entities=all_entities)
    except FileNotFoundError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)
    client = WikidataClient(endpoint, cache or authority.parent / ".cache" / "wikidata", user_agent or USER_AGENT,
                            interval, retries, offline=offline)
    from tqdm import tqdm

    bar = tqdm(total=len(items), unit="entity", disable=not (sys.stderr.isatty() if progress is None else progress))
    try:
        proposals = propose_all(items, client, progress=lambda ctx: bar.update())
    except WikidataError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)
    finally:
        bar.close()
    write_review(review, proposals, endpoint)
    counts: dict[str, int] = {}
    for p in proposals:
        counts[p.status] = counts.get(p.status, 0) + 1
        if p.status == "ambiguous":
            close = ", ".join(f"{s.candidate.qid} {s.candidate.label!r} ({s.score:.2f})" for s in p.ranked if not s.declined)
            _err(f"ambiguous: {p.context.kind} {p.context.id}: {close}; nothing proposed")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to link"
    click.echo(f"{len(proposals)} entities: {summary}; {client.requests} request(s) to {endpoint}; review {review}")


@link.command("apply")
@_AUTHORITY_OPT
@_REVIEW_OPT
def link_apply(authority: Path, review: Path | None) -> None:
    """Write the accepted rows of the review file into the authority files, each QID with its evidence."""
    from .linking import ReviewError, apply_review

    auth = _authority_or_exit(authority)
    review = _review_path(authority, review)
    if not review.is_file():
        _err(f"error: no review file {review}; run 'archivekg link propose' first")
        sys.exit(EXIT_ERRORS)
    try:
        applied = apply_review(review, authority, auth)
    except ReviewError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)
    for kind, id_, qid in applied:
        click.echo(f"linked {kind} {id_} -> {qid}")
    click.echo(f"{len(applied)} link(s) applied to {authority}")


@link.command("coordinates")
@_AUTHORITY_OPT
@click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True,
              envvar="ARCHIVEKG_WIKIDATA_ENDPOINT", help="Wikidata SPARQL endpoint (or a mirror, or a local copy).")
@click.option("--cache", type=click.Path(path_type=Path), default=None,
              help="Response cache directory [default: AUTHORITY/../.cache/wikidata].")
@click.option("--offline", is_flag=True, help="Use cached answers only; never touch the network.")
@click.option("--interval", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between requests (rate limit).")
@click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Retries, with exponential back-off, on 429, 5xx and network errors.")
def link_coordinates(authority: Path, endpoint: str, cache: Path | None, offline: bool, interval: float,
                     retries: int) -> None:
    """Fill AUTHORITY/coordinates.csv with the coordinates (Wikidata P625) of the places that have a QID.

    Each row keeps its evidence: the endpoint, the item and the value it gave, and the day. Places
    already in the file are kept as they are; an item with several coordinates, or one on another
    globe, is reported and left for a curator. Exit 0, or 1 when the endpoint cannot be asked.
    """
    import datetime

    from .coordinates import COORDINATES_FILE, fill
    from .wikidata import USER_AGENT, WikidataClient, WikidataError

    auth = _authority_or_exit(authority)
    places = [(e.id, e.wikidata) for e in auth.of_kind("place") if e.wikidata]
    client = WikidataClient(endpoint, cache or authority.parent / ".cache" / "wikidata", USER_AGENT, interval, retries,
                            offline=offline)
    try:
        done = fill(authority, places, client.select, endpoint, datetime.date.today())
    except WikidataError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)
    for pid, qid, point in done.added:
        click.echo(f"place {pid} ({qid}): {point.latitude}, {point.longitude}")
    for pid, qid in done.missing[:10]:
        _err(f"no coordinates: place {pid} ({qid}) has no P625")
    if len(done.missing) > 10:
        _err(f"... and {len(done.missing) - 10} more place(s) without P625")
    for pid, qid, values in done.unclear:
        _err(f"left for a curator: place {pid} ({qid}) has {', '.join(values)}")
    click.echo(f"{len(done.added)} place(s) given coordinates, {done.kept} kept, {len(done.missing)} without P625, "
               f"{len(done.unclear)} unclear; {client.requests} request(s) to {endpoint}; {authority / COORDINATES_FILE}")


@link.command("report")
@click.argument("build_dir", metavar="BUILD", type=click.Path(path_type=Path), default=Path("build"))
@_AUTHORITY_OPT
@_REVIEW_OPT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def link_report(build_dir: Path, authority: Path, review: Path | None, fmt: str) -> None:
    """What BUILD links to Wikidata, what it does not, and the candidates waiting for review."""
    import json

    from .linking import report

    auth = _authority_or_exit(authority)
    try:
        got = report(build_dir, auth, _review_path(authority, review))
    except FileNotFoundError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)
    if fmt == "json":
        click.echo(json.dumps(got, indent=2, ensure_ascii=False))
        return
    for kind, section in got.items():
        total = sum(len(v) for v in section.values())
        click.echo(f"{kind}: {len(section['linked'])} of {total} linked")
        for name, title in (("pending", "pending review"), ("unlinked", "not linked"),
                            ("not_in_authority", "not in the authority files (add them to link them)")):
            if section[name]:
                click.echo(f"  {title} ({len(section[name])}): " + ", ".join(row[0] for row in section[name]))


def _authority_or_exit(directory: Path):  # type: ignore[no-untyped-def]
    from .authority import AuthorityError

    if not directory.is_dir():
        _err(f"error: no authority directory {directory}; give --authority")
        sys.exit(EXIT_ERRORS)
    try:
        return _authority(directory)
    except AuthorityError as err:
        _err(f"error: {err}")
        sys.exit(EXIT_ERRORS)


def _authority(directory: Path):  # type: ignore[no-untyped-def]
    from .authority import load_authority

    return load_authority(directory)


def _build_one(path: Path, rel: str, authority):  # type: ignore[no-untyped-def]
    from .pipeline import build_document, read_source
    from .uris import Minter

    text, info = read_source(path.read_bytes(), rel)
    return build_document(text, info, authority=authority, minter=Minter(DEFAULT_BASE))


if __name__ == "__main__":
    cli()
