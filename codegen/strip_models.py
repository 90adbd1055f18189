#!/usr/bin/env python3
"""Copies the AWS service models of the four Chime services from ../shared/models into codegen/models,
keeping the facts (shapes, bindings, traits) and dropping the `documentation` prose.

Usage: codegen/strip_models.py [SOURCE_DIR]   (default: ../shared/models beside the repository)
The output is committed; rerun only when the shared models change.
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
FILES = ("service-2.json", "paginators-1.json")


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "models"
    if not source.is_dir():
        sys.exit(f"strip_models: no models folder at {source}")
    count = 0
    for service_dir in sorted(p for p in source.iterdir() if p.is_dir()):
        for version_dir in sorted(p for p in service_dir.iterdir() if p.is_dir()):
            out_dir = HERE / "models" / service_dir.name / version_dir.name
            out_dir.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                src = version_dir / name
                if not src.exists():
                    sys.exit(f"strip_models: {src} is missing")
                model = strip(json.loads(src.read_text()))
                (out_dir / name).write_text(json.dumps(model, indent=1) + "\n")
                count += 1
    for extra in ("LICENSE.txt", "NOTICE"):
        if (source / extra).exists():
            (HERE / "models" / extra).write_text((source / extra).read_text())
    print(f"strip_models: wrote {count} files under {HERE / 'models'}")


if __name__ == "__main__":
    main()
