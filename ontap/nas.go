package ontap

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// ONTAP's export-policy codes (from the error tables of ONTAP's REST
// documentation for /protocols/nfs/export-policies and its rules; 1704070
// is the code Trident's REST driver treats as "rule already exists").
const (
	CodePolicyInUseByVolume  = 1703945 // ruleset in use by a volume
	CodePolicyDefault        = 1703947 // cannot delete the default ruleset
	CodePolicyNameInvalid    = 1703952 // no spaces in a ruleset name
	CodePolicyInUseByQtree   = 1703953 // ruleset in use by a qtree
	CodePolicyNotFound       = 1703954 // export policy does not exist
	CodeClientMatchInvalid   = 1704039 // invalid clientmatch
	CodePolicyNameTooLong    = 1704047 // name longer than 256 characters
	CodeExportRuleDuplicate  = 1704070 // the same rule exists in the policy
	CodeExportPolicyNotValid = 918271  // a volume names no valid export policy
)

// DefaultPolicyID is the id of the first SVM's default export policy;
// policies created later are numbered after it.
const DefaultPolicyID = 12884901889

// ExportPolicyKind is /api/protocols/nfs/export-policies: named per SVM,
// integer ids; every SVM has a "default" policy, which cannot be deleted;
// a policy a volume or qtree uses cannot be deleted; deleting a policy
// deletes its rules; its record shows its rules (fields=rules).
var ExportPolicyKind = &Kind{
	Object:  schema.ExportPolicy,
	Label:   "export policy",
	Path:    "/api/protocols/nfs/export-policies",
	Key:     "id",
	FirstID: DefaultPolicyID,
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm"}},
	Embeds:  []Embed{{Field: "rules", Kind: "export_rule"}},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "name", "Export policy %q already exists in this SVM.", text.Truncate(name, 64))
	}),
	Builtin: func(svm Extra) []Extra {
		return []Extra{{"name": DefaultExportPolicy, "svm": svm}}
	},
	Create: func(rec Extra) error {
		if Lookup(rec, "rules") != nil {
			return ErrNotSettable("rules") // create rules at /rules
		}
		return checkPolicyName(LookupString(rec, "name"))
	},
	Patch: func(old, patch Extra, paths []string) error {
		if Lookup(patch, "rules") != nil {
			return ErrNotSettable("rules")
		}
		if _, ok := patch["name"]; ok {
			if LookupString(old, "name") == DefaultExportPolicy {
				return Errorf(http.StatusBadRequest, CodePolicyDefault, "name", "The default export policy cannot be renamed.")
			}
			return checkPolicyName(LookupString(patch, "name"))
		}
		return nil
	},
	Delete: func(rec Extra) error {
		if LookupString(rec, "name") == DefaultExportPolicy {
			return Errorf(http.StatusBadRequest, CodePolicyDefault, "id",
				"Cannot delete default ruleset. This ruleset will be deleted when the owning Vserver is deleted.")
		}
		return nil
	},
}

func checkPolicyName(name string) error {
	switch {
	case name == "":
		return ErrRequired("name")
	case len(name) > 256:
		return Errorf(http.StatusBadRequest, CodePolicyNameTooLong, "name", "The export policy name cannot be longer than 256 characters.")
	case strings.ContainsAny(name, " \t\n\r"):
		return Errorf(http.StatusBadRequest, CodePolicyNameInvalid, "name", "Invalid ruleset name provided. No spaces are allowed in a ruleset name.")
	}
	return nil
}

