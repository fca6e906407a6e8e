package mem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// A replication stream carries no data (mem volumes hold none), only what a
// receiver needs to recreate the snapshot. It is UTF-8 text, one field per
// line, in this order:
//
//	nessie-mem-stream 1
//	volume "build-cache"
//	size 53687091200
//	snapshot "pre-build"
//	base ""
//	end
//
// Names are Go-quoted (strconv.Quote) because they may contain any
// character but '/' and NUL, newlines included. size is a byte count or
// "unlimited". base is "" for a full stream. The closing "end" line lets a
// receiver tell a complete stream from a truncated one.
const (
	streamMagic = "nessie-mem-stream 1"
	// maxStreamLen bounds what ReceiveStream reads: a valid stream with
	// three maximal names quoted at worst four bytes per byte stays well
	// below it.
	maxStreamLen = 8 << 10
)

type streamHeader struct {
	volume   string
	size     backend.Size
	snapshot string
	base     string
}

func (h streamHeader) encode() string {
	size := "unlimited"
	if n, ok := h.size.Get(); ok {
		size = strconv.FormatUint(n, 10)
	}
	return streamMagic + "\n" +
		"volume " + strconv.Quote(h.volume) + "\n" +
		"size " + size + "\n" +
		"snapshot " + strconv.Quote(h.snapshot) + "\n" +
		"base " + strconv.Quote(h.base) + "\n" +
		"end\n"
}

func parseStream(data []byte) (streamHeader, error) {
	var h streamHeader
	// Strict: exactly the six lines, each ending in "\n", nothing after.
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || lines[0] != streamMagic {
		return h, errors.New("not a nessie-mem replication stream")
	}
	if len(lines) != 7 || lines[6] != "" {
		return h, fmt.Errorf("want 6 newline-terminated lines, got %d pieces", len(lines))
	}
	field := func(i int, key string) (string, error) {
		v, ok := strings.CutPrefix(lines[i], key+" ")
		if !ok {
			return "", fmt.Errorf("line %d: want %q, got %q", i+1, key, text.Truncate(lines[i], 64))
		}
		return v, nil
	}
	quoted := func(i int, key string) (string, error) {
		v, err := field(i, key)
		if err != nil {
			return "", err
		}
		s, err := strconv.Unquote(v)
		if err != nil || !strings.HasPrefix(v, `"`) {
			return "", fmt.Errorf("line %d: %s %q is not a double-quoted string", i+1, key, text.Truncate(v, 64))
		}
		return s, nil
	}
	var err error
	if h.volume, err = quoted(1, "volume"); err != nil {
		return h, err
	}
	size, err := field(2, "size")
	if err != nil {
		return h, err
	}
	if size != "unlimited" {
		n, err := strconv.ParseUint(size, 10, 64)
		if err != nil {
			return h, fmt.Errorf("line 3: size %q is neither a byte count nor unlimited", text.Truncate(size, 64))
		}
		h.size = backend.Bytes(n)
	}
	if h.snapshot, err = quoted(3, "snapshot"); err != nil {
		return h, err
	}
	if h.base, err = quoted(4, "base"); err != nil {
		return h, err
	}
	if lines[5] != "end" {
		return h, fmt.Errorf("line 6: want \"end\", got %q", text.Truncate(lines[5], 64))
	}
	if err := backend.ValidateName(h.snapshot); err != nil {
		return h, fmt.Errorf("snapshot name: %w", err)
	}
	if h.base != "" {
		if err := backend.ValidateName(h.base); err != nil {
			return h, fmt.Errorf("base name: %w", err)
		}
		if h.base == h.snapshot {
			return h, errors.New("base and snapshot are the same")
		}
	}
	return h, nil
}

// SendStream returns a stream that recreates snapshot snap of the volume
// on another backend: a full stream if base is "", else an incremental one
// from base, which must be older than snap. The stream reflects the state
// at the time of the call. Errors: ErrVolumeNotFound; ErrInvalidArgument
// if snap or base names no snapshot of the volume, or base is not older.
func (b *Backend) SendStream(ctx context.Context, vol backend.VolumeID, snap, base string) (io.ReadCloser, error) {
	const op = "SendStream"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	r, ok := b.rec(vol)
	ss := b.snaps[vol]
	b.mu.RUnlock()
	if !ok {
		return nil, backend.VolumeNotFound(op, vol)
	}
	i := byName(ss, snap)
	if i < 0 {
		return nil, invalidArg(op, backend.ResourceSnapshot, snap, fmt.Errorf("volume %q has no snapshot of that name", r.name))
	}
	if base != "" {
		j := byName(ss, base)
		if j < 0 {
			return nil, invalidArg(op, backend.ResourceSnapshot, base, fmt.Errorf("volume %q has no base snapshot of that name", r.name))
		}
		if j >= i {
			return nil, invalidArg(op, backend.ResourceSnapshot, base, fmt.Errorf("base must be older than snapshot %q", snap))
		}
	}
	h := streamHeader{volume: r.name, size: ss[i].size, snapshot: snap, base: base}
	return io.NopCloser(strings.NewReader(h.encode())), nil
}

// ReceiveStream applies a stream from SendStream to the volume named dest
// and returns the number of stream bytes it consumed.
//
// A full stream creates dest (online, rw) if it does not exist. Applying a
// snapshot sets dest's size to the size the stream carries and adds the
// snapshot, stamped with the time of receipt; receiving a snapshot dest
// already has is a no-op. Errors: ErrInvalidArgument for an invalid dest
// name, a malformed or oversized stream, a reader that fails, or an
// incremental stream whose base dest lacks (or a missing dest).
func (b *Backend) ReceiveStream(ctx context.Context, dest string, r io.Reader) (int64, error) {
	const op = "ReceiveStream"
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := b.checkName(op, backend.ResourceVolume, dest); err != nil {
		return 0, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxStreamLen+1))
	if err != nil {
		return 0, invalidArg(op, backend.ResourceVolume, dest, fmt.Errorf("reading stream: %w", err))
	}
	if len(data) > maxStreamLen {
		return 0, invalidArg(op, backend.ResourceVolume, dest, fmt.Errorf("stream is longer than %d bytes", maxStreamLen))
	}
	h, err := parseStream(data)
	if err != nil {
		return 0, invalidArg(op, backend.ResourceVolume, dest, fmt.Errorf("malformed stream: %w", err))
	}
	n := int64(len(data))
	id := backend.NewSnapshotID()
	if err := b.lock(ctx); err != nil {
		return 0, err
	}
	defer b.mu.Unlock()
	v, ok := b.rec(b.names[dest])
	now := b.timestamp()
	sr := &snapRec{id: id, name: h.snapshot, created: now, size: h.size}
	if !ok {
		if h.base != "" {
			return 0, invalidArg(op, backend.ResourceVolume, dest,
				fmt.Errorf("incremental stream from %q, but the destination does not exist", h.base))
		}
		c := &volRec{
			id:   backend.NewVolumeID(),
			name: dest,
			size: h.size,
		}
		c.setCreated(now)
		b.add(c)
		b.snaps[c.id] = []*snapRec{sr}
		return n, nil
	}
	ss := b.snaps[v.id]
	if byName(ss, h.snapshot) >= 0 {
		return n, nil
	}
	if h.base != "" && byName(ss, h.base) < 0 {
		return 0, invalidArg(op, backend.ResourceVolume, dest,
			fmt.Errorf("incremental stream from %q, but the destination lacks that snapshot", h.base))
	}
	c := v.copyRec()
	c.size = h.size
	b.put(c)
	b.snaps[v.id] = append(ss[:len(ss):len(ss)], sr)
	return n, nil
}
