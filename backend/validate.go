package backend

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nessie-go/nessie/internal/text"
)

// MaxNameLen is the longest volume or snapshot name, in bytes, that
// ValidateName allows. Wire layers may be stricter (ONTAP allows 203
// characters and a narrower alphabet).
const MaxNameLen = 255

// MaxCommentLen is the longest comment, in bytes (ONTAP's limit is 1023
// characters).
const MaxCommentLen = 1023

// ValidateName checks a volume or snapshot name: non-empty, at most
// MaxNameLen bytes, valid UTF-8, with no '/' and no NUL. It returns nil or
// an error of kind [ErrInvalidArgument].
func ValidateName(name string) error {
	if err := nameProblem(name); err != nil {
		return &Error{Op: "ValidateName", Kind: KindInvalidArgument, Name: text.Truncate(name, 64), Err: err}
	}
	return nil
}

func nameProblem(name string) error {
	switch {
	case name == "":
		return errors.New("name must not be empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("name is %d bytes long; the limit is %d", len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return errors.New("name is not valid UTF-8")
	case strings.ContainsRune(name, '/'):
		return errors.New("name must not contain '/'")
	case strings.ContainsRune(name, 0):
		return errors.New("name must not contain NUL")
	}
	return nil
}

// ValidateJunctionPath checks a junction (mount) path: empty (unmounted) or
// an absolute path starting with '/', at most 4096 bytes, without NUL.
func ValidateJunctionPath(p string) error {
	if problem := junctionProblem(p); problem != nil {
		return &Error{Op: "ValidateJunctionPath", Kind: KindInvalidArgument, Err: problem}
	}
	return nil
}

func junctionProblem(p string) error {
	var problem error
	switch {
	case p == "":
	case p[0] != '/':
		problem = fmt.Errorf("junction path must start with '/' (got %q)", text.Truncate(p, 64))
	case len(p) > 4096:
		problem = errors.New("junction path is longer than 4096 bytes")
	case strings.ContainsRune(p, 0) || !utf8.ValidString(p):
		problem = errors.New("junction path must be valid UTF-8 without NUL")
	}
	return problem
}

func validateText(field, s string, max int) error {
	switch {
	case len(s) > max:
		return fmt.Errorf("%s is %d bytes long; the limit is %d", field, len(s), max)
	case strings.ContainsRune(s, 0) || !utf8.ValidString(s):
		return fmt.Errorf("%s must be valid UTF-8 without NUL", field)
	}
	return nil
}

// Validate checks every field of a create request. It returns nil or an
// error of kind [ErrInvalidArgument].
func (s VolumeSpec) Validate() error {
	if err := nameProblem(s.Name); err != nil {
		return invalid("CreateVolume", ResourceVolume, s.Name, err)
	}
	if err := junctionProblem(s.JunctionPath); err != nil {
		return invalid("CreateVolume", ResourceVolume, s.Name, err)
	}
	if err := validateText("export policy", s.ExportPolicy, MaxNameLen); err != nil {
		return invalid("CreateVolume", ResourceVolume, s.Name, err)
	}
	if err := validateText("comment", s.Comment, MaxCommentLen); err != nil {
		return invalid("CreateVolume", ResourceVolume, s.Name, err)
	}
	return nil
}

// Validate checks every set field of a volume patch on its own; rules that
// depend on stored state (name collisions, mounting an offline volume) are
// the backend's. It returns nil or an error of kind [ErrInvalidArgument].
func (p VolumePatch) Validate() error {
	if p.Name != nil {
		if err := nameProblem(*p.Name); err != nil {
			return invalid("PatchVolume", ResourceVolume, *p.Name, err)
		}
	}
	if p.State != nil && !p.State.Valid() {
		return invalid("PatchVolume", ResourceVolume, "", fmt.Errorf("%q is not a volume state (want online, offline or restricted)", text.Truncate(string(*p.State), 32)))
	}
	if p.JunctionPath != nil {
		if err := junctionProblem(*p.JunctionPath); err != nil {
			return invalid("PatchVolume", ResourceVolume, "", err)
		}
	}
	if p.ExportPolicy != nil {
		if err := validateText("export policy", *p.ExportPolicy, MaxNameLen); err != nil {
			return invalid("PatchVolume", ResourceVolume, "", err)
		}
	}
	if p.Comment != nil {
		if err := validateText("comment", *p.Comment, MaxCommentLen); err != nil {
			return invalid("PatchVolume", ResourceVolume, "", err)
		}
	}
	return nil
}

// Validate checks every set field of a snapshot patch. It returns nil or an
// error of kind [ErrInvalidArgument].
func (p SnapshotPatch) Validate() error {
	if p.Name != nil {
		if err := nameProblem(*p.Name); err != nil {
			return invalid("PatchSnapshot", ResourceSnapshot, *p.Name, err)
		}
	}
	if p.Comment != nil {
		if err := validateText("comment", *p.Comment, MaxCommentLen); err != nil {
			return invalid("PatchSnapshot", ResourceSnapshot, "", err)
		}
	}
	return nil
}

func invalid(op string, r Resource, name string, err error) error {
	return &Error{Op: op, Kind: KindInvalidArgument, Resource: r, Name: text.Truncate(name, 64), Err: err}
}
