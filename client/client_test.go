package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/client"
)

func TestNewRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts *client.Options
	}{
		{"", nil},
		{"127.0.0.1:8443", nil},
		{"ftp://host", nil},
		{"https://", nil},
		{"https://admin:pw@host", nil},
		{"https://host/api?x=1", nil},
		{"https://host/other", nil},
		{"https://host", &client.Options{PollInterval: -1}},
		{"https://host", &client.Options{PollTimeout: -1}},
		{"https://host", &client.Options{MaxRecords: -1}},
		{"https://host", &client.Options{Password: "pw"}},
		{"https://host", &client.Options{HTTPClient: &http.Client{}, InsecureSkipVerify: true}},
	} {
		if c, err := client.New(tc.url, tc.opts); err == nil {
			t.Errorf("New(%q, %+v) = %v, want an error", tc.url, tc.opts, c)
		}
	}
	for _, ok := range []string{"https://host", "https://host:8443/", "https://host/api", "http://[::1]:80/api/"} {
		if _, err := client.New(ok, nil); err != nil {
			t.Errorf("New(%q) failed: %v", ok, err)
		}
	}
}

func TestCapabilitiesAgreeWithTiers(t *testing.T) {
	c, err := client.New("https://host", nil)
	if err != nil {
		t.Fatal(err)
	}
	caps := c.Capabilities(context.Background())
	if caps != backend.Tiers(c) {
		t.Errorf("Capabilities %+v disagree with implemented tiers %+v", caps, backend.Tiers(c))
	}
	if !caps.Snapshots || !caps.Clones || caps.Replication {
		t.Errorf("Capabilities = %+v, want snapshots and clones only", caps)
	}
}

func TestRequestsCarryAuthAndClientHeaders(t *testing.T) {
	f := newFake(t)
	f.mux.HandleFunc("GET /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"num_records": 0, "records": []any{}})
	})
	c := f.client(t, &client.Options{Username: "admin", Password: "s3cret", UserAgent: "tests/1"})
	if _, err := c.ListVolumes(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	reqs, hdrs := append([]string(nil), f.reqs...), append([]http.Header(nil), f.hdrs...)
	f.mu.Unlock()
	for i, h := range hdrs {
		req, _ := http.NewRequest("GET", "/", nil)
		req.Header = h
		user, pass, ok := req.BasicAuth()
		if !ok || user != "admin" || pass != "s3cret" {
			t.Errorf("%s: basic auth = %q %q %v", reqs[i], user, pass, ok)
		}
		if h.Get("X-Dot-Client-App") != "tests/1" || h.Get("User-Agent") != "tests/1" {
			t.Errorf("%s: client headers %q / %q", reqs[i], h.Get("X-Dot-Client-App"), h.Get("User-Agent"))
		}
	}
	// The list is scoped to the discovered SVM and names the fields it needs.
	got := reqs
	if len(got) != 2 || !strings.Contains(got[1], "svm.uuid="+svmUUID) || !strings.Contains(got[1], "nas.path") {
		t.Errorf("requests = %q", got)
	}
}

