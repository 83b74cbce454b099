"""The OpenAPI document of the API, and the browsable docs that render it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pycountry
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
)
from marshmallow import fields, validate
from swagger_ui_bundle import swagger_ui_path

from matcher.api import audit, import_jobs, match, outcomes, prospect_schemas, schemas
from matcher.config import DEFAULTS
from matcher.edge import answers as match_schemas
from matcher.edge import outcome_schema, queries
from matcher.engine.factors import FACTORS
from matcher.matching import shipped_knowledge
from matcher.profiles import Places, RequirementSchema
from vendors.codes import country_code, country_spellings, currency_code, language_code
from vendors.schema import (
    BARE_HOST,
    CONTROL_CHARACTERS,
    DIRECTION_CONTROLS,
    INVISIBLE,
    MAX_BARE_HOST_LENGTH,
    MAX_COUNT,
    MAX_ITEM_LENGTH,
    MAX_LIST_ITEMS,
    RESERVED_IDS,
    SPACES,
    WEB_ADDRESS,
    Code,
    Tags,
    Text,
    TextList,
    VendorRecordSchema,
    Website,
    normalise_tag,
)

bp = Blueprint("docs", __name__, template_folder="templates", static_folder="static")

JSON = "application/json"
ERRORS = {
    400: "Malformed JSON or bad header",
    401: "No API key, or not a valid one",
    403: "The key's role may not do this",
    503: "The catalog kept changing while it was read; retry shortly",
    429: "Too many requests from this key or address; Retry-After says when to retry",
    404: "No vendor (or prospect) has this id",
    409: "The id exists, or the version is stale",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "Validation failed; `errors` has field-level messages",
}


def _error(status: int) -> dict[str, Any]:
    return {"description": ERRORS[status], "content": {JSON: {"schema": "Error"}}}


def _ok(description: str, schema: Any = None, media: str = JSON) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {media: {"schema": schema}}}


def _operation(
    summary: str,
    responses: dict[int, Any],
    *,
    body: Any = None,
    query: Any = None,
    tag: str = "vendors",
    errors: tuple[int, ...] = (),
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    public = tag == "operations"
    if public:
        operation["security"] = []
    for status in (*errors, *(() if public else (401, 403, 429))):
        operation["responses"][status] = _error(status)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if query is not None:
        operation["parameters"] = [{"in": "query", "schema": query}]
    return operation


# What the service's own field types accept, as JSON Schema. The patterns are written so that
# ECMA-262 (OpenAPI) and Python read them alike: (?![\s\S]) is the end of the text, where `$`
# would also allow a final line break in Python. The character classes are the record schema's.
_END = r"(?![\s\S])"
# Control characters (tab and line breaks aside) and direction overrides are refused in every
# text; text of nothing but spaces and invisible characters is blank.
REFUSED = CONTROL_CHARACTERS + DIRECTION_CONTROLS
TEXT_PATTERN = f"^[^{REFUSED}]*{_END}"
BLANK_PATTERN = f"^[{SPACES}{INVISIBLE}]*{_END}"
NON_BLANK_PATTERN = f"^[^{REFUSED}]*[^{REFUSED}{SPACES}{INVISIBLE}][^{REFUSED}]*{_END}"
ITEM_PATTERN = f"^[^{REFUSED};]*{_END}"
# A web address, or a bare host name that https:// is put before (so it must leave room for it).
_BARE_HOST = f"(?=[^{SPACES}]{{1,{MAX_BARE_HOST_LENGTH}}}[{SPACES}]*{_END}){BARE_HOST}"
WEBSITE_PATTERN = (
    f"^([{SPACES}{INVISIBLE}]*|[{SPACES}]*({WEB_ADDRESS}|{_BARE_HOST})[{SPACES}]*){_END}"
)
_TAG = "[Bb][Pp][Oo]|[Kk][Pp][Oo]"
TAG_ITEM_PATTERN = f"^[{SPACES}]*({_TAG}|[Bb][Oo][Tt][Hh])[{SPACES}]*{_END}"
TAG_FILTER_PATTERN = f"^([{SPACES}]*|{_TAG}){_END}"
BLANK = {"type": "string", "pattern": BLANK_PATTERN}
# Countries and regions are listed once, as components, in every spelling the service knows,
# as the standard writes it and in capitals and small letters.
COUNTRY = {"$ref": "#/components/schemas/Country"}
REGION = {"$ref": "#/components/schemas/Region"}
VOCABULARIES: dict[Callable[[str], str], list[dict[str, Any]]] = {country_code: [COUNTRY]}
# The languages (ISO 639-3 has nearly 8,000) are too many to list: a format names them.
FORMATS: dict[Callable[[str], str], tuple[str, str]] = {
    language_code: (
        "language",
        "a language: ISO 639-1, 639-2 or 639-3 code, or English name, any case",
    ),
}
VENDOR_ID = {
    "name": "vendor_id",
    "in": "path",
    "required": True,
    "schema": {
        "type": "string",
        "pattern": f"^(?!(?:{'|'.join(sorted(RESERVED_IDS))}){_END})[A-Za-z0-9._-]{{1,64}}{_END}",
        "example": "acme-bpo",
    },
}
PROSPECT_ID = {
    "name": "prospect_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "example": 1},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The version a change is based on, as the ETag gave it (e.g. "3"); '
    "a stale one gets 409, and * requires that the vendor exists",
    "schema": {"type": "string", "pattern": r'^(\*|(W/)?"[0-9]{1,9}"|[0-9]{1,9})$'},
}
UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "the catalog: .csv, .json, .jsonl or .xlsx",
                    }
                },
            }
        }
    },
}


def build_spec(*, max_page_size: int = DEFAULTS["MAX_PAGE_SIZE"]) -> dict[str, Any]:
    """Return the OpenAPI 3 document of every endpoint, for the largest page allowed."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Vendor matcher API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Vendor catalog and matching for BPO and KPO outsourcing."},
        security=[{"ApiKey": []}],
    )
    plugin.converter.add_attribute_function(field_rules)  # type: ignore[union-attr]
    spec.components.security_scheme(
        "ApiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    _vocabulary_components(spec)
    spec.components.schema("VendorRecord", schema=VendorRecordSchema)
    for name in COMPONENTS:
        spec.components.schema(name, schema=getattr(schemas, name))
    knowledge = shipped_knowledge()
    spec.components.schema("Requirement", schema=RequirementSchema(knowledge))
    for name in ("MatchOut", "FitOut"):
        spec.components.schema(name, schema=getattr(match_schemas, name))
    spec.components.schema("FitIn", schema=match.FitIn(knowledge))
    for name in ("ProspectIn", "ProspectChanges", "ProspectOut", "ProspectPage"):
        spec.components.schema(name, schema=getattr(prospect_schemas, name))
    spec.components.schema("AuditPage", schema=audit.AuditPage)
    for name in ("OutcomeIn", "OutcomeOut", "OutcomeList"):
        spec.components.schema(name, schema=getattr(outcomes, name))
    for name in ("JobOut", "JobAccepted"):
        spec.components.schema(name, schema=getattr(import_jobs, name))
    _vendor_paths(spec)
    _match_paths(spec)
    _prospect_paths(spec)
    spec.path(
        "/api/v1/audit",
        operations={
            "get": _operation(
                "Read the audit trail of vendor changes (admins)",
                {200: _ok("A page of changes, newest first", "AuditPage")},
                query=audit.AuditQuery,
                tag="audit",
                errors=(422,),
            )
        },
    )
    _outcome_paths(spec)
    _catalog_file_paths(spec)
    _job_paths(spec)
    _operations_paths(spec)
    document: dict[str, Any] = spec.to_dict()
    _state_what_fields_cannot(document, max_page_size=max_page_size)
    return document


def field_rules(converter: Any, field: fields.Field[Any], ret: dict[str, Any]) -> dict[str, Any]:
    """Describe what the service's own field types accept (an apispec attribute function)."""
    rules: dict[str, Any] = {}
    reserved = [v for v in field.validators if isinstance(v, validate.NoneOf)]
    if reserved:
        rules["not"] = {"enum": sorted(reserved[0].iterable)}
    if isinstance(field, Tags):
        item = {"type": "string", "pattern": TAG_ITEM_PATTERN}
        rules.update(type="array", minItems=1, maxItems=MAX_LIST_ITEMS, items=item)
    elif isinstance(field, TextList):
        rules.update(type="array", maxItems=MAX_LIST_ITEMS, items=_item_rules(field))
    elif isinstance(field, Website):
        rules.update(type="string", maxLength=field.max_length, pattern=WEBSITE_PATTERN)
    elif isinstance(field, Text):
        pattern = TEXT_PATTERN if field.allow_none else NON_BLANK_PATTERN
        rules.update(type="string", maxLength=field.max_length, pattern=pattern)
    elif isinstance(field, Code):
        rules.update(_code_rules(field.normalise, ret))
    if "enum" in rules and field.allow_none:
        rules["enum"] = [*rules["enum"], None]  # OpenAPI 3.0: a nullable enum lists null
    return rules


def _item_rules(field: TextList) -> dict[str, Any]:
    """Describe one item of a list: a word of a vocabulary, or a short text without `;`."""
    normalise: Callable[[str], str] | None = field.normalise
    vocabulary = [COUNTRY, REGION] if isinstance(field, Places) else None
    if vocabulary is None and normalise is not None:
        vocabulary = VOCABULARIES.get(normalise)
    if vocabulary:
        # A blank item is dropped; any other must be a word of the vocabulary.
        return {"type": "string", "anyOf": [BLANK, *vocabulary]}
    if field.normalise in FORMATS:
        name, description = FORMATS[field.normalise]
        return {"type": "string", "format": name, "description": description}
    return {"type": "string", "maxLength": MAX_ITEM_LENGTH, "pattern": ITEM_PATTERN}


def _code_rules(normalise: Callable[[str], str], ret: dict[str, Any]) -> dict[str, Any]:
    if normalise is normalise_tag:
        return {"type": "string", "pattern": TAG_FILTER_PATTERN}
    if normalise is currency_code:
        codes = sorted(currency.alpha_3 for currency in pycountry.currencies)
        return {"type": "string", "enum": codes, "description": "an ISO 4217 code, any case"}
    if normalise in VOCABULARIES:
        # Blank text or null is unknown; anything else must be a word of the vocabulary.
        return {"type": "string", "anyOf": [{**BLANK, "nullable": True}, *VOCABULARIES[normalise]]}
    if normalise in FORMATS:
        name, description = FORMATS[normalise]
        return {
            "type": "string",
            "format": name,
            "description": ret.get("description", description),
        }
    return {"type": "string", "pattern": ret.get("pattern", TEXT_PATTERN)}


def _any_case(words: Iterable[str]) -> list[str]:
    return sorted({form for word in words for form in (word, word.upper(), word.lower())})


def _vocabulary_components(spec: APISpec) -> None:
    """List the countries and regions the service knows, once each."""
    geography = shipped_knowledge().geography
    regions = {region.name for region in geography.regions.values()} | set(geography.region_terms)
    spec.components.schema(
        "Country",
        {
            "type": "string",
            "enum": _any_case(country_spellings()),
            "description": "a country: ISO 3166 alpha-2, alpha-3 or numeric code, or English "
            "name, as the standard writes it, in capitals or in small letters",
        },
    )
    spec.components.schema(
        "Region",
        {
            "type": "string",
            "enum": _any_case(regions),
            "description": "a region of countries, such as Eastern Europe, LATAM or the EU",
        },
    )


def _state_what_fields_cannot(document: dict[str, Any], *, max_page_size: int) -> None:
    """Add what the field types cannot say: rules across fields and the shape of a profile."""
    components = document["components"]["schemas"]
    # JSON Schema cannot compare two values, nor a body with its URL: these are said in prose.
    for name in ("VendorRecord", "VendorIn", "VendorReplace", "VendorChanges"):
        components[name]["properties"]["rate_max"]["description"] = (
            "at least rate_min (for a change, the vendor's rate_min after it)"
        )
    for name in ("VendorReplace", "VendorChanges"):
        components[name]["properties"]["id"]["description"] = (
            "the id in the URL; the body may leave it out, and may not give another"
        )
    components["Requirement"]["description"] = (
        "Give skills, a description, or both; delivery needs client_country; each hard "
        "constraint needs the part of the profile it constrains (budget, languages, "
        "certifications, qualifications, team_size for capacity, industry, and countries, "
        "delivery or client_country for geography); at least one weight must be above 0."
    )
    components["Requirement"]["allOf"] = _profile_rules()
    requirement = components["Requirement"]["properties"]
    # A budget is a Budget or null, not any object.
    requirement["budget"] = {"allOf": [{"$ref": "#/components/schemas/Budget"}], "nullable": True}
    weight = requirement["weights"].pop("additionalProperties")
    requirement["weights"].update(
        properties=dict.fromkeys(FACTORS, weight), additionalProperties=False
    )
    budget = components["Budget"]["properties"]
    budget["max_rate"]["exclusiveMinimum"] = True
    rated = shipped_knowledge().per_usd
    budget["currency"].update(
        enum=[*(code for code in budget["currency"]["enum"] if code in rated)],
        description="an ISO 4217 code the service has an exchange rate for, any case",
    )
    for name in ("ProspectIn", "ProspectChanges", "FitIn"):
        components[name]["properties"]["profile"] = {"$ref": "#/components/schemas/Requirement"}
    components["OutcomeIn"]["description"] = (
        "One search or one prospect; a rating (1-5) with delivered work only, and delivered "
        "work only for a vendor awarded it on the same search or prospect (else 409)."
    )
    components["OutcomeIn"]["allOf"] = outcome_schema.OUTCOME_RULES
    # A query string has no null: an absent parameter is the default.
    for path in document["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                if parameter["in"] == "query":
                    parameter["schema"].pop("nullable", None)
                    if parameter["schema"].get("default", "") is None:
                        del parameter["schema"]["default"]
    # The largest page of the catalog is a setting (MATCHER_MAX_PAGE_SIZE).
    for parameter in document["paths"]["/api/v1/vendors"]["get"]["parameters"]:
        if parameter["name"] == "per_page":
            parameter["schema"]["maximum"] = max_page_size


# What a field must hold to count as given: the profile reads blank text, an empty list and a
# list of blanks as not given at all.
SOME_ITEM = {"type": "array", "not": {"items": BLANK}}
GIVEN = {
    "description": {"type": "string", "pattern": NON_BLANK_PATTERN},
    "industry": {"type": "string", "pattern": NON_BLANK_PATTERN},
    "client_country": COUNTRY,
    "budget": {"type": "object"},
    "team_size": {"type": "integer"},
}


def _given(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: GIVEN.get(name, SOME_ITEM)}}


def _profile_rules() -> list[dict[str, Any]]:
    """Return the rules across a profile's fields that JSON Schema states plainly.

    What each hard constraint needs, and that not every weight may be 0, are said in the
    description: as `not`/`anyOf` combinations over every constraint they defeat the request
    generators that clients and fuzzers build from the document.
    """
    no_delivery = {"properties": {"delivery": {"type": "array", "maxItems": 0, "nullable": True}}}
    return [
        {"anyOf": [_given("skills"), _given("description")]},
        {"anyOf": [no_delivery, _given("client_country")]},
    ]


COMPONENTS = (
    "VendorIn",
    "VendorReplace",
    "VendorChanges",
    "VendorOut",
    "VendorPage",
    "ImportReport",
    "Error",
)


def _vendor_paths(spec: APISpec) -> None:
    one = _ok("The vendor", "VendorOut")
    spec.path(
        "/api/v1/vendors",
        operations={
            "get": _operation(
                "List vendors",
                {200: _ok("A page", "VendorPage")},
                query=queries.ListQuery,
                errors=(422,),
            ),
            "post": _operation(
                "Add a vendor", {201: one}, body="VendorIn", errors=(400, 409, 413, 415, 422)
            ),
        },
    )
    operations = {
        "get": _operation("Read a vendor", {200: one}, errors=(404,)),
        "put": _operation(
            "Replace a vendor, or create it under this id (an id in the body must match)",
            {200: one, 201: one},
            body="VendorReplace",
            errors=(400, 404, 409, 413, 415, 422),
        ),
        "patch": _operation(
            "Change some fields of a vendor; null clears an optional field",
            {200: one},
            body="VendorChanges",
            errors=(400, 404, 409, 413, 415, 422),
        ),
        "delete": _operation("Remove a vendor", {204: _ok("Removed")}, errors=(400, 404, 409)),
    }
    for method in ("put", "patch", "delete"):
        operations[method]["parameters"] = [IF_MATCH]
    spec.path("/api/v1/vendors/{vendor_id}", parameters=[VENDOR_ID], operations=operations)


def _match_paths(spec: APISpec) -> None:
    spec.path(
        "/api/v1/match",
        operations={
            "post": _operation(
                "Rank vendors for a requirement profile, with the reasons",
                {200: _ok("The ranking", "MatchOut")},
                body="Requirement",
                tag="matching",
                errors=(400, 413, 415, 422, 503),
            )
        },
    )
    spec.path(
        "/api/v1/fit",
        operations={
            "post": _operation(
                "Explain one vendor's fit for a profile, even when it is excluded",
                {200: _ok("The vendor's result and the hard constraints it fails", "FitOut")},
                body={"$ref": "#/components/schemas/FitIn"},
                tag="matching",
                errors=(400, 404, 413, 415, 422, 503),
            )
        },
    )


def _prospect_paths(spec: APISpec) -> None:
    one = _ok("The prospect", "ProspectOut")
    tag = "prospects"
    spec.path(
        "/api/v1/prospects",
        operations={
            "get": _operation(
                "List saved prospects",
                {200: _ok("A page", "ProspectPage")},
                query=prospect_schemas.PageQuery,
                tag=tag,
                errors=(422,),
            ),
            "post": _operation(
                "Save a prospect and its requirement profile",
                {201: one},
                body="ProspectIn",
                tag=tag,
                errors=(400, 409, 413, 415, 422),
            ),
        },
    )
    spec.path(
        "/api/v1/prospects/{prospect_id}",
        parameters=[PROSPECT_ID],
        operations={
            "get": _operation("Read a prospect", {200: one}, tag=tag, errors=(404,)),
            "put": _operation(
                "Replace a prospect",
                {200: one},
                body="ProspectIn",
                tag=tag,
                errors=(400, 404, 409, 413, 415, 422),
            ),
            "patch": _operation(
                "Change some fields of a prospect",
                {200: one},
                body="ProspectChanges",
                tag=tag,
                errors=(400, 404, 409, 413, 415, 422),
            ),
            "delete": _operation(
                "Remove a prospect", {204: _ok("Removed")}, tag=tag, errors=(404,)
            ),
        },
    )
    spec.path(
        "/api/v1/prospects/{prospect_id}/matches",
        parameters=[PROSPECT_ID],
        operations={
            "get": _operation(
                "Rank vendors for the prospect's profile",
                {200: _ok("The ranking", "MatchOut")},
                tag=tag,
                errors=(404, 422),
            )
        },
    )
    spec.path(
        "/api/v1/prospects/{prospect_id}/fit/{vendor_id}",
        parameters=[PROSPECT_ID, VENDOR_ID],
        operations={
            "get": _operation(
                "Explain one vendor's fit for the prospect's profile",
                {200: _ok("The vendor's fit", "FitOut")},
                tag=tag,
                errors=(404, 422),
            )
        },
    )


def _outcome_paths(spec: APISpec) -> None:
    tag = "outcomes"
    spec.path(
        "/api/v1/outcomes",
        operations={
            "get": _operation(
                "List outcomes, newest first, for a vendor, a search or a prospect",
                {200: _ok("The outcomes", "OutcomeList")},
                query=outcomes.OutcomeQuery,
                tag=tag,
                errors=(422,),
            ),
            "post": _operation(
                "Record what became of a vendor on a search or prospect (admin, procurement)",
                {201: _ok("The outcome", "OutcomeOut")},
                body="OutcomeIn",
                tag=tag,
                errors=(400, 404, 409, 413, 415, 422),
            ),
        },
    )
    spec.path(
        "/api/v1/outcomes/{outcome_id}",
        parameters=[
            {
                "name": "outcome_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT},
            }
        ],
        operations={
            "delete": _operation(
                "Take back an outcome recorded in error (admins)",
                {204: _ok("Removed")},
                tag=tag,
                errors=(404,),
            )
        },
    )


def _catalog_file_paths(spec: APISpec) -> None:
    import_op = _operation(
        "Import a catalog file",
        {
            200: _ok("Applied (or would be, for a dry run)", "ImportReport"),
            202: _ok("Queued (background=true): follow the job's url", "JobAccepted"),
        },
        query=queries.ImportQuery,
        errors=(409, 413),
    )
    import_op["requestBody"] = UPLOAD
    either = [{"$ref": f"#/components/schemas/{name}"} for name in ("ImportReport", "Error")]
    import_op["responses"][422] = {
        "description": "Rows were rejected and nothing was written, or the request is invalid",
        "content": {JSON: {"schema": {"oneOf": either}}},
    }
    spec.path("/api/v1/vendors/import", operations={"post": import_op})
    binary = {"schema": {"type": "string", "format": "binary"}}
    records = {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/VendorRecord"}}}
    download = {
        "description": "Every vendor record, as a download",
        "content": {"text/csv": binary, JSON: records, "application/x-ndjson": binary},
    }
    spec.path(
        "/api/v1/vendors/export",
        operations={
            "get": _operation(
                "Export the catalog", {200: download}, query=queries.ExportQuery, errors=(422,)
            )
        },
    )


def _job_paths(spec: APISpec) -> None:
    job_id = {"in": "path", "name": "job_id", "required": True, "schema": {"type": "string"}}
    job = _ok("The job", "JobOut")
    spec.path(
        "/api/v1/jobs/{job_id}",
        parameters=[job_id],
        operations={
            "get": _operation(
                "A background import: state, rows done of rows total, and the report once done",
                {200: job},
                tag="jobs",
                errors=(404,),
            )
        },
    )
    spec.path(
        "/api/v1/jobs/{job_id}/retry",
        parameters=[job_id],
        operations={
            "post": _operation(
                "Run a failed job again on the file it was given",
                {202: _ok("Queued again", "JobOut")},
                tag="jobs",
                errors=(404, 409),
            )
        },
    )


def _operations_paths(spec: APISpec) -> None:
    spec.path(
        "/healthz",
        operations={"get": _operation("The process is up", {200: _ok("Up")}, tag="operations")},
    )
    ready = _operation(
        "Ready to serve: database reachable and migrated, Redis reachable when configured, "
        "matching index loaded",
        {200: _ok("Ready"), 503: _ok("Not ready")},
        tag="operations",
    )
    spec.path("/readyz", operations={"get": ready})
    prometheus = {
        "description": "Prometheus text format",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    spec.path(
        "/metrics",
        operations={
            "get": _operation(
                "Request counts and latencies, match latency, catalog size, import jobs",
                {200: prometheus},
                tag="operations",
            )
        },
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI document."""
    return jsonify(current_app.extensions["openapi"])


@bp.get("/docs")
def docs() -> str:
    """Show the browsable API documentation."""
    return render_template("api_docs.html")


@bp.get("/docs/swagger-ui/<path:filename>")
def swagger_asset(filename: str) -> Response:
    """Serve a Swagger UI asset from the installed bundle."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_app(app: Flask) -> None:
    """Build the document once and register the routes."""
    app.extensions["openapi"] = build_spec(max_page_size=app.config["MAX_PAGE_SIZE"])
    app.register_blueprint(bp, url_prefix="/api/v1")
