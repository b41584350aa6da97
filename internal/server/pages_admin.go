package server

import "net/http"

// adminPages registers the pages of screening, the audit log and users.
func (s *Server) adminPages(mux *http.ServeMux) {}
