// Command loadtest measures the ONTAP REST server over real HTTP on
// loopback: requests per second and p50/p99 latency for GET volume, list
// (1k volumes), create+delete and snapshot+clone, at several client
// concurrencies. It prints a Markdown table. The "bare" scenario serves
// GET volume's answer from a bare net/http handler in the same run, the
// floor "get" is compared with.
//
//	go run ./server/loadtest                     # HTTPS, 1/16/64 clients, 5 s each
//	go run ./server/loadtest -http -duration 2s  # plain HTTP, shorter
package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/server"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long each scenario runs at each concurrency")
	clientsFlag := flag.String("clients", "1,16,64", "comma-separated client concurrencies")
	scenariosFlag := flag.String("scenarios", "get,bare,list,create-delete,snapshot-clone", "comma-separated scenarios (bare: a static net/http handler serving GET volume's answer, the floor for get)")
	plain := flag.Bool("http", false, "plain HTTP instead of HTTPS")
	listSize := flag.Int("volumes", 1000, "volumes present for the list scenario")
	repeat := flag.Int("repeat", 1, "run each cell this many times and report the run with the median req/s (damps noise on a shared machine)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (client and server together) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	var clients []int
	for _, c := range strings.Split(*clientsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			log.Fatalf("bad -clients %q", *clientsFlag)
		}
		clients = append(clients, n)
	}
	proto := "HTTPS"
	if *plain {
		proto = "HTTP"
	}
	fmt.Printf("GOMAXPROCS=%d, %s over loopback, %v per run, median of %d run(s) per cell, go %s\n\n", runtime.GOMAXPROCS(0), proto, *duration, max(*repeat, 1), runtime.Version())
	fmt.Println("| scenario | clients | req/s | p50 | p99 | errors |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	var scenarios []string
	for _, sc := range strings.Split(*scenariosFlag, ",") {
		scenarios = append(scenarios, strings.TrimSpace(sc))
	}
	// Rounds alternate the scenarios at each concurrency (get, bare, get,
	// bare, ...), so a change in the machine's load hits them alike.
	type cell struct {
		sc string
		c  int
	}
	runs := map[cell][]result{}
	for _, c := range clients {
		for range max(*repeat, 1) {
			for _, sc := range scenarios {
				// A fresh server per run, so one run's leftovers (jobs,
				// volumes) do not slow the next.
				env := newEnv(*plain, c)
				run, err := env.prepare(sc, *listSize)
				if err != nil {
					log.Fatalf("%s: %v", sc, err)
				}
				k := cell{sc, c}
				runs[k] = append(runs[k], measure(c, *duration, run))
				env.close()
			}
		}
	}
	for _, sc := range scenarios {
		for _, c := range clients {
			rs := runs[cell{sc, c}]
			slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
			res := rs[len(rs)/2]
			fmt.Printf("| %s | %d | %.0f | %s | %s | %d |\n", sc, c, res.rps, fmtDur(res.p50), fmtDur(res.p99), res.errors)
		}
	}
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

type env struct {
	ts     *httptest.Server
	api    *server.Server
	client *http.Client
	base   string
	plain  bool
	bare   *httptest.Server // the "bare" scenario's static server, if started
}

const user, pass = "admin", "load"

func newEnv(plain bool, clients int) *env {
	api, err := server.New(mem.New(nil), &server.Options{Username: user, Password: pass})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(api)
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	if plain {
		ts.Start()
	} else {
		ts.StartTLS()
		tr.TLSClientConfig = ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	}
	return &env{ts: ts, api: api, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: ts.URL, plain: plain}
}

func (e *env) close() {
	e.client.CloseIdleConnections()
	if e.bare != nil {
		e.bare.Close()
	}
	e.ts.Close()
	e.api.Close()
}

// call does one request and decodes a JSON object answer into out (if
// not nil); any status other than want is an error.
func (e *env) call(method, path string, body any, want int, out any) error {
	return e.callURL(method, e.base+path, body, want, out)
}

// callURL is call with a full URL.
func (e *env) callURL(method, url string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, pass)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

type created struct {
	Records []struct {
		UUID string `json:"uuid"`
	} `json:"records"`
}

func (e *env) createVolume(name string) (string, error) {
	var out created
	err := e.call("POST", "/api/storage/volumes?return_records=true", map[string]any{
		"name": name, "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}, "size": 1 << 30,
	}, http.StatusAccepted, &out)
	if err != nil {
		return "", err
	}
	if len(out.Records) != 1 {
		return "", errors.New("create: no record")
	}
	return out.Records[0].UUID, nil
}

// op is one scenario iteration by worker w (iteration i); it reports each
// request's latency through rec.
type op func(w, i int, rec func(time.Duration)) error

func (e *env) timed(rec func(time.Duration), f func() error) error {
	start := time.Now()
	err := f()
	rec(time.Since(start))
	return err
}

func (e *env) prepare(sc string, listSize int) (op, error) {
	switch sc {
	case "get":
		id, err := e.createVolume("getme")
		if err != nil {
			return nil, err
		}
		path := "/api/storage/volumes/" + id
		return func(_, _ int, rec func(time.Duration)) error {
			return e.timed(rec, func() error { return e.call("GET", path, nil, http.StatusOK, nil) })
		}, nil
	case "bare":
		// The floor under "get": a bare net/http handler that answers
		// every request with the bytes and headers GET volume returned
		// once, with no auth, routing, backend or encoding, served and
		// driven the same way (same transport, same TLS setting).
		id, err := e.createVolume("getme")
		if err != nil {
			return nil, err
		}
		req, _ := http.NewRequest("GET", e.base+"/api/storage/volumes/"+id, nil)
		req.SetBasicAuth(user, pass)
		res, err := e.client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		hdr := res.Header.Clone()
		hdr.Del("Date")
		hdr.Del("Content-Length")
		e.bare = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			for k, v := range hdr {
				h[k] = v
			}
			_, _ = w.Write(body)
		}))
		if e.plain {
			e.bare.Start()
		} else {
			e.bare.StartTLS()
			tr := e.client.Transport.(*http.Transport)
			tr.TLSClientConfig.RootCAs = e.bare.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
		}
		url := e.bare.URL + "/api/storage/volumes/" + id
		return func(_, _ int, rec func(time.Duration)) error {
			return e.timed(rec, func() error { return e.callURL("GET", url, nil, http.StatusOK, nil) })
		}, nil
	case "list":
		for i := range listSize {
			if _, err := e.createVolume(fmt.Sprintf("vol_%05d", i)); err != nil {
				return nil, err
			}
		}
		return func(_, _ int, rec func(time.Duration)) error {
			var out struct {
				NumRecords int `json:"num_records"`
			}
			err := e.timed(rec, func() error { return e.call("GET", "/api/storage/volumes", nil, http.StatusOK, &out) })
			if err == nil && out.NumRecords != listSize {
				err = fmt.Errorf("list: %d records", out.NumRecords)
			}
			return err
		}, nil
	case "create-delete":
		return func(w, i int, rec func(time.Duration)) error {
			var id string
			if err := e.timed(rec, func() (err error) { id, err = e.createVolume(fmt.Sprintf("cd_%d_%d", w, i)); return }); err != nil {
				return err
			}
			return e.timed(rec, func() error { return e.call("DELETE", "/api/storage/volumes/"+id, nil, http.StatusAccepted, nil) })
		}, nil
	case "snapshot-clone":
		// One parent per worker, prepared lazily; each iteration takes a
		// snapshot, clones it, then deletes the clone and the snapshot.
		var mu sync.Mutex
		parents := map[int]string{}
		return func(w, i int, rec func(time.Duration)) error {
			mu.Lock()
			parent, ok := parents[w]
			mu.Unlock()
			if !ok {
				var err error
				if parent, err = e.createVolume(fmt.Sprintf("parent_%d", w)); err != nil {
					return err
				}
				mu.Lock()
				parents[w] = parent
				mu.Unlock()
			}
			snapName := fmt.Sprintf("s_%d", i)
			var snap, clone created
			err := e.timed(rec, func() error {
				return e.call("POST", "/api/storage/volumes/"+parent+"/snapshots?return_records=true", map[string]any{"name": snapName}, http.StatusAccepted, &snap)
			})
			if err != nil {
				return err
			}
			err = e.timed(rec, func() error {
				return e.call("POST", "/api/storage/volumes?return_records=true", map[string]any{
					"name": fmt.Sprintf("c_%d_%d", w, i), "svm": map[string]any{"name": "svm0"},
					"clone": map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"uuid": parent}, "parent_snapshot": map[string]any{"name": snapName}},
				}, http.StatusAccepted, &clone)
			})
			if err != nil {
				return err
			}
			if len(snap.Records) != 1 || len(clone.Records) != 1 {
				return errors.New("snapshot-clone: missing records")
			}
			if err := e.timed(rec, func() error {
				return e.call("DELETE", "/api/storage/volumes/"+clone.Records[0].UUID, nil, http.StatusAccepted, nil)
			}); err != nil {
				return err
			}
			return e.timed(rec, func() error {
				return e.call("DELETE", "/api/storage/volumes/"+parent+"/snapshots/"+snap.Records[0].UUID, nil, http.StatusAccepted, nil)
			})
		}, nil
	}
	return nil, fmt.Errorf("unknown scenario %q", sc)
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

func measure(clients int, d time.Duration, run op) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	lat := make([][]time.Duration, clients)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := func(x time.Duration) { lat[w] = append(lat[w], x) }
			for i := 0; ctx.Err() == nil; i++ {
				if err := run(w, i, rec); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(os.Stderr, "first error:", e)
	}
	if len(all) == 0 {
		return result{errors: errs.Load()}
	}
	return result{
		rps:    float64(len(all)) / elapsed.Seconds(),
		p50:    all[len(all)*50/100],
		p99:    all[min(len(all)*99/100, len(all)-1)],
		errors: errs.Load(),
	}
}
