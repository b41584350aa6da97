package server

import (
	"net/http"

	"procura/internal/app"
)

// userRoutes administer users through the API as /users does in the browser: each call goes
// to the same use case in internal/app, which checks user.manage (or that the caller is the
// user, for reading one's own grants and credentials) and writes the audit entry.
func (s *Server) userRoutes() []route {
	return []route{
		{"PATCH", "/api/v1/users/{name}", s.apiChangeUser},
		{"POST", "/api/v1/users/{name}/password", s.apiResetPassword},
		{"GET", "/api/v1/users/{name}/grants", s.apiGrants},
		{"PUT", "/api/v1/users/{name}/grants/{case}", s.apiGrant},
		{"DELETE", "/api/v1/users/{name}/grants/{case}", s.apiRevokeGrant},
		{"GET", "/api/v1/users/{name}/credentials", s.apiUserCredentials},
	}
}

// apiChangeUser sets a user's role and/or disables or enables the user; fields left out stay.
func (s *Server) apiChangeUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role     *string `json:"role"`
		Disabled *bool   `json:"disabled"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Role == nil && req.Disabled == nil {
		s.apiError(w, r, &app.FieldError{Fields: map[string]string{"role": `give "role" or "disabled" (or both)`}})
		return
	}
	name := r.PathValue("name")
	if req.Role != nil {
		if err := s.app.SetRole(r.Context(), name, *req.Role); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	if req.Disabled != nil {
		if err := s.app.SetDisabled(r.Context(), name, *req.Disabled); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	us, err := s.app.Users(r.Context())
	for _, u := range us {
		if u.Name == name {
			s.answer(w, r, u, err)
			return
		}
	}
	s.answer(w, r, nil, err)
}

// apiResetPassword sets a user's password; without one it generates a password, returned once,
// which the user must change at the next login.
func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	pw, err := s.app.ResetPassword(r.Context(), r.PathValue("name"), req.Password)
	s.answer(w, r, map[string]any{"user": r.PathValue("name"), "password": pw}, err)
}

func (s *Server) apiGrants(w http.ResponseWriter, r *http.Request) {
	gs, err := s.app.Grants(r.Context(), r.PathValue("name"))
	s.answer(w, r, map[string]any{"grants": gs}, err)
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request) {
	if err := s.app.GrantCase(r.Context(), r.PathValue("name"), r.PathValue("case")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiRevokeGrant(w http.ResponseWriter, r *http.Request) {
	if err := s.app.RevokeCase(r.Context(), r.PathValue("name"), r.PathValue("case")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiUserCredentials lists a user's sessions and tokens (never their secrets); revoke one with
// DELETE /api/v1/me/tokens/{id}, which lets an administrator revoke anyone's.
func (s *Server) apiUserCredentials(w http.ResponseWriter, r *http.Request) {
	cs, err := s.app.Credentials(r.Context(), r.PathValue("name"))
	s.answer(w, r, map[string]any{"credentials": cs}, err)
}
