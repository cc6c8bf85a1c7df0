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


def add_error_responses(result: dict, generator, request, public) -> dict:
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            if method in ("get", "head"):
                responses.setdefault(
                    "304", {"description": "Not modified: the `If-None-Match` ETag is current."}
                )
            for status_code, description in COMMON_ERRORS.items():
                responses.setdefault(status_code, {"description": description})
            for status_code, response in responses.items():
                if status_code.startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
    return result
