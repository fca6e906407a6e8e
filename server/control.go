package server

import (
	"context"
	"net/http"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
)

// Control is nessie's own control plane, served under /nessie/v1/: a
// prefix ONTAP never uses, so it cannot collide with a real ONTAP path.
// It sits behind the same authentication as the ONTAP API. A nil hook is
// not served (404).
type Control struct {
	// Reset returns the backend to its starting state (the loaded
	// fixture, or empty): POST /nessie/v1/reset answers 200
	// {"status":"ok"} once it has.
	Reset func(ctx context.Context) error
	// State renders the whole state as a fixture document (YAML), the
	// backend's with objects, the server's (ExportObjects): GET
	// /nessie/v1/state.
	State func(ctx context.Context, objects ObjectGroups) ([]byte, error)
	// Objects are the objects of the starting state (ImportObjects'
	// records of the loaded fixture); nil means the built-ins. The server
	// starts from them when its ObjectJournal has never saved anything
	// (or there is none), and a reset returns to them.
	Objects []ObjectRecord
}

// controlRoutes registers the Control hooks that are set.
func (s *Server) controlRoutes(mux *http.ServeMux) {
	c := s.opts.Control
	notAllowed := func(allow string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Allow"] = []string{allow}
			s.writeJSON(w, http.StatusMethodNotAllowed, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusMethodNotAllowed, ontap.CodeNotSupported, "",
				"The %q method is not supported on %q; allowed: %s.", text.Truncate(r.Method, 16), r.URL.Path, allow)})
		}
	}
	if c.Reset != nil {
		mux.Handle("POST /nessie/v1/reset", s.adapt(func(r *http.Request) (result, error) {
			if err := c.Reset(r.Context()); err != nil {
				return result{}, err
			}
			if err := s.replaceObjects(c.Objects); err != nil {
				return result{}, err
			}
			return result{status: http.StatusOK, body: map[string]string{"status": "ok"}}, nil
		}))
		mux.HandleFunc("/nessie/v1/reset", notAllowed("POST"))
	}
	if c.State != nil {
		mux.Handle("GET /nessie/v1/state", s.adapt(func(r *http.Request) (result, error) {
			objs, err := s.ExportObjects()
			if err != nil {
				return result{}, err
			}
			y, err := c.State(r.Context(), objs)
			if err != nil {
				return result{}, err
			}
			return result{status: http.StatusOK, body: rawYAML(y)}, nil
		}))
		mux.HandleFunc("/nessie/v1/state", notAllowed("GET, HEAD"))
	}
}
