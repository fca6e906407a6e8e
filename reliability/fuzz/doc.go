// Package fuzz holds the Go fuzz targets of nessie's reliability battery:
// request-body decoding (ontap.Decode), query parsing (Schema.ParseQuery),
// the filter, field and paging engine (ontap.Match, ontap.Page,
// ontap.Project, ontap.Glob, ontap.ParseSize) and whole HTTP requests
// against the REST server in process.
//
// Every target states a property, not just "does not panic": errors are
// 4xx ONTAP errors with a numeric code, decoded bodies survive an
// encode/decode round trip, pages never hold a record the filters reject,
// following _links.next visits every matching record exactly once, and
// Glob agrees with an independent regexp translation.
//
// The seed corpora (f.Add calls and testdata/fuzz) run as ordinary tests
// under `go test`, so CI replays them on every change. A longer local run
// is reliability/fuzz.sh (see RELIABILITY.md for its figures).
//
// The Python ABI boundary is fuzzed inside python/internal/abi, whose
// API is internal to python/ (see RELIABILITY.md); reliability/fuzz.sh
// runs those targets too.
package fuzz
