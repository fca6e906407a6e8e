// Fuzz targets for the Python binding's ABI boundary.
//
// Properties:
//   - (The request parser already has a differential target,
//     FuzzParseRequest in request_test.go; it is not repeated here.)
//   - FuzzCall: Session.Call never panics (a recovered panic shows up as
//     kind "internal", which the in-memory backend never produces
//     otherwise); a failure is the JSON envelope {kind, resource,
//     message, detail} with a known kind; a JSON success is valid JSON;
//     the JSON and marshal sessions agree on success or failure for the
//     same request; a reply that outgrows the caller's buffer goes through
//     the overflow allocator intact; the backend's invariants hold after
//     every call.
//   - FuzzModule: Module never panics and always answers valid JSON.
package abi

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

var abiSeeds = []string{
	`["capabilities"]`,
	`["list_volumes"]`,
	`["create_volume","build-cache",53687091200]`,
	`["create_volume","v",null,"/mnt/v","default","comment"]`,
	`["create_volume","",1]`,
	`["create_volume","a/b"]`,
	`["get_volume","{vol}"]`,
	`["get_volume","{{vol}}"]`,
	`["get_volume","urn:uuid:{vol}"]`,
	`["get_volume","not-a-uuid"]`,
	`["patch_volume","{vol}",1073741824,"/x",null,"renamed","offline","c"]`,
	`["patch_volume","{vol}",null,"relative"]`,
	`["delete_volume","{vol}"]`,
	`["delete_volume","{clone}"]`,
	`["access_handle","{vol}"]`,
	`["create_snapshot","{vol}","s2"]`,
	`["list_snapshots","{vol}"]`,
	`["get_snapshot","{vol}","{snap}"]`,
	`["get_snapshot","{clone}","{snap}"]`,
	`["delete_snapshot","{vol}","{snap}"]`,
	`["patch_snapshot","{vol}","{snap}","s9",null]`,
	`["restore_snapshot","{vol}","{snap}"]`,
	`["create_clone","{vol}","{snap}","k2"]`,
	`["split_clone","{clone}"]`,
	`["split_clone","{vol}"]`,
	`["check_invariants"]`,
	`["nope"]`,
	`[]`, `{}`, `["get_volume"]`, `["get_volume",1]`, `["create_volume","x",-1]`, `["create_volume","x",1.5]`,
	`["create_volume","x\u0000y"]`, `["create_volume","\ud800"]`, "[\"create_volume\",\"\xff\"]",
	`["create_volume","x",18446744073709551615]`, `["op",1,2,3,4,5,6,7,8,9]`,
}

type abiFixture struct {
	b                *mem.Backend
	vol, snap, clone string
}

func newABIFixture(t *testing.T) *abiFixture {
	ctx := context.Background()
	b := mem.New(nil)
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "fuzz", Size: backend.Bytes(1 << 30)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: v.ID, ParentSnapshot: s.ID, Name: "fuzz_clone"})
	if err != nil {
		t.Fatal(err)
	}
	return &abiFixture{b: b, vol: v.ID.String(), snap: s.ID.String(), clone: c.ID.String()}
}

func (f *abiFixture) fill(req []byte) []byte {
	return []byte(strings.NewReplacer("{vol}", f.vol, "{snap}", f.snap, "{clone}", f.clone).Replace(string(req)))
}

var knownKinds = []string{"not_found", "already_exists", "invalid_argument", "in_use", "unsupported"}

func FuzzCall(f *testing.F) {
	for _, s := range abiSeeds {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(16))
	}
	f.Fuzz(func(t *testing.T, req []byte, capacity uint8) {
		var oks [2]bool
		for i, enc := range []Encoding{JSON, Marshal} {
			fx := newABIFixture(t)
			s := NewSession(fx.b, enc)
			grown := 0
			more := func(n int) []byte { grown++; return make([]byte, 0, n) }
			reply, ok := s.Call(make([]byte, 0, int(capacity)), fx.fill(req), more)
			oks[i] = ok
			if !ok {
				var env struct {
					Kind     string  `json:"kind"`
					Resource *string `json:"resource"`
					Message  string  `json:"message"`
					Detail   string  `json:"detail"`
				}
				if err := json.Unmarshal(reply, &env); err != nil {
					t.Fatalf("%s: failure reply %q is not JSON: %v", enc, reply, err)
				}
				if !slices.Contains(knownKinds, env.Kind) {
					t.Fatalf("%s: failure kind %q (a recovered panic?): %s", enc, env.Kind, env.Detail)
				}
				if env.Message == "" {
					t.Fatalf("%s: failure without a message: %s", enc, reply)
				}
			} else if enc == JSON && !json.Valid(reply) {
				t.Fatalf("JSON success reply is not JSON: %q", reply)
			} else if len(reply) == 0 {
				t.Fatalf("%s: empty success reply", enc)
			}
			if err := fx.b.CheckInvariants(); err != nil {
				t.Fatalf("%s: invariants after %q: %v", enc, req, err)
			}
		}
		if oks[0] != oks[1] {
			t.Fatalf("JSON and marshal sessions disagree on %q: ok %v vs %v", req, oks[0], oks[1])
		}
	})
}

func FuzzModule(f *testing.F) {
	for _, s := range []string{`["version"]`, `["stats"]`, `["stats",true]`, `["sample","json"]`, `["sample","marshal"]`, `["sample",1]`, `["nope"]`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		reply, ok := Module(nil, req, 1)
		if len(reply) == 0 {
			t.Fatalf("empty reply to %q", req)
		}
		if !ok || !bytes.Contains(req, []byte("marshal")) {
			if !json.Valid(reply) {
				t.Fatalf("reply to %q is not JSON: %q", req, reply)
			}
		}
	})
}
