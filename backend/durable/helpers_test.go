package durable_test

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/nessie-go/nessie/fixture"
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
func diffStates(a, b *fixture.State) string {
	if len(a.Volumes) != len(b.Volumes) {
		return fmt.Sprintf("%d volumes, then %d", len(a.Volumes), len(b.Volumes))
	}
	for i := range a.Volumes {
		if !reflect.DeepEqual(a.Volumes[i], b.Volumes[i]) {
			return fmt.Sprintf("volume %d: %+v, then %+v", i, a.Volumes[i], b.Volumes[i])
		}
	}
	return ""
}
