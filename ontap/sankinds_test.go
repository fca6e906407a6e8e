package ontap_test

import (
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

// fakeView is an ontap.View over fixed records.
type fakeView map[string][]ontap.Extra

func (v fakeView) Get(kind, id string) (ontap.Extra, bool) { return nil, false }

func (v fakeView) Find(kind string, match func(ontap.Extra) bool) []ontap.Extra {
	var out []ontap.Extra
	for _, r := range v[kind] {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

func (v fakeView) SVM(uuid string) (ontap.Extra, bool) { return nil, false }
func (v fakeView) Node() ontap.Extra                   { return ontap.Extra{"name": "n1", "uuid": "u1"} }

// TestLUNPathFollowsLocation: a LUN's name is derived from its location,
// so a volume's rename (its reference's new name) re-paths it.
func TestLUNPathFollowsLocation(t *testing.T) {
	for _, c := range []struct {
		loc  ontap.Extra
		want string
	}{
		{ontap.Extra{"volume": ontap.Extra{"name": "v2"}, "logical_unit": "l"}, "/vol/v2/l"},
		{ontap.Extra{"volume": ontap.Extra{"name": "v2"}, "qtree": ontap.Extra{"name": "q"}, "logical_unit": "l"}, "/vol/v2/q/l"},
	} {
		got := ontap.LUNKind.Complete(ontap.Extra{"name": "/vol/v1/l", "location": c.loc})
		if n := ontap.LookupString(got, "name"); n != c.want {
			t.Errorf("%v: name %q, want %q", c.loc, n, c.want)
		}
	}
}

// TestLUNMapPlace: a map's number is the requested one if free in its
// igroup, else the lowest free one; numbers of other igroups do not count.
func TestLUNMapPlace(t *testing.T) {
	m := func(ig string, n int64) ontap.Extra {
		return ontap.Extra{"igroup": ontap.Extra{"uuid": ig, "name": ig}, "logical_unit_number": n}
	}
	v := fakeView{"lun_map": {m("g1", 0), m("g1", 1), m("g1", 3), m("g2", 2)}}
	for _, c := range []struct {
		rec  ontap.Extra
		want int64
		code string
	}{
		{m("g1", 2), 2, ""},
		{ontap.Extra{"igroup": ontap.Extra{"uuid": "g1"}}, 2, ""},
		{ontap.Extra{"igroup": ontap.Extra{"uuid": "g3"}}, 0, ""},
		{m("g1", 3), 0, "1"},
		{m("g1", 4096), 0, "2"},
	} {
		got, err := ontap.LUNMapKind.Place(v, c.rec, nil)
		if c.code != "" {
			if e, ok := err.(*ontap.Error); !ok || e.Code != c.code {
				t.Errorf("%v: %v, want code %s", c.rec, err, c.code)
			}
			continue
		}
		if n, _ := ontap.LookupInt(got, "logical_unit_number"); err != nil || n != c.want {
			t.Errorf("%v: %d, %v; want %d", c.rec, n, err, c.want)
		}
	}
}

// TestSANKindDefaults: an igroup's initiators are kept in canonical lower
// case and its protocol defaults to mixed; a credential that leaves CHAP
// drops its CHAP settings.
func TestSANKindDefaults(t *testing.T) {
	ig := ontap.IgroupKind.Defaults(ontap.Extra{"initiators": []any{ontap.Extra{"name": "IQN.1993-08.org.Debian:01:AB"}}})
	if got := ontap.InitiatorNames(ig); len(got) != 1 || got[0] != "iqn.1993-08.org.debian:01:ab" || ontap.LookupString(ig, "protocol") != "mixed" {
		t.Errorf("igroup defaults: %v", ig)
	}
	c := ontap.ISCSICredentialKind.Complete(ontap.Extra{"initiator": "IQN.X", "authentication_type": "NONE",
		"chap": ontap.Extra{"inbound": ontap.Extra{"user": "u"}}})
	if c["chap"] != nil || ontap.LookupString(c, "authentication_type") != "none" || ontap.LookupString(c, "initiator") != "iqn.x" {
		t.Errorf("credential: %v", c)
	}
}

func (v fakeView) Volume(ontap.Ref) (ontap.VolumeRoom, bool, error) {
	return ontap.VolumeRoom{}, false, nil
}
