// Package abi is the Go half of the Python binding's C ABI: it decodes a
// request, runs it against a backend and encodes the reply. The cgo layer
// in python/cshim only moves bytes across the boundary and owns the
// handles; everything that can be tested without cgo lives here.
//
// # Requests
//
// A request is a JSON array whose first element is the operation name and
// whose other elements are its positional arguments, each a string, a
// non-negative integer, a boolean or null:
//
//	["get_volume", "0b6c…"]
//	["create_volume", "build-cache", 53687091200]
//	["patch_volume", "0b6c…", null, "/build", null]
//
// Trailing optional arguments may be left out. The operations and their
// arguments are listed in [Ops]; they mirror the Python methods of
// nessie_backend_mem.MemBackend one to one.
//
// [Session.CallOp] takes the same request already decoded (the index of
// the operation in [Ops] and typed [Arg] values), for the compiled Python
// extension, and answers exactly as [Session.Call] does.
//
// # Replies
//
// A reply is a single value: on success the result (a volume, snapshot,
// list, capabilities, access handle or null) in the session's
// [Encoding]; on failure an error envelope, always in JSON
//
//	{"kind": "not_found", "resource": "volume",
//	 "message": "volume 0b6c… not found",
//	 "detail": "GetVolume: volume 0b6c…: not found"}
//
// whose kind is one of not_found, already_exists, invalid_argument, in_use,
// unsupported and internal. The message follows the wording of the
// original nessie-backend-mem package where it has an equivalent, so that
// str(NessieError) reads the same; detail is the Go error text.
//
// Results have the JSON shape of the backend package's types (Volume,
// Snapshot, Capabilities, AccessHandle), with one exception: capabilities
// always report replication false, since the binding exposes no
// replication methods.
//
// # Encodings
//
// [JSON] is the ABI's reference encoding. [Marshal] produces the same
// values in CPython's marshal format (version 4), which the Python package
// decodes several times faster than JSON; it is an optimisation the
// package verifies at load time and falls back from, never a different
// result. Only dicts, lists, str, int, bool and None are produced.
//
// # Failures
//
// Call never panics: a panic in the backend or in the encoder is recovered
// and becomes an internal error envelope, so that a bug cannot take the
// host interpreter down.
package abi
