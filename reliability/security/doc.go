// Package security checks that `nessie serve` lets nobody in without
// credentials and cannot be starved by slow clients, against the real
// daemon (internal/daemon.Run on loopback):
//
//   - every operation of the served OpenAPI document
//     (/docs/api/swagger.yaml) refuses missing and wrong credentials with
//     ONTAP's 401 envelope and changes nothing; only operations the
//     document marks public (security: []) are exempt, and there are none
//     today;
//   - no path normalisation, method or header trick gets a request past
//     the check, and credentials are never remembered per connection;
//   - the credential comparison is constant-time-shaped: a static check
//     of the server package's source (no timing measurements, which would
//     be flaky);
//   - TLS is 1.2 or later with no insecure cipher suite;
//   - slow clients (a trickled header, a silent TLS handshake, idle
//     keep-alive connections) are cut off, so the connection limit cannot
//     be used to lock other clients out.
package security
