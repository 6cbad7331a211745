"""OWL consistency with HermiT (through owlready2) and the inferred-facts graph.

HermiT sees the ontology and the data, never the shapes. owlready2 cannot read Turtle, so the
asserted triples go to it as N-Triples, without ``owl:imports`` (no remote fetches) and without
literals whose datatype is outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear``,
``xsd:duration`` ...): HermiT refuses those, and SHACL checks them instead.

The inferred graph (``kgtool.project.INFERRED_GRAPH``) holds what HermiT adds for individuals,
plus two rules computed with SPARQL so that they hold even where the ontology does not spell
them out: ``coop:partnerOf`` between the parties of one agreement, and the transitive
``coop:withinOrganisation`` closure of ``coop:partOf``.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS, XSD
from rdflib.query import ResultRow
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, bind_prefixes, load, union_graph
from kgtool.project import COOP, INFERRED_GRAPH, PREFIXES, Project

_OWL2_XSD_NAMES = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float "
    "string normalizedString token language Name NCName NMTOKEN boolean hexBinary "
    "base64Binary anyURI dateTime dateTimeStamp"
)

#: Datatypes of the OWL 2 datatype map (OWL 2 Structural Specification §4); HermiT accepts
#: only these. Language-tagged strings have no datatype in rdflib and are kept.
OWL2_DATATYPES: frozenset[URIRef] = frozenset(
    {RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational}
    | {XSD[name] for name in _OWL2_XSD_NAMES.split(" ")}
)

PARTNER_OF = COOP.partnerOf
WITHIN_ORGANISATION = COOP.withinOrganisation
_INPUT_ONTOLOGY = "https://w3id.org/kgtool/reasoning/input"
_OUTPUT_ONTOLOGY = "https://w3id.org/kgtool/reasoning/output/"
# What the reasoner's output may contain that says nothing about the individuals.
_TRIVIAL_TYPES = {OWL.Thing, OWL.NamedIndividual, OWL.Ontology}


@dataclass(frozen=True)
class ReasoningResult:
    """What reasoning found: consistency, an explanation if not, and the inferred facts."""

    consistent: bool
    #: one paragraph naming the individuals and axioms at fault (None when consistent)
    explanation: str | None
    #: the inferred facts; its identifier is ``INFERRED_GRAPH``
    inferred: Graph
    #: IRIs of the individuals found at fault
    culprits: tuple[str, ...] = ()
    #: how many literals were left out because HermiT cannot handle their datatype
    literals_left_out: int = 0
    #: how many triples HermiT saw
    triples_reasoned: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def reason(
    source: LoadedGraph | Sequence[Path] | None = None,
    *,
    project: Project | None = None,
    java_memory_mb: int = 1024,
    use_hermit: bool = True,
    store_inferred: bool = True,
) -> ReasoningResult:
    """Check OWL consistency with HermiT and compute the inferred graph.

    ``source`` is a loaded dataset or paths to load (default: the project). With
    ``store_inferred`` the inferred graph replaces ``INFERRED_GRAPH`` in the dataset.
    ``use_hermit=False`` skips Java and computes only the SPARQL rules.
    """
    started = time.monotonic()
    loaded = (
        source
        if isinstance(source, LoadedGraph)
        else load(list(source) if source else None, project=project)
    )
    asserted = union_graph(loaded, exclude_folders=["shapes"])
    inferred = Graph(identifier=URIRef(INFERRED_GRAPH))
    bind_prefixes(inferred)

    consistent, left_out, seen = True, 0, 0
    if use_hermit:
        hermit_input, left_out = hermit_view(asserted)
        seen = len(hermit_input)
        consistent, hermit_facts = _run_hermit(hermit_input, java_memory_mb)
        for triple in hermit_facts:
            if triple not in asserted:
                inferred.add(triple)

    explanation: str | None = None
    culprits: tuple[str, ...] = ()
    if consistent:
        for a, b in _partners(asserted):
            inferred.add((a, PARTNER_OF, b))
        for a, b in _within(asserted):
            if (a, WITHIN_ORGANISATION, b) not in asserted:
                inferred.add((a, WITHIN_ORGANISATION, b))
        if store_inferred:
            _store(loaded, inferred)
    else:
        explanation, culprits = explain_inconsistency(asserted)
        inferred = Graph(identifier=URIRef(INFERRED_GRAPH))

    counts = {
        "partnerOf": len(set(inferred.subject_objects(PARTNER_OF))),
        "withinOrganisation": len(set(inferred.subject_objects(WITHIN_ORGANISATION))),
        "types": len(set(inferred.subject_objects(RDF.type))),
    }
    counts["other"] = len(inferred) - sum(counts.values())
    return ReasoningResult(
        consistent=consistent,
        explanation=explanation,
        inferred=inferred,
        culprits=culprits,
        literals_left_out=left_out,
        triples_reasoned=seen,
        seconds=time.monotonic() - started,
        counts=counts,
    )


def _store(loaded: LoadedGraph, inferred: Graph) -> None:
    """Replace the dataset's inferred graph with ``inferred``."""
    target = loaded.dataset.graph(URIRef(INFERRED_GRAPH))
    target.remove((None, None, None))
    target.addN((s, p, o, target) for s, p, o in inferred)


