package daemon

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCreateVolumeHTTP measures volume creation through the whole
// daemon (plain HTTP, auth, server, job, backend) with the memory and the
// durable store, from 1 and from 16 clients. In durable mode each create
// waits for one commit, which holds the volume and its finished job.
func BenchmarkCreateVolumeHTTP(b *testing.B) {
	for _, store := range []StoreKind{StoreMemory, StoreDurable} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/clients=%d", store, clients), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Listen = "127.0.0.1:0"
				cfg.HTTP = true
				cfg.Store = store
				cfg.DataDir = filepath.Join(b.TempDir(), "data")
				r := runForBench(b, cfg)
				c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				var next atomic.Int64
				create := func() error {
					body := fmt.Sprintf(`{"name":"v%d","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`, next.Add(1))
					req, _ := http.NewRequest(http.MethodPost, r.URL+"/api/storage/volumes?return_timeout=30", strings.NewReader(body))
					req.SetBasicAuth(cfg.Username, cfg.Password)
					resp, err := c.Do(req)
					if err != nil {
						return err
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						return fmt.Errorf("status %d", resp.StatusCode)
					}
					return nil
				}
				b.ResetTimer()
				start := time.Now()
				if clients == 1 {
					for range b.N {
						if err := create(); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := create(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
				b.StopTimer() // the deferred shutdown is not part of it
			})
		}
	}
}
