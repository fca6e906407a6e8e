// Package text holds the small string helpers that several nessie packages
// share, so each exists once.
package text

import "unicode/utf8"

// Truncate returns s cut to at most n bytes followed by "…" when it is
// longer, for quoting untrusted input in messages. It never splits a UTF-8
// sequence.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
