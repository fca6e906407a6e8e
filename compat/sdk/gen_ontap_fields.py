"""Regenerates ontap/ontapfields/*.txt: the field paths (three levels deep)
of real ONTAP's volume and snapshot resources, read from the marshmallow
schemas of the installed netapp-ontap SDK.

    compat/sdk/.venv/bin/python compat/sdk/gen_ontap_fields.py
"""
import importlib
import pathlib

from marshmallow import class_registry
from marshmallow import fields as mf

DEPTH = 3
OUT = pathlib.Path(__file__).resolve().parents[2] / "ontap" / "ontapfields"


def nested_schema(field):
    if isinstance(field, mf.List):
        field = getattr(field, "inner", None)
    if not isinstance(field, mf.Nested):
        return None
    inner = field.nested
    if isinstance(inner, str):
        try:
            return class_registry.get_class(inner.split(".")[-1])
        except Exception:  # a schema the SDK names but does not define
            return None
    return inner if isinstance(inner, type) else type(inner)


def paths(schema_cls, prefix="", depth=1):
    for name, field in schema_cls().fields.items():
        key = field.data_key or name
        if key.startswith("_"):
            continue
        yield prefix + key
        inner = nested_schema(field)
        if inner is not None and depth < DEPTH:
            yield from paths(inner, prefix + key + ".", depth + 1)


for module, schema, out in [("volume", "VolumeSchema", "volume.txt"),
                            ("snapshot", "SnapshotSchema", "snapshot.txt")]:
    cls = getattr(importlib.import_module("netapp_ontap.resources." + module), schema)
    (OUT / out).write_text("\n".join(sorted(set(paths(cls)))) + "\n")
    print("wrote", OUT / out)
