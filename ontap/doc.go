// Package ontap is the ONTAP REST wire layer: the JSON shapes ONTAP clients
// send and expect, pure mappings between them and the backend's domain
// types, ONTAP's error codes, and the query engine. It imports no HTTP
// server code; package server puts it on the network and package client
// reads it back.
//
// # Shapes
//
// Each resource has one wire struct (Volume, Snapshot, Job, Cluster, Node,
// SVM, Aggregate, IPInterface, ...) used both for responses and for
// request bodies. Every field is a pointer (or slice), so "absent" and
// "zero" differ, as they do on the wire. Struct tags carry ONTAP's rules:
// json names the field; ontap marks it key (always returned), expensive
// (returned only on request), ro (rejected in bodies) or size (accepts
// "240MB"). Collection, JobResponse and ErrorResponse are the HAL
// envelopes. The testdata directory holds a golden file per shape;
// `go test ./ontap -update` rewrites them.
//
// # Mapping
//
// VolumeRecord, SnapshotRecord, JobRecord and the discovery record
// functions render full records (every field); VolumeSpec, VolumePatch and
// SnapshotPatch read request bodies into backend inputs. VolumeAttrs and
// SnapshotAttrs are the settings clients set and read back that the
// backend does not model; the server keeps them.
//
// # Errors
//
// Error is ONTAP's error object ({"message","code","target","arguments"},
// code a JSON string). ErrorTable lists how a backend error kind, plus the operation
// where it matters, maps to the HTTP status and ONTAP code: FromBackend applies
// it and Classify inverts it, so a client can turn codes back into kinds.
//
// # Queries and bodies
//
// A Schema, derived from a wire struct's tags, drives the query engine:
// ParseQuery reads fields (with * and **, dotted paths and object names),
// filters on any field including nested ones (with * ! | < > <= >= .. and
// null / !null), order_by, max_records, start.<key>, return_records,
// return_timeout and ignore_unknown_fields; Page filters, orders, pages and
// trims records and builds the collection envelope with _links.next;
// Project trims a single record. Decode reads request bodies the way ONTAP
// does: nested objects or dotted keys, scalars as strings, unknown fields
// rejected with 262197 unless ignored.
package ontap
