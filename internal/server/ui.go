package server

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"procura/internal/app"
)

//go:embed web/templates/*.html web/messages/*.json
var webFiles embed.FS

//go:embed web/static
var staticFiles embed.FS

// languages the pages speak; the first is the default.
var languages = []string{"zh", "en"}

// ui holds one template set per language, each with "t" bound to that language's messages.
type ui struct {
	messages map[string]map[string]string
	scripts  map[string][]byte                        // language → /messages/<lang>.js, the catalogue for the pages' scripts
	tmpl     map[string]map[string]*template.Template // language → page → layout, shared parts and page
	static   http.Handler
}

func newUI() (*ui, error) {
	u := &ui{tmpl: map[string]map[string]*template.Template{}, scripts: map[string][]byte{}}
	var err error
	if u.messages, err = loadMessages(); err != nil {
		return nil, err
	}
	pages, err := fs.Glob(webFiles, "web/templates/*.html")
	if err != nil {
		return nil, err
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
	for _, lang := range languages {
		b, _ := json.Marshal(u.messages[lang])
		u.scripts[lang] = append(append([]byte("window.PROCURA_MESSAGES="), b...), ";\n"...)
	}
	sub, _ := fs.Sub(staticFiles, "web/static")
	u.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return u, nil
}

// loadMessages reads the message catalogue: one file per area of the product
// (web/messages/<area>.json, each {"en":{…},"zh":{…}}), merged into one; a key defined in two
// files is an error, so two areas cannot silently overwrite each other's text.
func loadMessages() (map[string]map[string]string, error) {
	files, err := fs.Glob(webFiles, "web/messages/*.json")
	if err != nil {
		return nil, err
	}
	all := map[string]map[string]string{}
	from := map[string]string{} // key → file that defined it
	for _, f := range files {
		b, err := webFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var part map[string]map[string]string
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", f, err)
		}
		for lang, msgs := range part {
			if !slices.Contains(languages, lang) {
				return nil, fmt.Errorf("message catalogue %s: unknown language %q", f, lang)
			}
			if all[lang] == nil {
				all[lang] = map[string]string{}
			}
			for k, v := range msgs {
				if prev, ok := from[lang+"\x00"+k]; ok {
					return nil, fmt.Errorf("message catalogue: %s defines %q, which %s defines too", f, k, prev)
				}
				from[lang+"\x00"+k] = f
				all[lang][k] = v
			}
		}
	}
	return all, nil
}

// messagesScript serves the catalogue of one language as a script, for text the pages' scripts
// write themselves (window.PROCURA_MESSAGES, read through procura.t in app.js).
func (s *Server) messagesScript(w http.ResponseWriter, r *http.Request) {
	b, ok := s.ui.scripts[r.PathValue("lang")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// view is what every page template gets.
type view struct {
	Lang  string
	Title string // message key
	User  *app.Principal
	CSRF  string
	Data  any
	// Can holds the actions the user's role allows ({{if index .Can "clue.review"}}), so a
	// page offers only what the user may do; internal/app still checks every call.
	Can map[string]bool
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
		v.Can = map[string]bool{}
		for _, act := range app.Actions() {
			v.Can[string(act)] = app.Allowed(p.Role, act)
		}
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
