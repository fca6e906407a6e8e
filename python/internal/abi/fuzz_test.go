package abi

import (
	"strings"
	"testing"
)

// FuzzCall drives every operation with arbitrary arguments (of any kind,
// in any number: the C side's type checks are not relied on) on a backend
// holding a volume, a snapshot and a clone: Call must answer without
// panicking (a recovered panic shows in the error record, which fails
// here), its reply must decode completely in the encoding nessie.h
// defines, and the backend's invariants must hold afterwards.
func FuzzCall(f *testing.F) {
	f.Add(uint8(OpGetVolume), uint16(0x15), "x", "y", "z", uint64(1))
	f.Add(uint8(OpCreateVolume), uint16(0x25), "", "", "", uint64(0))
	f.Add(uint8(OpPatchVolume), uint16(0x1d5), "e1c70016-caa5-4766-bd09-cd9577e56430", "rel", "", uint64(7))
	f.Add(uint8(OpCreateClone), uint16(0x15), "{E1C70016-CAA5-4766-BD09-CD9577E56430}", "urn:uuid:x", "\x00", uint64(0))
	f.Fuzz(func(t *testing.T, op uint8, kinds uint16, a, b, c string, n uint64) {
		for _, strict := range []bool{false, true} {
			s := NewSession(strict)
			v := mustCall(t, s, OpCreateVolume, str("p"), num(1))
			sn := mustCall(t, s, OpCreateSnapshot, str(v["uuid"].(string)), str("s"))
			mustCall(t, s, OpCreateClone, str(v["uuid"].(string)), str(sn["uuid"].(string)), str("c"))
			texts := []string{a, b, c, v["uuid"].(string), sn["uuid"].(string)}
			var args []Arg
			for i := range 7 {
				switch (uint(kinds) >> (2 * i)) & 3 {
				case 1:
					args = append(args, str(texts[(i+int(n))%len(texts)]))
				case 2:
					args = append(args, num(n))
				default:
					args = append(args, none)
				}
			}
			args = args[:int(n%8)]
			out, ok := s.Call(int(op%(NumOps+2))-1, args, nil)
			got := decode(t, out, args...)
			if !ok {
				rec := got.(map[string]any)
				if msg, _ := rec["message"].(string); strings.Contains(msg, "panic") {
					t.Fatalf("op %d %v: %s", op, args, msg)
				}
			}
			if _, err := call(t, s, OpCheckInvariants); err != "" {
				t.Fatalf("op %d %v: invariants: %s", op, args, err)
			}
		}
	})
}
