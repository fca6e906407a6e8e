"""Regenerates ontap/schema/zz_generated.objects.go: for each ONTAP object nessie
serves or is about to serve, every field path (nested objects and arrays of
objects included), its type, its enum values, and whether ONTAP 9.16.1 lets a
client read it (GET), set it on create (POST) or change it (PATCH).

The source is the marshmallow resource schemas of NetApp's own netapp-ontap
Python SDK, which NetApp generates from ONTAP's OpenAPI document: each schema
lists its fields with types and enum validators, and its gettable_fields,
postable_fields and patchable_fields. A bare name in those lists allows the
whole nested object (whose own lists then apply); a dotted name ("svm.name")
allows just that part of a reference.

    python3 -m venv /tmp/v && /tmp/v/bin/pip install netapp-ontap==9.16.1.0 marshmallow==3.26.2
    /tmp/v/bin/python ontap/schema/gen.py

    /tmp/v/bin/python ontap/schema/gen.py --check   # exit 1 if the file is stale

The output records the SDK version and a SHA-256 of this script; the Go test
TestGeneratedIsFresh fails when either no longer matches.
"""
import hashlib
import ast
import importlib
import inspect
import pathlib
import sys

from importlib.metadata import version
from marshmallow import fields as mf

import netapp_ontap.resource as nres

SDK = "netapp-ontap"
SDK_VERSION = "9.16.1.0"
MAX_DEPTH = 6
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "zz_generated.objects.go"

# Go name, SDK resource module, schema class, API collection path.
OBJECTS = [
    ("Aggregate", "aggregate", "AggregateSchema", "/api/storage/aggregates"),
    ("CIFSService", "cifs_service", "CifsServiceSchema", "/api/protocols/cifs/services"),
    ("CIFSShare", "cifs_share", "CifsShareSchema", "/api/protocols/cifs/shares"),
    ("Cluster", "cluster", "ClusterSchema", "/api/cluster"),
    ("EMSApplicationLog", "ems_application_log", "EmsApplicationLogSchema", "/api/support/ems/application-logs"),
    ("ExportPolicy", "export_policy", "ExportPolicySchema", "/api/protocols/nfs/export-policies"),
    ("ExportRule", "export_rule", "ExportRuleSchema", "/api/protocols/nfs/export-policies/{policy.id}/rules"),
    ("FCPService", "fcp_service", "FcpServiceSchema", "/api/protocols/san/fcp/services"),
    ("Igroup", "igroup", "IgroupSchema", "/api/protocols/san/igroups"),
    ("IgroupInitiator", "igroup_initiator", "IgroupInitiatorSchema", "/api/protocols/san/igroups/{igroup.uuid}/initiators"),
    ("IPInterface", "ip_interface", "IpInterfaceSchema", "/api/network/ip/interfaces"),
    ("ISCSICredentials", "iscsi_credentials", "IscsiCredentialsSchema", "/api/protocols/san/iscsi/credentials"),
    ("ISCSIService", "iscsi_service", "IscsiServiceSchema", "/api/protocols/san/iscsi/services"),
    ("Job", "job", "JobSchema", "/api/cluster/jobs"),
    ("LicensePackage", "license_package", "LicensePackageSchema", "/api/cluster/licensing/licenses"),
    ("LUN", "lun", "LunSchema", "/api/storage/luns"),
    ("LUNAttribute", "lun_attribute", "LunAttributeSchema", "/api/storage/luns/{lun.uuid}/attributes"),
    ("LUNMap", "lun_map", "LunMapSchema", "/api/protocols/san/lun-maps"),
    ("NFSService", "nfs_service", "NfsServiceSchema", "/api/protocols/nfs/services"),
    ("Node", "node", "NodeSchema", "/api/cluster/nodes"),
    ("NVMeService", "nvme_service", "NvmeServiceSchema", "/api/protocols/nvme/services"),
    ("QoSPolicy", "qos_policy", "QosPolicySchema", "/api/storage/qos/policies"),
    ("Qtree", "qtree", "QtreeSchema", "/api/storage/qtrees"),
    ("QuotaRule", "quota_rule", "QuotaRuleSchema", "/api/storage/quota/rules"),
    ("Schedule", "schedule", "ScheduleSchema", "/api/cluster/schedules"),
    ("SnapmirrorRelationship", "snapmirror_relationship", "SnapmirrorRelationshipSchema", "/api/snapmirror/relationships"),
    ("Snapshot", "snapshot", "SnapshotSchema", "/api/storage/volumes/{volume.uuid}/snapshots"),
    ("SnapshotPolicy", "snapshot_policy", "SnapshotPolicySchema", "/api/storage/snapshot-policies"),
    ("SnapshotPolicySchedule", "snapshot_policy_schedule", "SnapshotPolicyScheduleSchema",
     "/api/storage/snapshot-policies/{snapshot_policy.uuid}/schedules"),
    ("Software", "software", "SoftwareSchema", "/api/cluster/software"),
    ("SVM", "svm", "SvmSchema", "/api/svm/svms"),
    ("SVMPeer", "svm_peer", "SvmPeerSchema", "/api/svm/peers"),
    ("Volume", "volume", "VolumeSchema", "/api/storage/volumes"),
    ("VolumeEfficiencyPolicy", "volume_efficiency_policy", "VolumeEfficiencyPolicySchema", "/api/storage/volume-efficiency-policies"),
]

