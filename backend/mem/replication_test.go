package mem_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func send(t testing.TB, b *mem.Backend, vol backend.VolumeID, snap, base string) string {
	t.Helper()
	rc, err := b.SendStream(ctx, vol, snap, base)
	if err != nil {
		t.Fatalf("SendStream(%q, %q): %v", snap, base, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func volumeNamed(t testing.TB, b *mem.Backend, name string) (backend.Volume, bool) {
	t.Helper()
	list, err := b.ListVolumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		if v.Name == name {
			return v, true
		}
	}
	return backend.Volume{}, false
}

func TestFullStreamCreatesTheDestination(t *testing.T) {
	src := newBackend(t, nil)
	dst := newBackend(t, nil)
	v := mustVolume(t, src, "source", backend.Bytes(2048))
	mustSnapshot(t, src, v.ID, "snap")
	setSize(t, src, v.ID, backend.Bytes(4096)) // the stream carries the snapshot's size

	stream := send(t, src, v.ID, "snap", "")
	n, err := dst.ReceiveStream(ctx, "mirror", strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(stream)) || n <= 0 {
		t.Errorf("ReceiveStream applied %d bytes, want the stream's %d", n, len(stream))
	}
	got, ok := volumeNamed(t, dst, "mirror")
	if !ok {
		t.Fatal("destination volume was not created")
	}
	if got.Size != backend.Bytes(2048) || got.State != backend.StateOnline || got.Type != backend.TypeRW || got.IsClone() {
		t.Errorf("destination = %+v", got)
	}
	if names := snapshotNames(t, dst, got.ID); !slices.Equal(names, []string{"snap"}) {
		t.Errorf("destination snapshots = %v, want [snap]", names)
	}
}

func TestReceivingAnExistingSnapshotIsANoOp(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "source", backend.Bytes(1))
	mustSnapshot(t, b, v.ID, "snap")
	stream := send(t, b, v.ID, "snap", "")
	if _, err := b.ReceiveStream(ctx, "mirror", strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	before := observe(t, b)
	if _, err := b.ReceiveStream(ctx, "mirror", strings.NewReader(stream)); err != nil {
		t.Fatalf("receiving the same snapshot again: %v", err)
	}
	wantUnchanged(t, b, before)
}

func TestIncrementalStreamNeedsItsBase(t *testing.T) {
	src := newBackend(t, nil)
	dst := newBackend(t, nil)
	v := mustVolume(t, src, "source", backend.Bytes(1))
	mustSnapshot(t, src, v.ID, "base")
	setSize(t, src, v.ID, backend.Bytes(2))
	mustSnapshot(t, src, v.ID, "next")
	full := send(t, src, v.ID, "base", "")
	incr := send(t, src, v.ID, "next", "base")

	before := observe(t, dst)
	_, err := dst.ReceiveStream(ctx, "mirror", strings.NewReader(incr))
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume) // no destination yet
	wantUnchanged(t, dst, before)

	other := mustVolume(t, dst, "other", backend.Bytes(9))
	before = observe(t, dst)
	_, err = dst.ReceiveStream(ctx, "other", strings.NewReader(incr))
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume) // destination lacks the base
	wantUnchanged(t, dst, before)

	if _, err := dst.ReceiveStream(ctx, "mirror", strings.NewReader(full)); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.ReceiveStream(ctx, "mirror", strings.NewReader(incr)); err != nil {
		t.Fatalf("incremental after its base: %v", err)
	}
	m, _ := volumeNamed(t, dst, "mirror")
	if names := snapshotNames(t, dst, m.ID); !slices.Equal(names, []string{"base", "next"}) {
		t.Errorf("destination snapshots = %v", names)
	}
	if m.Size != backend.Bytes(2) {
		t.Errorf("destination size = %v, want the newest snapshot's 2", m.Size)
	}
	// A full stream into an existing volume adds its snapshot there.
	if _, err := dst.ReceiveStream(ctx, "other", strings.NewReader(full)); err != nil {
		t.Fatal(err)
	}
	if names := snapshotNames(t, dst, other.ID); !slices.Equal(names, []string{"base"}) {
		t.Errorf("snapshots of the existing destination = %v", names)
	}
}

func TestStreamsPreserveAwkwardNamesAndUnlimitedSize(t *testing.T) {
	src := newBackend(t, nil)
	dst := newBackend(t, nil)
	odd := "line\nbreak \"quoted\" \\ tab\t ünïcode end"
	v := mustVolume(t, src, "src\nvol", backend.Unlimited)
	mustSnapshot(t, src, v.ID, odd)
	stream := send(t, src, v.ID, odd, "")
	if _, err := dst.ReceiveStream(ctx, "dst\n", strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	got, ok := volumeNamed(t, dst, "dst\n")
	if !ok || !got.Size.IsUnlimited() {
		t.Fatalf("destination = %+v, %v", got, ok)
	}
	if names := snapshotNames(t, dst, got.ID); !slices.Equal(names, []string{odd}) {
		t.Errorf("snapshots = %q", names)
	}
}

func TestSendStreamRejectsUnknownSnapshots(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	mustSnapshot(t, b, v.ID, "old")
	mustSnapshot(t, b, v.ID, "new")
	for _, tc := range []struct{ name, snap, base string }{
		{"unknown snapshot", "nope", ""},
		{"unknown base", "new", "nope"},
		{"base newer than snapshot", "old", "new"},
		{"base equals snapshot", "new", "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.SendStream(ctx, v.ID, tc.snap, tc.base)
			wantErr(t, err, backend.KindInvalidArgument, backend.ResourceSnapshot)
		})
	}
}

