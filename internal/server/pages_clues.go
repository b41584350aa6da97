package server

import "net/http"

// cluePages registers the pages of the clue queue and review screen.
func (s *Server) cluePages(mux *http.ServeMux) {}