OPS = ("gettable_fields", "postable_fields", "patchable_fields")
FLAGS = ("Get", "Post", "Patch")


def schema_class(ref):
    if isinstance(ref, type):
        return ref
    if not isinstance(ref, str):
        return type(ref)
    module, _, cls = ref.rpartition(".")
    return getattr(importlib.import_module(module), cls)


_docs = {}


def field_docs(cls):
    """The attribute docstrings of a schema class, read from its source
    (the SDK writes a model's enum values only there, as "Valid choices:"
    followed by "* value" lines)."""
    if cls not in _docs:
        tree = ast.parse(inspect.getsource(sys.modules[cls.__module__]))
        docs = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                body = node.body
                for a, b in zip(body, body[1:]):
                    if (isinstance(a, ast.Assign) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name)
                            and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)
                            and isinstance(b.value.value, str)):
                        docs[a.targets[0].id] = b.value.value
        _docs[cls] = docs
    return _docs[cls]


def enum_of(cls, attr, field):
    for v in getattr(field, "validators", []) or []:
        code = getattr(v, "__code__", None)
        if code is not None and "choices" in code.co_freevars:
            return [str(c) for c in v.__closure__[code.co_freevars.index("choices")].cell_contents]
    doc = field_docs(cls).get(attr, "")
    if "Valid choices:" not in doc:
        return None
    out = []
    for line in doc.split("Valid choices:", 1)[1].splitlines():
        line = line.strip()
        if line.startswith("* "):
            out.append(line[2:].strip())
        elif line and out:
            break
    return out or None


def kind_of(cls, attr, field):
    """(type, nested schema class or None, enum or None)."""
    if isinstance(field, mf.List):
        inner = field.inner
        if isinstance(inner, mf.Nested):
            return "ArrayOfObjects", schema_class(inner.nested), None
        t, _, enum = kind_of(cls, attr, inner)
        return "ArrayOf" + {"String": "Strings", "Integer": "Integers", "Boolean": "Booleans",
                            "Number": "Numbers", "DateTime": "DateTimes"}[t], None, enum
    if isinstance(field, mf.Nested):
        return "Struct", schema_class(field.nested), None
    if isinstance(field, nres.Size) or isinstance(field, mf.Integer):
        return "Integer", None, None
    if isinstance(field, mf.Number):
        return "Number", None, None
    if isinstance(field, mf.Boolean):
        return "Boolean", None, None
    if isinstance(field, mf.DateTime):
        return "DateTime", None, None
    if isinstance(field, (mf.Str, mf.String)):
        return "String", None, enum_of(cls, attr, field)
    if type(field) is mf.Field or isinstance(field, mf.Raw):
        return "Any", None, None
    raise SystemExit("unhandled field type %r" % type(field))


