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

// upperHex marks the upper-case hex digits.
var upperHex = func() (t [256]byte) {
	for c := 'A'; c <= 'F'; c++ {
		t[c] = 1
	}
	return t
}()

// hexPos are the offsets of the 16 hex pairs in 8-4-4-4-12 text.
var hexPos = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// parseID parses a UUID in the spellings the published package accepted
// (those of Rust's uuid crate): 8-4-4-4-12 hex digits in either case,
// optionally wrapped in braces or prefixed with "urn:uuid:", or 32 bare
// hex digits.
func parseID(s string) (id [16]byte, ok bool) {
	id, ok, _ = parseIDCanon(s)
	return id, ok
}

// parseIDCanon is parseID that also reports whether s is the canonical
// text of id (lowercase 8-4-4-4-12), which a reply can then echo.
func parseIDCanon(s string) (id [16]byte, ok, canonical bool) {
	plain := len(s) == 36
	switch len(s) {
	case 36:
	case 38:
		if s[0] != '{' || s[37] != '}' {
			return id, false, false
		}
		s = s[1:37]
	case 45:
		if s[:9] != "urn:uuid:" {
			return id, false, false
		}
		s = s[9:]
	case 32:
		var bad byte
		for i := range id {
			hi, lo := hexVal[s[2*i]], hexVal[s[2*i+1]]
			bad |= hi | lo
			id[i] = hi<<4 | lo
		}
		return id, bad&0xf0 == 0, false
	default:
		return id, false, false
	}
	_ = s[35]
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false, false
	}
	var bad, upper byte
	for i, p := range hexPos {
		a, b := s[p], s[p+1]
		hi, lo := hexVal[a], hexVal[b]
		bad |= hi | lo
		upper |= upperHex[a] | upperHex[b]
		id[i] = hi<<4 | lo
	}
	ok = bad&0xf0 == 0
	return id, ok, ok && upper == 0 && plain
}
