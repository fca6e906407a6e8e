package server

// Routes returns the method and ServeMux pattern of every operation s
// serves, trailing-slash forms included, so tests can cover them all
// without keeping a list of their own.
func Routes(s *Server) [][2]string {
	out := make([][2]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = [2]string{rt.method, rt.path}
	}
	return out
}
