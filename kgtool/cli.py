"""The ``kgtool`` command: a thin layer over the library. Only this module prints."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

import click

from kgtool import __version__
from kgtool.errors import KgtoolError

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_NONCONFORMANT, EXIT_ERROR = 0, 1, 2


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a KgtoolError into a one-line message on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except KgtoolError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"kgtool: error: {exc}", err=True)
            ctx.exit(EXIT_ERROR)

    return wrapper


class OneLineUsageError(click.UsageError):
    """A click usage error told in one line naming the command and the problem, e.g.
    ``kgtool serve: invalid value for '--timeout': 'abc' is not a valid float (see 'kgtool
    serve --help')``, instead of click's usage line, hint, blank line and error."""

    def __init__(self, cause: click.UsageError) -> None:
        command = cause.ctx.command_path if cause.ctx is not None else "kgtool"
        problem = " ".join(line.strip() for line in cause.format_message().splitlines())
        if problem[:1].isupper() and problem[1:2].islower():  # "Invalid value", not "TEXT"
            problem = problem[0].lower() + problem[1:]
        problem = problem.strip().removesuffix(".")
        super().__init__(f"{command}: {problem} (see '{command} --help')", cause.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, file=file, err=True)


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    """Re-raise click's usage errors as OneLineUsageError; a group called without its
    command still shows its whole help (NoArgsIsHelpError)."""
    try:
        yield
    except (OneLineUsageError, click.exceptions.NoArgsIsHelpError):
        raise
    except click.UsageError as exc:
        raise OneLineUsageError(exc) from exc


class KgtoolGroup(click.Group):
    """The root group. Every usage error, whether from parsing the root's options, resolving a
    (sub)command, parsing its parameters or raised by its callback, passes through these two
    methods, in click's standalone mode (CliRunner) and in main() alike."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _one_line_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_usage_errors():
            return super().invoke(ctx)


@click.group("kgtool", cls=KgtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgtool")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KGTOOL_STORE",
    help="Keep the graph in a persistent Oxigraph store in DIR; later runs re-parse only "
    "changed files. [env: KGTOOL_STORE]",
)
@click.option(
    "--memory", is_flag=True, help="Use rdflib's memory store instead of in-memory Oxigraph."
)
def cli(debug: bool, store_dir: Path | None, memory: bool) -> None:
    """Build, validate, query and publish the cooperation knowledge graph.

    Every command loads ontology/, shapes/ and data/ (or the paths it is given) into one
    dataset, a named graph per file. By default the dataset lives in memory on Oxigraph;
    --store DIR keeps it on disk, --memory uses rdflib's own store.

    Example: kgtool --store .kgtool-store build -o out
    """
    from kgtool.graph import set_default_store

    if memory and store_dir is not None:
        raise click.UsageError("choose either --store DIR or --memory")
    set_default_store("memory" if memory else "oxigraph", store_dir)
    # Reset when the command ends, so in-process callers (tests) never inherit the choice.
    click.get_current_context().call_on_close(set_default_store)
    if not debug:
        # rdflib logs a traceback for each literal it cannot convert ("2025-02-30"^^xsd:date);
        # validate reports such values as violations, one line each.
        term_log = logging.getLogger("rdflib.term")
        level = term_log.level
        term_log.setLevel(logging.ERROR)
        click.get_current_context().call_on_close(lambda: term_log.setLevel(level))


def _output_file(help_text: str) -> Callable[[F], F]:
    """Return the ``-o/--output FILE`` option with ``help_text``."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


# --- commands: each helper module registers its commands below its own anchor ---

# [anchor: validate commands]


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="Entailment pyshacl applies to the data before validating.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="fast: bulk SHACL on Oxigraph (same reports, 40x+ faster); pyshacl: the reference; "
    "auto: fast unless --inference is given.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on violations.")
@click.option(
    "--changed",
    "changed_since",
    is_flag=False,
    flag_value="HEAD",
    default=None,
    metavar="[REV]",
    help="Check the RDF files under ontology/, shapes/ and data/ changed since the git "
    "revision REV (default HEAD: uncommitted changes), untracked ones included.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle", "github", "junit"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts, turtle for the sh:ValidationReport, "
    "github for workflow annotations, junit for CI test reports.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ru", "uz-Latn", "uz-Cyrl", "ko"]),
    default="en",
    show_default=True,
    help="Language of messages and labels (falls back to English).",
)
@_output_file("Write the report to this file (atomically) instead of standard output.")
@reports_errors
def validate_command(
    paths: tuple[Path, ...],
    inference: str,
    engine: str,
    strict: bool,
    changed_since: str | None,
    fmt: str,
    lang: str,
    output: Path | None,
) -> None:
    """Validate the data against the SHACL shapes in shapes/.

    PATHS are the files or folders to check (default: everything outside ontology/ and
    shapes/); the ontology is always mixed in, so subclass instances are checked too. Only
    results on nodes defined in PATHS are reported. When PATHS lie inside the project, the
    whole project (ontology/, shapes/, data/) is loaded as context, so references to other
    files resolve; PATHS outside the project are checked against its ontology and shapes
    only. Exit code 0 when there are no violations (warnings allowed unless --strict),
    1 otherwise, 2 on errors.

    Example: kgtool validate data/agreements.ttl --format github --lang ru
    """
    from kgtool.fsutil import atomic_write_text
    from kgtool.validate import render, validate

    report = validate(
        list(paths) or None,
        inference=inference,
        strict=strict,
        lang=lang,
        engine=engine,
        changed_since=changed_since,
    )
    if changed_since is not None:
        checked = ", ".join(report.files) or "no RDF file"
        click.echo(f"changed since {changed_since}: {checked}", err=True)
    text = render(report, fmt, lang=lang, strict=strict)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"Wrote {output}", err=True)
    click.get_current_context().exit(report.exit_code(strict))


# [anchor: core commands]


_PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """Return the date ``option`` gave (YYYY-MM-DD), None when it was not given."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        message = f"{value!r} is not a date (YYYY-MM-DD)"
        raise click.BadParameter(message, param_hint=f"'{option}'") from exc


@cli.command("reason")
@_PATHS
@_output_file("Write the inferred graph (Turtle) to this file.")
@click.option("--java-memory", default=1024, show_default=True, help="Java heap for HermiT, in MB.")
@reports_errors
def reason_command(paths: tuple[Path, ...], output: Path | None, java_memory: int) -> None:
    """Check OWL consistency with HermiT and compute the inferred graph.

    Reads ontology/ and data/ (shapes are left out). Inferred: coop:partnerOf between the
    parties of an agreement, transitive coop:withinOrganisation, and what HermiT adds.
    Exit code 1 if inconsistent, with a paragraph naming the individuals and axioms at fault.

    Example: kgtool reason -o out/inferred.ttl
    """
    from kgtool.fsutil import atomic_write_bytes
    from kgtool.reason import reason

    result = reason(list(paths) or None, java_memory_mb=java_memory)
    if not result.consistent:
        click.echo(f"Inconsistent. {result.explanation}")
        click.get_current_context().exit(EXIT_NONCONFORMANT)
    counts = ", ".join(f"{n} {what}" for what, n in result.counts.items() if n) or "none"
    click.echo(
        f"Consistent ({result.triples_reasoned} triples, {result.literals_left_out} literals "
        f"HermiT cannot type left out, {result.seconds:.1f} s). Inferred {len(result.inferred)} "
        f"facts: {counts}."
    )
    if output is not None:
        atomic_write_bytes(output, result.inferred.serialize(format="turtle", encoding="utf-8"))
        click.echo(f"Wrote {output}")


@cli.command("export")
@_PATHS
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "jsonld", "xml", "trig", "nquads"]),
    default="turtle",
    show_default=True,
    help="Serialisation; trig and nquads keep a named graph per source file.",
)
@_output_file("Write here (atomically) instead of to standard output.")
@reports_errors
def export_command(paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write the graph in one RDF format, deterministically (same input, same bytes).

    JSON-LD carries kgtool's context inline (never a remote URL).

    Example: kgtool export --format trig -o out/graph.trig
    """
    from kgtool.export import export
    from kgtool.graph import load

    data = export(load(list(paths) or None), fmt, output)
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
    else:
        click.echo(f"Wrote {output} ({len(data)} bytes)", err=True)


@cli.command("stats")
@_PATHS
@click.option("--as-of", metavar="DATE", help="Date the agreement status is computed for.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@reports_errors
def stats_command(paths: tuple[Path, ...], as_of: str | None, fmt: str) -> None:
    """Count triples per graph, instances per class, names per language, agreement statuses.

    An agreement is expiring soon when it expires within 6 months of --as-of (default today).

    Example: kgtool stats --as-of 2026-01-01 --format json
    """
    from kgtool.graph import load
    from kgtool.stats import stats

    day = _parse_date(as_of, "--as-of")  # before loading: a bad date fails at once
    counted = stats(load(list(paths) or None), day)
    click.echo(counted.to_json() if fmt == "json" else counted.to_text(), nl=False)


@cli.command("build")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: out/ in the project).",
)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Persistent Oxigraph store folder (same as the global --store).",
)
@click.option("--as-of", metavar="DATE", help="Date agreement statuses are computed for.")
@click.option("--no-reason", is_flag=True, help="Skip HermiT (no Java needed).")
@click.option("--site", is_flag=True, help="Also write the linked-data site (as kgtool publish).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for the steps (default: one per CPU, at most 2; 1: none).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines, only the summary.")
@reports_errors
def build_command(
    out_dir: Path | None,
    store_dir: Path | None,
    as_of: str | None,
    no_reason: bool,
    site: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Validate, reason, run every query, export all formats and count: the main job.

    Writes validation.*, reasoning.txt, inferred.ttl, queries/*.csv, graph.* (six formats),
    context.jsonld, stats.*, network/, network.html and report/; with --site also site/ (the
    linked-data site kgtool publish writes). Exit code 1 if the data do not conform (outputs are
    still written), 2 on errors.

    Example: kgtool build -o out --store .kgtool-store
    """
    from kgtool.build import build

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"kgtool build: {message}", err=True)

    summary = build(
        out_dir=out_dir,
        store_dir=store_dir,
        as_of=_parse_date(as_of, "--as-of"),
        reasoning=not no_reason,
        site=site,
        jobs=jobs,
        progress=progress,
    )
    click.echo(summary.to_text(), nl=False)
    click.get_current_context().exit(summary.exit_code)