func TestReceiveStreamRejectsMalformedStreams(t *testing.T) {
	good := "nessie-mem-stream 1\nvolume \"v\"\nsize 10\nsnapshot \"s\"\nbase \"\"\nend\n"
	// Sanity: the well-formed stream is accepted, so each case below fails
	// for its own defect.
	if _, err := newBackend(t, nil).ReceiveStream(ctx, "d", strings.NewReader(good)); err != nil {
		t.Fatalf("well-formed stream rejected: %v", err)
	}
	for _, tc := range []struct{ name, stream string }{
		{"empty", ""},
		{"wrong header", strings.Replace(good, "nessie-mem-stream 1", "NESSIE-MEM-REPL v1", 1)},
		{"future version", strings.Replace(good, "stream 1", "stream 2", 1)},
		{"truncated", good[:len(good)-4]},
		{"no final newline", good[:len(good)-1]},
		{"trailing data", good + "more\n"},
		{"CRLF line ends", strings.ReplaceAll(good, "\n", "\r\n")},
		{"negative size", strings.Replace(good, "size 10", "size -1", 1)},
		{"text size", strings.Replace(good, "size 10", "size big", 1)},
		{"size overflows", strings.Replace(good, "size 10", "size 18446744073709551616", 1)},
		{"unquoted snapshot", strings.Replace(good, `snapshot "s"`, "snapshot s", 1)},
		{"backquoted snapshot", strings.Replace(good, `snapshot "s"`, "snapshot `s`", 1)},
		{"empty snapshot", strings.Replace(good, `snapshot "s"`, `snapshot ""`, 1)},
		{"slash in snapshot", strings.Replace(good, `snapshot "s"`, `snapshot "a/b"`, 1)},
		{"NUL in snapshot", strings.Replace(good, `snapshot "s"`, `snapshot "a\x00"`, 1)},
		{"base equals snapshot", strings.Replace(good, `base ""`, `base "s"`, 1)},
		{"bad base", strings.Replace(good, `base ""`, `base "a/b"`, 1)},
		{"fields out of order", "nessie-mem-stream 1\nsize 10\nvolume \"v\"\nsnapshot \"s\"\nbase \"\"\nend\n"},
		{"missing base line", "nessie-mem-stream 1\nvolume \"v\"\nsize 10\nsnapshot \"s\"\nend\n"},
		{"oversized", good + strings.Repeat("x", 1<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			before := observe(t, b)
			n, err := b.ReceiveStream(ctx, "dest", strings.NewReader(tc.stream))
			wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
			if n != 0 {
				t.Errorf("a rejected stream reports %d bytes applied", n)
			}
			wantUnchanged(t, b, before)
		})
	}
}

func TestReceiveStreamRejectsBadDestinationsAndFailingReaders(t *testing.T) {
	b := newBackend(t, nil)
	good := "nessie-mem-stream 1\nvolume \"v\"\nsize 10\nsnapshot \"s\"\nbase \"\"\nend\n"
	_, err := b.ReceiveStream(ctx, "a/b", strings.NewReader(good))
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	cause := errors.New("connection reset")
	_, err = b.ReceiveStream(ctx, "d", io.MultiReader(strings.NewReader(good[:10]), iotest.ErrReader(cause)))
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	if !errors.Is(err, cause) {
		t.Errorf("error %v does not wrap the reader's error", err)
	}
	if list, _ := b.ListVolumes(ctx); len(list) != 0 {
		t.Errorf("volumes created by failed receives: %+v", list)
	}
}

// FuzzReceiveStream feeds arbitrary bytes to ReceiveStream: it must accept
// or reject with ErrInvalidArgument, never panic or corrupt state, and a
// stream it accepts must leave a destination holding the snapshot.
func FuzzReceiveStream(f *testing.F) {
	f.Add("nessie-mem-stream 1\nvolume \"v\"\nsize 10\nsnapshot \"s\"\nbase \"\"\nend\n")
	f.Add("nessie-mem-stream 1\nvolume \"v\"\nsize unlimited\nsnapshot \"s\\n\"\nbase \"b\"\nend\n")
	f.Add("nessie-mem-stream 1\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, stream string) {
		b := newBackend(t, nil)
		base := mustVolume(t, b, "existing", backend.Bytes(1))
		mustSnapshot(t, b, base.ID, "b")
		for _, dest := range []string{"fresh", "existing"} {
			n, err := b.ReceiveStream(ctx, dest, strings.NewReader(stream))
			if err != nil {
				wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
				continue
			}
			if n != int64(len(stream)) {
				t.Fatalf("applied %d bytes of a %d-byte stream", n, len(stream))
			}
			if _, ok := volumeNamed(t, b, dest); !ok {
				t.Fatalf("accepted stream left no volume %q", dest)
			}
		}
	})
}
