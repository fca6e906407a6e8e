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
	// bad collects the high nibble of every digit's value (0xff for a
	// non-digit); and collects the bits all digits share: a valid digit
	// has 0x20 clear only if it is an upper-case letter.
	var bad, and byte = 0, 0xff
	id[0] = hexPair(s[0], s[1], &bad, &and)
	id[1] = hexPair(s[2], s[3], &bad, &and)
	id[2] = hexPair(s[4], s[5], &bad, &and)
	id[3] = hexPair(s[6], s[7], &bad, &and)
	id[4] = hexPair(s[9], s[10], &bad, &and)
	id[5] = hexPair(s[11], s[12], &bad, &and)
	id[6] = hexPair(s[14], s[15], &bad, &and)
	id[7] = hexPair(s[16], s[17], &bad, &and)
	id[8] = hexPair(s[19], s[20], &bad, &and)
	id[9] = hexPair(s[21], s[22], &bad, &and)
	id[10] = hexPair(s[24], s[25], &bad, &and)
	id[11] = hexPair(s[26], s[27], &bad, &and)
	id[12] = hexPair(s[28], s[29], &bad, &and)
	id[13] = hexPair(s[30], s[31], &bad, &and)
	id[14] = hexPair(s[32], s[33], &bad, &and)
	id[15] = hexPair(s[34], s[35], &bad, &and)
	ok = bad&0xf0 == 0
	return id, ok, ok && and&0x20 != 0 && plain
}

// hexPair decodes two hex digits, folding into bad and and what
// parseIDCanon checks.
func hexPair(a, b byte, bad, and *byte) byte {
	hi, lo := hexVal[a], hexVal[b]
	*bad |= hi | lo
	*and &= a & b
	return hi<<4 | lo
}
