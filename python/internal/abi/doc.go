// Package abi is the Go half of the Python binding: it runs one operation
// of nessie_backend_mem.MemBackend against a backend/mem backend and
// encodes the reply. The cgo layer in python/cshim only converts C
// arguments and owns handles; the C header python/cshim/nessie.h is the
// specification of the operations, the argument kinds and the reply
// encoding, and this package implements it without cgo so that it can be
// tested directly.
//
// A Session has one of two modes. The default (compatible) mode
// reproduces the published PyO3 package nessie-backend-mem 0.3.1 exactly:
// its dict keys, its name rules and delete/clone semantics (through
// mem.Options.Lenient), its error messages (Rust's Debug quoting of
// names included) and its acceptance of braced, urn: and bare-hex UUIDs.
// The strict mode applies the nessie-go contract unchanged (ONTAP name
// rules, dependents refused with in_use) and returns the richer dicts
// (creation times, used bytes, clone origin UUIDs, junction path, export
// policy, comment).
//
// Call never panics: a panic in the backend or the encoder is recovered
// and becomes an internal error record, so that a bug cannot take the
// host interpreter down.
package abi