func TestCreateVolumeSendsONTAPBodyAndWaitsForItsJob(t *testing.T) {
	f := newFake(t)
	var body box[map[string]any]
	f.mux.HandleFunc("POST /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("return_records") != "true" || q.Get("return_timeout") != "30" {
			t.Errorf("create without return_records=true and return_timeout=30 (the poll timeout, capped): %s", r.URL)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var b map[string]any
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			t.Error(err)
		}
		body.set(b)
		resp := jobLink(jobUUID)
		resp["num_records"] = 1
		resp["records"] = []any{map[string]any{"uuid": volUUID, "name": "db"}}
		writeJSON(w, http.StatusAccepted, resp)
	})
	f.job(jobUUID, 0, "queued", "running", "running", "success")
	f.serveVolume(volUUID, volumeRecord(volUUID, "db"))
	c := f.client(t, nil)

	v, err := c.CreateVolume(context.Background(), backend.VolumeSpec{
		Name: "db", Size: backend.Bytes(1 << 30), JunctionPath: "/db", ExportPolicy: "default", Comment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"aggregates":[{"name":"aggr0"}],"comment":"c","name":"db","nas":{"export_policy":{"name":"default"},"path":"/db"},"size":1073741824,"svm":{"name":"svm0"}}`
	if got, _ := json.Marshal(body.get()); string(got) != want {
		t.Errorf("create body\n got %s\nwant %s", got, want)
	}
	if n := f.count("GET /api/cluster/jobs/" + jobUUID); n != 4 {
		t.Errorf("polled the job %d times, want 4 (until success)", n)
	}
	wantVol := backend.Volume{
		ID: mustVolumeID(t, volUUID), Name: "db", Size: backend.Bytes(1 << 30), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW, JunctionPath: "/db", ExportPolicy: "default", Comment: "c",
		CreateTime: time.Date(2024, 5, 6, 5, 8, 9, 0, time.UTC), UsedBytes: 4096,
	}
	if !reflect.DeepEqual(v, wantVol) {
		t.Errorf("created volume\n got %+v\nwant %+v", v, wantVol)
	}
	if v.CreateTime.Location() != time.UTC {
		t.Errorf("create time in %v, want UTC", v.CreateTime.Location())
	}
}

func TestCreatedUUIDComesFromLocationOrNameLookup(t *testing.T) {
	t.Run("Location", func(t *testing.T) {
		f := newFake(t)
		f.mux.HandleFunc("POST /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/api/storage/volumes/"+volUUID)
			writeJSON(w, http.StatusAccepted, jobLink(jobUUID))
		})
		f.job(jobUUID, 0, "success")
		f.serveVolume(volUUID, volumeRecord(volUUID, "db"))
		v, err := f.client(t, nil).CreateVolume(context.Background(), backend.VolumeSpec{Name: "db"})
		if err != nil || v.ID.String() != volUUID {
			t.Fatalf("CreateVolume = %v, %v", v.ID, err)
		}
	})
	t.Run("Lookup", func(t *testing.T) {
		f := newFake(t)
		f.mux.HandleFunc("POST /api/storage/volumes/{uuid}/snapshots", func(w http.ResponseWriter, r *http.Request) {
			// ONTAP 9.6: Location is a query and records lack the uuid.
			w.Header().Set("Location", "/api/storage/volumes/"+volUUID+"/snapshots/?name=s1")
			resp := jobLink(jobUUID)
			resp["records"] = []any{map[string]any{"name": "s1"}}
			writeJSON(w, http.StatusAccepted, resp)
		})
		f.job(jobUUID, 0, "success")
		f.mux.HandleFunc("GET /api/storage/volumes/{uuid}/snapshots", func(w http.ResponseWriter, r *http.Request) {
			// A name filter is a pattern that may miss the exact name (or
			// match others); the client then searches the collection.
			if r.URL.Query().Has("name") {
				writeJSON(w, 200, map[string]any{"records": []any{
					map[string]any{"uuid": "00000000-0000-4000-8000-000000000001", "name": "s1x"},
				}})
				return
			}
			writeJSON(w, 200, map[string]any{"records": []any{
				map[string]any{"uuid": "00000000-0000-4000-8000-000000000001", "name": "s1x"},
				map[string]any{"uuid": snapUUID, "name": "s1"},
			}})
		})
		f.mux.HandleFunc("GET /api/storage/volumes/{uuid}/snapshots/{snap}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"uuid": r.PathValue("snap"), "name": "s1", "create_time": "2024-01-01T00:00:00Z",
				"size": 7})
		})
		s, err := f.client(t, nil).CreateSnapshot(context.Background(), mustVolumeID(t, volUUID), backend.SnapshotSpec{Name: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		if s.ID.String() != snapUUID || s.Name != "s1" || s.SizeConsumed != 7 {
			t.Errorf("snapshot = %+v", s)
		}
		if n := f.count("GET /api/storage/volumes/" + volUUID + "/snapshots?"); n != 2 {
			t.Errorf("looked the name up %d times, want 2 (filtered, then the whole collection)", n)
		}
	})
	t.Run("Record", func(t *testing.T) {
		// A complete record in the answer is the snapshot: no read-back,
		// which a concurrent restore could make fail.
		f := newFake(t)
		f.mux.HandleFunc("POST /api/storage/volumes/{uuid}/snapshots", func(w http.ResponseWriter, r *http.Request) {
			resp := jobLink(jobUUID)
			resp["records"] = []any{map[string]any{"uuid": snapUUID, "name": "s1", "create_time": "2024-01-01T00:00:00+01:00", "size": 9, "comment": "x"}}
			writeJSON(w, http.StatusCreated, resp)
		})
		f.job(jobUUID, 0, "success")
		s, err := f.client(t, nil).CreateSnapshot(context.Background(), mustVolumeID(t, volUUID), backend.SnapshotSpec{Name: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		want := backend.Snapshot{ID: mustSnapshotID(t, snapUUID), Name: "s1", CreateTime: time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), SizeConsumed: 9, Comment: "x"}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("snapshot = %+v, want %+v", s, want)
		}
		if n := f.count("GET /api/storage/volumes/"); n != 0 {
			t.Errorf("read the snapshot back %d times", n)
		}
	})
}

func TestTextJSONCannotCarryIsRefusedAfterExistenceChecks(t *testing.T) {
	bad := "bad\xff"
	f := newFake(t)
	f.mux.HandleFunc("GET /api/storage/volumes/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		ontapError(w, 404, "4", "entry doesn't exist", "uuid")
	})
	c := f.client(t, nil)
	ctx := context.Background()
	vol, snap := mustVolumeID(t, volUUID), mustSnapshotID(t, snapUUID)

	_, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: "ok", Comment: bad})
	if !errors.Is(err, backend.ErrInvalidArgument) {
		t.Errorf("CreateVolume with a non-UTF-8 comment: %v, want invalid argument", err)
	}
	_, err = c.PatchVolume(ctx, vol, backend.VolumePatch{Name: &bad})
	if !errors.Is(err, backend.ErrVolumeNotFound) {
		t.Errorf("PatchVolume of a missing volume with a non-UTF-8 name: %v, want volume not found first", err)
	}
	_, err = c.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: bad})
	if !errors.Is(err, backend.ErrVolumeNotFound) {
		t.Errorf("CreateSnapshot on a missing volume with a non-UTF-8 name: %v, want volume not found first", err)
	}
	_, err = c.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol, ParentSnapshot: snap, Name: bad})
	if !errors.Is(err, backend.ErrVolumeNotFound) {
		t.Errorf("CreateClone of a missing parent with a non-UTF-8 name: %v, want volume not found first", err)
	}
	if n := f.count("POST ") + f.count("PATCH "); n != 0 {
		t.Errorf("%d mutations reached the wire; JSON would have altered their text", n)
	}

	// With the objects present, the refusal is invalid argument.
	f.mux.HandleFunc("GET /api/storage/volumes/{v}/snapshots/{s}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"uuid": snapUUID, "name": "s"})
	})
	_, err = c.PatchSnapshot(ctx, vol, snap, backend.SnapshotPatch{Comment: &bad})
	if !errors.Is(err, backend.ErrInvalidArgument) {
		t.Errorf("PatchSnapshot with a non-UTF-8 comment: %v, want invalid argument", err)
	}
}

func TestFailedJobMapsItsCodeToAKind(t *testing.T) {
	for _, tc := range []struct {
		code int
		kind backend.Kind
	}{
		{917526, backend.KindAlreadyExists},
		{524615, backend.KindInUse},
		{1638555, backend.KindInUse},
		{917888, backend.KindInvalidArgument},
		{4, backend.KindNotFound},
		{460770, backend.KindInternal}, // "Job failed": no better kind
	} {
		f := newFake(t)
		f.mux.HandleFunc("DELETE /api/storage/volumes/{uuid}", accepted(jobUUID))
		f.job(jobUUID, tc.code, "running", "failure")
		err := f.client(t, nil).DeleteVolume(context.Background(), mustVolumeID(t, volUUID))
		if got := backend.KindOf(err); got != tc.kind {
			t.Errorf("job code %d: kind %v (%v), want %v", tc.code, got, err, tc.kind)
		}
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Job != jobUUID || ae.Code == "" {
			t.Errorf("job code %d: cause %#v does not name the job and code", tc.code, ae)
		}
		if tc.kind == backend.KindNotFound && !errors.Is(err, backend.ErrVolumeNotFound) {
			t.Errorf("code 4 on a volume delete is %v, want a volume not-found", err)
		}
	}
}

func TestJobCodeWithoutErrorObjectStillCounts(t *testing.T) {
	f := newFake(t)
	f.mux.HandleFunc("DELETE /api/storage/volumes/{uuid}", accepted(jobUUID))
	f.mux.HandleFunc("GET /api/cluster/jobs/"+jobUUID, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"uuid": jobUUID, "state": "failure", "code": 524615, "message": "has clones"})
	})
	err := f.client(t, nil).DeleteVolume(context.Background(), mustVolumeID(t, volUUID))
	if !errors.Is(err, backend.ErrInUse) {
		t.Errorf("err = %v, want in use", err)
	}
}

func TestSynchronousErrorsMapToKindsAndResources(t *testing.T) {
	vol, snap := mustVolumeID(t, volUUID), mustSnapshotID(t, snapUUID)
	for _, tc := range []struct {
		name         string
		status       int
		code, target string
		volExists    bool
		want         error
	}{
		{"volume target", 404, "4", "volume.uuid", true, backend.ErrVolumeNotFound},
		{"snapshot code", 404, "1638600", "", false, backend.ErrSnapshotNotFound},
		{"bare code, volume exists", 404, "4", "uuid", true, backend.ErrSnapshotNotFound},
		{"bare code, volume gone", 404, "4", "uuid", false, backend.ErrVolumeNotFound},
		{"duplicate", 409, "525059", "name", true, backend.ErrAlreadyExists},
		{"unknown code, 400", 400, "77777", "", true, backend.ErrInvalidArgument},
		{"unknown code, 409 (duplicate or busy?)", 409, "77777", "", true, backend.ErrInternal},
		{"known code on a 500", 500, "4", "", true, backend.ErrInternal},
		{"auth", 401, "", "", true, backend.ErrInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.mux.HandleFunc("PATCH /api/storage/volumes/{v}/snapshots/{s}", func(w http.ResponseWriter, r *http.Request) {
				ontapError(w, tc.status, tc.code, "no", tc.target)
			})
			f.mux.HandleFunc("GET /api/storage/volumes/{v}", func(w http.ResponseWriter, r *http.Request) {
				if tc.volExists {
					writeJSON(w, 200, map[string]any{"uuid": volUUID, "name": "v"})
				} else {
					ontapError(w, 404, "4", "entry doesn't exist", "uuid")
				}
			})
			_, err := f.client(t, nil).PatchSnapshot(context.Background(), vol, snap, backend.SnapshotPatch{Name: new("s2")})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var be *backend.Error
			errors.As(err, &be)
			if be.Op != "PatchSnapshot" {
				t.Errorf("Op = %q", be.Op)
			}
			switch tc.want {
			case backend.ErrVolumeNotFound:
				if be.ID != volUUID {
					t.Errorf("ID = %q, want the volume", be.ID)
				}
			case backend.ErrSnapshotNotFound:
				if be.ID != snapUUID {
					t.Errorf("ID = %q, want the snapshot", be.ID)
				}
			}
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tc.status || ae.Code != tc.code {
				t.Errorf("cause = %#v", ae)
			}
		})
	}
}

func TestBrokenResponsesAreInternalWithTheEvidence(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string // in the error text
	}{
		{"5xx html", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			io.WriteString(w, "<html>bad gateway</html>")
		}, "502"},
		{"undecodable 200", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"uuid": 12`)
		}, `{\"uuid\": 12`},
		{"record with a bad uuid", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"uuid": "nope", "name": "v"})
		}, "nope"},
		{"clone without parents", func(w http.ResponseWriter, r *http.Request) {
			rec := volumeRecord(volUUID, "v")
			rec["clone"] = map[string]any{"is_flexclone": true}
			writeJSON(w, 200, rec)
		}, "parent"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/api/elsewhere", http.StatusFound)
		}, "302"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.mux.HandleFunc("GET /api/storage/volumes/{v}", tc.handler)
			_, err := f.client(t, nil).GetVolume(context.Background(), mustVolumeID(t, volUUID))
			if !errors.Is(err, backend.ErrInternal) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want internal mentioning %q", err, tc.want)
			}
		})
	}
}

