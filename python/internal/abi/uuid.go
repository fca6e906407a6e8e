package abi

// hexVal maps an ASCII byte to its hexadecimal value, or 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// parseID parses a UUID in the spellings the published package accepted
// (those of Rust's uuid crate): 8-4-4-4-12 hex digits in either case,
// optionally wrapped in braces or prefixed with "urn:uuid:", or 32 bare
// hex digits.
func parseID(s string) (id [16]byte, ok bool) {
	switch len(s) {
	case 36:
	case 38:
		if s[0] != '{' || s[37] != '}' {
			return id, false
		}
		s = s[1:37]
	case 45:
		if s[:9] != "urn:uuid:" {
			return id, false
		}
		s = s[9:]
	case 32:
		var bad byte
		for i := range id {
			hi, lo := hexVal[s[2*i]], hexVal[s[2*i+1]]
			bad |= hi | lo
			id[i] = hi<<4 | lo
		}
		return id, bad&0xf0 == 0
	default:
		return id, false
	}
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	var bad byte
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
		}
		hi, lo := hexVal[s[i]], hexVal[s[i+1]]
		bad |= hi | lo
		id[j] = hi<<4 | lo
		j++
	}
	return id, bad&0xf0 == 0
}
