package server

import "net/http"

// modelPages registers the pages of the model library, editor and run history.
func (s *Server) modelPages(mux *http.ServeMux) {}
