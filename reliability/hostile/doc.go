// Package hostile is the hostile-input battery for `nessie serve`: one
// test case per malformed or adversarial request — broken and truncated
// JSON, a wrong type in every body field, huge and deeply nested bodies,
// invalid and non-canonical UUIDs, path tricks, unknown methods, absurd
// query values, invalid UTF-8 and header floods — sent as raw bytes to the
// real daemon (internal/daemon.Run on loopback, over TLS).
//
// Every case must be answered with a 4xx ONTAP error envelope
// {"error":{"message","code"}} — never a 5xx, a panic or a dropped
// connection — and after every case the daemon must still serve (a fresh
// connection, GET /api/cluster, a volume listing). The objects the battery
// sets up must be unchanged at the end: a refused request changes nothing.
//
// The few malformations net/http itself answers before any handler runs
// (an unparsable request line or header, an unsupported HTTP version,
// headers beyond the server's hard limit) are checked separately in
// TestProtocolErrors: they get a 4xx (505 for the version) without an
// envelope, and the daemon keeps serving.
package hostile
