package backend

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/nessie-go/nessie/internal/text"
)

// VolumeID identifies a volume. It is a UUID; its text form is the canonical
// lowercase 8-4-4-4-12 hexadecimal string. The zero value is the nil UUID,
// which no backend ever assigns.
type VolumeID [16]byte

// SnapshotID identifies a snapshot. It has the same forms as [VolumeID] but
// is a distinct type so the two cannot be swapped by mistake.
type SnapshotID [16]byte

// NewVolumeID returns a fresh random (version 4) volume ID.
func NewVolumeID() VolumeID { return VolumeID(newUUID()) }

// NewSnapshotID returns a fresh random (version 4) snapshot ID.
func NewSnapshotID() SnapshotID { return SnapshotID(newUUID()) }

// ParseVolumeID parses the canonical text form of a UUID (either case).
// Any other form fails with an [ErrInvalidArgument] error.
func ParseVolumeID(s string) (VolumeID, error) {
	u, err := parseUUID(s)
	if err != nil {
		return VolumeID{}, &Error{Op: "ParseVolumeID", Kind: KindInvalidArgument, Resource: ResourceVolume, ID: s, Err: err}
	}
	return VolumeID(u), nil
}

// ParseSnapshotID parses the canonical text form of a UUID (either case).
// Any other form fails with an [ErrInvalidArgument] error.
func ParseSnapshotID(s string) (SnapshotID, error) {
	u, err := parseUUID(s)
	if err != nil {
		return SnapshotID{}, &Error{Op: "ParseSnapshotID", Kind: KindInvalidArgument, Resource: ResourceSnapshot, ID: s, Err: err}
	}
	return SnapshotID(u), nil
}

// String returns the canonical lowercase text form.
func (id VolumeID) String() string { return formatUUID(id) }

// IsZero reports whether id is the nil UUID.
func (id VolumeID) IsZero() bool { return id == VolumeID{} }

// MarshalText implements [encoding.TextMarshaler].
func (id VolumeID) MarshalText() ([]byte, error) { return []byte(formatUUID(id)), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (id *VolumeID) UnmarshalText(b []byte) error {
	v, err := ParseVolumeID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// String returns the canonical lowercase text form.
func (id SnapshotID) String() string { return formatUUID(id) }

// IsZero reports whether id is the nil UUID.
func (id SnapshotID) IsZero() bool { return id == SnapshotID{} }

// MarshalText implements [encoding.TextMarshaler].
func (id SnapshotID) MarshalText() ([]byte, error) { return []byte(formatUUID(id)), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (id *SnapshotID) UnmarshalText(b []byte) error {
	v, err := ParseSnapshotID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

func newUUID() [16]byte {
	var u [16]byte
	rand.Read(u[:])         // never fails (crypto/rand contract since Go 1.24)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	return string(AppendUUID(b[:0], u))
}

// AppendUUID appends the canonical lowercase text of a UUID to b without
// allocating when b has room; encoders on hot paths use it instead of
// String.
func AppendUUID(b []byte, u [16]byte) []byte {
	var t [36]byte
	hex.Encode(t[0:8], u[0:4])
	t[8] = '-'
	hex.Encode(t[9:13], u[4:6])
	t[13] = '-'
	hex.Encode(t[14:18], u[6:8])
	t[18] = '-'
	hex.Encode(t[19:23], u[8:10])
	t[23] = '-'
	hex.Encode(t[24:36], u[10:16])
	return append(b, t[:]...)
}

// parseUUID accepts exactly the 36-character hyphenated form. Braces, URN
// prefixes and unhyphenated forms are rejected so that every ID has a single
// spelling on the wire.
func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) != 36 {
		return u, fmt.Errorf("%q is not a UUID (want 8-4-4-4-12 hexadecimal digits)", text.Truncate(s, 64))
	}
	j := 0
	for i := 0; i < 36; {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return u, fmt.Errorf("%q is not a UUID (want 8-4-4-4-12 hexadecimal digits)", text.Truncate(s, 64))
			}
			i++
			continue
		}
		hi, ok1 := fromHex(s[i])
		lo, ok2 := fromHex(s[i+1])
		if !ok1 || !ok2 {
			return u, fmt.Errorf("%q is not a UUID (want 8-4-4-4-12 hexadecimal digits)", text.Truncate(s, 64))
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
