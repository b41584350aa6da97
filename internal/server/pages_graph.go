package server

import "net/http"

// graphPages registers the pages of the link graph explorer.
func (s *Server) graphPages(mux *http.ServeMux) {}