# --- what HermiT sees ------------------------------------------------------------------------


def _unsupported_datatype(node: Node, graph: Graph) -> bool:
    """Return whether ``node`` is, or is a union/restriction of, a non-OWL 2 datatype."""
    if isinstance(node, URIRef):
        return str(node).startswith(str(XSD)) and node not in OWL2_DATATYPES
    if isinstance(node, BNode):
        for list_head in graph.objects(node, OWL.unionOf):
            if any(_unsupported_datatype(m, graph) for m in Collection(graph, list_head)):
                return True
        for base in graph.objects(node, OWL.onDatatype):
            if _unsupported_datatype(base, graph):
                return True
    return False


def hermit_view(asserted: Graph) -> tuple[Graph, int]:
    """Return the triples HermiT can take, and how many literals were left out.

    Leaves out ``owl:imports``, literals outside the OWL 2 datatype map or not valid for their
    datatype, and axioms that name an unsupported datatype (e.g. ``rdfs:range xsd:date``).
    """
    out = Graph()
    left_out = 0
    for s, p, o in asserted:
        if p == OWL.imports:
            continue
        if isinstance(o, Literal):
            if o.datatype is not None and (o.datatype not in OWL2_DATATYPES or o.ill_typed):
                left_out += 1
                continue
        elif p in (RDFS.range, OWL.someValuesFrom, OWL.allValuesFrom, OWL.onDataRange) and (
            _unsupported_datatype(o, asserted)
        ):
            continue
        out.add((s, p, o))
    return out, left_out


