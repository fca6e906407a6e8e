package backendtest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// TestCaseNamesAreStableSentences guards the public face of the suite: case
// names are unique CamelCase paths whose first part matches the tier, no
// case shares a name with a group, and every case states its rule.
func TestCaseNamesAreStableSentences(t *testing.T) {
	all := selectCases(backend.Capabilities{Snapshots: true, Clones: true, Replication: true})
	part := regexp.MustCompile(`^[A-Z][A-Za-z0-9]+$`)
	names := make(map[string]bool)
	groups := make(map[string]bool)
	for _, c := range all {
		parts := strings.Split(c.name, "/")
		if len(parts) < 2 || len(parts) > 3 {
			t.Errorf("%s: want Group/Case or Group/Method/Case", c.name)
		}
		for _, p := range parts {
			if !part.MatchString(p) {
				t.Errorf("%s: part %q is not CamelCase", c.name, p)
			}
		}
		if names[c.name] {
			t.Errorf("%s: duplicate case name", c.name)
		}
		names[c.name] = true
		for i := 1; i < len(parts); i++ {
			groups[strings.Join(parts[:i], "/")] = true
		}
		if c.rule == "" || c.run == nil {
			t.Errorf("%s: no rule or no body", c.name)
		}
		wantTier := map[string]tier{"Snapshot": tierSnapshot, "Clone": tierClone, "Replication": tierReplication, "Restore": tierClone}[parts[0]]
		if c.tier != wantTier {
			t.Errorf("%s: needs tier %d, but its group %s implies tier %d", c.name, c.tier, parts[0], wantTier)
		}
	}
	for n := range names {
		if groups[n] {
			t.Errorf("%s is both a case and a group", n)
		}
	}
}

func TestTiersSelectCases(t *testing.T) {
	count := func(c backend.Capabilities, prefix string) int {
		n := 0
		for _, tc := range selectCases(c) {
			if strings.HasPrefix(tc.name, prefix) {
				n++
			}
		}
		return n
	}
	volOnly := backend.Capabilities{}
	if count(volOnly, "Capabilities/") != 4 || count(volOnly, "Volume/") == 0 {
		t.Error("a volume-only backend must still get the capability and volume cases")
	}
	for _, p := range []string{"Snapshot/", "Clone/", "Replication/"} {
		if n := count(volOnly, p); n != 0 {
			t.Errorf("a volume-only backend got %d %s cases", n, p)
		}
	}
	snapRepl := backend.Capabilities{Snapshots: true, Replication: true}
	if count(snapRepl, "Clone/") != 0 || count(snapRepl, "Replication/") == 0 || count(snapRepl, "Snapshot/") == 0 {
		t.Error("snapshots+replication must select snapshot and replication cases but no clone cases")
	}
}

func TestBuildTreeNestsInFirstSeenOrder(t *testing.T) {
	cs := []*testCase{{name: "B/X/One"}, {name: "A/Two"}, {name: "B/Y/Three"}, {name: "B/X/Four"}}
	roots := buildTree(cs)
	var got []string
	var walk func(prefix string, ns []*node)
	walk = func(prefix string, ns []*node) {
		for _, n := range ns {
			if n.c != nil {
				got = append(got, prefix+n.name)
			}
			walk(prefix+n.name+"/", n.kids)
		}
	}
	walk("", roots)
	want := "B/X/One B/X/Four B/Y/Three A/Two"
	if strings.Join(got, " ") != want {
		t.Errorf("tree order %q, want %q", strings.Join(got, " "), want)
	}
}
