package durable_test

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/nessie-go/nessie/backend"
)

func ptr[T any](v T) *T { return &v }

func name(w, i int) string { return fmt.Sprintf("w%d_v%d", w, i) }

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// diffStates describes the first difference between two exports, or "".
func diffStates(a, b *backend.State) string {
	if len(a.Volumes) != len(b.Volumes) {
		return fmt.Sprintf("%d volumes, then %d", len(a.Volumes), len(b.Volumes))
	}
	byID := map[string]backend.VolumeRecord{}
	for _, v := range b.Volumes {
		if len(v.Snapshots) == 0 {
			v.Snapshots = nil
		}
		byID[v.Volume.ID.String()] = v
	}
	for _, v := range a.Volumes {
		if len(v.Snapshots) == 0 {
			v.Snapshots = nil
		}
		w, ok := byID[v.Volume.ID.String()]
		if !ok {
			return fmt.Sprintf("volume %s (%s) is missing", v.Volume.Name, v.Volume.ID)
		}
		if !reflect.DeepEqual(v, w) {
			return fmt.Sprintf("volume %s: %+v, then %+v", v.Volume.Name, v, w)
		}
	}
	return ""
}