def _run_hermit(graph: Graph, java_memory_mb: int) -> tuple[bool, list[tuple[Node, Node, Node]]]:
    """Run HermiT on ``graph``; return (consistent, facts about individuals it inferred)."""
    import owlready2  # imported here only: it starts a quadstore and checks for Java

    if shutil.which(str(owlready2.JAVA_EXE)) is None:
        raise KgtoolError("HermiT needs Java (java not found on PATH); install a JRE 11+")
    owlready2.reasoning.JAVA_MEMORY = java_memory_mb
    world = owlready2.World()
    data = graph.serialize(format="nt", encoding="utf-8")
    try:
        world.get_ontology(_INPUT_ONTOLOGY).load(fileobj=io.BytesIO(data), format="ntriples")
    except Exception as exc:  # owlready2's parser raises several kinds
        raise KgtoolError(f"owlready2 could not read the graph: {_first_line(exc)}") from exc
    output = world.get_ontology(_OUTPUT_ONTOLOGY)
    try:
        with output:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        world.close()
        return False, []
    except owlready2.OwlReadyJavaError as exc:
        raise KgtoolError(f"HermiT failed: {_java_message(exc)}") from exc
    facts: list[tuple[Node, Node, Node]] = []
    schema_terms = {
        s
        for s, o in graph.subject_objects(RDF.type)
        if o
        in (
            OWL.Class,
            RDFS.Class,
            OWL.ObjectProperty,
            OWL.DatatypeProperty,
            OWL.AnnotationProperty,
            RDF.Property,
            OWL.Ontology,
        )
    }
    for s, p, o in world.as_rdflib_graph().get_context(output):
        if (
            not isinstance(s, URIRef)
            or s in schema_terms
            or str(s).startswith(_OUTPUT_ONTOLOGY[:-1])
        ):
            continue
        if p == RDF.type and (o in _TRIVIAL_TYPES or not isinstance(o, URIRef)):
            continue
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass):
            continue
        facts.append((s, p, o))
    world.close()
    return True, facts


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _java_message(exc: BaseException) -> str:
    """Return the informative line of a Java stack trace (the exception, not the frames)."""
    lines = [line.strip() for line in str(exc).splitlines()]
    for line in lines:
        if "Exception" in line and not line.startswith("at "):
            return line[:300]
    # owlready2's own header says nothing: the JVM's first line does ("Invalid maximum heap")
    told = [line for line in lines if line and not line.startswith("Java error message is")]
    return (told[0] if told else _first_line(exc))[:300]


# --- SPARQL rules ----------------------------------------------------------------------------

_PARTNERS = """
SELECT DISTINCT ?a ?b WHERE {
  ?agreement (coop:party|coop:qualifiedParty/coop:agent) ?a , ?b .
  FILTER (isIRI(?a) && isIRI(?b) && ?a != ?b)
}"""

_WITHIN = """
SELECT DISTINCT ?a ?b WHERE {
  ?a coop:partOf+ ?b .
  FILTER (isIRI(?a) && isIRI(?b) && ?a != ?b)
}"""


def _pairs(graph: Graph, query: str) -> list[tuple[URIRef, URIRef]]:
    pairs: list[tuple[URIRef, URIRef]] = []
    for row in graph.query(query, initNs={"coop": COOP}):
        if not isinstance(row, ResultRow):
            continue
        a, b = row
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.append((a, b))
    return sorted(pairs)


