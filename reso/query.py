"""OData query options read into ORM terms, through the resource's DD field definitions.

``$filter`` is parsed by the ``odata-query`` library (a maintained OData v4
grammar that compiles to Django ``Q`` objects); this module only renames DD
fields to Hearth's, translates lookup values, and refuses what a resource
does not offer, with a message naming it.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Q, Value, When
from odata_query import ast
from odata_query import exceptions as odata_exceptions
from odata_query.django import AstToDjangoQVisitor
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.visitor import NodeTransformer

from reso.fields import (
    EDM_BOOLEAN,
    EDM_DATE,
    EDM_DECIMAL,
    EDM_DOUBLE,
    EDM_INT,
    EDM_STRING,
    EDM_TIMESTAMP,
    Field,
    lookup_to_hearth,
)
from reso.resources import RESOURCES, Resource

MAX_TOP = 1000
DEFAULT_TOP = 100


class QueryError(Exception):
    """A query option the service cannot answer; the message names the option and the problem."""


@dataclass
class Query:
    """The query options of one request, checked against the resource."""

    resource: Resource
    where: Q = field(default_factory=Q)
    annotations: dict = field(default_factory=dict)
    ordering: list[tuple[Field, bool]] = field(default_factory=list)  # (field, descending)
    select: list[Field] | None = None
    expand: list = field(default_factory=list)
    top: int = DEFAULT_TOP
    top_given: bool = False
    skip: int = 0
    count: bool = False


class _DDToHearth(NodeTransformer):
    """Rewrites DD field names to ORM paths; lookup literals to Hearth's stored values."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.annotations = {}

    def _field(self, name: str) -> Field:
        dd_field = self.resource.by_name.get(name)
        if dd_field is None:
            raise QueryError(f"$filter: {self.resource.name} has no field {name!r}.")
        if not dd_field.queryable:
            raise QueryError(f"$filter: {self.resource.name}.{name} cannot be filtered on.")
        return dd_field

    def visit_Identifier(self, node: ast.Identifier) -> ast.Identifier:
        dd_field = self._field(node.name)
        if dd_field.expression is not None:
            self.annotations[dd_field.query_path] = dd_field.expression
            return ast.Identifier(dd_field.query_path)
        if dd_field.lookup is not None:
            # Inside a function or against another field: compare the DD values themselves.
            name = f"dd_{dd_field.name}"
            self.annotations[name] = Case(
                *(When(**{dd_field.source: k}, then=Value(v)) for k, v in dd_field.lookup.items()),
                output_field=CharField(),
            )
            return ast.Identifier(name)
        return ast.Identifier(dd_field.source)

    def visit_Call(self, node: ast.Call) -> ast.Call:
        # The function's name is not a field; its arguments are.
        return ast.Call(node.func, [self.visit(arg) for arg in node.args])

    def visit_Attribute(self, node: ast.Attribute):
        raise QueryError("$filter: paths into related resources are not supported.")

    def visit_Compare(self, node: ast.Compare) -> ast.Compare:
        # field op 'literal' on a lookup: translate the literal, so the stored column
        # (and its index) answers instead of a computed expression.
        if isinstance(node.left, ast.Identifier):
            dd_field = self._field(node.left.name)
            _check_literal(dd_field, node.right)
            if dd_field.lookup is not None and dd_field.source is not None:
                right = node.right
                source = ast.Identifier(dd_field.source)
                if isinstance(right, ast.String) and isinstance(
                    node.comparator, (ast.Eq, ast.NotEq)
                ):
                    stored = [ast.String(v) for v in lookup_to_hearth(dd_field, right.val)]
                    match = ast.Compare(ast.In(), source, ast.List(stored))
                    if isinstance(node.comparator, ast.NotEq):
                        return ast.UnaryOp(ast.Not(), match)
                    return match
                if isinstance(node.comparator, ast.In) and isinstance(right, ast.List):
                    stored = [
                        ast.String(v)
                        for item in right.val
                        if isinstance(item, ast.String)
                        for v in lookup_to_hearth(dd_field, item.val)
                    ]
                    return ast.Compare(ast.In(), source, ast.List(stored))
        return self.generic_visit(node)


_LITERALS_FOR = {
    EDM_STRING: (ast.String,),
    EDM_INT: (ast.Integer,),
    EDM_DECIMAL: (ast.Integer, ast.Float),
    EDM_DOUBLE: (ast.Integer, ast.Float),
    EDM_DATE: (ast.Date,),
    EDM_TIMESTAMP: (ast.DateTime, ast.Date),
    EDM_BOOLEAN: (ast.Boolean,),
}
_KIND = {
    EDM_STRING: "text, in single quotes",
    EDM_INT: "a whole number",
    EDM_DECIMAL: "a number",
    EDM_DOUBLE: "a number",
    EDM_DATE: "a date (2026-01-31)",
    EDM_TIMESTAMP: "a timestamp (2026-01-31T09:00:00Z)",
    EDM_BOOLEAN: "true or false",
}


