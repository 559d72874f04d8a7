#!/usr/bin/env python3
"""Extract what paymux's OpenAPI drift test compares from PortOne's V2 schema.

PortOne publishes the schema as `src/schema/v2.openapi.json` in
https://github.com/portone-io/developers.portone.io (Apache License 2.0). This keeps, for each
operation outside the platform and B2B groups: operationId, method, path, whether it needs
credentials, its parameters, and the top-level required and optional fields of its request
body and of its 200 answer. Regenerate with

    python3 crates/paymux-gateway/tests/portone/extract.py v2.openapi.json \
        > crates/paymux-gateway/tests/portone/v2-operations.json
"""
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    schemas = doc["components"]["schemas"]

    def resolve(s):
        while "$ref" in s:
            s = schemas[s["$ref"].split("/")[-1]]
        return s

    def shape(s):
        name = s.get("$ref", "").split("/")[-1]
        s = resolve(s)
        return {
            "schema": name,
            "required": sorted(s.get("required", [])),
            "properties": sorted(s.get("properties", {})),
        }

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