// ExportRuleKind is /api/protocols/nfs/export-policies/{policy.id}/rules:
// rules numbered from 1 in their policy (index), at least one
// clients.match, ro_rule and rw_rule defaulting to "any" and superuser to
// "none"; the same rule twice in a policy is refused with 1704070.
var ExportRuleKind = &Kind{
	Object:  schema.ExportRule,
	Label:   "export rule",
	Path:    "/api/protocols/nfs/export-policies/{policy.id}/rules",
	Key:     "index",
	Scope:   "policy",
	Always:  []string{},
	Parents: []Parent{{Field: "policy", Kind: "export_policy", Cascade: true}, {Field: "svm", Kind: "svm", Derived: true}},
	Conflicts: func(a, b Extra) *Error {
		for _, f := range []string{"protocols", "ro_rule", "rw_rule", "superuser"} {
			if !sameStrings(Lookup(a, f), Lookup(b, f)) {
				return nil
			}
		}
		if !sameStrings(clientMatches(a), clientMatches(b)) {
			return nil
		}
		return Errorf(http.StatusConflict, CodeExportRuleDuplicate, "clients", "An export rule with the same client match, protocols and access rules already exists in this policy.")
	},
	Defaults: func(rec Extra) Extra {
		for f, v := range map[string][]any{"protocols": {"any"}, "ro_rule": {"any"}, "rw_rule": {"any"}, "superuser": {"none"}} {
			if Lookup(rec, f) == nil {
				rec = With(rec, f, v)
			}
		}
		for f, v := range map[string]any{"anonymous_user": "65534", "allow_suid": true, "allow_device_creation": true,
			"chown_mode": "restricted", "ntfs_unix_security": "fail"} {
			if Lookup(rec, f) == nil {
				rec = With(rec, f, v)
			}
		}
		return rec
	},
	Create: func(rec Extra) error {
		if err := checkClients(rec, true); err != nil {
			return err
		}
		return checkRuleLists(rec)
	},
	Patch: func(old, patch Extra, paths []string) error {
		if _, ok := patch["clients"]; ok {
			if err := checkClients(patch, true); err != nil {
				return err
			}
		}
		return checkRuleLists(patch)
	},
}

// The values of an export rule's lists (ONTAP's export_authentication_flavor
// and export_protocols enums).
var (
	ruleFlavors   = []string{"any", "none", "never", "krb5", "krb5i", "krb5p", "ntlm", "sys"}
	ruleProtocols = []string{"any", "nfs", "nfs3", "nfs4", "cifs", "flexcache"}
)

// checkRuleLists checks the values of ro_rule, rw_rule, superuser and
// protocols where rec sets them.
func checkRuleLists(rec Extra) error {
	for _, f := range []string{"protocols", "ro_rule", "rw_rule", "superuser"} {
		allowed := ruleFlavors
		if f == "protocols" {
			allowed = ruleProtocols
		}
		arr, _ := rec[f].([]any)
		for _, e := range arr {
			s, _ := e.(string)
			if !slices.Contains(allowed, strings.ToLower(s)) {
				return ErrInvalidValue(f, s, strings.Join(allowed, "|"))
			}
		}
	}
	return nil
}

// checkClients requires at least one clients.match and checks each.
func checkClients(rec Extra, required bool) error {
	ms := clientMatches(rec)
	if len(ms) == 0 {
		if !required {
			return nil
		}
		return ErrRequired("clients.match")
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if err := CheckClientMatch(m); err != nil {
			return err
		}
		if seen[m] {
			return Errorf(http.StatusBadRequest, CodeClientMatchInvalid, "clients.match",
				"Invalid clientmatch: clientmatch list contains a duplicate string %q.", text.Truncate(m, 64))
		}
		seen[m] = true
	}
	return nil
}

// CheckClientMatch checks one clients.match value: a host name, an IP
// address, a subnet (address/bits or address/netmask), a @netgroup, a
// .domain, or 0.0.0.0/0 (everyone); no spaces or control characters.
func CheckClientMatch(m string) error {
	bad := func(why string) error {
		return Errorf(http.StatusBadRequest, CodeClientMatchInvalid, "clients.match", "Invalid clientmatch %q: %s.", text.Truncate(m, 64), why)
	}
	switch {
	case m == "":
		return bad("empty")
	case len(m) > 4096:
		return bad("too long")
	case strings.ContainsAny(m, " \t\r\n,\x00"):
		return bad("invalid characters")
	case m == "@" || m == ".":
		return bad("missing name")
	}
	if addr, bits, ok := strings.Cut(m, "/"); ok {
		if addr == "" || bits == "" {
			return bad("missing network")
		}
		for _, c := range addr + bits {
			if !(c >= '0' && c <= '9' || c == '.' || c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return bad("invalid network")
			}
		}
	}
	return nil
}

