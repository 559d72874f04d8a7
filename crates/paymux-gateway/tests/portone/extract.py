#!/usr/bin/env python3
"""Extract what paymux's OpenAPI drift test compares from PortOne's V2 schema.

PortOne publishes the schema as `src/schema/v2.openapi.json` (and `.yml`) in
https://github.com/portone-io/developers.portone.io (Apache License 2.0). This keeps, for each
operation outside the platform and B2B groups: operationId, method, path, whether it needs
credentials, its parameters, and the fields of its request body and of its 200 answer: which
are required, and each field's type, one level into the objects they hold (see `describe`).
Regenerate with (the schema as JSON or YAML; YAML needs PyYAML)

    python3 crates/paymux-gateway/tests/portone/extract.py path/to/v2.openapi.yml \
        > crates/paymux-gateway/tests/portone/v2-operations.json

A field's type is `{"type": T}` with T one of `string`, `integer`, `number`, `boolean`,
`object`, `array`, `enum` (a schema with `enum`), `union` (`oneOf`/`anyOf`/`discriminator`)
or `any`; an array also has `items` (the type of its items, one word); a field given by
`$ref` also has `ref` (the schema's name), an array of `$ref` items `itemsRef`. A field that holds an object, a union or an array
of those also has `fields`: the same description of that object's fields (a union's: of every
variant's fields; a field the variants type differently gets the types as a list), one level
only.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yml", ".yaml")):
            import yaml

            return yaml.safe_load(f)
        return json.load(f)


def main(path):
    doc = load(path)
    schemas = doc["components"]["schemas"]

    def resolve(s):
        while "$ref" in s:
            s = schemas[s["$ref"].split("/")[-1]]
        return s

    def kind(s):
        s = resolve(s)
        if "enum" in s:
            return "enum"
        if "oneOf" in s or "anyOf" in s or "discriminator" in s:
            return "union"
        t = s.get("type")
        if t in ("string", "integer", "number", "boolean", "array"):
            return t
        if t == "object" or "properties" in s or "allOf" in s or "additionalProperties" in s:
            return "object"
        return "any"

    def variants(s):
        """The object schemas a schema stands for: itself, or each variant of a union."""
        s = resolve(s)
        alts = s.get("oneOf") or s.get("anyOf")
        if alts:
            out = []
            for a in alts:
                out.extend(variants(a))
            return out
        return [s]

    def properties(s):
        """Every field of an object (allOf parts merged) or of every variant of a union."""
        props, required, first = {}, None, True
        for v in variants(s):
            vp, vr = {}, set(v.get("required", []))
            for part in v.get("allOf", []):
                part = resolve(part)
                vp.update(part.get("properties", {}))
                vr |= set(part.get("required", []))
            vp.update(v.get("properties", {}))
            for name, p in vp.items():
                props.setdefault(name, []).append(p)
            required = vr if first else required & vr
            first = False
        return props, sorted(required or [])

    def brief(p):
        d = {"type": kind(p)}
        if "$ref" in p:
            d["ref"] = p["$ref"].split("/")[-1]
        r = resolve(p)
        if d["type"] == "array":
            items = r.get("items", {})
            d["items"] = kind(items)
            if "$ref" in items:
                d["itemsRef"] = items["$ref"].split("/")[-1]
        return d

    def merged(ps):
        """One description of a field the variants of a union may type differently."""
        ds = [brief(p) for p in ps]
        kinds = sorted({d["type"] for d in ds})
        d = dict(ds[0])
        if len(kinds) > 1:
            d["type"] = kinds
        return d, ps[0]

    def describe(s):
        props, required = properties(s)
        fields = {}
        for name in sorted(props):
            d, p = merged(props[name])
            holder = resolve(p)
            if d["type"] == "array":
                holder = resolve(holder.get("items", {}))
            if kind(holder) in ("object", "union"):
                inner, _ = properties(holder)
                d["fields"] = {n: merged(inner[n])[0] for n in sorted(inner)}
            fields[name] = d
        return required, fields

    def shape(s):
        name = s.get("$ref", "").split("/")[-1]
        required, fields = describe(s)
        return {"schema": name, "type": kind(s), "required": required, "properties": fields}

    ops = []
    for path_, item in doc["paths"].items():
        if path_.startswith(("/platform", "/b2b")):
            continue
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params, body = [], None
            for p in op.get("parameters", []):
                if p["name"] == "requestBody" and "content" in p:
                    # GET/DELETE bodies travel as JSON in the `requestBody` query parameter.
                    body = shape(p["content"]["application/json"]["schema"])
                    continue
                params.append({"name": p["name"], "in": p["in"], "required": p.get("required", False)})
            if "requestBody" in op:
                body = shape(op["requestBody"]["content"]["application/json"]["schema"])
            ok = op["responses"].get("200", {}).get("content", {}).get("application/json")
            ops.append({
                "operationId": op["operationId"],
                "method": method,
                "path": path_,
                "authenticated": bool(op.get("security")),
                "parameters": params,
                "requestBody": body,
                "response": shape(ok["schema"]) if ok else None,
            })
    ops.sort(key=lambda o: (o["path"], o["method"]))
    out = {
        "source": "PortOne V2 OpenAPI schema, info.version " + doc["info"]["version"]
        + " (portone-io/developers.portone.io src/schema/v2.openapi.json, Apache-2.0)",
        "operations": ops,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
