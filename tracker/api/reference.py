"""The API reference page, read from the generated OpenAPI document: every operation by tag,
its parameters and bodies, and every model's fields, as plain server-rendered HTML.

A JavaScript explorer (Swagger UI was tried) failed the accessibility checks every page here
passes (keyboard reach, focus rings, contrast), so the page is built from the same document the
tools read, and works without JavaScript, on a phone and with the keyboard.
"""
from __future__ import annotations

from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: str | None
    success: list[tuple[str, str]]  # (status, model or "")
    errors: list[str]

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def kind_of(schema: dict) -> str:
    """A field's type in words: "string", "PlanOut", "list of Person", "one of a, b"."""
    if "$ref" in schema:
        return ref_name(schema["$ref"])
    if "anyOf" in schema:
        kinds = [kind_of(part) for part in schema["anyOf"]]
        return " or ".join(k for k in kinds if k != "null") + \
            (" (or null)" if "null" in kinds else "")
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return "list of " + kind_of(schema.get("items", {}))
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return "map of " + kind_of(schema["additionalProperties"])
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _model(content: dict | None) -> str:
    schema = (content or {}).get("application/json", {}).get("schema", {})
    return ref_name(schema["$ref"]) if "$ref" in schema else ""


def operations(document: dict) -> dict[str, list[Operation]]:
    """Operations grouped by their first tag, in the document's order."""
    groups: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            responses = op.get("responses", {})
            groups.setdefault((op.get("tags") or ["other"])[0], []).append(Operation(
                method=method.upper(), path=path, summary=op.get("summary", ""),
                description=op.get("description", ""),
                parameters=[Field(f"{p['name']} ({p['in']})", kind_of(p.get("schema", {})),
                                  p.get("required", False), p.get("description", ""))
                            for p in op.get("parameters", [])],
                body=_model(op.get("requestBody", {}).get("content")) or None,
                success=[(code, _model(r.get("content"))) for code, r in responses.items()
                         if code.startswith("2")],
                errors=sorted(code for code in responses if not code.startswith("2"))))
    return groups


def models(document: dict) -> dict[str, list[Field]]:
    """Every model's fields, alphabetically by model."""
    out = {}
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        out[name] = [Field(field, kind_of(spec), field in required, spec.get("description", ""))
                     for field, spec in schema.get("properties", {}).items()]
    return out