func clientMatches(rec Extra) []string {
	arr, _ := Lookup(rec, "clients").([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(Extra); ok {
			if s, ok := m["match"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// sameStrings compares two string lists as sets (any case).
func sameStrings(a, b any) bool {
	norm := func(v any) []string {
		var out []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					out = append(out, strings.ToLower(s))
				}
			}
		case []string:
			for _, s := range x {
				out = append(out, strings.ToLower(s))
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}

// SameName returns a Conflicts rule: two records of a kind with the same
// name (in the same scope) clash with the error dup makes.
func SameName(dup func(name string) *Error) func(a, b Extra) *Error {
	return func(a, b Extra) *Error {
		if n := LookupString(a, "name"); n != "" && n == LookupString(b, "name") {
			return dup(n)
		}
		return nil
	}
}

// Codes for objects inside volumes (qtrees, quota rules, ...), from
// ONTAP's error tables for /storage/qtrees and /storage/quota/rules.
const (
	CodeVolumeRefRequired  = 918232  // volume.name or volume.uuid must be provided
	CodeVolumeRefNotFound  = 917927  // the specified volume was not found
	CodeVolumeNotInSVM     = 917525  // the volume does not exist in the named SVM
	CodeQtreeDefault       = 5242894 // "" is the default qtree: reserved, cannot be deleted
	CodeQtreeNameRequired  = 5242953 // a qtree name must be provided
	CodeQtreeNameExists    = 5242972 // that qtree name exists in the volume
	CodeQuotaUserRule      = 5308562 // a user rule needs users, no group
	CodeQuotaGroupRule     = 5308563 // a group rule needs group, no users
	CodeQuotaTreeRule      = 5308564 // a tree rule needs qtree.name, no users or group
	CodeQuotaLimitTooLarge = 5308575 // a soft limit above the hard limit
)

// QtreeKind is /api/storage/qtrees: qtrees inside a volume, ids numbered
// from 1 per volume (PATCH and DELETE at /storage/qtrees/{volume.uuid}/{id});
// every volume also has its default qtree, id 0 and name "", which cannot
// be changed or deleted. A qtree has its own export policy (default:
// "default"), which it keeps in use (1703953), and security style; its
// path is /vol/<volume>/<name>. Deleting the volume deletes its qtrees.
// Mutations are jobs, as on ONTAP.
var QtreeKind = &Kind{
	Object:  schema.Qtree,
	Label:   "qtree",
	Path:    "/api/storage/qtrees",
	Key:     "id",
	Scope:   "volume",
	Always:  []string{"name", "svm", "volume"},
	Parents: []Parent{{Field: "volume", Kind: "volume", Cascade: true}, {Field: "svm", Kind: "svm"}},
	Refs: []KindRef{{Field: "export_policy", Kind: "export_policy", InUse: func(name string) *Error {
		return Errorf(http.StatusConflict, CodePolicyInUseByQtree, "id",
			"This ruleset (%q) is in use by a qtree export policy. It cannot be deleted until all qtree policies that refer to it are first deleted.", text.Truncate(name, 64))
	}}},
	Async:        true,
	CreateParams: []string{"synchronous"},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeQtreeNameExists, "name", "Qtree %q already exists in this volume.", text.Truncate(name, 64))
	}),
	Defaults: func(rec Extra) Extra {
		if Lookup(rec, "security_style") == nil {
			rec = With(rec, "security_style", "unix")
		}
		if Lookup(rec, "unix_permissions") == nil {
			rec = With(rec, "unix_permissions", int64(755))
		}
		if Lookup(rec, "export_policy") == nil {
			rec = With(rec, "export_policy", Extra{"name": DefaultExportPolicy})
		}
		return rec
	},
	Complete: func(rec Extra) Extra {
		return With(rec, "path", "/vol/"+LookupString(rec, "volume.name")+"/"+LookupString(rec, "name"))
	},
	PerVolume: func(vol, svm Extra) Extra {
		name, _ := vol["name"].(string)
		uuid, _ := vol["uuid"].(string)
		return Extra{"id": int64(0), "name": "", "volume": vol, "svm": svm, "path": "/vol/" + name,
			"security_style": "unix", "unix_permissions": int64(755), "export_policy": Extra{"name": DefaultExportPolicy},
			"_links": Extra{"self": Extra{"href": "/api/storage/qtrees/" + uuid + "/0"}}}
	},
	Create: func(rec Extra) error { return checkQtreeName(rec) },
	Patch: func(old, patch Extra, paths []string) error {
		if id, _ := LookupInt(old, "id"); id == 0 {
			return Errorf(http.StatusBadRequest, CodeQtreeDefault, "id", "The default qtree (id 0) of a volume cannot be modified.")
		}
		if _, ok := patch["name"]; ok {
			return checkQtreeName(patch)
		}
		return checkSecurityStyle(patch)
	},
	Delete: func(rec Extra) error {
		if id, _ := LookupInt(rec, "id"); id == 0 {
			return Errorf(http.StatusBadRequest, CodeQtreeDefault, "id", "The default qtree (id 0) of a volume cannot be deleted.")
		}
		return nil
	},
}

// The security styles a qtree may have (the schema gives no enum).
var securityStyles = []string{"unix", "ntfs", "mixed"}

func checkSecurityStyle(rec Extra) error {
	if st, ok := rec["security_style"].(string); ok && !slices.Contains(securityStyles, strings.ToLower(st)) {
		if strings.EqualFold(st, "unified") {
			return Errorf(http.StatusBadRequest, 9437324, "security_style", "The security style unified is not supported.")
		}
		return ErrInvalidValue("security_style", st, strings.Join(securityStyles, "|"))
	}
	return nil
}

func checkQtreeName(rec Extra) error {
	name, ok := rec["name"].(string)
	switch {
	case !ok:
		return Errorf(http.StatusBadRequest, CodeQtreeNameRequired, "name", "Qtree name must be provided.")
	case name == "":
		return Errorf(http.StatusBadRequest, CodeQtreeDefault, "name", `Qtree with empty name "" is not allowed, as that is reserved for the default qtree.`)
	case len(name) > 64 || strings.ContainsAny(name, "/\x00") || name == "." || name == "..":
		return ErrInvalidValue("name", name, "<qtree name: at most 64 characters, no '/'>")
	}
	return checkSecurityStyle(rec)
}

// QuotaRuleKind is /api/storage/quota/rules: tree, user and group quota
// rules of a volume (uuid keys), a tree rule naming a qtree of that volume
// ("" or none: the default rule for every qtree). The same rule twice is
// refused; deleting the qtree or the volume deletes its rules. Mutations
// are jobs.
var QuotaRuleKind = &Kind{
	Object:  schema.QuotaRule,
	Label:   "quota rule",
	Path:    "/api/storage/quota/rules",
	Key:     "uuid",
	Always:  []string{"svm", "volume"},
	Parents: []Parent{{Field: "volume", Kind: "volume", Cascade: true}, {Field: "svm", Kind: "svm"}, {Field: "qtree", Kind: "qtree", Optional: true, Cascade: true}},
	Async:   true,
	Conflicts: func(a, b Extra) *Error {
		if LookupString(a, "type") != LookupString(b, "type") || LookupString(a, "qtree.name") != LookupString(b, "qtree.name") ||
			!sameStrings(userNames(a), userNames(b)) || LookupString(a, "group.name")+LookupString(a, "group.id") != LookupString(b, "group.name")+LookupString(b, "group.id") {
			return nil
		}
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "type", "A %s quota rule for the same target already exists in this volume.", LookupString(a, "type"))
	},
	Create: func(rec Extra) error {
		typ := LookupString(rec, "type")
		users, group := Lookup(rec, "users") != nil, Lookup(rec, "group") != nil
		switch typ {
		case "":
			return ErrRequired("type")
		case "tree":
			if users || group {
				return Errorf(http.StatusBadRequest, CodeQuotaTreeRule, "qtree.name", "qtree.name is a required input for creating a tree rule and users and group are not allowed.")
			}
		case "user":
			if !users || group {
				return Errorf(http.StatusBadRequest, CodeQuotaUserRule, "users", "users is a required input for creating a user rule and group is not allowed.")
			}
		case "group":
			if !group || users {
				return Errorf(http.StatusBadRequest, CodeQuotaGroupRule, "group", "group is a required input for creating a group rule and users is not allowed.")
			}
		}
		return checkLimits(rec)
	},
	Patch: func(old, patch Extra, paths []string) error { return checkLimits(MergeExtra(old, patch)) },
}

// checkLimits refuses a soft limit above its hard limit, or a negative
// one other than -1 (no limit, as Trident sends for a default rule).
func checkLimits(rec Extra) error {
	for _, f := range []string{"space", "files"} {
		hard, hasHard := LookupInt(rec, f+".hard_limit")
		soft, hasSoft := LookupInt(rec, f+".soft_limit")
		for _, v := range []struct {
			n   int64
			has bool
			f   string
		}{{hard, hasHard, f + ".hard_limit"}, {soft, hasSoft, f + ".soft_limit"}} {
			if v.has && v.n < -1 {
				return ErrInvalidValue(v.f, strconv.FormatInt(v.n, 10), "<non-negative integer, or -1 for no limit>")
			}
		}
		if hasHard && hasSoft && hard >= 0 && (soft > hard || soft == -1) {
			return Errorf(http.StatusBadRequest, CodeQuotaLimitTooLarge, f+".soft_limit", "%s.soft_limit is larger than %s.hard_limit.", f, f)
		}
	}
	return nil
}

func userNames(rec Extra) []string {
	arr, _ := Lookup(rec, "users").([]any)
	var out []string
	for _, e := range arr {
		if m, ok := e.(Extra); ok {
			out = append(out, LookupString(m, "name")+"#"+LookupString(m, "id"))
		}
	}
	return out
}