func TestJobThatCannotBePolledIsInternalNotNotFound(t *testing.T) {
	f := newFake(t)
	f.mux.HandleFunc("DELETE /api/storage/volumes/{uuid}", accepted(jobUUID))
	f.mux.HandleFunc("GET /api/cluster/jobs/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		ontapError(w, 404, "4", "entry doesn't exist", "uuid")
	})
	err := f.client(t, nil).DeleteVolume(context.Background(), mustVolumeID(t, volUUID))
	if !errors.Is(err, backend.ErrInternal) {
		t.Errorf("err = %v, want internal (the job vanished, not the volume)", err)
	}
}

func TestJobPollingGivesUpAfterTheTimeout(t *testing.T) {
	f := newFake(t)
	f.mux.HandleFunc("DELETE /api/storage/volumes/{uuid}", accepted(jobUUID))
	f.job(jobUUID, 0, "running")
	c := f.client(t, &client.Options{PollInterval: time.Millisecond, PollTimeout: 20 * time.Millisecond})
	err := c.DeleteVolume(context.Background(), mustVolumeID(t, volUUID))
	if !errors.Is(err, backend.ErrInternal) || !strings.Contains(err.Error(), "running") {
		t.Errorf("err = %v, want internal naming the job state", err)
	}
	if n := f.count("GET /api/cluster/jobs/"); n < 2 {
		t.Errorf("polled %d times", n)
	}
}

