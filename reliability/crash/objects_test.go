package crash

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestCrashKeepsObjects: export policies (each with a rule) and igroups
// created by two clients while the daemon is killed with SIGKILL are all
// there after the restart if their creation was acknowledged (those in
// flight at the kill may or may not be).
func TestCrashKeepsObjects(t *testing.T) {
	d := newDaemon(t)
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	tg := d.target()
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	acked := map[string][]string{}
	var wg sync.WaitGroup
	client := func(kind string, create func(i int) bool) {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			if create(i) {
				mu.Lock()
				acked[kind] = append(acked[kind], fmt.Sprintf("%s%d", kind, i))
				mu.Unlock()
			}
		}
	}
	wg.Add(2)
	go client("p", func(i int) bool {
		r, err := tg.Do(ctx, "POST", "/api/protocols/nfs/export-policies?return_records=true", map[string]any{"name": fmt.Sprintf("p%d", i), "svm": map[string]any{"name": "svm0"}})
		if err != nil || r.Status != 201 {
			return false
		}
		var rec struct{ Records []struct{ ID int64 } }
		if json.Unmarshal(r.Body, &rec) != nil || len(rec.Records) != 1 {
			return false
		}
		r, err = tg.Do(ctx, "POST", fmt.Sprintf("/api/protocols/nfs/export-policies/%d/rules", rec.Records[0].ID), map[string]any{"clients": []any{map[string]any{"match": "10.0.0.0/8"}}})
		return err == nil && r.Status == 201
	})
	go client("g", func(i int) bool {
		r, err := tg.Do(ctx, "POST", "/api/protocols/san/igroups", map[string]any{"name": fmt.Sprintf("g%d", i), "os_type": "linux", "svm": map[string]any{"name": "svm0"}})
		return err == nil && r.Status == 201
	})
	time.Sleep(300 * time.Millisecond)
	d.kill() // SIGKILL, with requests in flight
	stop()
	wg.Wait()
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	names := func(path string) map[string]int {
		r, err := tg.Do(context.Background(), "GET", path, nil)
		if err != nil || r.Status != 200 {
			t.Fatalf("GET %s: %v %v", path, r, err)
		}
		var l struct {
			Records []struct {
				Name  string
				Rules []json.RawMessage
			}
		}
		if err := json.Unmarshal(r.Body, &l); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, rec := range l.Records {
			out[rec.Name] = len(rec.Rules)
		}
		return out
	}
	policies := names("/api/protocols/nfs/export-policies?fields=name,rules&max_records=100000")
	igroups := names("/api/protocols/san/igroups?fields=name&max_records=100000")
	if len(acked["p"]) == 0 || len(acked["g"]) == 0 {
		t.Fatalf("nothing was acknowledged before the kill: %v", acked)
	}
	for _, p := range acked["p"] {
		if n, ok := policies[p]; !ok || n != 1 {
			t.Fatalf("acknowledged export policy %s (with one rule) after the crash: present %v, %d rules", p, ok, n)
		}
	}
	for _, g := range acked["g"] {
		if _, ok := igroups[g]; !ok {
			t.Fatalf("acknowledged igroup %s is gone after the crash", g)
		}
	}
	t.Logf("acknowledged before SIGKILL and kept: %d export policies with rules, %d igroups", len(acked["p"]), len(acked["g"]))
}
