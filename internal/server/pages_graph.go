package server

import (
	"net/http"
	"net/url"

	"procura/internal/app"
	"procura/internal/mask"
)

// graphPages registers the pages of the link graph explorer.
func (s *Server) graphPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /graph", s.loggedIn(s.graphPage))
}

// graphData is what the explorer page shows: the search and its hits; the canvas, the side
// panel, paths and collisions are drawn by graph.js from the JSON API.
type graphData struct {
	Q      string
	Hits   []app.SearchHit
	More   bool   // more names match than shown
	Error  string // the search failed (no graph yet, a bad query): said in the results
	Search bool   // a search was made
	// Identifiers are masked unless the user asked (unmask=1) and may; ToggleURL switches.
	// APIQuery carries datasets, ignore_resolved and unmask to the page's API calls.
	Unmasked, CanUnmask bool
	ToggleURL           string
	APIQuery            string
	// The graph is built from these datasets (comma-separated, "" = all), with or without
	// the latest resolution; searches and API calls keep them.
	Datasets       string
	IgnoreResolved bool
}

// graphPage shows the explorer; with ?q= it lists the entities found, and an htmx search gets
// only the list.
func (s *Server) graphPage(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Can(r.Context(), app.ActGraphRead); err != nil {
		s.pageError(w, r, err)
		return
	}
	qs := r.URL.Query()
	d := graphData{Q: qs.Get("q"), Unmasked: qs.Get("unmask") == "1" || qs.Get("unmask") == "true",
		CanUnmask: s.app.Can(r.Context(), app.ActUnmask) == nil, Datasets: qs.Get("datasets"), IgnoreResolved: qs.Get("ignore_resolved") == "1"}
	api := url.Values{}
	for _, k := range []string{"datasets", "ignore_resolved"} {
		if v := qs.Get(k); v != "" {
			api.Set(k, v)
		}
	}
	toggle := url.Values{}
	for k, v := range api {
		toggle[k] = v
	}
	if d.Unmasked {
		api.Set("unmask", "1")
	} else {
		toggle.Set("unmask", "1")
	}
	d.APIQuery, d.ToggleURL = api.Encode(), "?"+toggle.Encode()
	q := d.Q
	if !d.Unmasked {
		// The page shows what was typed as it shows any identifier: masked.
		d.Q = mask.Text(q)
	}
	if q != "" {
		d.Search = true
		res, err := s.app.GraphSearch(r.Context(), app.SearchRequest{GraphRequest: app.GraphRequest{Datasets: splitComma(d.Datasets),
			IgnoreResolved: d.IgnoreResolved}, Q: q})
		if err != nil {
			status, _ := statusOf(err)
			if status == http.StatusInternalServerError || status == http.StatusForbidden {
				s.pageError(w, r, err)
				return
			}
			d.Error = mask.Text(err.Error()) // it may quote what was typed, as the API's errors do
		}
		d.Hits, d.More = res.Hits, res.Truncated
	}
	s.render(w, r, http.StatusOK, "graph", "graphResults", "graph.title", d)
}
