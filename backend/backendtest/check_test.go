package backendtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

// TestCheckOnASharedBackendCleansUpAfterItself runs Check the way a command
// checks a live daemon: every case gets the same backend, which already
// holds a volume the suite must not touch.
func TestCheckOnASharedBackendCleansUpAfterItself(t *testing.T) {
	ctx := t.Context()
	m := mem.New(nil)
	precious, err := m.CreateVolume(ctx, backend.VolumeSpec{Name: "precious", Size: backend.Bytes(1 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateSnapshot(ctx, precious.ID, backend.SnapshotSpec{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	shared := func() (backend.VolumeBackend, error) { calls++; return m, nil }
	if err := backendtest.Check(ctx, shared, &backendtest.Options{Teardown: true, NamePrefix: "live"}); err != nil {
		t.Fatalf("mem failed the suite on a shared backend:\n%v", err)
	}
	if n := caseCount(t, &backendtest.Options{Teardown: true}); calls < n+1 {
		t.Errorf("newBackend was called %d times; want once up front and once per case (%d cases)", calls, n)
	}
	vs, err := m.ListVolumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].ID != precious.ID || vs[0].Name != "precious" || vs[0].Size != precious.Size {
		t.Errorf("after Check with Teardown the backend holds %+v, want only the untouched %q", vs, "precious")
	}
	if ss, err := m.ListSnapshots(ctx, precious.ID); err != nil || len(ss) != 1 || ss[0].Name != "keep" {
		t.Errorf("the pre-existing snapshot was disturbed: %+v, %v", ss, err)
	}
	if err := m.CheckInvariants(); err != nil {
		t.Errorf("mem invariants after Check: %v", err)
	}
}

// TestTeardownSweepsUpWhatABrokenBackendLeaked shares a backend that
// creates volumes even when the call is cancelled, so the suite never
// learns their IDs; teardown must still find and delete them by name.
func TestTeardownSweepsUpWhatABrokenBackendLeaked(t *testing.T) {
	m := mem.New(nil)
	shared := wrap(lateCancel{m}, fullShape, nil)
	err := backendtest.Check(t.Context(), func() (backend.VolumeBackend, error) { return shared, nil }, &backendtest.Options{Teardown: true})
	if err == nil {
		t.Fatal("the broken backend passed")
	}
	vs, err := m.ListVolumes(t.Context())
	if err != nil || len(vs) != 0 {
		t.Errorf("after Check with Teardown the backend still holds %d volumes (%v)", len(vs), err)
	}
}

func TestCheckRejectsBadOptionsBeforeTouchingTheBackend(t *testing.T) {
	called := false
	factory := func() (backend.VolumeBackend, error) { called = true; return mem.New(nil), nil }
	for _, o := range []backendtest.Options{
		{NamePrefix: "a/b"},
		{NamePrefix: "this_prefix_is_far_longer_than_thirty_two_bytes"},
		{StressOps: -1},
		{ClockSkew: -1},
	} {
		if err := backendtest.Check(t.Context(), factory, &o); err == nil {
			t.Errorf("Check accepted options %+v", o)
		}
	}
	if called {
		t.Error("Check called newBackend despite invalid options")
	}
}

func TestCheckReportsAFailingFactory(t *testing.T) {
	boom := errors.New("cannot connect")
	err := backendtest.Check(t.Context(), func() (backend.VolumeBackend, error) { return nil, boom }, nil)
	if !errors.Is(err, boom) {
		t.Errorf("Check with a failing factory returned %v, want it to wrap %v", err, boom)
	}
	if n := caseCount(t, nil); n < 80 {
		t.Errorf("a factory failing after the first call failed only %d cases, want every case", n)
	}
}

// caseCount returns how many cases Check runs over mem, by making every
// case fail: the factory fails after the probe call. It also checks that
// each case fails once.
func caseCount(t *testing.T, opts *backendtest.Options) int {
	t.Helper()
	n := 0
	err := backendtest.Check(t.Context(), func() (backend.VolumeBackend, error) {
		if n++; n > 1 {
			return nil, errors.New("cannot connect")
		}
		return mem.New(nil), nil
	}, opts)
	failed := failedCases(t, err)
	seen := make(map[string]bool)
	for _, f := range failed {
		if seen[f] {
			t.Errorf("case %s failed twice", f)
		}
		seen[f] = true
	}
	return len(failed)
}

func TestCheckStopsWhenTheContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := backendtest.Check(ctx, func() (backend.VolumeBackend, error) { return mem.New(nil), nil }, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context returned %v, want context.Canceled", err)
	}
}
