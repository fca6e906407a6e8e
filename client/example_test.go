package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/client"
	"github.com/nessie-go/nessie/server"
)

// A Go program driving an ONTAP REST endpoint through the backend
// contract. Here the endpoint is a nessie server started in-process; for a
// running daemon use its address instead, e.g.
//
//	client.New("https://127.0.0.1:8443", &client.Options{
//		Username: "admin", Password: os.Getenv("NESSIE_ADMIN_PASSWORD"),
//		InsecureSkipVerify: true, // the daemon's self-signed certificate
//	})
//
// and for a real cluster its management LIF, credentials and SVM. In a
// test, ontaptest.NewServer does the setup below in one call.
func Example() {
	api, err := server.New(mem.New(nil), &server.Options{Username: "admin", Password: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer api.Close()
	ts := httptest.NewTLSServer(api)
	defer ts.Close()

	c, err := client.New(ts.URL, &client.Options{Username: "admin", Password: "secret", HTTPClient: ts.Client()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The client is a CloneBackend like any other: code written against
	// the contract does not know it talks HTTP.
	var b backend.CloneBackend = c
	vol, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "build_cache", Size: backend.Bytes(1 << 30), JunctionPath: "/build_cache"})
	if err != nil {
		log.Fatal(err)
	}
	snap, err := b.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "golden"})
	if err != nil {
		log.Fatal(err)
	}
	clone, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol.ID, ParentSnapshot: snap.ID, Name: "ci_run_1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s bytes at %s\n", vol.Name, vol.Size, vol.JunctionPath)
	fmt.Printf("%s: clone of %s@%s\n", clone.Name, clone.Clone.ParentVolume, clone.Clone.ParentSnapshot)

	// ONTAP's refusals come back as the contract's error kinds.
	err = b.DeleteSnapshot(ctx, vol.ID, snap.ID)
	fmt.Println("delete a snapshot a clone depends on:", errors.Is(err, backend.ErrInUse))
	_, err = b.CreateVolume(ctx, backend.VolumeSpec{Name: "build_cache"})
	fmt.Println("create a duplicate:", errors.Is(err, backend.ErrAlreadyExists))

	// ONTAP's own code is there too, for code that needs it.
	var ae *client.APIError
	if errors.As(err, &ae) {
		fmt.Println("ONTAP error code:", ae.Code)
	}

	h, err := b.AccessHandle(ctx, vol.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("mount:", h.Kind, h.Server+":"+h.Path)
	// Output:
	// build_cache: 1073741824 bytes at /build_cache
	// ci_run_1: clone of build_cache@golden
	// delete a snapshot a clone depends on: true
	// create a duplicate: true
	// ONTAP error code: 917526
	// mount: nfs_export 127.0.0.1:/build_cache
}