def walk(cls, prefix, lists, depth, out, stack):
    """lists: per op, the set of allowed attribute names (dotted allowed)
    for cls, or None to use cls's own lists."""
    inst = cls()
    own = [set(getattr(inst, op, []) or []) for op in OPS]
    lists = [own[i] if lists[i] is None else lists[i] for i in range(3)]
    for attr, field in sorted(inst.fields.items(), key=lambda kv: kv[1].data_key or kv[0]):
        key = field.data_key or attr
        path = prefix + key
        t, sub, enum = kind_of(cls, attr, field)
        flags, child = [], []
        for i in range(3):
            direct = attr in lists[i]
            dotted = {e[len(attr) + 1:] for e in lists[i] if e.startswith(attr + ".")}
            if direct or dotted:
                flags.append(FLAGS[i])
            child.append(None if direct else dotted)
        if not flags:
            continue  # outside what this object exposes of the nested schema
        out.append((path, t, flags, enum))
        # A schema already on the stack recurses only under a dotted list,
        # which shrinks at every level (clone.parent_volume is a volume).
        if sub is not None and depth < MAX_DEPTH and (sub not in stack or None not in child):
            walk(sub, path + ".", child, depth + 1, out, stack + [sub])


def go_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    have = version(SDK)
    if have != SDK_VERSION:
        sys.exit("gen.py: need %s==%s, found %s" % (SDK, SDK_VERSION, have))
    script_sum = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()
    lines = [
        "// Code generated by ontap/schema/gen.py from %s %s. DO NOT EDIT." % (SDK, SDK_VERSION),
        "",
        "package schema",
        "",
        "// SourceSDK is the SDK release the tables were generated from.",
        "const SourceSDK = %s" % go_str("%s==%s" % (SDK, SDK_VERSION)),
        "",
        "// generatorSum is the SHA-256 of the gen.py that wrote this file.",
        "const generatorSum = %s" % go_str(script_sum),
        "",
    ]
    names, table = [], []
    for goname, module, schema, path in OBJECTS:
        cls = getattr(importlib.import_module("netapp_ontap.resources." + module), schema)
        out = []
        walk(cls, "", [None, None, None], 1, out, [cls])
        names.append(goname)
        lines.append("var %s = &Object{Name: %s, Path: %s, Fields: []Field{" % (goname, go_str(module), go_str(path)))
        for p, t, flags, enum in out:
            fl = "|".join(flags)
            gofl = " | ".join(flags)
            en = "nil" if not enum else "[]string{" + ", ".join(go_str(e) for e in enum) + "}"
            lines.append("\t{%s, %s, %s, %s}," % (go_str(p), t, gofl, en))
            table.append("%s %s %s %s %s" % (goname, p, t, fl, ",".join(enum or [])))
        lines.append("}}")
        lines.append("")
    lines.append("// tablesSum is the SHA-256 of the tables above in canonical text form")
    lines.append("// (one \"object path type flags enum\" line per field).")
    lines.append("const tablesSum = %s" % go_str(hashlib.sha256("\n".join(table).encode()).hexdigest()))
    lines.append("")
    lines.append("// Objects lists every generated object, by Go name.")
    lines.append("var Objects = []*Object{" + ", ".join(names) + "}")
    text = "\n".join(lines) + "\n"
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            sys.exit("gen.py: %s is stale; run python ontap/schema/gen.py" % OUT)
        print("gen.py:", OUT.name, "is fresh")
        return
    OUT.write_text(text)
    print("wrote", OUT, sum(1 for l in lines if l.startswith("\t{")), "fields")


if __name__ == "__main__":
    main()
