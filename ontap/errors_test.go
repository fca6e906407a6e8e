package ontap_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// TestErrorTable pins the kind(+op) → status/code mapping, and checks that
// Classify maps each code back to the kind and resource.
func TestErrorTable(t *testing.T) {
	cases := []struct {
		op       ontap.Op
		kind     backend.Kind
		res      backend.Resource
		status   int
		code     string
		target   string
		backKind backend.Kind
		backRes  backend.Resource
	}{
		{ontap.OpVolumeGet, backend.KindNotFound, backend.ResourceVolume, 404, "4", "uuid", backend.KindNotFound, backend.ResourceVolume},
		{ontap.OpVolumeDelete, backend.KindNotFound, backend.ResourceVolume, 404, "4", "uuid", backend.KindNotFound, backend.ResourceVolume},
		{ontap.OpSnapshotGet, backend.KindNotFound, backend.ResourceSnapshot, 404, "4", "uuid", backend.KindNotFound, backend.ResourceSnapshot},
		{ontap.OpSnapshotGet, backend.KindNotFound, backend.ResourceVolume, 404, "4", "volume.uuid", backend.KindNotFound, backend.ResourceVolume},
		{ontap.OpSnapshotDelete, backend.KindNotFound, backend.ResourceSnapshot, 404, "4", "uuid", backend.KindNotFound, backend.ResourceSnapshot},
		{ontap.OpVolumeRestore, backend.KindNotFound, backend.ResourceSnapshot, 404, "4", "restore_to.snapshot", backend.KindNotFound, backend.ResourceSnapshot},
		{ontap.OpCloneCreate, backend.KindNotFound, backend.ResourceSnapshot, 404, "4", "clone.parent_snapshot", backend.KindNotFound, backend.ResourceSnapshot},
		{ontap.OpCloneCreate, backend.KindNotFound, backend.ResourceVolume, 404, "524601", "", backend.KindNotFound, backend.ResourceVolume},
		{ontap.OpVolumeCreate, backend.KindAlreadyExists, backend.ResourceVolume, 409, "917526", "", backend.KindAlreadyExists, backend.ResourceVolume},
		{ontap.OpCloneCreate, backend.KindAlreadyExists, backend.ResourceVolume, 409, "917526", "", backend.KindAlreadyExists, backend.ResourceVolume},
		{ontap.OpVolumePatch, backend.KindAlreadyExists, backend.ResourceVolume, 409, "917526", "", backend.KindAlreadyExists, backend.ResourceVolume},
		{ontap.OpSnapshotCreate, backend.KindAlreadyExists, backend.ResourceSnapshot, 409, "525059", "", backend.KindAlreadyExists, backend.ResourceSnapshot},
		{ontap.OpSnapshotPatch, backend.KindAlreadyExists, backend.ResourceSnapshot, 409, "525059", "", backend.KindAlreadyExists, backend.ResourceSnapshot},
		{ontap.OpVolumeDelete, backend.KindInUse, backend.ResourceVolume, 409, "524615", "", backend.KindInUse, backend.ResourceVolume},
		{ontap.OpSnapshotDelete, backend.KindInUse, backend.ResourceSnapshot, 409, "1638555", "", backend.KindInUse, backend.ResourceSnapshot},
		{ontap.OpVolumeRestore, backend.KindInUse, backend.ResourceSnapshot, 409, "524511", "", backend.KindInUse, ""},
		{ontap.OpVolumePatch, backend.KindInUse, backend.ResourceVolume, 409, "917775", "", backend.KindInUse, backend.ResourceVolume},
		{ontap.OpCloneSplit, backend.KindInUse, backend.ResourceVolume, 409, "8", "", backend.KindInUse, ""},
		{ontap.OpSnapshotCreate, backend.KindInvalidArgument, backend.ResourceSnapshot, 400, "1638518", "", backend.KindInvalidArgument, backend.ResourceSnapshot},
		{ontap.OpVolumeCreate, backend.KindInvalidArgument, backend.ResourceVolume, 400, "2", "", backend.KindInvalidArgument, ""},
		{ontap.OpCloneSplit, backend.KindInvalidArgument, backend.ResourceVolume, 400, "2", "", backend.KindInvalidArgument, ""},
		{ontap.OpVolumeCreate, backend.KindUnsupported, backend.ResourceBackend, 400, "3", "", backend.KindUnsupported, ""},
		{ontap.OpVolumeGet, backend.KindInternal, backend.ResourceBackend, 500, "460770", "", backend.KindInternal, ""},
		{ontap.OpVolumeGet, backend.KindAlreadyExists, backend.ResourceVolume, 409, "1", "", backend.KindAlreadyExists, ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.op, c.kind, c.res), func(t *testing.T) {
			err := &backend.Error{Op: "X", Kind: c.kind, Resource: c.res, Name: "n"}
			e := ontap.FromBackend(c.op, err)
			if e.Status != c.status || e.Code != c.code || e.Target != c.target || e.Message == "" {
				t.Fatalf("FromBackend = %+v, want status %d code %s target %q", e, c.status, c.code, c.target)
			}
			kind, res, ok := ontap.Classify(c.op, e)
			if !ok || kind != c.kind || res != c.backRes || kind != c.backKind {
				t.Fatalf("Classify(%s, %s) = %v, %q, %v; want %v, %q", c.op, e.Code, kind, res, ok, c.backKind, c.backRes)
			}
		})
	}
}