func TestCancelledContextSendsNothingAndReturnsCtxErr(t *testing.T) {
	f := newFake(t)
	c := f.client(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vol, snap := mustVolumeID(t, volUUID), mustSnapshotID(t, snapUUID)
	calls := map[string]func() error{
		"ListVolumes":     func() error { _, err := c.ListVolumes(ctx); return err },
		"CreateVolume":    func() error { _, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: "v"}); return err },
		"GetVolume":       func() error { _, err := c.GetVolume(ctx, vol); return err },
		"DeleteVolume":    func() error { return c.DeleteVolume(ctx, vol) },
		"PatchVolume":     func() error { _, err := c.PatchVolume(ctx, vol, backend.VolumePatch{Comment: new("x")}); return err },
		"AccessHandle":    func() error { _, err := c.AccessHandle(ctx, vol); return err },
		"ListSnapshots":   func() error { _, err := c.ListSnapshots(ctx, vol); return err },
		"CreateSnapshot":  func() error { _, err := c.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: "s"}); return err },
		"GetSnapshot":     func() error { _, err := c.GetSnapshot(ctx, vol, snap); return err },
		"DeleteSnapshot":  func() error { return c.DeleteSnapshot(ctx, vol, snap) },
		"PatchSnapshot":   func() error { _, err := c.PatchSnapshot(ctx, vol, snap, backend.SnapshotPatch{}); return err },
		"RestoreSnapshot": func() error { _, err := c.RestoreSnapshot(ctx, vol, snap); return err },
		"CreateClone": func() error {
			_, err := c.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol, ParentSnapshot: snap, Name: "c"})
			return err
		},
		"SplitClone": func() error { _, err := c.SplitClone(ctx, vol); return err },
	}
	for name, call := range calls {
		if err := call(); err != context.Canceled {
			t.Errorf("%s: err = %v, want context.Canceled unwrapped", name, err)
		}
	}
	if got := f.requests(); len(got) != 0 {
		t.Errorf("a cancelled context still sent %q", got)
	}
}

