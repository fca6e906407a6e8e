// Package ontaptest starts an in-process ONTAP REST server for Go tests.
//
// NewServer(t, nil) serves a fresh in-memory backend over HTTPS on
// 127.0.0.1 with a random port; an [Options] value serves another backend,
// sets the server's options or switches to plain HTTP. It returns the
// server's URL, credentials and an *http.Client that trusts its
// certificate (and sends no credentials by itself), and shuts the server
// down when the test ends (t.Cleanup). Code under test talks to it exactly
// as it would to an ONTAP cluster's management LIF.
package ontaptest