# [anchor: query commands]

_DATA_OPTION = click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Use these RDF files or folders instead of ontology/, shapes/ and data/ (repeat).",
)


@cli.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the query library and exit.")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind a parameter."
)
@click.option("--endpoint", metavar="URL", help="Ask this SPARQL endpoint, not the local graph.")
@click.option("--timeout", default=60.0, show_default=True, help="Endpoint timeout (seconds).")
@click.option(
    "-f", "--format", "fmt", default="table", show_default=True, help="table, csv, tsv, json or md."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@_DATA_OPTION
@reports_errors
def query_command(
    name: str | None,
    list_only: bool,
    params: tuple[str, ...],
    endpoint: str | None,
    timeout: float,
    fmt: str,
    output: Path | None,
    data_paths: tuple[Path, ...],
) -> None:
    """Run a library query (queries/NAME.rq) or a .rq file, with typed parameters.

    Parameters are declared in the query's '#+ param:' headers and bound as RDF terms.
    Credentials for --endpoint come from KGTOOL_ENDPOINT_USER / KGTOOL_ENDPOINT_PASSWORD.

    Example: kgtool query partners --param institution=inst:uzas --format csv -o partners.csv
    """
    from kgtool.fsutil import atomic_write_text
    from kgtool.project import find_project
    from kgtool.queries import FORMATS, list_queries, load_query, run_query

    project = find_project()
    if list_only:
        for item in list_queries(project):
            click.echo(f"{item.name}\n    {item.summary}")
            for param in item.params:
                required = " (required)" if param.required else ""
                click.echo(f"    --param {param.signature()}{required} -- {param.description}")
        return
    if not name:
        raise KgtoolError("name a query (see `kgtool query --list`) or a .rq file")
    if fmt not in FORMATS:
        raise KgtoolError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if endpoint and data_paths:
        raise KgtoolError("--data queries local files, --endpoint a server: choose one")
    values: dict[str, str] = {}
    for pair in params:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KgtoolError(f"--param expects NAME=VALUE, got {pair!r}")
        values[key.strip()] = value
    library_query = load_query(name, project)
    target: Any
    if endpoint:
        from kgtool.endpoint import Endpoint

        target = Endpoint(endpoint, timeout=timeout)
    else:
        from kgtool.graph import load

        target = load(list(data_paths) or None, project=project)
    text = run_query(library_query, target, values).render(fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.option(
    "--store",
    "--to",
    "store_url",
    required=True,
    metavar="URL",
    help="Graph Store Protocol URL (Oxigraph: BASE/store; Virtuoso: BASE/sparql-graph-crud-auth).",
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Put every triple into this one graph.")
@click.option("--default-graph", is_flag=True, help="Put every triple into the default graph.")
@click.option("--timeout", default=300.0, show_default=True, help="HTTP timeout (seconds).")
@_DATA_OPTION
@reports_errors
def push(
    store_url: str,
    graph_iri: str | None,
    default_graph: bool,
    timeout: float,
    data_paths: tuple[Path, ...],
) -> None:
    """Upload the graph to a SPARQL server through the Graph Store Protocol (HTTP PUT).

    Each file's named graph replaces the graph of the same name on the server, so pushing twice
    never duplicates triples. Credentials come from the environment only:
    KGTOOL_ENDPOINT_USER, KGTOOL_ENDPOINT_PASSWORD, KGTOOL_ENDPOINT_AUTH=basic|digest.

    Example: kgtool push --store http://127.0.0.1:7878/store
    """
    from kgtool.endpoint import push as push_graph
    from kgtool.graph import load
    from kgtool.project import find_project

    if graph_iri and default_graph:
        raise KgtoolError("choose either --graph IRI or --default-graph")
    loaded = load(list(data_paths) or None, project=find_project())
    summary = push_graph(loaded, store_url, graph_iri, default_graph=default_graph, timeout=timeout)
    for graph, count in summary.graphs:
        click.echo(f"{count:>8} triples -> {graph}")
    click.echo(f"pushed {summary.triples} triples in {len(summary.graphs)} graph(s) to {store_url}")


# [anchor: names commands]


@cli.group()
def names() -> None:
    """Match institution names across languages, scripts, inflections and acronyms.

    resolve finds the institutions a name may mean; normalise and translit show how names
    are compared.

    Example: kgtool names resolve "Ўзбекистон Республикаси Фанлар академияси"
    """


@names.command("resolve")
@click.argument("text")
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most candidates to show.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--data",
    "paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="RDF file or folder to take institutions from (repeat; default: the project).",
)
@reports_errors
def names_resolve(text: str, limit: int, fmt: str, paths: tuple[Path, ...]) -> None:
    """Show the institutions TEXT may name, with scores and the rule that matched.

    Exits 1 when nothing matches.

    Example: kgtool names resolve "«Академии наук РУз»" --format json
    """
    import json

    from kgtool.graph import load
    from kgtool.names import NameIndex

    if not text.strip():  # "nothing matches" (exit 1) would blame the graph
        raise click.BadParameter("give a name to resolve", param_hint="TEXT")
    matches = NameIndex.from_graph(load(list(paths) or None)).resolve(text, limit=limit)
    if fmt == "json":
        rows = [
            {"iri": m.iri, "score": m.score, "rule": m.rule, "label": m.label, "lang": m.lang}
            for m in matches
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo("score\tiri\trule\tlabel")
        for m in matches:
            tag = f"@{m.lang}" if m.lang else ""
            click.echo(f"{m.score:.3f}\t{m.iri}\t{m.rule}\t{m.label}{tag}")
    if not matches:
        click.get_current_context().exit(EXIT_NONCONFORMANT)


@names.command("normalise")
@click.argument("text")
def names_normalise(text: str) -> None:
    """Print the matching form of TEXT (case, apostrophes, quotes, legal forms folded).

    Example: kgtool names normalise "«Oʼzbekiston texnologik metallar kombinati» AJ"
    """
    from kgtool.names import normalise

    click.echo(normalise(text))


@names.command("translit")
@click.argument("text")
@click.option(
    "--to",
    "target",
    type=click.Choice(["auto", "cyrl", "latn"]),
    default="auto",
    show_default=True,
    help="Target script; auto converts to the other one.",
)
def names_translit(text: str, target: str) -> None:
    """Transliterate Uzbek TEXT between Latin and Cyrillic (official rules).

    Example: kgtool names translit "Oʻzbekiston Respublikasi Fanlar akademiyasi"
    """
    from kgtool.names import cyrillic_to_latin, latin_to_cyrillic, script_of

    if target == "auto":
        target = "latn" if script_of(text) == "Cyrl" else "cyrl"
    click.echo(cyrillic_to_latin(text) if target == "latn" else latin_to_cyrillic(text))


@cli.group()
def link() -> None:
    """Link the graph's institutions to external registries.

    Proposals go to a Turtle file for review; nothing is written into data/.

    Example: kgtool link ror ror-uz.json ror-partners.json -o review.ttl
    """


@link.command("ror")
@click.argument("dumps", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--country", help="Only this ISO 3166-1 code, on both sides.")
@_output_file("Write the proposed links as Turtle for review.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.85,
    show_default=True,
    help="Score a link needs to be proposed.",
)
@click.option(
    "--data",
    "paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="RDF file or folder to take institutions from (repeat; default: the project).",
)
@reports_errors
def link_ror_command(
    dumps: tuple[Path, ...],
    country: str | None,
    output: Path | None,
    threshold: float,
    paths: tuple[Path, ...],
) -> None:
    """Propose coop:ror links from institutions to ROR records (DUMPS: ROR JSON or zip).

    Never across countries, never a unit to its parent's record (or the reverse), never a
    withdrawn record. Links at or above the threshold go to -o FILE; the rest are listed.

    Example: kgtool link ror ror-uz.json ror-partners.json -o review.ttl
    """
    from kgtool.fsutil import atomic_write_text
    from kgtool.graph import load
    from kgtool.ror import link_ror, review_turtle

    result = link_ror(load(list(paths) or None), list(dumps), country=country, threshold=threshold)
    click.echo(f"{result.records} records ({result.skipped_withdrawn} withdrawn skipped)")
    for item in result.links:
        click.echo(
            f"{item.status:9} {item.score:.3f} {item.institution} -> {item.ror} {item.ror_name}"
        )
    for item in result.candidates:
        click.echo(
            f"{item.status:9} {item.score:.3f} {item.institution} ?  {item.ror} "
            f"{item.ror_name}: {item.evidence[-1]}"
        )
    for iri in result.unmatched:
        click.echo(f"{'unmatched':9}       {iri}")
    if output is not None:
        atomic_write_text(output, review_turtle(result))
        click.echo(f"wrote {output}")


@cli.group("import")
def import_group() -> None:
    """Bring records from outside into Turtle for review.

    ror: a country's institutions from a ROR dump; table: draft agreements from a register
    kept as a spreadsheet (CSV or XLSX).

    Example: kgtool import table register.xlsx --mapping columns.toml -o drafts.ttl
    """


@import_group.command("ror")
@click.argument("dumps", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--country", required=True, help="ISO 3166-1 code of the records to import.")
@click.option("--include-inactive", is_flag=True, help="Import inactive records too.")
@_output_file("Turtle file to write (default: standard output).")
@click.option(
    "--data",
    "paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="RDF file or folder whose institutions are already known (repeat; default: the "
    "project, without the -o file).",
)
@reports_errors
def import_ror_command(
    dumps: tuple[Path, ...],
    country: str,
    include_inactive: bool,
    output: Path | None,
    paths: tuple[Path, ...],
) -> None:
    """Import a country's ROR records as institutions (DUMPS: ROR JSON or zip).

    Records that an institution of the graph already links through coop:ror are left out, so
    the import can go beside data/ (and be refreshed in place).

    Example: kgtool import ror ror-uz.json --country UZ -o data/ror-uz.ttl
    """
    from kgtool.fsutil import atomic_write_text
    from kgtool.graph import load, rdf_files
    from kgtool.project import find_project
    from kgtool.ror import import_ror

    sources = list(paths) or [d for d in find_project().source_dirs() if d.is_dir()]
    skip = output.resolve() if output is not None else None
    known = [f for f in rdf_files(sources) if f.resolve() != skip]
    graph = import_ror(
        list(dumps),
        country=country,
        include_inactive=include_inactive,
        existing=load(known) if known else None,
    )
    text = graph.serialize(format="turtle")
    if output is None:
        click.echo(text)
    else:
        atomic_write_text(output, text)
        count = len(set(graph.subjects(predicate=None, object=None)))
        click.echo(f"wrote {output} ({len(graph)} triples, {count} subjects)")


# [anchor: network commands]


def _network_filters(func: F) -> F:
    """Add the partner-network filter options shared by ``network`` and ``viz``."""
    options = [
        click.option("--rollup", is_flag=True, help="Merge units into their top-most parent."),
        click.option("--country", "countries", multiple=True, help="Keep this ISO code (repeat)."),
        click.option(
            "--direction", "directions", multiple=True, help="Keep this direction IRI (repeat)."
        ),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            help="Keep this status: active, expiring-soon, expired, unknown (repeat).",
        ),
        click.option("--years", help="Keep agreements signed in this range, e.g. 2020-2025."),
        click.option("--around", help="Ego view: keep institutions near this IRI."),
        click.option("--depth", default=1, show_default=True, help="Steps from --around."),
        click.option(
            "--as-of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            help="Date the statuses are computed for (default today).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_filtered_network(params: dict[str, Any]) -> Any:
    from kgtool.graph import load
    from kgtool.network import build_network, parse_years

    as_of = params["as_of"].date() if params["as_of"] else None
    return build_network(
        load(),
        rollup=params["rollup"],
        countries=params["countries"] or None,
        directions=params["directions"] or None,
        statuses=params["statuses"] or None,
        years=parse_years(params["years"]) if params["years"] else None,
        around=params["around"],
        depth=params["depth"],
        as_of=as_of,
    )


@cli.command()
@_network_filters
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder.",
)
@reports_errors
def network(out_dir: Path | None, **params: Any) -> None:
    """Compute the partner network's metrics; write CSV, JSON and the metrics graph.

    Example: kgtool network --rollup --years 2020-2025 -o out/network
    """
    from kgtool.network import compute_metrics, write_metrics
    from kgtool.project import find_project

    net = _build_filtered_network(params)
    metrics = compute_metrics(net)
    target = out_dir or find_project().out_dir / "network"
    for path in write_metrics(net, target, metrics):
        click.echo(f"wrote {path}")
    click.echo(
        f"{net.graph.number_of_nodes()} institutions, {net.graph.number_of_edges()} links, "
        f"{len(net.agreements)} agreements, {metrics.communities} communities"
    )
    if metrics.betweenness_sampled:
        click.echo(
            f"betweenness estimated from {metrics.betweenness_sources} sampled institutions "
            f"(seed {metrics.seed})"
        )


@cli.command()
@_network_filters
@click.option(
    "-o",
    "--output",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ru", "uz-Latn", "uz-Cyrl"]),
    default="en",
    show_default=True,
    help="Language of the labels.",
)
@reports_errors
def viz(out_file: Path, lang: str, **params: Any) -> None:
    """Write the interactive partner-network page: one HTML file that works offline.

    Example: kgtool viz -o out/network.html --lang uz-Cyrl --country UZ --country DE
    """
    from kgtool.viz import render_page_file

    net = _build_filtered_network(params)
    path = render_page_file(net, out_file, lang=lang)
    click.echo(f"wrote {path} ({net.graph.number_of_nodes()} institutions)")


# [anchor: publish commands]


@cli.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Site folder (default out/site); a published site is updated: changed files only.",
)
@click.option(
    "--base", default=None, help="URL the site is served from (default https://w3id.org/kgtool/)."
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@reports_errors
def publish(out_dir: Path | None, base: str | None, paths: tuple[Path, ...]) -> None:
    """Write the static linked-data site: a page per thing (HTML, Turtle, JSON-LD), dumps
    with SHA-256 sums, a VoID/DCAT description, ontology docs and a multilingual search.

    Example: kgtool publish -o out/site
    """
    from kgtool.graph import load
    from kgtool.project import BASE, find_project
    from kgtool.publish import publish as publish_site

    loaded = load(list(paths) or None)
    target = out_dir or find_project().out_dir / "site"
    summary = publish_site(
        loaded, target, base=base or BASE, progress=lambda m: click.echo(f"  {m}", err=True)
    )
    click.echo(
        f"wrote {summary.out_dir}: {summary.page_count} pages, {summary.triples} triples, "
        f"{len(summary.checksums)} dumps ({summary.written} files written, "
        f"{summary.unchanged} unchanged, {summary.removed} removed)"
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default="8000", show_default=True, metavar="PORT", help="TCP port.")
@click.option(
    "--timeout", default=10.0, show_default=True, help="Seconds a query may run before it stops."
)
@click.option("--max-rows", default=10000, show_default=True, help="Rows (or triples) returned.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@reports_errors
def serve(host: str, port: str, timeout: float, max_rows: int, paths: tuple[Path, ...]) -> None:
    """Serve the site and a read-only SPARQL 1.1 endpoint at /sparql (updates refused).

    /id/... answers 303 See Other to /doc/... by content negotiation; /query is a query page.

    Example: kgtool serve --port 8000 --timeout 5
    """
    from kgtool.graph import load
    from kgtool.serve import serve as serve_site

    def announce(url: str) -> None:
        click.echo(f"serving on {url} (SPARQL at /sparql); Ctrl-C stops", err=True)

    # Given the loading rather than the graph, serve checks the options before the slow load.
    serve_site(
        lambda: load(list(paths) or None),
        host,
        port,
        timeout=timeout,
        max_rows=max_rows,
        on_ready=announce,
    )


# [anchor: extract commands]


@cli.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "turtle"]),
    default="json",
    show_default=True,
    help="JSON for review, Turtle to move into data/.",
)
@click.option("--published", help="Publication date (YYYY-MM-DD) for 'today', 'yesterday'...")
@_output_file("File to write (default: standard output).")
@reports_errors
def extract_command(
    files: tuple[Path, ...], fmt: str, published: str | None, output: Path | None
) -> None:
    """Propose draft agreements from press releases (plain UTF-8 text files).

    Never writes into data/: review the drafts, then move them there yourself.

    Example: kgtool extract release.txt --published 2025-05-30 --format turtle -o draft.ttl
    """
    import json

    from kgtool.extract import extract_documents
    from kgtool.extract.turtle import to_turtle
    from kgtool.fsutil import atomic_write_text

    result = extract_documents(list(files), published=_parse_date(published, "--published"))
    if fmt == "json":
        text = json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = to_turtle(result.documents, result.agreements, result.taken)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    if not result.agreements:
        click.echo("kgtool: no signed agreement announced in " + ", ".join(
            d.document for d in result.documents), err=True)  # fmt: skip


@import_group.command("table")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON or TOML file naming the columns and the register's own party.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "turtle"]),
    default="turtle",
    show_default=True,
    help="Turtle to move into data/, JSON (with warnings) to review.",
)
@_output_file("File to write (default: standard output).")
@reports_errors
def import_table_command(file: Path, mapping: Path | None, fmt: str, output: Path | None) -> None:
    """Draft one agreement per row of a register (CSV or XLSX) as Turtle for review.

    Example: kgtool import table register.xlsx --mapping columns.toml -o draft.ttl
    """
    import json

    from kgtool.extract import knowledge
    from kgtool.extract.table import import_table, read_mapping
    from kgtool.extract.turtle import to_turtle
    from kgtool.fsutil import atomic_write_text

    catalogue, lexicon = knowledge()
    result = import_table(
        file, catalogue, lexicon, mapping=read_mapping(mapping) if mapping else None
    )
    if fmt == "json":
        payload = {**result.source.as_json(), "warnings": result.warnings}
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        text = to_turtle([result.source], result.agreements, catalogue.taken)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"wrote {output} ({len(result.agreements)} agreements)", err=True)
    for warning in result.warnings:
        click.echo(f"kgtool: warning: {warning}", err=True)


# [anchor: benchmark commands]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    try:
        # In non-standalone mode click returns ctx.exit()'s code instead of raising.
        result = cli.main(args=argv, prog_name="kgtool", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except KgtoolError as exc:
        if _debug_requested(argv):
            raise
        click.echo(f"kgtool: error: {exc}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("kgtool: interrupted", err=True)
        return EXIT_ERROR
    except Exception as exc:  # a bug or an unexpected failure: one line unless --debug
        if _debug_requested(argv):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(
            f"kgtool: error: unexpected {type(exc).__name__}: {message} (rerun with --debug)",
            err=True,
        )
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK


def _debug_requested(argv: list[str] | None) -> bool:
    """Return whether --debug was given before the subcommand."""
    args = sys.argv[1:] if argv is None else argv
    return "--debug" in args


if __name__ == "__main__":
    sys.exit(main())