func TestCancelWhileWaitingForAJobReturnsCtxErr(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.mux.HandleFunc("DELETE /api/storage/volumes/{uuid}", accepted(jobUUID))
	polled := make(chan struct{}, 1)
	f.mux.HandleFunc("GET /api/cluster/jobs/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"uuid": jobUUID, "state": "running"})
		select {
		case polled <- struct{}{}:
		default:
		}
	})
	c := f.client(t, &client.Options{PollInterval: time.Hour})
	done := make(chan error)
	go func() { done <- c.DeleteVolume(ctx, mustVolumeID(t, volUUID)) }()
	<-polled // the first poll is immediate; the next would be an hour away
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestListFollowsNextLinksToTheEnd(t *testing.T) {
	f := newFake(t)
	ids := []string{
		"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
		"00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004",
		"00000000-0000-4000-8000-000000000005",
	}
	f.mux.HandleFunc("GET /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("max_records") != "2" || q.Get("svm.uuid") != svmUUID {
			t.Errorf("page query %s lost the original parameters", r.URL.RawQuery)
		}
		start := 0
		for i, id := range ids {
			if q.Get("start.uuid") == id {
				start = i
			}
		}
		end := min(start+2, len(ids))
		var recs []any
		for _, id := range ids[start:end] {
			recs = append(recs, volumeRecord(id, "v"+id[len(id)-1:]))
		}
		resp := map[string]any{"records": recs, "num_records": len(recs), "_links": map[string]any{}}
		if end < len(ids) {
			next := *r.URL
			nq := next.Query()
			nq.Set("start.uuid", ids[end])
			next.RawQuery = nq.Encode()
			resp["_links"] = map[string]any{"next": map[string]any{"href": next.RequestURI()}}
		}
		writeJSON(w, 200, resp)
	})
	vols, err := f.client(t, &client.Options{MaxRecords: 2}).ListVolumes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != len(ids) {
		t.Fatalf("got %d volumes over the pages, want %d", len(vols), len(ids))
	}
	for i, v := range vols {
		if v.ID.String() != ids[i] {
			t.Errorf("volume %d = %s, want %s", i, v.ID, ids[i])
		}
	}
}

