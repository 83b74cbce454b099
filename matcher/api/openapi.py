"""The OpenAPI document of the API, and the browsable docs that render it."""

from __future__ import annotations

from typing import Any

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
from swagger_ui_bundle import swagger_ui_path

from matcher.api import audit, match_schemas, prospect_schemas, schemas
from matcher.profiles import RequirementSchema
from vendors.schema import VendorRecordSchema

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


VENDOR_ID = {
    "name": "vendor_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
}
PROSPECT_ID = {"name": "prospect_id", "in": "path", "required": True, "schema": {"type": "integer"}}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The version a change is based on, as the ETag gave it (e.g. "3"); '
    "a stale one gets 409, and * requires that the vendor exists",
    "schema": {"type": "string"},
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


def build_spec() -> dict[str, Any]:
    """Return the OpenAPI 3 document of every endpoint."""
    spec = APISpec(
        title="Vendor matcher API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Vendor catalog and matching for BPO and KPO outsourcing."},
        security=[{"ApiKey": []}],
    )
    spec.components.security_scheme(
        "ApiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    spec.components.schema("VendorRecord", schema=VendorRecordSchema)
    for name in COMPONENTS:
        spec.components.schema(name, schema=getattr(schemas, name))
    spec.components.schema("Requirement", schema=RequirementSchema)
    for name in ("MatchOut", "FitIn", "FitOut"):
        spec.components.schema(name, schema=getattr(match_schemas, name))
    for name in ("ProspectIn", "ProspectChanges", "ProspectOut", "ProspectPage"):
        spec.components.schema(name, schema=getattr(prospect_schemas, name))
    spec.components.schema("AuditPage", schema=audit.AuditPage)
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
    _catalog_file_paths(spec)
    _operations_paths(spec)
    document: dict[str, Any] = spec.to_dict()
    return document


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
                query=schemas.ListQuery,
                errors=(422,),
            ),
            "post": _operation(
                "Add a vendor", {201: one}, body="VendorIn", errors=(400, 409, 413, 415, 422)
            ),
        },
    )
    spec.path(
        "/api/v1/vendors/{vendor_id}",
        parameters=[VENDOR_ID, IF_MATCH],
        operations={
            "get": _operation("Read a vendor", {200: one}, errors=(404,)),
            "put": _operation(
                "Replace a vendor, or create it under this id",
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
        },
    )


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
                body="FitIn",
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


def _catalog_file_paths(spec: APISpec) -> None:
    import_op = _operation(
        "Import a catalog file",
        {200: _ok("Applied (or would be, for a dry run)", "ImportReport")},
        query=schemas.ImportQuery,
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
                "Export the catalog", {200: download}, query=schemas.ExportQuery, errors=(422,)
            )
        },
    )


def _operations_paths(spec: APISpec) -> None:
    spec.path(
        "/healthz",
        operations={"get": _operation("The process is up", {200: _ok("Up")}, tag="operations")},
    )
    ready = _operation(
        "Ready to serve: database reachable and migrated",
        {200: _ok("Ready"), 503: _ok("Not ready")},
        tag="operations",
    )
    spec.path("/readyz", operations={"get": ready})


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
    app.extensions["openapi"] = build_spec()
    app.register_blueprint(bp, url_prefix="/api/v1")
