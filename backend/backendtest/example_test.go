package backendtest_test

import (
	"context"
	"fmt"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

// Check needs no *testing.T, so a command can run the suite against any
// backend it can construct or connect to.
func ExampleCheck() {
	newBackend := func() (backend.VolumeBackend, error) { return mem.New(nil), nil }
	if err := backendtest.Check(context.Background(), newBackend, nil); err != nil {
		fmt.Println(err) // one *backendtest.Failure per failed case
		return
	}
	fmt.Println("mem conforms")
	// Output: mem conforms
}