func TestListRefusesLoopingOrForeignNextLinks(t *testing.T) {
	for name, href := range map[string]string{
		"loop":    "/api/storage/volumes?start.uuid=x",
		"foreign": "https://attacker.example/api/storage/volumes",
		"non-api": "/secret",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.mux.HandleFunc("GET /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"records": []any{}, "_links": map[string]any{"next": map[string]any{"href": href}}})
			})
			_, err := f.client(t, nil).ListVolumes(context.Background())
			if !errors.Is(err, backend.ErrInternal) {
				t.Errorf("err = %v, want internal", err)
			}
			if n := f.count("GET /api/storage/volumes"); n > 2 {
				t.Errorf("followed the link %d times", n)
			}
		})
	}
}

func TestDiscoveryNeedsExactlyOneSVM(t *testing.T) {
	for name, svms := range map[string][]any{
		"none": {},
		"two": {
			map[string]any{"uuid": svmUUID, "name": "a"},
			map[string]any{"uuid": "22222222-2222-4333-8444-555555555555", "name": "b"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeWithSVMs(t, svms)
			_, err := f.client(t, nil).ListVolumes(context.Background())
			if !errors.Is(err, backend.ErrInternal) || !strings.Contains(err.Error(), "SVM") {
				t.Errorf("err = %v, want internal about the SVM", err)
			}
		})
	}
	t.Run("named", func(t *testing.T) {
		f := newFakeWithSVMs(t, []any{map[string]any{"uuid": svmUUID, "name": "b", "aggregates": []any{map[string]any{"name": "aggr0"}}}})
		f.mux.HandleFunc("GET /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"records": []any{}})
		})
		if _, err := f.client(t, &client.Options{SVM: "b"}).ListVolumes(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := f.requests()[0]; !strings.Contains(got, "name=b") {
			t.Errorf("SVM lookup %q does not filter by name", got)
		}
	})
	t.Run("aggregate from the cluster", func(t *testing.T) {
		f := newFakeWithSVMs(t, []any{map[string]any{"uuid": svmUUID, "name": "svm0"}})
		f.mux.HandleFunc("GET /api/storage/aggregates", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"records": []any{map[string]any{"name": "aggr9"}}})
		})
		var body box[map[string]any]
		f.mux.HandleFunc("POST /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
			var b map[string]any
			json.NewDecoder(r.Body).Decode(&b)
			body.set(b)
			ontapError(w, 409, "917526", "duplicate", "name")
		})
		c := f.client(t, nil)
		_, err := c.CreateVolume(context.Background(), backend.VolumeSpec{Name: "v"})
		if !errors.Is(err, backend.ErrAlreadyExists) {
			t.Fatalf("err = %v", err)
		}
		if got, _ := json.Marshal(body.get()["aggregates"]); string(got) != `[{"name":"aggr9"}]` {
			t.Errorf("aggregates = %s", got)
		}
		// Discovery happens once per client.
		c.CreateVolume(context.Background(), backend.VolumeSpec{Name: "v"})
		if n := f.count("GET /api/svm/svms"); n != 1 {
			t.Errorf("discovered %d times", n)
		}
	})
}

func TestDecodesClonesAndUnlimitedSizes(t *testing.T) {
	f := newFake(t)
	rec := volumeRecord(volUUID, "c1")
	delete(rec, "size")
	delete(rec, "nas")
	rec["clone"] = map[string]any{
		"is_flexclone":    true,
		"parent_volume":   map[string]any{"name": "p", "uuid": "00000000-0000-4000-8000-00000000000a"},
		"parent_snapshot": map[string]any{"name": "s", "uuid": "00000000-0000-4000-8000-00000000000b"},
	}
	f.serveVolume(volUUID, rec)
	v, err := f.client(t, nil).GetVolume(context.Background(), mustVolumeID(t, volUUID))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Size.IsUnlimited() || v.JunctionPath != "" {
		t.Errorf("size %v path %q, want unlimited and unmounted", v.Size, v.JunctionPath)
	}
	want := backend.CloneOrigin{ParentVolume: "p", ParentSnapshot: "s",
		ParentVolumeID:   mustVolumeID(t, "00000000-0000-4000-8000-00000000000a"),
		ParentSnapshotID: mustSnapshotID(t, "00000000-0000-4000-8000-00000000000b")}
	if v.Clone == nil || *v.Clone != want {
		t.Errorf("clone origin = %+v, want %+v", v.Clone, want)
	}
}

