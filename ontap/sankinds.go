package ontap

import (
	"slices"
	"strings"
)

// The SAN kinds (LUNKind in lun.go, IgroupKind in igroup.go, LUNMapKind
// in lunmap.go, ISCSIServiceKind and ISCSICredentialKind in iscsi.go),
// each next to its rules. Their records live in package server's object
// store like every other kind (referential integrity, cascades, one
// journal record per change) and are served by its generic handlers; what
// their rules need beyond the NAS kinds' they get through hooks that give
// a View of related records and volumes (Prepare, Place, NotFound,
// Render), parents that cascade only on request (CascadeWith) or go with
// their last child (DropLast), and the volume hooks (Complete after a
// rename, CloneVolume). This file holds what they share.

func intAt(rec Extra, path string) *int64 {
	if v, ok := LookupInt(rec, path); ok {
		return &v
	}
	return nil
}

func stringAt(rec Extra, path string) *string {
	if v, ok := Lookup(rec, path).(string); ok {
		return &v
	}
	return nil
}

func linkTo(href string) Extra { return Extra{"self": Extra{"href": href}} }

// sortedBy orders records by a string field (deterministic renders).
func sortedBy(recs []Extra, path string) []Extra {
	slices.SortFunc(recs, func(a, b Extra) int { return strings.Compare(LookupString(a, path), LookupString(b, path)) })
	return recs
}
