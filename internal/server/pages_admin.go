package server

import (
	"net/http"
	"time"

	"procura/internal/app"
	"procura/internal/store"
)

// adminPages registers the pages of screening, the audit log and users.
func (s *Server) adminPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /screen", s.loggedIn(s.screenPage))
	mux.HandleFunc("POST /screen", s.loggedIn(s.screenOne))
	mux.HandleFunc("POST /screen/batch", s.loggedIn(s.screenBatch))
	mux.HandleFunc("GET /screen/results/{id}", s.loggedIn(s.screenDownload))
	mux.HandleFunc("GET /audit", s.loggedIn(s.auditPage))
	mux.HandleFunc("POST /audit/verify", s.loggedIn(s.auditVerify))
	mux.HandleFunc("GET /audit/export", s.loggedIn(s.auditExport))
	mux.HandleFunc("GET /users", s.loggedIn(s.usersPage))
	mux.HandleFunc("POST /users", s.loggedIn(s.userCreate))
	mux.HandleFunc("GET /users/{name}", s.loggedIn(s.userPage))
	mux.HandleFunc("POST /users/{name}/role", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		return "admin.users.role_changed", "", s.app.SetRole(r.Context(), name, r.PostFormValue("role"))
	})))
	mux.HandleFunc("POST /users/{name}/enabled", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		disable := r.PostFormValue("enabled") == "0"
		key := "admin.users.enabled_done"
		if disable {
			key = "admin.users.disabled_done"
		}
		return key, "", s.app.SetDisabled(r.Context(), name, disable)
	})))
	mux.HandleFunc("POST /users/{name}/password", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		pw, err := s.app.ResetPassword(r.Context(), name, r.PostFormValue("password"))
		return "admin.users.password_done", pw, err
	})))
	mux.HandleFunc("POST /users/{name}/grants", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		return "admin.users.granted", "", s.app.GrantCase(r.Context(), name, r.PostFormValue("case"))
	})))
	mux.HandleFunc("POST /users/{name}/grants/revoke", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		return "admin.users.grant_revoked", "", s.app.RevokeCase(r.Context(), name, r.PostFormValue("case"))
	})))
	mux.HandleFunc("POST /users/{name}/tokens/revoke", s.loggedIn(s.userChange(func(r *http.Request, name string) (string, string, error) {
		return "admin.users.token_revoked", "", s.revokeUsersCredential(r, name)
	})))
}

// userRow is a user in the list, with the last time the user logged in.
type userRow struct {
	store.User
	LastLogin time.Time
	Tokens    int // live tokens
}

type usersData struct {
	Users []userRow
	Roles []string
	Error string
	// The user just created: the password is shown here once and never again.
	Created *app.UserAdded
	Form    app.NewUser
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.showUsers(w, r, http.StatusOK, usersData{Form: app.NewUser{Role: app.RoleAnalyst}})
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, d usersData) {
	users, err := s.app.Users(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	creds, err := s.app.Credentials(r.Context(), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	last := map[string]time.Time{}
	tokens := map[string]int{}
	now := time.Now()
	for _, c := range creds {
		switch {
		case c.Kind == store.CredentialSession && c.CreatedAt.After(last[c.User]):
			last[c.User] = c.CreatedAt
		case c.Kind == store.CredentialToken && c.RevokedAt.IsZero() && c.ExpiresAt.After(now):
			tokens[c.User]++
		}
	}
	for _, u := range users {
		d.Users = append(d.Users, userRow{User: u, LastLogin: last[u.Name], Tokens: tokens[u.Name]})
	}
	d.Roles = app.Roles
	s.render(w, r, status, "users", "", "admin.users.title", d)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	nu := app.NewUser{Name: r.PostFormValue("name"), DisplayName: r.PostFormValue("display_name"),
		Role: r.PostFormValue("role"), Password: r.PostFormValue("password")}
	added, err := s.app.AddUser(r.Context(), nu)
	if err != nil {
		status, _ := statusOf(err)
		if status == http.StatusInternalServerError || status == http.StatusForbidden {
			s.pageError(w, r, err)
			return
		}
		nu.Password = ""
		s.showUsers(w, r, status, usersData{Error: err.Error(), Form: nu})
		return
	}
	s.showUsers(w, r, http.StatusOK, usersData{Created: &added, Form: app.NewUser{Role: nu.Role}})
}

// userData is one user's page: role, state, password, tokens and case grants.
type userData struct {
	User   store.User
	Roles  []string
	Creds  []store.Credential
	Grants []store.Grant
	Cases  []store.Case
	Error  string
	Done   string // message key of the change just made
	// Password is a generated password, shown once.
	Password string
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) {
	s.showUser(w, r, http.StatusOK, userData{})
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, status int, d userData) {
	name := r.PathValue("name")
	users, err := s.app.Users(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	found := false
	for _, u := range users {
		if u.Name == name {
			d.User, found = u, true
		}
	}
	if !found {
		s.pageError(w, r, store.ErrNoUser)
		return
	}
	if d.Creds, err = s.app.Credentials(r.Context(), name); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Grants, err = s.app.Grants(r.Context(), name); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Cases, err = s.app.Cases(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Roles = app.Roles
	s.render(w, r, status, "users_user", "", "admin.users.user_title", d)
}

// userChange runs one change to a user and shows the user's page again with the outcome: the
// error in place (the form stays), or what was done.
func (s *Server) userChange(change func(r *http.Request, name string) (done, password string, err error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		done, pw, err := change(r, r.PathValue("name"))
		if err != nil {
			status, _ := statusOf(err)
			if status == http.StatusInternalServerError || status == http.StatusForbidden {
				s.pageError(w, r, err)
				return
			}
			s.showUser(w, r, status, userData{Error: err.Error()})
			return
		}
		s.showUser(w, r, http.StatusOK, userData{Done: done, Password: pw})
	}
}

// revokeUsersCredential revokes a session or token of the user whose page it is; an id of
// another user's credential is refused, so a form cannot be pointed elsewhere by mistake.
func (s *Server) revokeUsersCredential(r *http.Request, name string) error {
	id := r.PostFormValue("id")
	creds, err := s.app.Credentials(r.Context(), name)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if c.ID == id {
			return s.app.RevokeCredential(r.Context(), id)
		}
	}
	return store.ErrNoCredential
}
