package ontap

import (
	"bufio"
	"embed"
	"reflect"
	"strings"
)

// Real ONTAP has hundreds of volume and snapshot fields; nessie serves the
// ones its backends model. Clients ask for many of the others by name in
// `fields=` (Ansible's na_ontap_volume asks for tiering.object_tags,
// space.logical_space.*, snaplock, files.maximum, …), and real ONTAP accepts
// every field of its schema there. So a `fields=` entry that names a real
// ONTAP field nessie does not serve is accepted and simply absent from the
// records, while a name ONTAP does not know still fails with 262197.
//
// The lists hold ONTAP's field paths up to three levels deep, derived from
// the resource schemas of NetApp's netapp-ontap Python SDK 9.16.1
// (compat/sdk/gen_ontap_fields.py regenerates them); deeper paths are
// judged by their first three levels.

//go:embed ontapfields/*.txt
var ontapFieldFiles embed.FS

// knownONTAPFieldDepth is how many dotted levels the lists hold.
const knownONTAPFieldDepth = 3

var knownONTAPFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[Volume]():   loadFieldList("ontapfields/volume.txt"),
	reflect.TypeFor[Snapshot](): loadFieldList("ontapfields/snapshot.txt"),
}

func loadFieldList(name string) map[string]bool {
	f, err := ontapFieldFiles.Open(name)
	if err != nil {
		panic("ontap: embedded field list missing: " + name)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			set[line] = true
		}
	}
	return set
}

// isKnownONTAPField reports whether path names a field of the real ONTAP
// resource that s describes.
func (s *Schema) isKnownONTAPField(path string) bool {
	known := knownONTAPFields[s.typ]
	if known == nil {
		return false
	}
	parts := strings.SplitN(path, ".", knownONTAPFieldDepth+1)
	if len(parts) > knownONTAPFieldDepth {
		parts = parts[:knownONTAPFieldDepth]
	}
	return known[strings.Join(parts, ".")]
}
