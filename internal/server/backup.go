package server

import (
	"fmt"
	"net/http"
	"time"

	"procura/internal/app"
)

// apiBackup streams a backup of the workspace (app.Backup). The server holds the workspace,
// so this is how a running installation is backed up: the database is copied in one
// transaction while requests go on. The archive ends with its manifest; an answer cut short
// by an error has none, and procura restore refuses it.
func (s *Server) apiBackup(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.principal(w, r); !ok {
		return
	}
	if err := s.app.Can(r.Context(), app.ActBackup); err != nil {
		s.apiError(w, r, err)
		return
	}
	name := fmt.Sprintf("procura-%s.procura-backup", time.Now().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "application/zstd")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	res, err := s.app.Backup(r.Context(), w, nil)
	if err != nil {
		s.log.Error("backup failed; the client got a truncated archive that restore refuses", "err", err, "bytes", res.Archive)
		return
	}
	s.log.Info("backup", "files", res.Files, "archive_bytes", res.Archive, "sha256", res.SHA256)
}