def _check_literal(dd_field: Field, node) -> None:
    """Refuse a literal of the wrong kind for its field, the same way on every database."""
    literals = node.val if isinstance(node, ast.List) else [node]
    allowed = _LITERALS_FOR.get(dd_field.edm)
    for literal in literals:
        if not isinstance(literal, ast._Literal) or isinstance(literal, ast.Null) or not allowed:
            continue
        if not isinstance(literal, allowed):
            raise QueryError(
                f"$filter: {dd_field.name} takes {_KIND[dd_field.edm]}, not {literal.val!r}."
            )


def parse_filter(resource: Resource, text: str) -> tuple[Q, dict]:
    """A ``$filter`` expression as a ``Q`` over the resource's model, and annotations it needs."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text.strip()))
    except odata_exceptions.TokenizingException as exc:
        raise QueryError(
            f"$filter: unexpected {exc.token.value!r} at position {exc.token.index}."
        ) from None
    except odata_exceptions.ParsingException as exc:
        if exc.token is None or exc.eof:
            raise QueryError("$filter: the expression ends too early.") from None
        raise QueryError(
            f"$filter: cannot parse {text.strip()!r} at position {exc.token.index}."
        ) from None
    except odata_exceptions.ODataException as exc:
        raise QueryError(f"$filter: {exc}") from None
    if tree is None:
        raise QueryError("$filter: the expression is empty.")
    rewriter = _DDToHearth(resource)
    tree = rewriter.visit(tree)
    model = resource.queryset(None).model
    try:
        where = AstToDjangoQVisitor(model).visit(tree)
    except odata_exceptions.ODataException as exc:
        raise QueryError(f"$filter: {exc}") from None
    if not isinstance(where, Q):
        raise QueryError("$filter: the expression is not a condition (true or false).")
    return where, rewriter.annotations


def _field_list(resource: Resource, option: str, text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise QueryError(f"{option}: expected a comma-separated list of fields, got {text!r}.")
    return names


def parse_orderby(resource: Resource, text: str) -> list[tuple[Field, bool]]:
    ordering = []
    for item in _field_list(resource, "$orderby", text):
        parts = item.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise QueryError(f"$orderby: {item!r} is not 'Field', 'Field asc' or 'Field desc'.")
        dd_field = resource.by_name.get(parts[0])
        if dd_field is None:
            raise QueryError(f"$orderby: {resource.name} has no field {parts[0]!r}.")
        if not dd_field.queryable or dd_field.lookup is not None:
            raise QueryError(f"$orderby: {resource.name}.{parts[0]} cannot be sorted on.")
        ordering.append((dd_field, len(parts) == 2 and parts[1].lower() == "desc"))
    return ordering


def parse_select(resource: Resource, text: str) -> list[Field]:
    selected = []
    for name in _field_list(resource, "$select", text):
        if name == "*":
            return list(resource.fields)
        dd_field = resource.by_name.get(name)
        if dd_field is None:
            raise QueryError(f"$select: {resource.name} has no field {name!r}.")
        selected.append(dd_field)
    return selected


def parse_expand(resource: Resource, text: str):
    expanded = []
    for name in _field_list(resource, "$expand", text):
        if "(" in name or "/" in name:
            raise QueryError(f"$expand: options inside $expand ({name!r}) are not supported.")
        navigation = resource.navigation_by_name.get(name)
        if navigation is None:
            known = ", ".join(resource.navigation_by_name) or "nothing"
            raise QueryError(f"$expand: {resource.name} expands to {known}, not {name!r}.")
        expanded.append(navigation)
    return expanded


def _non_negative_int(option: str, text: str) -> int:
    if not text.isdigit():
        raise QueryError(f"{option}: expected a whole number ≥ 0, got {text!r}.")
    return int(text)


SUPPORTED_OPTIONS = {
    "$filter",
    "$select",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$expand",
    "$skiptoken",
    "$format",
}


def parse(resource: Resource, params) -> Query:
    """Every query option of a collection request, checked; ``QueryError`` names a bad one."""
    for name in params:
        if name.startswith("$") and name not in SUPPORTED_OPTIONS:
            raise QueryError(f"{name}: this query option is not supported.")
        if name.startswith("$") and len(params.getlist(name)) > 1:
            raise QueryError(f"{name}: given more than once.")
    query = Query(resource=resource)
    if "$format" in params and params["$format"].lower() not in ("json", "application/json"):
        raise QueryError("$format: only json is served.")
    if "$filter" in params:
        query.where, query.annotations = parse_filter(resource, params["$filter"])
    if "$orderby" in params:
        query.ordering = parse_orderby(resource, params["$orderby"])
    if "$select" in params:
        query.select = parse_select(resource, params["$select"])
    if "$expand" in params:
        query.expand = parse_expand(resource, params["$expand"])
    if "$top" in params:
        query.top = _non_negative_int("$top", params["$top"])
        query.top_given = True  # more than MAX_TOP arrive in pages of MAX_TOP (paging.py)
    if "$skip" in params:
        query.skip = _non_negative_int("$skip", params["$skip"])
    if "$count" in params:
        value = params["$count"].lower()
        if value not in ("true", "false"):
            raise QueryError(f"$count: expected true or false, got {params['$count']!r}.")
        query.count = value == "true"
    return query


__all__ = ["RESOURCES", "Query", "QueryError", "parse", "parse_filter"]