def _partners(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    """Return (a, b) for every two different parties of one agreement, both ways."""
    return _pairs(graph, _PARTNERS)


def _within(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    """Return (a, b) where a is part of b through one or more ``coop:partOf`` steps."""
    return _pairs(graph, _WITHIN)


# --- explaining an inconsistency -------------------------------------------------------------


def _curie(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(node).startswith(namespace) and len(str(node)) > len(namespace):
                return f"{prefix}:{str(node)[len(namespace) :]}"
        return f"<{node}>"
    return node.n3()


def _named(graph: Graph, node: Node) -> str:
    """Return a node's CURIE with its English label, e.g. ``inst:x ("X Ltd")``."""
    label = next(
        (
            str(lab)
            for prop in (SKOS.prefLabel, RDFS.label)
            for lab in graph.objects(node, prop)
            if isinstance(lab, Literal) and lab.language == "en"
        ),
        None,
    )
    curie = _curie(graph, node)
    return f'{curie} ("{label}")' if label else curie


def _disjoint_pairs(graph: Graph) -> set[tuple[Node, Node]]:
    pairs: set[tuple[Node, Node]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add((a, b))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in graph.objects(node, OWL.members):
            members = list(Collection(graph, head))
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    for _, head in graph.subject_objects(OWL.disjointUnionOf):
        members = list(Collection(graph, head))
        pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def _types_with_reasons(graph: Graph) -> dict[Node, dict[Node, str]]:
    """Return, per individual, each class it belongs to and why (asserted, domain, range)."""
    direct: dict[Node, dict[Node, str]] = {}

    def note(individual: Node | None, cls: Node, why: str) -> None:
        if individual is not None:
            direct.setdefault(individual, {}).setdefault(cls, why)

    for s, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and not str(cls).startswith((str(OWL), str(RDFS), str(RDF))):
            note(s, cls, "asserted")
    for prop, cls in graph.subject_objects(RDFS.domain):
        for s in graph.subjects(cast(URIRef, prop), None):
            note(s, cls, f"subject of {_curie(graph, prop)}, whose domain it is")
    for prop, cls in graph.subject_objects(RDFS.range):
        if (prop, RDF.type, OWL.DatatypeProperty) in graph:
            continue
        for o in graph.objects(None, cast(URIRef, prop)):
            if not isinstance(o, Literal):
                note(o, cls, f"value of {_curie(graph, prop)}, whose range it is")
    closed: dict[Node, dict[Node, str]] = {}
    for individual, classes in direct.items():
        all_classes: dict[Node, str] = {}
        for cls, why in classes.items():
            for sup in graph.transitive_objects(cls, RDFS.subClassOf):
                if sup is None:
                    continue
                reason = why if sup == cls else f"{why}, via {_curie(graph, cls)}"
                all_classes.setdefault(sup, reason)
        closed[individual] = all_classes
    return closed


def _list_members(graph: Graph, head: Node) -> list[Node]:
    try:
        return list(Collection(graph, head))
    except Exception:  # a malformed list: nothing to compare
        return []


def _known_different(graph: Graph) -> set[frozenset[Node]]:
    """Return the pairs of individuals declared different (owl:differentFrom, AllDifferent)."""
    pairs: set[frozenset[Node]] = set()
    for a, b in graph.subject_objects(OWL.differentFrom):
        pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDifferent):
        for prop in (OWL.distinctMembers, OWL.members):
            for head in graph.objects(node, prop):
                members = _list_members(graph, head)
                pairs.update(
                    frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :]
                )
    return pairs


def _are_different(
    a: Node,
    b: Node,
    different: set[frozenset[Node]],
    types: dict[Node, dict[Node, str]],
    disjoint: set[tuple[Node, Node]],
) -> bool:
    if frozenset((a, b)) in different:
        return True
    ta, tb = types.get(a, {}), types.get(b, {})
    return any((x in ta and y in tb) or (y in ta and x in tb) for x, y in disjoint)


_NUMERIC_NAMES = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
)
_NUMERIC_FAMILY = {XSD[name] for name in _NUMERIC_NAMES.split(" ")}
_STRING_FAMILY = {XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.Name}


def _fits(value: Literal, expected: URIRef) -> bool | None:
    """Return whether ``value`` lies in datatype ``expected``; None when this cannot tell."""
    if expected in (RDFS.Literal, RDF.PlainLiteral):
        return True
    if value.language:
        return expected == RDF.langString
    datatype = value.datatype or XSD.string
    if datatype == expected:
        return True
    if expected == RDF.langString:
        return False
    if expected in _NUMERIC_FAMILY and datatype in _NUMERIC_FAMILY:
        return None  # needs the value (e.g. -1 is no nonNegativeInteger); HermiT decides
    if expected in _STRING_FAMILY and datatype in _STRING_FAMILY:
        return None
    if expected in OWL2_DATATYPES and datatype in OWL2_DATATYPES:
        return False
    return None


def _range_clashes(graph: Graph) -> list[tuple[URIRef, Node, Literal, URIRef]]:
    """Return (property, subject, value, range) where a literal is outside a datatype range."""
    clashes = []
    for prop, expected in sorted(graph.subject_objects(RDFS.range), key=_by_str):
        if not isinstance(prop, URIRef) or not isinstance(expected, URIRef):
            continue
        for s, value in sorted(graph.subject_objects(prop), key=_by_str):
            if isinstance(value, Literal) and _fits(value, expected) is False:
                clashes.append((prop, s, value, expected))
    return clashes


def _by_str(item: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(x) for x in item)


def _sorted_iris(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted({n for n in nodes if isinstance(n, URIRef)}, key=str)


def explain_inconsistency(graph: Graph) -> tuple[str, tuple[str, ...]]:
    """Find asserted facts that make ``graph`` inconsistent; return a paragraph and culprits.

    owlready2 gives no explanation from HermiT, so this checks the usual causes directly:
    an individual in two disjoint classes (with types from ``rdf:type``, ``rdfs:domain`` and
    ``rdfs:range`` and the subclass hierarchy), a functional property with two literal values
    or with two values declared different (``owl:AllDifferent``, ``owl:differentFrom``, or
    disjoint types), a literal outside its property's datatype range, and irreflexive or
    asymmetric property violations.
    """
    findings: list[str] = []
    culprits: set[str] = set()
    disjoint = _disjoint_pairs(graph)
    types_of = _types_with_reasons(graph)
    for individual, classes in sorted(types_of.items(), key=_by_str):
        for a, b in sorted(disjoint, key=_by_str):
            if a in classes and b in classes:
                findings.append(
                    f"{_named(graph, individual)} is both a {_curie(graph, a)} ({classes[a]}) "
                    f"and a {_curie(graph, b)} ({classes[b]}), but "
                    f"{_curie(graph, a)} owl:disjointWith {_curie(graph, b)}"
                )
                culprits.add(str(individual))
    different = _known_different(graph)
    for prop in _sorted_iris(graph.subjects(RDF.type, OWL.FunctionalProperty)):
        for s in sorted(set(graph.subjects(prop, None)), key=str):
            values = sorted(set(graph.objects(s, prop)), key=str)
            literals = [v for v in values if isinstance(v, Literal)]
            iris = [v for v in values if isinstance(v, URIRef)]
            clash = len(literals) > 1 or any(
                _are_different(a, b, different, types_of, disjoint)
                for i, a in enumerate(iris)
                for b in iris[i + 1 :]
            )
            if clash:
                shown = ", ".join(_curie(graph, v) for v in values[:6])
                shown += ", ..." if len(values) > 6 else ""
                why = "" if len(literals) > 1 else ", which are declared different individuals"
                findings.append(
                    f"{_named(graph, s)} has {len(values)} values of the functional property "
                    f"{_curie(graph, prop)} ({shown}){why}"
                )
                culprits.add(str(s))
    for prop, s, value, expected in _range_clashes(graph):
        findings.append(
            f"{_named(graph, s)} has {_curie(graph, prop)} {value.n3()}, but the property's "
            f"rdfs:range is {_curie(graph, expected)}"
        )
        culprits.add(str(s))
    for prop in _sorted_iris(graph.subjects(RDF.type, OWL.IrreflexiveProperty)):
        for s, o in sorted(graph.subject_objects(prop), key=_by_str):
            if s == o:
                findings.append(
                    f"{_named(graph, s)} is {_curie(graph, prop)} itself, "
                    "but that property is irreflexive"
                )
                culprits.add(str(s))
    for prop in _sorted_iris(graph.subjects(RDF.type, OWL.AsymmetricProperty)):
        for s, o in sorted(graph.subject_objects(prop), key=_by_str):
            if s != o and str(s) < str(o) and (o, prop, s) in graph:
                findings.append(
                    f"{_named(graph, s)} and {_named(graph, o)} are {_curie(graph, prop)} "
                    "each other, but that property is asymmetric"
                )
                culprits.update((str(s), str(o)))
    if not findings:
        return (
            "HermiT found the ontology and data inconsistent, but no individual is in two "
            "disjoint classes and no functional, irreflexive or asymmetric property is "
            "violated among the asserted facts; look at complement classes, cardinality "
            "restrictions, owl:sameAs and owl:differentFrom.",
            (),
        )
    more = f"; and {len(findings) - 10} more" if len(findings) > 10 else ""
    return (
        "HermiT found the ontology and data inconsistent: " + "; ".join(findings[:10]) + more + ".",
        tuple(sorted(culprits)),
    )
