package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// maxUpload bounds one uploaded file: bank inquiries of a large case reach a few GB.
const maxUpload = 8 << 30

// uploadPaths take multipart bodies whose CSRF token is a form field checked by readUpload.
var uploadPaths = map[string]bool{
	"/api/v1/imports": true, "/api/v1/imports/dry-run": true,
	"/import/preview": true, "/api/v1/models/import": true, "/models/import": true,
}

// upload is a received file kept under <workspace>/tmp/uploads/<id>/ with the form's fields.
type upload struct {
	id     string
	name   string // file name as the user sent it (base name only)
	path   string
	fields map[string]string
	dir    string
}

func (u upload) remove() { os.RemoveAll(u.dir) }

// readUpload streams a multipart body to the workspace's upload directory (never the system
// temporary directory, and never whole into memory) and checks a pending CSRF field.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (upload, bool) {
	bad := func(msg string) (upload, bool) {
		s.fail(w, r, http.StatusBadRequest, "invalid", msg, nil)
		return upload{}, false
	}
	if !isMultipart(r) {
		return bad("send the file as multipart/form-data with a part named \"file\"")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return bad("the multipart body is unreadable: " + err.Error())
	}
	b := make([]byte, 12)
	rand.Read(b)
	up := upload{id: hex.EncodeToString(b), fields: map[string]string{}}
	up.dir = filepath.Join(s.uploads, up.id)
	if err := os.MkdirAll(up.dir, 0o700); err != nil {
		s.apiError(w, r, err)
		return upload{}, false
	}
	ok := false
	defer func() {
		if !ok {
			up.remove()
		}
	}()
	body := http.MaxBytesReader(w, r.Body, maxUpload)
	defer body.Close()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bad("the upload broke off: " + err.Error())
		}
		if part.FormName() == "file" && part.FileName() != "" {
			if up.path != "" {
				return bad("send one file per request")
			}
			up.name = safeName(part.FileName())
			up.path = filepath.Join(up.dir, up.name)
			f, err := os.OpenFile(up.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				s.apiError(w, r, err)
				return upload{}, false
			}
			_, err = io.Copy(f, part)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				var mb *http.MaxBytesError
				if errors.As(err, &mb) {
					return bad("the file is larger than 8 GiB; split it and import the parts into one dataset")
				}
				return bad("the upload broke off: " + err.Error())
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 1<<16))
		if err != nil {
			return bad("the upload broke off: " + err.Error())
		}
		up.fields[part.FormName()] = string(v)
	}
	if cred, pending := r.Context().Value(csrfPendingKey{}).(string); pending && !s.validCSRF(cred, up.fields["csrf"]) {
		s.fail(w, r, http.StatusForbidden, "csrf", msgCSRF, nil)
		return upload{}, false
	}
	if up.path == "" {
		return bad("no file: send it in a part named \"file\"")
	}
	ok = true
	return up, true
}

// safeName keeps the base name of a client's file name, so no name can leave the directory.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == ".." || name == "" {
		return "upload"
	}
	return name
}
