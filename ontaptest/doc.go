// Package ontaptest starts an in-process ONTAP REST server for Go tests.
//
// NewServer serves a fresh in-memory backend (or a given one) over HTTPS on
// 127.0.0.1 with a random port, returns its URL, credentials and an
// *http.Client that trusts its certificate, and shuts it down when the test
// ends (t.Cleanup). Code under test talks to it exactly as it would to an
// ONTAP cluster's management LIF.
package ontaptest