func TestPatchVolumeBody(t *testing.T) {
	f := newFake(t)
	var raw box[[]byte]
	f.mux.HandleFunc("PATCH /api/storage/volumes/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		raw.set(b)
		writeJSON(w, http.StatusAccepted, jobLink(jobUUID))
	})
	f.job(jobUUID, 0, "success")
	f.serveVolume(volUUID, volumeRecord(volUUID, "n"))
	c := f.client(t, nil)
	st := backend.StateOffline
	_, err := c.PatchVolume(context.Background(), mustVolumeID(t, volUUID), backend.VolumePatch{
		Name: new("n"), Size: &backend.Unlimited, State: &st, JunctionPath: new(""), ExportPolicy: new("p"), Comment: new("")})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"comment":"","name":"n","nas":{"path":"","export_policy":{"name":"p"}},"size":null,"state":"offline"}`
	if got := string(raw.get()); got != want {
		t.Errorf("patch body\n got %s\nwant %s", got, want)
	}
	// An empty patch only reads.
	before := f.count("PATCH ")
	if _, err := c.PatchVolume(context.Background(), mustVolumeID(t, volUUID), backend.VolumePatch{}); err != nil {
		t.Fatal(err)
	}
	if f.count("PATCH ") != before {
		t.Error("an empty patch was sent")
	}
}

func TestRestoreAndSplitUseONTAPForms(t *testing.T) {
	f := newFake(t)
	var restoreQuery, splitBody box[string]
	f.mux.HandleFunc("PATCH /api/storage/volumes/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.RawQuery != "" {
			restoreQuery.set(r.URL.RawQuery)
		} else {
			splitBody.set(string(b))
		}
		writeJSON(w, http.StatusAccepted, jobLink(jobUUID))
	})
	f.job(jobUUID, 0, "success")
	// The split runs on after its job: the volume is a clone for two more reads.
	var reads box[int]
	f.mux.HandleFunc("GET /api/storage/volumes/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		rec := volumeRecord(volUUID, "c")
		reads.mu.Lock()
		reads.v++
		n := reads.v
		reads.mu.Unlock()
		if n <= 2 {
			rec["clone"] = map[string]any{"is_flexclone": true, "split_initiated": true,
				"parent_volume":   map[string]any{"name": "p", "uuid": "00000000-0000-4000-8000-00000000000a"},
				"parent_snapshot": map[string]any{"name": "s", "uuid": "00000000-0000-4000-8000-00000000000b"}}
		}
		writeJSON(w, 200, rec)
	})
	c := f.client(t, nil)
	v, err := c.SplitClone(context.Background(), mustVolumeID(t, volUUID))
	if err != nil || v.IsClone() {
		t.Fatalf("SplitClone = %+v, %v; want an independent volume", v, err)
	}
	if got := splitBody.get(); got != `{"clone":{"split_initiated":true}}` {
		t.Errorf("split body %s", got)
	}
	if n := reads.get(); n != 3 {
		t.Errorf("read the volume %d times, want 3 (until the split completed)", n)
	}
	if _, err := c.RestoreSnapshot(context.Background(), mustVolumeID(t, volUUID), mustSnapshotID(t, snapUUID)); err != nil {
		t.Fatal(err)
	}
	if got := restoreQuery.get(); got != "restore_to.snapshot.uuid="+snapUUID {
		t.Errorf("restore query %q", got)
	}
}

func TestCloneNamesParentsByUUID(t *testing.T) {
	f := newFake(t)
	var body box[string]
	f.mux.HandleFunc("POST /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body.set(string(b))
		ontapError(w, 404, "4", "entry doesn't exist", "clone.parent_snapshot.uuid")
	})
	_, err := f.client(t, nil).CreateClone(context.Background(), backend.CloneSpec{ParentVolume: mustVolumeID(t, volUUID), ParentSnapshot: mustSnapshotID(t, snapUUID), Name: "c"})
	if !errors.Is(err, backend.ErrSnapshotNotFound) {
		t.Errorf("err = %v, want snapshot not found", err)
	}
	want := `{"name":"c","svm":{"name":"svm0"},"clone":{"is_flexclone":true,"parent_volume":{"uuid":"` + volUUID +
		`"},"parent_snapshot":{"uuid":"` + snapUUID + `"}}}`
	if got := body.get(); got != want {
		t.Errorf("clone body\n got %s\nwant %s", got, want)
	}
}

func TestAccessHandle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		path   any // the volume's nas.path; nil for none
		lifs   []any
		want   backend.AccessHandle
		errKnd backend.Kind
	}{
		{"mounted", "/data", []any{
			map[string]any{"state": "down", "ip": map[string]any{"address": "10.0.0.1"}},
			map[string]any{"state": "up", "ip": map[string]any{"address": "10.0.0.2"}},
		}, backend.AccessHandle{Kind: backend.AccessNFSExport, Server: "10.0.0.2", Path: "/data"}, 0},
		{"unmounted", nil, []any{map[string]any{"state": "up", "ip": map[string]any{"address": "10.0.0.2"}}},
			backend.AccessHandle{Kind: backend.AccessONTAPPassthrough, Path: "/api/storage/volumes/" + volUUID}, 0},
		{"no lif up", "/data", []any{map[string]any{"state": "down", "ip": map[string]any{"address": "10.0.0.1"}}},
			backend.AccessHandle{Kind: backend.AccessONTAPPassthrough, Path: "/api/storage/volumes/" + volUUID}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			rec := volumeRecord(volUUID, "v")
			rec["nas"] = map[string]any{}
			if tc.path != nil {
				rec["nas"] = map[string]any{"path": tc.path}
			}
			f.serveVolume(volUUID, rec)
			f.mux.HandleFunc("GET /api/network/ip/interfaces", func(w http.ResponseWriter, r *http.Request) {
				if q := r.URL.Query(); q.Get("services") != "data_nfs" || q.Get("svm.uuid") != svmUUID {
					t.Errorf("interface query %s", r.URL.RawQuery)
				}
				writeJSON(w, 200, map[string]any{"records": tc.lifs})
			})
			h, err := f.client(t, nil).AccessHandle(context.Background(), mustVolumeID(t, volUUID))
			if tc.want.Kind == backend.AccessONTAPPassthrough {
				tc.want.Server = strings.TrimPrefix(f.srv.URL, "http://")
			}
			if backend.KindOf(err) != tc.errKnd || h != tc.want {
				t.Errorf("AccessHandle = %+v, %v; want %+v, kind %v", h, err, tc.want, tc.errKnd)
			}
		})
	}
}