// TestErrorTableComplete: every kind has a row for every op (a catch-all
// at least), and every row's code classifies back to its kind.
func TestErrorTableComplete(t *testing.T) {
	ops := []ontap.Op{ontap.OpVolumeGet, ontap.OpVolumeCreate, ontap.OpVolumePatch, ontap.OpVolumeDelete, ontap.OpVolumeRestore,
		ontap.OpCloneCreate, ontap.OpCloneSplit, ontap.OpSnapshotGet, ontap.OpSnapshotCreate, ontap.OpSnapshotPatch, ontap.OpSnapshotDelete}
	kinds := []backend.Kind{backend.KindNotFound, backend.KindAlreadyExists, backend.KindInvalidArgument, backend.KindInUse, backend.KindUnsupported, backend.KindInternal}
	for _, op := range ops {
		for _, k := range kinds {
			e := ontap.FromBackend(op, &backend.Error{Kind: k})
			if e.Status < 400 || e.CodeNum() == 0 {
				t.Errorf("%s/%s: %+v", op, k, e)
			}
			if back, _, ok := ontap.Classify(op, e); !ok || back != k {
				t.Errorf("%s/%s: code %s classifies as %v", op, k, e.Code, back)
			}
			if k != backend.KindInternal && e.Status >= 500 {
				t.Errorf("%s/%s: a client mistake must not be a 5xx", op, k)
			}
		}
	}
	for _, r := range ontap.ErrorTable() {
		e := &ontap.Error{Code: fmt.Sprint(r.Code)}
		if back, _, ok := ontap.Classify(r.Op, e); !ok || back != r.Kind {
			t.Errorf("row %+v: code classifies as %v, %v", r, back, ok)
		}
	}
}

func TestFromBackendForeignErrors(t *testing.T) {
	for _, err := range []error{errors.New("boom"), context.Canceled, fmt.Errorf("wrapped: %w", context.DeadlineExceeded)} {
		e := ontap.FromBackend(ontap.OpVolumeGet, err)
		if e.Status != http.StatusInternalServerError || e.Code != "460770" {
			t.Errorf("%v: %+v", err, e)
		}
	}
	// An *ontap.Error passes through unchanged.
	in := ontap.ErrNotFound("x")
	if got := ontap.FromBackend(ontap.OpVolumeGet, fmt.Errorf("ctx: %w", in)); got != in {
		t.Errorf("got %+v", got)
	}
}

func TestClassifyEdgeCodes(t *testing.T) {
	for code, want := range map[string]backend.Kind{
		"262197": backend.KindInvalidArgument, "262179": backend.KindInvalidArgument, "262196": backend.KindInvalidArgument,
		"917887": backend.KindInvalidArgument, "917888": backend.KindInvalidArgument, "917886": backend.KindInvalidArgument,
		"2621462": backend.KindNotFound, "1638600": backend.KindNotFound, "3": backend.KindUnsupported, "8": backend.KindInUse,
	} {
		got, _, ok := ontap.Classify(ontap.OpVolumeCreate, &ontap.Error{Code: code})
		if !ok || got != want {
			t.Errorf("Classify(%s) = %v, %v; want %v", code, got, ok, want)
		}
	}
	if _, _, ok := ontap.Classify(ontap.OpVolumeCreate, &ontap.Error{Code: "123456789"}); ok {
		t.Error("an unknown code classified")
	}
}

// TestFromBackendMessageVerbatim: names and details that contain the
// template's own verbs are rendered as they are, not substituted again.
func TestFromBackendMessageVerbatim(t *testing.T) {
	for _, tc := range []struct {
		op   ontap.Op
		err  error
		want string
	}{
		{ontap.OpVolumeCreate, &backend.Error{Op: "create", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: "a%vb"},
			`Duplicate volume name "a%vb".`},
		{ontap.OpVolumeRestore, &backend.Error{Op: "restore", Kind: backend.KindInUse, Resource: backend.ResourceSnapshot, Name: "s%s", Err: errors.New("busy %s %v")},
			`Failed to restore snapshot "s%s": busy %s %v.`},
		{ontap.OpSnapshotCreate, &backend.Error{Op: "create", Kind: backend.KindInvalidArgument, Resource: backend.ResourceSnapshot, Name: "%v", Err: errors.New("name %v is bad")},
			`The specified snapshot name is invalid: name %v is bad.`},
	} {
		if got := ontap.FromBackend(tc.op, tc.err).Message; got != tc.want {
			t.Errorf("%s: message %q, want %q", tc.op, got, tc.want)
		}
	}
}

// TestErrorTableImmutable: the table is handed out as a copy, so a caller
// cannot change how another request's error is reported.
func TestErrorTableImmutable(t *testing.T) {
	rows := ontap.ErrorTable()
	for i := range rows {
		rows[i].Code, rows[i].Message = 0, "changed"
	}
	err := &backend.Error{Op: "create", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: "v"}
	if e := ontap.FromBackend(ontap.OpVolumeCreate, err); e.Code != "917526" || e.Message != `Duplicate volume name "v".` {
		t.Fatalf("editing the copy changed the table: %+v", e)
	}
	if again := ontap.ErrorTable(); again[0].Message == "changed" {
		t.Fatal("ErrorTable returned shared rows")
	}
}
