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

// Validate checks every field of a create request: the name, the state
// ("" or a valid state), the junction path (none unless the state is
// online), the export policy, the comment and the attributes (a JSON object
// of at most MaxAttributesLen bytes). It returns nil or an error of kind
// [ErrInvalidArgument].
func (s VolumeSpec) Validate() error {
	if err := nameProblem(s.Name); err != nil {
		return invalid("CreateVolume", ResourceVolume, s.Name, err)
	}
	return validateVolumeFields("CreateVolume", s.Name, s.State, s.JunctionPath, s.ExportPolicy, s.Comment, s.Attributes)
}

// validateVolumeFields checks what VolumeSpec and CloneSpec share, apart
// from the name.
func validateVolumeFields(op, name string, state VolumeState, junction, policy, comment string, attrs []byte) error {
	if state != "" && !state.Valid() {
		return invalid(op, ResourceVolume, name, fmt.Errorf("%q is not a volume state (want online, offline or restricted)", text.Truncate(string(state), 32)))
	}
	if err := junctionProblem(junction); err != nil {
		return invalid(op, ResourceVolume, name, err)
	}
	if junction != "" && state != "" && state != StateOnline {
		return invalid(op, ResourceVolume, name, fmt.Errorf("a volume created %s cannot have a junction path", state))
	}
	if err := validateText("export policy", policy, MaxNameLen); err != nil {
		return invalid(op, ResourceVolume, name, err)
	}
	if err := validateText("comment", comment, MaxCommentLen); err != nil {
		return invalid(op, ResourceVolume, name, err)
	}
	if err := attributesProblem(attrs); err != nil {
		return invalid(op, ResourceVolume, name, err)
	}
	return nil
}

// Validate checks every field of a snapshot create request: name, comment
// and attributes. It returns nil or an error of kind [ErrInvalidArgument].
func (s SnapshotSpec) Validate() error {
	if err := nameProblem(s.Name); err != nil {
		return invalid("CreateSnapshot", ResourceSnapshot, s.Name, err)
	}
	if err := validateText("comment", s.Comment, MaxCommentLen); err != nil {
		return invalid("CreateSnapshot", ResourceSnapshot, s.Name, err)
	}
	if err := attributesProblem(s.Attributes); err != nil {
		return invalid("CreateSnapshot", ResourceSnapshot, s.Name, err)
	}
	return nil
}

// Validate checks every field of a clone request that does not depend on
// stored state: the clone's fields as VolumeSpec.Validate does, and
// NewSnapshotName, which must be a valid name when ParentSnapshot is zero
// and empty otherwise. Errors about NewSnapshotName concern the snapshot
// resource. It returns nil or an error of kind [ErrInvalidArgument].
func (s CloneSpec) Validate() error {
	if err := nameProblem(s.Name); err != nil {
		return invalid("CreateClone", ResourceVolume, s.Name, err)
	}
	if err := validateVolumeFields("CreateClone", s.Name, s.State, s.JunctionPath, s.ExportPolicy, s.Comment, s.Attributes); err != nil {
		return err
	}
	return s.validateNewSnapshot(nameProblem)
}

// validateNewSnapshot checks NewSnapshotName against ParentSnapshot, with
// check as the name rule (backends with relaxed names pass their own).
func (s CloneSpec) validateNewSnapshot(check func(string) error) error {
	switch {
	case s.ParentSnapshot.IsZero():
		if err := check(s.NewSnapshotName); err != nil {
			return invalid("CreateClone", ResourceSnapshot, s.NewSnapshotName, fmt.Errorf("new snapshot name: %w", err))
		}
	case s.NewSnapshotName != "":
		return invalid("CreateClone", ResourceSnapshot, s.NewSnapshotName, errors.New("NewSnapshotName is set, but ParentSnapshot names an existing snapshot"))
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
	if p.Attributes != nil {
		if err := attributesProblem(p.Attributes); err != nil {
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
	if p.Attributes != nil {
		if err := attributesProblem(p.Attributes); err != nil {
			return invalid("PatchSnapshot", ResourceSnapshot, "", err)
		}
	}
	return nil
}

func invalid(op string, r Resource, name string, err error) error {
	return &Error{Op: op, Kind: KindInvalidArgument, Resource: r, Name: text.Truncate(name, 64), Err: err}
}