func TestMissingSVMOrAggregateIsInternalNotTheCallersNotFound(t *testing.T) {
	for _, e := range []struct{ code, target string }{
		{"2621462", "svm.name"},
		{"917508", "aggregates.name"},
		{"4", "clone.parent_svm.name"},
	} {
		f := newFake(t)
		f.mux.HandleFunc("POST /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
			ontapError(w, 404, e.code, "gone", e.target)
		})
		c := f.client(t, nil)
		_, err := c.CreateClone(context.Background(), backend.CloneSpec{ParentVolume: mustVolumeID(t, volUUID), ParentSnapshot: mustSnapshotID(t, snapUUID), Name: "c"})
		if !errors.Is(err, backend.ErrInternal) {
			t.Errorf("CreateClone answered %s/%s: %v, want internal", e.code, e.target, err)
		}
		_, err = c.CreateVolume(context.Background(), backend.VolumeSpec{Name: "v"})
		if !errors.Is(err, backend.ErrInternal) {
			t.Errorf("CreateVolume answered %s/%s: %v, want internal", e.code, e.target, err)
		}
	}
}

// Paging is not atomic: a listing whose pages contradict each other (the
// same volume twice) is read again, and the consistent reading is returned.
func TestListVolumesRereadsAContradictoryListing(t *testing.T) {
	f := newFake(t)
	other := "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	var calls int
	var mu sync.Mutex
	f.mux.HandleFunc("GET /api/storage/volumes", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		recs := []any{volumeRecord(volUUID, "a"), volumeRecord(other, "b")}
		if n == 1 { // a rename between two pages showed "a" twice
			recs = []any{volumeRecord(volUUID, "a"), volumeRecord(volUUID, "a")}
		}
		writeJSON(w, 200, map[string]any{"num_records": len(recs), "records": recs})
	})
	vols, err := f.client(t, nil).ListVolumes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != 2 || vols[0].Name == vols[1].Name {
		t.Fatalf("got %+v, want the consistent second reading", vols)
	}
	if calls != 2 {
		t.Errorf("listed %d times, want 2", calls)
	}
}
