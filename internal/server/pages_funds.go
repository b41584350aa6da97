package server

import "net/http"

// fundPages registers the pages of fund-flow tracing.
func (s *Server) fundPages(mux *http.ServeMux) {}
