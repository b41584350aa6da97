package server

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"

	"procura/internal/app"
)

//go:embed web/templates/*.html web/messages.json
var webFiles embed.FS

//go:embed web/static
var staticFiles embed.FS

// languages the pages speak; the first is the default.
var languages = []string{"zh", "en"}

// ui holds one template set per language, each with "t" bound to that language's messages.
type ui struct {
	messages map[string]map[string]string
	tmpl     map[string]map[string]*template.Template // language → page → layout, shared parts and page
	static   http.Handler
}

func newUI() (*ui, error) {
	b, err := webFiles.ReadFile("web/messages.json")
	if err != nil {
		return nil, err
	}
	u := &ui{tmpl: map[string]map[string]*template.Template{}}
	pages, err := fs.Glob(webFiles, "web/templates/*.html")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &u.messages); err != nil {
		return nil, fmt.Errorf("message catalogue: %w", err)
	}
	for _, lang := range languages {
		msgs := u.messages[lang]
		funcs := template.FuncMap{
			// A missing key shows as itself, and TestEveryTemplateKeyIsInTheCatalogue finds it.
			"t": func(key string) string {
				if m, ok := msgs[key]; ok {
					return m
				}
				return key
			},
			"base": filepath.Base,
		}
		u.tmpl[lang] = map[string]*template.Template{}
		for _, p := range pages {
			page := strings.TrimSuffix(filepath.Base(p), ".html")
			if page == "layout" || page == "shared" {
				continue
			}
			t, err := template.New(page).Funcs(funcs).ParseFS(webFiles, "web/templates/layout.html", "web/templates/shared.html", p)
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", page, err)
			}
			u.tmpl[lang][page] = t
		}
	}
	sub, _ := fs.Sub(staticFiles, "web/static")
	u.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return u, nil
}

// view is what every page template gets.
type view struct {
	Lang  string
	Title string // message key
	User  *app.Principal
	CSRF  string
	Data  any
}

// lang picks the language: ?lang= (remembered in a cookie), the cookie, then Accept-Language.
func lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return languages[0]
}

// render executes page (web/templates/<page>.html, which defines "content") inside the layout.
// With fragment set, an htmx request gets only that template.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, fragment, title string, data any) {
	l := lang(w, r)
	v := view{Lang: l, Title: title, Data: data}
	if p, ok := app.PrincipalFrom(r.Context()); ok {
		v.User = &p
		v.CSRF = s.csrfToken(p.CredentialID)
	}
	t := s.ui.tmpl[l][page]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var buf strings.Builder
	name := "layout"
	if fragment != "" && r.Header.Get("HX-Request") == "true" {
		name = fragment // htmx swaps a part of the page
	}
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write([]byte(buf.String()))
}
