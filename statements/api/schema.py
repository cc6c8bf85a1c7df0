"""Schema post-processing: document the error responses every operation can give, with
the one shape the exception handler produces."""

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: its HTTP status, a machine-readable code, a sentence for people.",
    "properties": {
        "status": {"type": "integer", "example": 400},
        "code": {"type": "string", "example": "invalid"},
        "detail": {"type": "string", "example": "The request is invalid."},
        "errors": {
            "type": "object",
            "description": "For invalid input: each parameter or field with its problems.",
            "additionalProperties": {},
            "example": {"date_after": ["Enter a valid date."]},
        },
        "current_version": {
            "type": "integer",
            "description": "On a 409: the statement's version now.",
        },
    },
    "required": ["status", "code", "detail"],
}

COMMON_ERRORS = {
    "400": "Invalid input: an unknown query parameter or an invalid value, named in `errors`.",
    "401": "Credentials are needed (writes, and unpublished content).",
    "403": "These credentials lack the permission.",
    "404": "No such resource, or no such page of a list.",
    "405": "The resource does not support this method.",
    "429": "Too many requests from this anonymous client; retry after `Retry-After` seconds.",
}


SAFE_METHODS = ("get", "head")
NO_NUL = "^[^\\u0000]*$"

# Request components of PATCH operations with fields that even a partial update needs;
# drf-spectacular marks nothing required in a PATCH body.
PARTIAL_UPDATE_REQUIRED = {"PatchedStatementUpdateRequest": ["version"]}


def describe_reads_and_parameters(result: dict, generator, request, public) -> dict:
    """What the generator cannot see: reads need no credentials (the permission class
    lets anonymous clients read), and an empty query parameter counts as not given."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            security = operation.get("security")
            if method in SAFE_METHODS and security and {} not in security:
                security.append({})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
                    free_text = parameter.get("schema", {})
                    if free_text.get("type") == "string" and not free_text.keys() & {
                        "format",
                        "enum",
                        "pattern",
                    }:
                        free_text["pattern"] = NO_NUL  # Django's validator refuses NUL: a 400
    components = result.get("components", {}).get("schemas", {})
    for name, required in PARTIAL_UPDATE_REQUIRED.items():
        components[name]["required"] = required
    return result


# Answered by gunicorn before the application runs (a request line over 4094 bytes), so
# with its own small HTML body rather than the Error shape.
SERVER_ERRORS = {"414": "The URL is too long for the server (gunicorn's request-line limit)."}


def add_error_responses(result: dict, generator, request, public) -> dict:
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            if method in SAFE_METHODS:
                responses.setdefault(
                    "304", {"description": "Not modified: the `If-None-Match` ETag is current."}
                )
            for status_code, description in COMMON_ERRORS.items():
                responses.setdefault(status_code, {"description": description})
            for status_code, description in SERVER_ERRORS.items():
                responses.setdefault(status_code, {"description": description})
            for status_code, response in responses.items():
                if status_code in SERVER_ERRORS:
                    continue
                if status_code.startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
    return result
