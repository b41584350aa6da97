package server

import "net/http"

// casePages registers the pages of the case workspace.
func (s *Server) casePages(mux *http.ServeMux) {}
