package ontap_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// A backend failure becomes the ONTAP error a client expects: the same
// kind maps to different codes depending on the operation, and Classify
// turns the code back into the kind on the client side.
func ExampleFromBackend() {
	err := &backend.Error{Op: "CreateVolume", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: "db"}

	e := ontap.FromBackend(ontap.OpVolumeCreate, err)
	fmt.Println(e.Status, e.Code, e.Message)
	_ = json.NewEncoder(os.Stdout).Encode(ontap.ErrorResponse{Error: e})

	snapErr := &backend.Error{Op: "CreateSnapshot", Kind: backend.KindAlreadyExists, Resource: backend.ResourceSnapshot, Name: "nightly"}
	fmt.Println(ontap.FromBackend(ontap.OpSnapshotCreate, snapErr).Code)

	kind, res, ok := ontap.Classify(ontap.OpVolumeCreate, e)
	fmt.Println(kind, res, ok, errors.Is(kind, backend.ErrAlreadyExists))
	// Output:
	// 409 917526 Duplicate volume name "db".
	// {"error":{"message":"Duplicate volume name \"db\".","code":"917526"}}
	// 525059
	// already exists volume true true
}

// Filter values are ONTAP globs: '*' matches any run of characters,
// anywhere in the pattern.
func ExampleGlob() {
	for _, name := range []string{"vol3", "vol13", "vol31", "snap3"} {
		fmt.Println(name, ontap.Glob("vol*3", name))
	}
	// Output:
	// vol3 true
	// vol13 true
	// vol31 false
	// snap3 false
}
